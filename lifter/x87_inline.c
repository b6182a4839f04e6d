/* x87 operations inside the unit (lifter_env.x87_inline, the optimising
 * tier): the lifted code computes with LLVM's x86_fp80 type, which the
 * host runs on its own x87, instead of calling the x87 helper.
 *
 * Exactness.  Each operation is one of LLVM's constrained floating-point
 * intrinsics with dynamic rounding and strict exceptions: LLVM neither
 * folds, removes, reorders nor narrows them (a float add done as an SSE
 * add would leave its flags in MXCSR), and the host x87 executes the very
 * instruction the guest's would be: FADD, FMUL, FILD, FUCOMI...  FLD and
 * FST m32/m64 are inline asm with side effects, the instruction itself
 * (a constrained conversion's load or store does not fold into it).  So
 * results and exception flags are the helper's, bit for bit,
 * on the conditions the callers check before taking this path (else they
 * call the helper):
 * - the guest's control word rounds to nearest with 64-bit precision, the
 *   host's own control word, which the host x87 then uses as it is (the
 *   helper loads the guest's around the instruction otherwise);
 * - no operand register is empty and the destination of a push is free
 *   (stack faults are the helper's);
 * - C1, which an x87 sets after arithmetic when it rounded up, is set
 *   again by a later instruction on every path before anything can read
 *   it (x87_c1_dead: through direct and conditional branches, and a call,
 *   return or indirect jump counts as setting it); FST m32/m64 computes
 *   its own unless it is dead the same way.
 * The one thing not the same: C1 at a signal delivered between such an
 * operation and the instruction that sets C1 again (docs/DEVIATIONS.md).
 *
 * Why only the optimising tier: x86_fp80 operations take LLVM's
 * SelectionDAG instead of FastISel, which made x87-heavy units compile
 * 3.3x slower (x87.c); hot code repays it. */
#include <stdio.h>
#include <string.h>

#include "x87.h"

bool x87_inline_on(const struct lift_ctx *lc)
{
    return lc->env && lc->env->x87_inline;
}

LLVMValueRef x87_inline_ok(struct lift_ctx *lc, LLVMValueRef empty1,
                           bool rounds)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef ok = LLVMBuildNot(b, empty1, "");
    if (!rounds)
        return ok;
    lc->x87_rounds = true;
    return LLVMBuildAnd(b, ok, lift_x87_cw_default(lc, x87_cw(lc)), "");
}

LLVMValueRef lift_x87_cw_default(struct lift_ctx *lc, LLVMValueRef cw16)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef rc_pc = LLVMBuildAnd(
        b, cw16, lift_const(lc, 16, FPU_CW_RC | FPU_CW_PC), "");
    return LLVMBuildICmp(b, LLVMIntEQ, rc_pc, lift_const(lc, 16, FPU_CW_PC),
                         "");
}

void x87_inline_begin(struct lift_ctx *lc, LLVMValueRef ok1,
                      struct x87_choice *c)
{
    c->slot = lift_alloca(lc, lc->i64);
    x87_if_begin(lc, ok1, &c->s);
}

LLVMValueRef x87_inline_end(struct lift_ctx *lc, struct x87_choice *c,
                            LLVMValueRef value, LLVMValueRef op,
                            LLVMValueRef a, LLVMValueRef b,
                            const struct x87_mem *m)
{
    LLVMBuildStore(lc->b, value ? value : lift_const(lc, 64, 0), c->slot);
    x87_if_else(lc, &c->s);
    LLVMBuildStore(lc->b,
                   x87_call(lc, op, a, b, m ? x87_mem_bits(lc, m) : NULL),
                   c->slot);
    x87_if_end(lc, &c->s);
    return LLVMBuildLoad2(lc->b, lc->i64, c->slot, "");
}

/* ---- C1 liveness ---- */

enum c1_use { C1_NONE, C1_SETS, C1_READS };

/* What an instruction does with C1, as r386 lifts it: every x87
 * instruction that computes, moves or compares sets it in every case;
 * those below leave it; the status and environment stores read it. */
