/* The guest address space window and its page bookkeeping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"

/* Guest protection to host protection.  Guest code is never executed by
 * the host, so guest PROT_EXEC only needs host read access (the lifter
 * reads the instructions). */
static int host_prot(int prot)
{
    int p = PROT_NONE;
    if (prot & (GUEST_PROT_READ | GUEST_PROT_EXEC))
        p |= PROT_READ;
    if (prot & GUEST_PROT_WRITE)
        p |= PROT_READ | PROT_WRITE;
    return p;
}

static bool range_ok(guest_addr_t addr, uint64_t len)
{
    return (addr & (GUEST_PAGE_SIZE - 1)) == 0 &&
           (len & (GUEST_PAGE_SIZE - 1)) == 0 &&
           (uint64_t)addr + len <= GUEST_SPACE_SIZE;
}

/* Zeroed memory for the page tables: fresh pages, faulted in only where
 * the guest's address space is used (a calloc zeroed all 1.1 MB at every
 * start: 4% of a warm start of a dynamic program). */
static void *table_alloc(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void table_free(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}

#define PAGES_BYTES ((size_t)GUEST_PAGE_COUNT)
#define DIRTY_BYTES (GUEST_DIRTY_WORDS * sizeof(uint64_t))

int guest_mem_init(struct guest_mem *m)
{
    memset(m, 0, sizeof(*m));
    m->window_size = GUEST_GUARD_BELOW + GUEST_SPACE_SIZE + GUEST_GUARD_ABOVE;
    void *p = mmap(NULL, m->window_size, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    m->base = (uint8_t *)p + GUEST_GUARD_BELOW;
    m->pages = table_alloc(PAGES_BYTES);
    m->dirty = table_alloc(DIRTY_BYTES);
    if (!m->pages || !m->dirty) {
        table_free(m->pages, PAGES_BYTES);
        table_free((void *)m->dirty, DIRTY_BYTES);
        munmap(p, m->window_size);
        m->base = NULL;
        return -ENOMEM;
    }
    guest_mem_reserve(m, 0, GUEST_MIN_ADDR);
    return 0;
}

void guest_mem_fini(struct guest_mem *m)
{
    if (m->base)
        munmap(m->base - GUEST_GUARD_BELOW, m->window_size);
    table_free(m->pages, PAGES_BYTES);
    table_free((void *)m->dirty, DIRTY_BYTES);
    memset(m, 0, sizeof(*m));
}

void guest_mem_reserve(struct guest_mem *m, guest_addr_t addr, uint64_t len)
{
    uint64_t first = addr >> GUEST_PAGE_SHIFT;
    uint64_t end = guest_page_up((uint64_t)addr + len) >> GUEST_PAGE_SHIFT;
    for (uint64_t i = first; i < end && i < GUEST_PAGE_COUNT; i++)
        m->pages[i] |= PAGE_RESERVED;
}

static bool touches_reserved(const struct guest_mem *m, guest_addr_t addr,
                             uint64_t len)
{
    uint64_t first = addr >> GUEST_PAGE_SHIFT;
    uint64_t end = first + (len >> GUEST_PAGE_SHIFT);
    for (uint64_t i = first; i < end; i++)
        if (m->pages[i] & PAGE_RESERVED)
            return true;
    return false;
}

static void set_flags(struct guest_mem *m, guest_addr_t addr, uint64_t len,
                      uint8_t keep_mask, uint8_t set)
{
    uint64_t first = addr >> GUEST_PAGE_SHIFT;
    uint64_t end = first + (len >> GUEST_PAGE_SHIFT);
    for (uint64_t i = first; i < end; i++)
        m->pages[i] = (uint8_t)((m->pages[i] & keep_mask) | set);
}

/* ---- self-modifying code (see struct guest_mem) ---- */

static void code_lock(struct guest_mem *m)
{
    while (__atomic_exchange_n(&m->code_lock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}

static void code_unlock(struct guest_mem *m)
{
    __atomic_store_n(&m->code_lock, 0, __ATOMIC_RELEASE);
}

static void mark_dirty(struct guest_mem *m, uint64_t page)
{
    __atomic_fetch_or(&m->dirty[page / 64], UINT64_C(1) << (page % 64),
                      __ATOMIC_RELEASE);
    __atomic_fetch_or(&m->dirty_summary[page / 4096],
                      UINT64_C(1) << (page / 64 % 64), __ATOMIC_RELEASE);
    /* Before the page can change: a translation whose lifting began
     * before this bump is not installed (jit/compile.c). */
    __atomic_fetch_add(&m->code_epoch, 1, __ATOMIC_SEQ_CST);
    if (m->code_hook)
        m->code_hook(m->code_hook_ctx, (guest_addr_t)(page << GUEST_PAGE_SHIFT));
    __atomic_store_n(&m->dirty_pending, 1, __ATOMIC_RELEASE);
}

/* Under code_lock: page i stops being PAGE_CODE (dirty), and with restore
 * its host page gets the guest's protection back.  Order: the flag goes
 * first (a lifter that still saw it set did so before the epoch bump, so
 * its translation is refused or its cell zeroed: jit_install), then the
 * bump and the zeroing of cells (mark_dirty), then the page may change. */
static void code_drop(struct guest_mem *m, uint64_t i, bool restore)
{
    uint8_t f = m->pages[i];
    if (!(f & PAGE_CODE))
        return;
    __atomic_store_n(&m->pages[i], (uint8_t)(f & ~PAGE_CODE),
                     __ATOMIC_SEQ_CST);
    mark_dirty(m, i);
    if (restore && (f & GUEST_PROT_WRITE))
        mprotect(m->base + (i << GUEST_PAGE_SHIFT), GUEST_PAGE_SIZE,
                 host_prot(f & PAGE_PROT_MASK));
}

/* Under code_lock: the PAGE_CODE pages of [addr, addr+len) are dirty (the
 * caller then replaces their mapping or protection). */
static void code_drop_range(struct guest_mem *m, guest_addr_t addr,
                            uint64_t len)
{
    uint64_t first = addr >> GUEST_PAGE_SHIFT;
    uint64_t end = first + (len >> GUEST_PAGE_SHIFT);
    for (uint64_t i = first; i < end; i++)
        code_drop(m, i, false);
}

bool guest_mem_mark_code(struct guest_mem *m, guest_addr_t addr)
{
    uint64_t i = addr >> GUEST_PAGE_SHIFT;
    if (__atomic_load_n(&m->pages[i], __ATOMIC_ACQUIRE) & PAGE_CODE)
        return true;
    code_lock(m);
    uint8_t f = m->pages[i];
    /* (Unmapped or made non-executable since the caller checked.) */
    bool ok = (f & PAGE_MAPPED) && (f & GUEST_PROT_EXEC);
    if (ok && !(f & PAGE_CODE)) {
        if (f & GUEST_PROT_WRITE)
            ok = mprotect(m->base + (i << GUEST_PAGE_SHIFT), GUEST_PAGE_SIZE,
                          PROT_READ) == 0;
        if (ok)
            __atomic_store_n(&m->pages[i], (uint8_t)(f | PAGE_CODE),
                             __ATOMIC_RELEASE);
    }
    code_unlock(m);
    return ok;
}

int guest_mem_code_fault(struct guest_mem *m, guest_addr_t addr)
{
    uint64_t i = addr >> GUEST_PAGE_SHIFT;
    code_lock(m);
    uint8_t f = m->pages[i];
    /* Guest-writable and mapped: either PAGE_CODE (read-only on the host
     * for that reason alone) or made writable by another thread since
     * the fault; the store can be retried either way. */
    int r = 0;
    if ((f & PAGE_MAPPED) && (f & GUEST_PROT_WRITE)) {
        r = f & PAGE_CODE ? 1 : 2;
        code_drop(m, i, true);
    }
    code_unlock(m);
    return r;
}

void guest_mem_prepare_write(struct guest_mem *m, guest_addr_t addr,
                             uint64_t len)
{
    if (len == 0 || (uint64_t)addr + len > GUEST_SPACE_SIZE)
        return;
    uint64_t first = addr >> GUEST_PAGE_SHIFT;
    uint64_t last = ((uint64_t)addr + len - 1) >> GUEST_PAGE_SHIFT;
    for (uint64_t i = first; i <= last; i++)
        if (__atomic_load_n(&m->pages[i], __ATOMIC_ACQUIRE) & PAGE_CODE) {
            code_lock(m);
            code_drop(m, i, true);
            code_unlock(m);
        }
}

bool guest_mem_take_dirty(struct guest_mem *m,
                          void (*fn)(void *ctx, guest_addr_t first,
                                     uint64_t end),
                          void *ctx)
{
    if (!__atomic_exchange_n(&m->dirty_pending, 0, __ATOMIC_ACQ_REL))
        return false;
    uint64_t run = 0, run_end = 0;
    bool any = false;
    for (uint64_t s = 0; s < GUEST_DIRTY_WORDS / 64; s++) {
        uint64_t sw = __atomic_exchange_n(&m->dirty_summary[s], 0,
                                          __ATOMIC_ACQ_REL);
        for (; sw; sw &= sw - 1) {
            uint64_t wi = s * 64 + (uint64_t)__builtin_ctzll(sw);
            uint64_t w = __atomic_exchange_n(&m->dirty[wi], 0,
                                             __ATOMIC_ACQ_REL);
            for (; w; w &= w - 1) {
                uint64_t page = wi * 64 + (uint64_t)__builtin_ctzll(w);
                if (any && page == run_end) {
                    run_end++;
                    continue;
                }
                if (any)
                    fn(ctx, (guest_addr_t)(run << GUEST_PAGE_SHIFT),
                       run_end << GUEST_PAGE_SHIFT);
                run = page;
                run_end = page + 1;
                any = true;
            }
        }
    }
    if (any)
        fn(ctx, (guest_addr_t)(run << GUEST_PAGE_SHIFT),
           run_end << GUEST_PAGE_SHIFT);
    return true;
}

/* ---- mappings ---- */

int guest_mem_map(struct guest_mem *m, guest_addr_t addr, uint64_t len,
                  int prot, int fd, uint64_t offset, int flags)
{
    if (!range_ok(addr, len) || len == 0)
        return -EINVAL;
    if (!(flags & GUEST_MAP_ALLOW_RESERVED) && touches_reserved(m, addr, len))
        return -EEXIST;
    void *want = g2h(m, addr);
    int share = (flags & GUEST_MAP_SHARED) ? MAP_SHARED : MAP_PRIVATE;
    void *p;
    code_lock(m);
    code_drop_range(m, addr, len);
    if (fd < 0)
        p = mmap(want, len, host_prot(prot),
                 share | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    else
        p = mmap(want, len, host_prot(prot), share | MAP_FIXED, fd,
                 (off_t)offset);
    if (p == MAP_FAILED) {
        int e = errno;
        /* MAP_FIXED may have unmapped what was there: put the reservation
         * back so the window stays whole. */
        mmap(want, len, PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
        set_flags(m, addr, len, PAGE_RESERVED, 0);
        code_unlock(m);
        return -e;
    }
    set_flags(m, addr, len, PAGE_RESERVED,
              (uint8_t)(PAGE_MAPPED | (prot & PAGE_PROT_MASK)));
    code_unlock(m);
    return 0;
}

int guest_mem_unmap(struct guest_mem *m, guest_addr_t addr, uint64_t len)
{
    if (!range_ok(addr, len))
        return -EINVAL;
    if (len == 0)
        return 0;
    code_lock(m);
    code_drop_range(m, addr, len);
    void *p = mmap(g2h(m, addr), len, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) {
        int e = errno;
        code_unlock(m);
        return -e;
    }
    set_flags(m, addr, len, PAGE_RESERVED, 0);
    code_unlock(m);
    return 0;
}

int guest_mem_protect(struct guest_mem *m, guest_addr_t addr, uint64_t len,
                      int prot)
{
    if (!range_ok(addr, len))
        return -EINVAL;
    uint64_t first = addr >> GUEST_PAGE_SHIFT;
    uint64_t end = first + (len >> GUEST_PAGE_SHIFT);
    for (uint64_t i = first; i < end; i++)
        if (!(m->pages[i] & PAGE_MAPPED))
            return -ENOMEM; /* as Linux: part of the range is unmapped */
    code_lock(m);
    /* Translations stay valid while their page stays executable and does
     * not become writable (code the guest may write is translated without
     * regions, lifter.h); a writable page keeps a read-only host page.
     * The others are dropped before the page becomes writable. */
    for (uint64_t i = first; i < end; i++) {
        uint8_t f = m->pages[i];
        if ((f & PAGE_CODE) &&
            (!(prot & GUEST_PROT_EXEC) ||
             ((prot & GUEST_PROT_WRITE) && !(f & GUEST_PROT_WRITE))))
            code_drop(m, i, false);
    }
    if (len && mprotect(g2h(m, addr), len, host_prot(prot)) != 0) {
        int e = errno;
        code_unlock(m);
        return -e;
    }
    for (uint64_t i = first; i < end; i++)
        if ((m->pages[i] & PAGE_CODE) && (prot & GUEST_PROT_WRITE) &&
            mprotect(m->base + (i << GUEST_PAGE_SHIFT), GUEST_PAGE_SIZE,
                     PROT_READ) != 0)
            code_drop(m, i, false); /* (cannot happen: it was read-only) */
    set_flags(m, addr, len, (uint8_t)~PAGE_PROT_MASK,
              (uint8_t)(prot & PAGE_PROT_MASK));
    code_unlock(m);
    return 0;
}

bool guest_mem_is_free(const struct guest_mem *m, guest_addr_t addr,
                       uint64_t len)
{
    if ((uint64_t)addr + len > GUEST_SPACE_SIZE)
        return false;
    uint64_t first = addr >> GUEST_PAGE_SHIFT;
    uint64_t end = guest_page_up((uint64_t)addr + len) >> GUEST_PAGE_SHIFT;
    for (uint64_t i = first; i < end; i++)
        if (m->pages[i] & (PAGE_MAPPED | PAGE_RESERVED))
            return false;
    return true;
}

int guest_mem_find_free(const struct guest_mem *m, uint64_t len,
                        guest_addr_t top, guest_addr_t *out)
{
    uint64_t need = guest_page_up(len) >> GUEST_PAGE_SHIFT;
    if (need == 0)
        return -EINVAL;
    uint64_t run = 0;
    for (uint64_t i = top >> GUEST_PAGE_SHIFT; i-- > 0;) {
        if (m->pages[i] & (PAGE_MAPPED | PAGE_RESERVED)) {
            run = 0;
            continue;
        }
        if (++run == need) {
            *out = (guest_addr_t)(i << GUEST_PAGE_SHIFT);
            return 0;
        }
    }
    return -ENOMEM;
}

bool guest_mem_access_ok(const struct guest_mem *m, guest_addr_t addr,
                         uint64_t len, int prot)
{
    if (len == 0)
        return true;
    if ((uint64_t)addr + len > GUEST_SPACE_SIZE)
        return false;
    uint64_t first = addr >> GUEST_PAGE_SHIFT;
    uint64_t last = ((uint64_t)addr + len - 1) >> GUEST_PAGE_SHIFT;
    for (uint64_t i = first; i <= last; i++) {
        uint8_t f = m->pages[i];
        int have = f & PAGE_PROT_MASK;
        /* On x86 every accessible page is readable. */
        if (have & (GUEST_PROT_WRITE | GUEST_PROT_EXEC))
            have |= GUEST_PROT_READ;
        if (!(f & PAGE_MAPPED) || (have & prot) != prot)
            return false;
    }
    return true;
}

int guest_mem_copy_to(struct guest_mem *m, guest_addr_t dst, const void *src,
                      size_t len)
{
    if (!guest_mem_access_ok(m, dst, len, GUEST_PROT_WRITE))
        return -EFAULT;
    guest_mem_prepare_write(m, dst, len);
    memcpy(g2h(m, dst), src, len);
    return 0;
}

int guest_mem_copy_from(const struct guest_mem *m, void *dst, guest_addr_t src,
                        size_t len)
{
    if (!guest_mem_access_ok(m, src, len, GUEST_PROT_READ))
        return -EFAULT;
    memcpy(dst, g2h(m, src), len);
    return 0;
}

long guest_mem_strnlen(const struct guest_mem *m, guest_addr_t src, size_t max)
{
    uint64_t a = src;
    for (size_t n = 0; n <= max; n++, a++) {
        if (a >= GUEST_SPACE_SIZE)
            return -EFAULT;
        if ((n == 0 || (a & (GUEST_PAGE_SIZE - 1)) == 0) &&
            !guest_mem_access_ok(m, (guest_addr_t)a, 1, GUEST_PROT_READ))
            return -EFAULT;
        if (*(const char *)g2h(m, (guest_addr_t)a) == '\0')
            return (long)n;
    }
    return -ENAMETOOLONG;
}
