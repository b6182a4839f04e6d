/* profile: the guest profiler (--profile, --profile-folded, --profile-svg).
 *
 * A sampler thread of its own wakes every millisecond and reads, for each
 * registered guest thread, what the thread is doing (an activity word the
 * runtime sets at its transitions), and asks the thread for its samples:
 * the thread leaves translated code at its next loop back edge, return or
 * unit boundary (its interrupt word) and, with its state exact, walks its
 * guest stack with the .eh_frame rules of the code's ELF files
 * (loader/cfi.c) before it runs guest code again.  At exit
 * the samples are named with the guest ELF files' symbols and written as
 * a report, collapsed stacks and an SVG flame graph (docs/PROFILING.md).
 *
 * Nothing here runs unless the runtime creates a profile. */
#ifndef R386_PROFILE_H
#define R386_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "r386/cpu.h"
#include "r386/guest.h"

struct profile;
struct profile_thread;

/* What a guest thread is doing, as the sampler counts it. */
enum profile_activity {
    PROFILE_GUEST,    /* running translated guest code */
    PROFILE_DISPATCH, /* the dispatcher: between units, delivering signals */
    PROFILE_COMPILE,  /* finding or compiling a unit (jit_lookup) */
    PROFILE_SYSCALL,  /* in a guest system call */
    PROFILE_ACTIVITIES
};

struct profile_config {
    const char *report_path; /* --profile=FILE, or NULL */
    const char *folded_path; /* --profile-folded=FILE, or NULL */
    const char *svg_path;    /* --profile-svg=FILE, or NULL */
    const char *program;     /* named in the report */
};

/* An executable file mapping of the guest: [start, end) maps path from
 * file offset offset. */
struct profile_mapping {
    const char *path;
    guest_addr_t start;
    uint64_t end;
    uint64_t offset;
};
typedef bool (*profile_map_fn)(void *ctx, guest_addr_t pc,
                               struct profile_mapping *out);

/* Start sampling.  NULL and a one-line message in err on failure. */
struct profile *profile_start(const struct profile_config *cfg, char *err,
                              size_t errlen);
/* An ELF file loaded with the given bias (guest = file vaddr + bias): its
 * PT_LOAD segments name the pcs inside them. */
void profile_add_image(struct profile *p, const char *path,
                       guest_addr_t bias);
/* Where the names of other pcs come from (the runtime's file mappings). */
void profile_set_mapper(struct profile *p, profile_map_fn fn, void *ctx);

/* A guest thread starts (on its host thread): sampled from now on, until
 * unregistered.  NULL when out of memory. */
struct profile_thread *profile_thread_register(struct profile *p,
                                               struct cpu_state *cpu);
/* Before the thread's cpu_state is freed. */
void profile_thread_unregister(struct profile *p, struct profile_thread *t);

/* The activity word is the first member of struct profile_thread: one
 * plain store, no call, at each transition. */
static inline void profile_thread_set(struct profile_thread *t,
                                      enum profile_activity a)
{
    __atomic_store_n((uint32_t *)t, (uint32_t)a, __ATOMIC_RELAXED);
}

/* Has the sampler asked this thread for a sample?  (Its second word.) */
static inline bool profile_thread_due(const struct profile_thread *t)
{
    return __atomic_load_n((const uint32_t *)t + 1, __ATOMIC_RELAXED) != 0;
}

/* Take the samples asked for, with cpu exact: the dispatcher calls it
 * before it runs guest code.  A walk of the guest stack. */
void profile_thread_sample(struct profile_thread *t,
                           const struct cpu_state *cpu);

/* Stop sampling and write the files (one warning per file that cannot be
 * written).  Only the process that started the profile writes (not a
 * fork child); later and concurrent calls wait for the first to end, so
 * a caller may end the process when it returns. */
void profile_finish(struct profile *p);

#endif
