/* SSE and SSE2: the XMM register file and MXCSR (r386/cpu.h), moves,
 * integer and logical vector operations, scalar float/double arithmetic,
 * conversions and comparisons.  The first part of the SSE work of issue 5:
 * CPUID does not advertise SSE/SSE2 yet (only code built with -msse2 uses
 * these instructions until the whole set is done).
 *
 * The model.  XMM0-7 live in the CPU state, 16 bytes each, and translated
 * code loads and stores them there (as i128, bitcast to the vector type an
 * operation needs).  Arithmetic is LLVM float/double arithmetic, which the
 * host runs with its own SSE unit in its default MXCSR: IEEE results with
 * round to nearest, exact.  NaN operands are propagated as x86 does (the
 * first source's NaN, quieted, else the second's), explicitly, since LLVM
 * does not promise which NaN an operation returns.
 *
 * Where r386 knowingly differs from an SSE2 CPU (for now):
 * - MXCSR's rounding control is stored and read back but arithmetic and
 *   conversions always round to nearest; FTZ and DAZ are ignored;
 * - the exception flags in MXCSR are never set by arithmetic, and
 *   unmasked exceptions never trap;
 * - LDMXCSR with reserved bits (16-31) set raises #GP (SIGSEGV), as it
 *   does on hardware;
 * - the MMX (mm register) forms of MOVD/MOVQ/PADD... are not implemented
 *   (SIGILL).
 *
 * Also done: PSLL/PSRL/PSRA (W/D/Q), PSLLDQ/PSRLDQ, PACKSSWB/PACKUSWB/
 * PACKSSDW, CVTSS2SI/CVTSD2SI (round to nearest), CVTTSS2SI, CVTSI2SS.
 *
 * MOVDQA/MOVAPS/MOVAPD with a memory operand not 16-byte aligned raise
 * #GP (CPU_EXIT_PRIV, SIGSEGV), as on hardware.  Other legacy-SSE
 * instructions with a 128-bit memory operand also require alignment on
 * hardware; here only the MOVA* moves check it. */
#include <string.h>

#include "lift_internal.h"

static LLVMTypeRef i128t(struct lift_ctx *lc)
{
    return LLVMInt128TypeInContext(lc->ctx);
}

static LLVMTypeRef vec(struct lift_ctx *lc, unsigned ebits)
{
    return LLVMVectorType(lift_int_type(lc, ebits), 128 / ebits);
}

static LLVMTypeRef f64t(struct lift_ctx *lc)
{
    return LLVMDoubleTypeInContext(lc->ctx);
}

static LLVMTypeRef f32t(struct lift_ctx *lc)
{
    return LLVMFloatTypeInContext(lc->ctx);
}

static bool is_xmm(ZydisRegister r)
{
    return r >= ZYDIS_REGISTER_XMM0 && r <= ZYDIS_REGISTER_XMM7;
}

static bool op_is_xmm(struct lift_ctx *lc, unsigned i)
{
    const ZydisDecodedOperand *op = lift_op(lc, i);
    return op->type == ZYDIS_OPERAND_TYPE_REGISTER && is_xmm(op->reg.value);
}

static bool op_is_mem(struct lift_ctx *lc, unsigned i)
{
    return lift_op(lc, i)->type == ZYDIS_OPERAND_TYPE_MEMORY;
}

static LLVMValueRef xmm_ptr(struct lift_ctx *lc, ZydisRegister r)
{
    return lift_state_ptr(lc, CPU_OFF_XMM +
                                  16 * (unsigned)(r - ZYDIS_REGISTER_XMM0));
}

static LLVMValueRef xmm_get(struct lift_ctx *lc, ZydisRegister r)
{
    LLVMValueRef v = LLVMBuildLoad2(lc->b, i128t(lc), xmm_ptr(lc, r), "");
    LLVMSetAlignment(v, 4);
    return v;
}

/* v: any 128-bit value. */
static void xmm_set(struct lift_ctx *lc, ZydisRegister r, LLVMValueRef v)
{
    v = LLVMBuildBitCast(lc->b, v, i128t(lc), "");
    LLVMValueRef s = LLVMBuildStore(lc->b, v, xmm_ptr(lc, r));
    LLVMSetAlignment(s, 4);
}

/* Operand i as i128: an XMM register, or memory of the operand's size
 * (zero-extended). */
