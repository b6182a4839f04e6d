/* The x87 cache: in optimised units (lifter_env.x87_inline) the x87
 * state lives in SSA values inside the unit instead of the CPU state, so
 * a loop of x87 arithmetic keeps its operands in host registers, with no
 * load, store or TOP arithmetic between two instructions.
 *
 * The stack.  Within a unit the lifter knows statically how far the
 * stack has moved: `depth` counts the pushes since TOP had the value
 * `base` (an i32 alloca loaded from fpu_top where the unit starts), so
 * TOP = (base - depth) & 7 and ST(i) is physical register
 * (base - depth + i) & 7 -- slot (i - depth) & 7 of eight allocas that
 * hold the registers relative to base (slot k = register (base + k) & 7),
 * with eight more for the empty bits.  Every index an instruction uses is
 * a constant, so LLVM's mem2reg promotes them all.  The control word and
 * the status word (without TOP) are allocas too.
 *
 * Region blocks.  Each region block is lifted for the depth its first
 * branch reached it with; a later branch from another depth (code whose
 * stack depth differs between the paths into a block -- compiled code
 * keeps it equal) moves base by the difference and renames the slots
 * accordingly on that edge, which changes nothing at run time but the
 * names.
 *
 * Memory.  The state in memory is brought up to date where the unit
 * leaves (the flush points of state.c, at their depth: only what the
 * unit writes somewhere).  A register is loaded where the unit first
 * reads it, not at its entry (`have`: a branch LLVM folds wherever it
 * knows the answer), and a flush point where the unit leaves stores it
 * only when the path there wrote it and did not pop it since (`live`):
 * the contents of an empty register are read by nothing but FNSAVE,
 * FXSAVE and a signal frame, which see there what the register held
 * before the unit (docs/DEVIATIONS.md).  The flush before an instruction
 * that works on the state in memory (below) stores every register the
 * path wrote (`dirty`), so an FNSAVE there shows a popped value as an x87
 * does.  A register not stored goes to an alloca instead (a select of
 * the address, not a branch around the store), a store LLVM deletes
 * wherever it knows the condition.  So a register the unit only pushes
 * into and pops, as an interpreter's handler does with its operands, is
 * neither loaded nor stored: the load at the entry, there for the paths
 * that leave the register alone, read back with FLD m80 the FSTP m80 the
 * unit before had just done, which a load cannot take from the store
 * buffer, and each such FSTP m80 at an exit was ~15% of a Lua
 * arithmetic handler's time.  The x87 helper gets its operands in fpu_tmp
 * and the control and status words in the state, the only parts of the
 * state it reads or writes (x87c_st_ptr, x87c_call_begin/end).  Instructions
 * that read or write the whole state in memory (MMX, FNSTENV/FLDENV,
 * FNSAVE/FRSTOR, FXSAVE/FXRSTOR, XSAVE/XRSTOR, FNINIT; FSINCOS and FPTAN,
 * which push or not at run time) are lifted as the
 * first tier lifts them, between a store and a load of the cache
 * (lift_x87_wrap_begin/end).  Guest memory accesses cannot reach the
 * CPU state.  At a memory fault inside the unit the x87 state in memory
 * is the one the unit last stored, as for the general registers
 * (docs/DEVIATIONS.md). */
#include <assert.h>

#include "x87.h"

#define NO_X87 INT8_MIN /* a flush point that stores no x87 state */

static unsigned slot_of(const struct lift_ctx *lc, unsigned i)
{
    return (unsigned)((int)i - lc->x87c.depth) & 7;
}

static LLVMTypeRef f80(struct lift_ctx *lc)
{
    return LLVMX86FP80TypeInContext(lc->ctx);
}

static LLVMValueRef phys_of(struct lift_ctx *lc, LLVMValueRef base,
                            unsigned k)
{
    return LLVMBuildAnd(lc->b, LLVMBuildAdd(lc->b, base, lift_i32(lc, k), ""),
                        lift_i32(lc, 7), "");
}

