/* MMX: the register file and the instructions only MMX has (EMMS, the mm
 * forms of MOVD/MOVQ, MOVQ2DQ/MOVDQ2Q, MOVNTQ).  The arithmetic, logic,
 * shift, pack, shuffle and conversion instructions on mm registers are
 * the SSE files' handlers run at 64-bit width (simd.h).
 *
 * The model, as on hardware: MMi is bits 0-63 of physical x87 register
 * Ri (fpu_reg[i] in the CPU state, whatever TOP is).  Every MMX
 * instruction sets TOP to 0 and marks all eight registers valid; writing
 * MMi also sets bits 64-79 (sign and exponent) of Ri to all ones.  EMMS
 * marks all registers empty.  (The instructions that read an mm operand
 * from memory only, CVTPI2PS/CVTPI2PD m64, leave the x87 state alone, as
 * on hardware.)
 *
 * Where r386 knowingly differs from hardware: none known.  MOVNTQ is a
 * plain store (see sse.c). */
#include "simd.h"

void simd_mmx_enter(struct lift_ctx *lc)
{
    LLVMBuildStore(lc->b, lift_const(lc, 8, 0),
                   lift_state_ptr(lc, CPU_OFF_FPU_TOP));
    LLVMValueRef s = LLVMBuildStore(lc->b, lift_const(lc, 64, 0),
                                    lift_state_ptr(lc, CPU_OFF_FPU_EMPTY));
    LLVMSetAlignment(s, 1);
}

/* EMMS: all x87 registers empty (TOP unchanged). */
static bool lift_emms(struct lift_ctx *lc)
{
    LLVMValueRef s = LLVMBuildStore(lc->b,
                                    lift_const(lc, 64, 0x0101010101010101ull),
                                    lift_state_ptr(lc, CPU_OFF_FPU_EMPTY));
    LLVMSetAlignment(s, 1);
    return true;
}

/* MOVD/MOVQ/MOVNTQ with an mm operand (bits 32/64): mm <- r/m (zero
 * extended), r/m <- mm, mm <- mm. */
static bool lift_movq(struct lift_ctx *lc, unsigned bits)
{
    if (simd_op_is_mm(lc, 0)) {
        simd_dst_set(lc, lift_zext(lc, simd_op_get(lc, 1, bits), 64));
        return true;
    }
    if (!simd_op_is_mm(lc, 1))
        return false;
    lift_op_set(lc, 0, simd_op_get(lc, 1, bits));
    return true;
}

/* MOVQ2DQ xmm, mm (zero-extended) and MOVDQ2Q mm, xmm (the low half). */
static bool lift_movq2(struct lift_ctx *lc, unsigned to_bits)
{
    if (!simd_op_is_vec(lc, 0) || !simd_op_is_vec(lc, 1))
        return false;
    simd_dst_set(lc, lift_resize(lc, simd_op_get(lc, 1, 64), to_bits));
    return true;
}

bool lift_mmx(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_EMMS: return lift_emms(lc);
    case ZYDIS_MNEMONIC_MOVD: return lift_movq(lc, 32);
    case ZYDIS_MNEMONIC_MOVQ: case ZYDIS_MNEMONIC_MOVNTQ:
        return lift_movq(lc, 64);
    case ZYDIS_MNEMONIC_MOVQ2DQ: return lift_movq2(lc, 128);
    case ZYDIS_MNEMONIC_MOVDQ2Q: return lift_movq2(lc, 64);
    default: return false;
    }
}
