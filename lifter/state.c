/* Guest registers and flags inside a unit.
 *
 * Each register and flag is an alloca, loaded from the CPU state at unit
 * entry and stored back at every exit -- only those the unit writes
 * somewhere; LLVM's SROA/mem2reg turns them into SSA values, so a flag
 * nothing reads is never computed. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "lift_internal.h"

LLVMTypeRef lift_int_type(struct lift_ctx *lc, unsigned bits)
{
    return LLVMIntTypeInContext(lc->ctx, bits);
}

LLVMValueRef lift_const(struct lift_ctx *lc, unsigned bits, uint64_t v)
{
    return LLVMConstInt(lift_int_type(lc, bits), v, 0);
}

unsigned lift_width(LLVMValueRef v)
{
    return LLVMGetIntTypeWidth(LLVMTypeOf(v));
}

LLVMValueRef lift_zext(struct lift_ctx *lc, LLVMValueRef v, unsigned bits)
{
    if (lift_width(v) == bits)
        return v;
    return LLVMBuildZExt(lc->b, v, lift_int_type(lc, bits), "");
}

LLVMValueRef lift_sext(struct lift_ctx *lc, LLVMValueRef v, unsigned bits)
{
    if (lift_width(v) == bits)
        return v;
    return LLVMBuildSExt(lc->b, v, lift_int_type(lc, bits), "");
}

LLVMValueRef lift_trunc(struct lift_ctx *lc, LLVMValueRef v, unsigned bits)
{
    if (lift_width(v) == bits)
        return v;
    return LLVMBuildTrunc(lc->b, v, lift_int_type(lc, bits), "");
}

LLVMValueRef lift_resize(struct lift_ctx *lc, LLVMValueRef v, unsigned bits)
{
    unsigned w = lift_width(v);
    if (w < bits)
        return lift_zext(lc, v, bits);
    return lift_trunc(lc, v, bits);
}

LLVMValueRef lift_select(struct lift_ctx *lc, LLVMValueRef cond1,
                         LLVMValueRef a, LLVMValueRef b)
{
    if (LLVMIsAConstantInt(cond1))
        return LLVMConstIntGetZExtValue(cond1) ? a : b;
    LLVMTypeRef t = LLVMTypeOf(a);
    if (t == lc->i1 || t == lc->i8) { /* (no CMOV of 8 bits either) */
        LLVMValueRef m = t == lc->i1 ? cond1 : lift_sext(lc, cond1, 8);
        return LLVMBuildOr(lc->b, LLVMBuildAnd(lc->b, m, a, ""),
                           LLVMBuildAnd(lc->b, LLVMBuildNot(lc->b, m, ""), b,
                                        ""),
                           "");
    }
    return LLVMBuildSelect(lc->b, cond1, a, b, "");
}

LLVMValueRef lift_msb(struct lift_ctx *lc, LLVMValueRef v)
{
    unsigned w = lift_width(v);
    return LLVMBuildICmp(lc->b, LLVMIntSLT, v, lift_const(lc, w, 0), "");
}

LLVMValueRef lift_state_ptr(struct lift_ctx *lc, unsigned offset)
{
    LLVMValueRef idx = lift_const(lc, 64, offset);
    return LLVMBuildGEP2(lc->b, lc->i8, lc->state, &idx, 1, "");
}

/* ---- general-purpose registers ---- */

LLVMValueRef lift_gpr_get(struct lift_ctx *lc, enum cpu_reg r)
{
    return LLVMBuildLoad2(lc->b, lc->i32, lc->gpr[r], "");
}

void lift_gpr_set(struct lift_ctx *lc, enum cpu_reg r, LLVMValueRef v32)
{
    assert(lift_width(v32) == 32);
    if (!lc->reloading)
        lc->written[lc->cur_block].gpr |= 1u << r;
    LLVMBuildStore(lc->b, v32, lc->gpr[r]);
}

LLVMValueRef lift_gpr_get_w(struct lift_ctx *lc, enum cpu_reg r,
                            unsigned bits)
{
    if (bits == 8 && r >= 4) {
        /* AH, CH, DH, BH: bits 8..15 of EAX..EBX. */
        LLVMValueRef v = lift_gpr_get(lc, r - 4);
        v = LLVMBuildLShr(lc->b, v, lift_i32(lc, 8), "");
        return lift_trunc(lc, v, 8);
    }
    return lift_trunc(lc, lift_gpr_get(lc, r), bits);
}

