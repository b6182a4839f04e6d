/* Compiling units: lift, optimise with the pass pipeline below, hand the
 * module to ORC's LLJIT and record the code in the translation cache.
 *
 * Pipeline choice (measurements in docs/PERFORMANCE.md): the first tier
 * is chosen for compile cost: promote the register/flag allocas to SSA,
 * nothing else; code generation runs at -O0 with FastISel.  early-cse
 * took 9% of a cold start's compile time and saved 3.5% of code size;
 * instcombine and simplifycfg would cost more again.  Hot code gets the
 * optimising tier (tier2.c). */
#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "jit_internal.h"

#define UNIT_PIPELINE "function(mem2reg)"

/* Units compiled together: the unit asked for plus the units its direct
 * branches and calls lead to, breadth first.  One module per batch spreads
 * the fixed cost of code generation and linking over many units; the
 * units execution never reaches are the price. */
#define BATCH_MAX_UNITS 32
#define BATCH_DEFAULT_UNITS 1

/* Developer knobs for measuring the choices (docs/PERFORMANCE.md):
 * R386_JIT_BATCH (1-32) bounds the units compiled together,
 * R386_JIT_PIPELINE overrides the pass pipeline ("" runs no passes) and
 * R386_JIT_CODEGEN (0-3) the code generator's optimisation level;
 * R386_JIT_LINES=1 gives every unit its line table up front (jit/lines.c
 * makes them when a fault asks). */
static LLVMCodeGenOptLevel codegen_level(void)
{
    const char *e = getenv("R386_JIT_CODEGEN");
    if (!e || !*e)
        return LLVMCodeGenLevelNone;
    switch (atoi(e)) {
    case 1: return LLVMCodeGenLevelLess;
    case 2: return LLVMCodeGenLevelDefault;
    case 3: return LLVMCodeGenLevelAggressive;
    default: return LLVMCodeGenLevelNone;
    }
}

uint64_t jit_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void jit_error_text(LLVMErrorRef e, char *err, size_t errlen)
{
    char *msg = LLVMGetErrorMessage(e);
    snprintf(err, errlen, "LLVM: %s", msg);
    LLVMDisposeErrorMessage(msg);
}

/* Process-wide LLVM set-up, once.  Code generation at -O0 (the first
 * tier) selects instructions with FastISel by LLVM's default; an explicit
 * "-fast-isel" would force FastISel at every level, the optimising tier's
 * -O2 included (docs/PERFORMANCE.md, session 17).  R386_JIT_NO_FASTISEL
 * turns it off for -O0 too; R386_JIT_LLVM_OPT passes one more option.
 * Optimised code aligns loop heads to 64 bytes, not 16: a loop of 43
 * bytes that happened to start 48 bytes into a cache line and spill into
 * the next ran 20-30% slower (the search kernel, docs/PERFORMANCE.md,
 * session 31).  The first tier places no blocks, so it is unaffected. */
static pthread_once_t llvm_once = PTHREAD_ONCE_INIT;

/* LLVM's and the C++ runtime's static constructors, which r386's link
 * (cmake/deferred-init.ld) keeps out of the array ld.so runs at start.
 * Weak: a program linked without the script (the unit tests) ran them at
 * start and has none here. */
typedef void (*jit_ctor_fn)(int, char **, char **);
extern const jit_ctor_fn r386_deferred_init_start[]
    __attribute__((weak, visibility("hidden")));
extern const jit_ctor_fn r386_deferred_init_end[]
    __attribute__((weak, visibility("hidden")));
extern char **environ;

static void llvm_init(void)
{
    /* As ld.so would have run them: in order, with argc, argv, envp. */
    for (const jit_ctor_fn *f = r386_deferred_init_start;
         f && f < r386_deferred_init_end; f++)
        (*f)(0, NULL, environ);
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    LLVMInitializeNativeAsmParser(); /* inline asm (lifter/x87_inline.c) */
    const char *argv[4] = {"r386", "-align-loops=64"};
    int argc = 2;
    if (getenv("R386_JIT_NO_FASTISEL"))
        argv[argc++] = "-fast-isel=false";
    if (getenv("R386_JIT_LLVM_OPT"))
        argv[argc++] = getenv("R386_JIT_LLVM_OPT");
    LLVMParseCommandLineOptions(argc, argv, NULL);
}

void jit_llvm_statics(void)
{
    pthread_once(&llvm_once, llvm_init);
}

LLVMTargetMachineRef jit_host_machine(LLVMCodeGenOptLevel level,
                                      LLVMRelocMode reloc, char *err,
                                      size_t errlen)
{
    jit_llvm_statics();
    char *triple = LLVMGetDefaultTargetTriple();
    char *msg = NULL;
    LLVMTargetRef target;
    LLVMTargetMachineRef tm = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
        snprintf(err, errlen, "LLVM: no target for %s: %s", triple, msg);
        LLVMDisposeMessage(msg);
    } else {
        char *cpu = LLVMGetHostCPUName();
        char *features = LLVMGetHostCPUFeatures();
        tm = LLVMCreateTargetMachine(target, triple, cpu, features, level,
                                     reloc, LLVMCodeModelSmall);
        LLVMDisposeMessage(cpu);
        LLVMDisposeMessage(features);
    }
    LLVMDisposeMessage(triple);
    return tm;
}

