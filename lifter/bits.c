/* Bit and condition instructions: setcc, cmovcc, bt bts btr btc, bsf bsr,
 * and tzcnt/lzcnt, which run as bsf/bsr because r386 advertises neither
 * BMI1 nor ABM (r386/cpuid.h): on such processors the F3-prefixed
 * encodings are BSF and BSR (gcc emits `rep bsf` for __builtin_ctz).
 * POPCNT is not advertised and stays unlifted (SIGILL).
 *
 * Where r386 differs from hardware, or picks a value the SDM leaves
 * undefined:
 * - BT/BTS/BTR/BTC set CF only: ZF is unaffected (as the SDM says) and
 *   OF SF AF PF (undefined) keep their values too.
 * - BSF/BSR set ZF only; CF OF SF AF PF (undefined) keep their values.
 *   With a zero source the destination is unchanged, as Intel and AMD
 *   processors leave it.
 * - BT* with a memory operand and a register bit offset read (and write)
 *   the 16- or 32-bit word holding the bit, at ea + size * (offset div
 *   size) with the offset signed, as the SDM describes.  With LOCK the
 *   update is one atomic operation on the byte holding the bit: other
 *   threads cannot tell it from hardware's, but where the word crosses
 *   into an unmapped page it misses the fault the hardware would raise.
 * - CMOVcc reads its source even when the condition is false (as
 *   hardware does: a faulting source faults) and then writes the
 *   destination back unchanged. */
#include <stdio.h>

#include "lift_internal.h"

enum bt_op { BT_TEST, BT_SET, BT_RESET, BT_FLIP };

static bool is_prefix(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return false;
    return true;
}

/* The new value of the bit string word v with mask's bit changed. */
static LLVMValueRef bt_apply(struct lift_ctx *lc, enum bt_op op,
                             LLVMValueRef v, LLVMValueRef mask)
{
    switch (op) {
    case BT_SET:
        return LLVMBuildOr(lc->b, v, mask, "");
    case BT_RESET:
        return LLVMBuildAnd(lc->b, v, LLVMBuildNot(lc->b, mask, ""), "");
    case BT_FLIP:
        return LLVMBuildXor(lc->b, v, mask, "");
    default:
        return v;
    }
}

/* CF = (v & mask) != 0. */
static void bt_set_cf(struct lift_ctx *lc, LLVMValueRef v, LLVMValueRef mask)
{
    LLVMValueRef x = LLVMBuildAnd(lc->b, v, mask, "");
    lift_flag_set(lc, FLAG_CF,
                  LLVMBuildICmp(lc->b, LLVMIntNE, x,
                                lift_const(lc, lift_width(v), 0), ""));
}

/* LOCK BTS/BTR/BTC on memory: one atomic or/and/xor on the byte holding
 * bit number off (signed, i32) counted from addr. */
static void bt_locked(struct lift_ctx *lc, enum bt_op op, LLVMValueRef addr,
                      LLVMValueRef off)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef byte = LLVMBuildAdd(
        b, addr, LLVMBuildAShr(b, off, lift_i32(lc, 3), ""), "");
    LLVMValueRef bit = lift_trunc(
        lc, LLVMBuildAnd(b, off, lift_i32(lc, 7), ""), 8);
    LLVMValueRef mask = LLVMBuildShl(b, lift_const(lc, 8, 1), bit, "");
    LLVMValueRef hp = lift_host_addr(lc, byte);
    LLVMAtomicRMWBinOp rop = LLVMAtomicRMWBinOpOr;
    LLVMValueRef operand = mask;
    if (op == BT_RESET) {
        rop = LLVMAtomicRMWBinOpAnd;
        operand = LLVMBuildNot(b, mask, "");
    } else if (op == BT_FLIP) {
        rop = LLVMAtomicRMWBinOpXor;
    }
    LLVMValueRef old = LLVMBuildAtomicRMW(
        b, rop, hp, operand, LLVMAtomicOrderingSequentiallyConsistent, 0);
    bt_set_cf(lc, old, mask);
}

