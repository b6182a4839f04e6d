/* Multiplication and division: mul, imul (one, two and three operands),
 * div, idiv.  Products and dividends are formed at twice the operand
 * width, so every case is one LLVM multiply or divide.
 *
 * Divide errors (#DE: a zero divisor, or a quotient that does not fit the
 * operand) leave the unit with CPU_EXIT_DIVIDE at the instruction, before
 * any register changes.  The LLVM division itself always runs with a
 * divisor that cannot trap (1 in the failing case), so it is never
 * undefined behaviour, whatever LLVM does with the branch.
 *
 * Where r386 picks a value the SDM leaves undefined:
 * - after MUL and IMUL, SF, ZF and PF follow the low half of the product
 *   (the destination for the 2- and 3-operand forms) and AF is 0, as
 *   Bochs and QEMU give;
 * - DIV and IDIV leave every flag unchanged. */
#include "lift_internal.h"

static LLVMValueRef extend(struct lift_ctx *lc, bool sign, LLVMValueRef v,
                           unsigned bits)
{
    return sign ? lift_sext(lc, v, bits) : lift_zext(lc, v, bits);
}

/* CF = OF = the product did not fit in lo; SF ZF PF from lo; AF = 0. */
static void mul_flags(struct lift_ctx *lc, LLVMValueRef wide,
                      LLVMValueRef lo)
{
    lift_flag_set(lc, FLAG_CF, wide);
    lift_flag_set(lc, FLAG_OF, wide);
    lift_flag_set(lc, FLAG_AF, lift_const(lc, 1, 0));
    lift_flags_result(lc, lo);
}

/* MUL/IMUL r/m: AX = AL * src, DX:AX = AX * src, EDX:EAX = EAX * src. */
static void lift_mul_acc(struct lift_ctx *lc, bool sign)
{
    LLVMBuilderRef b = lc->b;
    unsigned w = lift_op_bits(lc, 0), w2 = 2 * w;
    LLVMValueRef src = lift_op_get(lc, 0);
    LLVMValueRef a = lift_gpr_get_w(lc, REG_EAX, w);
    LLVMValueRef prod = LLVMBuildMul(b, extend(lc, sign, a, w2),
                                     extend(lc, sign, src, w2), "");
    LLVMValueRef lo = lift_trunc(lc, prod, w);
    LLVMValueRef hi = lift_trunc(
        lc, LLVMBuildLShr(b, prod, lift_const(lc, w2, w), ""), w);
    if (w == 8) {
        lift_gpr_set_w(lc, REG_EAX, 16, prod);
    } else {
        lift_gpr_set_w(lc, REG_EAX, w, lo);
        lift_gpr_set_w(lc, REG_EDX, w, hi);
    }
    LLVMValueRef wide =
        sign ? LLVMBuildICmp(b, LLVMIntNE, prod, lift_sext(lc, lo, w2), "")
             : LLVMBuildICmp(b, LLVMIntNE, hi, lift_const(lc, w, 0), "");
    mul_flags(lc, wide, lo);
}

/* IMUL r, r/m and IMUL r, r/m, imm: the product truncated to r. */
static void lift_imul_trunc(struct lift_ctx *lc)
{
    LLVMBuilderRef b = lc->b;
    unsigned w = lift_op_bits(lc, 0), w2 = 2 * w;
    LLVMValueRef x, y;
    if (lc->insn->operand_count_visible == 2) {
        x = lift_op_get(lc, 0);
        y = lift_op_get(lc, 1);
    } else {
        x = lift_op_get(lc, 1);
        /* Zydis gives the immediate sign-extended to 64 bits. */
        uint64_t imm = lift_op(lc, 2)->imm.value.u;
        y = lift_const(lc, w, imm & (~0ull >> (64 - w)));
    }
    LLVMValueRef prod = LLVMBuildMul(b, lift_sext(lc, x, w2),
                                     lift_sext(lc, y, w2), "");
    LLVMValueRef res = lift_trunc(lc, prod, w);
    lift_op_set(lc, 0, res);
    mul_flags(lc, LLVMBuildICmp(b, LLVMIntNE, prod, lift_sext(lc, res, w2),
                                ""),
              res);
}

