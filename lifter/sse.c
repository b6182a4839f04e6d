/* SSE and SSE2: the XMM register file and MXCSR (r386/cpu.h), the helpers
 * the SIMD files share (simd.h), moves, non-temporal stores, fences, and
 * the dispatch to the other SIMD files: integer vector operations
 * (sse_int.c), shuffles, packs and unpacks (sse_shuffle.c), float/double
 * arithmetic and comparisons (sse_arith.c), conversions (sse_convert.c)
 * and the MMX-only instructions (mmx.c).
 *
 * The model.  XMM0-7 live in the CPU state, 16 bytes each, and translated
 * code loads and stores them there (as i128, bitcast to the vector type an
 * operation needs).  MMX registers are the low 64 bits of the x87
 * registers (mmx.c).
 *
 * As on hardware, a 128-bit memory operand not 16-byte aligned raises #GP
 * (CPU_EXIT_PRIV, SIGSEGV), except for MOVUPS/MOVUPD/MOVDQU/LDDQU, and so
 * does LDMXCSR with reserved bits (16-31) set.  The rest of MXCSR is
 * stored and read back (sse_arith.c and sse_convert.c say which bits
 * count).
 *
 * Where r386 knowingly differs from an SSE2 CPU: non-temporal stores are
 * plain stores and SFENCE/LFENCE are no-ops (translated code runs on one
 * host thread per guest thread, in program order); MFENCE is a host
 * fence. */
#include <string.h>

#include "simd.h"

/* ---- types and constants ---- */

LLVMTypeRef simd_i128(struct lift_ctx *lc)
{
    return LLVMInt128TypeInContext(lc->ctx);
}

LLVMTypeRef simd_vec(struct lift_ctx *lc, unsigned ebits, unsigned width)
{
    return LLVMVectorType(lift_int_type(lc, ebits), width / ebits);
}

LLVMTypeRef simd_ftype(struct lift_ctx *lc, unsigned bits)
{
    return bits == 64 ? LLVMDoubleTypeInContext(lc->ctx)
                      : LLVMFloatTypeInContext(lc->ctx);
}

LLVMTypeRef simd_fvec(struct lift_ctx *lc, unsigned fbits, unsigned width)
{
    return LLVMVectorType(simd_ftype(lc, fbits), width / fbits);
}

unsigned simd_elem_bits(LLVMTypeRef t)
{
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
        t = LLVMGetElementType(t);
    switch (LLVMGetTypeKind(t)) {
    case LLVMFloatTypeKind: return 32;
    case LLVMDoubleTypeKind: return 64;
    default: return LLVMGetIntTypeWidth(t);
    }
}

LLVMTypeRef simd_int_like(struct lift_ctx *lc, LLVMTypeRef t)
{
    LLVMTypeRef e = lift_int_type(lc, simd_elem_bits(t));
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
        return LLVMVectorType(e, LLVMGetVectorSize(t));
    return e;
}

static LLVMValueRef splat_const(LLVMTypeRef t, LLVMValueRef e)
{
    if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
        return e;
    LLVMValueRef v[64];
    unsigned n = LLVMGetVectorSize(t);
    for (unsigned i = 0; i < n; i++)
        v[i] = e;
    return LLVMConstVector(v, n);
}

LLVMValueRef simd_const(struct lift_ctx *lc, LLVMTypeRef t, uint64_t v)
{
    LLVMTypeRef e = LLVMGetTypeKind(t) == LLVMVectorTypeKind
                        ? LLVMGetElementType(t) : t;
    (void)lc;
    return splat_const(t, LLVMConstInt(e, v, 0));
}

LLVMValueRef simd_fconst(struct lift_ctx *lc, LLVMTypeRef t, double v)
{
    LLVMTypeRef e = LLVMGetTypeKind(t) == LLVMVectorTypeKind
                        ? LLVMGetElementType(t) : t;
    (void)lc;
    return splat_const(t, LLVMConstReal(e, v));
}

