/* Shuffles, packs, unpacks, element extraction and insertion, and sign
 * masks on XMM and MMX registers: PSHUFD/PSHUFLW/PSHUFHW/PSHUFW,
 * PUNPCK*, UNPCKL/HPS/PD, SHUFPS/SHUFPD, PACKSSWB/PACKSSDW/PACKUSWB,
 * PMOVMSKB, MOVMSKPS/PD, PEXTRW/PINSRW, and from SSE3/SSSE3 MOVDDUP, MOVSHDUP,
 * MOVSLDUP, PSHUFB and PALIGNR.  Each handler serves both widths where
 * the instruction has both (simd.h).
 *
 * These are exact bit moves: no known difference from hardware. */
#include "simd.h"

static unsigned imm8(struct lift_ctx *lc, unsigned i)
{
    return (unsigned)lift_op(lc, i)->imm.value.u & 0xff;
}

static LLVMValueRef dst_vec(struct lift_ctx *lc, LLVMTypeRef vt)
{
    return simd_bitcast(lc, simd_reg_get(lc, lift_op(lc, 0)->reg.value), vt);
}

/* PSHUFD (32-bit elements, all four), PSHUFW (16-bit, mm), PSHUFLW and
 * PSHUFHW (16-bit, the low or high four; the other half copied):
 * dst = src's elements chosen by imm8. */
static bool lift_pshuf(struct lift_ctx *lc, unsigned ebits, unsigned first)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    unsigned w = simd_width(lc), n = w / ebits, imm = imm8(lc, 2), idx[8];
    for (unsigned i = 0; i < n; i++)
        idx[i] = i;
    for (unsigned i = 0; i < 4; i++)
        idx[first + i] = first + ((imm >> (2 * i)) & 3);
    LLVMTypeRef vt = simd_vec(lc, ebits, w);
    LLVMValueRef v = simd_bitcast(lc, simd_op_get(lc, 1, w), vt);
    simd_dst_set(lc, simd_shuffle(lc, v, v, idx, n));
    return true;
}

/* PUNPCKL/H*, UNPCKL/HPS/PD: interleave the low (high) halves of dst and
 * src. */
static bool lift_punpck(struct lift_ctx *lc, unsigned ebits, bool high)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    unsigned w = simd_width(lc), n = w / ebits, base = high ? n / 2 : 0;
    unsigned idx[16];
    for (unsigned i = 0; i < n / 2; i++) {
        idx[2 * i] = base + i;
        idx[2 * i + 1] = n + base + i;
    }
    LLVMTypeRef vt = simd_vec(lc, ebits, w);
    LLVMValueRef a = dst_vec(lc, vt);
    LLVMValueRef b = simd_bitcast(lc, simd_op_get(lc, 1, w), vt);
    simd_dst_set(lc, simd_shuffle(lc, a, b, idx, n));
    return true;
}

/* SHUFPS (32-bit: two of dst's then two of src's) and SHUFPD (64-bit:
 * one of each), chosen by imm8. */
static bool lift_shufp(struct lift_ctx *lc, unsigned ebits)
{
    if (!simd_op_is_xmm(lc, 0))
        return false;
    unsigned imm = imm8(lc, 2), idx[4], n = 128 / ebits;
    if (ebits == 32) {
        for (unsigned i = 0; i < 4; i++)
            idx[i] = ((imm >> (2 * i)) & 3) + (i >= 2 ? 4 : 0);
    } else {
        idx[0] = imm & 1;
        idx[1] = 2 + ((imm >> 1) & 1);
    }
    LLVMTypeRef vt = simd_vec(lc, ebits, 128);
    LLVMValueRef a = dst_vec(lc, vt);
    LLVMValueRef b = simd_bitcast(lc, simd_op_get(lc, 1, 128), vt);
    simd_dst_set(lc, simd_shuffle(lc, a, b, idx, n));
    return true;
}

/* PACKSSWB/PACKUSWB (ebits 16) and PACKSSDW (32): dst's elements then
 * src's, each saturated to half width (signed or unsigned). */
