/* The persistent cache on disk (pcache.h): reading and checking cache
 * files, writing them atomically, the size limit, and the directory
 * commands (--cache-stats, --cache-clear).
 *
 * Guest signals are caught by host handlers installed without SA_RESTART,
 * so every system call here retries on EINTR. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcache.h"
#include "r386/io.h"

#define PCACHE_MAGIC "R386PCF\n"
#define PCACHE_VERSION 10

/* ---- records ---- */

static size_t record_size(uint32_t nunits, uint32_t ncells, uint32_t objlen)
{
    return pcache_align(sizeof(struct pc_rec) +
                        nunits * sizeof(struct pcache_unit) + ncells * 4u) +
           pcache_align(objlen);
}

uint8_t *pcache_record_new(const char *table, const struct pcache_unit *u,
                           uint32_t nunits, const guest_addr_t *cells,
                           uint32_t ncells, const void *obj, uint32_t objlen,
                           unsigned kind)
{
    size_t size = record_size(nunits, ncells, objlen);
    if (size > UINT32_MAX)
        return NULL;
    uint8_t *p = calloc(1, size);
    if (!p)
        return NULL;
    struct pc_rec *r = (struct pc_rec *)p;
    r->size = (uint32_t)size;
    r->nunits = nunits;
    r->ncells = ncells;
    r->objlen = objlen;
    r->optimised = kind;
    snprintf(r->table, sizeof(r->table), "%s", table);
    memcpy((void *)pcache_units(r), u, nunits * sizeof(*u));
    memcpy((void *)pcache_cells(r), cells, ncells * sizeof(*cells));
    memcpy((void *)pcache_object(r), obj, objlen);
    return p;
}

static bool name_ok(const char *s)
{
    return memchr(s, '\0', JIT_NAME_MAX) != NULL && s[0] != '\0';
}

/* Is the record at p (with left bytes after it) well formed? */
static bool record_ok(const uint8_t *p, size_t left)
{
    if (left < sizeof(struct pc_rec))
        return false;
    const struct pc_rec *r = (const struct pc_rec *)p;
    if (r->size > left || r->size % PCACHE_ALIGN || r->nunits == 0 ||
        r->optimised > JIT_CODE_HOT || r->nunits > 4096 ||
        r->ncells > (1u << 20) ||
        r->size != record_size(r->nunits, r->ncells, r->objlen) ||
        r->xip > 1)
        return false;
    if (r->ncells && !name_ok(r->table))
        return false;
    const struct pcache_unit *u = pcache_units(r);
    uint64_t obj = (uint64_t)(pcache_object(r) - p);
    if (r->xip &&
        ((uint64_t)r->data_off + r->data_len > PCACHE_WINDOW ||
         r->table_off < r->data_off ||
         (uint64_t)r->table_off + r->ncells * 8ull >
             (uint64_t)r->data_off + r->data_len))
        return false;
    for (uint32_t i = 0; r->xip && i < r->nunits; i++)
        if (u[i].entry < obj || u[i].entry >= obj + r->objlen)
            return false;
    for (uint32_t i = 0; i < r->nunits; i++)
        if (!name_ok(u[i].name) || u[i].code_len == 0 ||
            (uint64_t)u[i].code_lo + u[i].code_len > GUEST_SPACE_SIZE ||
            u[i].nranges == 0 || u[i].nranges > LIFTER_MAX_RANGES ||
            u[i].nsucc > LIFTER_MAX_SUCC || u[i].npred > LIFTER_MAX_PRED)
            return false;
    for (uint32_t i = 0; i < r->nunits; i++)
        for (uint32_t k = 0; k < u[i].nranges; k++)
            if (u[i].ranges[k].len == 0 || u[i].ranges[k].len > (1u << 24) ||
                (uint64_t)u[i].ranges[k].lo + u[i].ranges[k].len >
                    GUEST_SPACE_SIZE)
                return false;
    return true;
}

/* ---- files ---- */