LLVMValueRef simd_bitcast(struct lift_ctx *lc, LLVMValueRef v, LLVMTypeRef t)
{
    return LLVMBuildBitCast(lc->b, v, t, "");
}

LLVMValueRef simd_shuffle(struct lift_ctx *lc, LLVMValueRef a,
                          LLVMValueRef b, const unsigned *idx, unsigned n)
{
    LLVMValueRef m[32];
    for (unsigned i = 0; i < n; i++)
        m[i] = lift_i32(lc, idx[i]);
    return LLVMBuildShuffleVector(lc->b, a, b, LLVMConstVector(m, n), "");
}

LLVMValueRef simd_intrinsic(struct lift_ctx *lc, const char *name,
                            LLVMValueRef *args, unsigned n)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMTypeRef t = LLVMTypeOf(args[0]);
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(lc->mod, id, &t, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(lc->ctx, id, &t, 1);
    return LLVMBuildCall2(lc->b, fty, fn, args, n, "");
}

/* ---- registers and operands ---- */

bool simd_is_xmm(ZydisRegister r)
{
    return r >= ZYDIS_REGISTER_XMM0 && r <= ZYDIS_REGISTER_XMM7;
}

bool simd_is_mm(ZydisRegister r)
{
    return r >= ZYDIS_REGISTER_MM0 && r <= ZYDIS_REGISTER_MM7;
}

bool simd_op_is_xmm(struct lift_ctx *lc, unsigned i)
{
    const ZydisDecodedOperand *op = lift_op(lc, i);
    return op->type == ZYDIS_OPERAND_TYPE_REGISTER &&
           simd_is_xmm(op->reg.value);
}

bool simd_op_is_mm(struct lift_ctx *lc, unsigned i)
{
    const ZydisDecodedOperand *op = lift_op(lc, i);
    return op->type == ZYDIS_OPERAND_TYPE_REGISTER &&
           simd_is_mm(op->reg.value);
}

bool simd_op_is_vec(struct lift_ctx *lc, unsigned i)
{
    return simd_op_is_xmm(lc, i) || simd_op_is_mm(lc, i);
}

bool simd_op_is_mem(struct lift_ctx *lc, unsigned i)
{
    return lift_op(lc, i)->type == ZYDIS_OPERAND_TYPE_MEMORY;
}

unsigned simd_width(struct lift_ctx *lc)
{
    return simd_op_is_mm(lc, 0) ||
                   (lc->insn->operand_count_visible > 1 &&
                    simd_op_is_mm(lc, 1))
               ? 64
               : 128;
}

static LLVMValueRef reg_ptr(struct lift_ctx *lc, ZydisRegister r)
{
    if (simd_is_mm(r))
        return lift_state_ptr(lc, CPU_OFF_FPU_REG +
                                      16 * (unsigned)(r - ZYDIS_REGISTER_MM0));
    return lift_state_ptr(lc, CPU_OFF_XMM +
                                  16 * (unsigned)(r - ZYDIS_REGISTER_XMM0));
}

LLVMValueRef simd_reg_get(struct lift_ctx *lc, ZydisRegister r)
{
    bool mm = simd_is_mm(r);
    if (mm)
        simd_mmx_enter(lc);
    LLVMValueRef v = LLVMBuildLoad2(lc->b, mm ? lc->i64 : simd_i128(lc),
                                    reg_ptr(lc, r), "");
    LLVMSetAlignment(v, 4);
    return v;
}

void simd_reg_set(struct lift_ctx *lc, ZydisRegister r, LLVMValueRef v)
{
    bool mm = simd_is_mm(r);
    v = LLVMBuildBitCast(lc->b, v, mm ? lc->i64 : simd_i128(lc), "");
    LLVMValueRef p = reg_ptr(lc, r);
    LLVMSetAlignment(LLVMBuildStore(lc->b, v, p), 4);
    if (mm) {
        /* An MMX write makes the x87 register's sign and exponent all
         * ones (a NaN or infinity to the x87). */
        LLVMValueRef o = lift_const(lc, 64, 8);
        LLVMValueRef se = LLVMBuildGEP2(lc->b, lc->i8, p, &o, 1, "");
        LLVMBuildStore(lc->b, lift_const(lc, 16, 0xffff), se);
        simd_mmx_enter(lc);
    }
}

