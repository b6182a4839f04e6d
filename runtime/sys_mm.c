/* Memory system calls: brk, mmap, mmap2, munmap, mprotect, mremap,
 * madvise, msync -- all inside the guest window.
 *
 * Placement is deterministic: without MAP_FIXED (or a free hint) mappings
 * go top-down below GUEST_MMAP_BASE, as Linux's top-down allocator does
 * with randomisation off. */
#include <string.h>
#include <sys/mman.h>

#include "runtime_internal.h"
#include "syscall.h"

static struct runtime *rt_of(struct guest_thread *t)
{
    return t->rt;
}

/* ---- brk ---- */

static long sys_brk(struct guest_thread *t, const uint32_t a[6])
{
    struct runtime *rt = rt_of(t);
    guest_addr_t want = a[0];
    pthread_mutex_lock(&rt->mm_lock);
    guest_addr_t cur = rt->brk;
    if (want < rt->info.start_brk) {
        pthread_mutex_unlock(&rt->mm_lock);
        return cur;
    }
    uint64_t old_top = guest_page_up(cur), new_top = guest_page_up(want);
    if (new_top > old_top) {
        /* Growing must not run into another mapping (Linux refuses). */
        if (!guest_mem_is_free(&rt->mem, (guest_addr_t)old_top,
                               new_top - old_top) ||
            guest_mem_map(&rt->mem, (guest_addr_t)old_top, new_top - old_top,
                          GUEST_PROT_READ | GUEST_PROT_WRITE, -1, 0, 0) < 0) {
            pthread_mutex_unlock(&rt->mm_lock);
            return cur;
        }
    } else if (new_top < old_top) {
        if (guest_mem_unmap(&rt->mem, (guest_addr_t)new_top,
                            old_top - new_top) < 0) {
            pthread_mutex_unlock(&rt->mm_lock);
            return cur;
        }
    }
    rt->brk = want;
    pthread_mutex_unlock(&rt->mm_lock);
    return want;
}

/* ---- mmap ---- */

