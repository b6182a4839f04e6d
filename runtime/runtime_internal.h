/* Private to runtime/: the runtime object. */
#ifndef R386_RUNTIME_INTERNAL_H
#define R386_RUNTIME_INTERNAL_H

#include <pthread.h>

#include "codemap.h"
#include "guest_mem.h"
#include "interp.h"
#include "jit.h"
#include "loader.h"
#include "runtime.h"
#include "thread.h"

struct runtime {
    struct guest_mem mem;
    struct image_info info;
    struct runtime_config cfg;
    struct jit *jit;
    struct interp *interp;   /* the baseline tier, or NULL (dispatch.c) */
    unsigned interp_runs;    /* its threshold: runs before compiling */
    unsigned interp_bg;      /* runs before a background compile (0: no) */
    unsigned interp_bg_early; /* runs in the start-up window before an
                               * early one (jit_request_early; 0: no) */
    /* While starting (dispatch.c, interp_young), blocks are interpreted
     * past interp_runs: until this coarse_ns() (0: started). */
    uint64_t interp_young_until;
    struct codemap *codemap; /* which file each guest range maps */
    /* The program break: [start_brk, brk) is mapped (page-rounded). */
    guest_addr_t brk;
    pthread_mutex_t mm_lock; /* mmap/brk bookkeeping */
    struct signal_process_state sig; /* the guest's signal actions */
    struct guest_thread main_thread;
    int nthreads; /* live guest threads (atomic) */
    uint64_t start_ns; /* for --stats */
    struct profile *prof; /* --profile..., else NULL */
    /* --aot (aot.c): the main thread stops when it reaches aot_entry. */
    guest_addr_t aot_entry;
    bool aot_reached;
};

/* dispatch.c: run guest thread t until it exits; returns its exit status,
 * or -N when the guest was killed by signal N. */
int runtime_thread_loop(struct runtime *rt, struct guest_thread *t);
/* Drop the translations of guest pages whose contents changed (self-
 * modifying code, guest_mem.h); the dispatcher's safe point calls it. */
void runtime_code_sync(struct runtime *rt);
/* End the whole guest process now, from any thread: status >= 0 is an
 * exit status, -N death by signal N.  Other threads never run again. */
_Noreturn void runtime_end_process(struct runtime *rt, int status);

/* prof.c: the guest profiler, when the configuration asks for it.  start
 * after the JIT exists; thread_start/stop on each guest thread's host
 * thread; finish writes the files (from any thread, more than once). */
void runtime_profile_start(struct runtime *rt);
void runtime_profile_jit(const struct runtime *rt, struct jit_config *jc);
void runtime_profile_thread_start(struct guest_thread *t);
void runtime_profile_thread_stop(struct guest_thread *t);
void runtime_profile_finish(struct runtime *rt);

#endif
