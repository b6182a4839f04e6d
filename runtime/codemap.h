/* The guest's file mappings: which host file (and which offset in it)
 * each mapped guest range came from.  The persistent translation cache
 * keys its files by it (jit/pcache.c) and the profiler names code by it.
 *
 * Kept by the mmap family (sys_mm.c) and the loader (runtime.c); anonymous
 * mappings are not listed.  A range mapped over, unmapped or moved by
 * mremap leaves the list.  Thread-safe; entries are copied out, and their
 * path strings live until exit. */
#ifndef R386_CODEMAP_H
#define R386_CODEMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "r386/guest.h"

struct codemap_entry {
    guest_addr_t start;  /* first guest address of the mapped range */
    uint64_t end;        /* its end (exclusive) */
    uint64_t offset;     /* file offset mapped at start */
    const char *path;    /* host path of the file (as /proc/self/fd names it) */
    uint64_t dev, ino;   /* the file's identity and version when mapped */
    uint64_t size;
    int64_t mtime_ns;
};

struct codemap;

struct codemap *codemap_create(void);
void codemap_destroy(struct codemap *cm);

/* [addr, addr + len) now maps host descriptor fd at offset (fd < 0: it is
 * anonymous, or unmapped: whatever was listed there leaves). */
void codemap_mapped(struct codemap *cm, guest_addr_t addr, uint64_t len,
                    int fd, uint64_t offset);

/* The file mapping holding addr, copied into *out; false when none. */
bool codemap_lookup(struct codemap *cm, guest_addr_t addr,
                    struct codemap_entry *out);

/* Call fn for every file mapping, lowest address first (a snapshot). */
void codemap_foreach(struct codemap *cm,
                     void (*fn)(void *ctx, const struct codemap_entry *e),
                     void *ctx);

#endif
