/* The unit loop: decode guest instructions one after another with Zydis,
 * hand each to its instruction class, and close the unit at the first
 * instruction that changes control flow (or that the lifter cannot lift).
 *
 * An unknown instruction ends the unit with CPU_EXIT_SIGILL at its pc, so
 * the guest gets SIGILL exactly there; nothing is ever skipped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lift_internal.h"

/* A unit is a region: the guest block at its pc and the blocks its direct
 * branches lead to, while these bounds allow.  Larger units let LLVM keep
 * registers and flags in host registers across guest blocks (loops become
 * LLVM loops) and spread the fixed cost of compiling a function. */
#define UNIT_MAX_INSNS 256   /* in one straight-line guest block */
#define REGION_MAX_BLOCKS 64 /* == size of lift_ctx.block_pc */
#define REGION_MAX_INSNS 128
/* Past the budget, while the x87 stack holds values the unit pushed (the
 * x87 cache, optimised units) -- at most this many more instructions: see
 * region_block. */
#define REGION_X87_OVERRUN 64

struct lifter *lifter_create(void)
{
    struct lifter *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&l->decoder,
                                       ZYDIS_MACHINE_MODE_LEGACY_32,
                                       ZYDIS_STACK_WIDTH_32)) ||
        !ZYAN_SUCCESS(ZydisFormatterInit(&l->formatter,
                                         ZYDIS_FORMATTER_STYLE_ATT))) {
        free(l);
        return NULL;
    }
    return l;
}

void lifter_destroy(struct lifter *l)
{
    free(l);
}

const char *lifter_format(const struct lifter *l, guest_addr_t pc,
                          const uint8_t *bytes, size_t len, char *buf,
                          size_t buflen)
{
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&l->decoder, bytes, len, &insn,
                                             ops)) ||
        !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(
            &l->formatter, &insn, ops, insn.operand_count_visible, buf,
            buflen, pc, NULL)))
        snprintf(buf, buflen, "(undecodable)");
    return buf;
}

LLVMBasicBlockRef lift_block(struct lift_ctx *lc, const char *name)
{
    return LLVMAppendBasicBlockInContext(lc->ctx, lc->fn, name);
}

LLVMValueRef lift_alloca(struct lift_ctx *lc, LLVMTypeRef t)
{
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(lc->b);
    /* (Positioning before an instruction takes its debug location too:
     * the current instruction's is given back.) */
    LLVMMetadataRef loc = LLVMGetCurrentDebugLocation2(lc->b);
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(lc->fn);
    LLVMValueRef first = LLVMGetFirstInstruction(entry);
    if (first)
        LLVMPositionBuilderBefore(lc->b, first);
    else
        LLVMPositionBuilderAtEnd(lc->b, entry);
    LLVMValueRef a = LLVMBuildAlloca(lc->b, t, "");
    LLVMPositionBuilderAtEnd(lc->b, cur);
    LLVMSetCurrentDebugLocation2(lc->b, loc);
    return a;
}

static void store_eip(struct lift_ctx *lc, LLVMValueRef eip32)
{
    LLVMBuildStore(lc->b, eip32, lift_state_ptr(lc, CPU_OFF_EIP));
}

/* Return v (i64) from the unit.  In code for LLVM's fast instruction
 * selector (the first tier) every return goes through one block: it does
 * not lower a return under the units' calling convention (LIFTER_UNIT_CC)
 * and hands each block that has one to SelectionDAG, which made the first
 * tier's compile nearly twice as slow. */
static void lift_ret(struct lift_ctx *lc, LLVMValueRef v)
{
    if (lc->env && lc->env->tail_calls) {
        LLVMBuildRet(lc->b, v);
        return;
    }
    LLVMBasicBlockRef here = LLVMGetInsertBlock(lc->b);
    if (!lc->ret_bb) {
        lc->ret_bb = lift_block(lc, "exit");
        LLVMPositionBuilderAtEnd(lc->b, lc->ret_bb);
        lc->ret_phi = LLVMBuildPhi(lc->b, lc->i64, "");
        LLVMBuildRet(lc->b, lc->ret_phi);
        LLVMPositionBuilderAtEnd(lc->b, here);
    }
    LLVMAddIncoming(lc->ret_phi, &v, &here, 1);
    LLVMBuildBr(lc->b, lc->ret_bb);
}

void lift_end_exit(struct lift_ctx *lc, enum cpu_exit kind,
                   LLVMValueRef eip32)
{
    lift_state_flush(lc);
    store_eip(lc, eip32);
    lift_prof_exit(lc);
    lift_ret(lc, lift_const(lc, 64, kind));
    lc->ended = true;
}

void lift_note_succ(struct lift_ctx *lc, guest_addr_t pc)
{
    struct lifter_unit *u = lc->unit;
    for (unsigned i = 0; i < u->nsucc; i++)
        if (u->succ[i] == pc)
            return;
    if (u->nsucc < LIFTER_MAX_SUCC)
        u->succ[u->nsucc++] = pc;
}

/* Does region block from reach block to through the edges lifted so far? */
static bool region_reaches(const struct lift_ctx *lc, unsigned from,
                           unsigned to)
{
    uint64_t seen = UINT64_C(1) << from, frontier = seen;
    while (frontier) {
        uint64_t next = 0;
        for (uint64_t f = frontier; f; f &= f - 1)
            next |= lc->block_succ[__builtin_ctzll(f)];
        frontier = next & ~seen;
        seen |= next;
    }
    return seen & (UINT64_C(1) << to);
}

/* The index of the region block at pc, -1 when there is none. */
static int region_find(const struct lift_ctx *lc, guest_addr_t pc)
{
    for (unsigned i = 0; i < lc->nblocks; i++)
        if (lc->block_pc[i] == pc)
            return (int)i;
    return -1;
}

/* May the region take a block past its instruction budget?  While the
 * x87 stack holds values the unit pushed: a unit that ended there stored
 * them (FSTP m80) for the next one to load again (FLD m80), a store the
 * load cannot take its value from while it is in flight.  gcc's code has
 * such branches wherever handlers share a tail: Lua's arithmetic handlers
 * push their operands and jump to one `fmulp; fstpl; dispatch`. */
static bool region_overrun_ok(const struct lift_ctx *lc)
{
    return lc->x87c.on && !lc->x87c.bypass && lc->x87c.depth > 0 &&
           lc->x87_overrun < REGION_X87_OVERRUN;
}

/* The basic block of the region block at target, created (and queued for
 * lifting) when target is new and the region may still grow; NULL when
 * the branch has to leave the unit.  The edge is recorded; *loop: it
 * closes a cycle of region blocks.  (Every cycle is found: when its last
 * edge is lifted, the others are known.) */
