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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcache.h"

#define PCACHE_MAGIC "R386PCF\n"
#define PCACHE_VERSION 3

struct pc_header {
    char magic[8];
    uint32_t version;
    uint32_t nrecs;
    uint64_t key;
    uint64_t build;
    uint64_t payload_len;
    uint64_t payload_hash;
};

/* ---- records ---- */

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static size_t record_size(uint32_t nunits, uint32_t ncells, uint32_t objlen)
{
    return sizeof(struct pc_rec) + nunits * sizeof(struct pcache_unit) +
           align8(ncells * 4u) + align8(objlen);
}

uint8_t *pcache_record_new(const char *table, const struct pcache_unit *u,
                           uint32_t nunits, const guest_addr_t *cells,
                           uint32_t ncells, const void *obj, uint32_t objlen,
                           bool optimised)
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
    r->optimised = optimised;
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
    if (r->size > left || r->size % 8 || r->nunits == 0 || r->optimised > 1 ||
        r->nunits > 4096 || r->ncells > (1u << 20) ||
        r->size != record_size(r->nunits, r->ncells, r->objlen))
        return false;
    if (r->ncells && !name_ok(r->table))
        return false;
    const struct pcache_unit *u = pcache_units(r);
    for (uint32_t i = 0; i < r->nunits; i++)
        if (!name_ok(u[i].name) || u[i].code_len == 0 ||
            (uint64_t)u[i].code_lo + u[i].code_len > GUEST_SPACE_SIZE ||
            u[i].nranges == 0 || u[i].nranges > LIFTER_MAX_RANGES ||
            u[i].nsucc > LIFTER_MAX_SUCC)
            return false;
    for (uint32_t i = 0; i < r->nunits; i++)
        for (uint32_t k = 0; k < u[i].nranges; k++)
            if (u[i].ranges[k].len == 0 || u[i].ranges[k].len > (1u << 24) ||
                (uint64_t)u[i].ranges[k].lo + u[i].ranges[k].len >
                    GUEST_SPACE_SIZE)
                return false;
    return true;
}

int pcache_walk(const uint8_t *image, size_t len,
                void (*fn)(void *ctx, const struct pc_rec *r), void *ctx)
{
    if (len < sizeof(struct pc_header))
        return -1;
    const struct pc_header *h = (const struct pc_header *)image;
    size_t off = sizeof(*h);
    for (uint32_t i = 0; i < h->nrecs; i++) {
        if (!record_ok(image + off, len - off))
            return -1;
        const struct pc_rec *r = (const struct pc_rec *)(image + off);
        if (fn)
            fn(ctx, r);
        off += r->size;
    }
    return off == len ? 0 : -1;
}

/* ---- files ---- */

static void file_path(char *buf, size_t len, const char *dir, uint64_t key)
{
    snprintf(buf, len, "%s/%016llx" PCACHE_SUFFIX, dir,
             (unsigned long long)key);
}