/* Legacy-SSE instructions with a 128-bit memory operand require it
 * 16-byte aligned, except the unaligned moves. */
static bool needs_align16(struct lift_ctx *lc, const ZydisDecodedOperand *op)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_MOVUPS: case ZYDIS_MNEMONIC_MOVUPD:
    case ZYDIS_MNEMONIC_MOVDQU: case ZYDIS_MNEMONIC_LDDQU:
        return false;
    default:
        return op->size == 128;
    }
}

LLVMValueRef simd_op_get(struct lift_ctx *lc, unsigned i, unsigned bits)
{
    const ZydisDecodedOperand *op = lift_op(lc, i);
    if (op->type == ZYDIS_OPERAND_TYPE_REGISTER &&
        (simd_is_xmm(op->reg.value) || simd_is_mm(op->reg.value)))
        return lift_resize(lc, simd_reg_get(lc, op->reg.value), bits);
    if (op->type == ZYDIS_OPERAND_TYPE_MEMORY && needs_align16(lc, op))
        simd_check_align16(lc, lift_op_addr(lc, i));
    return lift_resize(lc, lift_op_get(lc, i), bits);
}

void simd_dst_set(struct lift_ctx *lc, LLVMValueRef v)
{
    simd_reg_set(lc, lift_op(lc, 0)->reg.value, v);
}

void simd_check_align16(struct lift_ctx *lc, LLVMValueRef addr)
{
    LLVMValueRef low = LLVMBuildAnd(lc->b, addr, lift_i32(lc, 15), "");
    lift_exit_if(lc, LLVMBuildICmp(lc->b, LLVMIntNE, low, lift_i32(lc, 0), ""),
                 CPU_EXIT_PRIV, lc->pc);
}

/* ---- floating point ---- */

LLVMValueRef simd_scalar_get(struct lift_ctx *lc, unsigned i, unsigned bits)
{
    return simd_bitcast(lc, simd_op_get(lc, i, bits), simd_ftype(lc, bits));
}

void simd_scalar_set(struct lift_ctx *lc, ZydisRegister d, LLVMValueRef f)
{
    unsigned bits = simd_elem_bits(LLVMTypeOf(f));
    LLVMValueRef lo = lift_zext(
        lc, LLVMBuildBitCast(lc->b, f, lift_int_type(lc, bits), ""), 128);
    LLVMValueRef hi = LLVMBuildAnd(
        lc->b, simd_reg_get(lc, d),
        LLVMBuildShl(lc->b, LLVMConstAllOnes(simd_i128(lc)),
                     lift_const(lc, 128, bits), ""),
        "");
    simd_reg_set(lc, d, LLVMBuildOr(lc->b, hi, lo, ""));
}

LLVMValueRef simd_is_nan(struct lift_ctx *lc, LLVMValueRef f)
{
    return LLVMBuildFCmp(lc->b, LLVMRealUNO, f, f, "");
}

LLVMValueRef simd_quieted(struct lift_ctx *lc, LLVMValueRef f)
{
    LLVMTypeRef ft = LLVMTypeOf(f), it = simd_int_like(lc, ft);
    uint64_t q = simd_elem_bits(ft) == 64 ? 1ull << 51 : 1ull << 22;
    LLVMValueRef i = simd_bitcast(lc, f, it);
    i = LLVMBuildOr(lc->b, i, simd_const(lc, it, q), "");
    return simd_bitcast(lc, i, ft);
}

