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
    struct x87_mem m;
    if (mem) {
        x87_mem_operand(lc, integer, &m);
        kind = m.kind;
    } else {
        bool to_sti = lc->insn->opcode != 0xd8;
        dst = to_sti ? x87_rm(lc) : 0;
        src = to_sti ? 0 : x87_rm(lc);
    }
    LLVMValueRef empty = x87_is_empty(lc, dst);
    if (!mem)
        empty = LLVMBuildOr(lc->b, empty, x87_is_empty(lc, src), "");
    LLVMValueRef a = x87_st_ptr(lc, dst), b = mem ? NULL : x87_st_ptr(lc, src);
    LLVMValueRef opv = x87_op(lc, op | kind, empty);
    if (x87_inline_on(lc) && x87_c1_dead(lc)) {
        struct x87_choice c;
        x87_inline_begin(lc, x87_inline_ok(lc, empty, true), &c);
        LLVMValueRef x = x87_get_f80(lc, dst);
        x87_set_f80(lc, dst,
                    mem ? x87_f80_arith_mem(lc, op, x, &m)
                        : x87_f80_arith(lc, op, x, x87_get_f80(lc, src)));
        x87_inline_end(lc, &c, NULL, opv, a, b, mem ? &m : NULL);
    } else {
        x87_call(lc, opv, a, b, mem ? x87_mem_bits(lc, &m) : NULL);
    }
    x87_mark(lc, dst, false);
    if (!mem && lc->insn->opcode == 0xde)
        x87_pop(lc);
}

/* ---- comparisons ---- */

/* The helper's comparison inside the unit: C3 C2 C0 (and C1 = 0) in
 * fpu_sw, or for the _I forms ZF PF CF as EFLAGS bits, returned (and C1 =
 * 0). */
static LLVMValueRef inline_compare(struct lift_ctx *lc, enum lifter_fpu_op op,
                                   int other, const struct x87_mem *m)
{
    LLVMBuilderRef b = lc->b;
    bool sig = op == LIFTER_FPU_COM || op == LIFTER_FPU_COMI;
    LLVMValueRef x = x87_get_f80(lc, 0);
    LLVMValueRef y = other >= 0 ? x87_get_f80(lc, (unsigned)other)
                                : x87_f80_operand(lc, m);
    LLVMValueRef c0 = x87_f80_cmp(lc, sig, "ult", x, y);
    LLVMValueRef c2 = x87_f80_cmp(lc, sig, "uno", x, y);
    LLVMValueRef c3 = x87_f80_cmp(lc, sig, "ueq", x, y);
    if (op == LIFTER_FPU_COM || op == LIFTER_FPU_UCOM) {
        x87_set_cc(lc, c0, lift_const(lc, 1, 0), c2, c3);
        return NULL;
    }
    x87_sw_update(lc, FPU_C1, NULL);
    LLVMValueRef r = LLVMBuildOr(
        b,
        LLVMBuildSelect(b, c3, lift_const(lc, 64, EFLAGS_ZF),
                        lift_const(lc, 64, 0), ""),
        LLVMBuildOr(b,
                    LLVMBuildSelect(b, c2, lift_const(lc, 64, EFLAGS_PF),
                                    lift_const(lc, 64, 0), ""),
                    LLVMBuildSelect(b, c0, lift_const(lc, 64, EFLAGS_CF),
                                    lift_const(lc, 64, 0), ""),
                    ""),
        "");
    return r;
}

/* FCOM/FUCOM/FICOM/FCOMI/FUCOMI and their popping forms, FTST: ST(0)
 * against ST(i) (ST(1) when none is given), memory, or zero; pops 0, 1 or
 * 2 times.  An empty register compares unordered. */