/* The main file of key, or its segment tag (tag 0: the main file). */
static void file_path(char *buf, size_t len, const char *dir, uint64_t key,
                      uint32_t tag)
{
    if (tag)
        snprintf(buf, len, "%s/%016llx.%08x" PCACHE_SUFFIX, dir,
                 (unsigned long long)key, tag);
    else
        snprintf(buf, len, "%s/%016llx" PCACHE_SUFFIX, dir,
                 (unsigned long long)key);
}

/* Does name (a directory entry) name a segment file?  Its key and tag. */
static bool segment_name(const char *name, uint64_t *key, uint32_t *tag)
{
    unsigned long long k;
    unsigned t;
    int end = 0;
    if (strlen(name) != 16 + 1 + 8 + strlen(PCACHE_SUFFIX) ||
        sscanf(name, "%16llx.%8x%n", &k, &t, &end) != 2 || end != 25 ||
        strcmp(name + end, PCACHE_SUFFIX) != 0 || t == 0)
        return false;
    *key = k;
    *tag = t;
    return true;
}

static int open_retry(const char *path, int flags, mode_t mode)
{
    int fd;
    do
        fd = open(path, flags | O_CLOEXEC, mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

static bool read_all(int fd, void *buf, size_t len)
{
    return r386_transfer_all(fd, buf, len, false);
}

static bool write_all(int fd, const void *buf, size_t len)
{
    return r386_transfer_all(fd, (void *)buf, len, true);
}

/* Is the mapped file's header and index sound? */
static bool image_ok(struct pcache_image *img, uint64_t key, uint64_t build)
{
    const struct pc_header *h = (const struct pc_header *)img->base;
    if (img->len < sizeof(*h) || memcmp(h->magic, PCACHE_MAGIC, 8) != 0 ||
        h->version != PCACHE_VERSION || h->key != key || h->build != build)
        return false;
    uint64_t need = (uint64_t)h->nrecs * sizeof(struct pc_recdesc) +
                    (uint64_t)h->nunits * sizeof(struct pc_unitdesc);
    if (h->index_len != need || h->index_off < sizeof(*h) ||
        h->index_off % 8 || h->index_off > img->len ||
        need > img->len - h->index_off || h->data_len > PCACHE_WINDOW ||
        jit_hash(img->base + h->index_off, need, key) != h->index_hash)
        return false;
    img->h = h;
    img->recs = (const struct pc_recdesc *)(img->base + h->index_off);
    img->units = (const struct pc_unitdesc *)(img->recs + h->nrecs);
    for (uint32_t i = 0; i < h->nrecs; i++) {
        const struct pc_recdesc *d = &img->recs[i];
        if (d->offset < sizeof(*h) || d->offset % PCACHE_ALIGN ||
            d->size > h->index_off || d->offset > h->index_off - d->size ||
            d->optimised > JIT_CODE_HOT)
            return false;
    }
    for (uint32_t i = 0; i < h->nunits; i++)
        if (img->units[i].rec >= h->nrecs)
            return false;
    return true;
}

/* Map fd's len bytes to run in place: the window and the import table
 * (nimports entries) below the file, all in one reservation.  The file
 * mapping, or MAP_FAILED (then it is only read). */
static void *map_in_place(int fd, size_t len, const uint64_t *imports,
                          size_t nimports, uint8_t **window)
{
    size_t below = (size_t)PCACHE_WINDOW + PCACHE_IMPORTS;
    if (nimports > PCACHE_IMPORTS / 16)
        return MAP_FAILED;
    uint8_t *res = mmap(NULL, below + len, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (res == MAP_FAILED)
        return MAP_FAILED;
    uint8_t *imp = res + PCACHE_WINDOW;
    bool ok = mprotect(res, below, PROT_READ | PROT_WRITE) == 0;
    for (size_t k = 0; ok && k < nimports; k++) {
        /* jmp *2(%rip): through the slot that is the entry's second half */
        static const uint8_t jmp[8] = {0xff, 0x25, 2, 0, 0, 0, 0xcc, 0xcc};
        memcpy(imp + 16 * k, jmp, 8);
        memcpy(imp + 16 * k + 8, &imports[k], 8);
    }
    ok = ok && mprotect(imp, PCACHE_IMPORTS, PROT_READ | PROT_EXEC) == 0 &&
         mmap(res + below, len, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED,
              fd, 0) != MAP_FAILED;
    if (!ok) {
        munmap(res, below + len);
        return MAP_FAILED;
    }
    *window = res;
    return res + below;
}

static int open_image(const char *path, uint64_t key, uint64_t build,
                      struct pcache_image *img, int *bad, bool touch,
                      const uint64_t *imports, size_t nimports)
{
    memset(img, 0, sizeof(*img));
    img->fd = -1;
    *bad = 0;
    int fd = open_retry(path, O_RDONLY, 0);
    if (fd < 0)
        return -1;
    struct stat st;
    void *p = MAP_FAILED;
    bool some = fstat(fd, &st) == 0 && st.st_size > 0;
    if (some && imports)
        p = map_in_place(fd, (size_t)st.st_size, imports, nimports,
                         &img->window);
    if (some && p == MAP_FAILED)
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED && touch)
        futimens(fd, NULL); /* used now: the eviction order */
    if (p == MAP_FAILED) {
        close(fd);
        *bad = 1; /* empty or unreadable */
        return -1;
    }
    img->fd = fd;
    img->base = p;
    img->len = (size_t)st.st_size;
    if (!image_ok(img, key, build)) {
        pcache_close(img);
        *bad = 1;
        return -1;
    }
    return 0;
}

int pcache_open(const char *dir, uint64_t key, uint32_t tag, uint64_t build,
                struct pcache_image *img, int *bad, bool touch,
                const uint64_t *imports, size_t nimports)
{
    char path[4096];
    file_path(path, sizeof(path), dir, key, tag);
    int rc = open_image(path, key, build, img, bad, touch, imports, nimports);
    if (*bad)
        unlink(path); /* damaged or foreign: rebuilt by this run */
    return rc;
}

void pcache_close(struct pcache_image *img)
{
    if (img->window) /* (code of it may have run: only at the end) */
        munmap(img->window,
               (size_t)PCACHE_WINDOW + PCACHE_IMPORTS + img->len);
    else if (img->base)
        munmap(img->base, img->len);
    if (img->fd >= 0)
        close(img->fd);
    memset(img, 0, sizeof(*img));
    img->fd = -1;
}

bool pcache_record_sound(const struct pcache_image *img, uint32_t i)
{
    const struct pc_recdesc *d = &img->recs[i];
    return jit_hash(img->base + d->offset, d->size, img->h->key) == d->hash;
}

const struct pc_rec *pcache_record(const struct pcache_image *img,
                                   uint32_t i, bool sound)
{
    const struct pc_recdesc *d = &img->recs[i];
    const uint8_t *p = img->base + d->offset;
    if (!(sound || pcache_record_sound(img, i)) || !record_ok(p, d->size) ||
        ((const struct pc_rec *)p)->size != d->size)
        return NULL;
    return (const struct pc_rec *)p;
}

/* A unit as the merge compares them: translations of the same bytes by
 * different tiers are not duplicates. */
static uint64_t unit_key(guest_addr_t pc, uint64_t hash, uint32_t optimised)
{
    return (hash ^ ((uint64_t)pc << 32)) +
           optimised * 0x9e3779b97f4a7c15ULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Does the sorted set hold every unit of r? */
static bool in_set(const uint64_t *set, size_t n, const struct pc_rec *r)
{
    for (uint32_t i = 0; i < r->nunits; i++) {
        const struct pcache_unit *u = &pcache_units(r)[i];
        uint64_t k = unit_key(u->pc, u->hash, r->optimised);
        if (!n || !bsearch(&k, set, n, sizeof(*set), cmp_u64))
            return false;
    }
    return true;
}

static void warn_once(const char *what, const char *path)
{
    static int warned;
    if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
        fprintf(stderr, "r386: warning: cannot %s %s: %s; translations of "
                        "this run are not cached\n", what, path,
                strerror(errno));
}

/* Copy len bytes at off of in to the end of out, in the kernel when it
 * can (copy_file_range), else from the mapping at src. */
static bool copy_range(int in, uint64_t off, int out, const uint8_t *src,
                       uint64_t len)
{
    loff_t o = (loff_t)off;
    while (len) {
        ssize_t n = copy_file_range(in, &o, out, NULL, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? false : write_all(out, src + (o - (loff_t)off),
                                              len);
        len -= (uint64_t)n;
    }
    return true;
}

/* The order a run's index wants (pcache.c, cmp_index): by pc, then the
 * optimised records', then the newest. */
static int cmp_unitdesc(const void *a, const void *b, void *ctx)
{
    const struct pc_unitdesc *x = a, *y = b;
    const struct pc_recdesc *rd = ctx;
    if (x->pc != y->pc)
        return x->pc < y->pc ? -1 : 1;
    if (rd[x->rec].optimised != rd[y->rec].optimised)
        return rd[x->rec].optimised > rd[y->rec].optimised ? -1 : 1;
    return x->rec < y->rec ? 1 : x->rec > y->rec ? -1 : 0;
}

/* Write the merged file to fd: a header, old's records where they are
 * (their objects are linked for that place), the new records after them
 * (each linked by lk for its own), then the index.  drop (NULL: none):
 * old records found damaged, whose units leave the index -- their bytes
 * stay, unreachable, so the old records are still one block to copy. */
static bool write_merged(int fd, uint64_t key, uint64_t build,
                         const struct pcache_image *old, const bool *drop,
                         const struct pc_rec *const *recs, size_t nrecs,
                         const struct pcache_linker *lk)
{
    uint32_t orecs = old ? old->h->nrecs : 0, ounits = 0;
    for (uint32_t i = 0; old && i < old->h->nunits; i++)
        ounits += !(drop && drop[old->units[i].rec]);
    uint64_t nunits = ounits;
    for (size_t i = 0; i < nrecs; i++)
        nunits += recs[i]->nunits;
    size_t total = orecs + nrecs;
    if (total > UINT32_MAX || nunits > UINT32_MAX)
        return false;
    size_t ilen = total * sizeof(struct pc_recdesc) +
                  nunits * sizeof(struct pc_unitdesc);
    uint8_t *index = malloc(ilen ? ilen : 1);
    if (!index)
        return false;
    struct pc_recdesc *rd = (struct pc_recdesc *)index;
    struct pc_unitdesc *ud = (struct pc_unitdesc *)(rd + total);
    uint64_t data = sizeof(struct pc_header);
    uint64_t olen = old ? old->h->index_off - data : 0; /* old records */
    uint32_t data_len = old ? old->h->data_len : 0;
    for (uint32_t i = 0; i < orecs; i++)
        rd[i] = old->recs[i];
    size_t k = 0;
    for (uint32_t i = 0; old && i < old->h->nunits; i++)
        if (!(drop && drop[old->units[i].rec]))
            ud[k++] = old->units[i];
    struct pc_header h = {.version = PCACHE_VERSION};
    bool ok = write_all(fd, &h, sizeof(h)) &&
              (!olen ||
               copy_range(old->fd, data, fd, old->base + data, olen));
    uint64_t off = data + olen;
    for (size_t i = 0; ok && i < nrecs; i++) {
        struct pc_rec *r = malloc(recs[i]->size);
        if (!(ok = r != NULL))
            break;
        memcpy(r, recs[i], recs[i]->size);
        r->xip = 0;
        if (lk && !lk->prelink(lk->ctx, r, off, &data_len)) {
            memcpy(r, recs[i], recs[i]->size); /* (not half linked) */
            r->xip = 0;
        }
        rd[orecs + i] = (struct pc_recdesc){off, r->size, r->optimised,
                                            jit_hash(r, r->size, key)};
        ok = write_all(fd, r, r->size);
        off += r->size;
        for (uint32_t u = 0; u < r->nunits; u++)
            ud[k++] = (struct pc_unitdesc){pcache_units(r)[u].pc,
                                           (uint32_t)(orecs + i),
                                           pcache_units(r)[u].hash};
        free(r);
    }
    /* The units in the order a run's index wants them: a run then sorts
     * nothing (an --aot'd libc: 63,000 units, ~2 ms of every start). */
    qsort_r(ud, k, sizeof(*ud), cmp_unitdesc, rd);
    h = (struct pc_header){.version = PCACHE_VERSION, .nrecs = (uint32_t)total,
                           .key = key, .build = build,
                           .nunits = (uint32_t)nunits, .data_len = data_len,
                           .index_off = off, .index_len = ilen,
                           .index_hash = jit_hash(index, ilen, key)};
    memcpy(h.magic, PCACHE_MAGIC, 8);
    ok = ok && write_all(fd, index, ilen);
    while (ok) { /* the header last: it says where the index is */
        ssize_t n = pwrite(fd, &h, sizeof(h), 0);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n == (ssize_t)sizeof(h);
        break;
    }
    free(index);
    return ok;
}

/* The units of the images (those of img[0]'s records marked in drop0
 * left out) as a sorted set of unit_key()s in *set; false when out of
 * memory. */
static bool held_units(const struct pcache_image *const *img, size_t nimg,
                       const bool *drop0, uint64_t **set, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < nimg; i++)
        total += img[i]->h->nunits;
    uint64_t *v = malloc((total ? total : 1) * sizeof(*v));
    if (!v)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < nimg; i++)
        for (uint32_t u = 0; u < img[i]->h->nunits; u++) {
            const struct pc_unitdesc *d = &img[i]->units[u];
            if (!(i == 0 && drop0 && drop0[d->rec]))
                v[k++] = unit_key(d->pc, d->hash,
                                  img[i]->recs[d->rec].optimised);
        }
    qsort(v, k, sizeof(*v), cmp_u64);
    *set = v;
    *n = k;
    return true;
}

/* Write a new file at path (through a temporary one and a rename): old's
 * records but those in drop (old NULL: none), then recs.  0, or -1 after
 * one warning. */
static int write_file(const char *path, uint64_t key, uint64_t build,
                      const struct pcache_image *old, const bool *drop,
                      const struct pc_rec *const *recs, size_t nrecs,
                      const struct pcache_linker *lk)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    int fd = open_retry(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        warn_once("write the cache file", tmp);
        return -1;
    }
    bool ok = write_merged(fd, key, build, old, drop, recs, nrecs, lk);
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) == 0)
        return 0;
    warn_once("write the cache file", tmp);
    unlink(tmp);
    return -1;
}

