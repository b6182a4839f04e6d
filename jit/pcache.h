/* The persistent cache's file format and directory (private to jit/):
 * pcache_file.c reads, checks and writes cache files; pcache.c decides
 * what goes in them.
 *
 * A cache file, in the host's byte order:
 *   header   struct pc_header (64 bytes): magic, format version, key,
 *            build hash, counts, the bytes of writable data its records
 *            need, and where the index is, its length and jit_hash
 *   records  each 64-byte aligned: struct pc_rec, then nunits struct
 *            pcache_unit, then ncells u32 cell pcs, then (64-byte aligned)
 *            the object
 *   index    struct pc_recdesc for each record (where it is, its size, its
 *            jit_hash), then struct pc_unitdesc for each unit (its pc,
 *            record and code hash)
 * A run maps the file and checks the header and the index at once, and a
 * record only when it uses it: the start of a program costs what it
 * uses, not the size of libc's cache file.  The index comes last so that
 * a merge leaves the records already in a file where they are: their
 * objects are linked for that place (prelink.c).
 *
 * Records whose object is prelinked (pc_rec.xip) run where they lie in
 * the mapped file, which a run maps with the file's window of writable
 * data and its import table just below it:
 *   [window: PCACHE_WINDOW bytes][imports: PCACHE_IMPORTS bytes][file]
 * A record's .bss is at window + data_off; import k (a helper, the
 * indirect-branch table, memset...) is 16 bytes at imports + 16k: a jump
 * through the 8-byte slot at its offset 8, which holds the address. */
#ifndef R386_PCACHE_H
#define R386_PCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jit_internal.h"

#define PCACHE_DEFAULT_MAX (UINT64_C(1) << 30)
#define PCACHE_SUFFIX ".r386c"
/* Files kept beside the cache files (jit_cache_file): KEY.i.r386c, which
 * no cache file's name matches (KEY.r386c, KEY.TAG.r386c). */
#define PCACHE_SIDE_SUFFIX ".i" PCACHE_SUFFIX
#define PCACHE_ALIGN 64
#define PCACHE_WINDOW (UINT32_C(256) << 20)
#define PCACHE_IMPORTS (UINT32_C(64) << 10)

struct pc_rec {
    uint32_t size; /* the whole record, a multiple of PCACHE_ALIGN */
    uint32_t nunits, ncells, objlen;
    uint32_t optimised; /* what made it, JIT_CODE_* (highest preferred) */
    uint32_t xip;       /* 1: the object is linked to run in place */
    uint32_t data_off;  /* (xip) its writable data in the window */
    uint32_t data_len;
    uint32_t table_off; /* (xip) its cell table in the window */
    uint32_t xip_at;    /* (xip) the file offset it was linked for */
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
    uint32_t npred;       /* the predictions it was lifted with */
    struct lifter_pred pred[LIFTER_MAX_PRED];
    uint32_t entry;       /* (xip) its code, from the record's start */
    uint32_t pad;
    char name[JIT_NAME_MAX];
};

static inline size_t pcache_align(size_t n)
{
    return (n + PCACHE_ALIGN - 1) & ~(size_t)(PCACHE_ALIGN - 1);
}

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
    return (const uint8_t *)r +
           pcache_align(sizeof(*r) + r->nunits * sizeof(struct pcache_unit) +
                        r->ncells * 4u);
}

/* A new record (malloc'd), or NULL when out of memory. */
uint8_t *pcache_record_new(const char *table, const struct pcache_unit *u,
                           uint32_t nunits, const guest_addr_t *cells,
                           uint32_t ncells, const void *obj, uint32_t objlen,
                           unsigned kind);

struct pc_header {
    char magic[8];
    uint32_t version;
    uint32_t nrecs;
    uint64_t key;
    uint64_t build;
    uint32_t nunits;
    uint32_t data_len; /* the window bytes its records' data take */
    uint64_t index_off;
    uint64_t index_len;
    uint64_t index_hash;
};

struct pc_recdesc {
    uint64_t offset; /* from the start of the file */
    uint32_t size;
    uint32_t optimised;
    uint64_t hash; /* jit_hash of the record's bytes */
};

