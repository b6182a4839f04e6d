/* Integer vector operations on XMM (SSE2) and MMX registers: logic,
 * add/subtract (wrapping and saturating), compares, multiplies, averages,
 * sums of absolute differences, minimum/maximum, shifts, masked stores,
 * and the SSSE3 integer operations (PABS, PSIGN, PMULHRSW, PMADDUBSW,
 * PHADD/PHSUB).  Each handler serves both widths (simd.h).
 *
 * Where r386 knowingly differs from hardware: MASKMOVDQU/MASKMOVQ write
 * the selected bytes with ordinary (not non-temporal) stores; a fault on
 * one of them is reported like any other store fault, at the unit's pc. */
#include "simd.h"

enum iop {
    I_AND, I_ANDN, I_OR, I_XOR, I_ADD, I_SUB, I_ADDS, I_ADDUS, I_SUBS,
    I_SUBUS, I_CMPEQ, I_CMPGT, I_MULL, I_MULH, I_MULHU, I_MULUDQ, I_MADDWD,
    I_AVG, I_SAD, I_MINU, I_MAXU, I_MINS, I_MAXS, I_SIGN, I_MULHRS,
    I_MADDUBS, I_HADD, I_HADDS, I_HSUB, I_HSUBS,
};

static LLVMValueRef ext(struct lift_ctx *lc, LLVMValueRef v, unsigned bits,
                        bool sign)
{
    LLVMTypeRef t = LLVMVectorType(lift_int_type(lc, bits),
                                   LLVMGetVectorSize(LLVMTypeOf(v)));
    return sign ? LLVMBuildSExt(lc->b, v, t, "")
                : LLVMBuildZExt(lc->b, v, t, "");
}

static LLVMValueRef trunc_to(struct lift_ctx *lc, LLVMValueRef v,
                             unsigned bits)
{
    LLVMTypeRef t = LLVMVectorType(lift_int_type(lc, bits),
                                   LLVMGetVectorSize(LLVMTypeOf(v)));
    return LLVMBuildTrunc(lc->b, v, t, "");
}

static LLVMValueRef call2(struct lift_ctx *lc, const char *name,
                          LLVMValueRef a, LLVMValueRef b)
{
    LLVMValueRef args[2] = {a, b};
    return simd_intrinsic(lc, name, args, 2);
}

/* The even (odd = 1) elements of a then those of b. */
static LLVMValueRef pick(struct lift_ctx *lc, LLVMValueRef a, LLVMValueRef b,
                         unsigned odd)
{
    unsigned n = LLVMGetVectorSize(LLVMTypeOf(a)), idx[32];
    for (unsigned i = 0; i < n; i++)
        idx[i] = 2 * i + odd;
    return simd_shuffle(lc, a, b, idx, n);
}

/* The even (odd = 1) elements of a alone. */
static LLVMValueRef half(struct lift_ctx *lc, LLVMValueRef a, unsigned odd)
{
    unsigned n = LLVMGetVectorSize(LLVMTypeOf(a)) / 2, idx[16];
    for (unsigned i = 0; i < n; i++)
        idx[i] = 2 * i + odd;
    return simd_shuffle(lc, a, a, idx, n);
}

/* (a * b) >> ebits, signed or unsigned, per element. */
static LLVMValueRef mulhigh(struct lift_ctx *lc, LLVMValueRef a,
                            LLVMValueRef b, unsigned ebits, bool sign)
{
    LLVMValueRef p = LLVMBuildMul(lc->b, ext(lc, a, 2 * ebits, sign),
                                  ext(lc, b, 2 * ebits, sign), "");
    p = LLVMBuildLShr(lc->b, p, simd_const(lc, LLVMTypeOf(p), ebits), "");
    return trunc_to(lc, p, ebits);
}

