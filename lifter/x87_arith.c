/* x87 arithmetic: FADD FSUB FSUBR FMUL FDIV FDIVR in all their forms
 * (ST(0) op m32/m64, FIxxx m16/m32, ST(0) op ST(i), ST(i) op ST(0), the
 * popping ones); comparisons (FCOM FUCOM FICOM with their popping forms,
 * FCOMI FUCOMI and theirs, FTST, FXAM); FSQRT FRNDINT FSCALE FXTRACT FPREM
 * FPREM1 and the transcendental instructions.  The lifted code does the
 * stack's bookkeeping; the x87 helper computes (the model, and where it
 * differs from an x87, is at the top of x87.c). */
#include "x87.h"

static LLVMValueRef c16(struct lift_ctx *lc, uint16_t v)
{
    return lift_const(lc, 16, v);
}

/* ---- the four operations ---- */

/* Register forms: D8 is ST(0) = ST(0) op ST(i); DC and DE (popping) are
 * ST(i) = ST(i) op ST(0).  Memory forms: ST(0) = ST(0) op m.  An empty
 * operand register gives the indefinite. */
static void lift_arith(struct lift_ctx *lc, enum lifter_fpu_op op,
                       bool integer)
{
    bool mem = x87_is_mem(lc);
    unsigned dst = 0, src = 0;
    uint32_t kind = LIFTER_FPU_SRC_REG;
    LLVMValueRef bits = NULL;
    if (mem) {
        bits = x87_mem_bits(lc, integer, &kind);
    } else {
        bool to_sti = lc->insn->opcode != 0xd8;
        dst = to_sti ? x87_rm(lc) : 0;
        src = to_sti ? 0 : x87_rm(lc);
    }
    LLVMValueRef empty = x87_is_empty(lc, dst);
    if (!mem)
        empty = LLVMBuildOr(lc->b, empty, x87_is_empty(lc, src), "");
    x87_call(lc, x87_op(lc, op | kind, empty), x87_st_ptr(lc, dst),
             mem ? NULL : x87_st_ptr(lc, src), bits);
    x87_mark(lc, dst, false);
    if (!mem && lc->insn->opcode == 0xde)
        x87_pop(lc);
}

/* ---- comparisons ---- */

/* FCOM/FUCOM/FICOM/FCOMI/FUCOMI and their popping forms, FTST: ST(0)
 * against ST(i) (ST(1) when none is given), memory, or zero; pops 0, 1 or
 * 2 times.  An empty register compares unordered. */
static void lift_fcom(struct lift_ctx *lc, enum lifter_fpu_op op,
                      bool integer, unsigned pops)
{
    uint32_t kind = LIFTER_FPU_SRC_REG;
    LLVMValueRef bits = NULL, other = NULL;
    LLVMValueRef empty = x87_is_empty(lc, 0);
    if (lc->insn->mnemonic == ZYDIS_MNEMONIC_FTST) {
        kind = LIFTER_FPU_SRC_ZERO;
    } else if (x87_is_mem(lc)) {
        bits = x87_mem_bits(lc, integer, &kind);
    } else {
        other = x87_st_ptr(lc, x87_rm(lc));
        empty = LLVMBuildOr(lc->b, empty, x87_is_empty(lc, x87_rm(lc)), "");
    }
    LLVMValueRef r = x87_call(lc, x87_op(lc, op | kind, empty),
                              x87_st_ptr(lc, 0), other, bits);
    if (op == LIFTER_FPU_COMI || op == LIFTER_FPU_UCOMI) {
        LLVMValueRef f = lift_const(lc, 1, 0);
        LLVMValueRef r32 = lift_trunc(lc, r, 32);
        static const struct {
            enum cpu_flag flag;
            uint32_t bit;
        } set[] = {{FLAG_ZF, EFLAGS_ZF}, {FLAG_PF, EFLAGS_PF},
                   {FLAG_CF, EFLAGS_CF}};
        for (unsigned k = 0; k < 3; k++)
            lift_flag_set(lc, set[k].flag,
                          LLVMBuildICmp(lc->b, LLVMIntNE,
                                        LLVMBuildAnd(lc->b, r32,
                                                     lift_i32(lc, set[k].bit),
                                                     ""),
                                        lift_i32(lc, 0), ""));
        lift_flag_set(lc, FLAG_OF, f);
        lift_flag_set(lc, FLAG_SF, f);
        lift_flag_set(lc, FLAG_AF, f);
    }
    while (pops--)
        x87_pop(lc);
}

