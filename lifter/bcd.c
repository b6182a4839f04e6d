/* Decimal arithmetic and the other old one-byte instructions: aaa aas daa
 * das aam aad, xlat, bound, salc.
 *
 * AAM 0 raises #DE; BOUND out of range raises #BR (CPU_EXIT_BOUND), both
 * at the instruction and before anything changes.
 *
 * Where r386 picks a value the SDM leaves undefined, it gives what P6 and
 * later Intel processors give (as measured by Bochs, "validated against
 * Intel hardware"):
 * - AAA, AAS: OF = SF = 0, ZF and PF from the final AL;
 * - DAA, DAS: OF = 0;
 * - AAM, AAD: OF = CF = AF = 0.
 * QEMU agrees except for AAA and AAS, where it leaves OF SF ZF PF alone. */
#include "lift_internal.h"

static LLVMValueRef c8(struct lift_ctx *lc, uint8_t v)
{
    return lift_const(lc, 8, v);
}

/* (AL & 0x0f) > 9 or AF: the low digit needs adjusting. */
static LLVMValueRef low_digit_adjust(struct lift_ctx *lc, LLVMValueRef al)
{
    LLVMValueRef lo = LLVMBuildAnd(lc->b, al, c8(lc, 0x0f), "");
    LLVMValueRef big = LLVMBuildICmp(lc->b, LLVMIntUGT, lo, c8(lc, 9), "");
    return LLVMBuildOr(lc->b, big, lift_flag_get(lc, FLAG_AF), "");
}

/* a + k, or a - k for the subtracting forms. */
static LLVMValueRef adjust(struct lift_ctx *lc, bool sub, LLVMValueRef a,
                           uint64_t k)
{
    LLVMValueRef kv = lift_const(lc, lift_width(a), k);
    if (sub)
        return LLVMBuildSub(lc->b, a, kv, "");
    return LLVMBuildAdd(lc->b, a, kv, "");
}

/* AAA / AAS: adjust = low digit > 9 or AF; AX +- 0x106 when adjusting;
 * AL &= 0x0f; CF = AF = adjust. */
static void lift_aaa(struct lift_ctx *lc, bool sub)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef adj = low_digit_adjust(lc, lift_gpr_get_w(lc, REG_EAX, 8));
    LLVMValueRef ax = lift_gpr_get_w(lc, REG_EAX, 16);
    ax = LLVMBuildSelect(b, adj, adjust(lc, sub, ax, 0x106), ax, "");
    ax = LLVMBuildAnd(b, ax, lift_const(lc, 16, 0xff0f), "");
    lift_gpr_set_w(lc, REG_EAX, 16, ax);
    lift_flags_logic(lc, lift_trunc(lc, ax, 8));
    lift_flag_set(lc, FLAG_CF, adj);
    lift_flag_set(lc, FLAG_AF, adj);
}

/* DAA / DAS (SDM pseudo-code):
 *   adjust the low digit (AL +- 6) when it is > 9 or AF: AF = 1, and
 *     CF = old CF or the carry/borrow of that step;
 *   adjust the high digit (AL +- 0x60) when old AL > 0x99 or old CF:
 *     CF = 1; otherwise DAA clears CF and DAS keeps the value above.
 * (For DAA the carry of AL + 6 needs old AL > 0xf9, which adjusts the
 * high digit anyway, so CF is just that.) */
static void lift_daa(struct lift_ctx *lc, bool sub)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef al = lift_gpr_get_w(lc, REG_EAX, 8);
    LLVMValueRef cf = lift_flag_get(lc, FLAG_CF);
    LLVMValueRef lo = low_digit_adjust(lc, al);
    LLVMValueRef hi = LLVMBuildOr(
        b, LLVMBuildICmp(b, LLVMIntUGT, al, c8(lc, 0x99), ""), cf, "");
    LLVMValueRef v = LLVMBuildSelect(b, lo, adjust(lc, sub, al, 6), al, "");
    v = LLVMBuildSelect(b, hi, adjust(lc, sub, v, 0x60), v, "");
    LLVMValueRef new_cf = hi;
    if (sub) {
        LLVMValueRef borrow = LLVMBuildICmp(b, LLVMIntULT, al, c8(lc, 6), "");
        LLVMValueRef lo_cf = LLVMBuildOr(b, cf, borrow, "");
        lo_cf = LLVMBuildAnd(b, lo, lo_cf, "");
        new_cf = LLVMBuildOr(b, hi, lo_cf, "");
    }
    lift_gpr_set_w(lc, REG_EAX, 8, v);
    lift_flags_logic(lc, v);
    lift_flag_set(lc, FLAG_CF, new_cf);
    lift_flag_set(lc, FLAG_AF, lo);
}