int pcache_write_file(const char *dir, uint64_t key, uint64_t build,
                      const struct pcache_image *seen, const bool *bad,
                      const uint8_t *const *recs, size_t nrecs,
                      size_t nfresh, const struct pcache_linker *lk,
                      size_t *stored)
{
    char path[4096];
    file_path(path, sizeof(path), dir, key, 0);
    *stored = 0;
    struct pcache_image old;
    int damaged;
    bool have_old = open_image(path, key, build, &old, &damaged, false,
                               NULL, 0) == 0;
    const struct pcache_image *oldp = &old;
    uint64_t *have = NULL;
    size_t nhave = 0, n = 0;
    const struct pc_rec **add = malloc((nrecs ? nrecs : 1) * sizeof(*add));
    bool same = have_old && seen && seen->base && bad &&
                seen->h->index_hash == old.h->index_hash &&
                seen->h->nrecs == old.h->nrecs;
    int rc = -1;
    if (!add || !held_units(&oldp, have_old, same ? bad : NULL, &have, &nhave))
        goto out;
    for (size_t i = 0; i < nrecs; i++) {
        const struct pc_rec *r = (const struct pc_rec *)recs[i];
        if (!in_set(have, nhave, r)) {
            add[n++] = r;
            if (i < nfresh)
                *stored += r->nunits;
        }
    }
    bool dropping = false; /* a damaged record to take out of the index */
    for (size_t i = 0; same && i < old.h->nrecs; i++)
        dropping |= bad[i];
    if (n == 0 && !dropping)
        rc = 0;
    else
        rc = write_file(path, key, build, have_old ? &old : NULL,
                        same ? bad : NULL, add, n, lk);
out:
    if (rc != 0)
        *stored = 0;
    free(have);
    free(add);
    if (have_old)
        pcache_close(&old);
    return rc;
}

