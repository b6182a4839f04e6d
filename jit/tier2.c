/* The optimising tier: a thread of its own that recompiles hot units with
 * LLVM's optimiser and replaces their code, while guest threads go on
 * running the first tier's.
 *
 * The same thread compiles first-tier units in the background: blocks the
 * interpreter has run a few times are queued (jit_request) and compiled
 * here while nothing is hot, so that the guest's thread finds their code
 * instead of compiling it itself (docs/ARCHITECTURE.md, "Baseline
 * tier").
 *
 * Hotness: first-tier code counts the guest blocks it runs in its cache
 * entry (lifter_env.hits).  Every TIER2_PERIOD_MS (up to TIER2_PERIOD_MAX_MS
 * after scans that found nothing) the thread takes the entries past the
 * threshold that were hottest lately (take_hot), lifts each again (under the
 * JIT's lock: the lifter asks the cache for chain cells), optimises and
 * generates code with no lock held, hands the object file to LLJIT and
 * stores the new address in the entry's chain cell.  Units chained to the
 * entry, the indirect-branch cache and the dispatcher all read the cell, so
 * they move to the new code at their next transition; the old code stays
 * valid (it is never freed), so a thread still inside it finishes there
 * safely.
 *
 * Knobs (docs/PERFORMANCE.md): R386_JIT_HOT = the threshold in unit
 * entries and loop iterations (default 1000; 0 turns the tier off); R386_JIT_HOT_PIPELINE = its passes;
 * R386_JIT_HOT_CODEGEN = its code generator's level (0-3, default 2). */
#include <llvm-c/Orc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jit_internal.h"
#include "r386/host_thread.h"

/* On by default since its code is stored (a later run starts with it):
 * warm runs 0.71x qemu-i386 instead of 1.20x, at ~20% more time on a cold
 * run of this 2-core machine (docs/PERFORMANCE.md, session 6). */
#define TIER2_DEFAULT_THRESHOLD 1000
#define TIER2_PERIOD_MS 10
/* A scan walks every cache entry under the JIT's lock: in a warm run,
 * where nearly everything hot came optimised from the cache, the scans
 * every 10 ms took 3.3% of SQLite's samples and found nothing.  After a
 * scan that finds nothing the next waits twice as long, up to this. */
#define TIER2_PERIOD_MAX_MS 80
/* Hot entries taken per scan: a unit takes ~25-35 ms to optimise, so 4
 * is a scan every ~0.1 s while the thread is busy (each under the JIT's
 * lock for ~0.1 ms); with 16 what got hot meanwhile waited ~0.5 s. */
#define TIER2_BATCH 4
/* First-tier requests waiting (a ring; a request finding it full is
 * dropped: the guest's thread compiles the block itself later). */
#define QUEUE_SIZE 4096
/* ... served only once the process has run this long (in ms;
 * R386_INTERP_BG_DELAY overrides it): a short run (a shell script's
 * commands) would otherwise set LLVM up and compile a unit or two in every
 * run, and wait at exit for the one in flight -- warm dynamic `true` 31-39
 * ms without requests, 35-56 ms with them served from the start
 * (docs/PERFORMANCE.md, session 21). */
#define QUEUE_DELAY_MS 50
/* Early requests (jit_request_early) waiting: served at once, and the
 * ones still waiting when the process ends before it does (each ~10-25
 * ms; a dynamic program's start makes four or five). */
#define EARLY_SIZE 16
/* Ordinary requests still waiting when the process ends are compiled
 * before it does when there are at most this many and the process ran
 * QUEUE_DELAY_MS or more. */
#define DRAIN_MAX 32
#define TIER2_PIPELINE JIT_OPT_PIPELINE

