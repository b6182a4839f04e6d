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
 * The profiler's sampler asks a thread for a sample by setting its
 * interrupt word; the thread walks its own stack at its next exit to the
 * dispatcher, where its state is exact (profile/unwind.c: the .eh_frame
 * rules of the code's ELF files).  That exit is the first loop back edge,
 * return, indirect jump or unit boundary after the tick.  When it is a
 * return, the sample belongs to the function that returned -- the tick
 * came after the last exit that could have stopped the thread, so in that
 * function, past any call it made (whose return would have stopped it)
 * -- and the thread says so: as a unit returns to cpu_run_chain it stores
 * the pc of the ret whose exit that is, or 0 (prof_ret).  Units that jump
 * to each other (the optimised tier's tail calls, the fast path) store
 * nothing: translated code costs nothing more per call or return when
 * profiled, and keeps no call stack.  (Sessions 9-11 kept a shadow stack,
 * stores at every call and return: Lua's C API 1.2x with the profiler
 * on; publishing {pc, esp} at calls and returns instead, 1.1x.) */

/* A plain store just before the unit returns, like eip's: no guest
 * access follows it, so it needs no alias scope (the per-call stores of
 * sessions 9-12 did, to keep guest values live across them). */
void lift_prof_exit(struct lift_ctx *lc)
{
    if (lc->env && lc->env->profile)
        LLVMBuildStore(lc->b, lift_i32(lc, lc->prof_ret_pc),
                       lift_state_ptr(lc, CPU_OFF_PROF_RET));
}

static void lift_jmp(struct lift_ctx *lc)
{
    if (is_direct(lc)) {
        lift_end_direct(lc, direct_target(lc));
        return;
    }
    lift_end_indirect(lc, indirect_target(lc));
}

/* The register a "call" to t loads with its return address when t is
 * "mov (%esp), REG; ret" (8b /r with SIB 24, c3): __x86.get_pc_thunk.REG,
 * which i386 PIC code calls in most function prologues.  -1 otherwise. */
static int pc_thunk_reg(struct lift_ctx *lc, guest_addr_t t)
{
    uint8_t b[4];
    /* (Read as the unit's bytes only when it is one: a callee's first
     * bytes are no concern of its callers otherwise.) */
    if (lc->code->read(lc->code->ctx, t, b, sizeof(b)) < sizeof(b) ||
        b[0] != 0x8b || (b[1] & 0xc7) != 0x04 || b[2] != 0x24 ||
        b[3] != 0xc3 || ((b[1] >> 3) & 7) == REG_ESP ||
        lift_read_code(lc, t, b, sizeof(b)) < sizeof(b))
        return -1;
    return (b[1] >> 3) & 7;
}

static void lift_call_insn(struct lift_ctx *lc)
{
    unsigned w = lc->insn->operand_width;
    int thunk = is_direct(lc) && w == 32 ? pc_thunk_reg(lc, direct_target(lc))
                                         : -1;
    if (thunk >= 0) {
        /* What the thunk does, inline: the push (its store stays), the
         * load, the return.  A first-tier unit then leaves for the
         * return address (a chained exit, not the thunk's return through
         * the branch table): going on there ran through the bodies of
         * the PIC functions a region calls, and Lua's work.lua translated
         * 61% more guest code (275k instead of 170k instructions) and
         * compiled 45% longer; --aot, which optimises every function it
         * finds, twice as long.  The optimising tier's units, made for
         * hot code only, go on in their region, so a PIC callee they take
         * in runs there up to its ret and back into the caller (Lua
         * n-body 200k 2.57 -> 2.14 s: luaH_getshortstr was two more units
         * and a return through the branch table per call).  The thunk's
         * bytes count as the unit's, so a change to them invalidates it. */
        LLVMValueRef sp = lift_gpr_get(lc, REG_ESP);
        lift_push(lc, lift_i32(lc, lc->next_pc));
        lift_gpr_set(lc, REG_ESP, sp);
        lift_gpr_set(lc, (unsigned)thunk, lift_i32(lc, lc->next_pc));
        if (lc->env && lc->env->predict && !lc->env->count)
            lift_end_direct(lc, lc->next_pc);
        else
            lift_end_chain(lc, lc->next_pc);
        return;
    }
    lift_note_succ(lc, lc->next_pc); /* where the callee returns to */
    if (is_direct(lc)) {
        guest_addr_t t = direct_target(lc);
        lift_push(lc, lift_const(lc, w, lc->next_pc));
        lift_end_call(lc, t, lc->next_pc);
        return;
    }
    /* The target is read before the push (it may be addressed via ESP). */
    LLVMValueRef t = indirect_target(lc);
    lift_push(lc, lift_const(lc, w, lc->next_pc));
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
    lc->prof_ret_pc = lc->pc;
    lift_end_ret(lc, t);
    lc->prof_ret_pc = 0;
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