/* PSADBW: per 64-bit lane, the sum of the 8 absolute byte differences. */
static LLVMValueRef sad(struct lift_ctx *lc, LLVMValueRef a, LLVMValueRef b)
{
    unsigned n = LLVMGetVectorSize(LLVMTypeOf(a)), idx[8];
    LLVMValueRef wa = ext(lc, a, 16, false), wb = ext(lc, b, 16, false);
    LLVMValueRef d1 = LLVMBuildSub(lc->b, wa, wb, "");
    LLVMValueRef d2 = LLVMBuildSub(lc->b, wb, wa, "");
    LLVMValueRef d = LLVMBuildSelect(
        lc->b, LLVMBuildICmp(lc->b, LLVMIntUGT, wa, wb, ""), d1, d2, "");
    LLVMTypeRef rt = LLVMVectorType(lc->i64, n / 8);
    LLVMValueRef r = LLVMConstNull(rt);
    for (unsigned l = 0; l < n / 8; l++) {
        for (unsigned i = 0; i < 8; i++)
            idx[i] = 8 * l + i;
        LLVMValueRef part = simd_shuffle(lc, d, d, idx, 8);
        LLVMValueRef s =
            simd_intrinsic(lc, "llvm.vector.reduce.add", &part, 1);
        r = LLVMBuildInsertElement(lc->b, r, lift_zext(lc, s, 64),
                                   lift_i32(lc, l), "");
    }
    return r;
}

static LLVMValueRef int_op(struct lift_ctx *lc, enum iop op, unsigned ebits,
                           LLVMValueRef a, LLVMValueRef b)
{
    LLVMTypeRef vt = LLVMTypeOf(a);
    LLVMValueRef zero = LLVMConstNull(vt);
    switch (op) {
    case I_AND: return LLVMBuildAnd(lc->b, a, b, "");
    case I_ANDN: return LLVMBuildAnd(lc->b, LLVMBuildNot(lc->b, a, ""), b, "");
    case I_OR: return LLVMBuildOr(lc->b, a, b, "");
    case I_XOR: return LLVMBuildXor(lc->b, a, b, "");
    case I_ADD: return LLVMBuildAdd(lc->b, a, b, "");
    case I_SUB: return LLVMBuildSub(lc->b, a, b, "");
    case I_ADDS: return call2(lc, "llvm.sadd.sat", a, b);
    case I_ADDUS: return call2(lc, "llvm.uadd.sat", a, b);
    case I_SUBS: return call2(lc, "llvm.ssub.sat", a, b);
    case I_SUBUS: return call2(lc, "llvm.usub.sat", a, b);
    case I_CMPEQ:
        return LLVMBuildSExt(lc->b, LLVMBuildICmp(lc->b, LLVMIntEQ, a, b, ""),
                             vt, "");
    case I_CMPGT:
        return LLVMBuildSExt(lc->b, LLVMBuildICmp(lc->b, LLVMIntSGT, a, b, ""),
                             vt, "");
    case I_MULL: return LLVMBuildMul(lc->b, a, b, "");
    case I_MULH: return mulhigh(lc, a, b, ebits, true);
    case I_MULHU: return mulhigh(lc, a, b, ebits, false);
    case I_MULUDQ: { /* vt: <n x i64>; the low 32 bits of each */
        LLVMValueRef m = simd_const(lc, vt, 0xffffffffu);
        return LLVMBuildMul(lc->b, LLVMBuildAnd(lc->b, a, m, ""),
                            LLVMBuildAnd(lc->b, b, m, ""), "");
    }
    case I_MADDWD: {
        LLVMValueRef p = LLVMBuildMul(lc->b, ext(lc, a, 32, true),
                                      ext(lc, b, 32, true), "");
        return LLVMBuildAdd(lc->b, half(lc, p, 0), half(lc, p, 1), "");
    }
    case I_AVG: {
        LLVMValueRef s = LLVMBuildAdd(lc->b, ext(lc, a, 2 * ebits, false),
                                      ext(lc, b, 2 * ebits, false), "");
        LLVMTypeRef wt = LLVMTypeOf(s);
        s = LLVMBuildAdd(lc->b, s, simd_const(lc, wt, 1), "");
        s = LLVMBuildLShr(lc->b, s, simd_const(lc, wt, 1), "");
        return trunc_to(lc, s, ebits);
    }
    case I_SAD: return sad(lc, a, b);
    case I_MINU: return call2(lc, "llvm.umin", a, b);
    case I_MAXU: return call2(lc, "llvm.umax", a, b);
    case I_MINS: return call2(lc, "llvm.smin", a, b);
    case I_MAXS: return call2(lc, "llvm.smax", a, b);
    case I_SIGN: {
        LLVMValueRef neg = LLVMBuildICmp(lc->b, LLVMIntSLT, b, zero, "");
        LLVMValueRef z = LLVMBuildICmp(lc->b, LLVMIntEQ, b, zero, "");
        LLVMValueRef r = LLVMBuildSelect(lc->b, neg,
                                         LLVMBuildNeg(lc->b, a, ""), a, "");
        return LLVMBuildSelect(lc->b, z, zero, r, "");
    }
    case I_MULHRS: { /* ((a * b >> 14) + 1) >> 1 */
        LLVMValueRef p = LLVMBuildMul(lc->b, ext(lc, a, 32, true),
                                      ext(lc, b, 32, true), "");
        LLVMTypeRef wt = LLVMTypeOf(p);
        p = LLVMBuildAShr(lc->b, p, simd_const(lc, wt, 14), "");
        p = LLVMBuildAdd(lc->b, p, simd_const(lc, wt, 1), "");
        p = LLVMBuildAShr(lc->b, p, simd_const(lc, wt, 1), "");
        return trunc_to(lc, p, 16);
    }
    case I_MADDUBS: { /* a: unsigned bytes, b: signed bytes */
        LLVMValueRef p = LLVMBuildMul(lc->b, ext(lc, a, 16, false),
                                      ext(lc, b, 16, true), "");
        return call2(lc, "llvm.sadd.sat", half(lc, p, 0), half(lc, p, 1));
    }
    case I_HADD: case I_HADDS: case I_HSUB: case I_HSUBS: {
        LLVMValueRef e = pick(lc, a, b, 0), o = pick(lc, a, b, 1);
        if (op == I_HADD)
            return LLVMBuildAdd(lc->b, e, o, "");
        if (op == I_HSUB)
            return LLVMBuildSub(lc->b, e, o, "");
        return call2(lc, op == I_HADDS ? "llvm.sadd.sat" : "llvm.ssub.sat",
                     e, o);
    }
    }
    return NULL;
}

