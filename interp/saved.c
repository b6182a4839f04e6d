/* Decoded chunks across runs: the file an earlier run of the same program
 * left (interp.h, interp_save_to).
 *
 * The file, in the host's byte order:
 *   header  struct saved_header: magic, version, the size of a decoded
 *           instruction (the layout's check), the key the runtime named
 *           the file by, the chunk count, the index's hash, the length
 *   index   struct saved_index per chunk, sorted by pc: where its record
 *           is, its guest byte and instruction counts, its record's hash
 *   records the chunk's guest bytes (padded to 8), then its decoded
 *           instructions
 * A run maps the file and checks the header and the index at once, and a
 * record when it first uses it (its hash): a damaged file or record is
 * ignored (the file is written again at the end of the run).  A record is
 * used only where guest memory holds its very bytes at its pc, so a
 * changed program or library, or another one at the same address, costs a
 * decode, never a wrong instruction.  Writers write a temporary file and
 * rename it into place, so readers never see half a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interp_internal.h"
#include "r386/hash.h"
#include "r386/io.h"

#define SAVED_MAGIC "R386IDB\1"
#define SAVED_VERSION 2u /* 2: interp_insn.form */

struct saved_header {
    char magic[8];
    uint32_t version;
    uint32_t insn_size; /* sizeof(struct interp_insn) */
    uint64_t key;
    uint32_t nchunks;
    uint32_t pad;
    uint64_t index_hash; /* r386_hash of the index */
    uint64_t len;        /* of the whole file */
};

struct saved_index {
    guest_addr_t pc;
    uint16_t n;      /* instructions */
    uint16_t nbytes; /* guest bytes, [pc, pc + nbytes) */
    uint32_t offset; /* of its record, from the file's start */
    uint32_t pad;
    uint64_t hash;   /* r386_hash of its record */
};

enum { REC_UNCHECKED, REC_SOUND, REC_DAMAGED };

struct interp_saved {
    const uint8_t *base;
    size_t len;
    const struct saved_index *index;
    uint32_t nchunks;
    uint8_t *state; /* per chunk, REC_* (relaxed atomics: any thread) */
    uint64_t damaged;
};

static bool index_ok(const struct interp_saved *s)
{
    size_t first = sizeof(struct saved_header) +
                   (size_t)s->nchunks * sizeof(struct saved_index);
    for (uint32_t i = 0; i < s->nchunks; i++) {
        const struct saved_index *x = &s->index[i];
        if (x->n == 0 || x->n > INTERP_CHUNK || x->nbytes < x->n ||
            x->nbytes > x->n * 15u || x->offset % 8 || x->offset < first ||
            x->offset > s->len ||
            s->len - x->offset < interp_record_size(x->n, x->nbytes) ||
            (i && x->pc < s->index[i - 1].pc))
            return false;
    }
    return true;
}

struct interp_saved *interp_saved_open(const char *path, uint64_t key,
                                       bool *bad)
{
    *bad = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    struct interp_saved *s = NULL;
    void *m = MAP_FAILED;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(struct saved_header))
        goto bad;
    m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        goto bad;
    s = calloc(1, sizeof(*s));
    if (!s)
        goto out; /* (out of memory: nothing wrong with the file) */
    const struct saved_header *h = m;
    s->base = m;
    s->len = (size_t)st.st_size;
    s->nchunks = h->nchunks;
    s->index = (const struct saved_index *)(h + 1);
    if (memcmp(h->magic, SAVED_MAGIC, 8) != 0 ||
        h->version != SAVED_VERSION ||
        h->insn_size != sizeof(struct interp_insn) || h->key != key ||
        h->len != s->len ||
        (s->len - sizeof(*h)) / sizeof(struct saved_index) < h->nchunks ||
        r386_hash(s->index, (size_t)h->nchunks * sizeof(struct saved_index),
                  key) != h->index_hash ||
        !index_ok(s))
        goto bad;
    s->state = calloc(s->nchunks ? s->nchunks : 1, 1);
    if (!s->state)
        goto out;
    futimens(fd, NULL); /* used now: the cache directory's eviction order */
    close(fd);
    return s;
bad:
    *bad = true;
    unlink(path); /* (rewritten at the end of the run) */
