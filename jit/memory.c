/* Memory for translated code: one arena the object linkers carve every
 * object's sections from (RuntimeDyld with MCJIT-style callbacks, and
 * objload.c).
 *
 * Why not LLVM's default per-object memory manager: it maps, protects and
 * unmaps memory for each object it links, and a warm run links thousands
 * of small objects from the persistent cache -- those system calls and
 * the page faults on fresh pages were most of its time (docs/CACHE.md).
 * Here the arena is reserved once, made readable, writable and executable
 * a chunk at a time, and handed out by bumping a pointer.  Code is never
 * freed (chain cells and the indirect-branch cache point into it).  The
 * small code model's RIP-relative references only need an object's own
 * sections (and the stubs RuntimeDyld adds to them) within +-2 GiB of
 * each other, which consecutive allocations are.  Like qemu's code buffer, the
 * pages are RWX: there is no second mapping to write through. */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/OrcEE.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "jit_internal.h"

#define ARENA_RESERVE (UINT64_C(8) << 30)  /* 8 GiB of address space */
#define ARENA_CHUNK (UINT64_C(4) << 20)    /* made RWX 4 MiB at a time */

struct jit_arena {
    pthread_mutex_t lock;
    uint8_t *base;
    uint64_t used;  /* bytes handed out */
    uint64_t ready; /* bytes made RWX */
};

struct jit_arena *jit_arena_create(void)
{
    struct jit_arena *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->base = mmap(NULL, ARENA_RESERVE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (a->base == MAP_FAILED) {
        free(a);
        return NULL;
    }
    /* Huge pages where the host allows them: a warm run copies megabytes
     * of cached code in, and a page fault per 4 KiB was a fifth of its
     * time (a hint: without transparent huge pages nothing changes). */
    madvise(a->base, ARENA_RESERVE, MADV_HUGEPAGE);
    pthread_mutex_init(&a->lock, NULL);
    return a;
}

void jit_arena_destroy(struct jit_arena *a)
{
    if (!a)
        return;
    munmap(a->base, ARENA_RESERVE);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

void *jit_arena_alloc(struct jit_arena *a, size_t size, unsigned align)
{
    if (align < 16)
        align = 16;
    pthread_mutex_lock(&a->lock);
    uint64_t at = (a->used + align - 1) & ~(uint64_t)(align - 1);
    uint8_t *p = NULL;
    if (at + size <= ARENA_RESERVE) {
        uint64_t need = at + size;
        if (need > a->ready) {
            uint64_t ready = (need + ARENA_CHUNK - 1) & ~(ARENA_CHUNK - 1);
            if (ready > ARENA_RESERVE)
                ready = ARENA_RESERVE;
            if (mprotect(a->base + a->ready, ready - a->ready,
                         PROT_READ | PROT_WRITE | PROT_EXEC) == 0)
                a->ready = ready;
        }
        if (need <= a->ready) {
            p = a->base + at;
            a->used = need;
        }
    }
    pthread_mutex_unlock(&a->lock);
    return p; /* NULL: RuntimeDyld reports the failure */
}

static uint8_t *alloc_code(void *opaque, uintptr_t size, unsigned align,
                           unsigned id, const char *name)
{
    (void)id;
    (void)name;
    return jit_arena_alloc(opaque, size, align);
}

static uint8_t *alloc_data(void *opaque, uintptr_t size, unsigned align,
                           unsigned id, const char *name, LLVMBool ro)
{
    (void)id;
    (void)name;
    (void)ro;
    return jit_arena_alloc(opaque, size, align);
}

static LLVMBool finalize(void *opaque, char **msg)
{
    (void)opaque;
    (void)msg;
    return 0; /* RWX already; x86 keeps instruction caches coherent */
}

static void *one_context(void *ctx)
{
    return ctx; /* every object shares the arena */
}

static void no_op(void *ctx)
{
    (void)ctx;
}

LLVMOrcObjectLayerRef jit_arena_layer(void *ctx, LLVMOrcExecutionSessionRef es,
                                      const char *triple)
{
    (void)triple;
    return LLVMOrcCreateRTDyldObjectLinkingLayerWithMCJITMemoryManagerLikeCallbacks(
        es, ctx, one_context, no_op, alloc_code, alloc_data, finalize, no_op);
}