static LLVMBasicBlockRef region_block(struct lift_ctx *lc, guest_addr_t target,
                                      bool *loop)
{
    *loop = false;
    int i = region_find(lc, target);
    if (i >= 0) {
        lc->block_succ[lc->cur_block] |= UINT64_C(1) << i;
        *loop = region_reaches(lc, (unsigned)i, lc->cur_block);
        return lc->block_bb[i];
    }
    uint8_t b;
    if (!lc->code || lc->nblocks == REGION_MAX_BLOCKS ||
        (lc->insn_budget == 0 && !region_overrun_ok(lc)) || lc->one_block ||
        (lc->code->writable && lc->code->writable(lc->code->ctx, target)) ||
        lc->code->read(lc->code->ctx, target, &b, 1) != 1 ||
        lift_cold(lc, target))
        return NULL;
    char name[24];
    snprintf(name, sizeof(name), "g_%08x", target);
    lc->block_pc[lc->nblocks] = target;
    lc->block_ctx[lc->nblocks] = (uint8_t)(
        lc->new_ctx >= 0 ? lc->new_ctx : lc->block_ctx[lc->cur_block]);
    lc->block_bb[lc->nblocks] = lift_block(lc, name);
    lift_x87_block_new(lc, lc->nblocks);
    lc->block_succ[lc->cur_block] |= UINT64_C(1) << lc->nblocks;
    return lc->block_bb[lc->nblocks++];
}

/* The address of pc's chain cell (lifter.h): loaded from the module's
 * global for it, declared here on first use. */
static LLVMValueRef cell_of(struct lift_ctx *lc, guest_addr_t pc)
{
    char name[32];
    snprintf(name, sizeof(name), LIFTER_CELL_PREFIX "%08x", pc);
    LLVMModuleRef m = LLVMGetGlobalParent(lc->fn);
    LLVMValueRef g = LLVMGetNamedGlobal(m, name);
    if (!g)
        g = LLVMAddGlobal(m, lc->ptr, name);
    return LLVMBuildLoad2(lc->b, lc->ptr, g, "cell");
}

/* A branch back to a block of the region (a loop) in counted first-tier
 * code, or in code the guest may write: when the optimising tier has
 * replaced this unit meanwhile, or a write to its guest code has dropped
 * it (its cell no longer holds this function), leave for the dispatcher,
 * so that a loop that never leaves the unit does not run the old code
 * forever. */
static void count_block(struct lift_ctx *lc);

static void loop_check(struct lift_ctx *lc, guest_addr_t target,
                       LLVMBasicBlockRef bb)
{
    if (lc->env->count)
        count_block(lc); /* an iteration counts as an entry */
    LLVMValueRef cellp = cell_of(lc, lc->unit->pc);
    LLVMValueRef now = LLVMBuildLoad2(lc->b, lc->i64, cellp, "");
    LLVMValueRef me = LLVMBuildPtrToInt(lc->b, lc->fn, lc->i64, "");
    LLVMValueRef moved = LLVMBuildICmp(lc->b, LLVMIntNE, now, me, "");
    LLVMBasicBlockRef ex = lift_block(lc, "replaced");
    LLVMBuildCondBr(lc->b, moved, ex, bb);
    LLVMPositionBuilderAtEnd(lc->b, ex);
    lift_end_exit(lc, CPU_EXIT_JUMP, lift_i32(lc, target));
}

bool lift_ends_lookahead(const ZydisDecodedInstruction *insn)
{
    switch (insn->meta.category) {
    case ZYDIS_CATEGORY_COND_BR:
    case ZYDIS_CATEGORY_UNCOND_BR:
    case ZYDIS_CATEGORY_CALL:
    case ZYDIS_CATEGORY_RET:
    case ZYDIS_CATEGORY_INTERRUPT:
    case ZYDIS_CATEGORY_SYSCALL:
    case ZYDIS_CATEGORY_SYSTEM:
        return true;
    default:
        return false;
    }
}

/* Does the instruction write the flags Zydis says it modifies in every
 * case?  Not shifts and rotates (a zero count leaves the flags) nor
 * rep-prefixed string instructions (ECX may be 0). */
static bool writes_flags_always(const ZydisDecodedInstruction *insn)
{
    switch (insn->mnemonic) {
    case ZYDIS_MNEMONIC_SHL: case ZYDIS_MNEMONIC_SHR: case ZYDIS_MNEMONIC_SAR:
    case ZYDIS_MNEMONIC_ROL: case ZYDIS_MNEMONIC_ROR: case ZYDIS_MNEMONIC_RCL:
    case ZYDIS_MNEMONIC_RCR: case ZYDIS_MNEMONIC_SHLD:
    case ZYDIS_MNEMONIC_SHRD:
        return false;
    default:
        return !(insn->attributes &
                 (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
                  ZYDIS_ATTRIB_HAS_REPNE));
    }
}

/* Read guest code for the translation, widening the unit's code range
 * (lifter_unit.code_lo/code_end) over the bytes obtained. */
/* Add [lo, lo + len) to u's ranges: merged into one it touches, else a
 * new one, else (all taken) the nearest one grows to cover it. */
static void add_range(struct lifter_unit *u, guest_addr_t lo, uint32_t len)
{
    uint64_t end = (uint64_t)lo + len;
    unsigned best = 0;
    uint64_t best_gap = UINT64_MAX;
    for (unsigned i = 0; i < u->nranges; i++) {
        struct lifter_range *r = &u->ranges[i];
        uint64_t rend = (uint64_t)r->lo + r->len;
        uint64_t gap = end < r->lo ? r->lo - end : lo > rend ? lo - rend : 0;
        if (gap < best_gap) {
            best_gap = gap;
            best = i;
        }
    }
    if (best_gap != 0 && u->nranges < LIFTER_MAX_RANGES) {
        u->ranges[u->nranges++] = (struct lifter_range){lo, len};
        return;
    }
    struct lifter_range *r = &u->ranges[best];
    uint64_t rend = (uint64_t)r->lo + r->len;
    if (lo < r->lo)
        r->lo = lo;
    r->len = (uint32_t)((end > rend ? end : rend) - r->lo);
}

size_t lift_read_code(struct lift_ctx *lc, guest_addr_t pc, uint8_t *buf,
                      size_t max)
{
    size_t n = lc->code->read(lc->code->ctx, pc, buf, max);
    struct lifter_unit *u = lc->unit;
    if (n < max)
        u->short_fetch = true;
    if (n) {
        add_range(u, pc, (uint32_t)n);
        if (u->code_end == 0 || pc < u->code_lo)
            u->code_lo = pc;
        if ((uint64_t)pc + n > u->code_end)
            u->code_end = (uint64_t)pc + n;
    }
    return n;
}