struct jit_tier2 {
    struct jit *j;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    /* Held while the thread takes and compiles a batch; a fork takes it
     * (jit_tier2_fork_prepare), so it never copies the thread's half-done
     * work into the child -- LLVM's and ORC's state mid-compile, pointers
     * into the thread's stack -- where the child's own tier-2 thread, on
     * that very stack once glibc reuses it, met it (heap corruption,
     * stack smashing, a codegen that never ends).  forking: leave the
     * batch early, a fork is waiting. */
    pthread_mutex_t work;
    bool forking;
    uint32_t threshold;
    const char *pipeline;
    LLVMOrcThreadSafeContextRef tsc;
    /* -O2 code generation, its own (not shared), made at the first
     * recompile (LLVM is not set up before it is needed: jit_llvm). */
    LLVMTargetMachineRef tm;
    LLVMCodeGenOptLevel level;
    unsigned long long seq;  /* unique symbol names */
    /* First-tier requests (under mu) and the worker compiling them. */
    guest_addr_t queue[QUEUE_SIZE];
    unsigned qhead, qtail; /* free-running: qtail - qhead waiting */
    uint64_t serve_from;   /* jit_now_ns() from which they are served */
    uint64_t started;      /* jit_now_ns() at the thread's start */
    guest_addr_t early[EARLY_SIZE]; /* early requests (under mu) */
    unsigned ehead, etail;
    struct jit_worker *w1; /* made at the first request (costs ~ms) */
    bool no_w1;            /* it could not be made */
};

bool jit_tier2_request(struct jit_tier2 *t, guest_addr_t pc, bool early)
{
    if (!t || __atomic_load_n(&t->no_w1, __ATOMIC_RELAXED))
        return false;
    pthread_mutex_lock(&t->mu);
    bool room;
    if (early) {
        room = t->etail - t->ehead < EARLY_SIZE;
        if (room) {
            t->early[t->etail++ % EARLY_SIZE] = pc;
            pthread_cond_signal(&t->cv);
        }
    } else {
        room = t->qtail - t->qhead < QUEUE_SIZE;
        if (room) {
            t->queue[t->qtail++ % QUEUE_SIZE] = pc;
            if (jit_now_ns() >= t->serve_from) /* (else it is not to wake) */
                pthread_cond_signal(&t->cv);
        }
    }
    pthread_mutex_unlock(&t->mu);
    return room;
}

static bool queue_pop(struct jit_tier2 *t, guest_addr_t *pc, bool early)
{
    pthread_mutex_lock(&t->mu);
    bool any = early ? t->etail != t->ehead : t->qtail != t->qhead;
    if (any)
        *pc = early ? t->early[t->ehead++ % EARLY_SIZE]
                    : t->queue[t->qhead++ % QUEUE_SIZE];
    pthread_mutex_unlock(&t->mu);
    return any;
}

/* Compile a requested block with the first tier's recipe (under work). */
static void compile_request(struct jit_tier2 *t, guest_addr_t pc)
{
    /* (A block that got code meanwhile does not set LLVM up.) */
    if (!jit_needs_code(t->j, pc))
        return;
    if (!t->w1 && !(t->w1 = jit_worker_first_tier(t->j)))
        __atomic_store_n(&t->no_w1, true, __ATOMIC_RELAXED);
    if (t->w1)
        jit_compile_queued(t->j, t->w1, pc);
}

/* Every request waiting in a queue, unless a fork waits (under work). */
static void serve_all(struct jit_tier2 *t, bool early)
{
    guest_addr_t pc;
    while (!__atomic_load_n(&t->forking, __ATOMIC_RELAXED) &&
           queue_pop(t, &pc, early))
        compile_request(t, pc);
}

/* The thread goes on unless stopping or a fork waits for it. */
static bool go_on(struct jit_tier2 *t)
{
    return !__atomic_load_n(&t->stop, __ATOMIC_RELAXED) &&
           !__atomic_load_n(&t->forking, __ATOMIC_RELAXED);
}

/* Take up to max of the hottest first-tier entries past the threshold
 * (out sorted hottest first) and mark them, so no later scan takes them.
 * Hottest lately, not in total: each scan halves an entry's heat and adds
 * the hits since the last scan.  By total hits a program's first phase
 * (SQLite's inserts, then its queries) kept the thread busy with units
 * that no longer ran while the next phase's ran in first-tier code
 * (docs/PERFORMANCE.md, session 25). */
