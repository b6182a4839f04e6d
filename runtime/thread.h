/* A guest thread: its CPU state and what the kernel keeps per thread.
 * Private to runtime/. */
#ifndef R386_THREAD_H
#define R386_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "r386/cpu.h"
#include "signal_state.h"

struct runtime;

/* i386 GDT TLS slots (GDT_ENTRY_TLS_MIN..MAX) that set_thread_area fills. */
#define TLS_ENTRY_MIN 12
#define TLS_ENTRY_COUNT 3

struct tls_desc {
    uint32_t base;
    uint32_t limit;
    uint32_t flags; /* user_desc bit fields, as given */
    bool present;
};

#define THREAD_FIND_MISS 4096 /* a power of two */

struct guest_thread {
    struct cpu_state cpu; /* first: helpers get &cpu and find the thread */
    struct runtime *rt;
    int tid;
    guest_addr_t clear_child_tid;
    struct tls_desc tls[TLS_ENTRY_COUNT];
    struct signal_thread_state sig; /* blocked mask, alternate stack */
    /* Set by exit/exit_group: the thread (or process) is done. */
    bool exited;
    int exit_status;
    struct profile_thread *prof; /* --profile: what the sampler reads */
    /* The pcs jit_find last found nothing for, and jit_find_gen + 1 then
     * (runtime/dispatch.c): an interpreted block does not ask again until
     * a translation may have appeared. */
    struct {
        guest_addr_t pc;
        uint32_t gen;
    } find_miss[THREAD_FIND_MISS];
};

/* What the thread is doing, for the profiler (nothing without it). */
static inline void thread_activity(struct guest_thread *t,
                                   enum profile_activity a)
{
    if (t->prof)
        profile_thread_set(t->prof, a);
}

static inline struct guest_thread *thread_of(struct cpu_state *s)
{
    return (struct guest_thread *)s;
}

/* set_thread_area on t with the guest struct user_desc at desc (also
 * clone's CLONE_SETTLS): 0 or a negative errno (sys_proc.c). */
long thread_set_area(struct guest_thread *t, guest_addr_t desc);

/* clone with CLONE_VM|CLONE_THREAD: a new guest thread on a new host
 * thread (sys_thread.c); returns its tid or a negative errno. */
long thread_clone(struct guest_thread *t, uint32_t flags, guest_addr_t sp,
                  guest_addr_t ptid, guest_addr_t tls, guest_addr_t ctid);

/* Recompute the FS/GS bases from their selectors and the TLS slots. */
void thread_load_segs(struct guest_thread *t);

#endif
