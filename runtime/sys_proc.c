/* Process and thread system calls: exit, ids, uname, TLS (set_thread_area),
 * set_tid_address, robust lists, rseq, resource limits, getrandom.
 *
 * Deviations: set_robust_list and rseq answer ENOSYS (glibc then does
 * without them), as qemu-user does; AT_HWCAP2-style arch_prctl requests
 * answer EINVAL. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "syscall.h"

static long sys_exit(struct guest_thread *t, const uint32_t a[6])
{
    /* One thread for now: exit ends the process as exit_group does. */
    t->exited = true;
    t->exit_status = (int)(a[0] & 0xff);
    return 0;
}

static long sys_getpid(struct guest_thread *t, const uint32_t a[6])
{
    return getpid();
}

static long sys_getppid(struct guest_thread *t, const uint32_t a[6])
{
    return getppid();
}

static long sys_gettid(struct guest_thread *t, const uint32_t a[6])
{
    return t->tid;
}

static long sys_getuid(struct guest_thread *t, const uint32_t a[6])
{
    return getuid();
}

static long sys_geteuid(struct guest_thread *t, const uint32_t a[6])
{
    return geteuid();
}

static long sys_getgid(struct guest_thread *t, const uint32_t a[6])
{
    return getgid();
}

static long sys_getegid(struct guest_thread *t, const uint32_t a[6])
{
    return getegid();
}

/* 16-bit id calls: ids above 65535 read as the overflow id 65534. */
static long id16(long id)
{
    return id > 0xffff ? 65534 : id;
}

static long sys_getuid16(struct guest_thread *t, const uint32_t a[6])
{
    return id16(getuid());
}

static long sys_geteuid16(struct guest_thread *t, const uint32_t a[6])
{
    return id16(geteuid());
}

static long sys_getgid16(struct guest_thread *t, const uint32_t a[6])
{
    return id16(getgid());
}

static long sys_getegid16(struct guest_thread *t, const uint32_t a[6])
{
    return id16(getegid());
}

/* struct new_utsname is six 65-byte strings on i386 and x86-64 alike. */
_Static_assert(sizeof(struct utsname) == 6 * 65, "utsname");

static long sys_uname(struct guest_thread *t, const uint32_t a[6])
{
    struct utsname u;
    if (uname(&u) != 0)
        return -errno;
    snprintf(u.machine, sizeof(u.machine), "i686");
    return sys_copy_to(t, a[0], &u, sizeof(u));
}

/* ---- TLS: struct user_desc and the three GDT TLS slots ---- */

enum {
    UD_READ_EXEC_ONLY = 1u << 3,
    UD_SEG_NOT_PRESENT = 1u << 5,
};

/* Linux's LDT_empty(): a descriptor that clears the slot. */
static bool desc_empty(const struct kuser_desc32 *d)
{
    return d->base_addr == 0 && d->limit == 0 &&
           ((d->flags & ~(uint32_t)0x40) == (UD_READ_EXEC_ONLY |
                                             UD_SEG_NOT_PRESENT) ||
            (d->flags & 0x7f) == 0);
}

static long sys_set_thread_area(struct guest_thread *t, const uint32_t a[6])
{
    struct kuser_desc32 d;
    if (sys_copy_from(t, &d, a[0], sizeof(d)) < 0)
        return -EFAULT;
    int idx;
    if (d.entry_number == UINT32_MAX) {
        for (idx = 0; idx < TLS_ENTRY_COUNT && t->tls[idx].present; idx++)
            ;
        if (idx == TLS_ENTRY_COUNT)
            return -ESRCH;
        d.entry_number = TLS_ENTRY_MIN + (uint32_t)idx;
        if (sys_copy_to(t, a[0], &d.entry_number, 4) < 0)
            return -EFAULT;
    } else {
        idx = (int)d.entry_number - TLS_ENTRY_MIN;
        if (idx < 0 || idx >= TLS_ENTRY_COUNT)
            return -EINVAL;
    }
    struct tls_desc *s = &t->tls[idx];
    if (desc_empty(&d)) {
        memset(s, 0, sizeof(*s));
    } else {
        s->base = d.base_addr;
        s->limit = d.limit;
        s->flags = d.flags;
        s->present = !(d.flags & UD_SEG_NOT_PRESENT);
    }
    thread_load_segs(t);
    return 0;
}

static long sys_get_thread_area(struct guest_thread *t, const uint32_t a[6])
{
    struct kuser_desc32 d;
    if (sys_copy_from(t, &d, a[0], sizeof(d)) < 0)
        return -EFAULT;
    int idx = (int)d.entry_number - TLS_ENTRY_MIN;
    if (idx < 0 || idx >= TLS_ENTRY_COUNT)
        return -EINVAL;
    const struct tls_desc *s = &t->tls[idx];
    d.base_addr = s->base;
    d.limit = s->limit;
    d.flags = s->present ? s->flags : (UD_READ_EXEC_ONLY | UD_SEG_NOT_PRESENT);
    return sys_copy_to(t, a[0], &d, sizeof(d));
}

static long sys_set_tid_address(struct guest_thread *t, const uint32_t a[6])
{
    t->clear_child_tid = a[0];
    return t->tid;
}

static long sys_enosys(struct guest_thread *t, const uint32_t a[6])
{
    return -ENOSYS;
}