bool lift_peek(struct lift_ctx *lc, guest_addr_t pc,
               ZydisDecodedInstruction *insn)
{
    uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
    size_t avail = lift_read_code(lc, pc, bytes, sizeof(bytes));
    return avail && ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(
                        lc->decoder, NULL, bytes, avail, insn));
}

/* The arithmetic flags (bit FLAG_*) the code at pc may read before it
 * writes them, from the code a look-ahead decodes (peek, up to 48
 * instructions): those it does not write before an instruction peek
 * cannot decode or a control transfer count as read, and a flag an
 * instruction leaves undefined counts as written (its value is anyone's).
 * With follow, it goes on through direct jmps
 * and 32-bit calls, and a ret of such a call returns to the code after
 * it: most i386 PIC functions start with `push; call
 * __x86.get_pc_thunk.bx` (a `mov (%esp),%ebx; ret`) and then `add
 * $GOT,%ebx`, which writes them all. */
static unsigned flags_live_scan(bool (*peek)(void *ctx, guest_addr_t pc,
                                             ZydisDecodedInstruction *insn),
                                void *ctx, guest_addr_t pc, bool follow)
{
    static const uint32_t zflag[FLAG_COUNT] = {
        [FLAG_CF] = ZYDIS_CPUFLAG_CF, [FLAG_PF] = ZYDIS_CPUFLAG_PF,
        [FLAG_AF] = ZYDIS_CPUFLAG_AF, [FLAG_ZF] = ZYDIS_CPUFLAG_ZF,
        [FLAG_SF] = ZYDIS_CPUFLAG_SF, [FLAG_OF] = ZYDIS_CPUFLAG_OF,
    };
    uint32_t all = 0, live = 0, written = 0;
    for (int f = 0; f < FLAG_COUNT; f++)
        all |= zflag[f];
    guest_addr_t ret[4];
    unsigned depth = 0;
    for (int n = 0; n < 48 && (written & all) != all; n++) {
        ZydisDecodedInstruction insn;
        if (!peek(ctx, pc, &insn) || !insn.cpu_flags)
            break;
        live |= insn.cpu_flags->tested & ~written;
        if (writes_flags_always(&insn))
            written |= insn.cpu_flags->modified | insn.cpu_flags->set_0 |
                       insn.cpu_flags->set_1 | insn.cpu_flags->undefined;
        guest_addr_t next = pc + insn.length;
        if (!lift_ends_lookahead(&insn)) {
            pc = next;
            continue;
        }
        bool rel = follow && insn.raw.imm[0].is_relative &&
                   insn.operand_width == 32;
        guest_addr_t to = next + (guest_addr_t)insn.raw.imm[0].value.s;
        if (rel && insn.meta.category == ZYDIS_CATEGORY_UNCOND_BR) {
            pc = to;
        } else if (rel && insn.meta.category == ZYDIS_CATEGORY_CALL &&
                   depth < sizeof(ret) / sizeof(ret[0])) {
            ret[depth++] = next;
            pc = to;
        } else if (insn.mnemonic == ZYDIS_MNEMONIC_RET && depth > 0 &&
                   insn.operand_width == 32) {
            pc = ret[--depth];
        } else {
            break;
        }
    }
    live |= all & ~written;
    unsigned mask = 0;
    for (int f = 0; f < FLAG_COUNT; f++)
        if (live & zflag[f])
            mask |= 1u << f;
    return mask;
}

static bool peek_unit(void *ctx, guest_addr_t pc,
                      ZydisDecodedInstruction *insn)
{
    return lift_peek(ctx, pc, insn);
}

/* ... for the unit being lifted: its straight-line code only (the bytes
 * count as the unit's, and code elsewhere would add ranges to it). */
static unsigned flags_live_at(struct lift_ctx *lc, guest_addr_t pc)
{
    return flags_live_scan(peek_unit, lc, pc, false);
}

struct peek_code {
    const struct lifter *l;
    const struct lifter_code_source *code;
};

static bool peek_code(void *ctx, guest_addr_t pc,
                      ZydisDecodedInstruction *insn)
{
    const struct peek_code *p = ctx;
    uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
    size_t avail = p->code->read(p->code->ctx, pc, bytes, sizeof(bytes));
    return avail && ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(
                        &p->l->decoder, NULL, bytes, avail, insn));
}

bool lifter_flags_live(const struct lifter *l,
                       const struct lifter_code_source *code, guest_addr_t pc)
{
    struct peek_code p = {l, code};
    return flags_live_scan(peek_code, &p, pc, true) != 0;
}

/* Tail-call fn (a unit's code, or LIFTER_SYM_UNIT_BACK) with the unit's
 * registers, the guest pc eip32 and code64 as arguments (lifter.h). */
static void tail_call(struct lift_ctx *lc, LLVMValueRef fn,
                      LLVMValueRef eip32, LLVMValueRef code64)
{
    LLVMValueRef args[LIFTER_UNIT_NARGS] = {lc->state};
    for (int r = 0; r < REG_COUNT; r++)
        args[1 + r] = lift_gpr_get(lc, r);
    args[1 + REG_COUNT] = lc->mem_base_i64;
    args[2 + REG_COUNT] = eip32;
    args[3 + REG_COUNT] = code64;
    LLVMValueRef call = LLVMBuildCall2(lc->b, lc->unit_fn_type, fn, args,
                                       LIFTER_UNIT_NARGS, "");
    LLVMSetInstructionCallConv(call, LIFTER_UNIT_CC);
    LLVMSetTailCallKind(call, LLVMTailCallKindMustTail);
    LLVMBuildRet(lc->b, call);
}

/* An optimised unit's way back to cpu_run_chain with code64 (the next
 * code or an exit) and the guest pc eip32: LIFTER_SYM_UNIT_BACK stores
 * the registers and eip; the flags and x87 state are stored before. */
static void leave_back(struct lift_ctx *lc, LLVMValueRef code64,
                       LLVMValueRef eip32)
{
    LLVMValueRef back = LLVMGetNamedFunction(lc->mod, LIFTER_SYM_UNIT_BACK);
    if (!back) {
        back = LLVMAddFunction(lc->mod, LIFTER_SYM_UNIT_BACK, lc->unit_fn_type);
        LLVMSetFunctionCallConv(back, LIFTER_UNIT_CC);
    }
    lift_prof_exit(lc);
    tail_call(lc, back, eip32, code64);
}

/* Is a signal waiting for the dispatcher (cpu_state.interrupt)?  i1, read
 * afresh each time (volatile). */