LLVMValueRef simd_mxcsr_rc(struct lift_ctx *lc)
{
    LLVMValueRef m = LLVMBuildLoad2(lc->b, lc->i32,
                                    lift_state_ptr(lc, CPU_OFF_MXCSR), "");
    return LLVMBuildAnd(lc->b, LLVMBuildLShr(lc->b, m, lift_i32(lc, 13), ""),
                        lift_i32(lc, 3), "");
}

/* MXCSR bits that change what arithmetic returns: RC, FTZ and DAZ. */
#define MXCSR_MODE_BITS 0xe040u
#define MXCSR_ALL_MASKED 0x1f80u
#define MXCSR_DAZ 0x40u

static LLVMValueRef md_string(struct lift_ctx *lc, const char *s)
{
    return LLVMMetadataAsValue(lc->ctx,
                               LLVMMDStringInContext2(lc->ctx, s, strlen(s)));
}

static void set_strictfp(struct lift_ctx *lc, LLVMValueRef call)
{
    unsigned kind = LLVMGetEnumAttributeKindForName("strictfp", 8);
    LLVMAttributeRef a = LLVMCreateEnumAttribute(lc->ctx, kind, 0);
    if (call)
        LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, a);
    else
        LLVMAddAttributeAtIndex(lc->fn, LLVMAttributeFunctionIndex, a);
}

/* The operation as a constrained intrinsic reading the dynamic rounding
 * mode, so that it stays between the MXCSR loads around it. */
static LLVMValueRef constrained(struct lift_ctx *lc, enum simd_fpop op,
                                LLVMValueRef a, LLVMValueRef b,
                                LLVMTypeRef rt)
{
    static const char *const name[] = {
        "llvm.experimental.constrained.fadd",
        "llvm.experimental.constrained.fsub",
        "llvm.experimental.constrained.fmul",
        "llvm.experimental.constrained.fdiv",
        "llvm.experimental.constrained.sqrt",
        "llvm.experimental.constrained.sitofp",
        "llvm.experimental.constrained.fptrunc"};
    LLVMTypeRef tys[2] = {rt, LLVMTypeOf(a)};
    unsigned ntys = op >= SIMD_SITOFP ? 2 : 1;
    unsigned id = LLVMLookupIntrinsicID(name[op], strlen(name[op]));
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(lc->mod, id, tys, ntys);
    LLVMTypeRef fty = LLVMIntrinsicGetType(lc->ctx, id, tys, ntys);
    LLVMValueRef args[4];
    unsigned n = 0;
    args[n++] = a;
    if (op <= SIMD_FDIV)
        args[n++] = b;
    args[n++] = md_string(lc, "round.dynamic");
    args[n++] = md_string(lc, "fpexcept.ignore");
    LLVMValueRef r = LLVMBuildCall2(lc->b, fty, fn, args, n, "");
    set_strictfp(lc, r);
    return r;
}

/* A 32-bit stack slot of the unit, made once per unit: the allocas are
 * at the top of the entry block, so that is where it is looked for. */
static LLVMValueRef unit_slot(struct lift_ctx *lc, const char *name)
{
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(lc->fn);
    for (LLVMValueRef i = LLVMGetFirstInstruction(entry);
         i && LLVMGetInstructionOpcode(i) == LLVMAlloca;
         i = LLVMGetNextInstruction(i)) {
        size_t len;
        const char *n = LLVMGetValueName2(i, &len);
        if (len == strlen(name) && !memcmp(n, name, len))
            return i;
    }
    LLVMValueRef a = lift_alloca(lc, lc->i32);
    LLVMSetValueName2(a, name, strlen(name));
    return a;
}

