/* Shifts and rotates: shl/sal shr sar rol ror rcl rcr, and the double
 * shifts shld/shrd.  One handler serves each family; the arithmetic is
 * done on the operand widened to i64, so no LLVM shift ever reaches the
 * width of its type (that would be poison).
 *
 * Where r386 differs from hardware, or picks a value the SDM leaves
 * undefined:
 * - A count is masked to 5 bits; a masked count of 0 changes no flags,
 *   but a memory operand is still read and written back (unchanged).
 * - OF for counts other than 1 (undefined) uses the count-1 formula on the
 *   result, as P6 and later Intel processors do (Bochs models the same):
 *   SHL, ROL, RCL, SHLD: CF xor MSB(result); SHR, ROR, RCR, SHRD: MSB xor
 *   MSB-1 of the result (so SHR by 2 or more gives 0); SAR: 0.
 * - AF after a shift by a nonzero count (undefined) is 0.  Rotates change
 *   only CF and OF, as the SDM says.
 * - SHL/SHR/SAR of an 8- or 16-bit operand by its width or more (CF
 *   undefined): CF is the last bit shifted out of the zero-extended
 *   (SAR: sign-extended) operand, i.e. 0 for SHL/SHR beyond the width.
 * - 8/16-bit ROL/ROR by a nonzero multiple of the width leave the value
 *   as it is but set CF and OF from it (Intel); 8/16-bit RCL/RCR rotate
 *   by count mod 9/17 and change nothing when that is 0.
 * - 16-bit SHLD/SHRD by more than 16 (undefined): the operand is shifted
 *   as the 48-bit value dst:src:dst, as P6 and later Intel processors (and
 *   QEMU) do; CF is the last bit shifted out of that value. */
#include <stdio.h>

#include "lift_internal.h"

enum shift_op { SH_SHL, SH_SHR, SH_SAR, SH_ROL, SH_ROR, SH_RCL, SH_RCR };

/* Bit n of v, as i1. */
static LLVMValueRef bit_at(struct lift_ctx *lc, LLVMValueRef v, unsigned n)
{
    unsigned w = lift_width(v);
    LLVMValueRef s = n ? LLVMBuildLShr(lc->b, v, lift_const(lc, w, n), "")
                       : v;
    return lift_trunc(lc, s, 1);
}

/* llvm.fshl/llvm.fshr on iW: (a:b) shifted by c modulo W. */
static LLVMValueRef funnel(struct lift_ctx *lc, bool left, LLVMValueRef a,
                          LLVMValueRef b, LLVMValueRef c)
{
    char name[32];
    unsigned w = lift_width(a);
    if (!lc->env || !lc->env->tail_calls) {
        /* First tier: LLVM's fast instruction selector has no funnel
         * shifts.  left: a << c | b >> (w - c); right: b >> c | a << (w -
         * c); the second shift in two steps, so that c = 0 shifts by less
         * than w. */
        LLVMBuilderRef bd = lc->b;
        LLVMValueRef m = LLVMBuildAnd(bd, lift_trunc(lc, c, w),
                                      lift_const(lc, w, w - 1), "");
        LLVMValueRef rest = LLVMBuildSub(bd, lift_const(lc, w, w - 1), m, "");
        LLVMValueRef one = lift_const(lc, w, 1);
        if (left)
            return LLVMBuildOr(
                bd, LLVMBuildShl(bd, a, m, ""),
                LLVMBuildLShr(bd, LLVMBuildLShr(bd, b, one, ""), rest, ""),
                "");
        return LLVMBuildOr(
            bd, LLVMBuildLShr(bd, b, m, ""),
            LLVMBuildShl(bd, LLVMBuildShl(bd, a, one, ""), rest, ""), "");
    }
    snprintf(name, sizeof(name), "llvm.%s.i%u", left ? "fshl" : "fshr", w);
    LLVMValueRef args[3] = {a, b, lift_trunc(lc, c, w)};
    return lift_call(lc, name, lift_int_type(lc, w), args, 3);
}

/* The count operand i, masked to 5 bits, as i64. */
static LLVMValueRef shift_count(struct lift_ctx *lc, unsigned i)
{
    LLVMValueRef c = lift_zext(lc, lift_op_get(lc, i), 64);
    return LLVMBuildAnd(lc->b, c, lift_const(lc, 64, 31), "");
}