/* dst = dst OP src on vectors of ebits-bit elements. */
static bool lift_iop(struct lift_ctx *lc, enum iop op, unsigned ebits)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    unsigned w = simd_width(lc);
    LLVMTypeRef vt = simd_vec(lc, ebits, w);
    LLVMValueRef a = simd_bitcast(
        lc, simd_reg_get(lc, lift_op(lc, 0)->reg.value), vt);
    LLVMValueRef b = simd_bitcast(lc, simd_op_get(lc, 1, w), vt);
    simd_dst_set(lc, int_op(lc, op, ebits, a, b));
    return true;
}

/* PABSB/W/D: dst = |src|. */
static bool lift_pabs(struct lift_ctx *lc, unsigned ebits)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    unsigned w = simd_width(lc);
    LLVMValueRef args[2] = {
        simd_bitcast(lc, simd_op_get(lc, 1, w), simd_vec(lc, ebits, w)),
        LLVMConstInt(lc->i1, 0, 0)};
    simd_dst_set(lc, simd_intrinsic(lc, "llvm.abs", args, 2));
    return true;
}

enum shk { SH_LEFT, SH_LRIGHT, SH_ARIGHT };

/* PSLLW/D/Q, PSRLW/D/Q, PSRAW/D by imm8 or by the low 64 bits of a
 * register or memory operand. */
