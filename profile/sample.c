/* The sampler: a host thread of its own that wakes PROFILE_HZ times a
 * second (absolute deadlines on CLOCK_MONOTONIC) and asks each registered
 * guest thread for the samples it has earned; the thread takes them
 * itself (profile_take_sample), walking its guest stack (unwind.c).
 *
 * Why a thread and not a timer signal: the guest may use SIGPROF,
 * SIGALRM and setitimer itself (r386 forwards every catchable signal to
 * it), and a signal of r386's own would make r386's blocking host calls
 * return EINTR.  The sampler interrupts nothing: for a thread in guest
 * code it sets the thread's interrupt word, which translated code reads
 * at loop back edges and between units (as for a pending signal).  At
 * its next turn in the dispatcher, before it runs guest code again, the
 * thread walks its stack from its exact state.  That turn comes at the
 * first loop iteration, return, indirect jump or unit boundary after the
 * tick; when it is a return, the function that returned is the innermost
 * frame (cpu_state.prof_ret, lifter/flow.c: the tick came after the last
 * point that could have stopped the thread, so in that function), so a
 * short leaf's time is not given to its caller.
 * A thread in r386 (compiling, dispatching) or in a system call passes
 * through the dispatcher anyway; one still blocked when the profile ends
 * is walked where it blocks (profile.c).
 *
 * Why not walk from the sampler: the guest runs on under it.  Read from
 * another thread, the stack of code that calls and returns every few
 * dozen cycles has changed before its first word is copied (tried: one
 * walk in eight of prof_lua's broke on a reused slot).
 *
 * A wall-clock sample of a thread that is not running would count the
 * state it was left in as often as the host keeps it waiting: on a busy
 * host that is most samples.  So samples follow each thread's CPU clock
 * instead: a thread gets one sample per PROFILE_HZ-th of a second of CPU
 * time it used since the last tick (taken at the state it is in now), and
 * a thread in a system call one per tick, CPU or not (time blocked in the
 * kernel is time the guest waits). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profile_internal.h"
#include "r386/host_thread.h"

static uint32_t hash_trace(uint8_t activity, const guest_addr_t *pc,
                           unsigned n)
{
    uint32_t h = 2166136261u ^ activity;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ pc[i]) * 16777619u;
    return h;
}

static bool grow_traces(struct profile *p)
{
    size_t cap = p->trace_cap ? 2 * p->trace_cap : 1024;
    struct prof_trace **t = calloc(cap, sizeof(*t));
    if (!t)
        return false;
    for (size_t i = 0; i < p->trace_cap; i++) {
        struct prof_trace *r = p->traces[i];
        if (!r)
            continue;
        size_t k = r->hash & (cap - 1);
        while (t[k])
            k = (k + 1) & (cap - 1);
        t[k] = r;
    }
    free(p->traces);
    p->traces = t;
    p->trace_cap = cap;
    return true;
}

static void count_trace(struct profile *p, uint8_t activity,
                        const guest_addr_t *pc, unsigned n, unsigned weight)
{
    if (2 * (p->ntraces + 1) > p->trace_cap && !grow_traces(p))
        return;
    uint32_t h = hash_trace(activity, pc, n);
    size_t k = h & (p->trace_cap - 1);
    for (struct prof_trace *r; (r = p->traces[k]);
         k = (k + 1) & (p->trace_cap - 1)) {
        if (r->hash == h && r->activity == activity && r->n == n &&
            memcmp(r->pc, pc, n * sizeof(*pc)) == 0) {
            r->count += weight;
            return;
        }
    }
    struct prof_trace *r = malloc(sizeof(*r) + n * sizeof(*pc));
    if (!r)
        return;
    *r = (struct prof_trace){h, weight, activity, (uint16_t)n};
    memcpy(r->pc, pc, n * sizeof(*pc));
    p->traces[k] = r;
    p->ntraces++;
}

static bool grow_pcs(struct prof_pc_table *t)
{
    size_t cap = t->cap ? 2 * t->cap : 1024;
    struct prof_pc_count *s = calloc(cap, sizeof(*s));
    if (!s)
        return false;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slot[i].pc)
            continue;
        size_t k = (t->slot[i].pc * 2654435761u) & (cap - 1);
        while (s[k].pc)
            k = (k + 1) & (cap - 1);
        s[k] = t->slot[i];
    }
    free(t->slot);
    t->slot = s;
    t->cap = cap;
    return true;
}

static void count_pc(struct prof_pc_table *t, guest_addr_t pc,
                     unsigned weight)
{
    if (!pc || (2 * (t->n + 1) > t->cap && !grow_pcs(t)))
        return;
    size_t k = (pc * 2654435761u) & (t->cap - 1);
    while (t->slot[k].pc && t->slot[k].pc != pc)
        k = (k + 1) & (t->cap - 1);
    if (!t->slot[k].pc) {
        t->slot[k].pc = pc;
        t->n++;
    }
    t->slot[k].count += weight;
}

#define PERIOD_NS (1000000000u / PROFILE_HZ)
/* After a long stall of the sampler, no more than this many samples at
 * once: the state now says little about the time before. */