/* Flag f = v when the count is nonzero (nz), else unchanged. */
static void flag_if(struct lift_ctx *lc, enum cpu_flag f, LLVMValueRef nz,
                    LLVMValueRef v)
{
    lift_flag_set(lc, f,
                  lift_select(lc, nz, v, lift_flag_get(lc, f)));
}

/* CF and OF always; SF ZF PF and AF=0 for shifts (not rotates). */
static void shift_flags(struct lift_ctx *lc, LLVMValueRef nz,
                        LLVMValueRef res, LLVMValueRef cf, LLVMValueRef of,
                        bool result_flags)
{
    unsigned w = lift_width(res);
    flag_if(lc, FLAG_CF, nz, cf);
    flag_if(lc, FLAG_OF, nz, of);
    if (!result_flags)
        return;
    flag_if(lc, FLAG_ZF, nz,
            LLVMBuildICmp(lc->b, LLVMIntEQ, res, lift_const(lc, w, 0), ""));
    flag_if(lc, FLAG_SF, nz, lift_msb(lc, res));
    lift_flag_set_parity(lc, res, nz);
    flag_if(lc, FLAG_AF, nz, lift_const(lc, 1, 0));
}

/* OF of the right shifts and rotates: MSB xor MSB-1 of the result. */
static LLVMValueRef of_right(struct lift_ctx *lc, LLVMValueRef res)
{
    return LLVMBuildXor(lc->b, lift_msb(lc, res),
                        bit_at(lc, res, lift_width(res) - 2), "");
}

/* RCL/RCR: rotate the (w+1)-bit value CF:x by count mod (w+1). */
static void lift_rotate_carry(struct lift_ctx *lc, bool left)
{
    LLVMBuilderRef b = lc->b;
    unsigned w = lift_op_bits(lc, 0), n = w + 1;
    LLVMValueRef x = lift_op_get(lc, 0);
    LLVMValueRef c = shift_count(lc, 1);
    if (w < 32)
        c = LLVMBuildURem(b, c, lift_const(lc, 64, n), "");
    LLVMValueRef nz = LLVMBuildICmp(b, LLVMIntNE, c, lift_const(lc, 64, 0),
                                    "");
    LLVMValueRef cf = lift_zext(lc, lift_flag_get(lc, FLAG_CF), 64);
    LLVMValueRef top = LLVMBuildShl(b, cf, lift_const(lc, 64, w), "");
    LLVMValueRef v = LLVMBuildOr(b, lift_zext(lc, x, 64), top, "");
    LLVMValueRef back = LLVMBuildSub(b, lift_const(lc, 64, n), c, "");
    LLVMValueRef r =
        left ? LLVMBuildOr(b, LLVMBuildShl(b, v, c, ""),
                           LLVMBuildLShr(b, v, back, ""), "")
             : LLVMBuildOr(b, LLVMBuildLShr(b, v, c, ""),
                           LLVMBuildShl(b, v, back, ""), "");
    LLVMValueRef res = lift_trunc(lc, r, w);
    LLVMValueRef ncf = bit_at(lc, r, w);
    lift_op_set(lc, 0, res);
    LLVMValueRef of = left ? LLVMBuildXor(b, ncf, lift_msb(lc, res), "")
                           : of_right(lc, res);
    shift_flags(lc, nz, res, ncf, of, false);
}

static void lift_shift_op(struct lift_ctx *lc, enum shift_op op)
{
    LLVMBuilderRef b = lc->b;
    if (op == SH_RCL || op == SH_RCR) {
        lift_rotate_carry(lc, op == SH_RCL);
        return;
    }
    unsigned w = lift_op_bits(lc, 0);
    LLVMValueRef x = lift_op_get(lc, 0);
    LLVMValueRef c = shift_count(lc, 1);
    LLVMValueRef nz = LLVMBuildICmp(b, LLVMIntNE, c, lift_const(lc, 64, 0),
                                    "");
    LLVMValueRef x64 = op == SH_SAR ? lift_sext(lc, x, 64)
                                    : lift_zext(lc, x, 64);
    LLVMValueRef one = lift_const(lc, 64, 1);
    LLVMValueRef res, cf, of, r;
    switch (op) {
    case SH_SHL:
        r = LLVMBuildShl(b, x64, c, "");
        res = lift_trunc(lc, r, w);
        cf = bit_at(lc, r, w);
        of = LLVMBuildXor(b, cf, lift_msb(lc, res), "");
        break;
    case SH_SHR:
        res = lift_trunc(lc, LLVMBuildLShr(b, x64, c, ""), w);
        /* The last bit out is bit c-1: shift x*2 by c (c may be 0). */
        cf = bit_at(lc, LLVMBuildLShr(b, LLVMBuildShl(b, x64, one, ""), c, ""),
                    0);
        of = of_right(lc, res);
        break;
    case SH_SAR:
        res = lift_trunc(lc, LLVMBuildAShr(b, x64, c, ""), w);
        cf = bit_at(lc, LLVMBuildAShr(b, LLVMBuildShl(b, x64, one, ""), c, ""),
                    0);
        of = lift_const(lc, 1, 0);
        break;
    case SH_ROL:
        res = funnel(lc, true, x, x, c);
        cf = bit_at(lc, res, 0);
        of = LLVMBuildXor(b, cf, lift_msb(lc, res), "");
        break;
    default: /* SH_ROR */
        res = funnel(lc, false, x, x, c);
        cf = lift_msb(lc, res);
        of = of_right(lc, res);
        break;
    }
    lift_op_set(lc, 0, res);
    shift_flags(lc, nz, res, cf, of, op == SH_SHL || op == SH_SHR ||
                                         op == SH_SAR);
}

