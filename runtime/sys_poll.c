/* Waiting on descriptors: ppoll and pselect6 (with their *_time64 forms),
 * epoll, eventfd, timerfd and signalfd.  (poll and select are in
 * sys_fd.c.)
 *
 * struct pollfd and struct epoll_event (12 bytes: packed on x86-64, a
 * 4-byte aligned u64 on i386) are the same on both ABIs and pass through;
 * timespecs and itimerspecs are converted; the i386 fd_set (32-bit words)
 * has the same bit order as the host's.  A signal mask is the guest's
 * 8-byte sigset, handed to the host as is.
 *
 * Deviations: pselect6 reads at most SYS_SELECT_MAX_FDS descriptors' bits. */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "syscall.h"

#define GUEST_SIGSET_SIZE 8
#define EP_MAX_EVENTS (INT32_MAX / KEPOLL_EVENT_SIZE)

/* A guest signal mask pointer with its size: the host copy in *set (or
 * NULL in *pset when none).  The host checks the size. */
static long mask_in(struct guest_thread *t, guest_addr_t a, uint32_t size,
                    uint64_t *set, uint64_t **pset)
{
    *pset = NULL;
    if (!a)
        return 0;
    if (size != GUEST_SIGSET_SIZE)
        return -EINVAL;
    if (sys_copy_from(t, set, a, sizeof(*set)) < 0)
        return -EFAULT;
    *pset = set;
    return 0;
}

/* ---- ppoll ---- */

static long do_ppoll(struct guest_thread *t, const uint32_t a[6], bool t64)
{
    struct timespec ts, *pts = NULL;
    if (a[2]) {
        if (sys_get_timespec(t, a[2], t64, &ts) < 0)
            return -EFAULT;
        pts = &ts;
    }
    uint64_t set, *pset;
    long r = mask_in(t, a[3], a[4], &set, &pset);
    if (r < 0)
        return r;
    void *fds = sys_guest_ptr(t, a[0], (uint64_t)a[1] * KPOLLFD_SIZE,
                              GUEST_PROT_READ | GUEST_PROT_WRITE);
    r = sys_host(syscall(SYS_ppoll, fds, (unsigned long)a[1], pts, pset,
                         (size_t)GUEST_SIGSET_SIZE));
    /* The time left, as Linux writes back (a failed copy is ignored). */
    if (pts && r != -EINVAL && r != -EFAULT) {
        long ignored = sys_put_timespec(t, a[2], t64, pts);
        (void)ignored;
    }
    return r;
}

static long sys_ppoll(struct guest_thread *t, const uint32_t a[6])
{
    return do_ppoll(t, a, false);
}

static long sys_ppoll_time64(struct guest_thread *t, const uint32_t a[6])
{
    return do_ppoll(t, a, true);
}

/* ---- pselect6 ---- */

static long do_pselect6(struct guest_thread *t, const uint32_t a[6], bool t64)
{
    int32_t n = (int32_t)a[0];
    if (n < 0)
        return -EINVAL;
    struct timespec ts, *pts = NULL;
    if (a[4]) {
        if (sys_get_timespec(t, a[4], t64, &ts) < 0)
            return -EFAULT;
        pts = &ts;
    }
    /* The sixth argument: a pointer to {sigset pointer, size}. */
    uint64_t set, *pset = NULL;
    if (a[5]) {
        uint32_t sig[2];
        if (sys_copy_from(t, sig, a[5], sizeof(sig)) < 0)
            return -EFAULT;
        long r = mask_in(t, sig[0], sig[1], &set, &pset);
        if (r < 0)
            return r;
    }
    struct sys_fdsets sets;
    long r = sys_fdsets_in(t, &sets, &n, a[1], a[2], a[3]);
    if (r < 0)
        goto out;
    struct {
        const uint64_t *ss;
        size_t ss_len;
    } sig = {pset, GUEST_SIGSET_SIZE};
    r = sys_host(syscall(SYS_pselect6, n, sets.host[0], sets.host[1],
                         sets.host[2], pts, &sig));
    if (pts && r != -EINVAL) {
        long ignored = sys_put_timespec(t, a[4], t64, pts);
        (void)ignored;
    }
    if (r >= 0 && sys_fdsets_out(t, &sets) < 0)
        r = -EFAULT;
out:
    sys_fdsets_free(&sets);
    return r;
}

static long sys_pselect6(struct guest_thread *t, const uint32_t a[6])
{
    return do_pselect6(t, a, false);
}