void lift_gpr_set_w(struct lift_ctx *lc, enum cpu_reg r, unsigned bits,
                    LLVMValueRef v)
{
    if (bits == 32) {
        lift_gpr_set(lc, r, v);
        return;
    }
    unsigned shift = 0;
    if (bits == 8 && r >= 4) {
        r -= 4;
        shift = 8;
    }
    uint32_t mask = (uint32_t)(((1ull << bits) - 1) << shift);
    LLVMValueRef old = lift_gpr_get(lc, r);
    LLVMValueRef keep = LLVMBuildAnd(lc->b, old, lift_i32(lc, ~mask), "");
    LLVMValueRef nv = lift_zext(lc, v, 32);
    if (shift)
        nv = LLVMBuildShl(lc->b, nv, lift_i32(lc, shift), "");
    lift_gpr_set(lc, r, LLVMBuildOr(lc->b, keep, nv, ""));
}

static void decode_reg(ZydisRegister reg, enum cpu_reg *r, unsigned *bits)
{
    if (reg >= ZYDIS_REGISTER_EAX && reg <= ZYDIS_REGISTER_EDI) {
        *r = (enum cpu_reg)(reg - ZYDIS_REGISTER_EAX);
        *bits = 32;
    } else if (reg >= ZYDIS_REGISTER_AX && reg <= ZYDIS_REGISTER_DI) {
        *r = (enum cpu_reg)(reg - ZYDIS_REGISTER_AX);
        *bits = 16;
    } else {
        assert(reg >= ZYDIS_REGISTER_AL && reg <= ZYDIS_REGISTER_BH);
        *r = (enum cpu_reg)(reg - ZYDIS_REGISTER_AL);
        *bits = 8;
    }
}

LLVMValueRef lift_reg_get(struct lift_ctx *lc, ZydisRegister reg)
{
    enum cpu_reg r;
    unsigned bits;
    decode_reg(reg, &r, &bits);
    return lift_gpr_get_w(lc, r, bits);
}

void lift_reg_set(struct lift_ctx *lc, ZydisRegister reg, LLVMValueRef v)
{
    enum cpu_reg r;
    unsigned bits;
    decode_reg(reg, &r, &bits);
    lift_gpr_set_w(lc, r, bits, lift_resize(lc, v, bits));
}

/* ---- flags ---- */

/* PF is kept lazily, as the byte it is the parity of (cpu.h): the
 * instructions that set it store their result's low byte, and only its
 * readers (jp, pushf, ...) count the bits.  Computed where it was set, it
 * was a tenth of first-tier code, and live at every unit exit. */
static LLVMValueRef pf_source(struct lift_ctx *lc)
{
    return LLVMBuildLoad2(lc->b, lc->i8, lc->flag[FLAG_PF], "");
}

LLVMValueRef lift_flag_get(struct lift_ctx *lc, enum cpu_flag f)
{
    if (f == FLAG_PF)
        return lift_parity(lc, pf_source(lc));
    return LLVMBuildLoad2(lc->b, lc->i1, lc->flag[f], "");
}

/* Store v (i1, or PF's i8 source) as flag f's value. */
static void flag_store(struct lift_ctx *lc, enum cpu_flag f, LLVMValueRef v)
{
    if (!lc->reloading)
        lc->written[lc->cur_block].flag |= 1u << f;
    if (f == FLAG_ZF || f == FLAG_SF || f == FLAG_OF)
        lc->sub_flags.bb = NULL;
    LLVMBuildStore(lc->b, v, lc->flag[f]);
}

void lift_flag_set(struct lift_ctx *lc, enum cpu_flag f, LLVMValueRef v1)
{
    assert(lift_width(v1) == 1);
    if (f == FLAG_PF) /* 0 has even parity (PF=1), 1 odd (PF=0) */
        v1 = lift_zext(lc, LLVMBuildNot(lc->b, v1, ""), 8);
    flag_store(lc, f, v1);
}

void lift_flag_set_parity(struct lift_ctx *lc, LLVMValueRef res,
                          LLVMValueRef cond)
{
    LLVMValueRef src = lift_resize(lc, res, 8);
    if (cond)
        src = lift_select(lc, cond, src, pf_source(lc));
    flag_store(lc, FLAG_PF, src);
}

LLVMValueRef lift_df_get(struct lift_ctx *lc)
{
    return LLVMBuildLoad2(lc->b, lc->i1, lc->df, "");
}

void lift_df_set(struct lift_ctx *lc, LLVMValueRef v1)
{
    if (!lc->reloading)
        lc->written[lc->cur_block].flag |= 1u << FLAG_COUNT;
    LLVMBuildStore(lc->b, v1, lc->df);
}

