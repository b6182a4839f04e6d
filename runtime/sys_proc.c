/* Process and thread system calls: exit, ids and credentials, process
 * groups and sessions, uname, TLS (set_thread_area), set_tid_address,
 * robust lists, rseq, resource limits and usage, sysinfo, prctl,
 * scheduling (affinity, priority), personality, getrandom.
 *
 * Deviations: set_robust_list and rseq answer ENOSYS (glibc then does
 * without them), as qemu-user does; AT_HWCAP2-style arch_prctl requests
 * answer EINVAL. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "syscall.h"

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

long thread_set_area(struct guest_thread *t, guest_addr_t desc)
{
    struct kuser_desc32 d;
    if (sys_copy_from(t, &d, desc, sizeof(d)) < 0)
        return -EFAULT;
    int idx;
    if (d.entry_number == UINT32_MAX) {
        for (idx = 0; idx < TLS_ENTRY_COUNT && t->tls[idx].present; idx++)
            ;
        if (idx == TLS_ENTRY_COUNT)
            return -ESRCH;
        d.entry_number = TLS_ENTRY_MIN + (uint32_t)idx;
        if (sys_copy_to(t, desc, &d.entry_number, 4) < 0)
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

static long sys_set_thread_area(struct guest_thread *t, const uint32_t a[6])
{
    return thread_set_area(t, a[0]);
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

static long sys_getrusage(struct guest_thread *t, const uint32_t a[6])
{
    struct rusage ru;
    if (getrusage((int)a[0], &ru) != 0)
        return -errno;
    struct krusage32 g = kstruct_rusage32_from_host(&ru);
    return sys_copy_to(t, a[1], &g, sizeof(g));
}

static long sys_sysinfo(struct guest_thread *t, const uint32_t a[6])
{
    struct sysinfo si;
    if (sysinfo(&si) != 0)
        return -errno;
    struct ksysinfo32 g = kstruct_sysinfo32_from_host(&si);
    return sys_copy_to(t, a[0], &g, sizeof(g));
}

/* ---- credentials, process groups, sessions ---- */

/* The 32-bit id calls map one to one onto the host's (uid_t is 32 bits on
 * both); the 16-bit ones pass -1 ("unchanged") through as -1. */
static long id_arg16(uint32_t v)
{
    return (v & 0xffff) == 0xffff ? -1 : (long)(v & 0xffff);
}

static long sys_setuid32(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_setuid, a[0]));
}

static long sys_setgid32(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_setgid, a[0]));
}

static long sys_setreuid32(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_setreuid, a[0], a[1]));
}

static long sys_setregid32(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_setregid, a[0], a[1]));
}

static long sys_setresuid32(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_setresuid, a[0], a[1], a[2]));
}

static long sys_setresgid32(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_setresgid, a[0], a[1], a[2]));
}

static long sys_setuid16(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_setuid, id_arg16(a[0])));
}

static long sys_setgid16(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_setgid, id_arg16(a[0])));
}

/* getresuid32/getresgid32: three ids written to three guest pointers. */
static long put_three_ids(struct guest_thread *t, const uint32_t a[6],
                          const uint32_t id[3])
{
    for (int i = 0; i < 3; i++)
        if (!sys_guest_ptr(t, a[i], 4, GUEST_PROT_WRITE))
            return -EFAULT;
    for (int i = 0; i < 3; i++)
        if (sys_copy_to(t, a[i], &id[i], 4) < 0)
            return -EFAULT;
    return 0;
}

static long sys_getresuid32(struct guest_thread *t, const uint32_t a[6])
{
    uid_t r, e, s;
    if (getresuid(&r, &e, &s) != 0)
        return -errno;
    return put_three_ids(t, a, (const uint32_t[3]){r, e, s});
}

static long sys_getresgid32(struct guest_thread *t, const uint32_t a[6])
{
    gid_t r, e, s;
    if (getresgid(&r, &e, &s) != 0)
        return -errno;
    return put_three_ids(t, a, (const uint32_t[3]){r, e, s});
}

#define GROUPS_MAX 65536 /* NGROUPS_MAX */

static long sys_getgroups32(struct guest_thread *t, const uint32_t a[6])
{
    int32_t n = (int32_t)a[0];
    if (n < 0)
        return -EINVAL;
    if (n == 0)
        return sys_host(getgroups(0, NULL));
    if (n > GROUPS_MAX)
        n = GROUPS_MAX;
    void *p = sys_guest_ptr(t, a[1], (size_t)n * 4, GUEST_PROT_WRITE);
    if (!p)
        return -EFAULT;
    return sys_host(getgroups(n, p)); /* gid_t is 32 bits on both */
}

