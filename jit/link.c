/* From a lifted module to running code, by way of an object file.
 *
 * Translated code names its chain cells through module globals (lifter.h:
 * LIFTER_CELL_PREFIX) and the indirect-branch table through an external
 * symbol, so that its object code holds no host address of this process
 * and can be stored in the persistent cache (pcache.c) and linked into
 * another.  Before code generation the cell globals become the slots of
 * one table the module defines and exports; after linking, the JIT writes
 * each slot with its cell's address, before any of the code can run.
 * Both tiers and the persistent cache link through here: with objload.c
 * where it knows the object's shape (all r386 makes now), else with ORC. */
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit_internal.h"

int jit_cells_prepare(LLVMModuleRef m, const char *table, guest_addr_t **pcs,
                      uint32_t *n)
{
    size_t plen = strlen(LIFTER_CELL_PREFIX);
    uint32_t count = 0;
    for (LLVMValueRef g = LLVMGetFirstGlobal(m); g; g = LLVMGetNextGlobal(g)) {
        size_t len;
        const char *name = LLVMGetValueName2(g, &len);
        if (len > plen && strncmp(name, LIFTER_CELL_PREFIX, plen) == 0)
            count++;
    }
    *pcs = NULL;
    *n = count;
    if (count == 0)
        return 0;
    guest_addr_t *v = malloc(count * sizeof(*v));
    if (!v)
        return -1;
    LLVMContextRef ctx = LLVMGetModuleContext(m);
    LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, 0);
    LLVMTypeRef arr = LLVMArrayType2(ptr, count);
    LLVMValueRef tab = LLVMAddGlobal(m, arr, table);
    LLVMSetInitializer(tab, LLVMConstNull(arr));
    LLVMTypeRef i32 = LLVMInt32TypeInContext(ctx);
    uint32_t i = 0;
    for (LLVMValueRef g = LLVMGetFirstGlobal(m), next; g; g = next) {
        next = LLVMGetNextGlobal(g);
        size_t len;
        const char *name = LLVMGetValueName2(g, &len);
        if (len <= plen || strncmp(name, LIFTER_CELL_PREFIX, plen) != 0)
            continue;
        v[i] = (guest_addr_t)strtoul(name + plen, NULL, 16);
        LLVMValueRef idx[2] = {LLVMConstInt(i32, 0, 0),
                               LLVMConstInt(i32, i, 0)};
        LLVMReplaceAllUsesWith(g, LLVMConstInBoundsGEP2(arr, tab, idx, 2));
        LLVMDeleteGlobal(g);
        i++;
    }
    *pcs = v;
    return 0;
}

bool jit_cells_fill(struct jit *j, uint64_t table, const guest_addr_t *pcs,
                    uint32_t n)
{
    void **slot = (void **)(uintptr_t)table;
    for (uint32_t i = 0; i < n; i++) {
        struct jit_entry *e = jit_cache_get(&j->cache, pcs[i]);
        if (!e)
            return false;
        slot[i] = &e->link.code;
    }
    return true;
}

/* The result of one lookup of all of an object's symbols. */
struct lookup_result {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    LLVMErrorRef err;
    const LLVMOrcCLookupSetElement *set;
    uint64_t *addrs;
    size_t n;
};

static void lookup_done(LLVMErrorRef err, LLVMOrcCSymbolMapPairs pairs,
                        size_t n, void *ctx)
{
    struct lookup_result *r = ctx;
    /* The answer comes in no particular order: match the names (interned,
     * so compared as pointers). */
    for (size_t k = 0; !err && k < n; k++)
        for (size_t i = 0; i < r->n; i++)
            if (pairs[k].Name == r->set[i].Name)
                r->addrs[i] = pairs[k].Sym.Address;
    pthread_mutex_lock(&r->lock);
    r->err = err;
    r->done = true;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

int jit_link_object(struct jit *j, LLVMMemoryBufferRef obj,
                    const void *bytes, size_t len, const char *table,
                    uint32_t ncells, const char (*names)[JIT_NAME_MAX], int n,
                    uint64_t *addrs, uint64_t *table_addr,
                    enum jit_lines lines, char *err, size_t errlen)
{
    memset(addrs, 0, (size_t)n * sizeof(*addrs));
    if (obj) {
        bytes = LLVMGetBufferStart(obj);
        len = LLVMGetBufferSize(obj);
    }
    if (jit_objload(j, bytes, len, table, ncells, names, n, addrs,
                    table_addr, lines) == 0) {
        jit_perfmap_note(j->perfmap, bytes, len);
        if (obj)
            LLVMDisposeMemoryBuffer(obj);
        return 0;
    }
    __atomic_fetch_add(&j->stats.orc_objects, 1, __ATOMIC_RELAXED);
    if (jit_llvm(j, err, errlen) != 0) {
        if (obj)
            LLVMDisposeMemoryBuffer(obj);
        return -1;
    }
    if (!obj && !(obj = LLVMCreateMemoryBufferWithMemoryRange(
                      bytes, len, "r386-cache", 0))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(j->lljit);
    LLVMErrorRef e = LLVMOrcLLJITAddObjectFile(j->lljit, jd, obj);
    *table_addr = 0;
    if (e) {
        jit_error_text(e, err, errlen);
        return -1;
    }
    /* One lookup for every symbol: it links the object and answers them
     * all, where a lookup per symbol costs a session round trip each. */
    size_t m = (size_t)n + (ncells ? 1 : 0);
    LLVMOrcCLookupSetElement *set = calloc(m, sizeof(*set));
    uint64_t *got = calloc(m, sizeof(*got));
    if (!set || !got) {
        free(set);
        free(got);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < m; i++) {
        set[i].Name = LLVMOrcLLJITMangleAndIntern(
            j->lljit, i < (size_t)n ? names[i] : table);
        set[i].LookupFlags = LLVMOrcSymbolLookupFlagsRequiredSymbol;
    }
    LLVMOrcCJITDylibSearchOrderElement order = {
        jd, LLVMOrcJITDylibLookupFlagsMatchAllSymbols};
    struct lookup_result r = {PTHREAD_MUTEX_INITIALIZER,
                              PTHREAD_COND_INITIALIZER,
                              false, NULL, set, got, m};
    LLVMOrcExecutionSessionLookup(LLVMOrcLLJITGetExecutionSession(j->lljit),
                                  LLVMOrcLookupKindStatic, &order, 1, set, m,
                                  lookup_done, &r);
    /* Mostly answered by now, on this thread; but when the object needs a
     * symbol another thread is still emitting (the other tier), the
     * answer comes from that thread once it is done. */
    pthread_mutex_lock(&r.lock);
    while (!r.done)
        pthread_cond_wait(&r.cond, &r.lock);
    pthread_mutex_unlock(&r.lock);
    free(set); /* the names were the lookup's to release */
    for (size_t i = 0; !r.err && i < m; i++)
        if (!got[i])
            r.err = LLVMCreateStringError("symbol not found");
    if (!r.err) {
        memcpy(addrs, got, (size_t)n * sizeof(*addrs));
        if (ncells)
            *table_addr = got[n];
    }
    free(got);
    if (r.err) {
        jit_error_text(r.err, err, errlen);
        return -1;
    }
    return 0;
}