int pcache_write_segment(const char *dir, uint64_t key, uint64_t build,
                         const struct pcache_image *const *held, size_t nheld,
                         const uint8_t *const *recs, size_t nrecs,
                         const struct pcache_linker *lk, size_t *stored)
{
    *stored = 0;
    uint64_t *have = NULL;
    size_t nhave = 0, n = 0;
    const struct pc_rec **add = malloc((nrecs ? nrecs : 1) * sizeof(*add));
    int rc = -1;
    if (!add || !held_units(held, nheld, NULL, &have, &nhave))
        goto out;
    for (size_t i = 0; i < nrecs; i++) {
        const struct pc_rec *r = (const struct pc_rec *)recs[i];
        if (!in_set(have, nhave, r)) {
            add[n++] = r;
            *stored += r->nunits;
        }
    }
    uint32_t tag = 0;
    while (tag == 0 && n)
        if (getrandom(&tag, sizeof(tag), 0) != sizeof(tag))
            tag = (uint32_t)getpid() * 2654435761u; /* (never fails) */
    char path[4096];
    file_path(path, sizeof(path), dir, key, tag);
    rc = n ? write_file(path, key, build, NULL, NULL, add, n, lk) : 0;
out:
    if (rc != 0)
        *stored = 0;
    free(have);
    free(add);
    return rc;
}