static LLVMValueRef op128(struct lift_ctx *lc, unsigned i)
{
    const ZydisDecodedOperand *op = lift_op(lc, i);
    if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && is_xmm(op->reg.value))
        return xmm_get(lc, op->reg.value);
    return lift_zext(lc, lift_op_get(lc, i), 128);
}

static void check_align16(struct lift_ctx *lc, LLVMValueRef addr)
{
    LLVMValueRef low = LLVMBuildAnd(lc->b, addr, lift_i32(lc, 15), "");
    lift_exit_if(lc, LLVMBuildICmp(lc->b, LLVMIntNE, low, lift_i32(lc, 0), ""),
                 CPU_EXIT_PRIV, lc->pc);
}

/* ---- moves ---- */

/* MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVAPD/MOVUPD. */
static bool lift_mov128(struct lift_ctx *lc, bool aligned)
{
    if (!op_is_xmm(lc, 0) && !op_is_xmm(lc, 1))
        return false;
    if (aligned) {
        for (unsigned i = 0; i < 2; i++)
            if (op_is_mem(lc, i))
                check_align16(lc, lift_op_addr(lc, i));
    }
    if (op_is_xmm(lc, 0)) {
        xmm_set(lc, lift_op(lc, 0)->reg.value, op128(lc, 1));
    } else {
        lift_op_set(lc, 0, xmm_get(lc, lift_op(lc, 1)->reg.value));
    }
    return true;
}

/* MOVD/MOVQ: between an XMM register and r32/m32/m64/xmm.  bits: 32/64. */
static bool lift_movdq(struct lift_ctx *lc, unsigned bits)
{
    if (op_is_xmm(lc, 0)) {
        LLVMValueRef v = op128(lc, 1);
        v = lift_zext(lc, lift_trunc(lc, v, bits), 128);
        xmm_set(lc, lift_op(lc, 0)->reg.value, v);
        return true;
    }
    if (!op_is_xmm(lc, 1))
        return false; /* MMX forms */
    LLVMValueRef v = lift_trunc(lc, xmm_get(lc, lift_op(lc, 1)->reg.value),
                                bits);
    lift_op_set(lc, 0, v);
    return true;
}

/* MOVSS/MOVSD (scalar): bits 32/64. */
static bool lift_movs(struct lift_ctx *lc, unsigned bits)
{
    if (op_is_xmm(lc, 0)) {
        ZydisRegister d = lift_op(lc, 0)->reg.value;
        LLVMValueRef src = lift_trunc(lc, op128(lc, 1), bits);
        LLVMValueRef v = lift_zext(lc, src, 128);
        if (op_is_xmm(lc, 1)) { /* register form: keep the upper part */
            LLVMValueRef hi = LLVMBuildAnd(
                lc->b, xmm_get(lc, d),
                LLVMBuildShl(lc->b, LLVMConstAllOnes(i128t(lc)),
                             lift_const(lc, 128, bits), ""),
                "");
            v = LLVMBuildOr(lc->b, hi, v, "");
        }
        xmm_set(lc, d, v);
        return true;
    }
    if (!op_is_xmm(lc, 1))
        return false;
    lift_op_set(lc, 0,
                lift_trunc(lc, xmm_get(lc, lift_op(lc, 1)->reg.value), bits));
    return true;
}

/* ---- integer and logical vector operations ---- */

enum vop { V_AND, V_ANDN, V_OR, V_XOR, V_ADD, V_SUB, V_CMPEQ };

static bool lift_vop(struct lift_ctx *lc, enum vop op, unsigned ebits)
{
    if (!op_is_xmm(lc, 0))
        return false;
    ZydisRegister d = lift_op(lc, 0)->reg.value;
    LLVMValueRef a = xmm_get(lc, d), b = op128(lc, 1), r;
    switch (op) {
    case V_AND: r = LLVMBuildAnd(lc->b, a, b, ""); break;
    case V_ANDN: r = LLVMBuildAnd(lc->b, LLVMBuildNot(lc->b, a, ""), b, "");
        break;
    case V_OR: r = LLVMBuildOr(lc->b, a, b, ""); break;
    case V_XOR: r = LLVMBuildXor(lc->b, a, b, ""); break;
    default: {
        LLVMTypeRef vt = vec(lc, ebits);
        LLVMValueRef va = LLVMBuildBitCast(lc->b, a, vt, "");
        LLVMValueRef vb = LLVMBuildBitCast(lc->b, b, vt, "");
        if (op == V_ADD)
            r = LLVMBuildAdd(lc->b, va, vb, "");
        else if (op == V_SUB)
            r = LLVMBuildSub(lc->b, va, vb, "");
        else
            r = LLVMBuildSExt(lc->b,
                              LLVMBuildICmp(lc->b, LLVMIntEQ, va, vb, ""), vt,
                              "");
    }
    }
    xmm_set(lc, d, r);
    return true;
}

