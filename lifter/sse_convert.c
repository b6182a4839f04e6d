/* Conversions between integers, floats and doubles, scalar and packed:
 * CVTSI2SS/SD, CVT(T)SS2SI/SD2SI, CVTSS2SD/CVTSD2SS, CVTDQ2PS/PD,
 * CVT(T)PS2DQ/PD2DQ, CVTPS2PD/CVTPD2PS, and the MMX-operand forms
 * CVTPI2PS/PD and CVT(T)PS2PI/PD2PI.
 *
 * Float-to-integer conversions without T round as MXCSR.RC says (nearest
 * even, down, up, toward zero); out-of-range values and NaNs give the
 * integer indefinite 0x80000000.  A NaN converted between float and
 * double keeps its sign and the top bits of its payload, quieted.
 *
 * Conversions that round to a float (CVTSI2SS, CVTDQ2PS, CVTPI2PS,
 * CVTSD2SS, CVTPD2PS) honour MXCSR.RC and FTZ (simd_fp_arith).
 *
 * DAZ is applied to the operands of all of them (simd_daz).
 *
 * Where r386 knowingly differs from hardware: the MXCSR exception flags
 * are never set. */
#include "simd.h"

/* Float(s) or double(s) x to i32 (vector of i32 for a vector), rounded
 * toward zero (trunc) or by MXCSR.RC. */
static LLVMValueRef to_i32(struct lift_ctx *lc, LLVMValueRef x, bool trunc)
{
    LLVMTypeRef ft = LLVMTypeOf(x);
    simd_daz(lc, &x, 1);
    LLVMValueRef r = simd_intrinsic(lc, "llvm.trunc", &x, 1);
    if (!trunc) {
        static const char *const mode[3] = {"llvm.roundeven", "llvm.floor",
                                            "llvm.ceil"};
        LLVMValueRef rc = simd_mxcsr_rc(lc);
        for (unsigned m = 3; m-- > 0;) {
            LLVMValueRef v = simd_intrinsic(lc, mode[m], &x, 1);
            LLVMValueRef is = LLVMBuildICmp(lc->b, LLVMIntEQ, rc,
                                            lift_i32(lc, m), "");
            r = LLVMBuildSelect(lc->b, is, v, r, "");
        }
    }
    /* r is integral (or NaN/inf): in range iff -2^31 <= r < 2^31. */
    LLVMValueRef lo = LLVMBuildFCmp(lc->b, LLVMRealOGE, r,
                                    simd_fconst(lc, ft, -2147483648.0), "");
    LLVMValueRef hi = LLVMBuildFCmp(lc->b, LLVMRealOLT, r,
                                    simd_fconst(lc, ft, 2147483648.0), "");
    LLVMValueRef ok = LLVMBuildAnd(lc->b, lo, hi, "");
    /* Keep fptosi's operand in range so it is never poison. */
    r = LLVMBuildSelect(lc->b, ok, r, simd_fconst(lc, ft, 0.0), "");
    LLVMTypeRef it = LLVMGetTypeKind(ft) == LLVMVectorTypeKind
                         ? LLVMVectorType(lc->i32, LLVMGetVectorSize(ft))
                         : lc->i32;
    LLVMValueRef i = LLVMBuildFPToSI(lc->b, r, it, "");
    return LLVMBuildSelect(lc->b, ok, i, simd_const(lc, it, 0x80000000u), "");
}

