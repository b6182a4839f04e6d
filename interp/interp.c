/* The baseline tier's block loop, its decoded blocks and its run counts
 * (interp.h).
 *
 * A block is decoded in chunks: every instruction of a chunk is decoded
 * and checked before the first runs, so a block the executor cannot take
 * whole is refused with nothing done, and the JIT's units start where
 * they would without the interpreter (block starts the dispatcher sees).
 *
 * Decoded chunks are kept per thread (no locks), compacted (exec.c), in an
 * arena that is emptied when full or when guest code may have changed:
 * the code epoch (interp_create) moved since they were decoded.  Fetching
 * marks the pages as code, so a store to them moves the epoch.
 *
 * Deviation (as translated code's): a store into the chunk being
 * interpreted does not change the instructions already decoded. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "interp_internal.h"

#define CHUNK 32     /* instructions decoded before any runs */
#define MAX_CHUNKS 8 /* then the block is left at the next pc */
#define FETCH 128    /* guest code bytes fetched at a time */

/* Run counts: open addressing on the pc, one 64-bit word a slot: pc in
 * the high half, count << 1 | 1 in the low half (0: empty). */
#define TABLE_BITS 15
#define TABLE_PROBES 32
#define COUNT_MAX 0x7fffffffu
#define TABLE_BYTES (sizeof(uint64_t) << TABLE_BITS)

struct interp {
    ZydisDecoder dec;
    unsigned threshold;
    struct interp_calls calls;
    interp_fetch_fn fetch;
    interp_epoch_fn epoch;
    void *fetch_ctx;
    uint64_t id; /* names this interpreter in threads' block caches */
    uint64_t *table;
    uint64_t blocks, insns, refused; /* (relaxed atomics) */
};

static uint64_t next_id = 1;