static bool lift_pmovmskb(struct lift_ctx *lc)
{
    if (!op_is_xmm(lc, 1))
        return false;
    LLVMValueRef v = LLVMBuildBitCast(
        lc->b, xmm_get(lc, lift_op(lc, 1)->reg.value), vec(lc, 8), "");
    LLVMValueRef neg = LLVMBuildICmp(lc->b, LLVMIntSLT, v,
                                     LLVMConstNull(vec(lc, 8)), "");
    LLVMValueRef m = LLVMBuildBitCast(lc->b, neg, lc->i16, "");
    lift_reg_set(lc, lift_op(lc, 0)->reg.value, lift_zext(lc, m, 32));
    return true;
}

static LLVMValueRef shuffle(struct lift_ctx *lc, LLVMValueRef a,
                            LLVMValueRef b, const unsigned *idx, unsigned n)
{
    LLVMValueRef m[16];
    for (unsigned i = 0; i < n; i++)
        m[i] = lift_i32(lc, idx[i]);
    return LLVMBuildShuffleVector(lc->b, a, b, LLVMConstVector(m, n), "");
}

static bool lift_pshufd(struct lift_ctx *lc)
{
    if (!op_is_xmm(lc, 0))
        return false;
    unsigned imm = (unsigned)lift_op(lc, 2)->imm.value.u & 0xff, idx[4];
    for (unsigned i = 0; i < 4; i++)
        idx[i] = (imm >> (2 * i)) & 3;
    LLVMValueRef v = LLVMBuildBitCast(lc->b, op128(lc, 1), vec(lc, 32), "");
    xmm_set(lc, lift_op(lc, 0)->reg.value,
            shuffle(lc, v, LLVMGetUndef(vec(lc, 32)), idx, 4));
    return true;
}

/* PUNPCKL/H: interleave the low (high) halves of dst and src. */
static bool lift_punpck(struct lift_ctx *lc, unsigned ebits, bool high)
{
    if (!op_is_xmm(lc, 0))
        return false;
    ZydisRegister d = lift_op(lc, 0)->reg.value;
    LLVMTypeRef vt = vec(lc, ebits);
    unsigned n = 128 / ebits, base = high ? n / 2 : 0, idx[16];
    for (unsigned i = 0; i < n / 2; i++) {
        idx[2 * i] = base + i;
        idx[2 * i + 1] = n + base + i;
    }
    LLVMValueRef a = LLVMBuildBitCast(lc->b, xmm_get(lc, d), vt, "");
    LLVMValueRef b = LLVMBuildBitCast(lc->b, op128(lc, 1), vt, "");
    xmm_set(lc, d, shuffle(lc, a, b, idx, n));
    return true;
}

static LLVMValueRef splat(struct lift_ctx *lc, LLVMValueRef x, unsigned n)
{
    LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(x), n);
    LLVMValueRef v = LLVMBuildInsertElement(lc->b, LLVMGetUndef(vt), x,
                                            lift_i32(lc, 0), "");
    LLVMValueRef zero = LLVMConstNull(LLVMVectorType(lc->i32, n));
    return LLVMBuildShuffleVector(lc->b, v, LLVMGetUndef(vt), zero, "");
}

enum shk { SH_LEFT, SH_LRIGHT, SH_ARIGHT };

