/* SSE/SSE2/SSE3 floating-point arithmetic on floats and doubles, packed
 * (PS/PD) and scalar (SS/SD): ADD, SUB, MUL, DIV, MIN, MAX, SQRT, RCP,
 * RSQRT, CMP (all eight predicates), (U)COMIS, ADDSUB, HADD, HSUB.
 *
 * Arithmetic is LLVM float/double arithmetic, which the host runs with
 * its own SSE unit in its default MXCSR: IEEE results, round to nearest,
 * exact.  NaN operands are propagated as x86 does (the first source's
 * NaN, quieted, else the second's), explicitly, since LLVM does not
 * promise which NaN an operation returns.  MIN/MAX return the second
 * operand when either is a NaN or both are zeros, as x86 does.
 *
 * MXCSR's rounding control, FTZ and DAZ are honoured by ADD, SUB, MUL,
 * DIV and SQRT (and ADDSUB, HADD, HSUB): when the guest's MXCSR has a mode
 * other than the default, the host's SSE unit computes them in that mode
 * (simd_fp_arith).  MIN, MAX, CMP and (U)COMIS apply DAZ themselves
 * (simd_daz); RCP and RSQRT treat denormal operands as zeros anyway.
 *
 * Where r386 knowingly differs from an SSE CPU:
 * - the exception flags in MXCSR are never set, and unmasked exceptions
 *   never trap;
 * - RCPPS/RCPSS/RSQRTPS/RSQRTSS return the correctly rounded 1/x and
 *   1/sqrt(x) (as qemu does) where hardware returns an approximation with
 *   a relative error up to 1.5 * 2^-12 that differs between vendors;
 *   special cases match hardware: a zero or denormal operand gives an
 *   infinity of its sign, a result below the normal range is flushed to
 *   zero, a negative operand of RSQRT gives the default NaN. */
#include "simd.h"

enum fop { F_ADD, F_SUB, F_MUL, F_DIV, F_MIN, F_MAX, F_SQRT, F_RCP, F_RSQRT };

/* x with a zero exponent field (zero or denormal): i1 per element. */
static LLVMValueRef exp_zero(struct lift_ctx *lc, LLVMValueRef x)
{
    LLVMTypeRef it = simd_int_like(lc, LLVMTypeOf(x));
    LLVMValueRef e = LLVMBuildAnd(lc->b, simd_bitcast(lc, x, it),
                                  simd_const(lc, it, 0x7f800000u), "");
    return LLVMBuildICmp(lc->b, LLVMIntEQ, e, LLVMConstNull(it), "");
}

/* RCP/RSQRT (floats): the exact value, with hardware's special cases. */
static LLVMValueRef recip(struct lift_ctx *lc, LLVMValueRef x, bool rsqrt)
{
    LLVMTypeRef ft = LLVMTypeOf(x), it = simd_int_like(lc, ft);
    LLVMValueRef one = simd_fconst(lc, ft, 1.0), d = x;
    if (rsqrt)
        d = simd_intrinsic(lc, "llvm.sqrt", &x, 1);
    LLVMValueRef r = LLVMBuildFDiv(lc->b, one, d, "");
    LLVMValueRef sign = LLVMBuildAnd(lc->b, simd_bitcast(lc, x, it),
                                     simd_const(lc, it, 0x80000000u), "");
    LLVMValueRef sinf = LLVMBuildOr(lc->b, sign,
                                    simd_const(lc, it, 0x7f800000u), "");
    r = LLVMBuildSelect(lc->b, exp_zero(lc, r),
                        simd_bitcast(lc, sign, ft), r, "");
    r = LLVMBuildSelect(lc->b, exp_zero(lc, x),
                        simd_bitcast(lc, sinf, ft), r, "");
    return LLVMBuildSelect(lc->b, simd_is_nan(lc, x), simd_quieted(lc, x), r,
                           "");
}