static bool lift_pack(struct lift_ctx *lc, unsigned ebits, bool usat)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    unsigned w = simd_width(lc), n = w / ebits, idx[16];
    LLVMTypeRef vt = simd_vec(lc, ebits, w);
    for (unsigned i = 0; i < 2 * n; i++)
        idx[i] = i;
    LLVMValueRef a = dst_vec(lc, vt);
    LLVMValueRef b = simd_bitcast(lc, simd_op_get(lc, 1, w), vt);
    LLVMValueRef v = simd_shuffle(lc, a, b, idx, 2 * n);
    LLVMTypeRef t2 = LLVMTypeOf(v);
    unsigned h = ebits / 2;
    int64_t lo = usat ? 0 : -(1ll << (h - 1));
    int64_t hi = usat ? (1ll << h) - 1 : (1ll << (h - 1)) - 1;
    LLVMValueRef vlo = simd_const(lc, t2, (uint64_t)lo);
    LLVMValueRef vhi = simd_const(lc, t2, (uint64_t)hi);
    LLVMValueRef args[2] = {v, vlo};
    v = simd_intrinsic(lc, "llvm.smax", args, 2);
    args[0] = v;
    args[1] = vhi;
    v = simd_intrinsic(lc, "llvm.smin", args, 2);
    simd_dst_set(lc, LLVMBuildTrunc(lc->b, v, simd_vec(lc, h, w), ""));
    return true;
}

/* PMOVMSKB (8-bit elements, xmm or mm), MOVMSKPS (32), MOVMSKPD (64):
 * r32 = the elements' sign bits. */
static bool lift_movmsk(struct lift_ctx *lc, unsigned ebits)
{
    if (!simd_op_is_vec(lc, 1))
        return false;
    unsigned w = simd_width(lc), n = w / ebits;
    LLVMTypeRef vt = simd_vec(lc, ebits, w);
    LLVMValueRef v = simd_bitcast(lc, simd_op_get(lc, 1, w), vt);
    LLVMValueRef neg = LLVMBuildICmp(lc->b, LLVMIntSLT, v,
                                     LLVMConstNull(vt), "");
    LLVMValueRef m = LLVMBuildBitCast(lc->b, neg, lift_int_type(lc, n), "");
    lift_reg_set(lc, lift_op(lc, 0)->reg.value, lift_zext(lc, m, 32));
    return true;
}

/* PEXTRW r32, xmm/mm, imm8. */
static bool lift_pextrw(struct lift_ctx *lc)
{
    if (!simd_op_is_vec(lc, 1) ||
        lift_op(lc, 0)->type != ZYDIS_OPERAND_TYPE_REGISTER)
        return false;
    unsigned w = simd_width(lc), n = w / 16;
    LLVMValueRef v = simd_bitcast(lc, simd_op_get(lc, 1, w),
                                  simd_vec(lc, 16, w));
    LLVMValueRef e = LLVMBuildExtractElement(
        lc->b, v, lift_i32(lc, imm8(lc, 2) & (n - 1)), "");
    lift_reg_set(lc, lift_op(lc, 0)->reg.value, lift_zext(lc, e, 32));
    return true;
}

/* PINSRW xmm/mm, r32/m16, imm8. */
static bool lift_pinsrw(struct lift_ctx *lc)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    unsigned w = simd_width(lc), n = w / 16;
    LLVMValueRef e = lift_resize(lc, lift_op_get(lc, 1), 16);
    LLVMValueRef v = dst_vec(lc, simd_vec(lc, 16, w));
    LLVMValueRef k = lift_i32(lc, imm8(lc, 2) & (n - 1));
    simd_dst_set(lc, LLVMBuildInsertElement(lc->b, v, e, k, ""));
    return true;
}

/* MOVDDUP (64-bit: low, low), MOVSLDUP (32-bit: 0 0 2 2), MOVSHDUP
 * (1 1 3 3); MOVDDUP's memory operand is 64 bits. */
static bool lift_dup(struct lift_ctx *lc, unsigned ebits, unsigned odd)
{
    if (!simd_op_is_xmm(lc, 0))
        return false;
    unsigned n = 128 / ebits, idx[4];
    for (unsigned i = 0; i < n; i++)
        idx[i] = (i & ~1u) + odd;
    LLVMTypeRef vt = simd_vec(lc, ebits, 128);
    LLVMValueRef v = simd_bitcast(lc, simd_op_get(lc, 1, 128), vt);
    simd_dst_set(lc, simd_shuffle(lc, v, v, idx, n));
    return true;
}

/* PSHUFB: byte i of dst = 0 if src byte i has its top bit set, else dst's
 * byte (src byte i mod n). */
static bool lift_pshufb(struct lift_ctx *lc)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    unsigned w = simd_width(lc), n = w / 8;
    LLVMTypeRef vt = simd_vec(lc, 8, w);
    LLVMValueRef a = dst_vec(lc, vt);
    LLVMValueRef b = simd_bitcast(lc, simd_op_get(lc, 1, w), vt);
    LLVMValueRef r = LLVMConstNull(vt);
    for (unsigned i = 0; i < n; i++) {
        LLVMValueRef s =
            LLVMBuildExtractElement(lc->b, b, lift_i32(lc, i), "");
        LLVMValueRef k = LLVMBuildAnd(lc->b, s, lift_const(lc, 8, n - 1), "");
        LLVMValueRef e = LLVMBuildExtractElement(lc->b, a, k, "");
        LLVMValueRef neg = LLVMBuildICmp(lc->b, LLVMIntSLT, s,
                                         lift_const(lc, 8, 0), "");
        e = LLVMBuildSelect(lc->b, neg, lift_const(lc, 8, 0), e, "");
        r = LLVMBuildInsertElement(lc->b, r, e, lift_i32(lc, i), "");
    }
    simd_dst_set(lc, r);
    return true;
}