static enum c1_use c1_use(const ZydisDecodedInstruction *insn)
{
    switch (insn->mnemonic) {
    case ZYDIS_MNEMONIC_FCMOVB: case ZYDIS_MNEMONIC_FCMOVNB:
    case ZYDIS_MNEMONIC_FCMOVE: case ZYDIS_MNEMONIC_FCMOVNE:
    case ZYDIS_MNEMONIC_FCMOVBE: case ZYDIS_MNEMONIC_FCMOVNBE:
    case ZYDIS_MNEMONIC_FCMOVU: case ZYDIS_MNEMONIC_FCMOVNU:
    case ZYDIS_MNEMONIC_FFREE: case ZYDIS_MNEMONIC_FFREEP:
    case ZYDIS_MNEMONIC_FLDCW: case ZYDIS_MNEMONIC_FNSTCW:
    case ZYDIS_MNEMONIC_FNCLEX: case ZYDIS_MNEMONIC_FWAIT:
    case ZYDIS_MNEMONIC_FNOP:
        return C1_NONE;
    case ZYDIS_MNEMONIC_FNSTSW: case ZYDIS_MNEMONIC_FNSTENV:
    case ZYDIS_MNEMONIC_FNSAVE: case ZYDIS_MNEMONIC_FXSAVE:
    case ZYDIS_MNEMONIC_XSAVE: case ZYDIS_MNEMONIC_XSAVEOPT:
    case ZYDIS_MNEMONIC_XSAVEC: case ZYDIS_MNEMONIC_XSAVES:
    /* (these two load the status word, but their 16-bit forms exit to
     * SIGILL: counted as readers, the safe side) */
    case ZYDIS_MNEMONIC_FLDENV: case ZYDIS_MNEMONIC_FRSTOR:
        return C1_READS;
    default:
        /* Every other x87 instruction r386 lifts sets C1 (x87.c,
         * x87_arith.c); one it does not know ends the unit. */
        return insn->meta.category == ZYDIS_CATEGORY_X87_ALU ? C1_SETS
                                                             : C1_NONE;
    }
}

/* Does every path from pc set C1 before anything reads it?  Follows
 * direct jumps and both ways of conditional branches (a loop's back edge
 * usually leads to an instruction that sets it), within a budget of
 * instructions.  A path that leaves by a call, a return or an indirect
 * jump counts as setting it: compiled code does not read C1 across one
 * (the next x87 instruction there sets it), and C1 for the FST m64 an
 * interpreter's arithmetic handler ends with, before its dispatch jump,
 * was ~15% of Lua n-body's time.  A trap or system call counts as a
 * reader (docs/DEVIATIONS.md). */
static bool c1_dead_from(struct lift_ctx *lc, guest_addr_t pc, int *budget,
                         int forks)
{
    while ((*budget)-- > 0) {
        ZydisDecodedInstruction insn;
        if (!lift_peek(lc, pc, &insn))
            return false;
        switch (c1_use(&insn)) {
        case C1_SETS: return true;
        case C1_READS: return false;
        case C1_NONE: break;
        }
        guest_addr_t next = pc + insn.length;
        pc = next;
        if (!lift_ends_lookahead(&insn))
            continue;
        guest_addr_t target = next + (guest_addr_t)insn.raw.imm[0].value.s;
        switch (insn.meta.category) {
        case ZYDIS_CATEGORY_CALL: case ZYDIS_CATEGORY_RET:
            return true;
        case ZYDIS_CATEGORY_UNCOND_BR:
            if (!(insn.attributes & ZYDIS_ATTRIB_IS_RELATIVE))
                return true;
            pc = target;
            break;
        case ZYDIS_CATEGORY_COND_BR: /* the taken side, then on from next */
            if (forks == 0 || !c1_dead_from(lc, target, budget, forks - 1))
                return false;
            break;
        default: /* traps, system calls */
            return false;
        }
    }
    return false;
}

bool x87_c1_dead(struct lift_ctx *lc)
{
    int budget = 32;
    return c1_dead_from(lc, lc->next_pc, &budget, 3);
}

/* ---- operations ---- */

static LLVMTypeRef f80(struct lift_ctx *lc)
{
    return LLVMX86FP80TypeInContext(lc->ctx);
}

static LLVMValueRef md(struct lift_ctx *lc, const char *s)
{
    return LLVMMetadataAsValue(lc->ctx,
                               LLVMMDStringInContext2(lc->ctx, s, strlen(s)));
}

/* A constrained intrinsic: args, then the rounding mode (if round), then
 * the exception behaviour. */