/* Float(s) to double(s) (to_bits 64) or back (32), NaNs as x86 does. */
static LLVMValueRef fp_convert(struct lift_ctx *lc, LLVMValueRef x,
                               unsigned to_bits)
{
    LLVMTypeRef ft = LLVMTypeOf(x), rt = simd_ftype(lc, to_bits);
    bool vec = LLVMGetTypeKind(ft) == LLVMVectorTypeKind;
    unsigned n = vec ? LLVMGetVectorSize(ft) : 1;
    if (vec)
        rt = LLVMVectorType(rt, n);
    if (to_bits == 64) /* (the host applies DAZ to FPTRUNC itself) */
        simd_daz(lc, &x, 1);
    LLVMValueRef r = to_bits == 32
                         ? simd_fp_arith(lc, SIMD_FPTRUNC, x, NULL, rt)
                         : LLVMBuildFPExt(lc->b, x, rt, "");
    /* The NaN: sign, then the payload's top bits, quiet bit set. */
    LLVMTypeRef xi = simd_int_like(lc, ft), ri = simd_int_like(lc, rt);
    LLVMValueRef bits = simd_bitcast(lc, x, xi), sign, pay, qnan;
    if (to_bits == 32) {
        sign = LLVMBuildLShr(lc->b, bits, simd_const(lc, xi, 32), "");
        pay = LLVMBuildLShr(lc->b, bits, simd_const(lc, xi, 29), "");
        sign = LLVMBuildTrunc(lc->b, sign, ri, "");
        pay = LLVMBuildTrunc(lc->b, pay, ri, "");
        sign = LLVMBuildAnd(lc->b, sign, simd_const(lc, ri, 0x80000000u), "");
        pay = LLVMBuildAnd(lc->b, pay, simd_const(lc, ri, 0x007fffff), "");
        qnan = simd_const(lc, ri, 0x7fc00000);
    } else {
        LLVMValueRef w = LLVMBuildZExt(lc->b, bits, ri, "");
        sign = LLVMBuildShl(
            lc->b, LLVMBuildAnd(lc->b, w, simd_const(lc, ri, 0x80000000u), ""),
            simd_const(lc, ri, 32), "");
        pay = LLVMBuildShl(
            lc->b, LLVMBuildAnd(lc->b, w, simd_const(lc, ri, 0x007fffff), ""),
            simd_const(lc, ri, 29), "");
        qnan = simd_const(lc, ri, 0x7ff8000000000000ull);
    }
    LLVMValueRef nan = LLVMBuildOr(lc->b, LLVMBuildOr(lc->b, sign, pay, ""),
                                   qnan, "");
    nan = simd_bitcast(lc, nan, rt);
    return LLVMBuildSelect(lc->b, simd_is_nan(lc, x), nan, r, "");
}

/* Operand i's low n elements of ebits bits (float when fp), as a vector. */
static LLVMValueRef src_vec(struct lift_ctx *lc, unsigned i, unsigned ebits,
                            unsigned n, bool fp)
{
    LLVMValueRef v = simd_op_get(lc, i, ebits * n);
    LLVMTypeRef e = fp ? simd_ftype(lc, ebits) : lift_int_type(lc, ebits);
    return simd_bitcast(lc, v, LLVMVectorType(e, n));
}

/* XMM destination: the low `bits` replaced by v, the rest kept (keep) or
 * zeroed. */
static void set_low(struct lift_ctx *lc, LLVMValueRef v, unsigned bits,
                    bool keep)
{
    LLVMValueRef lo = lift_zext(
        lc, simd_bitcast(lc, v, lift_int_type(lc, bits)), 128);
    if (keep) {
        LLVMValueRef hi = LLVMBuildAnd(
            lc->b, simd_reg_get(lc, lift_op(lc, 0)->reg.value),
            LLVMBuildShl(lc->b, LLVMConstAllOnes(simd_i128(lc)),
                         lift_const(lc, 128, bits), ""),
            "");
        lo = LLVMBuildOr(lc->b, hi, lo, "");
    }
    simd_dst_set(lc, lo);
}

/* CVTSI2SD/CVTSI2SS xmm, r/m32. */
static bool lift_cvtsi2(struct lift_ctx *lc, unsigned bits)
{
    if (!simd_op_is_xmm(lc, 0) || lift_op_bits(lc, 1) != 32)
        return false;
    LLVMValueRef i = lift_op_get(lc, 1);
    simd_scalar_set(lc, lift_op(lc, 0)->reg.value,
                    simd_fp_arith(lc, SIMD_SITOFP, i, NULL,
                                  simd_ftype(lc, bits)));
    return true;
}

/* CVT(T)SS2SI/CVT(T)SD2SI r32, xmm/m. */
static bool lift_cvt2si(struct lift_ctx *lc, unsigned bits, bool trunc)
{
    const ZydisDecodedOperand *d = lift_op(lc, 0);
    if (d->type != ZYDIS_OPERAND_TYPE_REGISTER || lift_op_bits(lc, 0) != 32)
        return false;
    lift_reg_set(lc, d->reg.value,
                 to_i32(lc, simd_scalar_get(lc, 1, bits), trunc));
    return true;
}

/* CVTSD2SS (to 32) / CVTSS2SD (to 64). */
static bool lift_cvtfp(struct lift_ctx *lc, unsigned to_bits)
{
    if (!simd_op_is_xmm(lc, 0))
        return false;
    LLVMValueRef x = simd_scalar_get(lc, 1, to_bits == 32 ? 64 : 32);
    simd_scalar_set(lc, lift_op(lc, 0)->reg.value, fp_convert(lc, x, to_bits));
    return true;
}