static void lift_bt(struct lift_ctx *lc, enum bt_op op)
{
    LLVMBuilderRef b = lc->b;
    unsigned w = lift_op_bits(lc, 0);
    unsigned log2w = w == 16 ? 4 : 5;
    const ZydisDecodedOperand *bitop = lift_op(lc, 1);
    bool imm = bitop->type == ZYDIS_OPERAND_TYPE_IMMEDIATE;
    if (lift_op(lc, 0)->type == ZYDIS_OPERAND_TYPE_REGISTER) {
        /* In a register the offset is taken modulo the width. */
        LLVMValueRef bit = LLVMBuildAnd(
            b, lift_resize(lc, lift_op_get(lc, 1), w),
            lift_const(lc, w, w - 1), "");
        LLVMValueRef mask = LLVMBuildShl(b, lift_const(lc, w, 1), bit, "");
        LLVMValueRef v = lift_op_get(lc, 0);
        bt_set_cf(lc, v, mask);
        if (op != BT_TEST)
            lift_op_set(lc, 0, bt_apply(lc, op, v, mask));
        return;
    }
    /* In memory an immediate offset is taken modulo the width, a register
     * one is a signed bit offset into the string at the operand. */
    LLVMValueRef addr = lift_op_addr(lc, 0);
    LLVMValueRef off;
    if (imm)
        off = lift_i32(lc, (uint32_t)bitop->imm.value.u & (w - 1));
    else
        off = lift_sext(lc, lift_op_get(lc, 1), 32);
    if (op != BT_TEST && (lc->insn->attributes & ZYDIS_ATTRIB_HAS_LOCK)) {
        bt_locked(lc, op, addr, off);
        return;
    }
    LLVMValueRef words = LLVMBuildAShr(b, off, lift_i32(lc, log2w), "");
    LLVMValueRef wordaddr = LLVMBuildAdd(
        b, addr, LLVMBuildShl(b, words, lift_i32(lc, log2w - 3), ""), "");
    LLVMValueRef bit = lift_trunc(
        lc, LLVMBuildAnd(b, off, lift_i32(lc, w - 1), ""), w);
    LLVMValueRef mask = LLVMBuildShl(b, lift_const(lc, w, 1), bit, "");
    LLVMValueRef v = lift_load(lc, wordaddr, w);
    bt_set_cf(lc, v, mask);
    if (op != BT_TEST)
        lift_store(lc, wordaddr, bt_apply(lc, op, v, mask));
}

/* BSF/BSR dst, src: ZF = (src == 0); dst = index of the lowest/highest
 * set bit, unchanged when there is none. */
static void lift_bitscan(struct lift_ctx *lc, bool reverse)
{
    LLVMBuilderRef b = lc->b;
    unsigned w = lift_op_bits(lc, 0);
    LLVMValueRef src = lift_op_get(lc, 1);
    LLVMValueRef old = lift_op_get(lc, 0);
    LLVMValueRef zero = LLVMBuildICmp(b, LLVMIntEQ, src, lift_const(lc, w, 0),
                                      "");
    char name[32];
    snprintf(name, sizeof(name), "llvm.%s.i%u", reverse ? "ctlz" : "cttz", w);
    /* A zero source gives poison here, which the select never picks. */
    LLVMValueRef args[2] = {src, lift_const(lc, 1, 1)};
    LLVMValueRef n = lift_call(lc, name, lift_int_type(lc, w), args, 2);
    if (reverse)
        n = LLVMBuildSub(b, lift_const(lc, w, w - 1), n, "");
    lift_op_set(lc, 0, LLVMBuildSelect(b, zero, old, n, ""));
    lift_flag_set(lc, FLAG_ZF, zero);
}

bool lift_bits(struct lift_ctx *lc)
{
    ZydisMnemonic m = lc->insn->mnemonic;
    switch (m) {
    case ZYDIS_MNEMONIC_BT: lift_bt(lc, BT_TEST); return true;
    case ZYDIS_MNEMONIC_BTS: lift_bt(lc, BT_SET); return true;
    case ZYDIS_MNEMONIC_BTR: lift_bt(lc, BT_RESET); return true;
    case ZYDIS_MNEMONIC_BTC: lift_bt(lc, BT_FLIP); return true;
    case ZYDIS_MNEMONIC_BSF:
    case ZYDIS_MNEMONIC_TZCNT: lift_bitscan(lc, false); return true;
    case ZYDIS_MNEMONIC_BSR:
    case ZYDIS_MNEMONIC_LZCNT: lift_bitscan(lc, true); return true;
    default: break;
    }
    int cc = lift_cond_of(m);
    if (cc < 0)
        return false;
    const char *s = ZydisMnemonicGetString(m);
    if (is_prefix(s, "set")) {
        lift_op_set(lc, 0, lift_zext(lc, lift_cond(lc, (unsigned)cc), 8));
        return true;
    }
    if (is_prefix(s, "cmov")) {
        LLVMValueRef src = lift_op_get(lc, 1); /* read even if not moved */
        LLVMValueRef old = lift_op_get(lc, 0);
        lift_op_set(lc, 0, LLVMBuildSelect(lc->b, lift_cond(lc, (unsigned)cc),
                                           src, old, ""));
        return true;
    }
    return false;
}
