/* A guest thread: its CPU state and what the kernel keeps per thread.
 * Private to runtime/. */
#ifndef R386_THREAD_H
#define R386_THREAD_H

#include <stdbool.h>
#include <stdint.h>

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
};

static inline struct guest_thread *thread_of(struct cpu_state *s)
{
    return (struct guest_thread *)s;
}

/* Recompute the FS/GS bases from their selectors and the TLS slots. */
void thread_load_segs(struct guest_thread *t);

#endif