static int take_hot(struct jit_tier2 *t, struct jit_entry **out, int max)
{
    struct jit *j = t->j;
    int n = 0;
    pthread_mutex_lock(&j->lock);
    for (size_t b = 0; b < j->cache.nbuckets; b++)
        for (struct jit_entry *e = j->cache.buckets[b]; e; e = e->next) {
            if (e->tier != 1)
                continue;
            /* (first-tier code adds to hits meanwhile, without the lock) */
            uint32_t hits = __atomic_load_n(&e->hits, __ATOMIC_RELAXED);
            uint32_t lately = hits >= e->seen ? hits - e->seen : hits;
            e->seen = hits;
            e->heat = e->heat / 2 + lately;
            if (hits < t->threshold)
                continue;
            int i;
            if (n < max)
                i = n++;
            else if (e->heat > out[max - 1]->heat)
                i = max - 1;
            else
                continue;
            for (; i > 0 && out[i - 1]->heat < e->heat; i--)
                out[i] = out[i - 1];
            out[i] = e;
        }
    for (int i = 0; i < n; i++)
        out[i]->tier = 2;
    pthread_mutex_unlock(&j->lock);
    return n;
}

static void recompile(struct jit_tier2 *t, struct jit_entry *e)
{
    struct jit *j = t->j;
    char err[256];
    if (!t->tm &&
        !(t->tm = jit_host_machine(t->level, LLVMRelocPIC, err, sizeof(err))))
        return; /* (its first-tier code stays) */
    if (!t->tsc) /* LLVM is set up by now (jit_host_machine) */
        t->tsc = LLVMOrcCreateNewThreadSafeContext();
    uint64_t t0 = jit_now_ns();
    guest_addr_t pc = (guest_addr_t)e->link.pc;
    char name[1][JIT_NAME_MAX], table[JIT_NAME_MAX];
    snprintf(name[0], sizeof(name[0]), "h_%08x_%s_%llu", pc, j->nonce,
             t->seq);
    snprintf(table, sizeof(table), "ht_%s_%llu", j->nonce, t->seq++);
    LLVMModuleRef m = jit_new_module(
        LLVMOrcThreadSafeContextGetContext(t->tsc), t->tm);
    struct lifter_env env = jit_lifter_env(j, true, false);
    struct lifter_unit u;
    struct jit_unit_info info;
    pthread_mutex_lock(&j->lock);
    /* Self-modifying code: the unit is installed only if its code has not
     * changed since it was lifted -- no invalidation of the entry (gen)
     * and no change of guest code at all still waiting for one (epoch). */
    uint32_t gen = e->gen;
    uint64_t epoch = jit_code_epoch(j);
    int rc = e->tier == 2 ? lifter_lift_unit(j->lifter, m, name[0], pc,
                                             &j->cfg.code, &env, &u)
                          : -1; /* invalidated since it was taken */
    if (rc == 0)
        jit_unit_info_of(j, &u, &info); /* its bytes, as they are now */
    pthread_mutex_unlock(&j->lock);
    guest_addr_t *cells = NULL;
    uint32_t ncells = 0;
    if (rc == 0)
        rc = jit_cells_prepare(m, table, &cells, &ncells);
    LLVMMemoryBufferRef obj = NULL;
    if (rc == 0)
        obj = jit_emit(j, m, t->pipeline, t->tm, t->tm, "optimising tier",
                       NULL, err, sizeof(err));
    LLVMDisposeModule(m);
    /* Its object, for the persistent cache: hot code is optimised once. */
    void *objcopy = NULL;
    size_t objlen = obj ? LLVMGetBufferSize(obj) : 0;
    if (obj && j->pcache && info.cacheable &&
        (objcopy = malloc(objlen)) != NULL)
        memcpy(objcopy, LLVMGetBufferStart(obj), objlen);
    uint64_t addr = 0, tab;
    if (!obj || jit_link_object(j, obj, NULL, 0, table, ncells,
                                (const char(*)[JIT_NAME_MAX])name, 1, &addr,
                                &tab, JIT_LINES_COPY, err,
                                sizeof(err)) != 0) {
        free(objcopy);
        free(cells);
        return; /* the first tier's code stays */
    }
    jit_perfmap_write(j->perfmap, name[0], addr, pc, 2);
    pthread_mutex_lock(&j->lock);
    bool filled = jit_cells_fill(j, tab, cells, ncells);
    if (!filled || e->gen != gen || u.code_end == 0) {
        pthread_mutex_unlock(&j->lock); /* invalidated meanwhile */
        free(objcopy);
        free(cells);
        return;
    }
    if (u.code_lo < e->code_lo)
        e->code_lo = u.code_lo;
    if (u.code_end > e->code_end)
        e->code_end = u.code_end;
    bool installed = jit_page_index_add(j, e, u.ranges, u.nranges);
    if (installed && !jit_install(j, e, addr, epoch)) {
        /* Guest code changed since the lift: this code may be old, and
         * the first tier's too (its cell is 0 now, or about to be). */
        e->tier = 0;
        e->code_end = 0;
        installed = false;
    }
    if (installed) { /* (else out of memory: tier 1's code stays) */
        e->optimised = JIT_CODE_HOT;
        jit_entry_set_pred(e, info.pred, info.npred);
        if (objcopy)
            jit_pcache_store(j, objcopy, objlen, table, cells, ncells,
                             (const char(*)[JIT_NAME_MAX])name, &info, 1,
                             JIT_CODE_HOT);
    }
    free(objcopy);
    free(cells);
    if (!installed) {
        pthread_mutex_unlock(&j->lock);
        return;
    }
    j->stats.hot_units++;
    j->stats.hot_ns += jit_now_ns() - t0;
    for (unsigned i = 0; i < info.npred; i++)
        j->stats.hot_cold += info.pred[i].target == 0;
    pthread_mutex_unlock(&j->lock);
}

