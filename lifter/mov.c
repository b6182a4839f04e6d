/* Data movement: mov/movzx/movsx/lea, the stack (push/pop, pusha/popa,
 * pushf/popf, enter/leave), lahf/sahf, sign extensions, bswap, nop.
 *
 * Deviations: loading a segment register other than FS/GS only records the
 * selector (Linux gives every process flat segments); ENTER supports
 * nesting level 0 only (others: SIGILL). */
#include "lift_internal.h"
#include "r386/zydis_seg.h"

static bool is_seg_op(const ZydisDecodedOperand *op)
{
    return cpu_seg_of_operand(op) >= 0;
}

static LLVMValueRef seg_sel_ptr(struct lift_ctx *lc, int s)
{
    return lift_state_ptr(lc, CPU_OFF_SEG_SEL + 2 * (unsigned)s);
}

/* A control or debug register operand: moves to or from them are #GP
 * outside ring 0. */
static bool is_sys_reg_op(const ZydisDecodedOperand *op)
{
    if (op->type != ZYDIS_OPERAND_TYPE_REGISTER)
        return false;
    ZydisRegisterClass c = ZydisRegisterGetClass(op->reg.value);
    return c == ZYDIS_REGCLASS_CONTROL || c == ZYDIS_REGCLASS_DEBUG;
}

/* Load segment register s with a selector (mov or pop to it). */
static void load_seg(struct lift_ctx *lc, int s, LLVMValueRef v)
{
    LLVMBuildStore(lc->b, lift_resize(lc, v, 16), seg_sel_ptr(lc, s));
    lift_call_helper(lc, LIFTER_HELPER_LOAD_SEGS,
                     LLVMVoidTypeInContext(lc->ctx));
}

/* mov to or from a segment register. */
static bool lift_mov_seg(struct lift_ctx *lc)
{
    const ZydisDecodedOperand *dst = lift_op(lc, 0), *src = lift_op(lc, 1);
    if (is_seg_op(dst)) {
        int s = cpu_seg_of(dst->reg.value);
        if (s == SEG_CS)
            return false; /* mov to CS is #UD */
        load_seg(lc, s, lift_op_get(lc, 1));
        return true;
    }
    int s = cpu_seg_of(src->reg.value);
    LLVMValueRef v = LLVMBuildLoad2(lc->b, lc->i16, seg_sel_ptr(lc, s), "");
    /* To a 32-bit register the selector is zero-extended. */
    lift_op_set(lc, 0, lift_zext(lc, v, lift_op_bits(lc, 0)));
    return true;
}

static void lift_pusha(struct lift_ctx *lc, unsigned bits)
{
    LLVMValueRef sp = lift_gpr_get(lc, REG_ESP);
    for (int r = REG_EAX; r <= REG_EDI; r++) {
        LLVMValueRef v = r == REG_ESP ? lift_resize(lc, sp, bits)
                                      : lift_gpr_get_w(lc, r, bits);
        lift_push(lc, v);
    }
}

static void lift_popa(struct lift_ctx *lc, unsigned bits)
{
    for (int r = REG_EDI; r >= REG_EAX; r--) {
        LLVMValueRef v = lift_pop(lc, bits);
        if (r != REG_ESP) /* the saved ESP is skipped */
            lift_gpr_set_w(lc, r, bits, v);
    }
}

static void lift_enter(struct lift_ctx *lc)
{
    uint32_t size = (uint32_t)lift_op(lc, 0)->imm.value.u & 0xffff;
    unsigned bits = lc->insn->operand_width;
    lift_push(lc, lift_gpr_get_w(lc, REG_EBP, bits));
    LLVMValueRef frame = lift_gpr_get(lc, REG_ESP);
    lift_gpr_set_w(lc, REG_EBP, bits, lift_resize(lc, frame, bits));
    lift_gpr_set(lc, REG_ESP,
                 LLVMBuildSub(lc->b, frame, lift_i32(lc, size), ""));
}

static void lift_leave(struct lift_ctx *lc)
{
    unsigned bits = lc->insn->operand_width;
    lift_gpr_set(lc, REG_ESP, lift_gpr_get(lc, REG_EBP));
    lift_gpr_set_w(lc, REG_EBP, bits, lift_pop(lc, bits));
}

/* CBW/CWDE: sign-extend the low half of the accumulator into it. */
static void lift_extend_acc(struct lift_ctx *lc, unsigned bits)
{
    LLVMValueRef v = lift_gpr_get_w(lc, REG_EAX, bits / 2);
    lift_gpr_set_w(lc, REG_EAX, bits, lift_sext(lc, v, bits));
}

/* CWD/CDQ: DX:AX or EDX:EAX = sign extension of AX/EAX. */
static void lift_extend_dx(struct lift_ctx *lc, unsigned bits)
{
    LLVMValueRef v = lift_gpr_get_w(lc, REG_EAX, bits);
    LLVMValueRef s = LLVMBuildAShr(lc->b, v, lift_const(lc, bits, bits - 1),
                                   "");
    lift_gpr_set_w(lc, REG_EDX, bits, s);
}

static void lift_pushf(struct lift_ctx *lc, unsigned bits)
{
    /* VM and RF read as 0 in the pushed image. */
    LLVMValueRef f = lift_eflags_get(lc);
    f = LLVMBuildAnd(lc->b, f, lift_i32(lc, ~0x30000u), "");
    lift_push(lc, lift_resize(lc, f, bits));
}