/* FXAM: the class of ST(0) from its bits; C1 is its sign, even when the
 * register is empty. */
static void lift_fxam(struct lift_ctx *lc)
{
    LLVMBuilderRef b = lc->b;
    struct x87_raw v = x87_raw_load(lc, x87_st_ptr(lc, 0));
    LLVMValueRef sig = v.sig, se = v.se;
    LLVMValueRef empty = x87_is_empty(lc, 0);
    LLVMValueRef exp = LLVMBuildAnd(b, se, c16(lc, 0x7fff), "");
    LLVMValueRef max = LLVMBuildICmp(b, LLVMIntEQ, exp, c16(lc, 0x7fff), "");
    LLVMValueRef exp0 = LLVMBuildICmp(b, LLVMIntEQ, exp, c16(lc, 0), "");
    LLVMValueRef j = lift_msb(lc, sig); /* the explicit integer bit */
    LLVMValueRef sig0 = LLVMBuildICmp(b, LLVMIntEQ, sig, lift_const(lc, 64, 0),
                                      "");
    LLVMValueRef frac0 = LLVMBuildICmp(
        b, LLVMIntEQ, LLVMBuildShl(b, sig, lift_const(lc, 64, 1), ""),
        lift_const(lc, 64, 0), "");
    LLVMValueRef inf = LLVMBuildAnd(b, LLVMBuildAnd(b, max, j, ""), frac0, "");
    LLVMValueRef nan = LLVMBuildAnd(b, LLVMBuildAnd(b, max, j, ""),
                                    LLVMBuildNot(b, frac0, ""), "");
    LLVMValueRef zero = LLVMBuildAnd(b, exp0, sig0, "");
    LLVMValueRef denormal = LLVMBuildAnd(b, exp0, LLVMBuildNot(b, sig0, ""),
                                         "");
    LLVMValueRef normal = LLVMBuildAnd(
        b, LLVMBuildNot(b, LLVMBuildOr(b, max, exp0, ""), ""), j, "");
    /* empty 101, NaN 001, infinity 011, zero 100, denormal 110, normal
     * 010, unsupported 000 (C3 C2 C0). */
    LLVMValueRef c0 = LLVMBuildOr(b, empty, LLVMBuildOr(b, nan, inf, ""), "");
    LLVMValueRef c2 = LLVMBuildAnd(
        b, LLVMBuildNot(b, empty, ""),
        LLVMBuildOr(b, inf, LLVMBuildOr(b, normal, denormal, ""), ""), "");
    LLVMValueRef c3 = LLVMBuildOr(b, empty, LLVMBuildOr(b, zero, denormal, ""),
                                  "");
    x87_set_cc(lc, c0, lift_msb(lc, se), c2, c3);
}

/* ---- one-operand and two-register operations ---- */

/* FSQRT FRNDINT FSIN FCOS F2XM1: ST(0) = f(ST(0)). */
static void lift_unary(struct lift_ctx *lc, enum lifter_fpu_op op)
{
    x87_call(lc, x87_op(lc, op, x87_is_empty(lc, 0)), x87_st_ptr(lc, 0), NULL,
             NULL);
    x87_mark(lc, 0, false);
}

/* How the other operations use the stack. */
enum shape {
    SH_BINARY,  /* ST(0) = f(ST(0), ST(1)) */
    SH_POP,     /* ST(1) = f(ST(0), ST(1)), pop */
    SH_PUSH,    /* ST(0) = f(ST(0)), push g(ST(0)) */
    SH_PUSH_C2, /* the same, unless C2 says the operand is out of range */
};