/* The helper ABI's functions, the indirect-branch table and the lifter's
 * own functions: the names translated code refers to. */
static int define_helpers(struct jit *j, char *err, size_t errlen)
{
    static const char *const own[] = {LIFTER_SYM_IBTC, LIFTER_SYM_IBTC_FIND,
                                       LIFTER_SYM_UNIT_BACK};
    size_t nown = sizeof(own) / sizeof(*own), n = j->cfg.nhelpers + nown;
    LLVMOrcCSymbolMapPair *pairs = calloc(n, sizeof(*pairs));
    if (!pairs)
        return -1;
    for (size_t i = 0; i < n; i++) {
        bool helper = i < j->cfg.nhelpers;
        const char *name =
            helper ? j->cfg.helpers[i].name : own[i - j->cfg.nhelpers];
        pairs[i].Name = LLVMOrcLLJITMangleAndIntern(j->lljit, name);
        pairs[i].Sym.Address = jit_extern_address(j, name);
        pairs[i].Sym.Flags.GenericFlags =
            LLVMJITSymbolGenericFlagsExported |
            (strcmp(name, LIFTER_SYM_IBTC) == 0
                 ? 0 /* a table */
                 : LLVMJITSymbolGenericFlagsCallable);
    }
    LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(pairs, n);
    free(pairs);
    LLVMErrorRef e =
        LLVMOrcJITDylibDefine(LLVMOrcLLJITGetMainJITDylib(j->lljit), mu);
    if (e) {
        jit_error_text(e, err, errlen);
        return -1;
    }
    return 0;
}

/* What an empty indirect-cache slot points at: no guest pc matches. */
static const struct lifter_ibtc_entry ibtc_none = {UINT64_MAX, 0, 0};

/* LLVM's part of the JIT: target machines, LLJIT, the helpers' symbols
 * and the first tier's context.  Made at the first compile or ORC link,
 * not at start: a warm run that finds everything in the persistent cache
 * needs none of it (it was 3.5 ms of a 40 ms start, docs/PERFORMANCE.md
 * session 21).  Any thread; llvm_mu is taken under the JIT lock or the
 * optimising tier's work lock, never the other way round, so a fork
 * (which takes both) never copies it held. */
int jit_llvm(struct jit *j, char *err, size_t errlen)
{
    if (__atomic_load_n(&j->llvm_ready, __ATOMIC_ACQUIRE))
        return 0;
    pthread_mutex_lock(&j->llvm_mu);
    int rc = -1;
    LLVMTargetMachineRef jtm = NULL;
    if (j->llvm_ready) {
        rc = 0;
        goto out;
    }
    if (!j->tm)
        j->tm = jit_host_machine(LLVMCodeGenLevelDefault, LLVMRelocDefault,
                                 err, errlen);
    if (!j->tm1)
        j->tm1 = jit_host_machine(j->level1, LLVMRelocDefault, err, errlen);
    jtm = jit_host_machine(j->level1, LLVMRelocDefault, err, errlen);
    if (!j->tm || !j->tm1 || !jtm)
        goto out;
    LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(
        builder, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(jtm));
    jtm = NULL; /* the builder's */
    LLVMOrcLLJITBuilderSetObjectLinkingLayerCreator(builder, jit_arena_layer,
                                                    j->arena);
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->lljit, builder);
    if (e) {
        jit_error_text(e, err, errlen);
        j->lljit = NULL;
        goto out;
    }
    if (define_helpers(j, err, errlen) != 0)
        goto out;
    j->tsc = LLVMOrcCreateNewThreadSafeContext();
    __atomic_store_n(&j->stats.llvm_setup, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&j->llvm_ready, true, __ATOMIC_RELEASE);
    rc = 0;
out:
    if (jtm)
        LLVMDisposeTargetMachine(jtm);
    pthread_mutex_unlock(&j->llvm_mu);
    return rc;
}