static long sys_arch_prctl(struct guest_thread *t, const uint32_t a[6])
{
    return -EINVAL;
}

/* ---- resource limits ---- */

static uint32_t clamp_rlim(rlim_t v, uint32_t inf)
{
    return v == RLIM_INFINITY || v > inf ? inf : (uint32_t)v;
}

static long get_rlimit32(struct guest_thread *t, const uint32_t a[6],
                         uint32_t inf)
{
    struct rlimit r;
    if (getrlimit((int)a[0], &r) != 0)
        return -errno;
    struct krlimit32 g = {clamp_rlim(r.rlim_cur, inf),
                         clamp_rlim(r.rlim_max, inf)};
    return sys_copy_to(t, a[1], &g, sizeof(g));
}

/* ugetrlimit: RLIM_INFINITY is ~0; the old getrlimit's is 0x7fffffff. */
static long sys_ugetrlimit(struct guest_thread *t, const uint32_t a[6])
{
    return get_rlimit32(t, a, UINT32_MAX);
}

static long sys_getrlimit(struct guest_thread *t, const uint32_t a[6])
{
    return get_rlimit32(t, a, 0x7fffffff);
}

static long sys_setrlimit(struct guest_thread *t, const uint32_t a[6])
{
    struct krlimit32 g;
    if (sys_copy_from(t, &g, a[1], sizeof(g)) < 0)
        return -EFAULT;
    struct rlimit r = {g.rlim_cur == UINT32_MAX ? RLIM_INFINITY : g.rlim_cur,
                       g.rlim_max == UINT32_MAX ? RLIM_INFINITY : g.rlim_max};
    return sys_host(setrlimit((int)a[0], &r));
}

static long sys_prlimit64(struct guest_thread *t, const uint32_t a[6])
{
    struct krlimit64 nv, ov;
    struct rlimit hn, ho;
    if (a[2]) {
        if (sys_copy_from(t, &nv, a[2], sizeof(nv)) < 0)
            return -EFAULT;
        hn.rlim_cur = nv.rlim_cur;
        hn.rlim_max = nv.rlim_max;
    }
    if (a[3] && !sys_guest_ptr(t, a[3], sizeof(ov), GUEST_PROT_WRITE))
        return -EFAULT;
    if (prlimit((pid_t)a[0], (int)a[1], a[2] ? &hn : NULL,
                a[3] ? &ho : NULL) != 0)
        return -errno;
    if (a[3]) {
        ov.rlim_cur = ho.rlim_cur;
        ov.rlim_max = ho.rlim_max;
        return sys_copy_to(t, a[3], &ov, sizeof(ov));
    }
    return 0;
}

static long sys_getrandom(struct guest_thread *t, const uint32_t a[6])
{
    void *p = sys_guest_ptr(t, a[0], a[1], GUEST_PROT_WRITE);
    if (!p)
        return -EFAULT;
    return sys_host(getrandom(p, a[1], a[2]));
}

static long sys_sched_yield(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(sched_yield());
}

const struct syscall_def sys_proc_defs[] = {
    {NR32_exit, "exit", sys_exit, "d", 'd'},
    {NR32_exit_group, "exit_group", sys_exit, "d", 'd'},
    {NR32_getpid, "getpid", sys_getpid, "", 'd'},
    {NR32_getppid, "getppid", sys_getppid, "", 'd'},
    {NR32_gettid, "gettid", sys_gettid, "", 'd'},
    {NR32_getuid32, "getuid32", sys_getuid, "", 'd'},
    {NR32_geteuid32, "geteuid32", sys_geteuid, "", 'd'},
    {NR32_getgid32, "getgid32", sys_getgid, "", 'd'},
    {NR32_getegid32, "getegid32", sys_getegid, "", 'd'},
    {NR32_getuid, "getuid", sys_getuid16, "", 'd'},
    {NR32_geteuid, "geteuid", sys_geteuid16, "", 'd'},
    {NR32_getgid, "getgid", sys_getgid16, "", 'd'},
    {NR32_getegid, "getegid", sys_getegid16, "", 'd'},
    {NR32_uname, "uname", sys_uname, "p", 'd'},
    {NR32_set_thread_area, "set_thread_area", sys_set_thread_area, "p", 'd'},
    {NR32_get_thread_area, "get_thread_area", sys_get_thread_area, "p", 'd'},
    {NR32_set_tid_address, "set_tid_address", sys_set_tid_address, "p", 'd'},
    {NR32_set_robust_list, "set_robust_list", sys_enosys, "pu", 'd'},
    {NR32_rseq, "rseq", sys_enosys, "pudx", 'd'},
    {NR32_arch_prctl, "arch_prctl", sys_arch_prctl, "xx", 'd'},
    {NR32_ugetrlimit, "ugetrlimit", sys_ugetrlimit, "dp", 'd'},
    {NR32_getrlimit, "getrlimit", sys_getrlimit, "dp", 'd'},
    {NR32_setrlimit, "setrlimit", sys_setrlimit, "dp", 'd'},
    {NR32_prlimit64, "prlimit64", sys_prlimit64, "ddpp", 'd'},
    {NR32_getrandom, "getrandom", sys_getrandom, "pux", 'd'},
    {NR32_sched_yield, "sched_yield", sys_sched_yield, "", 'd'},
};
SYSCALL_DEFS_END(proc);