static LLVMValueRef interrupt_pending(struct lift_ctx *lc)
{
    LLVMValueRef irq = LLVMBuildLoad2(
        lc->b, lc->i32, lift_state_ptr(lc, CPU_OFF_INTERRUPT), "irq");
    LLVMSetVolatile(irq, 1);
    return LLVMBuildICmp(lc->b, LLVMIntNE, irq, lift_i32(lc, 0), "");
}

/* A branch that may close a loop inside the region: leave the unit
 * (CPU_EXIT_INTERRUPT, eip = target) when a signal is pending, so that a
 * guest spinning in a loop still reaches the dispatcher's safe point.
 * One volatile load and branch; the exit stores only the flags the code
 * at target may read, so that the loop does not have to compute the
 * others.  (A handler's sigcontext may show stale values for those dead
 * flags, see docs/DEVIATIONS.md.)
 *
 * In code the optimiser sees, the way round also passes a compiler
 * barrier (a single-thread fence: no instruction on x86): guest loads and
 * stores are plain LLVM accesses, and without it LLVM may load a guest
 * word once before a loop that only reads it, or keep a store in a
 * register until the loop ends -- right for one thread, but a guest
 * thread spinning until another one's store shows (a lock, a flag,
 * `while (done == 0);`) would spin forever, where on x86 every
 * iteration's load sees the other CPU's store sooner or later
 * (tests/guest/spin.c).  Loads the guest's compiler left inside a loop
 * are there because it could not move them out, so little is lost. */
static void interrupt_check(struct lift_ctx *lc, guest_addr_t target)
{
    lc->has_loop = true;
    LLVMValueRef set = interrupt_pending(lc);
    LLVMBasicBlockRef ex = lift_block(lc, "interrupt");
    LLVMBasicBlockRef cont = lift_block(lc, "loop");
    LLVMBuildCondBr(lc->b, set, ex, cont);
    LLVMPositionBuilderAtEnd(lc->b, ex);
    unsigned live = flags_live_at(lc, target);
    if (lc->env && lc->env->tail_calls) { /* tier 2 and --aot (lifter.h) */
        lift_state_flush_exit(lc, live); /* (the stub stores the registers) */
        leave_back(lc, lift_const(lc, 64, CPU_EXIT_INTERRUPT),
                   lift_i32(lc, target));
    } else {
        lift_state_flush_live(lc, live);
        store_eip(lc, lift_i32(lc, target));
        lift_prof_exit(lc);
        lift_ret(lc, lift_const(lc, 64, CPU_EXIT_INTERRUPT));
    }
    LLVMPositionBuilderAtEnd(lc->b, cont);
    if (lc->env && lc->env->tail_calls)
        LLVMBuildFence(lc->b, LLVMAtomicOrderingSequentiallyConsistent, 1,
                       "");
}

/* Leave the unit for code64, the next unit's code or an exit below
 * CPU_EXIT_LIMIT, with eip32 the next pc: return it to cpu_run_chain, or
 * with env->tail_calls jump to the code at once when there is code and no
 * interrupt pending -- what cpu_run_chain would do next, without a return,
 * its loop and an indirect call that all transitions share.  Only the way
 * back to cpu_run_chain stores eip (and what lift_state_flush_exit left:
 * back_flags). */
static void leave_to(struct lift_ctx *lc, LLVMValueRef code64,
                     unsigned back_flags, LLVMValueRef eip32)
{
    LLVMBuilderRef b = lc->b;
    if (!lc->env->tail_calls) {
        store_eip(lc, eip32);
        lift_prof_exit(lc);
        lift_ret(lc, code64);
        return;
    }
    LLVMValueRef go = LLVMBuildAnd(
        b,
        LLVMBuildICmp(b, LLVMIntUGE, code64,
                      lift_const(lc, 64, CPU_EXIT_LIMIT), ""),
        LLVMBuildNot(b, interrupt_pending(lc), ""), "");
    LLVMBasicBlockRef tail = lift_block(lc, "tail");
    LLVMBasicBlockRef ret = lift_block(lc, "ret");
    LLVMBuildCondBr(b, go, tail, ret);
    LLVMPositionBuilderAtEnd(b, tail);
    /* (the next unit ignores the pc and code: no moves for them) */
    tail_call(lc, LLVMBuildIntToPtr(b, code64, lc->ptr, ""),
              LLVMGetPoison(lc->i32), LLVMGetPoison(lc->i64));
    LLVMPositionBuilderAtEnd(b, ret);
    lift_state_flush_flags(lc, back_flags); /* (lift_state_flush_exit) */
    leave_back(lc, code64, eip32);
}

void lift_end_direct(struct lift_ctx *lc, guest_addr_t target)
{
    bool loop;
    LLVMBasicBlockRef bb = region_block(lc, target, &loop);
    if (bb) {
        int depth = lift_x87_edge(lc, (unsigned)region_find(lc, target));
        if (loop)
            interrupt_check(lc, target);
        /* Also in code the guest may write: a loop whose code another
         * thread changes (its cell zeroed) leaves at its next iteration. */
        if (loop && lc->env && lc->env->chain &&
            (lc->env->count || lc->one_block))
            loop_check(lc, target, bb);
        else
            LLVMBuildBr(lc->b, bb);
        lc->ended = true;
        lc->x87c.depth = depth; /* for a second edge from here */
        return;
    }
    lift_end_chain(lc, target);
}

static void end_indirect(struct lift_ctx *lc, LLVMValueRef target32,
                         guest_addr_t site);

void lift_end_call(struct lift_ctx *lc, guest_addr_t target, guest_addr_t ret)
{
    unsigned k = lc->ncall_ctx;
    if (lc->insn->operand_width == 32 && /* (a 16-bit call's ret is too) */
        k < sizeof(lc->call_ctx) / sizeof(lc->call_ctx[0])) {
        lc->call_ctx[k].ret = ret;
        lc->call_ctx[k].outer = lc->block_ctx[lc->cur_block];
        lc->ncall_ctx++;
        lc->new_ctx = (int)k;
    }
    lift_end_direct(lc, target);
    lc->new_ctx = -1;
}

/* Branch on target32 == guess: the builder goes on in the block for the
 * equal case (named in), the other one's (named out) is returned. */
static LLVMBasicBlockRef branch_on_target(struct lift_ctx *lc,
                                          LLVMValueRef target32,
                                          guest_addr_t guess, const char *in,
                                          const char *out)
{
    LLVMValueRef same = LLVMBuildICmp(lc->b, LLVMIntEQ, target32,
                                      lift_i32(lc, guess), "");
    LLVMBasicBlockRef yes = lift_block(lc, in), no = lift_block(lc, out);
    LLVMBuildCondBr(lc->b, same, yes, no);
    LLVMPositionBuilderAtEnd(lc->b, yes);
    return no;
}

