/* The persistent cache's file format and directory (private to jit/):
 * pcache_file.c reads, checks and writes cache files; pcache.c decides
 * what goes in them.
 *
 * A cache file is a header and a payload of records, all in the host's
 * byte order and 8-byte aligned:
 *   header   magic, format version, record count, key, build hash,
 *            payload length and jit_hash of the payload
 *   record   struct pc_rec, then nunits struct pcache_unit, then ncells
 *            u32 cell pcs (padded to 8), then the object (padded to 8). */
#ifndef R386_PCACHE_H
#define R386_PCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jit_internal.h"

#define PCACHE_DEFAULT_MAX (UINT64_C(1) << 30)
#define PCACHE_SUFFIX ".r386c"

struct pc_rec {
    uint32_t size; /* the whole record, a multiple of 8 */
    uint32_t nunits, ncells, objlen;
    uint32_t optimised; /* 1: made by the optimiser (preferred) */
    uint32_t pad;
    char table[JIT_NAME_MAX]; /* the object's cell table symbol */
};

struct pcache_unit {
    guest_addr_t pc;
    guest_addr_t code_lo; /* the hull of the bytes, for the page index */
    uint32_t code_len;
    uint32_t nranges;     /* the bytes themselves */
    struct lifter_range ranges[LIFTER_MAX_RANGES];
    uint64_t hash;        /* jit_ranges_hash of the ranges */
    uint32_t nsucc;       /* where the unit leads (--aot) */
    guest_addr_t succ[LIFTER_MAX_SUCC];
    char name[JIT_NAME_MAX];
};

static inline const struct pcache_unit *pcache_units(const struct pc_rec *r)
{
    return (const struct pcache_unit *)(r + 1);
}

static inline const guest_addr_t *pcache_cells(const struct pc_rec *r)
{
    return (const guest_addr_t *)(pcache_units(r) + r->nunits);
}

static inline const uint8_t *pcache_object(const struct pc_rec *r)
{
    return (const uint8_t *)pcache_cells(r) + ((r->ncells * 4u + 7) & ~7u);
}

/* A new record (malloc'd), or NULL when out of memory. */
uint8_t *pcache_record_new(const char *table, const struct pcache_unit *u,
                           uint32_t nunits, const guest_addr_t *cells,
                           uint32_t ncells, const void *obj, uint32_t objlen,
                           bool optimised);

/* Call fn for each record of a checked file image; -1 when a record is
 * malformed (then fn was called for the ones before it). */
int pcache_walk(const uint8_t *image, size_t len,
                void (*fn)(void *ctx, const struct pc_rec *r), void *ctx);

/* The cache file for key in dir, read whole and checked (magic, version,
 * build, key, payload hash, records); NULL when there is none or it is
 * bad (*bad set, and the file removed).  touch: mark it used now (LRU). */
uint8_t *pcache_read_file(const char *dir, uint64_t key, uint64_t build,
                          size_t *len, int *bad, bool touch);

/* Merge records into the cache file for key: what it holds now (re-read,
 * since another process may have written it) and those of recs whose
 * units it does not hold yet, written to a temporary file and renamed
 * into place.  *stored: units added.  0, or -1 after one warning. */
int pcache_write_file(const char *dir, uint64_t key, uint64_t build,
                      const uint8_t *const *recs, size_t nrecs,
                      size_t *stored);

/* Remove the least recently used cache files until dir holds at most max
 * bytes of them (under an flock of the directory's lock file). */
void pcache_evict(const char *dir, uint64_t max);

/* Create dir if needed and check that it can be written; 0 or -1 with a
 * message. */
int pcache_dir_ready(const char *dir, char *err, size_t errlen);

#endif
