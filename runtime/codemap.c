/* The guest's file mappings (codemap.h): a short array sorted by address
 * (a process maps a few dozen files), under one mutex that nothing else
 * is taken under. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codemap.h"

/* Interned path strings: never freed, so entries copied out stay valid. */
struct path_node {
    struct path_node *next;
    char path[];
};

struct codemap {
    pthread_mutex_t lock;
    struct codemap_entry *v;
    size_t n, cap;
    struct path_node *paths;
    uint64_t gen; /* a new value at every change (changed) */
};

/* The values gen takes, in any codemap: one never comes twice, so a
 * thread's memory of its last answer (codemap_lookup) is never taken for
 * another codemap's or for this one's after a change. */
static uint64_t gens;

static void changed(struct codemap *cm)
{
    __atomic_store_n(&cm->gen, __atomic_add_fetch(&gens, 1, __ATOMIC_RELAXED),
                     __ATOMIC_RELEASE);
}

struct codemap *codemap_create(void)
{
    struct codemap *cm = calloc(1, sizeof(*cm));
    if (cm) {
        pthread_mutex_init(&cm->lock, NULL);
        changed(cm);
    }
    return cm;
}

void codemap_destroy(struct codemap *cm)
{
    if (!cm)
        return;
    for (struct path_node *p = cm->paths, *next; p; p = next) {
        next = p->next;
        free(p);
    }
    free(cm->v);
    pthread_mutex_destroy(&cm->lock);
    free(cm);
}

static const char *intern(struct codemap *cm, const char *path)
{
    for (struct path_node *p = cm->paths; p; p = p->next)
        if (strcmp(p->path, path) == 0)
            return p->path;
    size_t len = strlen(path) + 1;
    struct path_node *p = malloc(sizeof(*p) + len);
    if (!p)
        return NULL;
    memcpy(p->path, path, len);
    p->next = cm->paths;
    cm->paths = p;
    return p->path;
}

static bool insert_at(struct codemap *cm, size_t i,
                      const struct codemap_entry *e)
{
    if (cm->n == cm->cap) {
        size_t cap = cm->cap ? cm->cap * 2 : 16;
        struct codemap_entry *v = realloc(cm->v, cap * sizeof(*v));
        if (!v)
            return false;
        cm->v = v;
        cm->cap = cap;
    }
    memmove(&cm->v[i + 1], &cm->v[i], (cm->n - i) * sizeof(*cm->v));
    cm->v[i] = *e;
    cm->n++;
    return true;
}

/* Take [lo, end) out of every entry: entries inside go, entries across
 * an edge are trimmed, an entry around the range is split in two. */
static void remove_range(struct codemap *cm, uint64_t lo, uint64_t end)
{
    for (size_t i = 0; i < cm->n;) {
        struct codemap_entry *e = &cm->v[i];
        if (e->end <= lo || e->start >= end) {
            i++;
            continue;
        }
        if (e->start < lo && e->end > end) {
            struct codemap_entry tail = *e;
            tail.offset += end - e->start;
            tail.start = (guest_addr_t)end;
            e->end = lo;
            if (!insert_at(cm, i + 1, &tail))
                cm->v[i].end = lo; /* out of memory: forget the tail */
            return;
        }
        if (e->start < lo) {
            e->end = lo;
            i++;
        } else if (e->end > end) {
            e->offset += end - e->start;
            e->start = (guest_addr_t)end;
            i++;
        } else {
            memmove(e, e + 1, (cm->n - i - 1) * sizeof(*e));
            cm->n--;
        }
    }
}

void codemap_mapped(struct codemap *cm, guest_addr_t addr, uint64_t len,
                    int fd, uint64_t offset)
{
    if (!cm || len == 0)
        return;
    struct codemap_entry e = {.start = addr, .end = addr + len,
                              .offset = offset};
    char path[PATH_MAX];
    struct stat st;
    bool file = false;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        char link[64];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, path, sizeof(path) - 1);
        if (n > 0) {
            path[n] = '\0';
            file = true;
            e.dev = (uint64_t)st.st_dev;
            e.ino = (uint64_t)st.st_ino;
            e.size = (uint64_t)st.st_size;
            e.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
                         st.st_mtim.tv_nsec;
        }
    }
    pthread_mutex_lock(&cm->lock);
    remove_range(cm, addr, e.end);
    if (file && (e.path = intern(cm, path)) != NULL) {
        size_t i = 0;
        while (i < cm->n && cm->v[i].start < addr)
            i++;
        insert_at(cm, i, &e); /* out of memory: the range stays unlisted */
    }
    changed(cm);
    pthread_mutex_unlock(&cm->lock);
}

/* This thread's last answer, for gen: the persistent cache asks for the
 * file of every pc it has no unit for, and a warm `bash -c` asked 7,900
 * times, nearly always of the file asked last (the lock and the scan were
 * 2.5% of its instructions). */
static __thread struct {
    uint64_t gen;
    struct codemap_entry e;
} last;

bool codemap_lookup(struct codemap *cm, guest_addr_t addr,
                    struct codemap_entry *out)
{
    if (!cm)
        return false;
    if (last.gen == __atomic_load_n(&cm->gen, __ATOMIC_ACQUIRE) &&
        last.e.start <= addr && addr < last.e.end) {
        *out = last.e;
        return true;
    }
    bool found = false;
    pthread_mutex_lock(&cm->lock);
    for (size_t i = 0; i < cm->n && cm->v[i].start <= addr; i++)
        if (addr < cm->v[i].end) {
            *out = cm->v[i];
            found = true;
            last.gen = cm->gen;
            last.e = *out;
            break;
        }
    pthread_mutex_unlock(&cm->lock);
    return found;
}

void codemap_foreach(struct codemap *cm,
                     void (*fn)(void *ctx, const struct codemap_entry *e),
                     void *ctx)
{
    if (!cm)
        return;
    pthread_mutex_lock(&cm->lock);
    size_t n = cm->n;
    struct codemap_entry *copy = malloc((n ? n : 1) * sizeof(*copy));
    if (copy)
        memcpy(copy, cm->v, n * sizeof(*copy));
    pthread_mutex_unlock(&cm->lock);
    if (!copy)
        return;
    for (size_t i = 0; i < n; i++)
        fn(ctx, &copy[i]);
    free(copy);
}