/* PSLLW/D/Q, PSRLW/D/Q, PSRAW/D by imm8 or xmm/m128 (low 64 bits). */
static bool lift_pshift(struct lift_ctx *lc, enum shk k, unsigned ebits)
{
    if (!op_is_xmm(lc, 0))
        return false;
    ZydisRegister d = lift_op(lc, 0)->reg.value;
    const ZydisDecodedOperand *c = lift_op(lc, 1);
    LLVMValueRef cnt = c->type == ZYDIS_OPERAND_TYPE_IMMEDIATE
                           ? lift_const(lc, 64, c->imm.value.u & 0xff)
                           : lift_trunc(lc, op128(lc, 1), 64);
    unsigned n = 128 / ebits;
    LLVMTypeRef vt = vec(lc, ebits);
    LLVMValueRef big = LLVMBuildICmp(lc->b, LLVMIntUGE, cnt,
                                     lift_const(lc, 64, ebits), "");
    if (k == SH_ARIGHT)
        cnt = LLVMBuildSelect(lc->b, big, lift_const(lc, 64, ebits - 1), cnt,
                              "");
    else /* keep the shift amount defined; the result is selected away */
        cnt = LLVMBuildSelect(lc->b, big, lift_const(lc, 64, 0), cnt, "");
    LLVMValueRef vc = splat(lc, lift_trunc(lc, cnt, ebits), n);
    LLVMValueRef v = LLVMBuildBitCast(lc->b, xmm_get(lc, d), vt, ""), r;
    if (k == SH_LEFT)
        r = LLVMBuildShl(lc->b, v, vc, "");
    else if (k == SH_LRIGHT)
        r = LLVMBuildLShr(lc->b, v, vc, "");
    else
        r = LLVMBuildAShr(lc->b, v, vc, "");
    if (k != SH_ARIGHT)
        r = LLVMBuildSelect(lc->b, big, LLVMConstNull(vt), r, "");
    xmm_set(lc, d, r);
    return true;
}

/* PSLLDQ/PSRLDQ: whole-register byte shifts by imm8. */
static bool lift_pshiftdq(struct lift_ctx *lc, bool left)
{
    if (!op_is_xmm(lc, 0))
        return false;
    ZydisRegister d = lift_op(lc, 0)->reg.value;
    unsigned imm = (unsigned)lift_op(lc, 1)->imm.value.u & 0xff;
    LLVMValueRef r;
    if (imm > 15)
        r = lift_const(lc, 128, 0);
    else if (left)
        r = LLVMBuildShl(lc->b, xmm_get(lc, d), lift_const(lc, 128, imm * 8),
                         "");
    else
        r = LLVMBuildLShr(lc->b, xmm_get(lc, d), lift_const(lc, 128, imm * 8),
                          "");
    xmm_set(lc, d, r);
    return true;
}

/* PACKSSWB/PACKUSWB (ebits 16) and PACKSSDW (32): dst's elements then
 * src's, each saturated to half width (signed or unsigned). */
static bool lift_pack(struct lift_ctx *lc, unsigned ebits, bool usat)
{
    if (!op_is_xmm(lc, 0))
        return false;
    ZydisRegister d = lift_op(lc, 0)->reg.value;
    unsigned n = 128 / ebits, idx[16];
    LLVMTypeRef vt = vec(lc, ebits);
    for (unsigned i = 0; i < 2 * n; i++)
        idx[i] = i;
    LLVMValueRef a = LLVMBuildBitCast(lc->b, xmm_get(lc, d), vt, "");
    LLVMValueRef b = LLVMBuildBitCast(lc->b, op128(lc, 1), vt, "");
    LLVMValueRef v = shuffle(lc, a, b, idx, 2 * n);
    unsigned h = ebits / 2;
    int64_t lo = usat ? 0 : -(1ll << (h - 1));
    int64_t hi = usat ? (1ll << h) - 1 : (1ll << (h - 1)) - 1;
    LLVMValueRef vlo = splat(lc, lift_const(lc, ebits, (uint64_t)lo), 2 * n);
    LLVMValueRef vhi = splat(lc, lift_const(lc, ebits, (uint64_t)hi), 2 * n);
    v = LLVMBuildSelect(lc->b, LLVMBuildICmp(lc->b, LLVMIntSLT, v, vlo, ""),
                        vlo, v, "");
    v = LLVMBuildSelect(lc->b, LLVMBuildICmp(lc->b, LLVMIntSGT, v, vhi, ""),
                        vhi, v, "");
    v = LLVMBuildTrunc(lc->b, v, vec(lc, h), "");
    xmm_set(lc, d, v);
    return true;
}

/* ---- scalar floating point ---- */

static LLVMTypeRef ftype(struct lift_ctx *lc, unsigned bits)
{
    return bits == 64 ? f64t(lc) : f32t(lc);
}

/* The low float/double of operand i (XMM or memory). */
static LLVMValueRef scalar_get(struct lift_ctx *lc, unsigned i, unsigned bits)
{
    LLVMValueRef v = op_is_xmm(lc, i)
                         ? lift_trunc(lc, xmm_get(lc, lift_op(lc, i)->reg.value),
                                      bits)
                         : lift_resize(lc, lift_op_get(lc, i), bits);
    return LLVMBuildBitCast(lc->b, v, ftype(lc, bits), "");
}