/* SHLD/SHRD dst, src, count.  The bits shifted through are held in one
 * i64: dst:src (SHLD) or src:dst (SHRD) for 32 bits, dst:src:dst for 16
 * bits, so counts up to 31 read defined bits either way. */
static void lift_double_shift(struct lift_ctx *lc, bool left)
{
    LLVMBuilderRef b = lc->b;
    unsigned w = lift_op_bits(lc, 0);
    LLVMValueRef d = lift_zext(lc, lift_op_get(lc, 0), 64);
    LLVMValueRef s = lift_zext(lc, lift_op_get(lc, 1), 64);
    LLVMValueRef c = shift_count(lc, 2);
    LLVMValueRef nz = LLVMBuildICmp(b, LLVMIntNE, c, lift_const(lc, 64, 0),
                                    "");
    LLVMValueRef k32 = lift_const(lc, 64, 32);
    LLVMValueRef v;
    if (w == 16) {
        LLVMValueRef mid = LLVMBuildShl(b, s, lift_const(lc, 64, 16), "");
        v = LLVMBuildOr(b, LLVMBuildShl(b, d, k32, ""),
                        LLVMBuildOr(b, mid, d, ""), "");
    } else {
        v = left ? LLVMBuildOr(b, LLVMBuildShl(b, d, k32, ""), s, "")
                 : LLVMBuildOr(b, LLVMBuildShl(b, s, k32, ""), d, "");
    }
    LLVMValueRef res, cf, of;
    if (left) {
        /* The result is bits 32-c .. 32-c+w-1 of v (dst is at the top). */
        LLVMValueRef t = LLVMBuildLShr(b, v, LLVMBuildSub(b, k32, c, ""), "");
        res = lift_trunc(lc, t, w);
        cf = bit_at(lc, t, w);
        of = LLVMBuildXor(b, cf, lift_msb(lc, res), "");
    } else {
        res = lift_trunc(lc, LLVMBuildLShr(b, v, c, ""), w);
        /* Bit c-1 of v; for 32 bits the top bit lost by v*2 is never
         * needed (c <= 31). */
        LLVMValueRef v2 = LLVMBuildShl(b, v, lift_const(lc, 64, 1), "");
        cf = bit_at(lc, LLVMBuildLShr(b, v2, c, ""), 0);
        of = of_right(lc, res);
    }
    lift_op_set(lc, 0, res);
    shift_flags(lc, nz, res, cf, of, true);
}

bool lift_shift(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_SHL: lift_shift_op(lc, SH_SHL); return true;
    case ZYDIS_MNEMONIC_SHR: lift_shift_op(lc, SH_SHR); return true;
    case ZYDIS_MNEMONIC_SAR: lift_shift_op(lc, SH_SAR); return true;
    case ZYDIS_MNEMONIC_ROL: lift_shift_op(lc, SH_ROL); return true;
    case ZYDIS_MNEMONIC_ROR: lift_shift_op(lc, SH_ROR); return true;
    case ZYDIS_MNEMONIC_RCL: lift_shift_op(lc, SH_RCL); return true;
    case ZYDIS_MNEMONIC_RCR: lift_shift_op(lc, SH_RCR); return true;
    case ZYDIS_MNEMONIC_SHLD: lift_double_shift(lc, true); return true;
    case ZYDIS_MNEMONIC_SHRD: lift_double_shift(lc, false); return true;
    default: return false;
    }
}