/* Load the cache from the state; base = fpu_top + depth. */
static void load_all(struct lift_ctx *lc)
{
    struct lift_x87_cache *c = &lc->x87c;
    LLVMBuilderRef b = lc->b;
    LLVMValueRef top = lift_zext(
        lc,
        LLVMBuildLoad2(b, lc->i8, lift_state_ptr(lc, CPU_OFF_FPU_TOP), ""),
        32);
    LLVMValueRef base = LLVMBuildAnd(
        b, LLVMBuildAdd(b, top, lift_i32(lc, (uint32_t)c->depth), ""),
        lift_i32(lc, 7), "");
    LLVMBuildStore(b, base, c->base);
    for (unsigned k = 0; k < 8; k++) {
        LLVMValueRef phys = phys_of(lc, base, k);
        LLVMBuildStore(b, lift_const(lc, 1, 0), c->have[k]);
        LLVMBuildStore(b, lift_const(lc, 1, 0), c->dirty[k]);
        LLVMBuildStore(b, lift_const(lc, 1, 0), c->live[k]);
        LLVMValueRef e = LLVMBuildLoad2(b, lc->i8, x87_empty_ptr(lc, phys), "");
        LLVMBuildStore(b,
                       LLVMBuildICmp(b, LLVMIntNE, e, lift_const(lc, 8, 0), ""),
                       c->empty[k]);
    }
    LLVMBuildStore(b,
                   LLVMBuildLoad2(b, lc->i16,
                                  lift_state_ptr(lc, CPU_OFF_FPU_CW), ""),
                   c->cw);
    LLVMBuildStore(b,
                   LLVMBuildLoad2(b, lc->i16,
                                  lift_state_ptr(lc, CPU_OFF_FPU_SW), ""),
                   c->sw);
}

bool x87_cached(const struct lift_ctx *lc)
{
    return lc->x87c.on && !lc->x87c.bypass;
}

/* The allocas, loaded in the entry block on the unit's first x87 use:
 * nothing before it can have changed the x87 state in memory (the other
 * helpers leave it alone), and the entry block dominates every use. */
void x87c_ready(struct lift_ctx *lc)
{
    struct lift_x87_cache *c = &lc->x87c;
    if (c->ready)
        return;
    c->ready = true;
    c->base = lift_alloca(lc, lc->i32);
    for (unsigned k = 0; k < 8; k++) {
        c->reg[k] = lift_alloca(lc, f80(lc));
        c->empty[k] = lift_alloca(lc, lc->i1);
        c->have[k] = lift_alloca(lc, lc->i1);
        c->dirty[k] = lift_alloca(lc, lc->i1);
        c->live[k] = lift_alloca(lc, lc->i1);
        c->popped[k] = lift_alloca(lc, f80(lc));
    }
    c->cw = lift_alloca(lc, lc->i16);
    c->sw = lift_alloca(lc, lc->i16);
    c->discard = lift_alloca(lc, f80(lc));
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(lc->b);
    LLVMMetadataRef loc = LLVMGetCurrentDebugLocation2(lc->b); /* (lift_alloca) */
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(lc->fn);
    LLVMPositionBuilderBefore(lc->b, LLVMGetBasicBlockTerminator(entry));
    int depth = c->depth;
    c->depth = 0; /* the unit's entry */
    load_all(lc);
    c->depth = depth;
    if (lc->x87_cw_std) {
        /* The copy of the unit that runs with the default RC and PC
         * (lifter_lift_unit): the same value, in a form LLVM folds every
         * x87_inline_ok test on until the guest loads another one. */
        LLVMValueRef cw = LLVMBuildLoad2(lc->b, lc->i16, c->cw, "");
        cw = LLVMBuildOr(
            lc->b,
            LLVMBuildAnd(lc->b, cw,
                         lift_const(lc, 16, (uint16_t) ~(FPU_CW_RC | FPU_CW_PC)),
                         ""),
            lift_const(lc, 16, FPU_CW_PC), "");
        LLVMBuildStore(lc->b, cw, c->cw);
    }
    LLVMPositionBuilderAtEnd(lc->b, cur);
    LLVMSetCurrentDebugLocation2(lc->b, loc);
}

LLVMValueRef x87c_top(struct lift_ctx *lc)
{
    x87c_ready(lc);
    LLVMValueRef base = LLVMBuildLoad2(lc->b, lc->i32, lc->x87c.base, "");
    return LLVMBuildAnd(
        lc->b,
        LLVMBuildSub(lc->b, base, lift_i32(lc, (uint32_t)lc->x87c.depth), ""),
        lift_i32(lc, 7), "");
}