struct interp *interp_create(unsigned threshold, interp_fetch_fn fetch,
                             interp_epoch_fn epoch, void *fetch_ctx,
                             const struct interp_calls *calls)
{
    struct interp *it = calloc(1, sizeof(*it));
    if (!it)
        return NULL;
    /* Populated at once: hashed pcs touch every page of it soon, and page
     * faults one by one were 9% of a warm start of a dynamic program. */
    void *t = mmap(NULL, TABLE_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    it->table = t == MAP_FAILED ? NULL : t;
    if (!it->table ||
        !ZYAN_SUCCESS(ZydisDecoderInit(&it->dec, ZYDIS_MACHINE_MODE_LEGACY_32,
                                       ZYDIS_STACK_WIDTH_32))) {
        if (it->table)
            munmap(it->table, TABLE_BYTES);
        free(it);
        return NULL;
    }
    it->threshold = threshold;
    if (calls)
        it->calls = *calls;
    it->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    it->epoch = epoch;
    it->fetch = fetch;
    it->fetch_ctx = fetch_ctx;
    return it;
}

void interp_destroy(struct interp *it)
{
    if (!it)
        return;
    munmap(it->table, TABLE_BYTES);
    free(it);
}

/* The n-th slot pc's count may be in (n < TABLE_PROBES). */
static uint64_t *count_slot(const struct interp *it, guest_addr_t pc,
                            unsigned n)
{
    uint32_t h = (pc * 0x9e3779b1u) >> (32 - TABLE_BITS);
    return &it->table[(h + n) & ((1u << TABLE_BITS) - 1)];
}

unsigned interp_count(struct interp *it, guest_addr_t pc)
{
    unsigned hot = it->threshold < COUNT_MAX ? it->threshold + 1 : COUNT_MAX;
    for (unsigned n = 0; n < TABLE_PROBES; n++) {
        uint64_t *slot = count_slot(it, pc, n);
        uint64_t v = __atomic_load_n(slot, __ATOMIC_RELAXED);
        for (;;) {
            if (v == 0) {
                uint64_t first = (uint64_t)pc << 32 | 1u << 1 | 1u;
                if (__atomic_compare_exchange_n(slot, &v, first, false,
                                                __ATOMIC_RELAXED,
                                                __ATOMIC_RELAXED))
                    return 1;
                continue; /* another thread took the slot: v is its word */
            }
            if ((uint32_t)(v >> 32) != pc)
                break;
            uint32_t count = (uint32_t)v >> 1;
            if (count >= hot)
                return hot;
            uint64_t nv = (uint64_t)pc << 32 | (uint64_t)(count + 1) << 1 | 1u;
            if (__atomic_compare_exchange_n(slot, &v, nv, false,
                                            __ATOMIC_RELAXED,
                                            __ATOMIC_RELAXED))
                return count + 1;
        }
    }
    return hot; /* the table is crowded here: compile */
}

unsigned interp_runs(const struct interp *it, guest_addr_t pc)
{
    for (unsigned n = 0; n < TABLE_PROBES; n++) {
        uint64_t v = __atomic_load_n(count_slot(it, pc, n), __ATOMIC_RELAXED);
        if (v == 0)
            return 0;
        if ((uint32_t)(v >> 32) == pc)
            return (uint32_t)v >> 1;
    }
    return INTERP_RUNS_UNKNOWN;
}

/* ---- decoded chunks, per thread ---- */

#define ARENA_SIZE (4u << 20)
#define BUCKETS 4096

struct chunk {
    struct chunk *next; /* in its bucket */
    guest_addr_t pc;
    guest_addr_t end;   /* the pc after the last instruction */
    uint16_t n;         /* instructions */
    bool stop;          /* cut at an unfetchable pc or an instruction the
                         * executor does not take: leave the block at end */
    bool refused;       /* cannot start a block: an instruction the executor
                         * does not take is in it, or its first instruction
                         * cannot be fetched (the JIT's unit faults there) */
    struct interp_insn insn[];
};

struct chunk_cache {
    uint64_t owner; /* interp id */
    uint64_t epoch;
    size_t used;
    struct chunk *bucket[BUCKETS];
    _Alignas(16) unsigned char arena[ARENA_SIZE];
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static __thread struct chunk_cache *tcache;

static void cache_free(void *c)
{
    munmap(c, sizeof(struct chunk_cache));
}

static void cache_key_init(void)
{
    pthread_key_create(&cache_key, cache_free);
}

/* The first MiB of the first thread's arena is faulted in with one call:
 * a warm dynamic `true` decodes into ~800 KiB of it, and its page faults
 * one by one were ~200 of the run's ~950 (perf stat, six rounds of 50
 * runs: 18.9 -> 17.2 ms).  Other threads' arenas fill as they are used
 * (a program with many threads would hold a MiB for each). */
#define ARENA_POPULATE (1u << 20)

static struct chunk_cache *cache_new(void)
{
    static bool populated;
    void *c = mmap(NULL, sizeof(struct chunk_cache), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        return NULL;
#ifdef MADV_POPULATE_WRITE
    if (!__atomic_exchange_n(&populated, true, __ATOMIC_RELAXED))
        madvise(c, offsetof(struct chunk_cache, arena) + ARENA_POPULATE,
                MADV_POPULATE_WRITE); /* (older kernels: faulted as used) */
#endif
    return c;
}

static void cache_clear(struct chunk_cache *c, uint64_t owner, uint64_t epoch)
{
    c->owner = owner;
    c->epoch = epoch;
    c->used = 0;
    memset(c->bucket, 0, sizeof(c->bucket));
}

/* This thread's cache, emptied when it was another interpreter's or the
 * code may have changed; NULL when out of memory. */
static struct chunk_cache *thread_cache(struct interp *it, uint64_t epoch)
{
    struct chunk_cache *c = tcache;
    if (!c) {
        pthread_once(&cache_once, cache_key_init);
        c = cache_new();
        if (!c)
            return NULL;
        cache_clear(c, it->id, epoch);
        pthread_setspecific(cache_key, c); /* freed at the thread's exit */
        tcache = c;
    } else if (c->owner != it->id || c->epoch != epoch) {
        cache_clear(c, it->id, epoch);
    }
    return c;
}

static unsigned bucket_of(guest_addr_t pc)
{
    return (pc * 0x9e3779b1u) >> (32 - 12);
}

/* Decode the instruction at pc from the fetched bytes (refetched when
 * fewer than an instruction's worth are left): 1, or 0 when pc cannot be
 * fetched at all, -1 when its bytes are no instruction the executor takes
 * (or are cut short by an unfetchable page). */
static int decode(struct interp *it, guest_addr_t pc, uint8_t *bytes,
                  guest_addr_t *base, size_t *avail, struct interp_insn *out)
{
    size_t off = pc - *base;
    if (off >= *avail || (*avail - off < ZYDIS_MAX_INSTRUCTION_LENGTH &&
                          *avail == FETCH)) {
        *base = pc;
        *avail = it->fetch(it->fetch_ctx, pc, bytes, FETCH);
        off = 0;
    }
    if (off >= *avail)
        return 0;
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&it->dec, bytes + off,
                                             *avail - off, &insn, ops)) ||
        !interp_decoded(&insn, ops, pc, &it->calls, out))
        return -1;
    return 1;
}

