/* jit: compiles lifted units with LLVM's ORC LLJIT (through the LLVM C
 * API) and keeps the translation cache: guest pc -> host code.
 *
 * Translated units chain to each other directly (see lifter_env); the
 * cache owns the chain cells.  The runtime resolves the helper ABI names
 * by handing the JIT a table of {name, address}. */
#ifndef R386_JIT_H
#define R386_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lifter.h"
#include "r386/cpu.h"

struct jit;

/* The file a guest address maps (the runtime's codemap), for the
 * persistent cache: it groups translations by file and load address. */
struct jit_code_file {
    guest_addr_t start; /* the mapping holding the address */
    uint64_t end;
    uint64_t offset;    /* file offset at start */
    const char *path;   /* host path */
    uint64_t size;      /* the file's size and modification time */
    int64_t mtime_ns;
};

struct jit_helper {
    const char *name;
    void *addr;
};

struct jit_config {
    const struct jit_helper *helpers;
    size_t nhelpers;
    struct lifter_code_source code;
    /* Called when a unit ends at an instruction the lifter does not know;
     * may be NULL. */
    void (*note_unknown)(void *ctx, const struct lifter_unit *u,
                         const char *text);
    void *note_ctx;
    bool verify;   /* run LLVM's verifier on every unit (tests, debugging) */
    /* --dump-ir, --dump-asm: print each unit's IR after the passes, and
     * its host code, on stderr (jit/dump.c); with dump_pc_set only the
     * unit at dump_pc. */
    bool dump_ir;
    bool dump_asm;
    bool dump_pc_set;
    guest_addr_t dump_pc;
    bool perf_map; /* name translated code in /tmp/perf-PID.map */
    /* Lift for the profiler: shadow call stack and pcs (lifter_env). */
    bool profile;
    /* Called on the looking-up thread as jit_lookup starts (true) and
     * ends (false) compiling a unit; may be NULL (the profiler's
     * "compiling" share). */
    void (*compiling)(bool on);
    /* Self-modifying code: a counter (called with code.ctx) that changes
     * whenever guest code may have changed, before the change; a
     * translation whose lifting began before a change is not installed.
     * NULL: code never changes. */
    uint64_t (*code_epoch)(void *ctx);
    /* The persistent cache (docs/CACHE.md): its directory, or NULL for
     * none; its size limit in bytes (0: the default, 1 GiB); and the file
     * mapping at a guest address (called with code.ctx; false: none, the
     * code there is not cached). */
    const char *cache_dir;
    uint64_t cache_max;
    bool (*code_file)(void *ctx, guest_addr_t pc, struct jit_code_file *out);
};

struct jit_stats {
    uint64_t units;          /* units compiled */
    uint64_t batches;        /* modules they were compiled in */
    uint64_t guest_insns;    /* guest instructions translated */
    uint64_t compile_ns;     /* time lifting, optimising and compiling */
    uint64_t lift_ns;        /* of which lifting to IR */
    uint64_t opt_ns;         /* of which running the IR pass pipeline */
    uint64_t lookups;        /* dispatcher lookups */
    uint64_t hot_units;      /* units recompiled by the optimising tier */
    uint64_t hot_ns;         /* its compile time (on its own thread) */
    uint64_t hot_cold;       /* blocks their regions left as cold exits
                              * (lifter/predict.c, lift_cold) */
    uint64_t bg_units;       /* of units, compiled on that thread at a
                              * jit_request (not in compile_ns) */
    uint64_t bg_ns;          /* their compile time */
    uint64_t llvm_setup;     /* 1 once LLVM was set up (jit_llvm): a run
                              * that compiled nothing never does it */
    uint64_t invalidated;    /* translations dropped: their code changed */
    uint64_t orc_objects;    /* objects jit/objload.c declined, linked by ORC */
    uint64_t lines_made;     /* line tables made at faults (jit/lines.c) */
    uint64_t lines_failed;   /* units no way of compiling matched */
    /* The persistent cache. */
    uint64_t disk_units;     /* units loaded from it instead of compiled */
    uint64_t disk_optimised; /* of which optimised (--aot, tier 2) */
    uint64_t disk_objects;   /* objects linked for them */
    uint64_t disk_in_place;  /* of which run where they lie in the file */
    uint64_t disk_load_ns;   /* time reading, checking and linking them */
    uint64_t disk_stale;     /* units found there whose guest bytes differ */
    uint64_t disk_bad_files; /* cache files or records ignored: damaged,
                              * foreign */
    uint64_t disk_stored;    /* units written to it at the end */
};

/* Returns NULL and a one-line message in err on failure. */
struct jit *jit_create(const struct jit_config *cfg, char *err,
                       size_t errlen);
void jit_destroy(struct jit *j);

/* The translation of the unit at pc, compiled on first use.  NULL only on
 * an internal failure (LLVM error), described in err. */
cpu_unit_fn jit_lookup(struct jit *j, guest_addr_t pc, char *err,
                       size_t errlen);

/* The translation of the unit at pc when there is one, in memory or in
 * the persistent cache; NULL otherwise (nothing is compiled). */
cpu_unit_fn jit_find(struct jit *j, guest_addr_t pc);
/* A number that changes whenever a jit_find(j, pc) that returned NULL
 * might not any more: a translation installed for a pc of pc's bucket
 * (jit_find_bucket), guest code changed.  Read before the jit_find whose
 * miss a caller remembers (runtime/dispatch.c).  By bucket, not one for
 * all pcs: a warm run loads a unit from the persistent cache every few
 * hundred blocks it interprets, and each load made every thread ask again
 * for every pc it remembered. */
