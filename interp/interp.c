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

#define CHUNK INTERP_CHUNK /* instructions decoded before any runs */
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
    uint64_t decoded, reused;        /* chunks (relaxed atomics) */
    /* Decoded chunks across runs (interp_persist_open): the file used
     * (NULL: none) and to be written (path NULL: none). */
    struct interp_saved *saved;
    char *save_path;
    uint64_t save_key;
    uint64_t save_bad;   /* the file was damaged */
    uint64_t fresh;      /* chunks decoded since the start or a fork */
    /* Chunks an arena dropped because guest code changed, for the file
     * (records of struct interp_saved_chunk, its bytes and instructions
     * after it; see retire). */
    pthread_mutex_t retired_mu;
    uint8_t *retired;
    size_t retired_len, retired_cap;
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
    pthread_mutex_init(&it->retired_mu, NULL);
    return it;
}

void interp_destroy(struct interp *it)
{
    if (!it)
        return;
    munmap(it->table, TABLE_BYTES);
    interp_saved_close(it->saved);
    free(it->save_path);
    free(it->retired);
    pthread_mutex_destroy(&it->retired_mu);
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
    bool fresh;         /* decoded in this process (not a saved one) */
    /* Its instructions and the guest bytes [pc, end) they were decoded
     * from: after this header in the arena, or in the file of saved
     * chunks. */
    const struct interp_insn *insn;
    const uint8_t *bytes;
};

/* The most one decoded chunk takes in the arena. */
#define CHUNK_MAX                                                              \
    (sizeof(struct chunk) + CHUNK * sizeof(struct interp_insn) +               \
     CHUNK * ZYDIS_MAX_INSTRUCTION_LENGTH + 16)

struct chunk_cache {
    uint64_t owner; /* interp id */
    uint64_t epoch;
    size_t used;
    size_t populated; /* arena bytes faulted in (cache_populate) */
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

/* An arena is faulted in ARENA_STEP bytes at a time, one call each, as it
 * fills: a cold dynamic `true` decodes into ~800 KiB of it, and its page
 * faults one by one were ~200 of the run's ~950 (perf stat, six rounds of
 * 50 runs: 18.9 -> 17.2 ms); with the chunks saved from an earlier run
 * (interp_persist_open) it takes ~100 KiB, and faulting in a whole MiB up
 * front was 14% of a static program that exits at once. */
#define ARENA_STEP (128u << 10)

static struct chunk_cache *cache_new(void)
{
    void *c = mmap(NULL, sizeof(struct chunk_cache), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        return NULL;
#ifdef MADV_POPULATE_WRITE
    /* (the bucket heads, which cache_clear writes at once) */
    madvise(c, offsetof(struct chunk_cache, arena), MADV_POPULATE_WRITE);
#endif
    return c;
}

/* Fault in the arena up to where the next chunk may end. */
static void cache_populate(struct chunk_cache *c, size_t end)
{
#ifdef MADV_POPULATE_WRITE
    if (end <= c->populated)
        return;
    size_t to = (end + ARENA_STEP - 1) / ARENA_STEP * ARENA_STEP;
    if (to > ARENA_SIZE)
        to = ARENA_SIZE;
    madvise(c->arena + c->populated, to - c->populated,
            MADV_POPULATE_WRITE); /* (older kernels: faulted as used) */
    c->populated = to;
#else
    (void)c;
    (void)end;
#endif
}

/* A chunk the file of saved ones can hold: one that can start a block.
 * One cut short (stop: at an instruction the executor does not take, or
 * at a pc it could not fetch) is saved as one that is not: a later run
 * that takes it goes on to the chunk at its end, which that run decodes
 * and finds refused, and so leaves the block at the same pc. */
static bool saveable(const struct chunk *k)
{
    return !k->refused && k->n > 0;
}

/* Keep the arena's fresh chunks for the file before it is emptied (full,
 * or guest code may have changed: a dynamic program's start does so once),
 * up to RETIRED_MAX bytes in all: they are what their bytes decode to,
 * which a later run checks again. */
#define RETIRED_MAX (4u << 20)

/* A dropped chunk in it->retired: this, then its record. */
struct retired {
    guest_addr_t pc;
    uint16_t n, nbytes;
};

static void retire(struct interp *it, struct chunk_cache *c)
{
    if (!it->save_path || c->owner != it->id)
        return;
    pthread_mutex_lock(&it->retired_mu);
    for (size_t b = 0; b < BUCKETS; b++)
        for (const struct chunk *k = c->bucket[b]; k; k = k->next) {
            if (!k->fresh || !saveable(k))
                continue;
            struct retired h = {k->pc, k->n, (uint16_t)(k->end - k->pc)};
            size_t need = sizeof(h) + interp_record_size(h.n, h.nbytes);
            if (it->retired_len + need > RETIRED_MAX)
                goto out;
            if (it->retired_len + need > it->retired_cap) {
                size_t cap = it->retired_cap ? it->retired_cap * 2 : 1u << 18;
                while (cap < it->retired_len + need)
                    cap *= 2;
                uint8_t *r = realloc(it->retired, cap);
                if (!r)
                    goto out;
                it->retired = r;
                it->retired_cap = cap;
            }
            uint8_t *p = it->retired + it->retired_len;
            memcpy(p, &h, sizeof(h));
            interp_record_put(p + sizeof(h),
                              &(struct interp_saved_chunk){
                                  h.pc, h.n, h.nbytes, k->bytes, k->insn});
            it->retired_len += need;
        }
out:
    pthread_mutex_unlock(&it->retired_mu);
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
        retire(it, c);
        cache_clear(c, it->id, epoch);
    }
    return c;
}

static unsigned bucket_of(guest_addr_t pc)
{
    return (pc * 0x9e3779b1u) >> (32 - 12);
}

/* Decode the instruction at pc from the fetched bytes (refetched when
 * fewer than an instruction's worth are left) and copy its bytes to raw:
 * 1, or 0 when pc cannot be fetched at all, -1 when its bytes are no
 * instruction the executor takes (or are cut short by an unfetchable
 * page). */
static int decode(struct interp *it, guest_addr_t pc, uint8_t *bytes,
                  guest_addr_t *base, size_t *avail, struct interp_insn *out,
                  uint8_t *raw)
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
    memcpy(raw, bytes + off, insn.length);
    return 1;
}