/* Replace the low float/double of XMM register d with f. */
static void scalar_set(struct lift_ctx *lc, ZydisRegister d, LLVMValueRef f)
{
    unsigned bits = LLVMGetTypeKind(LLVMTypeOf(f)) == LLVMDoubleTypeKind ? 64
                                                                        : 32;
    LLVMValueRef lo = lift_zext(
        lc, LLVMBuildBitCast(lc->b, f, lift_int_type(lc, bits), ""), 128);
    LLVMValueRef hi = LLVMBuildAnd(
        lc->b, xmm_get(lc, d),
        LLVMBuildShl(lc->b, LLVMConstAllOnes(i128t(lc)),
                     lift_const(lc, 128, bits), ""),
        "");
    xmm_set(lc, d, LLVMBuildOr(lc->b, hi, lo, ""));
}

static LLVMValueRef is_nan(struct lift_ctx *lc, LLVMValueRef f)
{
    return LLVMBuildFCmp(lc->b, LLVMRealUNO, f, f, "");
}

/* f with its quiet bit set (f a NaN). */
static LLVMValueRef quieted(struct lift_ctx *lc, LLVMValueRef f)
{
    LLVMTypeRef ft = LLVMTypeOf(f);
    unsigned bits = LLVMGetTypeKind(ft) == LLVMDoubleTypeKind ? 64 : 32;
    uint64_t q = bits == 64 ? 1ull << 51 : 1ull << 22;
    LLVMValueRef i = LLVMBuildBitCast(lc->b, f, lift_int_type(lc, bits), "");
    i = LLVMBuildOr(lc->b, i, lift_const(lc, bits, q), "");
    return LLVMBuildBitCast(lc->b, i, ft, "");
}

static LLVMValueRef call_intrinsic1(struct lift_ctx *lc, const char *name,
                                    LLVMValueRef x)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(lc->mod, id, &t, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(lc->ctx, id, &t, 1);
    return LLVMBuildCall2(lc->b, fty, fn, &x, 1, "");
}

enum fop { F_ADD, F_SUB, F_MUL, F_DIV, F_SQRT };

static bool lift_farith(struct lift_ctx *lc, enum fop op, unsigned bits)
{
    if (!op_is_xmm(lc, 0))
        return false;
    ZydisRegister d = lift_op(lc, 0)->reg.value;
    LLVMValueRef b = scalar_get(lc, 1, bits), r;
    if (op == F_SQRT) {
        r = call_intrinsic1(lc, "llvm.sqrt", b);
        r = LLVMBuildSelect(lc->b, is_nan(lc, b), quieted(lc, b), r, "");
    } else {
        LLVMValueRef a = scalar_get(lc, 0, bits);
        switch (op) {
        case F_ADD: r = LLVMBuildFAdd(lc->b, a, b, ""); break;
        case F_SUB: r = LLVMBuildFSub(lc->b, a, b, ""); break;
        case F_MUL: r = LLVMBuildFMul(lc->b, a, b, ""); break;
        default: r = LLVMBuildFDiv(lc->b, a, b, ""); break;
        }
        r = LLVMBuildSelect(lc->b, is_nan(lc, b), quieted(lc, b), r, "");
        r = LLVMBuildSelect(lc->b, is_nan(lc, a), quieted(lc, a), r, "");
    }
    scalar_set(lc, d, r);
    return true;
}

/* UCOMISD/COMISD/UCOMISS/COMISS. */
static bool lift_comis(struct lift_ctx *lc, unsigned bits)
{
    if (!op_is_xmm(lc, 0))
        return false;
    LLVMValueRef a = scalar_get(lc, 0, bits), b = scalar_get(lc, 1, bits);
    LLVMValueRef uno = LLVMBuildFCmp(lc->b, LLVMRealUNO, a, b, "");
    LLVMValueRef lt = LLVMBuildFCmp(lc->b, LLVMRealULT, a, b, "");
    LLVMValueRef eq = LLVMBuildFCmp(lc->b, LLVMRealUEQ, a, b, "");
    LLVMValueRef f0 = LLVMConstInt(lc->i1, 0, 0);
    lift_flag_set(lc, FLAG_ZF, eq);
    lift_flag_set(lc, FLAG_PF, uno);
    lift_flag_set(lc, FLAG_CF, lt);
    lift_flag_set(lc, FLAG_OF, f0);
    lift_flag_set(lc, FLAG_SF, f0);
    lift_flag_set(lc, FLAG_AF, f0);
    return true;
}