enum pcvt {
    DQ2PS, DQ2PD, PS2DQ, TPS2DQ, PD2DQ, TPD2DQ, PS2PD, PD2PS,
    PI2PS, PI2PD, PS2PI, TPS2PI, PD2PI, TPD2PI,
};

static bool lift_pcvt(struct lift_ctx *lc, enum pcvt k)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    switch (k) {
    case DQ2PS:
        simd_dst_set(lc, simd_fp_arith(lc, SIMD_SITOFP,
                                       src_vec(lc, 1, 32, 4, false), NULL,
                                       simd_fvec(lc, 32, 128)));
        break;
    case DQ2PD: case PI2PD:
        simd_dst_set(lc, LLVMBuildSIToFP(lc->b, src_vec(lc, 1, 32, 2, false),
                                         simd_fvec(lc, 64, 128), ""));
        break;
    case PI2PS:
        set_low(lc, simd_fp_arith(lc, SIMD_SITOFP,
                                  src_vec(lc, 1, 32, 2, false), NULL,
                                  simd_fvec(lc, 32, 64)),
                64, true);
        break;
    case PS2DQ: case TPS2DQ:
        simd_dst_set(lc, to_i32(lc, src_vec(lc, 1, 32, 4, true), k == TPS2DQ));
        break;
    case PD2DQ: case TPD2DQ:
        set_low(lc, to_i32(lc, src_vec(lc, 1, 64, 2, true), k == TPD2DQ), 64,
                false);
        break;
    case PS2PI: case TPS2PI: /* mm destination */
        simd_dst_set(lc, to_i32(lc, src_vec(lc, 1, 32, 2, true), k == TPS2PI));
        break;
    case PD2PI: case TPD2PI:
        simd_dst_set(lc, to_i32(lc, src_vec(lc, 1, 64, 2, true), k == TPD2PI));
        break;
    case PS2PD:
        simd_dst_set(lc, fp_convert(lc, src_vec(lc, 1, 32, 2, true), 64));
        break;
    case PD2PS:
        set_low(lc, fp_convert(lc, src_vec(lc, 1, 64, 2, true), 32), 64,
                false);
        break;
    }
    return true;
}

bool lift_sse_convert(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_CVTSI2SD: return lift_cvtsi2(lc, 64);
    case ZYDIS_MNEMONIC_CVTSI2SS: return lift_cvtsi2(lc, 32);
    case ZYDIS_MNEMONIC_CVTTSD2SI: return lift_cvt2si(lc, 64, true);
    case ZYDIS_MNEMONIC_CVTTSS2SI: return lift_cvt2si(lc, 32, true);
    case ZYDIS_MNEMONIC_CVTSD2SI: return lift_cvt2si(lc, 64, false);
    case ZYDIS_MNEMONIC_CVTSS2SI: return lift_cvt2si(lc, 32, false);
    case ZYDIS_MNEMONIC_CVTSD2SS: return lift_cvtfp(lc, 32);
    case ZYDIS_MNEMONIC_CVTSS2SD: return lift_cvtfp(lc, 64);
    case ZYDIS_MNEMONIC_CVTDQ2PS: return lift_pcvt(lc, DQ2PS);
    case ZYDIS_MNEMONIC_CVTDQ2PD: return lift_pcvt(lc, DQ2PD);
    case ZYDIS_MNEMONIC_CVTPS2DQ: return lift_pcvt(lc, PS2DQ);
    case ZYDIS_MNEMONIC_CVTTPS2DQ: return lift_pcvt(lc, TPS2DQ);
    case ZYDIS_MNEMONIC_CVTPD2DQ: return lift_pcvt(lc, PD2DQ);
    case ZYDIS_MNEMONIC_CVTTPD2DQ: return lift_pcvt(lc, TPD2DQ);
    case ZYDIS_MNEMONIC_CVTPS2PD: return lift_pcvt(lc, PS2PD);
    case ZYDIS_MNEMONIC_CVTPD2PS: return lift_pcvt(lc, PD2PS);
    case ZYDIS_MNEMONIC_CVTPI2PS: return lift_pcvt(lc, PI2PS);
    case ZYDIS_MNEMONIC_CVTPI2PD: return lift_pcvt(lc, PI2PD);
    case ZYDIS_MNEMONIC_CVTPS2PI: return lift_pcvt(lc, PS2PI);
    case ZYDIS_MNEMONIC_CVTTPS2PI: return lift_pcvt(lc, TPS2PI);
    case ZYDIS_MNEMONIC_CVTPD2PI: return lift_pcvt(lc, PD2PI);
    case ZYDIS_MNEMONIC_CVTTPD2PI: return lift_pcvt(lc, TPD2PI);
    default: return false;
    }
}