#define JIT_FIND_BUCKETS 4096 /* a power of two */
static inline unsigned jit_find_bucket(guest_addr_t pc)
{
    return (pc ^ (pc >> 12)) & (JIT_FIND_BUCKETS - 1);
}
uint64_t jit_find_gen(struct jit *j, guest_addr_t pc);
/* Ask for the unit at pc to be compiled (first tier) on the JIT's
 * background thread, so that a later jit_find finds it without the guest
 * waiting; nothing when it has code or is queued already, or when there
 * is no such thread (the optimising tier is off) or its queue is full. */
void jit_request(struct jit *j, guest_addr_t pc);
/* The same, to be compiled at once (not after the thread's start-up
 * delay) and before the process ends: for a block that a process's start
 * runs hundreds of times (ld.so's relocation loops), which every later run
 * then finds in the persistent cache instead of interpreting it.  Nothing
 * without a persistent cache, or for a pc it would not hold. */
void jit_request_early(struct jit *j, guest_addr_t pc);
/* The guest pc of the instruction translated code at host_pc was lifted
 * from, for a fault there (jit/pcmap.c); false when host_pc is not in
 * translated code or its line table does not name it. */
bool jit_guest_pc(struct jit *j, uint64_t host_pc, guest_addr_t *pc);

/* The guest bytes in [lo, end) have changed: every translation made from
 * them is dropped (its chain cell becomes 0, so chained units, the
 * indirect-branch cache and the dispatcher come back for a new one).
 * Threads running a dropped translation finish their unit in it. */
void jit_invalidate(struct jit *j, guest_addr_t lo, uint64_t end);
/* The guest page at page (address) is about to change: zero the chain
 * cells of every translation made from it, at once.  Takes no lock and
 * allocates nothing: safe in a signal handler, from any thread, at any
 * time after jit_create.  The JIT's own bookkeeping follows at
 * jit_invalidate; the caller must have made code_epoch change first. */
void jit_code_written(struct jit *j, guest_addr_t page);

void jit_stats_get(struct jit *j, struct jit_stats *out);

/* Ahead-of-time compilation (--aot).  set_optimise: from now on units are
 * compiled with the optimiser (tier 2's pipeline, -O2 code).  translate:
 * make sure the unit at pc is translated, optimised, and in the cache to
 * be, without running it -- loaded from the cache when it holds such a
 * translation, else compiled; *nsucc/succ: where the unit leads (direct
 * branch targets, return addresses).  Returns 1 when it compiled (with
 * other units of its batch), 0 when it had or loaded the translation, -1
 * when pc cannot be translated (not executable) or on an internal error
 * (err). */
void jit_set_optimise(struct jit *j);
/* A compiling thread's own LLVM context and target machine: translate
 * with one compiles with the JIT unlocked, so threads compile in
 * parallel.  NULL: the JIT's own (serialised). */
struct jit_worker;
struct jit_worker *jit_worker_create(struct jit *j);
void jit_worker_destroy(struct jit_worker *w);
int jit_translate(struct jit *j, struct jit_worker *w, guest_addr_t pc,
                  guest_addr_t *succ, unsigned *nsucc, char *err,
                  size_t errlen);
/* The guest pcs of the units the persistent cache holds for the file
 * mapping holding pc (a malloc'd array, *n entries; NULL when none). */
guest_addr_t *jit_cached_units(struct jit *j, guest_addr_t pc, size_t *n);

/* Write the translations made since the last call to the persistent cache
 * (at exit, and before execve replaces the process).  Errors give one
 * warning and leave the cache as it was. */
void jit_persist(struct jit *j);
/* At process exit: stop the optimising tier (the unit it is compiling is
 * finished and installed first), then jit_persist. */
void jit_finish(struct jit *j);

/* A file the cache directory keeps beside the translation cache's, for
 * key (the interpreter's saved blocks: runtime/dispatch.c): its path in
 * buf, named with r386's build so that no other build reads it, and the
 * key it is for in *file_key; false without a persistent cache.  Such
 * files count towards the size limit and --cache-clear removes them. */
bool jit_cache_file(struct jit *j, uint64_t key, char *buf, size_t len,
                    uint64_t *file_key);

/* The cache directory a run uses: $R386_CACHE_DIR, else
 * $XDG_CACHE_HOME/r386, else ~/.cache/r386 (NULL: none can be named).
 * Static storage. */
const char *jit_cache_default_dir(void);
/* --cache-stats: describe the directory's contents on out. --cache-clear:
 * remove its cache files.  0 or -1 with a one-line message in err. */
int jit_cache_dir_stats(const char *dir, FILE *out, char *err, size_t errlen);
int jit_cache_dir_clear(const char *dir, char *err, size_t errlen);
/* fork(2) of a process whose other threads may be compiling: call
 * jit_fork_prepare before it (no compile is then half done) and
 * jit_fork_parent or jit_fork_child after it.  In the child the optimising
 * tier's thread, gone with the fork, is started anew. */
void jit_fork_prepare(struct jit *j);
void jit_fork_parent(struct jit *j);
void jit_fork_child(struct jit *j);

#endif
