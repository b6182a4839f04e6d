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

/* Extra host bytes reserved after the window so that a multi-byte access
 * at 0xffffffff stays inside the reservation. */
#define GUEST_WINDOW_SLACK (64u << 10)

enum {
    PAGE_PROT_MASK = 7,   /* GUEST_PROT_* */
    PAGE_MAPPED = 1 << 3, /* a guest mapping exists */
    PAGE_RESERVED = 1 << 4, /* r386's own: refused to guest and loader */
    PAGE_CODE = 1 << 5,   /* translations were made from this page */
};

struct guest_mem {
    uint8_t *base;      /* host address of guest address 0 */
    size_t window_size; /* bytes reserved at base */
    uint8_t *pages;     /* GUEST_PAGE_COUNT flag bytes */
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

/* Page flags of the page holding addr. */
static inline uint8_t guest_mem_page_flags(const struct guest_mem *m,
                                           guest_addr_t addr)
{
    return m->pages[addr >> GUEST_PAGE_SHIFT];
}

#endif