/* DIV/IDIV r/m: AX / src -> AL, AH; DX:AX -> AX, DX; EDX:EAX -> EAX, EDX. */
static void lift_div(struct lift_ctx *lc, bool sign)
{
    LLVMBuilderRef b = lc->b;
    unsigned w = lift_op_bits(lc, 0), w2 = 2 * w;
    LLVMValueRef d = lift_op_get(lc, 0);
    LLVMValueRef n;
    if (w == 8) {
        n = lift_gpr_get_w(lc, REG_EAX, 16);
    } else {
        LLVMValueRef hi = lift_zext(lc, lift_gpr_get_w(lc, REG_EDX, w), w2);
        LLVMValueRef lo = lift_zext(lc, lift_gpr_get_w(lc, REG_EAX, w), w2);
        n = LLVMBuildOr(b, LLVMBuildShl(b, hi, lift_const(lc, w2, w), ""), lo,
                        "");
    }
    LLVMValueRef d2 = extend(lc, sign, d, w2);
    LLVMValueRef one = lift_const(lc, w2, 1);
    LLVMValueRef bad, q, r;
    if (!sign) {
        /* The quotient fits in w bits iff the high half is below d (which
         * also rules out d == 0). */
        LLVMValueRef hi = lift_trunc(
            lc, LLVMBuildLShr(b, n, lift_const(lc, w2, w), ""), w);
        bad = LLVMBuildICmp(b, LLVMIntUGE, hi, d, "");
        LLVMValueRef safe = LLVMBuildSelect(b, bad, one, d2, "");
        q = LLVMBuildUDiv(b, n, safe, "");
        r = LLVMBuildURem(b, n, safe, "");
    } else {
        /* Divide at 2w bits with a divisor that cannot trap there (not 0,
         * not -1 under the most negative dividend), then check the
         * quotient fits in w bits. */
        LLVMValueRef zero = LLVMBuildICmp(b, LLVMIntEQ, d2,
                                          lift_const(lc, w2, 0), "");
        LLVMValueRef ones = lift_const(lc, w2, ~0ull >> (64 - w2));
        LLVMValueRef minus1 = LLVMBuildICmp(b, LLVMIntEQ, d2, ones, "");
        LLVMValueRef nmin = LLVMBuildICmp(
            b, LLVMIntEQ, n, lift_const(lc, w2, 1ull << (w2 - 1)), "");
        LLVMValueRef trap =
            LLVMBuildOr(b, zero, LLVMBuildAnd(b, minus1, nmin, ""), "");
        LLVMValueRef safe = LLVMBuildSelect(b, trap, one, d2, "");
        q = LLVMBuildSDiv(b, n, safe, "");
        r = LLVMBuildSRem(b, n, safe, "");
        LLVMValueRef fits = LLVMBuildICmp(
            b, LLVMIntEQ, q, lift_sext(lc, lift_trunc(lc, q, w), w2), "");
        bad = LLVMBuildOr(b, trap, LLVMBuildNot(b, fits, ""), "");
    }
    lift_exit_if(lc, bad, CPU_EXIT_DIVIDE, lc->pc);
    LLVMValueRef qw = lift_trunc(lc, q, w), rw = lift_trunc(lc, r, w);
    if (w == 8) {
        lift_gpr_set_w(lc, REG_EAX, 8, qw);
        lift_gpr_set_w(lc, 4 /* AH */, 8, rw);
    } else {
        lift_gpr_set_w(lc, REG_EAX, w, qw);
        lift_gpr_set_w(lc, REG_EDX, w, rw);
    }
}

bool lift_muldiv(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_MUL:
        lift_mul_acc(lc, false);
        return true;
    case ZYDIS_MNEMONIC_IMUL:
        if (lc->insn->operand_count_visible == 1)
            lift_mul_acc(lc, true);
        else
            lift_imul_trunc(lc);
        return true;
    case ZYDIS_MNEMONIC_DIV:
        lift_div(lc, false);
        return true;
    case ZYDIS_MNEMONIC_IDIV:
        lift_div(lc, true);
        return true;
    default:
        return false;
    }
}