/* a OP b (b alone for the unary ops), scalars or vectors alike. */
static LLVMValueRef fp_op(struct lift_ctx *lc, enum fop op, LLVMValueRef a,
                          LLVMValueRef b)
{
    LLVMValueRef r, ab[2] = {a, b};
    if (op == F_MIN || op == F_MAX) {
        simd_daz(lc, ab, 2);
        a = ab[0];
        b = ab[1];
    }
    switch (op) {
    case F_MIN: /* a < b ? a : b: b on NaN and on equal zeros */
        r = LLVMBuildFCmp(lc->b, LLVMRealOLT, a, b, "");
        return LLVMBuildSelect(lc->b, r, a, b, "");
    case F_MAX:
        r = LLVMBuildFCmp(lc->b, LLVMRealOGT, a, b, "");
        return LLVMBuildSelect(lc->b, r, a, b, "");
    case F_SQRT:
        r = simd_fp_arith(lc, SIMD_FSQRT, b, NULL, NULL);
        return LLVMBuildSelect(lc->b, simd_is_nan(lc, b), simd_quieted(lc, b),
                               r, "");
    case F_RCP: return recip(lc, b, false);
    case F_RSQRT: return recip(lc, b, true);
    case F_ADD: r = simd_fp_arith(lc, SIMD_FADD, a, b, NULL); break;
    case F_SUB: r = simd_fp_arith(lc, SIMD_FSUB, a, b, NULL); break;
    case F_MUL: r = simd_fp_arith(lc, SIMD_FMUL, a, b, NULL); break;
    default: r = simd_fp_arith(lc, SIMD_FDIV, a, b, NULL); break;
    }
    r = LLVMBuildSelect(lc->b, simd_is_nan(lc, b), simd_quieted(lc, b), r, "");
    return LLVMBuildSelect(lc->b, simd_is_nan(lc, a), simd_quieted(lc, a), r,
                           "");
}

/* The destination and source of a packed (vectors of fbits) or scalar
 * instruction. */
static void fp_operands(struct lift_ctx *lc, unsigned fbits, bool packed,
                        LLVMValueRef *a, LLVMValueRef *b)
{
    if (packed) {
        LLVMTypeRef vt = simd_fvec(lc, fbits, 128);
        *a = simd_bitcast(lc, simd_reg_get(lc, lift_op(lc, 0)->reg.value), vt);
        *b = simd_bitcast(lc, simd_op_get(lc, 1, 128), vt);
    } else {
        *a = simd_scalar_get(lc, 0, fbits);
        *b = simd_scalar_get(lc, 1, fbits);
    }
}

static void fp_result(struct lift_ctx *lc, bool packed, LLVMValueRef r)
{
    if (packed)
        simd_dst_set(lc, r);
    else
        simd_scalar_set(lc, lift_op(lc, 0)->reg.value, r);
}

static bool lift_fp(struct lift_ctx *lc, enum fop op, unsigned fbits,
                    bool packed)
{
    if (!simd_op_is_xmm(lc, 0))
        return false;
    LLVMValueRef a, b;
    fp_operands(lc, fbits, packed, &a, &b);
    fp_result(lc, packed, fp_op(lc, op, a, b));
    return true;
}

/* CMPPS/CMPPD/CMPSS/CMPSD: all ones where the predicate (imm8 & 7: EQ LT
 * LE UNORD NEQ NLT NLE ORD) holds, else zero. */
static bool lift_cmp(struct lift_ctx *lc, unsigned fbits, bool packed)
{
    static const LLVMRealPredicate pred[8] = {
        LLVMRealOEQ, LLVMRealOLT, LLVMRealOLE, LLVMRealUNO,
        LLVMRealUNE, LLVMRealUGE, LLVMRealUGT, LLVMRealORD};
    if (!simd_op_is_xmm(lc, 0))
        return false;
    LLVMValueRef a, b;
    fp_operands(lc, fbits, packed, &a, &b);
    unsigned imm = (unsigned)lift_op(lc, 2)->imm.value.u & 7;
    LLVMValueRef ab[2] = {a, b};
    simd_daz(lc, ab, 2);
    LLVMValueRef c = LLVMBuildFCmp(lc->b, pred[imm], ab[0], ab[1], "");
    LLVMTypeRef it = simd_int_like(lc, LLVMTypeOf(a));
    LLVMValueRef m = LLVMBuildSExt(lc->b, c, it, "");
    fp_result(lc, packed, simd_bitcast(lc, m, LLVMTypeOf(a)));
    return true;
}