/* reg[k] from the state unless the unit has it already. */
static void load_lazily(struct lift_ctx *lc, unsigned k)
{
    struct lift_x87_cache *c = &lc->x87c;
    LLVMBuilderRef b = lc->b;
    LLVMBasicBlockRef load = lift_block(lc, "x87_load"),
                      cont = lift_block(lc, "x87_have");
    LLVMBuildCondBr(b, LLVMBuildLoad2(b, lc->i1, c->have[k], ""), cont, load);
    LLVMPositionBuilderAtEnd(b, load);
    LLVMValueRef base = LLVMBuildLoad2(b, lc->i32, c->base, "");
    LLVMBuildStore(b, x87_f80_load(lc, x87_reg_ptr(lc, phys_of(lc, base, k))),
                   c->reg[k]);
    LLVMBuildStore(b, lift_const(lc, 1, 1), c->have[k]);
    LLVMBuildBr(b, cont);
    LLVMPositionBuilderAtEnd(b, cont);
}

LLVMValueRef x87c_get(struct lift_ctx *lc, unsigned i)
{
    x87c_ready(lc);
    unsigned k = slot_of(lc, i);
    load_lazily(lc, k);
    return LLVMBuildLoad2(lc->b, f80(lc), lc->x87c.reg[k], "");
}

void x87c_set(struct lift_ctx *lc, unsigned i, LLVMValueRef v)
{
    x87c_ready(lc);
    unsigned k = slot_of(lc, i);
    LLVMBuildStore(lc->b, v, lc->x87c.reg[k]);
    LLVMBuildStore(lc->b, lift_const(lc, 1, 1), lc->x87c.have[k]);
    LLVMBuildStore(lc->b, lift_const(lc, 1, 1), lc->x87c.dirty[k]);
    LLVMBuildStore(lc->b, lift_const(lc, 1, 1), lc->x87c.live[k]);
    lc->written[lc->cur_block].reg |= (uint8_t)(1u << k);
}

LLVMValueRef x87c_is_empty(struct lift_ctx *lc, unsigned i)
{
    x87c_ready(lc);
    return LLVMBuildLoad2(lc->b, lc->i1, lc->x87c.empty[slot_of(lc, i)], "");
}

void x87c_mark(struct lift_ctx *lc, unsigned i, bool empty)
{
    x87c_ready(lc);
    unsigned k = slot_of(lc, i);
    LLVMBuildStore(lc->b, lift_const(lc, 1, empty), lc->x87c.empty[k]);
    if (empty) {
        struct lift_x87_cache *c = &lc->x87c;
        LLVMBuildStore(lc->b, lift_const(lc, 1, 0), c->live[k]);
        LLVMBuildStore(lc->b, LLVMBuildLoad2(lc->b, f80(lc), c->reg[k], ""),
                       c->popped[k]);
        LLVMBuildStore(lc->b, LLVMGetUndef(f80(lc)), c->reg[k]);
    }
    lc->written[lc->cur_block].empty |= (uint8_t)(1u << k);
}

void x87c_move(struct lift_ctx *lc, int delta)
{
    x87c_ready(lc);
    lc->x87c.depth += delta;
    lc->written[lc->cur_block].top = true;
}

LLVMValueRef x87c_word(struct lift_ctx *lc, bool sw)
{
    x87c_ready(lc);
    return LLVMBuildLoad2(lc->b, lc->i16, sw ? lc->x87c.sw : lc->x87c.cw, "");
}

void x87c_set_word(struct lift_ctx *lc, bool sw, LLVMValueRef v16)
{
    x87c_ready(lc);
    LLVMBuildStore(lc->b, v16, sw ? lc->x87c.sw : lc->x87c.cw);
    if (sw)
        lc->written[lc->cur_block].sw = true;
    else
        lc->written[lc->cur_block].cw = true;
}

/* ---- to and from memory ---- */