/* CVTTSD2SI/CVTTSS2SI (trunc) and CVTSD2SI/CVTSS2SI (round to nearest):
 * out of range and NaN give the integer indefinite 0x80000000. */
static bool lift_cvt2si(struct lift_ctx *lc, unsigned bits, bool trunc)
{
    const ZydisDecodedOperand *d = lift_op(lc, 0);
    if (d->type != ZYDIS_OPERAND_TYPE_REGISTER || lift_op_bits(lc, 0) != 32)
        return false;
    LLVMValueRef x = scalar_get(lc, 1, bits);
    if (!trunc)
        x = call_intrinsic1(lc, "llvm.rint", x);
    LLVMTypeRef ft = ftype(lc, bits);
    /* In range iff -2^31 <= x < 2^31 after rounding toward zero, i.e.
     * x > -2^31 - 1 and x < 2^31 for doubles; for floats -2^31 - 1 is not
     * representable, so compare x >= -2^31. */
    LLVMValueRef lo_ok =
        bits == 64 ? LLVMBuildFCmp(lc->b, LLVMRealOGT, x,
                                   LLVMConstReal(ft, -2147483649.0), "")
                   : LLVMBuildFCmp(lc->b, LLVMRealOGE, x,
                                   LLVMConstReal(ft, -2147483648.0), "");
    LLVMValueRef hi_ok = LLVMBuildFCmp(lc->b, LLVMRealOLT, x,
                                       LLVMConstReal(ft, 2147483648.0), "");
    LLVMValueRef ok = LLVMBuildAnd(lc->b, lo_ok, hi_ok, "");
    /* Keep fptosi's operand in range so it is never poison. */
    LLVMValueRef xs = LLVMBuildSelect(lc->b, ok, x, LLVMConstReal(ft, 0.0), "");
    LLVMValueRef i = LLVMBuildFPToSI(lc->b, xs, lc->i32, "");
    lift_reg_set(lc, d->reg.value,
                 LLVMBuildSelect(lc->b, ok, i, lift_i32(lc, 0x80000000u), ""));
    return true;
}

/* CVTSI2SD/CVTSI2SS xmm, r/m32. */
static bool lift_cvtsi2(struct lift_ctx *lc, unsigned bits)
{
    if (!op_is_xmm(lc, 0) || lift_op_bits(lc, 1) != 32)
        return false;
    LLVMValueRef i = lift_op_get(lc, 1);
    scalar_set(lc, lift_op(lc, 0)->reg.value,
               LLVMBuildSIToFP(lc->b, i, ftype(lc, bits), ""));
    return true;
}

/* CVTSD2SS (to 32) / CVTSS2SD (to 64). */
static bool lift_cvtfp(struct lift_ctx *lc, unsigned to_bits)
{
    if (!op_is_xmm(lc, 0))
        return false;
    LLVMValueRef x = scalar_get(lc, 1, to_bits == 32 ? 64 : 32), r;
    if (to_bits == 32)
        r = LLVMBuildFPTrunc(lc->b, x, f32t(lc), "");
    else
        r = LLVMBuildFPExt(lc->b, x, f64t(lc), "");
    /* A NaN keeps its sign and top payload bits, quieted. */
    LLVMValueRef n;
    if (to_bits == 32) {
        LLVMValueRef xi = LLVMBuildBitCast(lc->b, x, lc->i64, "");
        LLVMValueRef sign = lift_trunc(
            lc, LLVMBuildLShr(lc->b, xi, lift_const(lc, 64, 32), ""), 32);
        sign = LLVMBuildAnd(lc->b, sign, lift_i32(lc, 0x80000000u), "");
        LLVMValueRef pay = lift_trunc(
            lc, LLVMBuildLShr(lc->b, xi, lift_const(lc, 64, 29), ""), 32);
        pay = LLVMBuildAnd(lc->b, pay, lift_i32(lc, 0x007fffff), "");
        n = LLVMBuildOr(lc->b, LLVMBuildOr(lc->b, sign, pay, ""),
                        lift_i32(lc, 0x7fc00000), "");
        n = LLVMBuildBitCast(lc->b, n, f32t(lc), "");
    } else {
        LLVMValueRef xi = lift_zext(
            lc, LLVMBuildBitCast(lc->b, x, lc->i32, ""), 64);
        LLVMValueRef sign = LLVMBuildShl(
            lc->b, LLVMBuildAnd(lc->b, xi, lift_const(lc, 64, 0x80000000u), ""),
            lift_const(lc, 64, 32), "");
        LLVMValueRef pay = LLVMBuildShl(
            lc->b, LLVMBuildAnd(lc->b, xi, lift_const(lc, 64, 0x007fffff), ""),
            lift_const(lc, 64, 29), "");
        n = LLVMBuildOr(lc->b, LLVMBuildOr(lc->b, sign, pay, ""),
                        lift_const(lc, 64, 0x7ff8000000000000ull), "");
        n = LLVMBuildBitCast(lc->b, n, f64t(lc), "");
    }
    r = LLVMBuildSelect(lc->b, is_nan(lc, x), n, r, "");
    scalar_set(lc, lift_op(lc, 0)->reg.value, r);
    return true;
}