/* The ret_inline edge is a region edge like a direct branch's (a loop
 * through it is checked like any other); the profiler leaves rets alone:
 * it samples at exits, and a callee whose returns stayed inside its
 * caller's unit would lose its samples to the caller. */
void lift_end_ret(struct lift_ctx *lc, LLVMValueRef target32)
{
    unsigned c = lc->block_ctx[lc->cur_block];
    if (!c || lc->insn->operand_width != 32 || !lc->env || !lc->env->chain ||
        lc->env->profile) {
        end_indirect(lc, target32, 0);
        return;
    }
    guest_addr_t ret = lc->call_ctx[c].ret;
    LLVMBasicBlockRef other =
        branch_on_target(lc, target32, ret, "ret_inline", "ret_other");
    lc->new_ctx = lc->call_ctx[c].outer;
    lift_end_direct(lc, ret);
    lc->new_ctx = -1;
    LLVMPositionBuilderAtEnd(lc->b, other);
    end_indirect(lc, target32, 0);
}

void lift_end_chain(struct lift_ctx *lc, guest_addr_t target)
{
    lift_note_succ(lc, target);
    if (!lc->env || !lc->env->chain) {
        lift_end_exit(lc, CPU_EXIT_JUMP, lift_i32(lc, target));
        return;
    }
    lift_state_flush_exit(lc, ALL_FLAGS);
    /* Chain: hand the dispatcher whatever the cell for target holds now --
     * its code, or 0 (CPU_EXIT_JUMP) while it has none (optimised code
     * jumps to it instead, leave_to).  In the first tier a return instead
     * of a tail call keeps the unit within what LLVM's fast instruction
     * selector handles, and costs a return and an indirect call. */
    LLVMValueRef cellp = cell_of(lc, target);
    leave_to(lc, LLVMBuildLoad2(lc->b, lc->i64, cellp, ""), 0,
             lift_i32(lc, target));
    lc->ended = true;
}

/* Slot i32 of the indirect branch table at base: the code it holds, and
 * *hit (i1): whether it holds target32's; *flags (i64): its flags_live. */
static LLVMValueRef ibtc_probe(struct lift_ctx *lc, LLVMValueRef base,
                               LLVMValueRef i32, LLVMValueRef target32,
                               LLVMValueRef *hit, LLVMValueRef *flags)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef off = LLVMBuildMul(b, lift_zext(lc, i32, 64),
                                    lift_const(lc, 64, 8), "");
    LLVMValueRef slot = LLVMBuildGEP2(b, lc->i8, base, &off, 1, "");
    LLVMValueRef ent = LLVMBuildLoad2(b, lc->ptr, slot, "");
    LLVMValueRef epc = LLVMBuildLoad2(b, lc->i64, ent, "");
    LLVMValueRef eight = lift_const(lc, 64, 8);
    LLVMValueRef codep = LLVMBuildGEP2(b, lc->i8, ent, &eight, 1, "");
    *hit = LLVMBuildICmp(b, LLVMIntEQ, epc, lift_zext(lc, target32, 64), "");
    LLVMValueRef sixteen = lift_const(lc, 64, 16);
    *flags = LLVMBuildLoad2(b, lc->i64,
                            LLVMBuildGEP2(b, lc->i8, ent, &sixteen, 1, ""),
                            "");
    return LLVMBuildLoad2(b, lc->i64, codep, "");
}

uint64_t lifter_ibtc_find(const struct lifter_ibtc_entry *const *table,
                          uint32_t mask, uint32_t pc, uint32_t site)
{
    if (site)
        lift_site_note(site, pc);
    uint32_t set = lifter_ibtc_index(pc, mask) & ~1u;
    for (uint32_t way = 0; way < 2; way++) {
        const struct lifter_ibtc_entry *e =
            __atomic_load_n(&table[set | way], __ATOMIC_ACQUIRE);
        if (e->pc == pc)
            return __atomic_load_n(&e->code, __ATOMIC_ACQUIRE);
    }
    return 0;
}

void lift_end_indirect(struct lift_ctx *lc, LLVMValueRef target32)
{
    guest_addr_t p = lc->env && lc->env->ibtc ? lift_predicted(lc, lc->pc)
                                              : 0;
    if (!p) {
        end_indirect(lc, target32, lc->pc);
        return;
    }
    LLVMBasicBlockRef other =
        branch_on_target(lc, target32, p, "predicted", "unpredicted");
    if (lc->insn->mnemonic == ZYDIS_MNEMONIC_CALL)
        lift_end_call(lc, p, lc->next_pc);
    else
        lift_end_direct(lc, p);
    LLVMPositionBuilderAtEnd(lc->b, other);
    end_indirect(lc, target32, lc->pc);
}

/* The exit through the indirect branch table; site: the jmp or call whose
 * target the code notes (0: none, a ret).  Code that counts executions
 * notes them: the first tier's, and --aot's optimised code, made before
 * any run has noted a target, so that the optimising tier, taking it
 * again once it is hot, finds them. */