LLVMValueRef simd_fp_arith(struct lift_ctx *lc, enum simd_fpop op,
                           LLVMValueRef a, LLVMValueRef b, LLVMTypeRef rt)
{
    LLVMValueRef fast;
    switch (op) {
    case SIMD_FADD: fast = LLVMBuildFAdd(lc->b, a, b, ""); break;
    case SIMD_FSUB: fast = LLVMBuildFSub(lc->b, a, b, ""); break;
    case SIMD_FMUL: fast = LLVMBuildFMul(lc->b, a, b, ""); break;
    case SIMD_FDIV: fast = LLVMBuildFDiv(lc->b, a, b, ""); break;
    case SIMD_FSQRT: fast = simd_intrinsic(lc, "llvm.sqrt", &a, 1); break;
    case SIMD_SITOFP: fast = LLVMBuildSIToFP(lc->b, a, rt, ""); break;
    default: fast = LLVMBuildFPTrunc(lc->b, a, rt, ""); break;
    }
    rt = LLVMTypeOf(fast);
    LLVMValueRef m = LLVMBuildLoad2(lc->b, lc->i32,
                                    lift_state_ptr(lc, CPU_OFF_MXCSR), "");
    LLVMValueRef mode = LLVMBuildAnd(lc->b, m, lift_i32(lc, MXCSR_MODE_BITS),
                                     "");
    LLVMBasicBlockRef from = LLVMGetInsertBlock(lc->b);
    LLVMBasicBlockRef slow = lift_block(lc, "mxcsr_mode");
    LLVMBasicBlockRef join = lift_block(lc, "mxcsr_join");
    LLVMBuildCondBr(lc->b,
                    LLVMBuildICmp(lc->b, LLVMIntNE, mode, lift_i32(lc, 0), ""),
                    slow, join);

    /* The host's MXCSR with the guest's mode bits and every exception
     * masked, for the one operation; then the host's again. */
    LLVMPositionBuilderAtEnd(lc->b, slow);
    set_strictfp(lc, NULL);
    LLVMValueRef guest = unit_slot(lc, "mxcsr_guest");
    LLVMValueRef save = unit_slot(lc, "mxcsr_host");
    LLVMValueRef masked = lift_i32(lc, MXCSR_ALL_MASKED);
    LLVMBuildStore(lc->b, LLVMBuildOr(lc->b, mode, masked, ""), guest);
    LLVMTypeRef vt = LLVMVoidTypeInContext(lc->ctx);
    set_strictfp(lc, lift_call(lc, "llvm.x86.sse.stmxcsr", vt, &save, 1));
    set_strictfp(lc, lift_call(lc, "llvm.x86.sse.ldmxcsr", vt, &guest, 1));
    LLVMValueRef r = constrained(lc, op, a, b, rt);
    set_strictfp(lc, lift_call(lc, "llvm.x86.sse.ldmxcsr", vt, &save, 1));
    LLVMBuildBr(lc->b, join);

    LLVMPositionBuilderAtEnd(lc->b, join);
    LLVMValueRef phi = LLVMBuildPhi(lc->b, rt, "");
    LLVMValueRef vals[2] = {fast, r};
    LLVMBasicBlockRef bbs[2] = {from, slow};
    LLVMAddIncoming(phi, vals, bbs, 2);
    return phi;
}

