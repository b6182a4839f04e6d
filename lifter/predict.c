/* Predicted indirect branches (lifter_env.predict).
 *
 * i386 code calls every exported function through its PLT, a `jmp
 * *GOT(%ebx)`, and C code calls back through function pointers (qsort's
 * comparison); each such jump left the unit for the indirect branch
 * cache, and the callee's ret left its unit again.  The first tier's
 * indirect exits note, per jump or call, the target they went to
 * (lifter_ibtc_find, with a count of the times it changed); an optimised
 * unit lifted later tests for that target when it has settled and goes
 * on there inside the unit (the callee's blocks know the call's return
 * address, so its ret comes back in too: lift_end_call, lift_end_ret),
 * else leaves as before.  The test keeps it exact whatever the jump does
 * later.
 *
 * The note table is shared by every guest thread and read by the
 * optimising tier's thread: one 64-bit word per slot (site, target),
 * read and written atomically, so a reader sees a pair as it was written
 * (two sites sharing a slot only cost predictions). */
#include <stdlib.h>
#include <string.h>

#include "lift_internal.h"

#define SITE_SLOTS 16384 /* a power of two */
/* A target that changed more often than this is not predicted: a switch's
 * jump table.  (A lazily bound PLT slot changes once: from the resolver's
 * stub to the function.) */
#define SITE_CHANGES_MAX 2

static uint64_t site_note[SITE_SLOTS]; /* site << 32 | target */
static uint8_t site_changes[SITE_SLOTS];

static unsigned site_slot(uint32_t site)
{
    return (site ^ (site >> 14)) & (SITE_SLOTS - 1);
}

void lift_site_note(uint32_t site, uint32_t target)
{
    unsigned i = site_slot(site);
    uint64_t v = __atomic_load_n(&site_note[i], __ATOMIC_RELAXED);
    uint64_t now = (uint64_t)site << 32 | target;
    if (v == now)
        return;
    if (v == 0)
        site_changes[i] = 0;
    else if (site_changes[i] <= SITE_CHANGES_MAX)
        site_changes[i]++; /* (two sites sharing the slot count too) */
    __atomic_store_n(&site_note[i], now, __ATOMIC_RELAXED);
}

/* The target noted for site, when it has settled; else 0. */
static guest_addr_t site_settled(guest_addr_t site)
{
    unsigned i = site_slot(site);
    uint64_t v = __atomic_load_n(&site_note[i], __ATOMIC_RELAXED);
    if ((uint32_t)(v >> 32) != site || site_changes[i] > SITE_CHANGES_MAX)
        return 0;
    return (guest_addr_t)v;
}

/* The first of p[0..n) recorded for pc: a prediction for the indirect
 * branch at pc, or with cold, pc as a cold block (lifter_pred); NULL when
 * there is none. */
static const struct lifter_pred *recorded(const struct lifter_pred *p,
                                          unsigned n, guest_addr_t pc,
                                          bool cold)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i].site == pc && (p[i].target == 0) == cold)
            return &p[i];
    return NULL;
}

guest_addr_t lift_predicted(struct lift_ctx *lc, guest_addr_t site)
{
    const struct lifter_env *env = lc->env;
    struct lifter_unit *u = lc->pred_unit;
    if (!env || !env->predict || !u)
        return 0;
    /* The unit's own first: a block lifted twice, the unit's second copy
     * (lifter_lift_unit) predict as the first did. */
    const struct lifter_pred *r = recorded(u->pred, u->npred, site, false);
    if (r)
        return r->target;
    guest_addr_t t = 0;
    if (env->replay) {
        r = recorded(env->replay, env->nreplay, site, false);
        t = r ? r->target : 0;
    } else {
        t = site_settled(site);
    }
    if (!t || u->npred == LIFTER_MAX_PRED)
        return 0; /* (a prediction not recorded could not be replayed) */
    u->pred[u->npred++] = (struct lifter_pred){site, t};
    return t;
}

/* ---- cold blocks ----
 * A region's budget (lift.c) went to both sides of every branch in the
 * order they were found, so whether a loop of Lua's handlers, each with
 * its slow paths and their callees, fitted in one unit was luck.  The
 * interpreter counts the runs of each block until it is compiled (its
 * first 16 to 4096): a block that never ran while the block branching to
 * it ran COLD_MIN_RUNS times or more is left as an exit, and the budget
 * goes to the paths taken.  Such an exit, when it is taken after all,
 * chains to the block's own unit (first tier) as any exit does.  (Blocks
 * the first tier compiled with their predecessor's unit were never
 * interpreted: no counts, no cold exits.) */
#define COLD_MIN_RUNS 8

/* R386_JIT_COLD=0 turns cold exits off: a developer knob for
 * measurements. */
static bool cold_exits_on(void)
{
    static int on = -1;
    if (on < 0) {
        const char *e = getenv("R386_JIT_COLD");
        on = !(e && strcmp(e, "0") == 0);
    }
    return on;
}

bool lift_cold(struct lift_ctx *lc, guest_addr_t target)
{
    const struct lifter_env *env = lc->env;
    struct lifter_unit *u = lc->pred_unit;
    const struct lifter_code_source *code = lc->code;
    if (!env || !env->predict || !u)
        return false;
    if (recorded(u->pred, u->npred, target, true))
        return true; /* (the unit's second copy) */
    if (u->npred == LIFTER_MAX_PRED)
        return false; /* (a cold block not recorded could not be replayed) */
    if (env->replay) {
        if (!recorded(env->replay, env->nreplay, target, true))
            return false;
    } else {
        if (!code->runs || !cold_exits_on())
            return false;
        unsigned from = code->runs(code->ctx, lc->block_pc[lc->cur_block]);
        if (from == LIFTER_RUNS_UNKNOWN || from < COLD_MIN_RUNS ||
            code->runs(code->ctx, target) != 0)
            return false;
    }
    u->pred[u->npred++] = (struct lifter_pred){target, 0};
    return true;
}
