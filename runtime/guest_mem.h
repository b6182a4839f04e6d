/* The guest address space: a 4 GiB window reserved in the host, with guest
 * address a at base + a, and a flag byte per guest page.  Private to
 * runtime/ (and its tests).
 *
 * C code reaches guest memory only through guest_mem_copy_to/from and the
 * string helpers, which check the page flags and answer -EFAULT; g2h is
 * for code that has already checked (or that runs guest memory accesses,
 * where a host fault becomes a guest SIGSEGV). */
#ifndef R386_GUEST_MEM_H
#define R386_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "r386/guest.h"

/* Layout, chosen to match what an i386 program sees under a 64-bit Linux
 * kernel with address randomisation off. */
#define GUEST_MIN_ADDR 0x00010000u      /* vm.mmap_min_addr */
#define GUEST_PIE_BASE 0x56555000u      /* where a PIE program goes */
#define GUEST_STACK_TOP 0xffffe000u     /* TASK_SIZE of a compat task */
#define GUEST_STACK_SIZE (8u << 20)     /* RLIMIT_STACK default */
#define GUEST_STACK_GUARD (1u << 20)    /* stack_guard_gap */
#define GUEST_MMAP_BASE (GUEST_STACK_TOP - (128u << 20)) /* mmap_base() */

/* Unmapped host bytes reserved before and after the window: a folded
 * displacement (GUEST_DISP_FOLD_MAX, r386/guest.h) reaches that far past
 * either end, and a multi-byte access at 0xffffffff 64 KiB more. */
#define GUEST_GUARD_BELOW ((size_t)GUEST_DISP_FOLD_MAX)
#define GUEST_GUARD_ABOVE ((size_t)GUEST_DISP_FOLD_MAX + (64u << 10))

enum {
    PAGE_PROT_MASK = 7,   /* GUEST_PROT_* */
    PAGE_MAPPED = 1 << 3, /* a guest mapping exists */
    PAGE_RESERVED = 1 << 4, /* r386's own: refused to guest and loader */
    PAGE_CODE = 1 << 5,   /* translations were made from this page */
};

/* Self-modifying code.  A page translations were made from is PAGE_CODE;
 * if the guest may write it, its host page is read-only (the guest's
 * protection, as reported by /proc/self/maps and checked by syscalls,
 * stays what the guest asked for).  A change to such a page -- a guest
 * store (host fault, guest_mem_code_fault), a system call writing guest
 * memory (guest_mem_prepare_write), mmap/munmap/mprotect/madvise over it
 * -- clears PAGE_CODE, gives the host page back its protection and marks
 * the page dirty; the dispatcher hands the dirty pages to the JIT, which
 * invalidates the translations made from them (runtime_code_sync).
 *
 * code_lock (a spinlock: the host fault handler takes it) makes each
 * PAGE_CODE transition and its host mprotect one step, so that a page is
 * never PAGE_CODE with a writable host page, nor guest-writable, not
 * PAGE_CODE and read-only on the host.  Its holders never run translated
 * code nor touch guest memory while holding it. */
#define GUEST_DIRTY_WORDS (GUEST_PAGE_COUNT / 64)

struct guest_mem {
    uint8_t *base;      /* host address of guest address 0 */
    size_t window_size; /* bytes reserved, from base - GUEST_GUARD_BELOW */
    uint8_t *pages;     /* GUEST_PAGE_COUNT flag bytes */
    int code_lock;      /* spinlock, see above */
    uint64_t *dirty;    /* bitmap of dirty pages (atomic words) */
    uint64_t dirty_summary[GUEST_DIRTY_WORDS / 64]; /* non-zero dirty words */
    int dirty_pending;  /* atomic: some page was marked dirty */
    uint64_t code_epoch; /* atomic: bumped by every dirty marking */
    /* Called for each page marked dirty, after the epoch bump and before
     * the page can change (from the host fault handler too): the JIT
     * zeroes the chain cells of its translations (jit_code_written). */
    void (*code_hook)(void *ctx, guest_addr_t page);
    void *code_hook_ctx;
};

__attribute__((warn_unused_result))
int guest_mem_init(struct guest_mem *m);
void guest_mem_fini(struct guest_mem *m);

static inline void *g2h(const struct guest_mem *m, guest_addr_t a)
{
    return m->base + a;
}

/* Is the host pointer inside the guest window?  Gives its guest address. */
static inline bool h2g(const struct guest_mem *m, const void *p,
                       guest_addr_t *out)
{
    uintptr_t d = (uintptr_t)p - (uintptr_t)m->base;
    if ((uintptr_t)p < (uintptr_t)m->base || d >= GUEST_SPACE_SIZE)
        return false;
    *out = (guest_addr_t)d;
    return true;
}

/* Is the host pointer in the reservation, the window or a guard beside it?
 * Gives the guest address it stands for, the host offset modulo 4 GiB, and
 * whether it is in a guard (*wrapped): an access of optimised code whose
 * 32-bit address wrapped around (lifter_fold_displacements). */
