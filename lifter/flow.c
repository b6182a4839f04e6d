/* Control flow: jmp, jcc, call, ret, loop/loope/loopne, jcxz/jecxz.
 * Each of them ends the unit.  Direct targets are chained; indirect ones
 * (jmp/call through a register or memory, ret) go back to the dispatcher.
 *
 * Deviation: with a 16-bit operand size the target is truncated to 16 bits
 * as on hardware, but such code is not expected in Linux programs. */
#include <stddef.h>

#include "lift_internal.h"

/* The absolute target of a relative branch operand. */
static guest_addr_t direct_target(struct lift_ctx *lc)
{
    ZyanU64 t = 0;
    ZydisCalcAbsoluteAddress(lc->insn, lift_op(lc, 0), lc->pc, &t);
    if (lc->insn->operand_width == 16)
        t &= 0xffff;
    return (guest_addr_t)t;
}

static bool is_direct(struct lift_ctx *lc)
{
    const ZydisDecodedOperand *op = lift_op(lc, 0);
    return op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op->imm.is_relative;
}

static LLVMValueRef indirect_target(struct lift_ctx *lc)
{
    return lift_zext(lc, lift_op_get(lc, 0), 32);
}

/* ---- profiling (lifter_env.profile) ----
 * The sampler thread of profile/ reads, for each guest thread, insn_pc as
 * "where the thread is" and the shadow call stack as "who called it".
 * insn_pc is stored before guest memory accesses (operand.c); storing the
 * target of calls, returns and indirect jumps too keeps it inside the
 * running function even when the function touches no memory.  These
 * stores come after the instruction's own accesses, so a fault still
 * reports the faulting instruction's pc. */

static void prof_set_pc(struct lift_ctx *lc, LLVMValueRef target32)
{
    if (!lc->env->profile)
        return;
    LLVMValueRef s = LLVMBuildStore(lc->b, target32,
                                    lift_state_ptr(lc, CPU_OFF_INSN_PC));
    LLVMSetVolatile(s, 1);
}

static LLVMValueRef prof_stack(struct lift_ctx *lc)
{
    return LLVMBuildLoad2(lc->b, lc->ptr,
                          lift_state_ptr(lc, CPU_OFF_PROF_STACK), "");
}

/* The frame at depth d, as one i64 slot: frames are {ret, esp} pairs of
 * 8 bytes after the 8-byte header (cpu.h), so slot d % N + 1 of the stack
 * seen as i64s.  The shadow stack is plain memory to LLVM (a push and a
 * pop in one unit fold); the sampler tolerates stores in any order.  No
 * branches here: a block split in the middle of a guest block costs
 * register spills at -O0. */
_Static_assert(CPU_PROF_OFF_FRAME == 8 &&
                   sizeof(struct cpu_prof_frame) == 8 &&
                   offsetof(struct cpu_prof_frame, esp) == 4,
               "frame d is i64 slot d + 1, esp in its high half");
static LLVMValueRef prof_frame(struct lift_ctx *lc, LLVMValueRef st,
                               LLVMValueRef d)
{
    LLVMValueRef slot = LLVMBuildAdd(
        lc->b,
        lift_zext(lc, LLVMBuildAnd(lc->b, d,
                                   lift_i32(lc, CPU_PROF_FRAMES - 1), ""),
                  64),
        lift_const(lc, 64, 1), "");
    return LLVMBuildGEP2(lc->b, lc->i64, st, &slot, 1, "");
}

/* After a call's push: frame[depth % N] = {return address, esp}, in one
 * store. */
static void prof_push(struct lift_ctx *lc, guest_addr_t ret)
{
    if (!lc->env->profile)
        return;
    LLVMValueRef st = prof_stack(lc);
    LLVMValueRef d = LLVMBuildLoad2(lc->b, lc->i32, st, "");
    LLVMValueRef esp = LLVMBuildShl(
        lc->b, lift_zext(lc, lift_gpr_get(lc, REG_ESP), 64),
        lift_const(lc, 64, 32), "");
    LLVMBuildStore(lc->b, LLVMBuildOr(lc->b, esp, lift_const(lc, 64, ret), ""),
                   prof_frame(lc, st, d));
    LLVMBuildStore(lc->b, LLVMBuildAdd(lc->b, d, lift_i32(lc, 1), ""), st);
}

/* After a return: depth - 1, not below 0.  For "ret N" (target not
 * NULL) only when the top frame is the call returned to: ld.so's lazy
 * binding jumps into the function it resolved with a "ret $12"; plain
 * returns are not checked (it costs every call).  Frames a longjmp
 * skipped are the dispatcher's to drop (profile_thread_sync). */
static void prof_pop(struct lift_ctx *lc, LLVMValueRef target)
{
    if (!lc->env->profile)
        return;
    LLVMValueRef st = prof_stack(lc);
    LLVMValueRef d = LLVMBuildLoad2(lc->b, lc->i32, st, "");
    LLVMValueRef dm1 = LLVMBuildSub(lc->b, d, lift_i32(lc, 1), "");
    LLVMValueRef pop = LLVMBuildICmp(lc->b, LLVMIntNE, d, lift_i32(lc, 0), "");
    if (target) {
        LLVMValueRef ret = LLVMBuildLoad2(lc->b, lc->i32,
                                          prof_frame(lc, st, dm1), "");
        pop = LLVMBuildAnd(lc->b, pop,
                           LLVMBuildICmp(lc->b, LLVMIntEQ, ret, target, ""),
                           "");
    }
    LLVMBuildStore(lc->b, LLVMBuildSelect(lc->b, pop, dm1, d, ""), st);
}

