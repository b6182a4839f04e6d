/* The guest ABI ground floor: the guest address type and i386 constants
 * shared by every component (loader, lifter, jit, runtime).  Nothing here
 * knows how the guest is run. */
#ifndef R386_GUEST_H
#define R386_GUEST_H

#include <stdint.h>

/* A guest (i386) virtual address.  Never a host pointer: the runtime turns
 * it into one through its checked translation helpers. */
typedef uint32_t guest_addr_t;

#define GUEST_PAGE_SIZE 4096u
#define GUEST_PAGE_SHIFT 12
#define GUEST_PAGE_MASK (~(guest_addr_t)(GUEST_PAGE_SIZE - 1))
#define GUEST_PAGE_COUNT (1u << (32 - GUEST_PAGE_SHIFT))
/* The guest address space is the whole 32-bit range. */
#define GUEST_SPACE_SIZE (UINT64_C(1) << 32)
/* Optimised code adds a constant displacement smaller than this in
 * magnitude to the host address (mem_base + zext(reg) + disp, one host
 * operand) instead of to the 32-bit guest address, and the runtime keeps
 * at least this much unmapped host space on either side of the window: an
 * access whose 32-bit address would have wrapped around lands there and
 * faults (lifter_fold_displacements, runtime/dispatch.c). */
#define GUEST_DISP_FOLD_MAX (INT64_C(1) << 16)

static inline guest_addr_t guest_page_down(guest_addr_t a)
{
    return a & GUEST_PAGE_MASK;
}

/* Round up within 64 bits so that the result of rounding an address near the
 * top of the space can be compared against GUEST_SPACE_SIZE. */
static inline uint64_t guest_page_up(uint64_t a)
{
    return (a + GUEST_PAGE_SIZE - 1) & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
}

/* Guest page protections, as Linux's PROT_* values (identical on i386). */
enum {
    GUEST_PROT_NONE = 0,
    GUEST_PROT_READ = 1,
    GUEST_PROT_WRITE = 2,
    GUEST_PROT_EXEC = 4,
};

/* i386 auxiliary vector types (linux/auxvec.h, asm/auxvec.h). */
enum {
    AUXV_AT_NULL = 0,
    AUXV_AT_IGNORE = 1,
    AUXV_AT_EXECFD = 2,
    AUXV_AT_PHDR = 3,
    AUXV_AT_PHENT = 4,
    AUXV_AT_PHNUM = 5,
    AUXV_AT_PAGESZ = 6,
    AUXV_AT_BASE = 7,
    AUXV_AT_FLAGS = 8,
    AUXV_AT_ENTRY = 9,
    AUXV_AT_UID = 11,
    AUXV_AT_EUID = 12,
    AUXV_AT_GID = 13,
    AUXV_AT_EGID = 14,
    AUXV_AT_PLATFORM = 15,
    AUXV_AT_HWCAP = 16,
    AUXV_AT_CLKTCK = 17,
    AUXV_AT_SECURE = 23,
    AUXV_AT_RANDOM = 25,
    AUXV_AT_HWCAP2 = 26,
    AUXV_AT_EXECFN = 31,
};

#endif