static inline bool h2g_reserved(const struct guest_mem *m, const void *p,
                                guest_addr_t *out, bool *wrapped)
{
    intptr_t d = (intptr_t)((uintptr_t)p - (uintptr_t)m->base);
    if (d < -(intptr_t)GUEST_GUARD_BELOW ||
        d >= (intptr_t)(GUEST_SPACE_SIZE + GUEST_GUARD_ABOVE))
        return false;
    *out = (guest_addr_t)d;
    *wrapped = d < 0 || d >= (intptr_t)GUEST_SPACE_SIZE;
    return true;
}

/* guest_mem_map flags. */
enum {
    GUEST_MAP_SHARED = 1,         /* MAP_SHARED (default: MAP_PRIVATE) */
    GUEST_MAP_ALLOW_RESERVED = 2, /* the runtime mapping its own pages */
};

/* Map [addr, addr+len) (page-aligned) with guest protection prot: anonymous
 * zeroed memory when fd < 0, else the file at offset.  Replaces earlier
 * guest mappings there; refuses (-EEXIST) ranges that touch reserved pages
 * unless GUEST_MAP_ALLOW_RESERVED. */
__attribute__((warn_unused_result))
int guest_mem_map(struct guest_mem *m, guest_addr_t addr, uint64_t len,
                  int prot, int fd, uint64_t offset, int flags);
__attribute__((warn_unused_result))
int guest_mem_unmap(struct guest_mem *m, guest_addr_t addr, uint64_t len);
__attribute__((warn_unused_result))
int guest_mem_protect(struct guest_mem *m, guest_addr_t addr, uint64_t len,
                      int prot);
/* Mark pages as r386's own, never handed to the guest by placement nor
 * accepted for a loaded segment. */
void guest_mem_reserve(struct guest_mem *m, guest_addr_t addr, uint64_t len);

/* Find len free bytes, page-aligned, highest first below top. */
__attribute__((warn_unused_result))
int guest_mem_find_free(const struct guest_mem *m, uint64_t len,
                        guest_addr_t top, guest_addr_t *out);
/* Is [addr, addr+len) free (neither mapped nor reserved)? */
bool guest_mem_is_free(const struct guest_mem *m, guest_addr_t addr,
                       uint64_t len);

/* Are all pages of [addr, addr+len) mapped with at least prot? */
bool guest_mem_access_ok(const struct guest_mem *m, guest_addr_t addr,
                         uint64_t len, int prot);

/* Checked copies: -EFAULT unless the whole range is accessible. */
__attribute__((warn_unused_result))
int guest_mem_copy_to(struct guest_mem *m, guest_addr_t dst, const void *src,
                      size_t len);
__attribute__((warn_unused_result))
int guest_mem_copy_from(const struct guest_mem *m, void *dst, guest_addr_t src,
                        size_t len);
/* Length of the NUL-terminated guest string at src, at most max: -EFAULT
 * when it runs into an unreadable page, -ENAMETOOLONG past max. */
__attribute__((warn_unused_result))
long guest_mem_strnlen(const struct guest_mem *m, guest_addr_t src,
                       size_t max);

/* Self-modifying code (see struct guest_mem). */

/* The lifter is about to read code from the page holding addr: mark it
 * PAGE_CODE and, if the guest may write it, make the host page read-only,
 * before the bytes are read (so a later write faults).  False when the
 * host page cannot be protected: the code must not be translated. */
__attribute__((warn_unused_result))
bool guest_mem_mark_code(struct guest_mem *m, guest_addr_t addr);
/* A host write fault at guest address addr: non-zero when it is a store
 * to a guest-writable page, to retry -- 1: a PAGE_CODE page, now dirty
 * and writable again; 2: a page another thread has just made writable. */
int guest_mem_code_fault(struct guest_mem *m, guest_addr_t addr);
/* C code (a system call) is about to write [addr, addr+len), already
 * checked writable, or its contents change otherwise (madvise): PAGE_CODE
 * pages there become dirty and writable. */
void guest_mem_prepare_write(struct guest_mem *m, guest_addr_t addr,
                             uint64_t len);
/* Take the dirty pages: fn(ctx, first, end) for each run of them (page
 * addresses, end exclusive), in ascending order.  Returns false (and calls
 * nothing) when there were none. */
bool guest_mem_take_dirty(struct guest_mem *m,
                          void (*fn)(void *ctx, guest_addr_t first,
                                     uint64_t end),
                          void *ctx);
static inline bool guest_mem_dirty_pending(const struct guest_mem *m)
{
    return __atomic_load_n(&m->dirty_pending, __ATOMIC_ACQUIRE) != 0;
}
static inline uint64_t guest_mem_code_epoch(const struct guest_mem *m)
{
    return __atomic_load_n(&m->code_epoch, __ATOMIC_ACQUIRE);
}

/* Page flags of the page holding addr. */
static inline uint8_t guest_mem_page_flags(const struct guest_mem *m,
                                           guest_addr_t addr)
{
    return m->pages[addr >> GUEST_PAGE_SHIFT];
}

#endif