static void end_indirect(struct lift_ctx *lc, LLVMValueRef target32,
                         guest_addr_t site)
{
    if (!lc->env || !lc->env->ibtc) {
        lift_end_exit(lc, CPU_EXIT_JUMP, target32);
        return;
    }
    /* The inline probe's tail call stores the flags only when the table
     * says the target may read them first (lifter_ibtc_entry.flags_live):
     * code rarely does, and storing them was ~8% of Lua's time. */
    bool probe = lc->env->tail_calls && !(lc->env->count && site);
    lift_state_flush_exit(lc, probe ? 0 : ALL_FLAGS);
    LLVMBuilderRef b = lc->b;
    LLVMModuleRef m = LLVMGetGlobalParent(lc->fn);
    LLVMValueRef base = LLVMGetNamedGlobal(m, LIFTER_SYM_IBTC);
    if (!base)
        base = LLVMAddGlobal(m, lc->ptr, LIFTER_SYM_IBTC);
    if (!probe) {
        LLVMValueRef args[] = {base, lift_i32(lc, lc->env->ibtc_mask),
                               target32,
                               lift_i32(lc, site)};
        leave_to(lc, lift_call(lc, LIFTER_SYM_IBTC_FIND, lc->i64, args, 4),
                 0, target32);
        lc->ended = true;
        return;
    }
    /* Probe the target cache: same hash as lifter_ibtc_index(). */
    LLVMValueRef h = LLVMBuildXor(b, target32,
                                  LLVMBuildLShr(b, target32, lift_i32(lc, 10),
                                                ""), "");
    h = LLVMBuildAnd(b, h, lift_i32(lc, lc->env->ibtc_mask), "");
    /* Its two-way set (lifter.h): the first way, and only when that
     * misses, the second. */
    LLVMBasicBlockRef from[2], other = lift_block(lc, "ibtc_other"),
                               join = lift_block(lc, "ibtc_join");
    LLVMValueRef hit, code[2], flags[2];
    code[0] = ibtc_probe(lc, base, LLVMBuildAnd(b, h, lift_i32(lc, ~1u), ""),
                         target32, &hit, &flags[0]);
    from[0] = LLVMGetInsertBlock(b);
    LLVMBuildCondBr(b, hit, join, other);
    LLVMPositionBuilderAtEnd(b, other);
    code[1] = ibtc_probe(lc, base, LLVMBuildOr(b, h, lift_i32(lc, 1), ""),
                         target32, &hit, &flags[1]);
    code[1] = LLVMBuildSelect(b, hit, code[1],
                              lift_const(lc, 64, CPU_EXIT_JUMP), "");
    flags[1] = LLVMBuildSelect(b, hit, flags[1], lift_const(lc, 64, 0), "");
    from[1] = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, join);
    LLVMPositionBuilderAtEnd(b, join);
    LLVMValueRef phi = LLVMBuildPhi(b, lc->i64, "");
    LLVMAddIncoming(phi, code, from, 2);
    LLVMValueRef fphi = LLVMBuildPhi(b, lc->i64, "");
    LLVMAddIncoming(fphi, flags, from, 2);
    LLVMBasicBlockRef store = lift_block(lc, "ibtc_flags"),
                      go = lift_block(lc, "ibtc_go");
    LLVMBuildCondBr(b,
                    LLVMBuildICmp(b, LLVMIntNE, fphi, lift_const(lc, 64, 0),
                                  ""),
                    store, go);
    LLVMPositionBuilderAtEnd(b, store);
    lift_state_flush_flags(lc, ALL_FLAGS);
    LLVMBuildBr(b, go);
    LLVMPositionBuilderAtEnd(b, go);
    leave_to(lc, phi, ALL_FLAGS, target32);
    lc->ended = true;
}

void lift_end_branch(struct lift_ctx *lc, LLVMValueRef cond1,
                     guest_addr_t taken, guest_addr_t not_taken)
{
    LLVMBasicBlockRef t = lift_block(lc, "taken");
    LLVMBasicBlockRef n = lift_block(lc, "not_taken");
    LLVMBuildCondBr(lc->b, cond1, t, n);
    LLVMPositionBuilderAtEnd(lc->b, t);
    lift_end_direct(lc, taken);
    LLVMPositionBuilderAtEnd(lc->b, n);
    lift_end_direct(lc, not_taken);
}

void lift_exit_if(struct lift_ctx *lc, LLVMValueRef cond1,
                  enum cpu_exit kind, guest_addr_t eip)
{
    LLVMBasicBlockRef ex = lift_block(lc, "exit");
    LLVMBasicBlockRef cont = lift_block(lc, "cont");
    LLVMBuildCondBr(lc->b, cond1, ex, cont);
    LLVMPositionBuilderAtEnd(lc->b, ex);
    lift_end_exit(lc, kind, lift_i32(lc, eip));
    lc->ended = false;
    LLVMPositionBuilderAtEnd(lc->b, cont);
}

LLVMValueRef lift_call(struct lift_ctx *lc, const char *name, LLVMTypeRef ret,
                       LLVMValueRef *args, unsigned n)
{
    LLVMTypeRef params[8];
    for (unsigned i = 0; i < n && i < 8; i++)
        params[i] = LLVMTypeOf(args[i]);
    LLVMTypeRef fty = LLVMFunctionType(ret, params, n, 0);
    LLVMValueRef fn = LLVMGetNamedFunction(lc->mod, name);
    if (!fn)
        fn = LLVMAddFunction(lc->mod, name, fty);
    return LLVMBuildCall2(lc->b, fty, fn, args, n, "");
}

LLVMValueRef lift_call_helper(struct lift_ctx *lc, const char *name,
                              LLVMTypeRef ret)
{
    /* Helpers see and may change the architectural state. */
    lift_state_flush(lc);
    store_eip(lc, lift_i32(lc, lc->pc));
    LLVMValueRef arg = lc->state;
    LLVMValueRef r = lift_call(lc, name, ret, &arg, 1);
    lift_state_reload(lc);
    return r;
}

/* Allocas for the registers and flags: the general registers and
 * mem_base from the unit's arguments (lifter.h, LIFTER_UNIT_NARGS), the
 * flags loaded from the state.
 *
 * An optimised unit's tail call to the next unit passes the registers and
 * does not store them (lift_state_flush_exit): the state holds them only
 * where code returns to cpu_run_chain, calls a helper, or enters a
 * first-tier unit.  So an optimised unit counts its arguments as written
 * (every flush stores them), and a first-tier unit, which may be entered
 * by such a tail call, stores them where it starts: its exits and helpers
 * then store what it wrote, and a fault in it sees the registers of its
 * entry, as before (docs/DEVIATIONS.md).  Those stores were ~10% of Lua's
 * time, whose handlers each end in an indirect jump to the next unit. */
static void unit_prologue(struct lift_ctx *lc)
{
    for (int r = 0; r < REG_COUNT; r++)
        lc->gpr[r] = lift_alloca(lc, lc->i32);
    for (int f = 0; f < FLAG_COUNT; f++)
        lc->flag[f] = lift_alloca(lc, f == FLAG_PF ? lc->i8 : lc->i1);
    lc->df = lift_alloca(lc, lc->i1);
    lc->reloading = true;
    for (int r = 0; r < REG_COUNT; r++)
        lift_gpr_set(lc, r, LLVMGetParam(lc->fn, 1 + r));
    lc->reloading = false;
    if (lc->env && lc->env->tail_calls)
        lc->written[0].gpr = (1u << REG_COUNT) - 1;
    else
        for (int r = 0; r < REG_COUNT; r++)
            LLVMBuildStore(lc->b, LLVMGetParam(lc->fn, 1 + r),
                           lift_state_ptr(lc, CPU_OFF_GPR + 4 * r));
    lift_state_reload_flags(lc);
    lc->mem_base_i64 = LLVMGetParam(lc->fn, 1 + REG_COUNT);
    lc->mem_base = LLVMBuildIntToPtr(lc->b, lc->mem_base_i64, lc->ptr, "");
}

typedef bool (*lift_class_fn)(struct lift_ctx *lc);
static const lift_class_fn classes[] = {
    lift_mov, lift_alu, lift_flow, lift_shift, lift_muldiv,
    lift_bits, lift_string, lift_atomic, lift_misc, lift_bcd, lift_x87,
    lift_sse,
};

static bool lift_one(struct lift_ctx *lc)
{
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (classes[i](lc))
            return true;
    return false;
}