static bool lift_pshift(struct lift_ctx *lc, enum shk k, unsigned ebits)
{
    if (!simd_op_is_vec(lc, 0))
        return false;
    unsigned w = simd_width(lc);
    ZydisRegister d = lift_op(lc, 0)->reg.value;
    const ZydisDecodedOperand *c = lift_op(lc, 1);
    LLVMValueRef cnt = c->type == ZYDIS_OPERAND_TYPE_IMMEDIATE
                           ? lift_const(lc, 64, c->imm.value.u & 0xff)
                           : simd_op_get(lc, 1, 64);
    LLVMTypeRef vt = simd_vec(lc, ebits, w);
    LLVMValueRef big = LLVMBuildICmp(lc->b, LLVMIntUGE, cnt,
                                     lift_const(lc, 64, ebits), "");
    if (k == SH_ARIGHT)
        cnt = LLVMBuildSelect(lc->b, big, lift_const(lc, 64, ebits - 1), cnt,
                              "");
    else /* keep the shift amount defined; the result is selected away */
        cnt = LLVMBuildSelect(lc->b, big, lift_const(lc, 64, 0), cnt, "");
    LLVMValueRef e = lift_trunc(lc, cnt, ebits);
    LLVMValueRef vc = LLVMBuildInsertElement(lc->b, LLVMGetUndef(vt), e,
                                             lift_i32(lc, 0), "");
    vc = LLVMBuildShuffleVector(
        lc->b, vc, LLVMGetUndef(vt),
        LLVMConstNull(LLVMVectorType(lc->i32, w / ebits)), "");
    LLVMValueRef v = simd_bitcast(lc, simd_reg_get(lc, d), vt), r;
    if (k == SH_LEFT)
        r = LLVMBuildShl(lc->b, v, vc, "");
    else if (k == SH_LRIGHT)
        r = LLVMBuildLShr(lc->b, v, vc, "");
    else
        r = LLVMBuildAShr(lc->b, v, vc, "");
    if (k != SH_ARIGHT)
        r = LLVMBuildSelect(lc->b, big, LLVMConstNull(vt), r, "");
    simd_dst_set(lc, r);
    return true;
}

/* PSLLDQ/PSRLDQ: whole-register byte shifts by imm8 (XMM only). */
static bool lift_pshiftdq(struct lift_ctx *lc, bool left)
{
    if (!simd_op_is_xmm(lc, 0))
        return false;
    ZydisRegister d = lift_op(lc, 0)->reg.value;
    unsigned imm = (unsigned)lift_op(lc, 1)->imm.value.u & 0xff;
    LLVMValueRef r, v = simd_reg_get(lc, d);
    if (imm > 15)
        r = lift_const(lc, 128, 0);
    else if (left)
        r = LLVMBuildShl(lc->b, v, lift_const(lc, 128, imm * 8), "");
    else
        r = LLVMBuildLShr(lc->b, v, lift_const(lc, 128, imm * 8), "");
    simd_dst_set(lc, r);
    return true;
}

/* MASKMOVDQU/MASKMOVQ data, mask: the bytes of data whose mask byte has
 * its top bit set are stored at DS:EDI (or the overriding segment). */
static bool lift_maskmov(struct lift_ctx *lc)
{
    if (!simd_op_is_vec(lc, 0) || !simd_op_is_vec(lc, 1))
        return false;
    unsigned w = simd_width(lc), mi = 0;
    for (unsigned i = 0; i < lc->insn->operand_count; i++)
        if (lc->ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY)
            mi = i;
    if (!mi)
        return false;
    LLVMTypeRef vt = simd_vec(lc, 8, w);
    LLVMValueRef data = simd_bitcast(lc, simd_op_get(lc, 0, w), vt);
    LLVMValueRef mask = simd_bitcast(lc, simd_op_get(lc, 1, w), vt);
    mask = LLVMBuildICmp(lc->b, LLVMIntSLT, mask, LLVMConstNull(vt), "");
    LLVMValueRef p = lift_host_addr(lc, lift_op_addr(lc, mi));
    LLVMTypeRef tys[2] = {vt, lc->ptr};
    static const char name[] = "llvm.masked.store";
    unsigned id = LLVMLookupIntrinsicID(name, sizeof(name) - 1);
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(lc->mod, id, tys, 2);
    LLVMTypeRef fty = LLVMIntrinsicGetType(lc->ctx, id, tys, 2);
    LLVMValueRef args[4] = {data, p, lift_i32(lc, 1), mask};
    LLVMBuildCall2(lc->b, fty, fn, args, 4, "");
    return true;
}