static long sys_setgroups32(struct guest_thread *t, const uint32_t a[6])
{
    if (a[0] > GROUPS_MAX)
        return -EINVAL;
    void *p = a[0] ? sys_guest_ptr(t, a[1], (size_t)a[0] * 4, GUEST_PROT_READ)
                   : NULL;
    if (a[0] && !p)
        return -EFAULT;
    return sys_host(syscall(SYS_setgroups, a[0], p));
}

static long sys_setpgid(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(setpgid((pid_t)a[0], (pid_t)a[1]));
}

static long sys_getpgid(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(getpgid((pid_t)a[0]));
}

static long sys_getpgrp(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(getpgrp());
}

static long sys_setsid(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(setsid());
}

static long sys_getsid(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(getsid((pid_t)a[0]));
}

/* ---- prctl ---- */

/* The options that mean the same for an i386 process and need no
 * translation pass through; those with a pointer argument are copied. */
static long sys_prctl(struct guest_thread *t, const uint32_t a[6])
{
    switch (a[0]) {
    case PR_SET_NAME: {
        char name[16];
        int e = sys_guest_str(t, a[1], name, sizeof(name));
        if (e == -ENAMETOOLONG) { /* the kernel truncates */
            if (sys_copy_from(t, name, a[1], sizeof(name) - 1) < 0)
                return -EFAULT;
            name[sizeof(name) - 1] = 0;
        } else if (e < 0) {
            return e;
        }
        return sys_host(prctl(PR_SET_NAME, name));
    }
    case PR_GET_NAME: {
        char name[16] = {0};
        if (prctl(PR_GET_NAME, name) != 0)
            return -errno;
        return sys_copy_to(t, a[1], name, sizeof(name));
    }
    case PR_GET_PDEATHSIG: {
        int sig;
        if (prctl(PR_GET_PDEATHSIG, &sig) != 0)
            return -errno;
        return sys_copy_to(t, a[1], &sig, 4);
    }
    case PR_SET_PDEATHSIG:
    case PR_GET_DUMPABLE:
    case PR_SET_DUMPABLE:
    case PR_GET_KEEPCAPS:
    case PR_SET_KEEPCAPS:
    case PR_SET_NO_NEW_PRIVS:
    case PR_GET_NO_NEW_PRIVS:
    case PR_SET_CHILD_SUBREAPER:
    case PR_CAPBSET_READ:
    case PR_GET_TIMERSLACK:
    case PR_SET_TIMERSLACK:
    case PR_GET_SECCOMP:
        return sys_host(prctl((int)a[0], (unsigned long)a[1],
                              (unsigned long)a[2], (unsigned long)a[3],
                              (unsigned long)a[4]));
    default:
        return -EINVAL; /* seccomp filters, mm fields...: not for a guest */
    }
}

/* ---- scheduling ---- */

/* The affinity mask is an array of 32-bit words for i386 and of 64-bit
 * words for the host: the same bytes, lengths rounded differently. */
static long sys_sched_getaffinity(struct guest_thread *t, const uint32_t a[6])
{
    uint32_t len = a[1];
    if (len & 3)
        return -EINVAL;
    uint8_t mask[1024] = {0};
    size_t hostlen = len >= sizeof(mask) ? sizeof(mask) : (len + 7) & ~7u;
    long r = syscall(SYS_sched_getaffinity, (pid_t)a[0], hostlen, mask);
    if (r < 0)
        return -errno;
    if ((uint32_t)r > len)
        r = len;
    return sys_copy_to(t, a[2], mask, (size_t)r) < 0 ? -EFAULT : r;
}

static long sys_sched_setaffinity(struct guest_thread *t, const uint32_t a[6])
{
    uint8_t mask[1024] = {0};
    uint32_t len = a[1] > sizeof(mask) ? sizeof(mask) : a[1];
    if (sys_copy_from(t, mask, a[2], len) < 0)
        return -EFAULT;
    return sys_host(syscall(SYS_sched_setaffinity, (pid_t)a[0],
                            (len + 7) & ~7u, mask));
}

static long sys_sched_getscheduler(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(sched_getscheduler((pid_t)a[0]));
}

static long sys_sched_getparam(struct guest_thread *t, const uint32_t a[6])
{
    struct sched_param p;
    if (sched_getparam((pid_t)a[0], &p) != 0)
        return -errno;
    int32_t prio = p.sched_priority;
    return sys_copy_to(t, a[1], &prio, 4);
}

static long sys_sched_get_priority_max(struct guest_thread *t,
                                       const uint32_t a[6])
{
    return sys_host(sched_get_priority_max((int)a[0]));
}