struct jit *jit_create(const struct jit_config *cfg, char *err,
                       size_t errlen)
{
    struct jit *j = calloc(1, sizeof(*j));
    if (!j) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    j->cfg = *cfg;
    pthread_mutex_init(&j->lock, NULL);
    pthread_mutex_init(&j->llvm_mu, NULL);
    for (int i = 0; i < JIT_IBTC_SIZE; i++)
        j->ibtc[i] = &ibtc_none;
    j->lifter = lifter_create();
    if (!j->lifter || jit_cache_init(&j->cache) != 0) {
        snprintf(err, errlen, "cannot create the lifter");
        goto fail;
    }
    j->level1 = codegen_level();
    uint64_t nonce;
    if (getrandom(&nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
        nonce = jit_now_ns() ^ ((uint64_t)getpid() << 32);
    snprintf(j->nonce, sizeof(j->nonce), "%016llx", (unsigned long long)nonce);
    const char *b = getenv("R386_JIT_BATCH");
    j->batch_max = b && atoi(b) > 0 && atoi(b) <= BATCH_MAX_UNITS
                       ? atoi(b) : BATCH_DEFAULT_UNITS;
    j->pipeline = getenv("R386_JIT_PIPELINE");
    if (!j->pipeline)
        j->pipeline = UNIT_PIPELINE;
    j->pipeline1 = j->pipeline;
    const char *lines = getenv("R386_JIT_LINES");
    j->lines = lines && *lines && strcmp(lines, "0") != 0;
    j->arena = jit_arena_create();
    if (!j->arena) {
        snprintf(err, errlen, "cannot reserve memory for translated code");
        goto fail;
    }
    /* --perf-map hooks LLJIT's object layer: LLVM at once. */
    if (cfg->perf_map) {
        if (jit_llvm(j, err, errlen) != 0)
            goto fail;
        j->perfmap = jit_perfmap_open(j);
    }
    if (cfg->cache_dir)
        j->pcache = jit_pcache_open(j);
    j->tier2 = jit_tier2_start(j);
    return j;
fail:
    jit_destroy(j);
    return NULL;
}

void jit_finish(struct jit *j)
{
    if (!j)
        return;
    /* Else a unit the tier finished after the cache was written, one that
     * got hot near the end, was optimised again by every run. */
    pthread_mutex_lock(&j->lock);
    struct jit_tier2 *t = j->tier2;
    j->tier2 = NULL;
    pthread_mutex_unlock(&j->lock);
    jit_tier2_stop(t);
    jit_persist(j);
}

void jit_destroy(struct jit *j)
{
    if (!j)
        return;
    jit_tier2_stop(j->tier2); /* before what it uses goes */
    jit_perfmap_close(j->perfmap);
    jit_pcmap_free(j); /* (it borrows from the cache's files) */
    jit_pcache_close(j->pcache);
    for (size_t d = 0; d < GUEST_PAGE_COUNT / JIT_PAGE_DIR; d++)
        free(j->pages[d]);
    for (struct jit_page_node *c = j->node_chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    if (j->lljit)
        LLVMOrcDisposeLLJIT(j->lljit);
    jit_arena_destroy(j->arena); /* after the linker that used it */
    if (j->tsc)
        LLVMOrcDisposeThreadSafeContext(j->tsc);
    if (j->tm)
        LLVMDisposeTargetMachine(j->tm);
    if (j->tm1)
        LLVMDisposeTargetMachine(j->tm1);
    if (j->cache.buckets)
        jit_cache_fini(&j->cache);
    lifter_destroy(j->lifter);
    free(j);
}

static void note_unknown(struct jit *j, const struct lifter_unit *u)
{
    if (!j->cfg.note_unknown)
        return;
    char text[128];
    lifter_format(j->lifter, u->unknown_pc, u->unknown_bytes,
                  u->unknown_len, text, sizeof(text));
    j->cfg.note_unknown(j->cfg.note_ctx, u, text);
}


LLVMModuleRef jit_new_module(LLVMContextRef ctx, LLVMTargetMachineRef tm)
{
    LLVMModuleRef m = LLVMModuleCreateWithNameInContext("units", ctx);
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(m, triple);
    LLVMDisposeMessage(triple);
    LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(tm);
    LLVMSetModuleDataLayout(m, dl);
    LLVMDisposeTargetData(dl);
    return m;
}

static bool executable(struct jit *j, guest_addr_t pc)
{
    uint8_t b;
    return j->cfg.code.read(j->cfg.code.ctx, pc, &b, 1) == 1;
}

uint64_t jit_code_epoch(struct jit *j)
{
    return j->cfg.code_epoch ? j->cfg.code_epoch(j->cfg.code.ctx) : 0;
}

static struct jit_page_node **page_list(struct jit *j, uint64_t p,
                                        bool create)
{
    struct jit_page_node ***dir = &j->pages[p / JIT_PAGE_DIR];
    struct jit_page_node **t = __atomic_load_n(dir, __ATOMIC_ACQUIRE);
    if (!t && create) {
        t = calloc(JIT_PAGE_DIR, sizeof(*t));
        if (t)
            __atomic_store_n(dir, t, __ATOMIC_RELEASE);
    }
    return t ? &t[p % JIT_PAGE_DIR] : NULL;
}

#define NODE_CHUNK 1024

static struct jit_page_node *new_node(struct jit *j)
{
    if (!j->nodes_left) {
        struct jit_page_node *c = malloc(NODE_CHUNK * sizeof(*c));
        if (!c)
            return NULL;
        c->next = j->node_chunks;
        j->node_chunks = c;
        j->node_next = c + 1;
        j->nodes_left = NODE_CHUNK - 1;
    }
    j->nodes_left--;
    return j->node_next++;
}

/* List e on guest page p unless it is there already: at the head when an
 * earlier range of this call put it there, deeper only if e was listed
 * by an earlier call (before). */
static bool index_page(struct jit *j, struct jit_entry *e, uint64_t p,
                       bool before)
{
    struct jit_page_node **head = page_list(j, p, true);
    if (!head)
        return false;
    struct jit_page_node *n = *head;
    if (before) {
        while (n && n->e != e)
            n = n->next;
    }
    if (n && n->e == e)
        return true;
    n = new_node(j);
    if (!n)
        return false;
    n->e = e;
    n->next = *head;
    __atomic_store_n(head, n, __ATOMIC_RELEASE);
    return true;
}

static bool index_span(struct jit *j, struct jit_entry *e, uint64_t lo,
                       uint64_t end, bool before)
{
    for (uint64_t p = lo >> GUEST_PAGE_SHIFT;
         end > lo && p <= (end - 1) >> GUEST_PAGE_SHIFT; p++)
        if (!index_page(j, e, p, before))
            return false;
    return true;
}

bool jit_page_index_add(struct jit *j, struct jit_entry *e,
                        const struct lifter_range *r, unsigned n)
{
    if (!j->cfg.code_epoch)
        return true; /* code never changes */
    bool before = e->indexed;
    e->indexed = true; /* (even on failure: some pages may list it) */
    /* The pages of the bytes read, not of their hull: a region's blocks
     * can lie megabytes apart, and listing every page between them was
     * an eighth of a warm start. */
    for (unsigned i = 0; i < n; i++)
        if (!index_span(j, e, r[i].lo, (uint64_t)r[i].lo + r[i].len,
                        before))
            return false;
    return true;
}

/* The cell store and the epoch check cannot be one step; so: store, then
 * check.  A writer bumps the epoch before it zeroes the cells of the
 * page (jit_code_written): either this check sees its bump and takes the
 * code back, or its zeroing comes after the store and takes it away. */
bool jit_install(struct jit *j, struct jit_entry *e, uint64_t code,
                 uint64_t epoch)
{
    __atomic_store_n(&e->link.code, code, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&j->installs[jit_find_bucket((guest_addr_t)e->link.pc)],
                       1, __ATOMIC_SEQ_CST);
    if (jit_code_epoch(j) == epoch)
        return true;
    __atomic_store_n(&e->link.code, 0, __ATOMIC_SEQ_CST);
    return false;
}

void jit_code_written(struct jit *j, guest_addr_t page)
{
    struct jit_page_node **head =
        page_list(j, page >> GUEST_PAGE_SHIFT, false);
    if (!head)
        return;
    for (struct jit_page_node *n = __atomic_load_n(head, __ATOMIC_ACQUIRE);
         n; n = n->next)
        __atomic_store_n(&n->e->link.code, 0, __ATOMIC_SEQ_CST);
}

/* (The batch is installed only if no guest code changed since the hash
 * was taken: jit_install.) */
void jit_unit_info_of(struct jit *j, const struct lifter_unit *u,
                      struct jit_unit_info *out)
{
    *out = (struct jit_unit_info){.pc = u->pc, .code_lo = u->code_lo,
                                  .code_end = u->code_end,
                                  .nsucc = u->nsucc, .npred = u->npred};
    memcpy(out->succ, u->succ, sizeof(out->succ));
    memcpy(out->pred, u->pred, sizeof(out->pred));
    out->nranges = u->nranges; /* for the page index, cached or not */
    memcpy(out->ranges, u->ranges, u->nranges * sizeof(u->ranges[0]));
    uint64_t len = u->code_end ? u->code_end - u->code_lo : 0;
    if (!j->pcache || len == 0 || len > UINT32_MAX || u->short_fetch ||
        u->one_block || u->nranges == 0)
        return;
    out->code_len = (uint32_t)len;
    out->cacheable = jit_ranges_hash(j, u->ranges, u->nranges, &out->hash);
}

bool jit_entry_set_pred(struct jit_entry *e, const struct lifter_pred *p,
                        unsigned n)
{
    free(e->pred);
    e->pred = NULL;
    e->npred = 0;
    if (n == 0)
        return true;
    e->pred = malloc(n * sizeof(*p));
    if (!e->pred)
        return false;
    memcpy(e->pred, p, n * sizeof(*p));
    e->npred = (uint8_t)n;
    return true;
}

static void set_succ(struct jit_entry *e, const struct jit_unit_info *u)
{
    e->nsucc = (uint8_t)u->nsucc;
    memcpy(e->succ, u->succ, sizeof(e->succ));
    jit_entry_set_pred(e, u->pred, u->npred);
}

struct lifter_env jit_lifter_env(const struct jit *j, bool optimised,
                                 bool count)
{
    return (struct lifter_env){.chain = true,
                               .ibtc = true,
                               .ibtc_mask = JIT_IBTC_SIZE - 1,
                               .count = count,
                               .hits_offset = JIT_HITS_OFFSET,
                               .tail_calls = optimised,
                               .x87_inline = optimised,
                               .profile = j->cfg.profile,
                               .lines = j->lines,
                               .predict = optimised && !j->cfg.profile};
}

/* Lift the batch starting at first into m; returns the number of units.
 * first is lifted even when it has code (--aot replaces it). */
static int lift_batch(struct jit *j, LLVMModuleRef m, struct jit_entry *first,
                      bool optimise, int max, struct jit_entry **batch,
                      char (*names)[JIT_NAME_MAX],
                      struct jit_unit_info *units, char *err, size_t errlen)
{
    guest_addr_t queue[BATCH_MAX_UNITS * LIFTER_MAX_SUCC + 1];
    size_t head = 0, tail = 0;
    int n = 0;
    queue[tail++] = (guest_addr_t)first->link.pc;
    struct lifter_env env = jit_lifter_env(j, optimise, j->tier2 != NULL);
    while (head < tail && n < max) {
        guest_addr_t pc = queue[head++];
        struct jit_entry *e = jit_cache_get(&j->cache, pc);
        if (!e) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        bool seen = e->link.code != 0 && e != first &&
                    (e->optimised || !optimise);
        for (int i = 0; i < n && !seen; i++)
            seen = batch[i] == e;
        if (seen || (e != first && !executable(j, pc)))
            continue;
        snprintf(names[n], JIT_NAME_MAX, "u_%08x_%s_%llu", pc, j->nonce,
                 (unsigned long long)j->seq++);
        struct lifter_unit u;
        if (lifter_lift_unit(j->lifter, m, names[n], pc, &j->cfg.code, &env,
                             &u) != 0) {
            snprintf(err, errlen, "cannot lift the unit at 0x%08x", pc);
            return -1;
        }
        if (u.unknown)
            note_unknown(j, &u);
        jit_unit_info_of(j, &u, &units[n]);
        batch[n++] = e;
        j->stats.guest_insns += u.insns;
        for (unsigned i = 0; i < u.nsucc; i++)
            queue[tail++] = u.succ[i];
    }
    return n;
}

/* Compiling threads other than the guest's: --aot's, and the background
 * thread's first-tier compiles (tier2.c).  Each has its own LLVM context
 * and target machine, and compiles with the JIT lock released. */
struct jit_worker {
    LLVMOrcThreadSafeContextRef tsc;
    LLVMTargetMachineRef tm;
    bool first_tier; /* the background thread's: tm as the JIT's tm1 */
};

static struct jit_worker *worker_create(struct jit *j, bool first_tier)
{
    char err[256];
    struct jit_worker *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    /* optimised code (--aot): PIC, as in jit_set_optimise; the first
     * tier's exactly as tm1 makes it (jit/lines.c compiles it again with
     * tm1 to name a fault) */
    w->first_tier = first_tier;
    w->tm = first_tier ? jit_host_machine(j->level1, LLVMRelocDefault, err,
                                          sizeof(err))
                       : jit_host_machine(LLVMCodeGenLevelDefault,
                                          LLVMRelocPIC, err, sizeof(err));
    w->tsc = LLVMOrcCreateNewThreadSafeContext();
    if (!w->tm || !w->tsc) {
        jit_worker_destroy(w);
        return NULL;
    }
    return w;
}

struct jit_worker *jit_worker_create(struct jit *j)
{
    return worker_create(j, false);
}

struct jit_worker *jit_worker_first_tier(struct jit *j)
{
    return worker_create(j, true);
}

void jit_worker_destroy(struct jit_worker *w)
{
    if (!w)
        return;
    if (w->tsc)
        LLVMOrcDisposeThreadSafeContext(w->tsc);
    if (w->tm)
        LLVMDisposeTargetMachine(w->tm);
    free(w);
}

/* Run an LLVM pass pipeline on m; -1 with a message in err. */
static int run_passes(LLVMModuleRef m, const char *pipeline,
                      LLVMTargetMachineRef tm, char *err, size_t errlen)
{
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(m, pipeline, tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) {
        jit_error_text(e, err, errlen);
        return -1;
    }
    return 0;
}

LLVMMemoryBufferRef jit_emit(const struct jit *j, LLVMModuleRef m,
                             const char *pipeline,
                             LLVMTargetMachineRef tm_pass,
                             LLVMTargetMachineRef tm, const char *tier,
                             uint64_t *passes_ns, char *err, size_t errlen)
{
    uint64_t t0 = jit_now_ns();
    const char *fold = strstr(pipeline, JIT_FOLD_STEP);
    if (fold) {
        char *first = strndup(pipeline, (size_t)(fold - pipeline));
        if (!first) {
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        int r = run_passes(m, first, tm_pass, err, errlen);
        free(first);
        if (r)
            return NULL;
        lifter_fold_displacements(m);
        pipeline = fold + strlen(JIT_FOLD_STEP);
    }
    if (*pipeline && run_passes(m, pipeline, tm_pass, err, errlen))
        return NULL;
    if (passes_ns)
        *passes_ns = jit_now_ns() - t0;
    if (tier)
        jit_dump(j, m, tm, tier);
    LLVMMemoryBufferRef obj = NULL;
    char *msg = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &msg,
                                            &obj)) {
        snprintf(err, errlen, "LLVM: %s", msg ? msg : "no object");
        obj = NULL;
    }
    LLVMDisposeMessage(msg);
    return obj;
}

/* --debug: is m's IR valid? */
static bool verified(const struct jit *j, LLVMModuleRef m, guest_addr_t pc,
                     char *err, size_t errlen)
{
    if (!j->cfg.verify)
        return true;
    char *msg = NULL;
    bool bad = LLVMVerifyModule(m, LLVMReturnStatusAction, &msg);
    if (bad)
        snprintf(err, errlen, "invalid IR for the unit at 0x%08x: %.200s", pc,
                 msg);
    LLVMDisposeMessage(msg);
    return !bad;
}

/* Compile the batch from first and install it; *code: first's code.
 * Self-modifying code: when guest code changed while the batch was being
 * lifted (code epoch), nothing is installed -- the bytes may be old --
 * and *code runs once, as code fetched before the change.  A unit with
 * no code bytes (its first instruction cannot be fetched) runs once too:
 * the page may be mapped later.
 * With a worker (--aot, the background thread), optimising and code
 * generation run in its context with the lock released; other threads
 * may install some of the same units meanwhile, which only costs the
 * time.  The background thread's first tier does not replace code a
 * unit got meanwhile (it may be the optimising tier's). */
static int compile(struct jit *j, const struct jit_worker *w,
                   struct jit_entry *first, uint64_t *code, char *err,
                   size_t errlen)
{
    uint64_t t0 = jit_now_ns();
    if (jit_llvm(j, err, errlen) != 0)
        return -1;
    uint64_t epoch = jit_code_epoch(j);
    guest_addr_t pc = (guest_addr_t)first->link.pc;
    bool bg = w && w->first_tier;
    bool optimise = j->optimise && !bg;
    const char *pipeline = bg ? j->pipeline1 : j->pipeline;
    LLVMTargetMachineRef tm_pass = w ? w->tm : j->tm;
    LLVMTargetMachineRef tm_code = w ? w->tm : j->tm1;
    LLVMModuleRef m = jit_new_module(
        LLVMOrcThreadSafeContextGetContext(w ? w->tsc : j->tsc), tm_pass);
    struct jit_entry *batch[BATCH_MAX_UNITS];
    char names[BATCH_MAX_UNITS][JIT_NAME_MAX];
    struct jit_unit_info units[BATCH_MAX_UNITS];
    int n = lift_batch(j, m, first, optimise, bg ? 1 : j->batch_max, batch,
                       names, units, err, errlen);
    char table[JIT_NAME_MAX];
    snprintf(table, sizeof(table), "t_%s_%llu", j->nonce,
             (unsigned long long)j->seq++);
    guest_addr_t *cells = NULL;
    uint32_t ncells = 0;
    if (n >= 0 && jit_cells_prepare(m, table, &cells, &ncells) != 0) {
        snprintf(err, errlen, "out of memory");
        n = -1;
    }
    uint64_t t1 = jit_now_ns();
    if (!bg)
        j->stats.lift_ns += t1 - t0;
    if (w)
        pthread_mutex_unlock(&j->lock);
    LLVMMemoryBufferRef obj = NULL;
    uint64_t passes_ns = 0;
    if (n >= 0 && verified(j, m, pc, err, errlen))
        obj = jit_emit(j, m, pipeline, tm_pass, tm_code,
                       optimise ? "optimised (--aot)" : "first tier",
                       &passes_ns, err, errlen);
    LLVMDisposeModule(m);
    if (w)
        pthread_mutex_lock(&j->lock);
    if (!bg)
        j->stats.opt_ns += passes_ns;
    if (!obj) {
        free(cells);
        return -1;
    }
    /* Linking consumes the buffer: the cache keeps a copy of the bytes. */
    size_t objlen = LLVMGetBufferSize(obj);
    void *objcopy = NULL;
    bool keep = j->pcache != NULL;
    for (int i = 0; i < n && keep; i++)
        keep = units[i].cacheable;
    if (keep && (objcopy = malloc(objlen)) != NULL)
        memcpy(objcopy, LLVMGetBufferStart(obj), objlen);
    uint64_t addrs[BATCH_MAX_UNITS], tab;
    /* (--aot's workers run no guest code: nothing to name faults in.) */
    if (jit_link_object(j, obj, NULL, 0, table, ncells,
                        (const char(*)[JIT_NAME_MAX])names, n, addrs, &tab,
                        w && !bg ? JIT_LINES_NONE : JIT_LINES_COPY, err,
                        errlen) != 0 ||
        !jit_cells_fill(j, tab, cells, ncells)) {
        if (!*err)
            snprintf(err, errlen, "out of memory");
        free(objcopy);
        free(cells);
        return -1;
    }
    bool all_installed = true;
    unsigned kind = optimise ? JIT_CODE_AOT : JIT_CODE_FIRST;
    for (int i = 0; i < n; i++) {
        jit_perfmap_write(j->perfmap, names[i], addrs[i],
                          (guest_addr_t)batch[i]->link.pc, optimise ? 2 : 1);
        if (i == 0)
            *code = addrs[i];
        if (units[i].code_end == 0 || (bg && batch[i]->link.code)) {
            all_installed = false;
            continue;
        }
        batch[i]->code_lo = units[i].code_lo;
        batch[i]->code_end = units[i].code_end;
        if (jit_page_index_add(j, batch[i], units[i].ranges,
                               units[i].nranges) &&
            jit_install(j, batch[i], addrs[i], epoch)) {
            batch[i]->tier = 1;
            batch[i]->optimised = (uint8_t)kind;
            set_succ(batch[i], &units[i]);
        } else {
            batch[i]->code_end = 0;
            all_installed = false;
        }
    }
    if (objcopy && all_installed)
        jit_pcache_store(j, objcopy, objlen, table, cells, ncells,
                         (const char(*)[JIT_NAME_MAX])names, units, n, kind);
    free(objcopy);
    free(cells);
    j->stats.units += (unsigned)n;
    j->stats.batches++;
    if (bg) {
        j->stats.bg_units += (unsigned)n;
        j->stats.bg_ns += jit_now_ns() - t0;
    } else {
        j->stats.compile_ns += jit_now_ns() - t0;
    }
    return 0;
}

/* jit_lookup, and jit_find when !allow_compile. */
static cpu_unit_fn lookup(struct jit *j, guest_addr_t pc, bool allow_compile,
                          char *err, size_t errlen)
{
    pthread_mutex_lock(&j->lock);
    j->stats.lookups++;
    cpu_unit_fn fn = NULL;
    uint64_t code = 0;
    /* An interpreted block asks for every pc it meets: an entry (~250
     * bytes) is made only for a pc the persistent cache indexes.  A warm
     * dynamic `true` made ~5,000 of them, with their page faults. */
    struct jit_entry *e = jit_cache_find(&j->cache, pc);
    if (!e && !allow_compile && (!j->pcache || !jit_pcache_indexes(j, pc))) {
        pthread_mutex_unlock(&j->lock);
        return NULL;
    }
    if (!e)
        e = jit_cache_get(&j->cache, pc);
    if (!e)
        snprintf(err, errlen, "out of memory");
    else if (e->link.code)
        fn = (cpu_unit_fn)(uintptr_t)e->link.code;
    else if (j->pcache && e->disk_miss != jit_code_epoch(j) + 1 &&
             jit_pcache_load(j, e, false))
        fn = (cpu_unit_fn)(uintptr_t)e->link.code;
    else if (!allow_compile) {
        if (j->pcache)
            e->disk_miss = jit_code_epoch(j) + 1;
    } else {
        if (j->cfg.compiling)
            j->cfg.compiling(true);
        if (compile(j, NULL, e, &code, err, errlen) == 0)
            fn = (cpu_unit_fn)(uintptr_t)code;
        if (j->cfg.compiling)
            j->cfg.compiling(false);
    }
    if (fn && e->link.code && !e->flags_in) {
        e->flags_in = lifter_flags_live(j->lifter, &j->cfg.code, pc) ? 1 : 2;
        __atomic_store_n(&e->link.flags_live, e->flags_in == 1,
                         __ATOMIC_RELEASE);
    }
    if (fn && e->link.code) {
        /* Remember it for indirect branches in translated code: first
         * way of its set, the one there moving to the second (lifter.h). */
        uint32_t set = lifter_ibtc_index(pc, JIT_IBTC_SIZE - 1) & ~1u;
        const struct lifter_ibtc_entry *first = j->ibtc[set];
        if (first != &e->link) {
            __atomic_store_n(&j->ibtc[set | 1], first, __ATOMIC_RELEASE);
            __atomic_store_n(&j->ibtc[set], &e->link, __ATOMIC_RELEASE);
        }
    }
    pthread_mutex_unlock(&j->lock);
    return fn;
}

cpu_unit_fn jit_lookup(struct jit *j, guest_addr_t pc, char *err,
                       size_t errlen)
{
    return lookup(j, pc, true, err, errlen);
}

uint64_t jit_find_gen(struct jit *j, guest_addr_t pc)
{
    return __atomic_load_n(&j->installs[jit_find_bucket(pc)],
                           __ATOMIC_SEQ_CST) +
           jit_code_epoch(j);
}

cpu_unit_fn jit_find(struct jit *j, guest_addr_t pc)
{
    char err[8];
    return lookup(j, pc, false, err, sizeof(err));
}

static void request(struct jit *j, guest_addr_t pc, bool early)
{
    pthread_mutex_lock(&j->lock);
    struct jit_entry *e = jit_cache_get(&j->cache, pc);
    /* (An early request for a block queued already goes in too: the
     * ordinary queue is served only after the start-up delay.) */
    if (e && !e->link.code && (early || !e->queued) && !j->optimise &&
        (!early || jit_pcache_can_hold(j, pc)) &&
        jit_tier2_request(j->tier2, pc, early))
        e->queued = true;
    pthread_mutex_unlock(&j->lock);
}

void jit_request(struct jit *j, guest_addr_t pc)
{
    request(j, pc, false);
}

void jit_request_early(struct jit *j, guest_addr_t pc)
{
    request(j, pc, true);
}

bool jit_needs_code(struct jit *j, guest_addr_t pc)
{
    pthread_mutex_lock(&j->lock);
    struct jit_entry *e = jit_cache_find(&j->cache, pc);
    bool needs = e && !e->link.code && !j->optimise;
    if (e && !needs)
        e->queued = false;
    pthread_mutex_unlock(&j->lock);
    return needs;
}

void jit_compile_queued(struct jit *j, struct jit_worker *w, guest_addr_t pc)
{
    char err[256] = "";
    uint64_t code;
    /* LLVM's set-up (its constructors, LLJIT: ~10 ms) before the lock,
     * which the guest's thread takes to look its blocks up meanwhile. */
    if (jit_llvm(j, err, sizeof(err)) != 0)
        return; /* (the guest's thread reports it when it compiles) */
    pthread_mutex_lock(&j->lock);
    struct jit_entry *e = jit_cache_get(&j->cache, pc);
    if (e) {
        e->queued = false;
        /* (A failure leaves it to the guest's thread, which reports it.) */
        if (!e->link.code && !j->optimise && executable(j, pc))
            compile(j, w, e, &code, err, sizeof(err));
    }
    pthread_mutex_unlock(&j->lock);
}

void jit_set_optimise(struct jit *j)
{
    char err[256];
    pthread_mutex_lock(&j->lock);
    if (jit_llvm(j, err, sizeof(err)) != 0) {
        pthread_mutex_unlock(&j->lock);
        return; /* (the first compile reports it) */
    }
    /* PIC, as the optimising tier's: the optimiser's code may index a
     * constant-pool array (a select between x87 constants), which the
     * small code model otherwise addresses absolutely (R_X86_64_32S). */
    LLVMTargetMachineRef tm = jit_host_machine(LLVMCodeGenLevelDefault,
                                               LLVMRelocPIC, err,
                                               sizeof(err));
    if (tm) {
        LLVMDisposeTargetMachine(j->tm1);
        j->tm1 = tm;
        j->pipeline = JIT_OPT_PIPELINE;
        j->optimise = true;
        /* Whole batches: fewer, larger objects for later runs to link. */
        j->batch_max = BATCH_MAX_UNITS;
    }
    pthread_mutex_unlock(&j->lock);
}

int jit_translate(struct jit *j, struct jit_worker *w, guest_addr_t pc,
                  guest_addr_t *succ, unsigned *nsucc, char *err,
                  size_t errlen)
{
    pthread_mutex_lock(&j->lock);
    int rc = -1;
    uint64_t code = 0;
    struct jit_entry *e = jit_cache_get(&j->cache, pc);
    *nsucc = 0;
    if (!e) {
        snprintf(err, errlen, "out of memory");
    } else if (!executable(j, pc)) {
        snprintf(err, errlen, "0x%08x is not executable", pc);
    } else if ((e->link.code && (e->optimised || !j->optimise)) ||
               (j->pcache && jit_pcache_load(j, e, j->optimise))) {
        rc = 0;
    } else if (compile(j, w, e, &code, err, errlen) == 0) {
        rc = 1;
    }
    if (rc >= 0) {
        *nsucc = e->nsucc;
        memcpy(succ, e->succ, e->nsucc * sizeof(*succ));
    }
    pthread_mutex_unlock(&j->lock);
    return rc;
}

void jit_fork_prepare(struct jit *j)
{
    if (!j)
        return;
    jit_tier2_fork_prepare(j->tier2);
    pthread_mutex_lock(&j->lock);
}

void jit_fork_parent(struct jit *j)
{
    if (!j)
        return;
    pthread_mutex_unlock(&j->lock);
    jit_tier2_fork_parent(j->tier2);
}

void jit_fork_child(struct jit *j)
{
    if (!j)
        return;
    pthread_mutex_unlock(&j->lock);
    j->tier2 = jit_tier2_fork_child(j->tier2);
    jit_pcache_fork_child(j->pcache);
}

void jit_invalidate(struct jit *j, guest_addr_t lo, uint64_t end)
{
    pthread_mutex_lock(&j->lock);
    bool changed = false;
    for (size_t b = 0; b < j->cache.nbuckets; b++)
        for (struct jit_entry *e = j->cache.buckets[b]; e; e = e->next) {
            if (e->code_end <= lo || e->code_lo >= end ||
                (!e->link.code && !e->tier))
                continue;
            /* The tier-2 thread checks gen before installing a unit it
             * lifted (tier2.c); old code stays valid for threads in it. */
            e->gen++;
            e->tier = 0;
            e->hits = e->seen = e->heat = 0;
            e->code_end = 0;
            __atomic_store_n(&e->link.code, 0, __ATOMIC_RELEASE);
            j->stats.invalidated++;
            changed = true;
        }
    /* Whether code reads the flags first may depend on code elsewhere (a
     * callee: lifter_flags_live): when code changed, every entry asks
     * again before it goes back in the indirect-branch table, emptied
     * here.  (A thread may still take an entry it found before with the
     * old answer: the guest changing a callee's code under another
     * thread's running caller.) */
    if (changed) {
        for (uint32_t i = 0; i < JIT_IBTC_SIZE; i++)
            __atomic_store_n(&j->ibtc[i], &ibtc_none, __ATOMIC_RELEASE);
        for (size_t b = 0; b < j->cache.nbuckets; b++)
            for (struct jit_entry *e = j->cache.buckets[b]; e; e = e->next)
                e->flags_in = 0;
    }
    pthread_mutex_unlock(&j->lock);
}

void jit_stats_get(struct jit *j, struct jit_stats *out)
{
    pthread_mutex_lock(&j->lock);
    *out = j->stats;
    pthread_mutex_unlock(&j->lock);
}