LLVMValueRef x87c_st_ptr(struct lift_ctx *lc, unsigned i)
{
    int8_t *t = lc->x87c.tmp_st;
    unsigned k = t[0] < 0 || t[0] == (int8_t)i ? 0 : 1;
    assert(t[k] < 0 || t[k] == (int8_t)i); /* two operands at most */
    t[k] = (int8_t)i;
    return x87_tmp_ptr(lc, k);
}

void x87c_call_begin(struct lift_ctx *lc)
{
    struct lift_x87_cache *c = &lc->x87c;
    for (unsigned k = 0; k < 2; k++)
        if (c->tmp_st[k] >= 0)
            x87_f80_store(lc, x87_tmp_ptr(lc, k),
                          x87c_get(lc, (unsigned)c->tmp_st[k]));
    LLVMBuildStore(lc->b, x87c_word(lc, false),
                   lift_state_ptr(lc, CPU_OFF_FPU_CW));
    LLVMBuildStore(lc->b, x87c_word(lc, true),
                   lift_state_ptr(lc, CPU_OFF_FPU_SW));
}

void x87c_call_end(struct lift_ctx *lc)
{
    struct lift_x87_cache *c = &lc->x87c;
    for (unsigned k = 0; k < 2; k++)
        if (c->tmp_st[k] >= 0)
            x87c_set(lc, (unsigned)c->tmp_st[k],
                     x87_f80_load(lc, x87_tmp_ptr(lc, k)));
    x87c_set_word(lc, true,
                  LLVMBuildLoad2(lc->b, lc->i16,
                                 lift_state_ptr(lc, CPU_OFF_FPU_SW), ""));
}

static void record_flush(struct lift_ctx *lc)
{
    lift_state_flush_live(lc, 0);
    lc->flush[lc->nflush - 1].x87_only = true;
}

void x87c_sync_out(struct lift_ctx *lc)
{
    x87c_ready(lc);
    record_flush(lc);
}

void x87c_sync_in(struct lift_ctx *lc)
{
    x87c_ready(lc);
    load_all(lc);
}

void lift_x87_flush_here(struct lift_ctx *lc, const struct lift_flush_point *p)
{
    struct lift_x87_cache *c = &lc->x87c;
    int depth = p->x87_depth;
    if (!c->ready || depth == NO_X87)
        return;
    struct lift_written d = lift_written_at(lc, p);
    LLVMBuilderRef b = lc->b;
    LLVMValueRef base = LLVMBuildLoad2(b, lc->i32, c->base, "");
    if (d.top) {
        LLVMValueRef top = LLVMBuildAnd(
            b, LLVMBuildSub(b, base, lift_i32(lc, (uint32_t)depth), ""),
            lift_i32(lc, 7), "");
        LLVMBuildStore(b, lift_trunc(lc, top, 8),
                       lift_state_ptr(lc, CPU_OFF_FPU_TOP));
    }
    for (unsigned k = 0; k < 8; k++) {
        if (!((d.reg | d.empty) & (1u << k)))
            continue;
        LLVMValueRef phys = phys_of(lc, base, k);
        if (d.reg & (1u << k)) {
            LLVMValueRef v = LLVMBuildLoad2(b, f80(lc), c->reg[k], "");
            if (p->x87_only) /* (a register popped since: its last value) */
                v = LLVMBuildSelect(
                    b, LLVMBuildLoad2(b, lc->i1, c->live[k], ""), v,
                    LLVMBuildLoad2(b, f80(lc), c->popped[k], ""), "");
            LLVMValueRef store = LLVMBuildLoad2(
                b, lc->i1, p->x87_only ? c->dirty[k] : c->live[k], "");
            LLVMValueRef to = LLVMBuildSelect(b, store, x87_reg_ptr(lc, phys),
                                              c->discard, "");
            x87_f80_store(lc, to, v);
        }
        if (d.empty & (1u << k)) {
            LLVMValueRef e = LLVMBuildLoad2(b, lc->i1, c->empty[k], "");
            LLVMBuildStore(b, lift_zext(lc, e, 8), x87_empty_ptr(lc, phys));
        }
    }
    if (d.cw)
        LLVMBuildStore(b, LLVMBuildLoad2(b, lc->i16, c->cw, ""),
                       lift_state_ptr(lc, CPU_OFF_FPU_CW));
    if (d.sw)
        LLVMBuildStore(b, LLVMBuildLoad2(b, lc->i16, c->sw, ""),
                       lift_state_ptr(lc, CPU_OFF_FPU_SW));
}