/* UCOMISD/COMISD/UCOMISS/COMISS. */
static bool lift_comis(struct lift_ctx *lc, unsigned bits)
{
    if (!simd_op_is_xmm(lc, 0))
        return false;
    LLVMValueRef ab[2] = {simd_scalar_get(lc, 0, bits),
                          simd_scalar_get(lc, 1, bits)};
    simd_daz(lc, ab, 2);
    LLVMValueRef a = ab[0], b = ab[1];
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

/* The even (odd = 1) elements of a then those of b. */
static LLVMValueRef pick(struct lift_ctx *lc, LLVMValueRef a, LLVMValueRef b,
                         unsigned odd)
{
    unsigned n = LLVMGetVectorSize(LLVMTypeOf(a)), idx[4];
    for (unsigned i = 0; i < n; i++)
        idx[i] = 2 * i + odd;
    return simd_shuffle(lc, a, b, idx, n);
}

/* HADDPS/PD, HSUBPS/PD: dst = pairwise sums (differences) of dst's
 * elements, then of src's. */
static bool lift_hop(struct lift_ctx *lc, enum fop op, unsigned fbits)
{
    if (!simd_op_is_xmm(lc, 0))
        return false;
    LLVMValueRef a, b;
    fp_operands(lc, fbits, true, &a, &b);
    simd_dst_set(lc, fp_op(lc, op, pick(lc, a, b, 0), pick(lc, a, b, 1)));
    return true;
}

/* ADDSUBPS/PD: even elements a - b, odd elements a + b. */
static bool lift_addsub(struct lift_ctx *lc, unsigned fbits)
{
    if (!simd_op_is_xmm(lc, 0))
        return false;
    LLVMValueRef a, b;
    fp_operands(lc, fbits, true, &a, &b);
    LLVMValueRef s = fp_op(lc, F_SUB, a, b), d = fp_op(lc, F_ADD, a, b);
    unsigned n = 128 / fbits, idx[4];
    for (unsigned i = 0; i < n; i++)
        idx[i] = i % 2 ? n + i : i;
    simd_dst_set(lc, simd_shuffle(lc, s, d, idx, n));
    return true;
}

bool lift_sse_arith(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_ADDPS: return lift_fp(lc, F_ADD, 32, true);
    case ZYDIS_MNEMONIC_ADDPD: return lift_fp(lc, F_ADD, 64, true);
    case ZYDIS_MNEMONIC_ADDSS: return lift_fp(lc, F_ADD, 32, false);
    case ZYDIS_MNEMONIC_ADDSD: return lift_fp(lc, F_ADD, 64, false);
    case ZYDIS_MNEMONIC_SUBPS: return lift_fp(lc, F_SUB, 32, true);
    case ZYDIS_MNEMONIC_SUBPD: return lift_fp(lc, F_SUB, 64, true);
    case ZYDIS_MNEMONIC_SUBSS: return lift_fp(lc, F_SUB, 32, false);
    case ZYDIS_MNEMONIC_SUBSD: return lift_fp(lc, F_SUB, 64, false);
    case ZYDIS_MNEMONIC_MULPS: return lift_fp(lc, F_MUL, 32, true);
    case ZYDIS_MNEMONIC_MULPD: return lift_fp(lc, F_MUL, 64, true);
    case ZYDIS_MNEMONIC_MULSS: return lift_fp(lc, F_MUL, 32, false);
    case ZYDIS_MNEMONIC_MULSD: return lift_fp(lc, F_MUL, 64, false);
    case ZYDIS_MNEMONIC_DIVPS: return lift_fp(lc, F_DIV, 32, true);
    case ZYDIS_MNEMONIC_DIVPD: return lift_fp(lc, F_DIV, 64, true);
    case ZYDIS_MNEMONIC_DIVSS: return lift_fp(lc, F_DIV, 32, false);
    case ZYDIS_MNEMONIC_DIVSD: return lift_fp(lc, F_DIV, 64, false);
    case ZYDIS_MNEMONIC_MINPS: return lift_fp(lc, F_MIN, 32, true);
    case ZYDIS_MNEMONIC_MINPD: return lift_fp(lc, F_MIN, 64, true);
    case ZYDIS_MNEMONIC_MINSS: return lift_fp(lc, F_MIN, 32, false);
    case ZYDIS_MNEMONIC_MINSD: return lift_fp(lc, F_MIN, 64, false);
    case ZYDIS_MNEMONIC_MAXPS: return lift_fp(lc, F_MAX, 32, true);
    case ZYDIS_MNEMONIC_MAXPD: return lift_fp(lc, F_MAX, 64, true);
    case ZYDIS_MNEMONIC_MAXSS: return lift_fp(lc, F_MAX, 32, false);
    case ZYDIS_MNEMONIC_MAXSD: return lift_fp(lc, F_MAX, 64, false);
    case ZYDIS_MNEMONIC_SQRTPS: return lift_fp(lc, F_SQRT, 32, true);
    case ZYDIS_MNEMONIC_SQRTPD: return lift_fp(lc, F_SQRT, 64, true);
    case ZYDIS_MNEMONIC_SQRTSS: return lift_fp(lc, F_SQRT, 32, false);
    case ZYDIS_MNEMONIC_SQRTSD: return lift_fp(lc, F_SQRT, 64, false);
    case ZYDIS_MNEMONIC_RCPPS: return lift_fp(lc, F_RCP, 32, true);
    case ZYDIS_MNEMONIC_RCPSS: return lift_fp(lc, F_RCP, 32, false);
    case ZYDIS_MNEMONIC_RSQRTPS: return lift_fp(lc, F_RSQRT, 32, true);
    case ZYDIS_MNEMONIC_RSQRTSS: return lift_fp(lc, F_RSQRT, 32, false);
    case ZYDIS_MNEMONIC_CMPPS: return lift_cmp(lc, 32, true);
    case ZYDIS_MNEMONIC_CMPPD: return lift_cmp(lc, 64, true);
    case ZYDIS_MNEMONIC_CMPSS: return lift_cmp(lc, 32, false);
    case ZYDIS_MNEMONIC_CMPSD:
        if (lc->insn->opcode_map != ZYDIS_OPCODE_MAP_0F)
            return false; /* the string instruction */
        return lift_cmp(lc, 64, false);
    case ZYDIS_MNEMONIC_UCOMISD: case ZYDIS_MNEMONIC_COMISD:
        return lift_comis(lc, 64);
    case ZYDIS_MNEMONIC_UCOMISS: case ZYDIS_MNEMONIC_COMISS:
        return lift_comis(lc, 32);
    case ZYDIS_MNEMONIC_HADDPS: return lift_hop(lc, F_ADD, 32);
    case ZYDIS_MNEMONIC_HADDPD: return lift_hop(lc, F_ADD, 64);
    case ZYDIS_MNEMONIC_HSUBPS: return lift_hop(lc, F_SUB, 32);
    case ZYDIS_MNEMONIC_HSUBPD: return lift_hop(lc, F_SUB, 64);
    case ZYDIS_MNEMONIC_ADDSUBPS: return lift_addsub(lc, 32);
    case ZYDIS_MNEMONIC_ADDSUBPD: return lift_addsub(lc, 64);
    default: return false;
    }
}