/* ---- MXCSR ---- */

static bool lift_ldmxcsr(struct lift_ctx *lc)
{
    LLVMValueRef v = lift_op_get(lc, 0);
    LLVMValueRef rsv = LLVMBuildAnd(lc->b, v, lift_i32(lc, 0xffff0000u), "");
    lift_exit_if(lc, LLVMBuildICmp(lc->b, LLVMIntNE, rsv, lift_i32(lc, 0), ""),
                 CPU_EXIT_PRIV, lc->pc);
    LLVMBuildStore(lc->b, v, lift_state_ptr(lc, CPU_OFF_MXCSR));
    return true;
}

static bool lift_stmxcsr(struct lift_ctx *lc)
{
    lift_op_set(lc, 0, LLVMBuildLoad2(lc->b, lc->i32,
                                      lift_state_ptr(lc, CPU_OFF_MXCSR), ""));
    return true;
}

bool lift_sse(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_MOVDQA: case ZYDIS_MNEMONIC_MOVAPS:
    case ZYDIS_MNEMONIC_MOVAPD:
        return lift_mov128(lc, true);
    case ZYDIS_MNEMONIC_MOVDQU: case ZYDIS_MNEMONIC_MOVUPS:
    case ZYDIS_MNEMONIC_MOVUPD:
        return lift_mov128(lc, false);
    case ZYDIS_MNEMONIC_MOVD: return lift_movdq(lc, 32);
    case ZYDIS_MNEMONIC_MOVQ: return lift_movdq(lc, 64);
    case ZYDIS_MNEMONIC_MOVSS: return lift_movs(lc, 32);
    case ZYDIS_MNEMONIC_MOVSD:
        if (lc->insn->opcode_map != ZYDIS_OPCODE_MAP_0F)
            return false; /* the string instruction */
        return lift_movs(lc, 64);
    case ZYDIS_MNEMONIC_PAND: case ZYDIS_MNEMONIC_ANDPS:
    case ZYDIS_MNEMONIC_ANDPD:
        return lift_vop(lc, V_AND, 0);
    case ZYDIS_MNEMONIC_PANDN: return lift_vop(lc, V_ANDN, 0);
    case ZYDIS_MNEMONIC_POR: case ZYDIS_MNEMONIC_ORPS: case ZYDIS_MNEMONIC_ORPD:
        return lift_vop(lc, V_OR, 0);
    case ZYDIS_MNEMONIC_PXOR: case ZYDIS_MNEMONIC_XORPS:
    case ZYDIS_MNEMONIC_XORPD:
        return lift_vop(lc, V_XOR, 0);
    case ZYDIS_MNEMONIC_PADDB: return lift_vop(lc, V_ADD, 8);
    case ZYDIS_MNEMONIC_PADDW: return lift_vop(lc, V_ADD, 16);
    case ZYDIS_MNEMONIC_PADDD: return lift_vop(lc, V_ADD, 32);
    case ZYDIS_MNEMONIC_PADDQ: return lift_vop(lc, V_ADD, 64);
    case ZYDIS_MNEMONIC_PSUBB: return lift_vop(lc, V_SUB, 8);
    case ZYDIS_MNEMONIC_PSUBW: return lift_vop(lc, V_SUB, 16);
    case ZYDIS_MNEMONIC_PSUBD: return lift_vop(lc, V_SUB, 32);
    case ZYDIS_MNEMONIC_PSUBQ: return lift_vop(lc, V_SUB, 64);
    case ZYDIS_MNEMONIC_PCMPEQB: return lift_vop(lc, V_CMPEQ, 8);
    case ZYDIS_MNEMONIC_PCMPEQW: return lift_vop(lc, V_CMPEQ, 16);
    case ZYDIS_MNEMONIC_PCMPEQD: return lift_vop(lc, V_CMPEQ, 32);
    case ZYDIS_MNEMONIC_PMOVMSKB: return lift_pmovmskb(lc);
    case ZYDIS_MNEMONIC_PSHUFD: return lift_pshufd(lc);
    case ZYDIS_MNEMONIC_PUNPCKLBW: return lift_punpck(lc, 8, false);
    case ZYDIS_MNEMONIC_PUNPCKLWD: return lift_punpck(lc, 16, false);
    case ZYDIS_MNEMONIC_PUNPCKLDQ: return lift_punpck(lc, 32, false);
    case ZYDIS_MNEMONIC_PUNPCKLQDQ: return lift_punpck(lc, 64, false);
    case ZYDIS_MNEMONIC_PUNPCKHBW: return lift_punpck(lc, 8, true);
    case ZYDIS_MNEMONIC_PUNPCKHWD: return lift_punpck(lc, 16, true);
    case ZYDIS_MNEMONIC_PUNPCKHDQ: return lift_punpck(lc, 32, true);
    case ZYDIS_MNEMONIC_PUNPCKHQDQ: return lift_punpck(lc, 64, true);
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
    case ZYDIS_MNEMONIC_PACKSSWB: return lift_pack(lc, 16, false);
    case ZYDIS_MNEMONIC_PACKUSWB: return lift_pack(lc, 16, true);
    case ZYDIS_MNEMONIC_PACKSSDW: return lift_pack(lc, 32, false);
    case ZYDIS_MNEMONIC_ADDSD: return lift_farith(lc, F_ADD, 64);
    case ZYDIS_MNEMONIC_SUBSD: return lift_farith(lc, F_SUB, 64);
    case ZYDIS_MNEMONIC_MULSD: return lift_farith(lc, F_MUL, 64);
    case ZYDIS_MNEMONIC_DIVSD: return lift_farith(lc, F_DIV, 64);
    case ZYDIS_MNEMONIC_SQRTSD: return lift_farith(lc, F_SQRT, 64);
    case ZYDIS_MNEMONIC_ADDSS: return lift_farith(lc, F_ADD, 32);
    case ZYDIS_MNEMONIC_SUBSS: return lift_farith(lc, F_SUB, 32);
    case ZYDIS_MNEMONIC_MULSS: return lift_farith(lc, F_MUL, 32);
    case ZYDIS_MNEMONIC_DIVSS: return lift_farith(lc, F_DIV, 32);
    case ZYDIS_MNEMONIC_SQRTSS: return lift_farith(lc, F_SQRT, 32);
    case ZYDIS_MNEMONIC_UCOMISD: case ZYDIS_MNEMONIC_COMISD:
        return lift_comis(lc, 64);
    case ZYDIS_MNEMONIC_UCOMISS: case ZYDIS_MNEMONIC_COMISS:
        return lift_comis(lc, 32);
    case ZYDIS_MNEMONIC_CVTSI2SD: return lift_cvtsi2(lc, 64);
    case ZYDIS_MNEMONIC_CVTSI2SS: return lift_cvtsi2(lc, 32);
    case ZYDIS_MNEMONIC_CVTTSD2SI: return lift_cvt2si(lc, 64, true);
    case ZYDIS_MNEMONIC_CVTTSS2SI: return lift_cvt2si(lc, 32, true);
    case ZYDIS_MNEMONIC_CVTSD2SI: return lift_cvt2si(lc, 64, false);
    case ZYDIS_MNEMONIC_CVTSS2SI: return lift_cvt2si(lc, 32, false);
    case ZYDIS_MNEMONIC_CVTSD2SS: return lift_cvtfp(lc, 32);
    case ZYDIS_MNEMONIC_CVTSS2SD: return lift_cvtfp(lc, 64);
    case ZYDIS_MNEMONIC_LDMXCSR: return lift_ldmxcsr(lc);
    case ZYDIS_MNEMONIC_STMXCSR: return lift_stmxcsr(lc);
    default: return false;
    }
}