static LLVMValueRef strict(struct lift_ctx *lc, const char *name,
                           LLVMTypeRef ret, LLVMValueRef *args, unsigned n,
                           bool round)
{
    LLVMValueRef all[4];
    unsigned k = 0;
    for (; k < n; k++)
        all[k] = args[k];
    if (round)
        all[k++] = md(lc, "round.dynamic");
    all[k++] = md(lc, "fpexcept.strict");
    LLVMValueRef c = lift_call(lc, name, ret, all, k);
    unsigned strictfp = LLVMGetEnumAttributeKindForName("strictfp", 8);
    LLVMAddCallSiteAttribute(c, LLVMAttributeFunctionIndex,
                             LLVMCreateEnumAttribute(lc->ctx, strictfp, 0));
    return c;
}

LLVMValueRef x87_f80_load(struct lift_ctx *lc, LLVMValueRef p)
{
    LLVMValueRef v = LLVMBuildLoad2(lc->b, f80(lc), p, "");
    LLVMSetAlignment(v, 4);
    return v;
}

void x87_f80_store(struct lift_ctx *lc, LLVMValueRef p, LLVMValueRef v)
{
    LLVMSetAlignment(LLVMBuildStore(lc->b, v, p), 4);
}

/* One x87 instruction with a float/double memory operand as inline asm:
 * args[0] is that operand's host address.  With side effects, so it keeps
 * its place among the other x87 operations and the helper calls, as the
 * constrained intrinsics do; its exceptions are the instruction's own. */
static LLVMValueRef x87_asm_mem(struct lift_ctx *lc, const char *text,
                                const char *constraints, LLVMTypeRef ret,
                                unsigned bits, LLVMValueRef *args,
                                unsigned nargs)
{
    LLVMTypeRef params[2];
    for (unsigned k = 0; k < nargs; k++)
        params[k] = LLVMTypeOf(args[k]);
    LLVMTypeRef fty = LLVMFunctionType(ret, params, nargs, 0);
    LLVMValueRef asm_fn = LLVMGetInlineAsm(
        fty, (char *)text, strlen(text), (char *)constraints,
        strlen(constraints), 1, 0, LLVMInlineAsmDialectATT, 0);
    LLVMValueRef c = LLVMBuildCall2(lc->b, fty, asm_fn, args, nargs, "");
    LLVMTypeRef mem = bits == 32 ? LLVMFloatTypeInContext(lc->ctx)
                                 : LLVMDoubleTypeInContext(lc->ctx);
    unsigned et = LLVMGetEnumAttributeKindForName("elementtype", 11);
    LLVMAddCallSiteAttribute(c, 1, LLVMCreateTypeAttribute(lc->ctx, et, mem));
    return c;
}

LLVMValueRef x87_f80_operand(struct lift_ctx *lc, const struct x87_mem *m)
{
    if (!m) /* LIFTER_FPU_SRC_ZERO */
        return LLVMConstReal(f80(lc), 0.0);
    if (m->kind == LIFTER_FPU_SRC_M32 || m->kind == LIFTER_FPU_SRC_M64) {
        /* FLD m32/m64 itself.  A float/double load and a constrained
         * fpext (exact, but strict for its IE and DE) would go through an
         * SSE register and the stack: SelectionDAG does not fold a strict
         * conversion's load. */
        LLVMValueRef p = lift_host_addr(lc, m->addr);
        return x87_asm_mem(lc, m->bits == 32 ? "flds $1" : "fldl $1",
                           "={st},*m,~{dirflag},~{fpsr},~{flags}", f80(lc),
                           m->bits, &p, 1);
    }
    char name[64];
    snprintf(name, sizeof(name),
             "llvm.experimental.constrained.sitofp.f80.i%u", m->bits);
    LLVMValueRef v = lift_load(lc, m->addr, m->bits);
    return strict(lc, name, f80(lc), &v, 1, true);
}

void x87_f80_store_narrow(struct lift_ctx *lc, LLVMValueRef addr32,
                          unsigned bits, LLVMValueRef x, bool pop)
{
    /* FST m32/m64 itself (see x87_f80_operand: a constrained fptrunc's
     * result would reach memory through the stack and an SSE register).
     * It rounds by the host's control word: the default one, which the
     * guest's is wherever this runs (x87_inline_ok).  An input in {st}
     * that the asm also clobbers is one it pops (LLVM's x87 stackifier,
     * as GCC's rule): FSTP is then one instruction, where FST left the
     * dead value for a second one, `fstp %st(0)`. */
    LLVMValueRef args[2] = {lift_host_addr(lc, addr32), x};
    static const char *const text[2][2] = {{"fsts $0", "fstl $0"},
                                           {"fstps $0", "fstpl $0"}};
    x87_asm_mem(lc, text[pop][bits == 64],
                pop ? "=*m,{st},~{st},~{dirflag},~{fpsr},~{flags}"
                    : "=*m,{st},~{dirflag},~{fpsr},~{flags}",
                LLVMVoidTypeInContext(lc->ctx), bits, args, 2);
}