/* The chunk at pc, from the file of saved ones or decoded now, if this
 * thread has not kept it. */
static const struct chunk *chunk_at(struct interp *it, struct chunk_cache *c,
                                    guest_addr_t pc)
{
    unsigned b = bucket_of(pc);
    for (struct chunk *k = c->bucket[b]; k; k = k->next)
        if (k->pc == pc)
            return k;
    if (c->used + CHUNK_MAX > ARENA_SIZE) {
        retire(it, c);
        cache_clear(c, c->owner, c->epoch);
        b = bucket_of(pc);
    }
    cache_populate(c, c->used + CHUNK_MAX);
    struct chunk *k = (struct chunk *)(c->arena + c->used);
    size_t size = sizeof(struct chunk);
    struct interp_saved_chunk sc;
    if (it->saved &&
        interp_saved_find(it->saved, pc, it->fetch, it->fetch_ctx, &sc)) {
        *k = (struct chunk){.pc = pc, .end = pc + sc.nbytes, .n = sc.n,
                            .insn = sc.insn, .bytes = sc.bytes};
        __atomic_add_fetch(&it->reused, 1, __ATOMIC_RELAXED);
    } else {
        struct interp_insn *insn = (struct interp_insn *)(k + 1);
        uint8_t *raw = (uint8_t *)(insn + CHUNK);
        uint8_t bytes[FETCH];
        guest_addr_t base = 0, p = pc;
        size_t avail = 0;
        unsigned n = 0;
        bool stop = false, refused = false;
        while (n < CHUNK) {
            int d = decode(it, p, bytes, &base, &avail, &insn[n],
                           raw + (p - pc));
            if (d <= 0) {
                refused = d < 0 || n == 0;
                stop = true;
                break;
            }
            p += insn[n].length;
            if (insn[n++].ends)
                break;
        }
        /* (the bytes after the instructions decoded) */
        memmove(insn + n, raw, p - pc);
        *k = (struct chunk){.pc = pc, .end = p, .n = (uint16_t)n,
                            .stop = stop, .refused = refused, .fresh = true,
                            .insn = insn, .bytes = (uint8_t *)(insn + n)};
        size += n * sizeof(struct interp_insn) + (p - pc);
        __atomic_add_fetch(&it->decoded, 1, __ATOMIC_RELAXED);
        if (saveable(k))
            __atomic_add_fetch(&it->fresh, 1, __ATOMIC_RELAXED);
    }
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
        unsigned done;
        r = interp_run(s, k->insn, n, &it->calls, &done);
        ran += done;
        if (r != INTERP_NEXT)
            goto out;
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
    out->decoded = __atomic_load_n(&it->decoded, __ATOMIC_RELAXED);
    out->reused = __atomic_load_n(&it->reused, __ATOMIC_RELAXED);
    out->damaged = it->save_bad + interp_saved_damaged(it->saved);
}