static const uint32_t flag_bit[FLAG_COUNT] = {
    [FLAG_CF] = EFLAGS_CF, [FLAG_PF] = EFLAGS_PF, [FLAG_AF] = EFLAGS_AF,
    [FLAG_ZF] = EFLAGS_ZF, [FLAG_SF] = EFLAGS_SF, [FLAG_OF] = EFLAGS_OF,
};

static unsigned bit_index(uint32_t bit)
{
    return (unsigned)__builtin_ctz(bit);
}

LLVMValueRef lift_eflags_get(struct lift_ctx *lc)
{
    LLVMValueRef other = LLVMBuildLoad2(
        lc->b, lc->i32, lift_state_ptr(lc, CPU_OFF_EFLAGS_OTHER), "");
    uint32_t split = EFLAGS_DF;
    for (int f = 0; f < FLAG_COUNT; f++)
        split |= flag_bit[f];
    LLVMValueRef v = LLVMBuildAnd(lc->b, other, lift_i32(lc, ~split), "");
    v = LLVMBuildOr(lc->b, v, lift_i32(lc, EFLAGS_FIXED1), "");
    for (int f = 0; f < FLAG_COUNT; f++) {
        LLVMValueRef bit = lift_zext(lc, lift_flag_get(lc, f), 32);
        bit = LLVMBuildShl(lc->b, bit, lift_i32(lc, bit_index(flag_bit[f])),
                           "");
        v = LLVMBuildOr(lc->b, v, bit, "");
    }
    LLVMValueRef df = lift_zext(lc, lift_df_get(lc), 32);
    df = LLVMBuildShl(lc->b, df, lift_i32(lc, bit_index(EFLAGS_DF)), "");
    return LLVMBuildOr(lc->b, v, df, "");
}

static LLVMValueRef bit_of(struct lift_ctx *lc, LLVMValueRef v, uint32_t bit)
{
    LLVMValueRef x = LLVMBuildAnd(lc->b, v, lift_i32(lc, bit), "");
    return LLVMBuildICmp(lc->b, LLVMIntNE, x, lift_i32(lc, 0), "");
}

void lift_eflags_set(struct lift_ctx *lc, LLVMValueRef v32, uint32_t mask)
{
    for (int f = 0; f < FLAG_COUNT; f++)
        if (mask & flag_bit[f])
            lift_flag_set(lc, f, bit_of(lc, v32, flag_bit[f]));
    if (mask & EFLAGS_DF)
        lift_df_set(lc, bit_of(lc, v32, EFLAGS_DF));
    LLVMValueRef p = lift_state_ptr(lc, CPU_OFF_EFLAGS_OTHER);
    LLVMValueRef old = LLVMBuildLoad2(lc->b, lc->i32, p, "");
    LLVMValueRef keep = LLVMBuildAnd(lc->b, old, lift_i32(lc, ~mask), "");
    LLVMValueRef set = LLVMBuildAnd(lc->b, v32, lift_i32(lc, mask), "");
    LLVMBuildStore(lc->b, LLVMBuildOr(lc->b, keep, set, ""), p);
}

/* ---- moving state between memory and SSA ---- */

void lift_state_flush(struct lift_ctx *lc)
{
    lift_state_flush_live(lc, ALL_FLAGS);
}

void lift_state_flush_live(struct lift_ctx *lc, unsigned flags)
{
    if (lc->nflush == lc->flush_cap) {
        unsigned cap = lc->flush_cap ? 2 * lc->flush_cap : 32;
        struct lift_flush_point *p = realloc(lc->flush, cap * sizeof(*p));
        if (!p)
            abort(); /* as LLVM does when it runs out of memory */
        lc->flush = p;
        lc->flush_cap = cap;
    }
    LLVMBasicBlockRef bb = LLVMGetInsertBlock(lc->b);
    lc->flush[lc->nflush++] = (struct lift_flush_point){
        .bb = bb,
        .after = LLVMGetLastInstruction(bb),
        .flags = flags,
        .x87_depth = (int8_t)lift_x87_flush_depth(lc),
        .block = (uint8_t)lc->cur_block,
        .written = lc->written[lc->cur_block]};
}

void lift_state_flush_exit(struct lift_ctx *lc, unsigned tail_flags)
{
    bool tail = lc->env && lc->env->tail_calls;
    lift_state_flush_live(lc, tail ? tail_flags : ALL_FLAGS);
    lc->flush[lc->nflush - 1].no_gpr = tail;
}