static void lift_fcom(struct lift_ctx *lc, enum lifter_fpu_op op,
                      bool integer, unsigned pops)
{
    uint32_t kind = LIFTER_FPU_SRC_REG;
    LLVMValueRef other = NULL;
    struct x87_mem mem, *m = NULL;
    LLVMValueRef empty = x87_is_empty(lc, 0);
    if (lc->insn->mnemonic == ZYDIS_MNEMONIC_FTST) {
        kind = LIFTER_FPU_SRC_ZERO;
    } else if (x87_is_mem(lc)) {
        m = &mem;
        x87_mem_operand(lc, integer, m);
        kind = m->kind;
    } else {
        other = x87_st_ptr(lc, x87_rm(lc));
        empty = LLVMBuildOr(lc->b, empty, x87_is_empty(lc, x87_rm(lc)), "");
    }
    bool eflags = op == LIFTER_FPU_COMI || op == LIFTER_FPU_UCOMI;
    LLVMValueRef a = x87_st_ptr(lc, 0);
    LLVMValueRef opv = x87_op(lc, op | kind, empty);
    LLVMValueRef r;
    if (x87_inline_on(lc)) {
        struct x87_choice c;
        x87_inline_begin(lc, x87_inline_ok(lc, empty, false), &c);
        LLVMValueRef v =
            inline_compare(lc, op, other ? (int)x87_rm(lc) : -1, m);
        r = x87_inline_end(lc, &c, v, opv, a, other, m);
    } else {
        r = x87_call(lc, opv, a, other, m ? x87_mem_bits(lc, m) : NULL);
    }
    if (eflags) {
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
    struct x87_raw v = x87_peek_raw(lc, 0);
    x87_raw_parts(lc, &v);
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

/* FSQRT FRNDINT FSIN FCOS F2XM1: ST(0) = f(ST(0)).  FSQRT inside the
 * unit as the arithmetic is (i386 libm's sqrt is one FSQRT: a call of
 * the helper in every Lua n-body step). */
static void lift_unary(struct lift_ctx *lc, enum lifter_fpu_op op)
{
    LLVMValueRef empty = x87_is_empty(lc, 0);
    LLVMValueRef opv = x87_op(lc, op, empty), a = x87_st_ptr(lc, 0);
    if (op == LIFTER_FPU_SQRT && x87_inline_on(lc) && x87_c1_dead(lc)) {
        struct x87_choice c;
        x87_inline_begin(lc, x87_inline_ok(lc, empty, true), &c);
        x87_set_f80(lc, 0, x87_f80_sqrt(lc, x87_get_f80(lc, 0)));
        x87_inline_end(lc, &c, NULL, opv, a, NULL, NULL);
    } else {
        x87_call(lc, opv, a, NULL, NULL);
    }
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

/* The instructions of this file: how each is lifted. */
enum form { F_ARITH, F_IARITH, F_COM, F_ICOM, F_UNARY, F_STACK, F_FXAM };

static const struct {
    ZydisMnemonic m;
    uint8_t form;
    uint8_t op;  /* enum lifter_fpu_op */
    uint8_t arg; /* pops (F_COM, F_ICOM) or enum shape (F_STACK) */
} insns[] = {
    {ZYDIS_MNEMONIC_FADD, F_ARITH, LIFTER_FPU_ADD, 0},
    {ZYDIS_MNEMONIC_FADDP, F_ARITH, LIFTER_FPU_ADD, 0},
    {ZYDIS_MNEMONIC_FIADD, F_IARITH, LIFTER_FPU_ADD, 0},
    {ZYDIS_MNEMONIC_FSUB, F_ARITH, LIFTER_FPU_SUB, 0},
    {ZYDIS_MNEMONIC_FSUBP, F_ARITH, LIFTER_FPU_SUB, 0},
    {ZYDIS_MNEMONIC_FISUB, F_IARITH, LIFTER_FPU_SUB, 0},
    {ZYDIS_MNEMONIC_FSUBR, F_ARITH, LIFTER_FPU_SUBR, 0},
    {ZYDIS_MNEMONIC_FSUBRP, F_ARITH, LIFTER_FPU_SUBR, 0},
    {ZYDIS_MNEMONIC_FISUBR, F_IARITH, LIFTER_FPU_SUBR, 0},
    {ZYDIS_MNEMONIC_FMUL, F_ARITH, LIFTER_FPU_MUL, 0},
    {ZYDIS_MNEMONIC_FMULP, F_ARITH, LIFTER_FPU_MUL, 0},
    {ZYDIS_MNEMONIC_FIMUL, F_IARITH, LIFTER_FPU_MUL, 0},
    {ZYDIS_MNEMONIC_FDIV, F_ARITH, LIFTER_FPU_DIV, 0},
    {ZYDIS_MNEMONIC_FDIVP, F_ARITH, LIFTER_FPU_DIV, 0},
    {ZYDIS_MNEMONIC_FIDIV, F_IARITH, LIFTER_FPU_DIV, 0},
    {ZYDIS_MNEMONIC_FDIVR, F_ARITH, LIFTER_FPU_DIVR, 0},
    {ZYDIS_MNEMONIC_FDIVRP, F_ARITH, LIFTER_FPU_DIVR, 0},
    {ZYDIS_MNEMONIC_FIDIVR, F_IARITH, LIFTER_FPU_DIVR, 0},
    {ZYDIS_MNEMONIC_FCOM, F_COM, LIFTER_FPU_COM, 0},
    {ZYDIS_MNEMONIC_FCOMP, F_COM, LIFTER_FPU_COM, 1},
    {ZYDIS_MNEMONIC_FCOMPP, F_COM, LIFTER_FPU_COM, 2},
    {ZYDIS_MNEMONIC_FUCOM, F_COM, LIFTER_FPU_UCOM, 0},
    {ZYDIS_MNEMONIC_FUCOMP, F_COM, LIFTER_FPU_UCOM, 1},
    {ZYDIS_MNEMONIC_FUCOMPP, F_COM, LIFTER_FPU_UCOM, 2},
    {ZYDIS_MNEMONIC_FICOM, F_ICOM, LIFTER_FPU_COM, 0},
    {ZYDIS_MNEMONIC_FICOMP, F_ICOM, LIFTER_FPU_COM, 1},
    {ZYDIS_MNEMONIC_FCOMI, F_COM, LIFTER_FPU_COMI, 0},
    {ZYDIS_MNEMONIC_FCOMIP, F_COM, LIFTER_FPU_COMI, 1},
    {ZYDIS_MNEMONIC_FUCOMI, F_COM, LIFTER_FPU_UCOMI, 0},
    {ZYDIS_MNEMONIC_FUCOMIP, F_COM, LIFTER_FPU_UCOMI, 1},
    {ZYDIS_MNEMONIC_FTST, F_COM, LIFTER_FPU_COM, 0},
    {ZYDIS_MNEMONIC_FXAM, F_FXAM, 0, 0},
    {ZYDIS_MNEMONIC_FSQRT, F_UNARY, LIFTER_FPU_SQRT, 0},
    {ZYDIS_MNEMONIC_FRNDINT, F_UNARY, LIFTER_FPU_RNDINT, 0},
    {ZYDIS_MNEMONIC_FSIN, F_UNARY, LIFTER_FPU_SIN, 0},
    {ZYDIS_MNEMONIC_FCOS, F_UNARY, LIFTER_FPU_COS, 0},
    {ZYDIS_MNEMONIC_F2XM1, F_UNARY, LIFTER_FPU_F2XM1, 0},
    {ZYDIS_MNEMONIC_FSCALE, F_STACK, LIFTER_FPU_SCALE, SH_BINARY},
    {ZYDIS_MNEMONIC_FPREM, F_STACK, LIFTER_FPU_PREM, SH_BINARY},
    {ZYDIS_MNEMONIC_FPREM1, F_STACK, LIFTER_FPU_PREM1, SH_BINARY},
    {ZYDIS_MNEMONIC_FPATAN, F_STACK, LIFTER_FPU_PATAN, SH_POP},
    {ZYDIS_MNEMONIC_FYL2X, F_STACK, LIFTER_FPU_YL2X, SH_POP},
    {ZYDIS_MNEMONIC_FYL2XP1, F_STACK, LIFTER_FPU_YL2XP1, SH_POP},
    {ZYDIS_MNEMONIC_FXTRACT, F_STACK, LIFTER_FPU_XTRACT, SH_PUSH},
    {ZYDIS_MNEMONIC_FSINCOS, F_STACK, LIFTER_FPU_SINCOS, SH_PUSH_C2},
    {ZYDIS_MNEMONIC_FPTAN, F_STACK, LIFTER_FPU_PTAN, SH_PUSH_C2},
};

bool lift_x87_arith(struct lift_ctx *lc)
{
    for (size_t k = 0; k < sizeof(insns) / sizeof(insns[0]); k++) {
        if (insns[k].m != lc->insn->mnemonic)
            continue;
        enum lifter_fpu_op op = insns[k].op;
        switch (insns[k].form) {
        case F_ARITH: lift_arith(lc, op, false); break;
        case F_IARITH: lift_arith(lc, op, true); break;
        case F_COM: lift_fcom(lc, op, false, insns[k].arg); break;
        case F_ICOM: lift_fcom(lc, op, true, insns[k].arg); break;
        case F_UNARY: lift_unary(lc, op); break;
        case F_STACK: lift_stack_op(lc, op, insns[k].arg); break;
        default: lift_fxam(lc); break;
        }
        return true;
    }
    return false;
}