static long do_mmap(struct guest_thread *t, guest_addr_t addr, uint32_t len,
                    uint32_t prot, uint32_t flags, int32_t fd, uint64_t off)
{
    struct runtime *rt = rt_of(t);
    if (len == 0 || (off & (GUEST_PAGE_SIZE - 1)))
        return -EINVAL;
    if (prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    uint32_t type = flags & MAP_TYPE;
    if (type != MAP_PRIVATE && type != MAP_SHARED &&
        type != MAP_SHARED_VALIDATE)
        return -EINVAL;
    uint64_t size = guest_page_up(len);
    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (fixed && (addr & (GUEST_PAGE_SIZE - 1)))
        return -EINVAL;
    /* Nothing may be mapped above TASK_SIZE (the top of the stack). */
    if (fixed && (uint64_t)addr + size > GUEST_STACK_TOP)
        return -ENOMEM;
    int map_fd = (flags & MAP_ANONYMOUS) ? -1 : fd;
    if (map_fd < 0 && !(flags & MAP_ANONYMOUS))
        return -EBADF;

    pthread_mutex_lock(&rt->mm_lock);
    long r;
    if (fixed) {
        if ((flags & MAP_FIXED_NOREPLACE) &&
            !guest_mem_is_free(&rt->mem, addr, size)) {
            r = -EEXIST;
            goto out;
        }
        if (addr < GUEST_MIN_ADDR) {
            r = -EPERM;
            goto out;
        }
    } else if (!(addr && guest_mem_is_free(&rt->mem, addr & GUEST_PAGE_MASK,
                                           size))) {
        if (guest_mem_find_free(&rt->mem, size, GUEST_MMAP_BASE, &addr) < 0) {
            r = -ENOMEM;
            goto out;
        }
    } else {
        addr &= GUEST_PAGE_MASK;
    }
    int gflags = type == MAP_PRIVATE ? 0 : GUEST_MAP_SHARED;
    if (fixed)
        gflags |= GUEST_MAP_ALLOW_RESERVED; /* the guest asked for it */
    r = guest_mem_map(&rt->mem, addr, size, (int)prot, map_fd, off, gflags);
    if (r == 0) {
        codemap_mapped(rt->codemap, addr, size, map_fd, off);
        r = addr;
    }
out:
    pthread_mutex_unlock(&rt->mm_lock);
    return r;
}

static long sys_mmap2(struct guest_thread *t, const uint32_t a[6])
{
    return do_mmap(t, a[0], a[1], a[2], a[3], (int32_t)a[4],
                   (uint64_t)a[5] * GUEST_PAGE_SIZE);
}

/* Old i386 mmap: one pointer to six words. */
static long sys_old_mmap(struct guest_thread *t, const uint32_t a[6])
{
    uint32_t v[6];
    if (sys_copy_from(t, v, a[0], sizeof(v)) < 0)
        return -EFAULT;
    return do_mmap(t, v[0], v[1], v[2], v[3], (int32_t)v[4], v[5]);
}

static bool range_args_ok(guest_addr_t addr, uint32_t len)
{
    return !(addr & (GUEST_PAGE_SIZE - 1)) &&
           (uint64_t)addr + guest_page_up(len) <= GUEST_SPACE_SIZE;
}

static long sys_munmap(struct guest_thread *t, const uint32_t a[6])
{
    struct runtime *rt = rt_of(t);
    if (!range_args_ok(a[0], a[1]) || a[1] == 0)
        return -EINVAL;
    pthread_mutex_lock(&rt->mm_lock);
    long r = guest_mem_unmap(&rt->mem, a[0], guest_page_up(a[1]));
    if (r == 0)
        codemap_mapped(rt->codemap, a[0], guest_page_up(a[1]), -1, 0);
    pthread_mutex_unlock(&rt->mm_lock);
    return r;
}

static long sys_mprotect(struct guest_thread *t, const uint32_t a[6])
{
    struct runtime *rt = rt_of(t);
    uint32_t prot = a[2] & ~(uint32_t)(PROT_GROWSDOWN | PROT_GROWSUP);
    if (!range_args_ok(a[0], a[1]) ||
        (prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    pthread_mutex_lock(&rt->mm_lock);
    long r = guest_mem_protect(&rt->mem, a[0], guest_page_up(a[1]),
                               (int)prot);
    pthread_mutex_unlock(&rt->mm_lock);
    return r;
}

/* mremap: shrink in place, grow in place when the pages after are free,
 * else move (MREMAP_MAYMOVE) by copying into a fresh anonymous mapping.
 * Deviation: a moved file mapping becomes anonymous memory with the same
 * contents, so later changes to the file are not seen through it. */
static long sys_mremap(struct guest_thread *t, const uint32_t a[6])
{
    struct runtime *rt = rt_of(t);
    guest_addr_t old = a[0];
    uint64_t old_size = guest_page_up(a[1]), new_size = guest_page_up(a[2]);
    uint32_t flags = a[3];
    if (!range_args_ok(old, a[1]) || new_size == 0 ||
        new_size > GUEST_SPACE_SIZE || (flags & ~(uint32_t)MREMAP_MAYMOVE))
        return -EINVAL;
    pthread_mutex_lock(&rt->mm_lock);
    long r = -EFAULT;
    if (!guest_mem_access_ok(&rt->mem, old, old_size, 0))
        goto out;
    int prot = guest_mem_page_flags(&rt->mem, old) & PAGE_PROT_MASK;
    if (new_size <= old_size) {
        r = guest_mem_unmap(&rt->mem, (guest_addr_t)(old + new_size),
                            old_size - new_size);
        if (r == 0) {
            codemap_mapped(rt->codemap, (guest_addr_t)(old + new_size),
                           old_size - new_size, -1, 0);
            r = old;
        }
        goto out;
    }
    if ((uint64_t)old + new_size <= GUEST_SPACE_SIZE &&
        guest_mem_is_free(&rt->mem, (guest_addr_t)(old + old_size),
                          new_size - old_size)) {
        r = guest_mem_map(&rt->mem, (guest_addr_t)(old + old_size),
                          new_size - old_size, prot, -1, 0, 0);
        if (r == 0)
            r = old;
        goto out;
    }
    r = -ENOMEM;
    if (!(flags & MREMAP_MAYMOVE))
        goto out;
    guest_addr_t dst;
    if (guest_mem_find_free(&rt->mem, new_size, GUEST_MMAP_BASE, &dst) < 0)
        goto out;
    r = guest_mem_map(&rt->mem, dst, new_size,
                      GUEST_PROT_READ | GUEST_PROT_WRITE, -1, 0, 0);
    if (r < 0)
        goto out;
    memcpy(g2h(&rt->mem, dst), g2h(&rt->mem, old), old_size);
    if (guest_mem_protect(&rt->mem, dst, new_size, prot) < 0 ||
        guest_mem_unmap(&rt->mem, old, old_size) < 0) {
        r = -ENOMEM;
        goto out;
    }
    codemap_mapped(rt->codemap, old, old_size, -1, 0); /* now anonymous */
    r = dst;
out:
    pthread_mutex_unlock(&rt->mm_lock);
    return r;
}

/* madvise: advice only; MADV_DONTNEED on private anonymous memory must
 * zero it, which the host's madvise does on the same pages. */
static long sys_madvise(struct guest_thread *t, const uint32_t a[6])
{
    if (!range_args_ok(a[0], a[1]))
        return -EINVAL;
    if (a[1] == 0)
        return 0;
    if (!guest_mem_access_ok(sys_mem(t), a[0], guest_page_up(a[1]), 0))
        return -ENOMEM;
    /* DONTNEED, FREE, REMOVE may change the contents: not code any more. */
    if (a[2] == MADV_DONTNEED || a[2] == MADV_FREE || a[2] == MADV_REMOVE)
        guest_mem_prepare_write(sys_mem(t), a[0], guest_page_up(a[1]));
    return sys_host(madvise(g2h(sys_mem(t), a[0]), guest_page_up(a[1]),
                            (int)a[2]));
}

static long sys_msync(struct guest_thread *t, const uint32_t a[6])
{
    if (!range_args_ok(a[0], a[1]))
        return -EINVAL;
    if (!guest_mem_access_ok(sys_mem(t), a[0], guest_page_up(a[1]), 0))
        return -ENOMEM;
    return sys_host(msync(g2h(sys_mem(t), a[0]), guest_page_up(a[1]),
                          (int)a[2]));
}

const struct syscall_def sys_mm_defs[] = {
    {NR32_brk, "brk", sys_brk, "x", 'x'},
    {NR32_mmap, "mmap", sys_old_mmap, "p", 'x'},
    {NR32_mmap2, "mmap2", sys_mmap2, "xuxxfx", 'x'},
    {NR32_munmap, "munmap", sys_munmap, "xu", 'd'},
    {NR32_mprotect, "mprotect", sys_mprotect, "xux", 'd'},
    {NR32_mremap, "mremap", sys_mremap, "xuux", 'x'},
    {NR32_madvise, "madvise", sys_madvise, "xud", 'd'},
    {NR32_msync, "msync", sys_msync, "xux", 'd'},
};
SYSCALL_DEFS_END(mm);