/* Entries taken but not compiled go back to the first tier, for a later
 * scan (in this process or a forked child) to take again. */
static void give_back(struct jit *j, struct jit_entry **e, int n)
{
    pthread_mutex_lock(&j->lock);
    for (int i = 0; i < n; i++)
        if (e[i]->tier == 2 && e[i]->optimised != JIT_CODE_HOT)
            e[i]->tier = 1;
    pthread_mutex_unlock(&j->lock);
}

static void *tier2_main(void *arg)
{
    struct jit_tier2 *t = arg;
    struct jit_entry *hot[TIER2_BATCH];
    long period = TIER2_PERIOD_MS;
    uint64_t next_scan = jit_now_ns() + (uint64_t)period * 1000000u;
    uint64_t serve_from = t->serve_from;
    bool idle = true; /* the last scan found nothing hot */
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        uint64_t now = jit_now_ns();
        if ((!idle || t->qtail == t->qhead || now < serve_from) &&
            t->etail == t->ehead && now < next_scan) {
            /* (the condition variable's clock is the real-time one) */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            uint64_t ns = (uint64_t)ts.tv_nsec + (next_scan - now);
            ts.tv_sec += (time_t)(ns / 1000000000u);
            ts.tv_nsec = (long)(ns % 1000000000u);
            pthread_cond_timedwait(&t->cv, &t->mu, &ts);
        }
        if (t->stop)
            break;
        pthread_mutex_unlock(&t->mu);
        pthread_mutex_lock(&t->work);
        serve_all(t, true);
        if (go_on(t) && jit_now_ns() >= next_scan) {
            int n = take_hot(t, hot, TIER2_BATCH), done = 0;
            period = n                                ? TIER2_PERIOD_MS
                     : period * 2 > TIER2_PERIOD_MAX_MS ? TIER2_PERIOD_MAX_MS
                                                        : period * 2;
            while (done < n && go_on(t))
                recompile(t, hot[done++]);
            give_back(t->j, hot + done, n - done);
            idle = n == 0;
            next_scan = jit_now_ns() + (uint64_t)period * 1000000u;
        }
        /* First-tier requests only while nothing is hot: on a machine
         * with few cores the optimising tier's work is worth more to a
         * long run than the first-tier compiles the guest's thread would
         * otherwise make itself (docs/PERFORMANCE.md, session 21). */
        guest_addr_t pc;
        while (idle && go_on(t) && jit_now_ns() >= serve_from &&
               jit_now_ns() < next_scan && queue_pop(t, &pc, false))
            compile_request(t, pc);
        pthread_mutex_unlock(&t->work);
        pthread_mutex_lock(&t->mu);
    }
    pthread_mutex_unlock(&t->mu);
    /* Early requests are compiled even when the process is ending, so
     * that the next run finds them (EARLY_SIZE bounds the wait). */
    pthread_mutex_lock(&t->work);
    serve_all(t, true);
    /* And a short queue of ordinary ones, in a process that ran 50 ms or
     * more: the bench's matmul (~60 ms) left 20-40 requests at its first
     * exit, compiled a few of them in each later run (setting LLVM up for
     * that) and took five runs to settle.  A long queue (a big program's:
     * thousands, which the interpreter runs too few times to matter) and
     * a short run's (a shell script's commands) are left as they are. */
    pthread_mutex_lock(&t->mu);
    bool drain = t->qtail - t->qhead <= DRAIN_MAX &&
                 jit_now_ns() - t->started >=
                     (uint64_t)QUEUE_DELAY_MS * 1000000u;
    pthread_mutex_unlock(&t->mu);
    if (drain)
        serve_all(t, false);
    pthread_mutex_unlock(&t->work);
    return NULL;
}

