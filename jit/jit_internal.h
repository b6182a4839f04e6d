/* Private to jit/. */
#ifndef R386_JIT_INTERNAL_H
#define R386_JIT_INTERNAL_H

#include <llvm-c/LLJIT.h>
#include <pthread.h>
#include <llvm-c/TargetMachine.h>

#include "jit.h"

/* One guest pc the cache knows.  link.code is its chain cell: the
 * translation's address, or 0 until there is one.  Entries never move
 * and are never freed (units hold their cells' addresses; the indirect
 * branch cache points at entries while other threads may read them). */
struct jit_entry {
    struct lifter_ibtc_entry link; /* first; read by translated code */
    struct jit_entry *next;        /* hash chain */
    uint32_t hits; /* block executions in its first-tier code */
    uint8_t tier;  /* 0 none yet, 1 first tier, 2 optimised (or queued) */
    /* The guest bytes its translation was made from (lifter_unit) and
     * the number of times it was invalidated (jit_invalidate). */
    guest_addr_t code_lo;
    uint64_t code_end;
    uint32_t gen;
    /* Guest pages [idx_first, idx_end) all list it in the page index
     * (idx_end 0: none yet). */
    uint32_t idx_first, idx_end;
};

struct jit_cache {
    struct jit_entry **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
};

int jit_cache_init(struct jit_cache *c);
void jit_cache_fini(struct jit_cache *c);
/* The entry for pc, created (with an empty cell) if new;
 * NULL when out of memory. */
struct jit_entry *jit_cache_get(struct jit_cache *c, guest_addr_t pc);


#define JIT_IBTC_SIZE 4096

/* Self-modifying code: the entries made from each guest page, so that a
 * write can zero their cells at once from a signal handler (no lock):
 * lists only grow (under the JIT lock, published with release stores)
 * and nodes are never freed.  An entry is listed under every page its
 * code range touched at some time (a superset: zeroing one cell too many
 * only costs a recompile). */
struct jit_page_node {
    struct jit_entry *e;
    struct jit_page_node *next;
};
#define JIT_PAGE_DIR 1024 /* guest pages per second-level table */

/* Threads: every guest thread calls jit_lookup.  One mutex serialises
 * lookups and compiles (lookups are rare: translated code chains and
 * probes the indirect branch cache without them); translated code reads
 * chain cells and indirect-cache slots, which are single aligned 64-bit
 * words written atomically, so a reader sees an old or a new value,
 * never a torn one. */
struct jit {
    pthread_mutex_t lock;
    struct jit_config cfg;
    struct lifter *lifter;
    LLVMOrcLLJITRef lljit;
    LLVMOrcThreadSafeContextRef tsc;
    LLVMTargetMachineRef tm; /* for the optimiser */
    struct jit_cache cache;
    struct jit_stats stats;
    const char *pipeline; /* LLVMRunPasses pipeline for new units */
    int batch_max;        /* units lifted ahead into one module */
    /* --perf-map (perfmap.c), or NULL. */
    struct jit_perfmap *perfmap;
    /* The optimising tier (tier2.c): a thread recompiling hot units. */
    struct jit_tier2 *tier2;
    /* Indirect branch target cache, read by translated code (lifter.h):
     * each slot points at a cache entry (or at ibtc_none). */
    const struct lifter_ibtc_entry *ibtc[JIT_IBTC_SIZE];
    /* Page index: pages[p / JIT_PAGE_DIR][p % JIT_PAGE_DIR] lists the
     * entries made from guest page p (tables allocated on first use). */
    struct jit_page_node **pages[GUEST_PAGE_COUNT / JIT_PAGE_DIR];
    /* Nodes come from chunks (the first node of each links the chunks). */
    struct jit_page_node *node_chunks, *node_next;
    size_t nodes_left;
};

/* compile.c, shared with tier2.c. */
void jit_error_text(LLVMErrorRef e, char *err, size_t errlen);
LLVMTargetMachineRef jit_host_machine(LLVMCodeGenOptLevel level,
                                      LLVMRelocMode reloc, char *err,
                                      size_t errlen);
LLVMModuleRef jit_new_module(LLVMContextRef ctx, LLVMTargetMachineRef tm);
void **jit_chain_cell(void *ctx, guest_addr_t pc);
uint64_t jit_code_epoch(struct jit *j);
/* Under the lock, before e's cell is stored: record e under the pages of
 * [e->code_lo, e->code_end); false when out of memory (then e must not
 * be installed). */
bool jit_page_index_add(struct jit *j, struct jit_entry *e);
/* Store code in e's cell (under the lock) unless guest code changed since
 * epoch: then the cell stays or becomes 0; returns whether it stayed. */
bool jit_install(struct jit *j, struct jit_entry *e, uint64_t code,
                 uint64_t epoch);
uint64_t jit_now_ns(void);

/* perfmap.c: /tmp/perf-PID.map for perf; NULL when it cannot be written. */
struct jit_perfmap *jit_perfmap_open(struct jit *j);
void jit_perfmap_write(struct jit_perfmap *pm, const char *name,
                       uint64_t addr, guest_addr_t pc, int tier);
void jit_perfmap_close(struct jit_perfmap *pm);

/* tier2.c: start the optimising tier's thread (NULL when disabled or on
 * failure: the first tier alone still runs everything); stop it. */
struct jit_tier2 *jit_tier2_start(struct jit *j);
void jit_tier2_stop(struct jit_tier2 *t);

#endif