static int open_retry(const char *path, int flags, mode_t mode)
{
    int fd;
    do
        fd = open(path, flags | O_CLOEXEC, mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

/* All len bytes read into buf (or written from it), through short
 * transfers and EINTR. */
static bool transfer_all(int fd, void *buf, size_t len, bool writing)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = writing ? write(fd, p, len) : read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool read_all(int fd, void *buf, size_t len)
{
    return transfer_all(fd, buf, len, false);
}

static bool write_all(int fd, const void *buf, size_t len)
{
    return transfer_all(fd, (void *)buf, len, true);
}

/* Read the file for key whole; NULL when absent, unreadable or bad. */
static uint8_t *read_checked(const char *path, uint64_t key, uint64_t build,
                             size_t *len, int *bad, bool touch)
{
    *bad = 0;
    int fd = open_retry(path, O_RDONLY, 0);
    if (fd < 0)
        return NULL;
    struct stat st;
    uint8_t *image = NULL;
    if (fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(struct pc_header)
        && (uint64_t)st.st_size < (UINT64_C(1) << 32)) {
        image = malloc((size_t)st.st_size);
        if (image && !read_all(fd, image, (size_t)st.st_size)) {
            free(image);
            image = NULL;
        }
    }
    if (image && touch)
        futimens(fd, NULL); /* used now: the eviction order */
    close(fd);
    const struct pc_header *h = (const struct pc_header *)image;
    if (!image || memcmp(h->magic, PCACHE_MAGIC, 8) != 0 ||
        h->version != PCACHE_VERSION || h->key != key || h->build != build ||
        h->payload_len != (uint64_t)st.st_size - sizeof(*h) ||
        jit_hash(h + 1, h->payload_len, key) != h->payload_hash ||
        pcache_walk(image, (size_t)st.st_size, NULL, NULL) != 0) {
        free(image);
        *bad = 1;
        return NULL;
    }
    *len = (size_t)st.st_size;
    return image;
}

uint8_t *pcache_read_file(const char *dir, uint64_t key, uint64_t build,
                          size_t *len, int *bad, bool touch)
{
    char path[4096];
    file_path(path, sizeof(path), dir, key);
    uint8_t *image = read_checked(path, key, build, len, bad, touch);
    if (*bad)
        unlink(path); /* damaged or foreign: rebuilt by this run */
    return image;
}

/* A unit as the merge compares them: an optimised translation does not
 * duplicate a first-tier one of the same bytes. */
static uint64_t unit_key(const struct pcache_unit *u, uint32_t optimised)
{
    return (u->hash ^ ((uint64_t)u->pc << 32)) +
           (optimised ? 0x9e3779b97f4a7c15ULL : 0);
}

/* Units of old, by (pc, hash), for the merge. */
struct unit_set {
    uint64_t *v;
    size_t n, cap;
};

static void collect_units(void *ctx, const struct pc_rec *r)
{
    struct unit_set *s = ctx;
    const struct pcache_unit *u = pcache_units(r);
    for (uint32_t i = 0; i < r->nunits; i++) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 256;
            uint64_t *v = realloc(s->v, cap * sizeof(*v));
            if (!v)
                return;
            s->v = v;
            s->cap = cap;
        }
        s->v[s->n++] = unit_key(&u[i], r->optimised);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* s sorted (cmp_u64). */
static bool in_set(const struct unit_set *s, const struct pcache_unit *u,
                   uint32_t optimised)
{
    uint64_t k = unit_key(u, optimised);
    return s->n && bsearch(&k, s->v, s->n, sizeof(*s->v), cmp_u64) != NULL;
}

static void warn_once(const char *what, const char *path)
{
    static int warned;
    if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
        fprintf(stderr, "r386: warning: cannot %s %s: %s; translations of "
                        "this run are not cached\n", what, path,
                strerror(errno));
}

int pcache_write_file(const char *dir, uint64_t key, uint64_t build,
                      const uint8_t *const *recs, size_t nrecs,
                      size_t *stored)
{
    char path[4096], tmp[4200];
    file_path(path, sizeof(path), dir, key);
    *stored = 0;
    size_t oldlen = 0;
    int bad;
    uint8_t *old = read_checked(path, key, build, &oldlen, &bad, false);
    struct unit_set have = {0};
    if (old)
        pcache_walk(old, oldlen, collect_units, &have);
    if (have.n)
        qsort(have.v, have.n, sizeof(*have.v), cmp_u64);
    size_t oldpay = old ? oldlen - sizeof(struct pc_header) : 0;
    struct pc_header h = {.version = PCACHE_VERSION, .key = key,
                          .build = build};
    memcpy(h.magic, PCACHE_MAGIC, 8);
    h.nrecs = old ? ((const struct pc_header *)old)->nrecs : 0;
    /* The new records: those with a unit the file does not have. */
    bool *take = calloc(nrecs ? nrecs : 1, sizeof(*take));
    size_t newpay = 0;
    for (size_t i = 0; take && i < nrecs; i++) {
        const struct pc_rec *r = (const struct pc_rec *)recs[i];
        for (uint32_t k = 0; k < r->nunits && !take[i]; k++)
            take[i] = !in_set(&have, &pcache_units(r)[k], r->optimised);
        if (take[i]) {
            newpay += r->size;
            h.nrecs++;
            *stored += r->nunits;
        }
    }
    free(have.v);
    int rc = -1;
    if (!take || newpay == 0) {
        rc = take ? 0 : -1;
        goto out;
    }
    h.payload_len = oldpay + newpay;
    uint8_t *pay = malloc(h.payload_len);
    if (!pay)
        goto out;
    if (oldpay)
        memcpy(pay, old + sizeof(h), oldpay);
    size_t off = oldpay;
    for (size_t i = 0; i < nrecs; i++)
        if (take[i]) {
            const struct pc_rec *r = (const struct pc_rec *)recs[i];
            memcpy(pay + off, recs[i], r->size);
            off += r->size;
        }
    h.payload_hash = jit_hash(pay, h.payload_len, key);
    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    int fd = open_retry(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        warn_once("write the cache file", tmp);
    } else {
        bool ok = write_all(fd, &h, sizeof(h)) &&
                  write_all(fd, pay, h.payload_len);
        ok = close(fd) == 0 && ok;
        if (ok && rename(tmp, path) == 0) {
            rc = 0;
        } else {
            warn_once("write the cache file", tmp);
            unlink(tmp);
        }
    }
    free(pay);
out:
    if (rc != 0)
        *stored = 0;
    free(take);
    free(old);
    return rc;
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

static bool is_cache_name(const char *n)
{
    size_t len = strlen(n), sl = strlen(PCACHE_SUFFIX);
    return len > sl && strcmp(n + len - sl, PCACHE_SUFFIX) == 0;
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
    uint64_t total = 0, recs = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        total += v[i].size;
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
    fprintf(out, "files: %zu (%llu unreadable or of another format)\n", n,
            (unsigned long long)bad);
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