bool lift_sse_int(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_PAND: case ZYDIS_MNEMONIC_ANDPS:
    case ZYDIS_MNEMONIC_ANDPD:
        return lift_iop(lc, I_AND, 64);
    case ZYDIS_MNEMONIC_PANDN: case ZYDIS_MNEMONIC_ANDNPS:
    case ZYDIS_MNEMONIC_ANDNPD:
        return lift_iop(lc, I_ANDN, 64);
    case ZYDIS_MNEMONIC_POR: case ZYDIS_MNEMONIC_ORPS:
    case ZYDIS_MNEMONIC_ORPD:
        return lift_iop(lc, I_OR, 64);
    case ZYDIS_MNEMONIC_PXOR: case ZYDIS_MNEMONIC_XORPS:
    case ZYDIS_MNEMONIC_XORPD:
        return lift_iop(lc, I_XOR, 64);
    case ZYDIS_MNEMONIC_PADDB: return lift_iop(lc, I_ADD, 8);
    case ZYDIS_MNEMONIC_PADDW: return lift_iop(lc, I_ADD, 16);
    case ZYDIS_MNEMONIC_PADDD: return lift_iop(lc, I_ADD, 32);
    case ZYDIS_MNEMONIC_PADDQ: return lift_iop(lc, I_ADD, 64);
    case ZYDIS_MNEMONIC_PSUBB: return lift_iop(lc, I_SUB, 8);
    case ZYDIS_MNEMONIC_PSUBW: return lift_iop(lc, I_SUB, 16);
    case ZYDIS_MNEMONIC_PSUBD: return lift_iop(lc, I_SUB, 32);
    case ZYDIS_MNEMONIC_PSUBQ: return lift_iop(lc, I_SUB, 64);
    case ZYDIS_MNEMONIC_PADDSB: return lift_iop(lc, I_ADDS, 8);
    case ZYDIS_MNEMONIC_PADDSW: return lift_iop(lc, I_ADDS, 16);
    case ZYDIS_MNEMONIC_PADDUSB: return lift_iop(lc, I_ADDUS, 8);
    case ZYDIS_MNEMONIC_PADDUSW: return lift_iop(lc, I_ADDUS, 16);
    case ZYDIS_MNEMONIC_PSUBSB: return lift_iop(lc, I_SUBS, 8);
    case ZYDIS_MNEMONIC_PSUBSW: return lift_iop(lc, I_SUBS, 16);
    case ZYDIS_MNEMONIC_PSUBUSB: return lift_iop(lc, I_SUBUS, 8);
    case ZYDIS_MNEMONIC_PSUBUSW: return lift_iop(lc, I_SUBUS, 16);
    case ZYDIS_MNEMONIC_PCMPEQB: return lift_iop(lc, I_CMPEQ, 8);
    case ZYDIS_MNEMONIC_PCMPEQW: return lift_iop(lc, I_CMPEQ, 16);
    case ZYDIS_MNEMONIC_PCMPEQD: return lift_iop(lc, I_CMPEQ, 32);
    case ZYDIS_MNEMONIC_PCMPGTB: return lift_iop(lc, I_CMPGT, 8);
    case ZYDIS_MNEMONIC_PCMPGTW: return lift_iop(lc, I_CMPGT, 16);
    case ZYDIS_MNEMONIC_PCMPGTD: return lift_iop(lc, I_CMPGT, 32);
    case ZYDIS_MNEMONIC_PMULLW: return lift_iop(lc, I_MULL, 16);
    case ZYDIS_MNEMONIC_PMULHW: return lift_iop(lc, I_MULH, 16);
    case ZYDIS_MNEMONIC_PMULHUW: return lift_iop(lc, I_MULHU, 16);
    case ZYDIS_MNEMONIC_PMULUDQ: return lift_iop(lc, I_MULUDQ, 64);
    case ZYDIS_MNEMONIC_PMADDWD: return lift_iop(lc, I_MADDWD, 16);
    case ZYDIS_MNEMONIC_PAVGB: return lift_iop(lc, I_AVG, 8);
    case ZYDIS_MNEMONIC_PAVGW: return lift_iop(lc, I_AVG, 16);
    case ZYDIS_MNEMONIC_PSADBW: return lift_iop(lc, I_SAD, 8);
    case ZYDIS_MNEMONIC_PMINUB: return lift_iop(lc, I_MINU, 8);
    case ZYDIS_MNEMONIC_PMAXUB: return lift_iop(lc, I_MAXU, 8);
    case ZYDIS_MNEMONIC_PMINSW: return lift_iop(lc, I_MINS, 16);
    case ZYDIS_MNEMONIC_PMAXSW: return lift_iop(lc, I_MAXS, 16);
    case ZYDIS_MNEMONIC_PSIGNB: return lift_iop(lc, I_SIGN, 8);
    case ZYDIS_MNEMONIC_PSIGNW: return lift_iop(lc, I_SIGN, 16);
    case ZYDIS_MNEMONIC_PSIGND: return lift_iop(lc, I_SIGN, 32);
    case ZYDIS_MNEMONIC_PMULHRSW: return lift_iop(lc, I_MULHRS, 16);
    case ZYDIS_MNEMONIC_PMADDUBSW: return lift_iop(lc, I_MADDUBS, 8);
    case ZYDIS_MNEMONIC_PHADDW: return lift_iop(lc, I_HADD, 16);
    case ZYDIS_MNEMONIC_PHADDD: return lift_iop(lc, I_HADD, 32);
    case ZYDIS_MNEMONIC_PHADDSW: return lift_iop(lc, I_HADDS, 16);
    case ZYDIS_MNEMONIC_PHSUBW: return lift_iop(lc, I_HSUB, 16);
    case ZYDIS_MNEMONIC_PHSUBD: return lift_iop(lc, I_HSUB, 32);
    case ZYDIS_MNEMONIC_PHSUBSW: return lift_iop(lc, I_HSUBS, 16);
    case ZYDIS_MNEMONIC_PABSB: return lift_pabs(lc, 8);
    case ZYDIS_MNEMONIC_PABSW: return lift_pabs(lc, 16);
    case ZYDIS_MNEMONIC_PABSD: return lift_pabs(lc, 32);
    case ZYDIS_MNEMONIC_PSLLW: return lift_pshift(lc, SH_LEFT, 16);
    case ZYDIS_MNEMONIC_PSLLD: return lift_pshift(lc, SH_LEFT, 32);
    case ZYDIS_MNEMONIC_PSLLQ: return lift_pshift(lc, SH_LEFT, 64);
    case ZYDIS_MNEMONIC_PSRLW: return lift_pshift(lc, SH_LRIGHT, 16);
    case ZYDIS_MNEMONIC_PSRLD: return lift_pshift(lc, SH_LRIGHT, 32);
    case ZYDIS_MNEMONIC_PSRLQ: return lift_pshift(lc, SH_LRIGHT, 64);
    case ZYDIS_MNEMONIC_PSRAW: return lift_pshift(lc, SH_ARIGHT, 16);
    case ZYDIS_MNEMONIC_PSRAD: return lift_pshift(lc, SH_ARIGHT, 32);
    case ZYDIS_MNEMONIC_PSLLDQ: return lift_pshiftdq(lc, true);
    case ZYDIS_MNEMONIC_PSRLDQ: return lift_pshiftdq(lc, false);
    case ZYDIS_MNEMONIC_MASKMOVDQU: case ZYDIS_MNEMONIC_MASKMOVQ:
        return lift_maskmov(lc);
    default: return false;
    }
}