out:
    free(s);
    if (m != MAP_FAILED)
        munmap(m, (size_t)st.st_size);
    close(fd);
    return NULL;
}

void interp_saved_close(struct interp_saved *s)
{
    if (!s)
        return;
    munmap((void *)s->base, s->len);
    free(s->state);
    free(s);
}

uint64_t interp_saved_damaged(const struct interp_saved *s)
{
    return s ? __atomic_load_n(&s->damaged, __ATOMIC_RELAXED) : 0;
}

/* Chunk i's record, its hash checked the first time. */
static bool record_sound(struct interp_saved *s, uint32_t i)
{
    uint8_t st = __atomic_load_n(&s->state[i], __ATOMIC_RELAXED);
    if (st == REC_UNCHECKED) {
        const struct saved_index *x = &s->index[i];
        bool ok = r386_hash(s->base + x->offset, interp_record_size(x->n, x->nbytes),
                            x->pc) == x->hash;
        st = ok ? REC_SOUND : REC_DAMAGED;
        if (__atomic_exchange_n(&s->state[i], st, __ATOMIC_RELAXED) ==
                REC_UNCHECKED &&
            !ok)
            __atomic_add_fetch(&s->damaged, 1, __ATOMIC_RELAXED);
    }
    return st == REC_SOUND;
}

static struct interp_saved_chunk view(const struct interp_saved *s,
                                      uint32_t i)
{
    const struct saved_index *x = &s->index[i];
    return interp_record_view(x->pc, x->n, x->nbytes, s->base + x->offset);
}

bool interp_saved_find(struct interp_saved *s, guest_addr_t pc,
                       interp_fetch_fn fetch, void *ctx,
                       struct interp_saved_chunk *out)
{
    uint32_t lo = 0, hi = s->nchunks; /* the first index entry >= pc */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->index[mid].pc < pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t want = 0;
    for (uint32_t i = lo; i < s->nchunks && s->index[i].pc == pc; i++)
        if (s->index[i].nbytes > want)
            want = s->index[i].nbytes;
    if (!want)
        return false;
    uint8_t bytes[INTERP_CHUNK * 15];
    size_t avail = fetch(ctx, pc, bytes, want);
    for (uint32_t i = lo; i < s->nchunks && s->index[i].pc == pc; i++) {
        struct interp_saved_chunk c = view(s, i);
        if (c.nbytes <= avail && memcmp(c.bytes, bytes, c.nbytes) == 0 &&
            record_sound(s, i)) {
            *out = c;
            return true;
        }
    }
    return false;
}

size_t interp_saved_chunks(struct interp_saved *s,
                           struct interp_saved_chunk *out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; s && i < s->nchunks && n < max; i++)
        if (record_sound(s, i))
            out[n++] = view(s, i);
    return n;
}

int interp_saved_write(const char *path, uint64_t key,
                       const struct interp_saved_chunk *c, size_t n)
{
    size_t len = sizeof(struct saved_header) + n * sizeof(struct saved_index);
    for (size_t i = 0; i < n; i++)
        len += interp_record_size(c[i].n, c[i].nbytes);
    if (len > UINT32_MAX)
        return -1;
    uint8_t *buf = calloc(1, len);
    if (!buf)
        return -1;
    struct saved_header *h = (struct saved_header *)buf;
    struct saved_index *x = (struct saved_index *)(h + 1);
    size_t off = sizeof(*h) + n * sizeof(*x);
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = buf + off;
        interp_record_put(r, &c[i]);
        size_t size = interp_record_size(c[i].n, c[i].nbytes);
        x[i] = (struct saved_index){c[i].pc, c[i].n, c[i].nbytes,
                                    (uint32_t)off, 0,
                                    r386_hash(r, size, c[i].pc)};
        off += size;
    }
    memcpy(h->magic, SAVED_MAGIC, 8);
    h->version = SAVED_VERSION;
    h->insn_size = sizeof(struct interp_insn);
    h->key = key;
    h->nchunks = (uint32_t)n;
    h->index_hash = r386_hash(x, n * sizeof(*x), key);
    h->len = len;
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && r386_transfer_all(fd, buf, len, true);
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok && fd >= 0)
        unlink(tmp);
    free(buf);
    return ok ? 0 : -1;
}