LLVMValueRef x87_f80_arith_mem(struct lift_ctx *lc, enum lifter_fpu_op op,
                               LLVMValueRef x, const struct x87_mem *m)
{
    /* The instruction itself, as FLD and FST m32/m64 are: LLVM would load
     * the operand with FLD and use the popping register form (two host
     * instructions); ST(0) in and out, the operand read by it. */
    static const char *const text[][2] = {
        [LIFTER_FPU_ADD] = {"fadds $1", "faddl $1"},
        [LIFTER_FPU_SUB] = {"fsubs $1", "fsubl $1"},
        [LIFTER_FPU_SUBR] = {"fsubrs $1", "fsubrl $1"},
        [LIFTER_FPU_MUL] = {"fmuls $1", "fmull $1"},
        [LIFTER_FPU_DIV] = {"fdivs $1", "fdivl $1"},
        [LIFTER_FPU_DIVR] = {"fdivrs $1", "fdivrl $1"},
    };
    if (m->kind != LIFTER_FPU_SRC_M32 && m->kind != LIFTER_FPU_SRC_M64)
        return x87_f80_arith(lc, op, x, x87_f80_operand(lc, m));
    LLVMValueRef args[2] = {lift_host_addr(lc, m->addr), x};
    return x87_asm_mem(lc, text[op][m->bits == 64],
                       "={st},*m,0,~{dirflag},~{fpsr},~{flags}", f80(lc),
                       m->bits, args, 2);
}

LLVMValueRef x87_f80_sqrt(struct lift_ctx *lc, LLVMValueRef x)
{
    return strict(lc, "llvm.experimental.constrained.sqrt.f80", f80(lc), &x,
                  1, true);
}

LLVMValueRef x87_f80_arith(struct lift_ctx *lc, enum lifter_fpu_op op,
                           LLVMValueRef x, LLVMValueRef y)
{
    static const char *const name[] = {
        [LIFTER_FPU_ADD] = "llvm.experimental.constrained.fadd.f80",
        [LIFTER_FPU_SUB] = "llvm.experimental.constrained.fsub.f80",
        [LIFTER_FPU_SUBR] = "llvm.experimental.constrained.fsub.f80",
        [LIFTER_FPU_MUL] = "llvm.experimental.constrained.fmul.f80",
        [LIFTER_FPU_DIV] = "llvm.experimental.constrained.fdiv.f80",
        [LIFTER_FPU_DIVR] = "llvm.experimental.constrained.fdiv.f80",
    };
    bool rev = op == LIFTER_FPU_SUBR || op == LIFTER_FPU_DIVR;
    LLVMValueRef args[2] = {rev ? y : x, rev ? x : y};
    return strict(lc, name[op], f80(lc), args, 2, true);
}

LLVMValueRef x87_f80_cmp(struct lift_ctx *lc, bool signaling,
                         const char *pred, LLVMValueRef x, LLVMValueRef y)
{
    LLVMValueRef args[3] = {x, y, md(lc, pred)};
    return strict(lc,
                  signaling ? "llvm.experimental.constrained.fcmps.f80"
                            : "llvm.experimental.constrained.fcmp.f80",
                  lc->i1, args, 3, false);
}

LLVMValueRef x87_f80_round(struct lift_ctx *lc, LLVMValueRef x, unsigned bits)
{
    bool f = bits == 32;
    return strict(lc,
                  f ? "llvm.experimental.constrained.fptrunc.f32.f80"
                    : "llvm.experimental.constrained.fptrunc.f64.f80",
                  f ? LLVMFloatTypeInContext(lc->ctx)
                    : LLVMDoubleTypeInContext(lc->ctx),
                  &x, 1, true);
}

LLVMValueRef x87_f80_widen(struct lift_ctx *lc, LLVMValueRef v)
{
    bool f = LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMFloatTypeKind;
    return strict(lc,
                  f ? "llvm.experimental.constrained.fpext.f80.f32"
                    : "llvm.experimental.constrained.fpext.f80.f64",
                  f80(lc), &v, 1, false);
}

LLVMValueRef x87_f80_abs(struct lift_ctx *lc, LLVMValueRef x)
{
    return lift_call(lc, "llvm.fabs.f80", f80(lc), &x, 1);
}