void pcache_remove(const char *dir, uint64_t key, uint32_t tag)
{
    char path[4096];
    file_path(path, sizeof(path), dir, key, tag);
    unlink(path);
}

struct pcache_segment *pcache_segments(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct pcache_segment *v = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct pcache_segment s;
        if (!segment_name(de->d_name, &s.key, &s.tag))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            struct pcache_segment *nv = realloc(v, cap * sizeof(*v));
            if (!nv)
                break;
            v = nv;
        }
        v[(*n)++] = s;
    }
    closedir(d);
    return v;
}

/* ---- the directory ---- */

int pcache_dir_ready(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s", dir);
    /* The directory, and its parent (~/.cache) if need be -- but not
     * further up: a missing home directory is not r386's to create. */
    if (mkdir(path, 0755) != 0 && errno == ENOENT) {
        char *slash = strrchr(path, '/');
        if (slash && slash != path) {
            *slash = '\0';
            mkdir(path, 0755);
            *slash = '/';
        }
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create the cache directory %s: %s",
                 dir, strerror(errno));
        return -1;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "the cache directory %s is not writable: %s",
                 dir, strerror(errno));
        return -1;
    }
    return 0;
}

const char *jit_cache_default_dir(void)
{
    static char buf[4096];
    const char *d = getenv("R386_CACHE_DIR");
    if (d && *d)
        return d;
    d = getenv("XDG_CACHE_HOME");
    if (d && *d) {
        snprintf(buf, sizeof(buf), "%s/r386", d);
        return buf;
    }
    d = getenv("HOME");
    if (d && *d) {
        snprintf(buf, sizeof(buf), "%s/.cache/r386", d);
        return buf;
    }
    return NULL;
}