static long sys_sched_get_priority_min(struct guest_thread *t,
                                       const uint32_t a[6])
{
    return sys_host(sched_get_priority_min((int)a[0]));
}

/* The raw calls: getpriority answers 20 - nice, as the kernel does. */
static long sys_getpriority(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_getpriority, (int)a[0], (int)a[1]));
}

static long sys_setpriority(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_setpriority, (int)a[0], (int)a[1],
                            (int)a[2]));
}

/* nice(inc) has no x86-64 system call: it is setpriority relative to the
 * current value, clamped to -20..19. */
static long sys_nice(struct guest_thread *t, const uint32_t a[6])
{
    long cur = syscall(SYS_getpriority, PRIO_PROCESS, 0);
    if (cur < 0)
        return -errno;
    long v = 20 - cur + (int32_t)a[0];
    v = v < -20 ? -20 : v > 19 ? 19 : v;
    return sys_host(setpriority(PRIO_PROCESS, 0, (int)v));
}

static long sys_getcpu(struct guest_thread *t, const uint32_t a[6])
{
    unsigned cpu, node;
    if (syscall(SYS_getcpu, &cpu, &node, NULL) != 0)
        return -errno;
    if (a[0] && sys_copy_to(t, a[0], &cpu, 4) < 0)
        return -EFAULT;
    if (a[1] && sys_copy_to(t, a[1], &node, 4) < 0)
        return -EFAULT;
    return 0;
}

/* personality: the guest sees and sets the host process's persona (r386
 * gives every persona the same address space). */
static long sys_personality(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(personality(a[0]));
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
    {NR32_getrusage, "getrusage", sys_getrusage, "dp", 'd'},
    {NR32_sysinfo, "sysinfo", sys_sysinfo, "p", 'd'},
    {NR32_setuid32, "setuid32", sys_setuid32, "u", 'd'},
    {NR32_setgid32, "setgid32", sys_setgid32, "u", 'd'},
    {NR32_setreuid32, "setreuid32", sys_setreuid32, "dd", 'd'},
    {NR32_setregid32, "setregid32", sys_setregid32, "dd", 'd'},
    {NR32_setresuid32, "setresuid32", sys_setresuid32, "ddd", 'd'},
    {NR32_setresgid32, "setresgid32", sys_setresgid32, "ddd", 'd'},
    {NR32_setuid, "setuid", sys_setuid16, "u", 'd'},
    {NR32_setgid, "setgid", sys_setgid16, "u", 'd'},
    {NR32_getresuid32, "getresuid32", sys_getresuid32, "ppp", 'd'},
    {NR32_getresgid32, "getresgid32", sys_getresgid32, "ppp", 'd'},
    {NR32_getgroups32, "getgroups32", sys_getgroups32, "dp", 'd'},
    {NR32_setgroups32, "setgroups32", sys_setgroups32, "dp", 'd'},
    {NR32_setpgid, "setpgid", sys_setpgid, "dd", 'd'},
    {NR32_getpgid, "getpgid", sys_getpgid, "d", 'd'},
    {NR32_getpgrp, "getpgrp", sys_getpgrp, "", 'd'},
    {NR32_setsid, "setsid", sys_setsid, "", 'd'},
    {NR32_getsid, "getsid", sys_getsid, "d", 'd'},
    {NR32_prctl, "prctl", sys_prctl, "dxxxx", 'd'},
    {NR32_sched_getaffinity, "sched_getaffinity", sys_sched_getaffinity, "dup", 'd'},
    {NR32_sched_setaffinity, "sched_setaffinity", sys_sched_setaffinity, "dup", 'd'},
    {NR32_sched_getscheduler, "sched_getscheduler", sys_sched_getscheduler, "d", 'd'},
    {NR32_sched_getparam, "sched_getparam", sys_sched_getparam, "dp", 'd'},
    {NR32_sched_get_priority_max, "sched_get_priority_max", sys_sched_get_priority_max, "d", 'd'},
    {NR32_sched_get_priority_min, "sched_get_priority_min", sys_sched_get_priority_min, "d", 'd'},
    {NR32_getpriority, "getpriority", sys_getpriority, "dd", 'd'},
    {NR32_setpriority, "setpriority", sys_setpriority, "ddd", 'd'},
    {NR32_nice, "nice", sys_nice, "d", 'd'},
    {NR32_getcpu, "getcpu", sys_getcpu, "ppp", 'd'},
    {NR32_personality, "personality", sys_personality, "x", 'x'},
};
SYSCALL_DEFS_END(proc);