void simd_daz(struct lift_ctx *lc, LLVMValueRef *v, unsigned n)
{
    LLVMValueRef m = LLVMBuildLoad2(lc->b, lc->i32,
                                    lift_state_ptr(lc, CPU_OFF_MXCSR), "");
    LLVMValueRef daz = LLVMBuildAnd(lc->b, m, lift_i32(lc, MXCSR_DAZ), "");
    LLVMBasicBlockRef from = LLVMGetInsertBlock(lc->b);
    LLVMBasicBlockRef slow = lift_block(lc, "daz");
    LLVMBasicBlockRef join = lift_block(lc, "daz_join");
    LLVMBuildCondBr(lc->b,
                    LLVMBuildICmp(lc->b, LLVMIntNE, daz, lift_i32(lc, 0), ""),
                    slow, join);
    LLVMPositionBuilderAtEnd(lc->b, slow);
    LLVMValueRef flushed[4];
    for (unsigned i = 0; i < n; i++) {
        /* A denormal (zero exponent field) becomes a zero of its sign. */
        LLVMTypeRef ft = LLVMTypeOf(v[i]), it = simd_int_like(lc, ft);
        bool dbl = simd_elem_bits(ft) == 64;
        LLVMValueRef bits = simd_bitcast(lc, v[i], it);
        LLVMValueRef e = LLVMBuildAnd(
            lc->b, bits,
            simd_const(lc, it, dbl ? 0x7ff0000000000000ull : 0x7f800000u), "");
        LLVMValueRef sign = LLVMBuildAnd(
            lc->b, bits,
            simd_const(lc, it, dbl ? 0x8000000000000000ull : 0x80000000u), "");
        LLVMValueRef tiny = LLVMBuildICmp(lc->b, LLVMIntEQ, e,
                                          LLVMConstNull(it), "");
        flushed[i] = simd_bitcast(
            lc, LLVMBuildSelect(lc->b, tiny, sign, bits, ""), ft);
    }
    LLVMBuildBr(lc->b, join);
    LLVMPositionBuilderAtEnd(lc->b, join);
    for (unsigned i = 0; i < n; i++) {
        LLVMValueRef phi = LLVMBuildPhi(lc->b, LLVMTypeOf(v[i]), "");
        LLVMValueRef vals[2] = {v[i], flushed[i]};
        LLVMBasicBlockRef bbs[2] = {from, slow};
        LLVMAddIncoming(phi, vals, bbs, 2);
        v[i] = phi;
    }
}

/* ---- moves ---- */

/* MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVAPD/MOVUPD/LDDQU and the non-temporal
 * MOVNTDQ/MOVNTPS/MOVNTPD. */
static bool lift_mov128(struct lift_ctx *lc, bool aligned)
{
    if (!simd_op_is_xmm(lc, 0) && !simd_op_is_xmm(lc, 1))
        return false;
    if (aligned) {
        for (unsigned i = 0; i < 2; i++)
            if (simd_op_is_mem(lc, i))
                simd_check_align16(lc, lift_op_addr(lc, i));
    }
    if (simd_op_is_xmm(lc, 0))
        simd_dst_set(lc, simd_op_get(lc, 1, 128));
    else
        lift_op_set(lc, 0, simd_reg_get(lc, lift_op(lc, 1)->reg.value));
    return true;
}

/* MOVD/MOVQ between an XMM register and r32/m32/m64/xmm (bits 32/64);
 * the MMX forms are in mmx.c. */
static bool lift_movdq(struct lift_ctx *lc, unsigned bits)
{
    if (simd_op_is_mm(lc, 0) || simd_op_is_mm(lc, 1))
        return false;
    if (simd_op_is_xmm(lc, 0)) {
        simd_dst_set(lc, lift_zext(lc, simd_op_get(lc, 1, bits), 128));
        return true;
    }
    if (!simd_op_is_xmm(lc, 1))
        return false;
    lift_op_set(lc, 0, simd_op_get(lc, 1, bits));
    return true;
}

/* MOVSS/MOVSD (scalar): bits 32/64. */
static bool lift_movs(struct lift_ctx *lc, unsigned bits)
{
    if (simd_op_is_xmm(lc, 0)) {
        ZydisRegister d = lift_op(lc, 0)->reg.value;
        LLVMValueRef src = simd_op_get(lc, 1, bits);
        if (simd_op_is_xmm(lc, 1)) /* register form: keep the upper part */
            simd_scalar_set(lc, d, src);
        else
            simd_reg_set(lc, d, lift_zext(lc, src, 128));
        return true;
    }
    if (!simd_op_is_xmm(lc, 1))
        return false;
    lift_op_set(lc, 0, simd_op_get(lc, 1, bits));
    return true;
}

/* MOVLPS/MOVLPD/MOVHPS/MOVHPD (xmm <-> m64: the low or high half),
 * MOVHLPS (dst.low = src.high) and MOVLHPS (dst.high = src.low). */