static long sys_pselect6_time64(struct guest_thread *t, const uint32_t a[6])
{
    return do_pselect6(t, a, true);
}

/* ---- epoll ---- */

static long sys_epoll_create(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    if ((int32_t)a[0] <= 0)
        return -EINVAL;
    return sys_host(epoll_create1(0));
}

static long sys_epoll_create1(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return sys_host(epoll_create1((int)a[0]));
}

static long sys_epoll_ctl(struct guest_thread *t, const uint32_t a[6])
{
    uint8_t ev[KEPOLL_EVENT_SIZE];
    void *p = NULL;
    if (a[1] != EPOLL_CTL_DEL) {
        if (sys_copy_from(t, ev, a[3], sizeof(ev)) < 0)
            return -EFAULT;
        p = ev;
    }
    return sys_host(epoll_ctl((int)a[0], (int)a[1], (int)a[2], p));
}

static long do_epoll_wait(struct guest_thread *t, const uint32_t a[6],
                          int timeout, const struct timespec *ts,
                          bool pwait, bool pwait2)
{
    int32_t max = (int32_t)a[2];
    if (max <= 0 || max > EP_MAX_EVENTS)
        return -EINVAL;
    void *ev = sys_guest_ptr(t, a[1], (uint64_t)max * KEPOLL_EVENT_SIZE,
                             GUEST_PROT_WRITE);
    if (!ev)
        return -EFAULT;
    uint64_t set, *pset = NULL;
    if (pwait) {
        long r = mask_in(t, a[4], a[5], &set, &pset);
        if (r < 0)
            return r;
    }
    if (pwait2)
        return sys_host(syscall(SYS_epoll_pwait2, (int)a[0], ev, max, ts,
                                pset, (size_t)GUEST_SIGSET_SIZE));
    return sys_host(syscall(SYS_epoll_pwait, (int)a[0], ev, max, timeout,
                            pset, (size_t)GUEST_SIGSET_SIZE));
}

static long sys_epoll_wait(struct guest_thread *t, const uint32_t a[6])
{
    return do_epoll_wait(t, a, (int)a[3], NULL, false, false);
}

static long sys_epoll_pwait(struct guest_thread *t, const uint32_t a[6])
{
    return do_epoll_wait(t, a, (int)a[3], NULL, true, false);
}

/* epoll_pwait2 takes a struct __kernel_timespec. */
static long sys_epoll_pwait2(struct guest_thread *t, const uint32_t a[6])
{
    struct timespec ts, *pts = NULL;
    if (a[3]) {
        if (sys_get_timespec(t, a[3], true, &ts) < 0)
            return -EFAULT;
        pts = &ts;
    }
    return do_epoll_wait(t, a, 0, pts, true, true);
}

/* ---- eventfd ---- */

static long sys_eventfd(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return sys_host(eventfd(a[0], 0));
}

static long sys_eventfd2(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return sys_host(eventfd(a[0], (int)a[1]));
}

/* ---- timerfd ---- */

static long its_in(struct guest_thread *t, guest_addr_t a, bool t64,
                   struct itimerspec *its)
{
    if (t64) {
        struct kitimerspec64 g;
        if (sys_copy_from(t, &g, a, sizeof(g)) < 0)
            return -EFAULT;
        its->it_interval = kstruct_timespec64_to_host(&g.it_interval);
        its->it_value = kstruct_timespec64_to_host(&g.it_value);
    } else {
        struct kitimerspec32 g;
        if (sys_copy_from(t, &g, a, sizeof(g)) < 0)
            return -EFAULT;
        its->it_interval = kstruct_timespec32_to_host(&g.it_interval);
        its->it_value = kstruct_timespec32_to_host(&g.it_value);
    }
    return 0;
}

static long its_out(struct guest_thread *t, guest_addr_t a, bool t64,
                    const struct itimerspec *its)
{
    if (t64) {
        struct kitimerspec64 g = {
            kstruct_timespec64_from_host(&its->it_interval),
            kstruct_timespec64_from_host(&its->it_value)};
        return sys_copy_to(t, a, &g, sizeof(g)) < 0 ? -EFAULT : 0;
    }
    struct kitimerspec32 g = {kstruct_timespec32_from_host(&its->it_interval),
                              kstruct_timespec32_from_host(&its->it_value)};
    return sys_copy_to(t, a, &g, sizeof(g)) < 0 ? -EFAULT : 0;
}