int lift_x87_flush_depth(const struct lift_ctx *lc)
{
    return lc->x87c.on && !lc->x87c.bypass ? lc->x87c.depth : NO_X87;
}

/* ---- region blocks ---- */

void lift_x87_block_new(struct lift_ctx *lc, unsigned blk)
{
    lc->x87c.block_depth[blk] = (int8_t)lc->x87c.depth;
}

void lift_x87_block_enter(struct lift_ctx *lc, unsigned blk)
{
    lc->x87c.depth = lc->x87c.block_depth[blk];
}

int lift_x87_edge(struct lift_ctx *lc, unsigned blk)
{
    struct lift_x87_cache *c = &lc->x87c;
    int depth = c->depth;
    int want = c->block_depth[blk];
    if (!c->on || want == depth)
        return depth;
    /* base' - want = base - depth (TOP stays), slot'[k] = slot[k + delta]. */
    x87c_ready(lc);
    LLVMBuilderRef b = lc->b;
    unsigned delta = (unsigned)(want - depth) & 7;
    LLVMValueRef base = LLVMBuildLoad2(b, lc->i32, c->base, "");
    LLVMBuildStore(b,
                   LLVMBuildAnd(b,
                                LLVMBuildAdd(b, base,
                                             lift_i32(lc, (uint32_t)(want - depth)),
                                             ""),
                                lift_i32(lc, 7), ""),
                   c->base);
    LLVMValueRef *all[] = {c->reg, c->empty, c->have, c->dirty, c->live};
    for (unsigned a = 0; a < sizeof(all) / sizeof(all[0]); a++) {
        LLVMValueRef v[8];
        for (unsigned k = 0; k < 8; k++)
            v[k] = LLVMBuildLoad2(b, LLVMGetAllocatedType(all[a][k]),
                                  all[a][k], "");
        for (unsigned k = 0; k < 8; k++)
            LLVMBuildStore(b, v[(k + delta) & 7], all[a][k]);
    }
    struct lift_written *w = &lc->written[lc->cur_block];
    w->reg = w->empty = 0xff;
    w->top = w->cw = w->sw = true;
    c->depth = want;
    return depth;
}

/* ---- instructions on the state in memory ---- */

static bool works_in_memory(const ZydisDecodedInstruction *insn,
                            const ZydisDecodedOperand *ops)
{
    switch (insn->mnemonic) {
    case ZYDIS_MNEMONIC_FNSTENV: case ZYDIS_MNEMONIC_FLDENV:
    case ZYDIS_MNEMONIC_FNSAVE: case ZYDIS_MNEMONIC_FRSTOR:
    case ZYDIS_MNEMONIC_FXSAVE: case ZYDIS_MNEMONIC_FXRSTOR:
    case ZYDIS_MNEMONIC_XSAVE: case ZYDIS_MNEMONIC_XSAVEOPT:
    case ZYDIS_MNEMONIC_XSAVEC: case ZYDIS_MNEMONIC_XSAVES:
    case ZYDIS_MNEMONIC_XRSTOR: case ZYDIS_MNEMONIC_XRSTORS:
    case ZYDIS_MNEMONIC_FNINIT: case ZYDIS_MNEMONIC_EMMS:
    /* (these push or not, by C2: no depth to know while lifting) */
    case ZYDIS_MNEMONIC_FSINCOS: case ZYDIS_MNEMONIC_FPTAN:
        return true;
    default:
        break;
    }
    for (unsigned i = 0; i < insn->operand_count; i++)
        if (ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER &&
            ZydisRegisterGetClass(ops[i].reg.value) == ZYDIS_REGCLASS_MMX)
            return true;
    return false;
}

bool lift_x87_wrap_begin(struct lift_ctx *lc)
{
    if (!lc->x87c.on || !works_in_memory(lc->insn, lc->ops))
        return false;
    x87c_sync_out(lc);
    lc->x87c.bypass = true;
    return true;
}

void lift_x87_wrap_end(struct lift_ctx *lc)
{
    lc->x87c.bypass = false;
    if (!lc->ended)
        x87c_sync_in(lc);
}