static void lift_popf(struct lift_ctx *lc, unsigned bits)
{
    LLVMValueRef v = lift_zext(lc, lift_pop(lc, bits), 32);
    uint32_t mask = EFLAGS_USER_MASK & ~EFLAGS_TF; /* no single-stepping */
    if (bits == 16)
        mask &= 0xffff;
    lift_eflags_set(lc, v, mask);
}

/* LAHF/SAHF: AH <-> SF ZF 0 AF 0 PF 1 CF. */
static void lift_lahf(struct lift_ctx *lc)
{
    LLVMValueRef f = lift_eflags_get(lc);
    LLVMValueRef ah = LLVMBuildAnd(lc->b, f, lift_i32(lc, 0xd5), "");
    ah = LLVMBuildOr(lc->b, ah, lift_i32(lc, 2), "");
    lift_gpr_set_w(lc, 4 /* AH */, 8, lift_trunc(lc, ah, 8));
}

static void lift_sahf(struct lift_ctx *lc)
{
    LLVMValueRef ah = lift_zext(lc, lift_gpr_get_w(lc, 4 /* AH */, 8), 32);
    lift_eflags_set(lc, ah,
                    EFLAGS_SF | EFLAGS_ZF | EFLAGS_AF | EFLAGS_PF | EFLAGS_CF);
}

static LLVMValueRef bswap(struct lift_ctx *lc, LLVMValueRef v)
{
    return lift_call(lc, "llvm.bswap.i32", lc->i32, &v, 1);
}

bool lift_mov(struct lift_ctx *lc)
{
    unsigned w = lc->insn->operand_width;
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_MOV:
        if (is_sys_reg_op(lift_op(lc, 0)) || is_sys_reg_op(lift_op(lc, 1))) {
            lift_end_exit(lc, CPU_EXIT_PRIV, lift_i32(lc, lc->pc));
            return true;
        }
        if (is_seg_op(lift_op(lc, 0)) || is_seg_op(lift_op(lc, 1)))
            return lift_mov_seg(lc);
        lift_op_set(lc, 0, lift_op_get(lc, 1));
        return true;
    case ZYDIS_MNEMONIC_MOVZX:
        lift_op_set(lc, 0, lift_zext(lc, lift_op_get(lc, 1),
                                     lift_op_bits(lc, 0)));
        return true;
    case ZYDIS_MNEMONIC_MOVSX:
        lift_op_set(lc, 0, lift_sext(lc, lift_op_get(lc, 1),
                                     lift_op_bits(lc, 0)));
        return true;
    case ZYDIS_MNEMONIC_LEA:
        lift_op_set(lc, 0, lift_resize(lc, lift_op_ea(lc, 1),
                                       lift_op_bits(lc, 0)));
        return true;
    case ZYDIS_MNEMONIC_PUSH: {
        const ZydisDecodedOperand *op = lift_op(lc, 0);
        if (is_seg_op(op)) {
            LLVMValueRef sel = LLVMBuildLoad2(
                lc->b, lc->i16, seg_sel_ptr(lc, cpu_seg_of(op->reg.value)), "");
            lift_push(lc, lift_zext(lc, sel, w));
            return true;
        }
        /* push %esp pushes the value before the push. */
        lift_push(lc, lift_resize(lc, lift_op_get(lc, 0), w));
        return true;
    }
    case ZYDIS_MNEMONIC_POP: {
        const ZydisDecodedOperand *op = lift_op(lc, 0);
        if (is_seg_op(op)) {
            /* pop %es/%ss/%ds/%fs/%gs (there is no pop %cs): a 32-bit pop
             * takes 4 bytes and uses the low 16. */
            load_seg(lc, cpu_seg_of(op->reg.value), lift_pop(lc, w));
            return true;
        }
        LLVMValueRef v = lift_pop(lc, w);
        /* pop to memory addressed through ESP uses the incremented ESP,
         * which lift_op_set sees because ESP is already updated. */
        lift_op_set(lc, 0, v);
        return true;
    }
    case ZYDIS_MNEMONIC_PUSHA:
    case ZYDIS_MNEMONIC_PUSHAD:
        lift_pusha(lc, w);
        return true;
    case ZYDIS_MNEMONIC_POPA:
    case ZYDIS_MNEMONIC_POPAD:
        lift_popa(lc, w);
        return true;
    case ZYDIS_MNEMONIC_PUSHF:
    case ZYDIS_MNEMONIC_PUSHFD:
        lift_pushf(lc, w);
        return true;
    case ZYDIS_MNEMONIC_POPF:
    case ZYDIS_MNEMONIC_POPFD:
        lift_popf(lc, w);
        return true;
    case ZYDIS_MNEMONIC_LAHF:
        lift_lahf(lc);
        return true;
    case ZYDIS_MNEMONIC_SAHF:
        lift_sahf(lc);
        return true;
    case ZYDIS_MNEMONIC_ENTER:
        if ((lift_op(lc, 1)->imm.value.u & 31) != 0)
            return false;
        lift_enter(lc);
        return true;
    case ZYDIS_MNEMONIC_LEAVE:
        lift_leave(lc);
        return true;
    case ZYDIS_MNEMONIC_CBW:
    case ZYDIS_MNEMONIC_CWDE:
        lift_extend_acc(lc, w);
        return true;
    case ZYDIS_MNEMONIC_CWD:
    case ZYDIS_MNEMONIC_CDQ:
        lift_extend_dx(lc, w);
        return true;
    case ZYDIS_MNEMONIC_BSWAP:
        if (w != 32)
            return false; /* 16-bit BSWAP is undefined */
        lift_op_set(lc, 0, bswap(lc, lift_op_get(lc, 0)));
        return true;
    case ZYDIS_MNEMONIC_NOP:
        return true;
    default:
        return false;
    }
}