static long sys_timerfd_create(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return sys_host(timerfd_create((int)a[0], (int)a[1]));
}

static long do_timerfd_settime(struct guest_thread *t, const uint32_t a[6],
                               bool t64)
{
    struct itimerspec nv, ov;
    if (its_in(t, a[2], t64, &nv) < 0)
        return -EFAULT;
    long r = sys_host(timerfd_settime((int)a[0], (int)a[1], &nv,
                                      a[3] ? &ov : NULL));
    if (r == 0 && a[3] && its_out(t, a[3], t64, &ov) < 0)
        return -EFAULT;
    return r;
}

static long do_timerfd_gettime(struct guest_thread *t, const uint32_t a[6],
                               bool t64)
{
    struct itimerspec cur;
    long r = sys_host(timerfd_gettime((int)a[0], &cur));
    if (r == 0 && its_out(t, a[1], t64, &cur) < 0)
        return -EFAULT;
    return r;
}

static long sys_timerfd_settime(struct guest_thread *t, const uint32_t a[6])
{
    return do_timerfd_settime(t, a, false);
}

static long sys_timerfd_settime64(struct guest_thread *t, const uint32_t a[6])
{
    return do_timerfd_settime(t, a, true);
}

static long sys_timerfd_gettime(struct guest_thread *t, const uint32_t a[6])
{
    return do_timerfd_gettime(t, a, false);
}

static long sys_timerfd_gettime64(struct guest_thread *t, const uint32_t a[6])
{
    return do_timerfd_gettime(t, a, true);
}

/* ---- signalfd ---- */

static long do_signalfd(struct guest_thread *t, int fd, guest_addr_t mask,
                        uint32_t size, int flags)
{
    if (size != GUEST_SIGSET_SIZE)
        return -EINVAL;
    uint64_t set;
    if (sys_copy_from(t, &set, mask, sizeof(set)) < 0)
        return -EFAULT;
    return sys_host(syscall(SYS_signalfd4, fd, &set, (size_t)sizeof(set),
                            flags));
}

static long sys_signalfd(struct guest_thread *t, const uint32_t a[6])
{
    return do_signalfd(t, (int)a[0], a[1], a[2], 0);
}

static long sys_signalfd4(struct guest_thread *t, const uint32_t a[6])
{
    return do_signalfd(t, (int)a[0], a[1], a[2], (int)a[3]);
}

const struct syscall_def sys_poll_defs[] = {
    {NR32_ppoll, "ppoll", sys_ppoll, "puppu", 'd'},
    {NR32_ppoll_time64, "ppoll_time64", sys_ppoll_time64, "puppu", 'd'},
    {NR32_pselect6, "pselect6", sys_pselect6, "dppppp", 'd'},
    {NR32_pselect6_time64, "pselect6_time64", sys_pselect6_time64, "dppppp",
     'd'},
    {NR32_epoll_create, "epoll_create", sys_epoll_create, "d", 'd'},
    {NR32_epoll_create1, "epoll_create1", sys_epoll_create1, "x", 'd'},
    {NR32_epoll_ctl, "epoll_ctl", sys_epoll_ctl, "fdfp", 'd'},
    {NR32_epoll_wait, "epoll_wait", sys_epoll_wait, "fpdd", 'd'},
    {NR32_epoll_pwait, "epoll_pwait", sys_epoll_pwait, "fpddpu", 'd'},
    {NR32_epoll_pwait2, "epoll_pwait2", sys_epoll_pwait2, "fpdppu", 'd'},
    {NR32_eventfd, "eventfd", sys_eventfd, "u", 'd'},
    {NR32_eventfd2, "eventfd2", sys_eventfd2, "ux", 'd'},
    {NR32_timerfd_create, "timerfd_create", sys_timerfd_create, "dx", 'd'},
    {NR32_timerfd_settime, "timerfd_settime", sys_timerfd_settime, "fxpp",
     'd'},
    {NR32_timerfd_settime64, "timerfd_settime64", sys_timerfd_settime64,
     "fxpp", 'd'},
    {NR32_timerfd_gettime, "timerfd_gettime", sys_timerfd_gettime, "fp", 'd'},
    {NR32_timerfd_gettime64, "timerfd_gettime64", sys_timerfd_gettime64, "fp",
     'd'},
    {NR32_signalfd, "signalfd", sys_signalfd, "fpu", 'd'},
    {NR32_signalfd4, "signalfd4", sys_signalfd4, "fpux", 'd'},
};
SYSCALL_DEFS_END(poll);