struct cache_file {
    char name[256];
    uint64_t size;
    struct timespec used;
};

static bool ends_with(const char *n, const char *suffix)
{
    size_t len = strlen(n), sl = strlen(suffix);
    return len > sl && strcmp(n + len - sl, suffix) == 0;
}

static bool is_cache_name(const char *n)
{
    return ends_with(n, PCACHE_SUFFIX);
}

static bool is_tmp_name(const char *n)
{
    return strstr(n, PCACHE_SUFFIX ".tmp.") != NULL;
}

/* The cache files of dir (malloc'd array), or NULL with *n 0. */
static struct cache_file *list_files(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct cache_file *v = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_cache_name(de->d_name) || strlen(de->d_name) >= 256)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, 0) != 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            struct cache_file *nv = realloc(v, cap * sizeof(*v));
            if (!nv)
                break;
            v = nv;
        }
        snprintf(v[*n].name, sizeof(v[*n].name), "%s", de->d_name);
        v[*n].size = (uint64_t)st.st_size;
        v[*n].used = st.st_mtim;
        (*n)++;
    }
    closedir(d);
    return v;
}

static int older_first(const void *a, const void *b)
{
    const struct cache_file *x = a, *y = b;
    if (x->used.tv_sec != y->used.tv_sec)
        return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
    return x->used.tv_nsec < y->used.tv_nsec ? -1
                                             : x->used.tv_nsec > y->used.tv_nsec;
}