/* The helper works on copies in fpu_tmp: an empty operand goes in as the
 * indefinite, which every operation carries through. */
static void lift_stack_op(struct lift_ctx *lc, enum lifter_fpu_op op,
                          enum shape shape)
{
    LLVMValueRef t0 = x87_tmp_ptr(lc, 0), t1 = x87_tmp_ptr(lc, 1);
    x87_raw_store(lc, t0, x87_get_raw(lc, 0));
    if (shape == SH_BINARY || shape == SH_POP)
        x87_raw_store(lc, t1, x87_get_raw(lc, 1));
    LLVMValueRef cc = lift_trunc(lc, x87_call(lc, lift_i32(lc, op), t0, t1,
                                              NULL),
                                 16);
    struct x87_raw r0 = x87_raw_load(lc, t0);
    struct x87_raw r1 = x87_raw_load(lc, t1);
    switch (shape) {
    case SH_BINARY:
        x87_set_raw(lc, 0, r0);
        break;
    case SH_POP:
        x87_set_raw(lc, 1, r0);
        x87_pop(lc);
        break;
    case SH_PUSH:
        x87_set_raw(lc, 0, r1);
        x87_push_raw(lc, r0);
        break;
    case SH_PUSH_C2: {
        /* FSINCOS, FPTAN out of range (C2): ST(0) stays, nothing pushed. */
        LLVMValueRef c2 = LLVMBuildICmp(
            lc->b, LLVMIntNE, LLVMBuildAnd(lc->b, cc, c16(lc, FPU_C2), ""),
            c16(lc, 0), "");
        struct x87_if s;
        x87_if_begin(lc, c2, &s);
        x87_set_raw(lc, 0, r0);
        x87_if_else(lc, &s);
        x87_set_raw(lc, 0, r1);
        x87_push_raw(lc, r0);
        x87_if_end(lc, &s);
        break;
    }
    }
}