static bool lift_movhalf(struct lift_ctx *lc, bool high)
{
    if (simd_op_is_mem(lc, 0)) { /* store */
        LLVMValueRef v = simd_op_get(lc, 1, 128);
        if (high)
            v = LLVMBuildLShr(lc->b, v, lift_const(lc, 128, 64), "");
        lift_op_set(lc, 0, lift_trunc(lc, v, 64));
        return true;
    }
    if (!simd_op_is_xmm(lc, 0))
        return false;
    LLVMValueRef d = simd_reg_get(lc, lift_op(lc, 0)->reg.value);
    LLVMValueRef s = simd_op_get(lc, 1, 128);
    LLVMTypeRef vt = simd_vec(lc, 64, 128);
    d = simd_bitcast(lc, d, vt);
    s = simd_bitcast(lc, s, vt);
    unsigned idx[2];
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_MOVHLPS: idx[0] = 3; idx[1] = 1; break;
    case ZYDIS_MNEMONIC_MOVLHPS: idx[0] = 0; idx[1] = 2; break;
    default: /* from m64: the loaded value is s's low half */
        idx[0] = high ? 0 : 2;
        idx[1] = high ? 2 : 1;
    }
    simd_dst_set(lc, simd_shuffle(lc, d, s, idx, 2));
    return true;
}

/* MOVNTI m32, r32. */
static bool lift_movnti(struct lift_ctx *lc)
{
    lift_op_set(lc, 0, lift_op_get(lc, 1));
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

static bool lift_sse_move(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_MOVDQA: case ZYDIS_MNEMONIC_MOVAPS:
    case ZYDIS_MNEMONIC_MOVAPD: case ZYDIS_MNEMONIC_MOVNTDQ:
    case ZYDIS_MNEMONIC_MOVNTPS: case ZYDIS_MNEMONIC_MOVNTPD:
        return lift_mov128(lc, true);
    case ZYDIS_MNEMONIC_MOVDQU: case ZYDIS_MNEMONIC_MOVUPS:
    case ZYDIS_MNEMONIC_MOVUPD: case ZYDIS_MNEMONIC_LDDQU:
        return lift_mov128(lc, false);
    case ZYDIS_MNEMONIC_MOVD: return lift_movdq(lc, 32);
    case ZYDIS_MNEMONIC_MOVQ: return lift_movdq(lc, 64);
    case ZYDIS_MNEMONIC_MOVSS: return lift_movs(lc, 32);
    case ZYDIS_MNEMONIC_MOVSD:
        if (lc->insn->opcode_map != ZYDIS_OPCODE_MAP_0F)
            return false; /* the string instruction */
        return lift_movs(lc, 64);
    case ZYDIS_MNEMONIC_MOVLPS: case ZYDIS_MNEMONIC_MOVLPD:
    case ZYDIS_MNEMONIC_MOVHLPS:
        return lift_movhalf(lc, false);
    case ZYDIS_MNEMONIC_MOVHPS: case ZYDIS_MNEMONIC_MOVHPD:
    case ZYDIS_MNEMONIC_MOVLHPS:
        return lift_movhalf(lc, true);
    case ZYDIS_MNEMONIC_MOVNTI: return lift_movnti(lc);
    case ZYDIS_MNEMONIC_LDMXCSR: return lift_ldmxcsr(lc);
    case ZYDIS_MNEMONIC_STMXCSR: return lift_stmxcsr(lc);
    case ZYDIS_MNEMONIC_SFENCE: case ZYDIS_MNEMONIC_LFENCE:
        return true;
    case ZYDIS_MNEMONIC_MFENCE:
        LLVMBuildFence(lc->b, LLVMAtomicOrderingSequentiallyConsistent, 0,
                       "");
        return true;
    default: return false;
    }
}

bool lift_sse(struct lift_ctx *lc)
{
    return lift_sse_move(lc) || lift_sse_int(lc) || lift_sse_shuffle(lc) ||
           lift_sse_arith(lc) || lift_sse_convert(lc) || lift_mmx(lc);
}