#define MAX_BURST 4

static uint64_t thread_cpu_ns(const struct profile_thread *t)
{
    struct timespec ts;
    if (!t->has_clock || clock_gettime(t->clock, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void profile_sampler_thread_init(struct profile_thread *t)
{
    t->has_clock = pthread_getcpuclockid(pthread_self(), &t->clock) == 0;
    t->last_cpu_ns = thread_cpu_ns(t);
    t->pending_ns = 0;
}

/* How many samples thread t earned since the last tick. */
static unsigned samples_due(struct profile_thread *t, uint32_t act)
{
    if (!t->has_clock)
        return 1; /* wall clock, then */
    uint64_t now = thread_cpu_ns(t);
    uint64_t used = now > t->last_cpu_ns ? now - t->last_cpu_ns : 0;
    t->last_cpu_ns = now;
    if (act == PROFILE_SYSCALL) {
        t->pending_ns = 0;
        return 1;
    }
    t->pending_ns += used;
    uint64_t n = t->pending_ns / PERIOD_NS;
    t->pending_ns -= n * PERIOD_NS;
    if (n > MAX_BURST) {
        n = MAX_BURST;
        t->pending_ns = 0;
    }
    return (unsigned)n;
}

/* Ask thread t for the samples it earned since the last tick: note what it
 * is doing and the unit it runs, and make it leave translated code (its
 * interrupt word: it takes the samples before it runs guest code again,
 * profile_take_sample).  A thread in a system call or in r386 passes there
 * anyway. */
static void sample_thread(struct profile_thread *t)
{
    uint32_t act = __atomic_load_n(&t->activity, __ATOMIC_RELAXED);
    if (act >= PROFILE_ACTIVITIES)
        act = PROFILE_DISPATCH;
    unsigned weight = samples_due(t, act);
    if (!weight)
        return;
    struct cpu_state *cpu = t->cpu;
    if (!t->due) { /* (a thread that has not taken the last: where it was) */
        t->req_activity = act;
        t->req_unit = __atomic_load_n(&cpu->eip, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&t->due, t->due + weight, __ATOMIC_RELAXED);
    if (act == PROFILE_GUEST)
        __atomic_store_n(&cpu->interrupt, 1, __ATOMIC_RELAXED);
}

void profile_take_sample(struct profile *p, struct profile_thread *t,
                         const struct cpu_state *cpu)
{
    unsigned weight = t->due;
    if (!weight)
        return;
    uint64_t t0 = profile_now_ns();
    __atomic_store_n(&t->due, 0, __ATOMIC_RELAXED);
    guest_addr_t pc[PROFILE_MAX_DEPTH + 2], ret[PROFILE_MAX_DEPTH];
    uint32_t act = t->req_activity;
    guest_addr_t eip = cpu->eip;
    unsigned n = profile_unwind(p, cpu->mem_base, eip, cpu->gpr, ret,
                                PROFILE_MAX_DEPTH);
    for (unsigned i = 0; i < n; i++)
        pc[i] = ret[n - 1 - i];
    pc[n++] = eip;
    guest_addr_t where = eip;
    /* Stopped by a return: the function that returned was running (eip,
     * a return address, is then named one byte back: its call). */
    if (act == PROFILE_GUEST && cpu->prof_ret) {
        where = cpu->prof_ret;
        pc[n++] = where;
    }
    p->samples += weight;
    p->by_activity[act] += weight;
    count_trace(p, (uint8_t)act, pc, n, weight);
    if (act == PROFILE_GUEST) {
        count_pc(&p->units, t->req_unit, weight);
        count_pc(&p->pcs, where, weight);
    }
    p->walk_ns += profile_now_ns() - t0;
}

static void tick(struct profile *p)
{
    pthread_mutex_lock(&p->lock);
    for (struct profile_thread *t = p->threads; t; t = t->next)
        if (t->live)
            sample_thread(t);
    pthread_mutex_unlock(&p->lock);
}

static void *sampler_main(void *arg)
{
    struct profile *p = arg;
    const long period = 1000000000L / PROFILE_HZ;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
        next.tv_nsec += period;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        int e = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        if (e != 0 && e != EINTR)
            break;
        tick(p);
        /* Late by more than a period (host overloaded): no catching up
         * with a burst of samples, the next one is a period from now. */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - next.tv_sec) * 1000000000L +
                (now.tv_nsec - next.tv_nsec) > period)
            next = now;
    }
    struct timespec cpu;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
        p->sampler_cpu_ns =
            (uint64_t)cpu.tv_sec * 1000000000u + (uint64_t)cpu.tv_nsec;
    return NULL;
}

int profile_sampler_start(struct profile *p)
{
    int e = r386_thread_create(&p->sampler, sampler_main, p);
    if (e != 0)
        return -e;
    p->running = true;
    return 0;
}

void profile_sampler_stop(struct profile *p)
{
    if (!p->running)
        return;
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    pthread_join(p->sampler, NULL);
    p->running = false;
}