bool lift_x87_arith(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_FADD:
    case ZYDIS_MNEMONIC_FADDP: lift_arith(lc, LIFTER_FPU_ADD, false); return true;
    case ZYDIS_MNEMONIC_FIADD: lift_arith(lc, LIFTER_FPU_ADD, true); return true;
    case ZYDIS_MNEMONIC_FSUB:
    case ZYDIS_MNEMONIC_FSUBP: lift_arith(lc, LIFTER_FPU_SUB, false); return true;
    case ZYDIS_MNEMONIC_FISUB: lift_arith(lc, LIFTER_FPU_SUB, true); return true;
    case ZYDIS_MNEMONIC_FSUBR:
    case ZYDIS_MNEMONIC_FSUBRP:
        lift_arith(lc, LIFTER_FPU_SUBR, false);
        return true;
    case ZYDIS_MNEMONIC_FISUBR: lift_arith(lc, LIFTER_FPU_SUBR, true); return true;
    case ZYDIS_MNEMONIC_FMUL:
    case ZYDIS_MNEMONIC_FMULP: lift_arith(lc, LIFTER_FPU_MUL, false); return true;
    case ZYDIS_MNEMONIC_FIMUL: lift_arith(lc, LIFTER_FPU_MUL, true); return true;
    case ZYDIS_MNEMONIC_FDIV:
    case ZYDIS_MNEMONIC_FDIVP: lift_arith(lc, LIFTER_FPU_DIV, false); return true;
    case ZYDIS_MNEMONIC_FIDIV: lift_arith(lc, LIFTER_FPU_DIV, true); return true;
    case ZYDIS_MNEMONIC_FDIVR:
    case ZYDIS_MNEMONIC_FDIVRP:
        lift_arith(lc, LIFTER_FPU_DIVR, false);
        return true;
    case ZYDIS_MNEMONIC_FIDIVR: lift_arith(lc, LIFTER_FPU_DIVR, true); return true;
    case ZYDIS_MNEMONIC_FCOM: lift_fcom(lc, LIFTER_FPU_COM, false, 0); return true;
    case ZYDIS_MNEMONIC_FCOMP: lift_fcom(lc, LIFTER_FPU_COM, false, 1); return true;
    case ZYDIS_MNEMONIC_FCOMPP: lift_fcom(lc, LIFTER_FPU_COM, false, 2); return true;
    case ZYDIS_MNEMONIC_FUCOM: lift_fcom(lc, LIFTER_FPU_UCOM, false, 0); return true;
    case ZYDIS_MNEMONIC_FUCOMP: lift_fcom(lc, LIFTER_FPU_UCOM, false, 1); return true;
    case ZYDIS_MNEMONIC_FUCOMPP:
        lift_fcom(lc, LIFTER_FPU_UCOM, false, 2);
        return true;
    case ZYDIS_MNEMONIC_FICOM: lift_fcom(lc, LIFTER_FPU_COM, true, 0); return true;
    case ZYDIS_MNEMONIC_FICOMP: lift_fcom(lc, LIFTER_FPU_COM, true, 1); return true;
    case ZYDIS_MNEMONIC_FCOMI: lift_fcom(lc, LIFTER_FPU_COMI, false, 0); return true;
    case ZYDIS_MNEMONIC_FCOMIP: lift_fcom(lc, LIFTER_FPU_COMI, false, 1); return true;
    case ZYDIS_MNEMONIC_FUCOMI: lift_fcom(lc, LIFTER_FPU_UCOMI, false, 0); return true;
    case ZYDIS_MNEMONIC_FUCOMIP:
        lift_fcom(lc, LIFTER_FPU_UCOMI, false, 1);
        return true;
    case ZYDIS_MNEMONIC_FTST: lift_fcom(lc, LIFTER_FPU_COM, false, 0); return true;
    case ZYDIS_MNEMONIC_FXAM: lift_fxam(lc); return true;
    case ZYDIS_MNEMONIC_FSQRT: lift_unary(lc, LIFTER_FPU_SQRT); return true;
    case ZYDIS_MNEMONIC_FRNDINT: lift_unary(lc, LIFTER_FPU_RNDINT); return true;
    case ZYDIS_MNEMONIC_FSIN: lift_unary(lc, LIFTER_FPU_SIN); return true;
    case ZYDIS_MNEMONIC_FCOS: lift_unary(lc, LIFTER_FPU_COS); return true;
    case ZYDIS_MNEMONIC_F2XM1: lift_unary(lc, LIFTER_FPU_F2XM1); return true;
    case ZYDIS_MNEMONIC_FSCALE: lift_stack_op(lc, LIFTER_FPU_SCALE, SH_BINARY); return true;
    case ZYDIS_MNEMONIC_FPREM: lift_stack_op(lc, LIFTER_FPU_PREM, SH_BINARY); return true;
    case ZYDIS_MNEMONIC_FPREM1: lift_stack_op(lc, LIFTER_FPU_PREM1, SH_BINARY); return true;
    case ZYDIS_MNEMONIC_FPATAN: lift_stack_op(lc, LIFTER_FPU_PATAN, SH_POP); return true;
    case ZYDIS_MNEMONIC_FYL2X: lift_stack_op(lc, LIFTER_FPU_YL2X, SH_POP); return true;
    case ZYDIS_MNEMONIC_FYL2XP1: lift_stack_op(lc, LIFTER_FPU_YL2XP1, SH_POP); return true;
    case ZYDIS_MNEMONIC_FXTRACT: lift_stack_op(lc, LIFTER_FPU_XTRACT, SH_PUSH); return true;
    case ZYDIS_MNEMONIC_FSINCOS: lift_stack_op(lc, LIFTER_FPU_SINCOS, SH_PUSH_C2); return true;
    case ZYDIS_MNEMONIC_FPTAN: lift_stack_op(lc, LIFTER_FPU_PTAN, SH_PUSH_C2); return true;
    default:
        return false;
    }
}
