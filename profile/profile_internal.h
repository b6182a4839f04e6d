/* Private to profile/: samples, and what they become once named. */
#ifndef R386_PROFILE_INTERNAL_H
#define R386_PROFILE_INTERNAL_H

#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "loader.h"
#include "profile.h"

#define PROFILE_HZ 1000
/* Deeper stacks keep their innermost frames. */
#define PROFILE_MAX_DEPTH 128
/* How much of a guest stack above its esp a walk reads (unwind.c). */
#define PROFILE_VIEW_MAX (128u << 10)
/* Code ranges whose file is known (files.c). */
#define PROFILE_MAX_RANGES 64

struct profile_thread {
    uint32_t activity; /* first: profile_thread_set */
    /* second: samples the sampler asked for and the thread has not taken
     * yet (profile_thread_due); written under the profile's lock. */
    uint32_t due;
    struct profile *profile;
    bool live;
    struct cpu_state *cpu;
    /* The thread's CPU clock, its last reading, and CPU time not yet
     * turned into samples (sample.c). */
    clockid_t clock;
    bool has_clock;
    uint64_t last_cpu_ns, pending_ns;
    /* What the sampler saw when it asked: the activity and the unit
     * running. */
    uint32_t req_activity;
    guest_addr_t req_unit;
    struct profile_thread *next;
};

/* One distinct sampled stack: pcs outermost first; pc[n-1] is where the
 * thread was, the others are return addresses. */
struct prof_trace {
    uint32_t hash;
    uint32_t count;
    uint8_t activity;
    uint16_t n;
    guest_addr_t pc[];
};

/* A table of counts by guest pc (open addressing, pc 0 = empty). */
struct prof_pc_count {
    guest_addr_t pc;
    uint32_t count;
};
struct prof_pc_table {
    struct prof_pc_count *slot;
    size_t n, cap;
};

struct prof_image {
    char *path;
    guest_addr_t bias;
};

/* A guest ELF file and what naming and unwinding read from it. */
struct prof_file {
    char *path;
    struct elf_symbols *syms; /* NULL: unreadable */
};

/* [lo, hi) is code of files[file], loaded at bias. */
struct prof_range {
    guest_addr_t lo;
    uint64_t hi;
    int file;
    guest_addr_t bias;
};

/* ---- named ---- */
struct prof_func {
    char *name;       /* symbol, FILE+0xSTART, or [r386 ...] */
    const char *file; /* the ELF file, or "" */
    uint64_t self, incl;
    uint64_t seen;    /* sample number that last counted incl */
};

struct prof_stack {
    uint32_t count;
    unsigned n;
    unsigned *func; /* indexes into funcs, outermost first */
};

struct prof_named {
    struct prof_func *funcs;
    unsigned nfuncs;
    struct prof_stack *stacks;
    size_t nstacks;
    uint64_t total;
};

struct profile {
    struct profile_config cfg;
    pid_t pid; /* the process that profiles */
    pthread_mutex_t lock; /* threads list, images */
    pthread_mutex_t finish_lock; /* held while the files are written */
    struct profile_thread *threads;
    unsigned nthreads_seen;
    struct prof_image *images;
    size_t nimages;
    profile_map_fn map;
    void *map_ctx;
    /* files.c: the sampler's while it runs, then the symbolizer's. */
    struct prof_file *files;
    int nfiles;
    struct prof_range ranges[PROFILE_MAX_RANGES];
    unsigned nranges;
    struct prof_view *view; /* unwind.c: the sampler's copy of a stack */

    pthread_t sampler;
    bool running;
    int stop; /* atomic */
    bool finished;
    uint64_t start_ns, end_ns;

    /* Written under lock (read after the sampler stopped). */
    uint64_t samples;
    uint64_t sampler_cpu_ns; /* the sampler thread's own CPU time */
    uint64_t walk_ns; /* guest threads' time in profile_take_sample */
    uint64_t by_activity[PROFILE_ACTIVITIES];
    struct prof_trace **traces; /* open addressing */
    size_t ntraces, trace_cap;
    struct prof_pc_table units; /* guest samples by unit entry (eip) */
    struct prof_pc_table pcs;   /* guest samples by pc (insn_pc) */
};

uint64_t profile_now_ns(void);

/* files.c: the file holding guest pc, and its load bias. */
bool profile_find_file(struct profile *p, guest_addr_t pc, int *file,
                       guest_addr_t *bias);
void profile_files_free(struct profile *p);

/* unwind.c: the callers of a thread at pc with registers gpr (r386/cpu.h
 * order, all exact: the thread is between units), guest memory at
 * mem_base: innermost first, into out; returns how many.  Under the
 * profile's lock. */
struct prof_view;
struct prof_view *profile_view_new(void);
unsigned profile_unwind(struct profile *p, uint64_t mem_base,
                        guest_addr_t pc, const uint32_t gpr[8],
                        guest_addr_t *out, unsigned max);

/* sample.c */
void profile_sampler_thread_init(struct profile_thread *t);
/* Takes the samples due of thread t from cpu, its state (exact: the
 * thread is between units, or blocked).  Under the profile's lock. */
void profile_take_sample(struct profile *p, struct profile_thread *t,
                         const struct cpu_state *cpu);
int profile_sampler_start(struct profile *p);
void profile_sampler_stop(struct profile *p);

/* symbolize.c: name every trace; the caller frees with
 * profile_named_free. */
struct prof_symbolizer;
struct prof_symbolizer *profile_symbolizer_new(struct profile *p);
void profile_symbolizer_free(struct prof_symbolizer *s);
/* Function index of pc (leaf: pc itself, else a return address). */
unsigned profile_symbolize(struct prof_symbolizer *s, guest_addr_t pc,
                           bool leaf);
/* "func+0xOFF (file)" of pc, into buf. */
void profile_describe_pc(struct prof_symbolizer *s, guest_addr_t pc,
                         char *buf, size_t len);
int profile_name_all(struct profile *p, struct prof_symbolizer *s,
                     struct prof_named *out);
void profile_named_free(struct prof_named *n);

/* report.c, flame.c: write one output each; 0 or -errno. */
int profile_write_report(struct profile *p, struct prof_symbolizer *s,
                         const struct prof_named *n, FILE *f);
int profile_write_folded(const struct prof_named *n, FILE *f);
int profile_write_svg(const struct prof_named *n, FILE *f);

#endif