/* Temporary files a killed writer left behind (older than 10 minutes). */
static void remove_stale_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (is_tmp_name(de->d_name) &&
            fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
            now - st.st_mtime > 600)
            unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

void pcache_evict(const char *dir, uint64_t max)
{
    char lock[4096];
    snprintf(lock, sizeof(lock), "%s/lock", dir);
    int fd = open_retry(lock, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        return;
    int rc;
    do
        rc = flock(fd, LOCK_EX);
    while (rc != 0 && errno == EINTR);
    size_t n;
    struct cache_file *v = list_files(dir, &n);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].size;
    if (total > max) {
        qsort(v, n, sizeof(*v), older_first);
        for (size_t i = 0; i < n && total > max; i++) {
            char path[4400];
            snprintf(path, sizeof(path), "%s/%s", dir, v[i].name);
            if (unlink(path) == 0)
                total -= v[i].size;
        }
    }
    remove_stale_tmp(dir);
    free(v);
    close(fd); /* and the lock with it */
}

int jit_cache_dir_stats(const char *dir, FILE *out, char *err, size_t errlen)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) {
            fprintf(out, "cache directory: %s (empty: not created yet)\n",
                    dir);
            return 0;
        }
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    size_t n;
    struct cache_file *v = list_files(dir, &n);
    uint64_t total = 0, recs = 0, bad = 0, side = 0;
    for (size_t i = 0; i < n; i++) {
        total += v[i].size;
        if (ends_with(v[i].name, PCACHE_SIDE_SUFFIX)) {
            side++;
            continue;
        }
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", dir, v[i].name);
        int fd = open_retry(path, O_RDONLY, 0);
        struct pc_header h;
        bool ok = fd >= 0 && read_all(fd, &h, sizeof(h)) &&
                  memcmp(h.magic, PCACHE_MAGIC, 8) == 0 &&
                  h.version == PCACHE_VERSION;
        if (fd >= 0)
            close(fd);
        if (ok)
            recs += h.nrecs;
        else
            bad++;
    }
    fprintf(out, "cache directory: %s\n", dir);
    fprintf(out,
            "files: %zu (%llu of the interpreter's saved blocks, %llu "
            "unreadable or of another format)\n",
            n, (unsigned long long)side, (unsigned long long)bad);
    fprintf(out, "objects: %llu\n", (unsigned long long)recs);
    fprintf(out, "size: %.1f MiB\n", (double)total / (1024.0 * 1024.0));
    free(v);
    return 0;
}

int jit_cache_dir_clear(const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if ((is_cache_name(de->d_name) || is_tmp_name(de->d_name)) &&
            unlinkat(dirfd(d), de->d_name, 0) != 0) {
            snprintf(err, errlen, "%s/%s: %s", dir, de->d_name,
                     strerror(errno));
            rc = -1;
        }
    closedir(d);
    return rc;
}