void jit_tier2_codegen(const char **pipeline, LLVMCodeGenOptLevel *level)
{
    *pipeline = getenv("R386_JIT_HOT_PIPELINE");
    if (!*pipeline || !**pipeline)
        *pipeline = TIER2_PIPELINE;
    const char *cg = getenv("R386_JIT_HOT_CODEGEN");
    *level = LLVMCodeGenLevelDefault;
    if (cg && *cg)
        *level = atoi(cg) <= 0   ? LLVMCodeGenLevelNone
                 : atoi(cg) == 1 ? LLVMCodeGenLevelLess
                 : atoi(cg) == 2 ? LLVMCodeGenLevelDefault
                                 : LLVMCodeGenLevelAggressive;
}

static struct jit_tier2 *tier2_start(struct jit *j, unsigned long long seq)
{
    const char *h = getenv("R386_JIT_HOT");
    long threshold = h && *h ? atol(h) : TIER2_DEFAULT_THRESHOLD;
    if (threshold <= 0)
        return NULL;
    struct jit_tier2 *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->j = j;
    t->seq = seq;
    t->threshold = (uint32_t)threshold;
    const char *d = getenv("R386_INTERP_BG_DELAY"); /* ms (tests: 0) */
    long delay = d && *d ? atol(d) : QUEUE_DELAY_MS;
    t->started = jit_now_ns();
    t->serve_from = t->started + (uint64_t)(delay > 0 ? delay : 0) * 1000000u;
    jit_tier2_codegen(&t->pipeline, &t->level);
    /* (its LLVM context and target machine at its first compile) */
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    pthread_mutex_init(&t->work, NULL);
    int started = r386_thread_create(&t->thread, tier2_main, t);
    if (started != 0) {
        jit_worker_destroy(t->w1);
        free(t);
        return NULL;
    }
    return t;
}

struct jit_tier2 *jit_tier2_start(struct jit *j)
{
    return tier2_start(j, 0);
}

void jit_tier2_fork_prepare(struct jit_tier2 *t)
{
    if (!t)
        return;
    __atomic_store_n(&t->forking, true, __ATOMIC_RELAXED);
    pthread_mutex_lock(&t->work);
}

void jit_tier2_fork_parent(struct jit_tier2 *t)
{
    if (!t)
        return;
    __atomic_store_n(&t->forking, false, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&t->work);
}

struct jit_tier2 *jit_tier2_fork_child(struct jit_tier2 *t)
{
    if (!t)
        return NULL;
    /* The thread is gone and held nothing of LLVM's (work was ours): its
     * compiler goes, a new thread starts with new names. */
    struct jit *j = t->j;
    unsigned long long seq = t->seq;
    jit_worker_destroy(t->w1);
    if (t->tm)
        LLVMDisposeTargetMachine(t->tm);
    if (t->tsc)
        LLVMOrcDisposeThreadSafeContext(t->tsc);
    struct jit_tier2 *c = tier2_start(j, seq);
    /* The requests still waiting are the child's too (their entries say
     * they are queued). */
    for (; c && t->qhead != t->qtail; t->qhead++)
        jit_tier2_request(c, t->queue[t->qhead % QUEUE_SIZE], false);
    for (; c && t->ehead != t->etail; t->ehead++)
        jit_tier2_request(c, t->early[t->ehead % EARLY_SIZE], true);
    free(t);
    return c;
}

void jit_tier2_stop(struct jit_tier2 *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    __atomic_store_n(&t->stop, true, __ATOMIC_RELAXED);
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    jit_worker_destroy(t->w1);
    if (t->tm)
        LLVMDisposeTargetMachine(t->tm);
    if (t->tsc)
        LLVMOrcDisposeThreadSafeContext(t->tsc);
    free(t);
}