/* PALIGNR: dst = the low half of (dst:src) >> (imm8 bytes). */
static bool lift_palignr(struct lift_ctx *lc)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    unsigned w = simd_width(lc), sh = imm8(lc, 2) * 8;
    LLVMValueRef r;
    if (sh >= 2 * w) {
        r = lift_const(lc, w, 0);
    } else {
        LLVMValueRef hi = lift_zext(
            lc, simd_reg_get(lc, lift_op(lc, 0)->reg.value), 2 * w);
        LLVMValueRef lo = lift_zext(lc, simd_op_get(lc, 1, w), 2 * w);
        LLVMValueRef v = LLVMBuildOr(
            lc->b, LLVMBuildShl(lc->b, hi, lift_const(lc, 2 * w, w), ""), lo,
            "");
        v = LLVMBuildLShr(lc->b, v, lift_const(lc, 2 * w, sh), "");
        r = lift_trunc(lc, v, w);
    }
    simd_dst_set(lc, r);
    return true;
}

bool lift_sse_shuffle(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_PSHUFD: return lift_pshuf(lc, 32, 0);
    case ZYDIS_MNEMONIC_PSHUFW: return lift_pshuf(lc, 16, 0);
    case ZYDIS_MNEMONIC_PSHUFLW: return lift_pshuf(lc, 16, 0);
    case ZYDIS_MNEMONIC_PSHUFHW: return lift_pshuf(lc, 16, 4);
    case ZYDIS_MNEMONIC_PUNPCKLBW: return lift_punpck(lc, 8, false);
    case ZYDIS_MNEMONIC_PUNPCKLWD: return lift_punpck(lc, 16, false);
    case ZYDIS_MNEMONIC_PUNPCKLDQ: case ZYDIS_MNEMONIC_UNPCKLPS:
        return lift_punpck(lc, 32, false);
    case ZYDIS_MNEMONIC_PUNPCKLQDQ: case ZYDIS_MNEMONIC_UNPCKLPD:
        return lift_punpck(lc, 64, false);
    case ZYDIS_MNEMONIC_PUNPCKHBW: return lift_punpck(lc, 8, true);
    case ZYDIS_MNEMONIC_PUNPCKHWD: return lift_punpck(lc, 16, true);
    case ZYDIS_MNEMONIC_PUNPCKHDQ: case ZYDIS_MNEMONIC_UNPCKHPS:
        return lift_punpck(lc, 32, true);
    case ZYDIS_MNEMONIC_PUNPCKHQDQ: case ZYDIS_MNEMONIC_UNPCKHPD:
        return lift_punpck(lc, 64, true);
    case ZYDIS_MNEMONIC_SHUFPS: return lift_shufp(lc, 32);
    case ZYDIS_MNEMONIC_SHUFPD: return lift_shufp(lc, 64);
    case ZYDIS_MNEMONIC_PACKSSWB: return lift_pack(lc, 16, false);
    case ZYDIS_MNEMONIC_PACKUSWB: return lift_pack(lc, 16, true);
    case ZYDIS_MNEMONIC_PACKSSDW: return lift_pack(lc, 32, false);
    case ZYDIS_MNEMONIC_PMOVMSKB: return lift_movmsk(lc, 8);
    case ZYDIS_MNEMONIC_MOVMSKPS: return lift_movmsk(lc, 32);
    case ZYDIS_MNEMONIC_MOVMSKPD: return lift_movmsk(lc, 64);
    case ZYDIS_MNEMONIC_PEXTRW: return lift_pextrw(lc);
    case ZYDIS_MNEMONIC_PINSRW: return lift_pinsrw(lc);
    case ZYDIS_MNEMONIC_MOVDDUP: return lift_dup(lc, 64, 0);
    case ZYDIS_MNEMONIC_MOVSLDUP: return lift_dup(lc, 32, 0);
    case ZYDIS_MNEMONIC_MOVSHDUP: return lift_dup(lc, 32, 1);
    case ZYDIS_MNEMONIC_PSHUFB: return lift_pshufb(lc);
    case ZYDIS_MNEMONIC_PALIGNR: return lift_palignr(lc);
    default: return false;
    }
}