/* The chunk at pc, decoded now if this thread has not kept it. */
static const struct chunk *chunk_at(struct interp *it, struct chunk_cache *c,
                                    guest_addr_t pc)
{
    unsigned b = bucket_of(pc);
    for (struct chunk *k = c->bucket[b]; k; k = k->next)
        if (k->pc == pc)
            return k;
    size_t need = sizeof(struct chunk) + CHUNK * sizeof(struct interp_insn);
    if (c->used + need > ARENA_SIZE) {
        cache_clear(c, c->owner, c->epoch);
        b = bucket_of(pc);
    }
    struct chunk *k = (struct chunk *)(c->arena + c->used);
    uint8_t bytes[FETCH];
    guest_addr_t base = 0, p = pc;
    size_t avail = 0;
    unsigned n = 0;
    bool stop = false, refused = false;
    while (n < CHUNK) {
        int d = decode(it, p, bytes, &base, &avail, &k->insn[n]);
        if (d <= 0) {
            refused = d < 0 || n == 0;
            stop = true;
            break;
        }
        p += k->insn[n].length;
        if (k->insn[n++].ends)
            break;
    }
    k->pc = pc;
    k->end = p;
    k->stop = stop;
    k->refused = refused;
    k->n = (uint16_t)n;
    size_t size = sizeof(struct chunk) + n * sizeof(struct interp_insn);
    c->used += (size + 15) & ~(size_t)15;
    k->next = c->bucket[b];
    c->bucket[b] = k;
    return k;
}

int interp_block(struct interp *it, struct cpu_state *s)
{
    uint64_t epoch = it->epoch ? it->epoch(it->fetch_ctx) : 0;
    struct chunk_cache *c = thread_cache(it, epoch);
    if (!c)
        return INTERP_CANNOT;
    guest_addr_t pc = s->eip;
    uint64_t ran = 0;
    int r = CPU_EXIT_JUMP;
    for (unsigned ci = 0; ci < MAX_CHUNKS; ci++) {
        const struct chunk *k = chunk_at(it, c, pc);
        unsigned n = k->n;
        if (k->refused && ci == 0) {
            __atomic_add_fetch(&it->refused, 1, __ATOMIC_RELAXED);
            return INTERP_CANNOT;
        }
        for (unsigned j = 0; j < n; j++) {
            /* (Volatile: the pc a fault in this instruction names.) */
            *(volatile uint32_t *)&s->insn_pc = k->insn[j].pc;
            r = interp_exec(s, &k->insn[j], &it->calls);
            if (r != INTERP_NEXT) {
                ran += j + 1;
                goto out;
            }
        }
        ran += n;
        pc = k->end;
        if (k->stop)
            break;
    }
    s->eip = pc; /* a long block, or one going on at an instruction the
                  * interpreter leaves to the JIT */
    r = CPU_EXIT_JUMP;
out:
    __atomic_add_fetch(&it->blocks, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&it->insns, ran, __ATOMIC_RELAXED);
    return r;
}

void interp_stats_get(struct interp *it, struct interp_stats *out)
{
    out->blocks = __atomic_load_n(&it->blocks, __ATOMIC_RELAXED);
    out->insns = __atomic_load_n(&it->insns, __ATOMIC_RELAXED);
    out->refused = __atomic_load_n(&it->refused, __ATOMIC_RELAXED);
}