static uint8_t imm8(struct lift_ctx *lc)
{
    return (uint8_t)lift_op(lc, 0)->imm.value.u;
}

/* AAM n: AH = AL / n, AL = AL % n; n = 0 is #DE. */
static void lift_aam(struct lift_ctx *lc)
{
    uint8_t n = imm8(lc);
    if (n == 0) {
        lift_end_exit(lc, CPU_EXIT_DIVIDE, lift_i32(lc, lc->pc));
        return;
    }
    LLVMValueRef al = lift_gpr_get_w(lc, REG_EAX, 8);
    LLVMValueRef q = LLVMBuildUDiv(lc->b, al, c8(lc, n), "");
    LLVMValueRef r = LLVMBuildURem(lc->b, al, c8(lc, n), "");
    LLVMValueRef ax = LLVMBuildOr(
        lc->b, LLVMBuildShl(lc->b, lift_zext(lc, q, 16), lift_const(lc, 16, 8),
                            ""),
        lift_zext(lc, r, 16), "");
    lift_gpr_set_w(lc, REG_EAX, 16, ax);
    lift_flags_logic(lc, r);
}

/* AAD n: AL = AL + AH * n (mod 256), AH = 0. */
static void lift_aad(struct lift_ctx *lc)
{
    LLVMValueRef al = lift_gpr_get_w(lc, REG_EAX, 8);
    LLVMValueRef ah = lift_gpr_get_w(lc, 4 /* AH */, 8);
    LLVMValueRef v = LLVMBuildAdd(
        lc->b, al, LLVMBuildMul(lc->b, ah, c8(lc, imm8(lc)), ""), "");
    lift_gpr_set_w(lc, REG_EAX, 16, lift_zext(lc, v, 16));
    lift_flags_logic(lc, v);
}

/* XLAT: AL = [seg:EBX + AL] (BX + AL, wrapping at 64 KiB, with a 16-bit
 * address size). */
static void lift_xlat(struct lift_ctx *lc)
{
    unsigned aw = lc->insn->address_width;
    const ZydisDecodedOperand *m = lift_op(lc, 0);
    LLVMValueRef ea = LLVMBuildAdd(
        lc->b, lift_gpr_get_w(lc, REG_EBX, aw),
        lift_zext(lc, lift_gpr_get_w(lc, REG_EAX, 8), aw), "");
    LLVMValueRef addr = lift_seg_add(lc, m->mem.segment,
                                     lift_zext(lc, ea, 32));
    lift_gpr_set_w(lc, REG_EAX, 8, lift_load(lc, addr, 8));
}

/* BOUND r, m: #BR unless [m] <= r <= [m + size] (signed). */
static void lift_bound(struct lift_ctx *lc)
{
    unsigned w = lift_op_bits(lc, 0);
    LLVMValueRef idx = lift_op_get(lc, 0);
    LLVMValueRef addr = lift_op_addr(lc, 1);
    LLVMValueRef lower = lift_load(lc, addr, w);
    LLVMValueRef upper = lift_load(
        lc, LLVMBuildAdd(lc->b, addr, lift_i32(lc, w / 8), ""), w);
    LLVMValueRef out = LLVMBuildOr(
        lc->b, LLVMBuildICmp(lc->b, LLVMIntSLT, idx, lower, ""),
        LLVMBuildICmp(lc->b, LLVMIntSGT, idx, upper, ""), "");
    lift_exit_if(lc, out, CPU_EXIT_BOUND, lc->pc);
}

/* SALC (undocumented, D6): AL = CF ? 0xff : 0; flags unchanged. */
static void lift_salc(struct lift_ctx *lc)
{
    LLVMValueRef v = lift_sext(lc, lift_flag_get(lc, FLAG_CF), 8);
    lift_gpr_set_w(lc, REG_EAX, 8, v);
}

bool lift_bcd(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_AAA: lift_aaa(lc, false); return true;
    case ZYDIS_MNEMONIC_AAS: lift_aaa(lc, true); return true;
    case ZYDIS_MNEMONIC_DAA: lift_daa(lc, false); return true;
    case ZYDIS_MNEMONIC_DAS: lift_daa(lc, true); return true;
    case ZYDIS_MNEMONIC_AAM: lift_aam(lc); return true;
    case ZYDIS_MNEMONIC_AAD: lift_aad(lc); return true;
    case ZYDIS_MNEMONIC_XLAT: lift_xlat(lc); return true;
    case ZYDIS_MNEMONIC_BOUND:
        if (lift_op(lc, 1)->type != ZYDIS_OPERAND_TYPE_MEMORY)
            return false; /* #UD */
        lift_bound(lc);
        return true;
    case ZYDIS_MNEMONIC_SALC: lift_salc(lc); return true;
    default: return false;
    }
}