static void note_unknown(struct lifter_unit *out, guest_addr_t pc,
                         const uint8_t *bytes, size_t avail, size_t len)
{
    out->unknown = true;
    out->unknown_pc = pc;
    if (len == 0 || len > avail)
        len = avail;
    if (len > sizeof(out->unknown_bytes))
        len = sizeof(out->unknown_bytes);
    memcpy(out->unknown_bytes, bytes, len);
    out->unknown_len = (uint8_t)len;
}

/* R386_JIT_REGION overrides the region's instruction budget (1 makes every
 * unit a single guest block): a developer knob for measurements. */
static unsigned region_max_insns(void)
{
    static unsigned v;
    if (!v) {
        const char *e = getenv("R386_JIT_REGION");
        v = e && atoi(e) > 0 ? (unsigned)atoi(e) : REGION_MAX_INSNS;
    }
    return v;
}

/* ---- guest pcs as debug lines ----
 * With env->lines, every instruction of a unit carries a debug location
 * whose line is the guest pc it was lifted from; the code generator turns
 * them into the object's line table (.debug_line), from which the JIT
 * names the guest pc of a faulting host pc (jit/pcmap.c, jit/lines.c).
 * Debug locations do not change the code LLVM generates, so a unit lifted
 * again with them has the same code as the one that faulted.  One compile
 * unit per lifted unit: line tables only, DWARF 4 (its line table header
 * is the simplest). */
static void debug_begin(struct lift_ctx *lc, const char *name)
{
    LLVMModuleRef m = lc->mod;
    if (!LLVMGetModuleFlag(m, "Debug Info Version", 18)) {
        LLVMAddModuleFlag(m, LLVMModuleFlagBehaviorWarning,
                          "Debug Info Version", 18,
                          LLVMValueAsMetadata(lift_i32(
                              lc, LLVMDebugMetadataVersion())));
        LLVMAddModuleFlag(m, LLVMModuleFlagBehaviorWarning, "Dwarf Version", 13,
                          LLVMValueAsMetadata(lift_i32(lc, 4)));
    }
    lc->di = LLVMCreateDIBuilder(m);
    LLVMMetadataRef file = LLVMDIBuilderCreateFile(lc->di, "guest", 5, "", 0);
    LLVMDIBuilderCreateCompileUnit(
        lc->di, LLVMDWARFSourceLanguageC, file, "r386", 4, 1, "", 0, 0, "", 0,
        LLVMDWARFEmissionLineTablesOnly, 0, 0, 0, "", 0, "", 0);
    LLVMMetadataRef type =
        LLVMDIBuilderCreateSubroutineType(lc->di, file, NULL, 0, 0);
    size_t len = strlen(name);
    lc->di_scope = LLVMDIBuilderCreateFunction(lc->di, file, name, len, name,
                                               len, file, 0, type, 0, 1, 0,
                                               0, 1);
    LLVMSetSubprogram(lc->fn, lc->di_scope);
}

static void set_line(struct lift_ctx *lc, guest_addr_t pc)
{
    if (!lc->di_scope)
        return;
    LLVMSetCurrentDebugLocation2(
        lc->b, LLVMDIBuilderCreateDebugLocation(lc->ctx, pc, 0, lc->di_scope,
                                                NULL));
}

static void debug_end(struct lift_ctx *lc)
{
    if (!lc->di)
        return;
    LLVMDIBuilderFinalize(lc->di);
    LLVMDisposeDIBuilder(lc->di);
    lc->di = NULL;
}

/* Lift straight-line guest code from pc into the current basic block until
 * an instruction ends it; returns the pc after the last one lifted. */
static guest_addr_t lift_guest_block(const struct lifter *l,
                                     struct lift_ctx *lc, guest_addr_t pc,
                                     const struct lifter_code_source *code,
                                     struct lifter_unit *out)
{
    guest_addr_t cur = pc;
    for (unsigned n = 0; !lc->ended; n++) {
        if (n == UNIT_MAX_INSNS) {
            lift_end_direct(lc, cur);
            break;
        }
        /* Straight-line code running into another block of the region
         * (a branch target lifted or queued already) goes on there
         * instead of lifting the same instructions a second time. */
        if (n > 0 && region_find(lc, cur) >= 0) {
            lift_end_direct(lc, cur);
            break;
        }
        uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
        size_t avail = lift_read_code(lc, cur, bytes, sizeof(bytes));
        ZydisDecodedInstruction insn;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        ZyanStatus st = avail ? ZydisDecoderDecodeFull(&l->decoder, bytes,
                                                       avail, &insn, ops)
                              : ZYDIS_STATUS_NO_MORE_DATA;
        if (st == ZYDIS_STATUS_NO_MORE_DATA &&
            avail < ZYDIS_MAX_INSTRUCTION_LENGTH) {
            /* The instruction runs into memory that cannot be executed:
             * fault when (and only if) execution gets there. */
            if (n == 0)
                lift_end_exit(lc, CPU_EXIT_FETCH, lift_i32(lc, cur));
            else
                lift_end_direct(lc, cur);
            break;
        }
        lc->pc = cur;
        set_line(lc, cur);
        if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) {
            /* More than 15 bytes (redundant prefixes): #GP, not #UD. */
            lift_end_exit(lc, CPU_EXIT_PRIV, lift_i32(lc, cur));
            break;
        }
        if (ZYAN_SUCCESS(st)) {
            lc->insn = &insn;
            lc->ops = ops;
            lc->next_pc = cur + insn.length;
            if (lc->insn_budget)
                lc->insn_budget--;
            else
                lc->x87_overrun++;
            bool wrapped = lift_x87_wrap_begin(lc);
            bool lifted = lift_one(lc);
            if (wrapped)
                lift_x87_wrap_end(lc);
            if (lifted) {
                out->insns++;
                cur = lc->next_pc;
                continue;
            }
        }
        note_unknown(out, cur, bytes, avail,
                     ZYAN_SUCCESS(st) ? insn.length : 0);
        lift_end_exit(lc, CPU_EXIT_SIGILL, lift_i32(lc, cur));
    }
    return cur;
}

/* hits++ (no atomicity needed: a lost count between threads is harmless),
 * at the unit's entry and on its loops' back edges: the blocks between
 * are run at most once per entry or iteration, and a counter in each of
 * them was an eighth of a first-tier unit's code. */
static void count_block(struct lift_ctx *lc)
{
    LLVMValueRef off = lift_const(lc, 64, (uint64_t)(int64_t)lc->env->hits_offset);
    LLVMValueRef p = LLVMBuildGEP2(lc->b, lc->i8, cell_of(lc, lc->unit->pc),
                                   &off, 1, "hits.p");
    LLVMValueRef v = LLVMBuildLoad2(lc->b, lc->i32, p, "hits");
    LLVMBuildStore(lc->b, LLVMBuildAdd(lc->b, v, lift_i32(lc, 1), ""), p);
}

