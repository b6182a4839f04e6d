/* Private to jit/. */
#ifndef R386_JIT_INTERNAL_H
#define R386_JIT_INTERNAL_H

#include <elf.h>
#include <llvm-c/LLJIT.h>
#include <pthread.h>
#include <stddef.h>
#include <llvm-c/TargetMachine.h>

#include "jit.h"

/* What made a unit's code (jit_entry.optimised, pc_rec.optimised): the
 * first tier; the optimiser for --aot, before any run (its code counts
 * executions and notes indirect branch targets as the first tier's does,
 * so that the optimising tier takes it again once it is hot, with the
 * predictions a run gives: lifter/predict.c); the optimising tier. */
enum { JIT_CODE_FIRST, JIT_CODE_AOT, JIT_CODE_HOT };

/* One guest pc the cache knows.  link.code is its chain cell: the
 * translation's address, or 0 until there is one.  Entries never move
 * and are never freed (units hold their cells' addresses; the indirect
 * branch cache points at entries while other threads may read them). */
struct jit_entry {
    struct lifter_ibtc_entry link; /* first; read by translated code */
    struct jit_entry *next;        /* hash chain */
    uint32_t hits; /* block executions in its first-tier code */
    /* The optimising tier's view of them (tier2.c, take_hot): hits at its
     * last scan, and how hot the entry has been lately. */
    uint32_t seen, heat;
    uint8_t tier;  /* 0 none yet, 1 first tier, 2 optimised (or queued) */
    uint8_t optimised; /* what made its code: JIT_CODE_* */
    /* Where its unit leads (lifter_unit.succ), for --aot's closure. */
    uint8_t nsucc;
    guest_addr_t succ[LIFTER_MAX_SUCC];
    /* The predictions its optimised unit was lifted with (malloc'd, NULL
     * when none), to lift it again for a line table (lines.c). */
    uint8_t npred;
    struct lifter_pred *pred;
    /* The guest bytes its translation was made from (lifter_unit) and
     * the number of times it was invalidated (jit_invalidate). */
    guest_addr_t code_lo;
    uint64_t code_end;
    uint32_t gen;
    /* Some guest page lists it in the page index (jit_page_index_add). */
    bool indexed;
    /* Whether its code may read a flag before writing it
     * (lifter_flags_live): 0 not known yet, 1 yes, 2 no; link.flags_live
     * says it to translated code (compile.c, lookup). */
    uint8_t flags_in;
    /* Waiting in the background thread's queue (jit_request). */
    bool queued;
    /* jit_code_epoch + 1 when the persistent cache was found to hold no
     * translation for it (0: not looked): the interpreter's blocks ask
     * jit_find again and again. */
    uint64_t disk_miss;
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
/* The entry for pc if there is one. */
struct jit_entry *jit_cache_find(const struct jit_cache *c, guest_addr_t pc);


#define JIT_IBTC_SIZE 4096

/* Symbol names of units and cell tables: unique across processes (they
 * carry a per-process nonce), since objects from the persistent cache
 * are linked next to fresh ones. */
#define JIT_NAME_MAX 64

/* A unit as the persistent cache records it: the guest bytes its
 * translation was made from and their hash. */
struct jit_unit_info {
    guest_addr_t pc;
    guest_addr_t code_lo; /* [code_lo, code_end): lifter_unit's range */
    uint64_t code_end;    /* 0: no bytes (the unit is not installed) */
    uint32_t code_len;    /* code_end - code_lo when cacheable */
    bool cacheable; /* see lifter_unit.short_fetch/one_block, env.hits */
    unsigned nranges; /* the bytes read (lifter_unit.ranges) */
    struct lifter_range ranges[LIFTER_MAX_RANGES];
    uint64_t hash;  /* jit_ranges_hash of them */
    unsigned nsucc; /* lifter_unit.succ */
    guest_addr_t succ[LIFTER_MAX_SUCC];
    unsigned npred; /* lifter_unit.pred */
    struct lifter_pred pred[LIFTER_MAX_PRED];
};

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
    /* jit_install calls by the bucket of the unit's pc (jit_find_gen) */
    uint32_t installs[JIT_FIND_BUCKETS];
    struct lifter *lifter;
    /* LLVM's part, made on first use (jit_llvm): lljit, tsc, tm, tm1. */
    pthread_mutex_t llvm_mu;
    bool llvm_ready;
    LLVMOrcLLJITRef lljit;
    struct jit_arena *arena; /* its code and data (memory.c) */
    LLVMOrcThreadSafeContextRef tsc;
    LLVMTargetMachineRef tm; /* for the optimiser */
    struct jit_cache cache;
    struct jit_stats stats;
    const char *pipeline; /* LLVMRunPasses pipeline for new units */
    bool optimise; /* --aot: new units get the optimiser (jit_set_optimise) */
    int batch_max;        /* units lifted ahead into one module */
    /* --perf-map (perfmap.c), or NULL. */
    struct jit_perfmap *perfmap;
    /* Objects with line tables, newest first (pcmap.c; pushed without
     * the lock). */
    struct jit_pcmap_obj *pcmap, *pcmap_last;
    /* First-tier code generation (compile.c): its target machine and, as
     * jit_create set them (--aot changes them), its pipeline and code
     * generator level; the process's name nonce and the count of names
     * made. */
    LLVMTargetMachineRef tm1;
    const char *pipeline1;
    LLVMCodeGenOptLevel level1;
    bool lines; /* R386_JIT_LINES: line tables always */
    char nonce[20];
    uint64_t seq;
    /* The persistent cache (pcache.c), or NULL. */
    struct jit_pcache *pcache;
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

/* tier2.c: the optimising tier's pass pipeline and code generator level
 * (its developer knobs read). */
void jit_tier2_codegen(const char **pipeline, LLVMCodeGenOptLevel *level);

/* The optimiser's pass pipeline (tier 2, --aot).  JIT_FOLD_STEP is no
 * LLVM pass: jit_emit runs the pipeline in two parts around it and
 * lifter_fold_displacements in between. */
#define JIT_FOLD_STEP ",r386-fold-displacements,"
#define JIT_OPT_PIPELINE                                                     \
    "function(sroa,early-cse<memssa>,instcombine<no-verify-fixpoint>,"      \
    "simplifycfg)" JIT_FOLD_STEP "function(gvn,dse,"                        \
    "instcombine<no-verify-fixpoint>,simplifycfg)"

/* compile.c, shared with tier2.c. */
/* Make LLVM's part of the JIT if it is not made yet (any thread); -1 with
 * a message in err when LLVM fails. */
int jit_llvm(struct jit *j, char *err, size_t errlen);
void jit_error_text(LLVMErrorRef e, char *err, size_t errlen);
/* Run LLVM's static constructors and set its targets up, once (any
 * thread).  Every use of LLVM comes after it: r386 is linked so that they
 * do not run at start (cmake/deferred-init.ld).  jit_host_machine calls
 * it; so does anything else that is the first LLVM call on its path. */
void jit_llvm_statics(void);
LLVMTargetMachineRef jit_host_machine(LLVMCodeGenOptLevel level,
                                      LLVMRelocMode reloc, char *err,
                                      size_t errlen);
LLVMModuleRef jit_new_module(LLVMContextRef ctx, LLVMTargetMachineRef tm);
uint64_t jit_code_epoch(struct jit *j);
/* Under the lock, before e's cell is stored: record e under the guest
 * pages of the n ranges its code was made from (lifter_unit.ranges);
 * false when out of memory (then e must not be installed). */
bool jit_page_index_add(struct jit *j, struct jit_entry *e,
                        const struct lifter_range *r, unsigned n);
/* Store code in e's cell (under the lock) unless guest code changed since
 * epoch: then the cell stays or becomes 0; returns whether it stayed. */
bool jit_install(struct jit *j, struct jit_entry *e, uint64_t code,
                 uint64_t epoch);
uint64_t jit_now_ns(void);
/* Run pipeline on m (nothing when it is empty; tm_pass gives the passes
 * the target's information), show m to --dump-ir/--dump-asm as tier
 * (unless NULL) and emit tm's object file for it: every compile's end
 * (compile.c, tier2.c, lines.c).  NULL on failure, with a message in
 * err; *passes_ns (unless NULL): the passes' time.  m stays the
 * caller's. */
LLVMMemoryBufferRef jit_emit(const struct jit *j, LLVMModuleRef m,
                             const char *pipeline,
                             LLVMTargetMachineRef tm_pass,
                             LLVMTargetMachineRef tm, const char *tier,
                             uint64_t *passes_ns, char *err, size_t errlen);
/* --dump-ir/--dump-asm for module m, compiled by tm (dump.c). */
void jit_dump(const struct jit *j, LLVMModuleRef m, LLVMTargetMachineRef tm,
              const char *tier);

/* link.c: the module's cell globals become the slots of one exported
 * table called table; *pcs (malloc'd, NULL when *n is 0) lists the pc of
 * each slot.  -1 when out of memory. */
int jit_cells_prepare(LLVMModuleRef m, const char *table, guest_addr_t **pcs,
                      uint32_t *n);
/* What linking keeps of an object's line table, for jit_guest_pc
 * (pcmap.c): nothing, a copy, or the object itself (it lives as long as
 * the JIT: the persistent cache's mapped files). */
enum jit_lines { JIT_LINES_NONE, JIT_LINES_COPY, JIT_LINES_BORROW };
/* Link obj (consumed) -- or, when obj is NULL, the len bytes at bytes
 * (left as they are, for as long as the JIT lives: no LLVM is needed for
 * an object objload.c links) -- into the JIT and resolve the n unit names
 * and, when ncells, the table. */
int jit_link_object(struct jit *j, LLVMMemoryBufferRef obj,
                    const void *bytes, size_t len, const char *table,
                    uint32_t ncells, const char (*names)[JIT_NAME_MAX], int n,
                    uint64_t *addrs, uint64_t *table_addr,
                    enum jit_lines lines, char *err, size_t errlen);
/* objload.c: link obj (len bytes, left as it is) into the arena without
 * LLVM and resolve the n unit names and, when ncells, the table, as
 * jit_link_object does; -1 when the object is not of the shape it knows
 * (then link it with jit_link_object). */
int jit_objload(struct jit *j, const void *obj, size_t len, const char *table,
                uint32_t ncells, const char (*names)[JIT_NAME_MAX], int n,
                uint64_t *addrs, uint64_t *table_addr, enum jit_lines lines);
/* The address of an undefined symbol of r386's objects (0: unknown). */
uint64_t jit_extern_address(struct jit *j, const char *name);
/* prelink.c: the symbols a prelinked object may import, in the order of
 * a cache file's import table: their addresses in addr (at most max),
 * how many there are returned. */
size_t jit_xip_imports(struct jit *j, uint64_t *addr, size_t max);
struct pc_rec;
/* Link a cache record's object (pcache.h's struct pc_rec, a copy) for its
 * place off in its file (pcache_linker). */
bool jit_xip_prelink(void *j, struct pc_rec *r, uint64_t off,
                     uint32_t *data_len);
/* pcmap.c: note the object obj (len bytes) linked at [mem, mem + size):
 * when it has a line table, jit_guest_pc reads it there (borrow: obj
 * lives as long as j) or keeps a copy.  jit_pcmap_free at the end. */
void jit_pcmap_add(struct jit *j, uint64_t mem, uint64_t size,
                   const void *obj, size_t len, bool borrow);
/* The same for an object that runs where it lies (prelinked, in a cache
 * file mapped for the run): its sections at their offsets in obj. */
void jit_pcmap_add_in_place(struct jit *j, const void *obj, size_t len);
void jit_pcmap_free(struct jit *j);
struct obj;
/* A copy of o's .debug_line with its addresses as if o were linked (in
 * objload.c's layout) where symbol s's code is at code; NULL when it has
 * none. */
uint8_t *jit_pcmap_lines(const struct obj *o, const Elf64_Sym *s,
                         uint64_t code, size_t *n);
/* lines.c: line tables for the units of an object, made by lifting
 * them again (u[i].pc, in the order they were lifted: that order numbers
 * their cells) with line tables and compiling them as the optimising
 * tier does (hot) or as the first tier or --aot do.  When one way gives
 * unit k the code it has in memory (size bytes at code), each unit whose
 * code it gives gets its table (lines, nlines; as if linked at code) and
 * the answer is true. */
#define JIT_OBJ_UNITS_MAX 64
struct jit_lines_unit {
    guest_addr_t pc;
    uint64_t code, size;
    uint8_t *lines; /* malloc'd */
    size_t nlines;
};
bool jit_object_lines(struct jit *j, struct jit_lines_unit *u, size_t n,
                      size_t k, bool hot);
/* The lifter's environment for a unit: optimised (tier 2, --aot) or not,
 * counting executions for tier 2 or not. */
struct lifter_env jit_lifter_env(const struct jit *j, bool optimised,
                                 bool count);
/* Under the lock: point the table's slots at the cells of pcs. */
bool jit_cells_fill(struct jit *j, uint64_t table, const guest_addr_t *pcs,
                    uint32_t n);

/* compile.c, under the lock: e's unit was lifted with the n predictions
 * p (lifter_unit.pred); false when out of memory (then it has none, and
 * a line table for it will not be found). */
bool jit_entry_set_pred(struct jit_entry *e, const struct lifter_pred *p,
                        unsigned n);
/* compile.c: where u's translation came from (and, when it can be stored,
 * the hash of its bytes, read now: call it under the lock right after the
 * lift). */
void jit_unit_info_of(struct jit *j, const struct lifter_unit *u,
                      struct jit_unit_info *out);
/* The offset of a jit_entry's hits from its chain cell (lifter_env). */
#define JIT_HITS_OFFSET                                                      \
    ((int32_t)(offsetof(struct jit_entry, hits) -                            \
               offsetof(struct jit_entry, link) -                            \
               offsetof(struct lifter_ibtc_entry, code)))

/* pcache.c: the persistent cache.  NULL when off or unusable (one
 * warning).  load: under the lock, install e (and the units stored with
 * it) from the cache; true when e has code now.  store: under the lock,
 * remember a fresh object for jit_persist (copied). */
struct jit_pcache *jit_pcache_open(struct jit *j);
void jit_pcache_close(struct jit_pcache *pc);
/* In a fork's child: the parent's checker threads are not its own. */
void jit_pcache_fork_child(struct jit_pcache *pc);
bool jit_pcache_load(struct jit *j, struct jit_entry *e, bool optimised);
/* Does the persistent cache index a record for pc (not yet checked)? */
bool jit_pcache_indexes(struct jit *j, guest_addr_t pc);
/* Would the persistent cache keep a unit at pc (a cache is open, pc lies
 * in a mapped file, in a page the guest cannot write)? */
bool jit_pcache_can_hold(struct jit *j, guest_addr_t pc);
void jit_pcache_store(struct jit *j, const void *obj, size_t objlen,
                      const char *table, const guest_addr_t *cells,
                      uint32_t ncells, const char (*names)[JIT_NAME_MAX],
                      const struct jit_unit_info *units, int n,
                      unsigned kind);
/* A 64-bit hash of bytes (not cryptographic: damage and changed code,
 * not an adversary, are what it detects). */
uint64_t jit_hash(const void *p, size_t n, uint64_t seed);
/* The hash of the guest bytes of ranges, read now; false when some
 * cannot be read (not executable). */
bool jit_ranges_hash(struct jit *j, const struct lifter_range *r, unsigned n,
                     uint64_t *out);

/* memory.c: the arena translated code and data are linked into; the
 * LLJIT object linking layer that uses it (ctx: the arena). */
struct jit_arena *jit_arena_create(void);
void jit_arena_destroy(struct jit_arena *a);
/* size bytes at align (at least 16), readable, writable and executable,
 * never freed; NULL when the arena is full. */
void *jit_arena_alloc(struct jit_arena *a, size_t size, unsigned align);
LLVMOrcObjectLayerRef jit_arena_layer(void *ctx, LLVMOrcExecutionSessionRef es,
                                      const char *triple);

/* perfmap.c: /tmp/perf-PID.map for perf; NULL when it cannot be written. */
struct jit_perfmap *jit_perfmap_open(struct jit *j);
/* The sizes of obj's functions, for the jit_perfmap_write calls to come
 * (pm NULL: nothing). */
void jit_perfmap_note(struct jit_perfmap *pm, const char *obj, size_t len);
void jit_perfmap_write(struct jit_perfmap *pm, const char *name,
                       uint64_t addr, guest_addr_t pc, int tier);
void jit_perfmap_close(struct jit_perfmap *pm);

/* tier2.c: start the optimising tier's thread (NULL when disabled or on
 * failure: the first tier alone still runs everything); stop it. */
struct jit_tier2 *jit_tier2_start(struct jit *j);
void jit_tier2_stop(struct jit_tier2 *t);
/* tier2.c: queue pc for a first-tier compile on the thread (under the
 * JIT lock); false when there is no thread or the queue is full.  early:
 * served at once and before the thread stops (jit_request_early). */
bool jit_tier2_request(struct jit_tier2 *t, guest_addr_t pc, bool early);
/* compile.c: does the block at pc still need the code a request asked
 * for (no code yet, not --aot)?  (Any thread, not under the JIT lock.) */
bool jit_needs_code(struct jit *j, guest_addr_t pc);
/* compile.c: the background thread's first-tier worker, and its compile
 * of a queued pc (unless it has code by now). */
struct jit_worker *jit_worker_first_tier(struct jit *j);
void jit_compile_queued(struct jit *j, struct jit_worker *w, guest_addr_t pc);
/* Around a fork: prepare waits for the batch being compiled (before the
 * JIT's lock is taken); the child gets a new thread (NULL: tier off). */
void jit_tier2_fork_prepare(struct jit_tier2 *t);
void jit_tier2_fork_parent(struct jit_tier2 *t);
struct jit_tier2 *jit_tier2_fork_child(struct jit_tier2 *t);

#endif
