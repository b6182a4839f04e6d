/* Private to jit/. */
#ifndef R386_JIT_INTERNAL_H
#define R386_JIT_INTERNAL_H

#include <llvm-c/LLJIT.h>
#include <llvm-c/TargetMachine.h>

#include "jit.h"

/* One guest pc the cache knows: its chain cell holds the translation,
 * or NULL until there is one.  Entries never move (units hold
 * their cells' addresses). */
struct jit_entry {
    guest_addr_t pc;
    void *cell;
    struct jit_entry *next; /* hash chain */
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

struct jit {
    struct jit_config cfg;
    struct lifter *lifter;
    LLVMOrcLLJITRef lljit;
    LLVMOrcThreadSafeContextRef tsc;
    LLVMTargetMachineRef tm; /* for the optimiser */
    struct jit_cache cache;
    struct jit_stats stats;
    const char *pipeline; /* LLVMRunPasses pipeline for new units */
    int batch_max;        /* units lifted ahead into one module */
    /* Indirect branch target cache, read by translated code (lifter.h). */
    struct lifter_ibtc_entry ibtc[JIT_IBTC_SIZE];
};

#endif