/* Lift the unit's blocks into lc->fn, from the builder's block (where
 * the copy's prologue is): one copy of the unit. */
static void lift_copy(const struct lifter *l, struct lift_ctx *lc,
                      guest_addr_t pc, const struct lifter_code_source *code,
                      struct lifter_unit *out)
{
    unit_prologue(lc);
    memset(out, 0, sizeof(*out));
    out->pc = pc;
    if (!lc->pred_unit)
        lc->pred_unit = out;
    lc->unit = out;
    lc->code = code;
    lc->one_block = code->writable && code->writable(code->ctx, pc);
    out->one_block = lc->one_block;
    lc->decoder = &l->decoder;
    lc->insn_budget = region_max_insns();
    lc->x87_overrun = 0;
    /* The first block is always lifted, executable or not. */
    lc->block_pc[0] = pc;
    lc->block_ctx[0] = 0;
    lc->ncall_ctx = 1; /* call_ctx[0]: the region's own function */
    lc->call_ctx[0].ret = 0;
    lc->new_ctx = -1;
    lc->block_bb[0] = lift_block(lc, "g_entry");
    lc->nblocks = 1;
    lc->x87c.on = lc->env && lc->env->x87_inline;
    LLVMBuildBr(lc->b, lc->block_bb[0]);
    guest_addr_t cur = pc;
    for (unsigned blk = 0; blk < lc->nblocks; blk++) {
        LLVMPositionBuilderAtEnd(lc->b, lc->block_bb[blk]);
        lc->ended = false;
        lc->cur_block = blk;
        lift_x87_block_enter(lc, blk);
        set_line(lc, lc->block_pc[blk]);
        if (blk == 0 && lc->env && lc->env->count)
            count_block(lc);
        cur = lift_guest_block(l, lc, lc->block_pc[blk], code, out);
    }
    out->end_pc = cur;
    lift_state_emit_flushes(lc);
}

int lifter_lift_unit(const struct lifter *l, LLVMModuleRef m,
                     const char *name, guest_addr_t pc,
                     const struct lifter_code_source *code,
                     const struct lifter_env *env, struct lifter_unit *out)
{
    struct lift_ctx lc = {0};
    lc.ctx = LLVMGetModuleContext(m);
    lc.mod = m;
    lc.env = env;
    lc.i1 = LLVMInt1TypeInContext(lc.ctx);
    lc.i8 = LLVMInt8TypeInContext(lc.ctx);
    lc.i16 = LLVMInt16TypeInContext(lc.ctx);
    lc.i32 = LLVMInt32TypeInContext(lc.ctx);
    lc.i64 = LLVMInt64TypeInContext(lc.ctx);
    lc.ptr = LLVMPointerTypeInContext(lc.ctx, 0);
    LLVMTypeRef params[LIFTER_UNIT_NARGS] = {lc.ptr};
    for (int r = 0; r < REG_COUNT; r++)
        params[1 + r] = lc.i32;
    params[1 + REG_COUNT] = lc.i64;
    params[2 + REG_COUNT] = lc.i32; /* eip and code: LIFTER_SYM_UNIT_BACK's */
    params[3 + REG_COUNT] = lc.i64;
    lc.unit_fn_type = LLVMFunctionType(lc.i64, params, LIFTER_UNIT_NARGS, 0);
    lc.fn = LLVMAddFunction(m, name, lc.unit_fn_type);
    LLVMSetFunctionCallConv(lc.fn, LIFTER_UNIT_CC);
    lc.state = LLVMGetParam(lc.fn, 0);
    /* Units never unwind: no unwind tables to emit, link and register. */
    unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    LLVMAddAttributeAtIndex(lc.fn, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(lc.ctx, nounwind, 0));
    /* No jump tables: the small code model addresses them absolutely
     * (R_X86_64_32S), which code linked above 4 GiB cannot use; switches
     * the optimiser forms in large --aot batches become compare trees. */
    LLVMAddAttributeAtIndex(
        lc.fn, LLVMAttributeFunctionIndex,
        LLVMCreateStringAttribute(lc.ctx, "no-jump-tables", 14, "true", 4));
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    LLVMAddAttributeAtIndex(lc.fn, 1,
                            LLVMCreateEnumAttribute(lc.ctx, noalias, 0));
    lc.b = LLVMCreateBuilderInContext(lc.ctx);
    if (env && env->lines)
        debug_begin(&lc, name);
    set_line(&lc, pc);
    LLVMBasicBlockRef entry = lift_block(&lc, "entry");
    LLVMPositionBuilderAtEnd(lc.b, entry);
    lift_copy(l, &lc, pc, code, out);
    if (env && env->x87_inline && lc.x87_rounds && lc.has_loop) {
        /* Inline x87 arithmetic in a loop tests the control word at
         * every operation, and the helper calls on the other side of
         * each test keep the x87 values in memory: a second copy of the
         * unit, lifted for the default RC and PC, has neither (until the
         * guest loads another control word).  The entry block picks one
         * by the guest's control word; both copies are one function, so
         * one symbol covers the unit's code (jit/lines.c). */
        struct lift_ctx std = {
            .ctx = lc.ctx, .mod = lc.mod, .env = lc.env, .i1 = lc.i1,
            .i8 = lc.i8, .i16 = lc.i16, .i32 = lc.i32, .i64 = lc.i64,
            .ptr = lc.ptr, .unit_fn_type = lc.unit_fn_type, .fn = lc.fn,
            .state = lc.state, .b = lc.b, .di = lc.di,
            .di_scope = lc.di_scope, .x87_cw_std = true,
            .pred_unit = lc.pred_unit};
        LLVMValueRef br = LLVMGetBasicBlockTerminator(entry);
        LLVMBasicBlockRef any = LLVMGetSuccessor(br, 0);
        LLVMInstructionEraseFromParent(br);
        LLVMPositionBuilderAtEnd(lc.b, entry);
        set_line(&lc, pc);
        LLVMValueRef cw = LLVMBuildLoad2(
            lc.b, lc.i16, lift_state_ptr(&lc, CPU_OFF_FPU_CW), "cw");
        LLVMValueRef is_std = lift_x87_cw_default(&lc, cw);
        LLVMBasicBlockRef std_entry = lift_block(&lc, "cw_std");
        LLVMBuildCondBr(lc.b, is_std, std_entry, any);
        LLVMPositionBuilderAtEnd(lc.b, std_entry);
        set_line(&std, pc);
        struct lifter_unit again;
        lift_copy(l, &std, pc, code, &again);
    }
    LLVMDisposeBuilder(lc.b);
    debug_end(&lc);
    return 0;
}