/* ---- decoded chunks across runs (saved.c has the file) ---- */

void interp_persist_open(struct interp *it, const char *path, uint64_t key)
{
    if (it->save_path || !(it->save_path = strdup(path)))
        return;
    it->save_key = key;
    bool bad;
    it->saved = interp_saved_open(path, key, &bad);
    it->save_bad = bad;
}

void interp_forked(struct interp *it)
{
    __atomic_store_n(&it->fresh, 0, __ATOMIC_RELAXED);
    /* The child's only thread: another of the parent's may have been in
     * retire, its lock held, its buffer being moved -- start afresh (the
     * parent's buffer is left to the parent). */
    pthread_mutex_init(&it->retired_mu, NULL);
    it->retired = NULL;
    it->retired_len = it->retired_cap = 0;
}

/* Chunks to write: the file is written when this many were decoded, and
 * at least one for every FRESH_SHARE taken from it (a run that decodes a
 * few blocks of its own -- code it made, a path it rarely takes -- leaves
 * the file as it is). */
#define FRESH_MIN 32
#define FRESH_SHARE 8
/* ... and at most this many go in, this run's first: the file's others
 * only while the file stays under SAVED_BYTES (a program whose libraries
 * changed keeps the old ones' chunks, one of each (pc, bytes), until then;
 * a dynamic `true`'s file is 0.9 MB). */
#define SAVED_MAX 65536
#define SAVED_BYTES (16u << 20)

static size_t chunk_bytes(const struct interp_saved_chunk *v)
{
    return interp_record_size(v->n, v->nbytes);
}

static int by_pc_bytes(const void *a, const void *b)
{
    const struct interp_saved_chunk *x = a, *y = b;
    if (x->pc != y->pc)
        return x->pc < y->pc ? -1 : 1;
    if (x->nbytes != y->nbytes)
        return x->nbytes < y->nbytes ? -1 : 1;
    return memcmp(x->bytes, y->bytes, x->nbytes);
}

int interp_persist(struct interp *it)
{
    uint64_t fresh = __atomic_exchange_n(&it->fresh, 0, __ATOMIC_RELAXED);
    uint64_t damaged = it->save_bad + interp_saved_damaged(it->saved);
    if (!it->save_path ||
        (!damaged && (fresh < FRESH_MIN ||
                      fresh * FRESH_SHARE <
                          __atomic_load_n(&it->reused, __ATOMIC_RELAXED))))
        return 0;
    struct interp_saved_chunk *v = malloc(SAVED_MAX * sizeof(*v));
    if (!v)
        return -1;
    size_t n = 0;
    struct chunk_cache *c = tcache;
    for (size_t b = 0; c && c->owner == it->id && b < BUCKETS; b++)
        for (const struct chunk *k = c->bucket[b]; k && n < SAVED_MAX;
             k = k->next)
            if (saveable(k))
                v[n++] = (struct interp_saved_chunk){
                    k->pc, k->n, (uint16_t)(k->end - k->pc), k->bytes,
                    k->insn};
    pthread_mutex_lock(&it->retired_mu);
    for (size_t off = 0; off < it->retired_len && n < SAVED_MAX; n++) {
        struct retired h;
        memcpy(&h, it->retired + off, sizeof(h));
        off += sizeof(h);
        v[n] = interp_record_view(h.pc, h.n, h.nbytes, it->retired + off);
        off += interp_record_size(h.n, h.nbytes);
    }
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += chunk_bytes(&v[i]);
    size_t old = interp_saved_chunks(it->saved, v + n, SAVED_MAX - n);
    for (size_t i = 0; i < old && bytes + chunk_bytes(&v[n]) <= SAVED_BYTES;
         i++)
        bytes += chunk_bytes(&v[n++]);
    /* One of each (pc, bytes): equal bytes at a pc decode alike. */
    qsort(v, n, sizeof(*v), by_pc_bytes);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || by_pc_bytes(&v[m - 1], &v[i]) != 0)
            v[m++] = v[i];
    int rc = interp_saved_write(it->save_path, it->save_key, v, m);
    pthread_mutex_unlock(&it->retired_mu);
    free(v);
    return rc < 0 ? -1 : (int)m;
}