void lift_state_flush_flags(struct lift_ctx *lc, unsigned flags)
{
    lift_state_flush_live(lc, flags);
    lc->flush[lc->nflush - 1].no_gpr = true;
    lc->flush[lc->nflush - 1].no_x87 = true;
}

static void written_or(struct lift_written *d, const struct lift_written *s)
{
    d->gpr |= s->gpr;
    d->flag |= s->flag;
    d->reg |= s->reg;
    d->empty |= s->empty;
    d->top |= s->top;
    d->cw |= s->cw;
    d->sw |= s->sw;
}

/* Once the unit is lifted: what the paths to each region block's entry
 * may have written (a forward dataflow over the region's edges). */
static void written_dataflow(struct lift_ctx *lc)
{
    memset(lc->written_in, 0, sizeof(lc->written_in));
    for (bool changed = true; changed;) {
        changed = false;
        for (unsigned p = 0; p < lc->nblocks; p++) {
            struct lift_written out = lc->written_in[p];
            written_or(&out, &lc->written[p]);
            for (uint64_t s = lc->block_succ[p]; s; s &= s - 1) {
                struct lift_written *in = &lc->written_in[__builtin_ctzll(s)];
                struct lift_written old = *in;
                written_or(in, &out);
                changed |= memcmp(&old, in, sizeof(old)) != 0;
            }
        }
    }
}

struct lift_written lift_written_at(const struct lift_ctx *lc,
                                    const struct lift_flush_point *p)
{
    struct lift_written d = lc->written_in[p->block];
    written_or(&d, &p->written);
    return d;
}

static void flush_here(struct lift_ctx *lc, const struct lift_flush_point *p)
{
    struct lift_written d = lift_written_at(lc, p);
    unsigned flags = p->flags;
    for (int r = 0; r < REG_COUNT && !p->no_gpr; r++)
        if (d.gpr & (1u << r))
            LLVMBuildStore(lc->b, lift_gpr_get(lc, r),
                           lift_state_ptr(lc, CPU_OFF_GPR + 4 * r));
    for (int f = 0; f < FLAG_COUNT; f++)
        if (d.flag & flags & (1u << f))
            LLVMBuildStore(lc->b,
                           f == FLAG_PF
                               ? pf_source(lc)
                               : lift_zext(lc, lift_flag_get(lc, f), 8),
                           lift_state_ptr(lc, CPU_OFF_FLAG + f));
    if (d.flag & (1u << FLAG_COUNT))
        LLVMBuildStore(lc->b, lift_zext(lc, lift_df_get(lc), 8),
                       lift_state_ptr(lc, CPU_OFF_DF));
}

void lift_state_emit_flushes(struct lift_ctx *lc)
{
    written_dataflow(lc);
    for (unsigned i = 0; i < lc->nflush; i++) {
        struct lift_flush_point *p = &lc->flush[i];
        LLVMValueRef at = p->after ? LLVMGetNextInstruction(p->after)
                                   : LLVMGetFirstInstruction(p->bb);
        if (at)
            LLVMPositionBuilderBefore(lc->b, at);
        else
            LLVMPositionBuilderAtEnd(lc->b, p->bb);
        if (!p->x87_only)
            flush_here(lc, p);
        if (!p->no_x87)
            lift_x87_flush_here(lc, p);
    }
    free(lc->flush);
    lc->flush = NULL;
    lc->nflush = lc->flush_cap = 0;
}

void lift_state_reload(struct lift_ctx *lc)
{
    lc->reloading = true;
    for (int r = 0; r < REG_COUNT; r++)
        lift_gpr_set(lc, r,
                     LLVMBuildLoad2(lc->b, lc->i32,
                                    lift_state_ptr(lc, CPU_OFF_GPR + 4 * r),
                                    ""));
    lc->reloading = false;
    lift_state_reload_flags(lc);
}

void lift_state_reload_flags(struct lift_ctx *lc)
{
    lc->reloading = true;
    for (int f = 0; f < FLAG_COUNT; f++) {
        LLVMValueRef v = LLVMBuildLoad2(
            lc->b, lc->i8, lift_state_ptr(lc, CPU_OFF_FLAG + f), "");
        flag_store(lc, f, f == FLAG_PF ? v : lift_trunc(lc, v, 1));
    }
    LLVMValueRef df =
        LLVMBuildLoad2(lc->b, lc->i8, lift_state_ptr(lc, CPU_OFF_DF), "");
    lift_df_set(lc, lift_trunc(lc, df, 1));
    lc->reloading = false;
}
