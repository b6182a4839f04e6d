/* runtime: owns the guest -- its address space, initial stack, system
 * calls, signals and threads -- and runs it.  The command line talks to
 * the runtime through this header only. */
#ifndef R386_RUNTIME_H
#define R386_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct image_info;
struct runtime;

struct runtime_config {
    const char *sysroot;   /* -L DIR, or NULL */
    int argc;              /* guest argv: argv[0] is the program path */
    char **argv;
    const char *argv0;     /* -0: the guest's argv[0] when not argv[0] */
    char **envp;           /* guest environment, NULL-terminated */
    bool strace;
    bool debug;    /* notes on unknown instructions, verify generated IR */
    /* --dump-ir[=PC], --dump-asm[=PC] (jit_config) */
    bool dump_ir;
    bool dump_asm;
    bool dump_pc_set;
    uint32_t dump_pc;
    bool stats;    /* print translation statistics at exit */
    bool perf_map; /* write /tmp/perf-PID.map for perf */
    /* The guest profiler's outputs (docs/PROFILING.md), or NULL: any of
     * them turns it on. */
    const char *profile;        /* --profile=FILE: the report */
    const char *profile_folded; /* --profile-folded=FILE: collapsed stacks */
    const char *profile_svg;    /* --profile-svg=FILE: flame graph */
    /* The persistent translation cache's directory (NULL: none) and size
     * limit in bytes (0: the default). */
    const char *cache_dir;
    unsigned long long cache_max;
};

/* Reserve the guest address space, load the program and build its initial
 * stack.  On failure returns a negative errno (see loader_load) and a
 * one-line message in err. */
__attribute__((warn_unused_result))
int runtime_create(const struct runtime_config *cfg, struct runtime **out,
                   char *err, size_t errlen);
void runtime_destroy(struct runtime *rt);

const struct image_info *runtime_image(const struct runtime *rt);

/* Print the image_info fields and the auxiliary vector, readably. */
void runtime_dump_image(const struct runtime *rt, FILE *out);

/* Run the guest to its end.  Returns the guest's exit status (0..255), or
 * -N when the guest was killed by signal N. */
int runtime_run(struct runtime *rt);

/* --aot: run the program until its entry point (so ld.so maps what it
 * needs), translate what it and its libraries contain into the persistent
 * cache with the optimiser, and return an exit status for r386. */
int runtime_aot(struct runtime *rt);

/* End r386 as the guest ended: by signal sig, with no core of r386. */
_Noreturn void runtime_die_by_signal(int sig);

#endif