struct pc_unitdesc {
    guest_addr_t pc;
    uint32_t rec;
    uint64_t hash; /* the unit's pcache_unit.hash (for merging) */
};

/* A cache file mapped into memory, its header and index checked. */
struct pcache_image {
    int fd; /* the file mapped (records are copied from it) */
    uint8_t *base;
    size_t len;
    uint8_t *window; /* non-NULL: mapped to run prelinked records in
                        place, its window and imports below base */
    const struct pc_header *h;
    const struct pc_recdesc *recs;
    const struct pc_unitdesc *units;
};

/* Map the cache file for key in dir (tag 0: the main file, else that
 * segment) and check its header (magic, version, key, build) and index
 * (hash and bounds).  0, or -1 when there is none or it is bad (*bad set,
 * and the file removed).  touch: mark it used now (the eviction order). */
/* imports (nimports addresses, NULL: none): map it to run its prelinked
 * records in place, with the window and this import table below it (when
 * that mapping fails, or with none, records are only read). */
int pcache_open(const char *dir, uint64_t key, uint32_t tag, uint64_t build,
                struct pcache_image *img, int *bad, bool touch,
                const uint64_t *imports, size_t nimports);
void pcache_close(struct pcache_image *img);
/* Does record i have the hash the index gives it? */
bool pcache_record_sound(const struct pcache_image *img, uint32_t i);
/* Record i, checked now (its hash unless sound says it was, its shape);
 * NULL when damaged. */
const struct pc_rec *pcache_record(const struct pcache_image *img,
                                   uint32_t i, bool sound);

/* What links a record's object for its place in the file as it is
 * written (prelink.c): r is the record (a copy to change), at offset off
 * of the file, its data at *data_len of the window (advanced when it
 * takes some); sets r->xip and returns true when it could, else returns
 * false with r half changed (the writer puts it back as it was). */
struct pcache_linker {
    bool (*prelink)(void *ctx, struct pc_rec *r, uint64_t off,
                    uint32_t *data_len);
    void *ctx;
};

/* Segments: a run that adds a few records to a large file writes them to
 * a file of their own, KEY.TAG.r386c (TAG random), instead of rewriting
 * the whole file; runs read the main file and its segments, and once a
 * key has PCACHE_MAX_PARTS files they are merged into the main one. */
#define PCACHE_MAX_PARTS 8

struct pcache_segment {
    uint64_t key;
    uint32_t tag;
};

/* The segment files in dir (malloc'd, *n of them; NULL when none). */
struct pcache_segment *pcache_segments(const char *dir, size_t *n);
void pcache_remove(const char *dir, uint64_t key, uint32_t tag);

/* Merge records into the main cache file for key: what it holds now
 * (re-read, since another process may have written it; its records are
 * copied as they are, unread) and those of recs whose units it does not
 * hold yet, written to a temporary file and renamed into place.  seen:
 * the image this process loaded (NULL: none), and bad which of its
 * records it found damaged: while the file is still that one, the units
 * of those do not count as held and leave the index (the file is
 * rewritten for that alone: a damaged record an earlier lookup tries
 * first, an optimised one, would otherwise be found again by every run).
 * *stored: units added from the first nfresh of recs (the others are
 * records moved from segments).  0, or -1 after one warning. */
int pcache_write_file(const char *dir, uint64_t key, uint64_t build,
                      const struct pcache_image *seen, const bool *bad,
                      const uint8_t *const *recs, size_t nrecs,
                      size_t nfresh, const struct pcache_linker *lk,
                      size_t *stored);

/* Write the records of recs whose units none of the nheld images holds
 * to a new segment of key.  *stored: units written.  0, or -1 after one
 * warning. */
int pcache_write_segment(const char *dir, uint64_t key, uint64_t build,
                         const struct pcache_image *const *held, size_t nheld,
                         const uint8_t *const *recs, size_t nrecs,
                         const struct pcache_linker *lk, size_t *stored);

/* Remove the least recently used cache files until dir holds at most max
 * bytes of them (under an flock of the directory's lock file). */
void pcache_evict(const char *dir, uint64_t max);

/* Create dir if needed and check that it can be written; 0 or -1 with a
 * message. */
int pcache_dir_ready(const char *dir, char *err, size_t errlen);

#endif