static void lift_jmp(struct lift_ctx *lc)
{
    if (is_direct(lc)) {
        lift_end_direct(lc, direct_target(lc));
        return;
    }
    LLVMValueRef t = indirect_target(lc);
    prof_set_pc(lc, t); /* PLT stubs, tail calls through pointers */
    lift_end_indirect(lc, t);
}

static void lift_call_insn(struct lift_ctx *lc)
{
    unsigned w = lc->insn->operand_width;
    lift_note_succ(lc, lc->next_pc); /* where the callee returns to */
    if (is_direct(lc)) {
        guest_addr_t t = direct_target(lc);
        lift_push(lc, lift_const(lc, w, lc->next_pc));
        /* "call 1f; 1: pop %ebx" (old PIC code) never returns. */
        if (t != lc->next_pc)
            prof_push(lc, lc->next_pc);
        prof_set_pc(lc, lift_i32(lc, t));
        lift_end_direct(lc, t);
        return;
    }
    /* The target is read before the push (it may be addressed via ESP). */
    LLVMValueRef t = indirect_target(lc);
    lift_push(lc, lift_const(lc, w, lc->next_pc));
    prof_push(lc, lc->next_pc);
    prof_set_pc(lc, t);
    lift_end_indirect(lc, t);
}

static void lift_ret(struct lift_ctx *lc)
{
    unsigned w = lc->insn->operand_width;
    LLVMValueRef t = lift_zext(lc, lift_pop(lc, w), 32);
    if (lc->insn->operand_count_visible > 0) {
        uint32_t n = (uint32_t)lift_op(lc, 0)->imm.value.u & 0xffff;
        LLVMValueRef sp = lift_gpr_get(lc, REG_ESP);
        lift_gpr_set(lc, REG_ESP,
                     LLVMBuildAdd(lc->b, sp, lift_i32(lc, n), ""));
    }
    prof_pop(lc, lc->insn->operand_count_visible > 0 ? t : NULL);
    prof_set_pc(lc, t);
    lift_end_indirect(lc, t);
}

/* The count register of loop/jcxz: CX or ECX by address size. */
static unsigned count_bits(struct lift_ctx *lc)
{
    return lc->insn->address_width;
}

static void lift_loop(struct lift_ctx *lc, int zf_cond)
{
    unsigned bits = count_bits(lc);
    LLVMValueRef c = lift_gpr_get_w(lc, REG_ECX, bits);
    c = LLVMBuildSub(lc->b, c, lift_const(lc, bits, 1), "");
    lift_gpr_set_w(lc, REG_ECX, bits, c);
    LLVMValueRef go = LLVMBuildICmp(lc->b, LLVMIntNE, c,
                                    lift_const(lc, bits, 0), "");
    if (zf_cond >= 0) {
        LLVMValueRef zf = lift_flag_get(lc, FLAG_ZF);
        if (!zf_cond)
            zf = LLVMBuildNot(lc->b, zf, "");
        go = LLVMBuildAnd(lc->b, go, zf, "");
    }
    lift_end_branch(lc, go, direct_target(lc), lc->next_pc);
}

static void lift_jcxz(struct lift_ctx *lc, unsigned bits)
{
    LLVMValueRef c = lift_gpr_get_w(lc, REG_ECX, bits);
    LLVMValueRef z = LLVMBuildICmp(lc->b, LLVMIntEQ, c,
                                   lift_const(lc, bits, 0), "");
    lift_end_branch(lc, z, direct_target(lc), lc->next_pc);
}

bool lift_flow(struct lift_ctx *lc)
{
    ZydisMnemonic m = lc->insn->mnemonic;
    switch (m) {
    case ZYDIS_MNEMONIC_JMP:
        if (lift_op(lc, 0)->type == ZYDIS_OPERAND_TYPE_POINTER)
            return false; /* far jumps: #GP in a Linux process */
        if (lift_op(lc, 0)->type == ZYDIS_OPERAND_TYPE_MEMORY &&
            lc->insn->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
            return false;
        lift_jmp(lc);
        return true;
    case ZYDIS_MNEMONIC_CALL:
        if (lc->insn->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
            return false;
        lift_call_insn(lc);
        return true;
    case ZYDIS_MNEMONIC_RET:
        lift_ret(lc);
        return true;
    case ZYDIS_MNEMONIC_LOOP:
        lift_loop(lc, -1);
        return true;
    case ZYDIS_MNEMONIC_LOOPE:
        lift_loop(lc, 1);
        return true;
    case ZYDIS_MNEMONIC_LOOPNE:
        lift_loop(lc, 0);
        return true;
    case ZYDIS_MNEMONIC_JCXZ:
        lift_jcxz(lc, 16);
        return true;
    case ZYDIS_MNEMONIC_JECXZ:
        lift_jcxz(lc, 32);
        return true;
    default:
        break;
    }
    /* Jcc: a condition mnemonic spelled J... (not SETcc or CMOVcc). */
    int cc = lift_cond_of(m);
    if (cc < 0 || ZydisMnemonicGetString(m)[0] != 'j')
        return false;
    lift_end_branch(lc, lift_cond(lc, (unsigned)cc), direct_target(lc),
                    lc->next_pc);
    return true;
}
