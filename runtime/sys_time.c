/* Time system calls: time, gettimeofday, times, nanosleep and the clock_*
 * calls, each clock call both with the i386 struct timespec32 and in the
 * *_time64 form (struct __kernel_timespec) that glibc 2.34+ tries first;
 * and the timers that raise signals: alarm, getitimer/setitimer and the
 * POSIX timer_* calls, all the host's (their signals come back through
 * r386's host handler; a timer's id and sigval are passed through).
 *
 * Clocks are the host's (a CPU-time clock measures r386's own process or
 * thread).  32-bit seconds are truncated as the i386 kernel truncates them
 * (after 2038 only the *_time64 calls are right). */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "kstructs.h"
#include "syscall.h"

/* ---- guest timespecs ---- */

/* ---- time of day ---- */

static long sys_time(struct guest_thread *t, const uint32_t a[6])
{
    int32_t now = (int32_t)time(NULL);
    if (a[0] && sys_copy_to(t, a[0], &now, sizeof(now)) < 0)
        return -EFAULT;
    return now;
}

/* gettimeofday(tv, tz): struct timezone is two ints on both ABIs. */
static long sys_gettimeofday(struct guest_thread *t, const uint32_t a[6])
{
    struct timeval tv;
    struct timezone tz;
    if (gettimeofday(&tv, &tz) < 0)
        return -errno;
    if (a[0]) {
        struct ktimeval32 g = kstruct_timeval32_from_host(&tv);
        if (sys_copy_to(t, a[0], &g, sizeof(g)) < 0)
            return -EFAULT;
    }
    if (a[1] && sys_copy_to(t, a[1], &tz, sizeof(tz)) < 0)
        return -EFAULT;
    return 0;
}

/* times(buf): the clock ticks since an arbitrary point, as i386 long. */
static long sys_times(struct guest_thread *t, const uint32_t a[6])
{
    struct tms h;
    clock_t r = times(&h);
    if (r == (clock_t)-1)
        return -errno;
    if (a[0]) {
        struct ktms32 g = kstruct_tms32_from_host(&h);
        if (sys_copy_to(t, a[0], &g, sizeof(g)) < 0)
            return -EFAULT;
    }
    return (int32_t)r;
}

/* ---- clocks ---- */

/* clock_gettime(clockid, tp): the host's vDSO, which hands unknown and
 * dynamic clock ids to the kernel. */
static long do_clock_gettime(struct guest_thread *t, const uint32_t a[6],
                             bool wide)
{
    struct timespec ts;
    if (clock_gettime((clockid_t)a[0], &ts) < 0)
        return -errno;
    return sys_put_timespec(t, a[1], wide, &ts);
}

static long sys_clock_gettime(struct guest_thread *t, const uint32_t a[6])
{
    return do_clock_gettime(t, a, false);
}

static long sys_clock_gettime64(struct guest_thread *t, const uint32_t a[6])
{
    return do_clock_gettime(t, a, true);
}

/* clock_getres(clockid, res or NULL) */
static long do_clock_getres(struct guest_thread *t, const uint32_t a[6],
                            bool wide)
{
    struct timespec ts;
    if (clock_getres((clockid_t)a[0], &ts) < 0)
        return -errno;
    return a[1] ? sys_put_timespec(t, a[1], wide, &ts) : 0;
}

static long sys_clock_getres(struct guest_thread *t, const uint32_t a[6])
{
    return do_clock_getres(t, a, false);
}

static long sys_clock_getres_time64(struct guest_thread *t,
                                    const uint32_t a[6])
{
    return do_clock_getres(t, a, true);
}

/* ---- sleeping ---- */

/* clock_nanosleep(clockid, flags, req, rem or NULL): the time left goes to
 * rem only when a relative sleep is interrupted, as in the kernel. */
static long do_clock_nanosleep(struct guest_thread *t, clockid_t clk,
                               int flags, guest_addr_t req, guest_addr_t rem,
                               bool wide)
{
    struct timespec in, left;
    if (sys_get_timespec(t, req, wide, &in) < 0)
        return -EFAULT;
    long r = sys_host(syscall(SYS_clock_nanosleep, clk, flags, &in, &left));
    if (r == -EINTR && rem && !(flags & TIMER_ABSTIME) &&
        sys_put_timespec(t, rem, wide, &left) < 0)
        return -EFAULT;
    return r;
}

static long sys_clock_nanosleep(struct guest_thread *t, const uint32_t a[6])
{
    return do_clock_nanosleep(t, (clockid_t)a[0], (int)a[1], a[2], a[3],
                              false);
}

static long sys_clock_nanosleep_time64(struct guest_thread *t,
                                       const uint32_t a[6])
{
    return do_clock_nanosleep(t, (clockid_t)a[0], (int)a[1], a[2], a[3],
                              true);
}

static long sys_nanosleep(struct guest_thread *t, const uint32_t a[6])
{
    return do_clock_nanosleep(t, CLOCK_MONOTONIC, 0, a[0], a[1], false);
}

/* ---- timers ---- */

static long sys_alarm(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return (long)alarm(a[0]);
}

static struct kitimerval32 itimerval_to_guest(const struct itimerval *h)
{
    return (struct kitimerval32){
        kstruct_timeval32_from_host(&h->it_interval),
        kstruct_timeval32_from_host(&h->it_value),
    };
}

static struct timeval timeval_from_guest(const struct ktimeval32 *g)
{
    return (struct timeval){g->tv_sec, g->tv_usec};
}

/* getitimer(which, curr) */
static long sys_getitimer(struct guest_thread *t, const uint32_t a[6])
{
    struct itimerval h;
    if (getitimer((int)a[0], &h) < 0)
        return -errno;
    struct kitimerval32 g = itimerval_to_guest(&h);
    return sys_copy_to(t, a[1], &g, sizeof(g)) < 0 ? -EFAULT : 0;
}

/* setitimer(which, new or NULL, old or NULL) */
static long sys_setitimer(struct guest_thread *t, const uint32_t a[6])
{
    struct itimerval nv = {{0, 0}, {0, 0}}, ov;
    if (a[1]) {
        struct kitimerval32 g;
        if (sys_copy_from(t, &g, a[1], sizeof(g)) < 0)
            return -EFAULT;
        nv.it_interval = timeval_from_guest(&g.it_interval);
        nv.it_value = timeval_from_guest(&g.it_value);
    }
    if (setitimer((int)a[0], &nv, &ov) < 0)
        return -errno;
    if (a[2]) {
        struct kitimerval32 g = itimerval_to_guest(&ov);
        if (sys_copy_to(t, a[2], &g, sizeof(g)) < 0)
            return -EFAULT;
    }
    return 0;
}

/* timer_create(clockid, sevp or NULL, timerid*): the host kernel's timer
 * (raw system call: the id is the kernel's int, as the guest sees it). */
static long sys_timer_create(struct guest_thread *t, const uint32_t a[6])
{
    struct sigevent hev, *evp = NULL;
    if (a[1]) {
        struct ksigevent32 g;
        if (sys_copy_from(t, &g, a[1], sizeof(g)) < 0)
            return -EFAULT;
        memset(&hev, 0, sizeof(hev));
        hev.sigev_value.sival_ptr = (void *)(uintptr_t)(uint32_t)g.value;
        hev.sigev_signo = g.signo;
        hev.sigev_notify = g.notify;
        hev._sigev_un._tid = g.tid;
        evp = &hev;
    }
    int id;
    long r = sys_host(syscall(SYS_timer_create, (clockid_t)a[0], evp, &id));
    if (r < 0)
        return r;
    int32_t gid = id;
    if (sys_copy_to(t, a[2], &gid, sizeof(gid)) < 0) {
        syscall(SYS_timer_delete, id);
        return -EFAULT;
    }
    return 0;
}

static int get_itimerspec(struct guest_thread *t, guest_addr_t addr,
                          bool wide, struct itimerspec *h)
{
    if (wide) {
        struct kitimerspec64 g;
        if (sys_copy_from(t, &g, addr, sizeof(g)) < 0)
            return -EFAULT;
        h->it_interval = kstruct_timespec64_to_host(&g.it_interval);
        h->it_value = kstruct_timespec64_to_host(&g.it_value);
    } else {
        struct kitimerspec32 g;
        if (sys_copy_from(t, &g, addr, sizeof(g)) < 0)
            return -EFAULT;
        h->it_interval = kstruct_timespec32_to_host(&g.it_interval);
        h->it_value = kstruct_timespec32_to_host(&g.it_value);
    }
    return 0;
}

static int put_itimerspec(struct guest_thread *t, guest_addr_t addr,
                          bool wide, const struct itimerspec *h)
{
    if (wide) {
        struct kitimerspec64 g = {
            kstruct_timespec64_from_host(&h->it_interval),
            kstruct_timespec64_from_host(&h->it_value)};
        return sys_copy_to(t, addr, &g, sizeof(g)) < 0 ? -EFAULT : 0;
    }
    struct kitimerspec32 g = {kstruct_timespec32_from_host(&h->it_interval),
                              kstruct_timespec32_from_host(&h->it_value)};
    return sys_copy_to(t, addr, &g, sizeof(g)) < 0 ? -EFAULT : 0;
}

/* timer_settime(id, flags, new, old or NULL) */
static long do_timer_settime(struct guest_thread *t, const uint32_t a[6],
                             bool wide)
{
    struct itimerspec nv, ov;
    if (get_itimerspec(t, a[2], wide, &nv) < 0)
        return -EFAULT;
    long r = sys_host(syscall(SYS_timer_settime, (int)a[0], (int)a[1], &nv,
                              a[3] ? &ov : NULL));
    if (r == 0 && a[3] && put_itimerspec(t, a[3], wide, &ov) < 0)
        return -EFAULT;
    return r;
}

static long sys_timer_settime(struct guest_thread *t, const uint32_t a[6])
{
    return do_timer_settime(t, a, false);
}

static long sys_timer_settime64(struct guest_thread *t, const uint32_t a[6])
{
    return do_timer_settime(t, a, true);
}

/* timer_gettime(id, curr) */
static long do_timer_gettime(struct guest_thread *t, const uint32_t a[6],
                             bool wide)
{
    struct itimerspec cur;
    long r = sys_host(syscall(SYS_timer_gettime, (int)a[0], &cur));
    if (r == 0 && put_itimerspec(t, a[1], wide, &cur) < 0)
        return -EFAULT;
    return r;
}

static long sys_timer_gettime(struct guest_thread *t, const uint32_t a[6])
{
    return do_timer_gettime(t, a, false);
}

static long sys_timer_gettime64(struct guest_thread *t, const uint32_t a[6])
{
    return do_timer_gettime(t, a, true);
}

static long sys_timer_getoverrun(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return sys_host(syscall(SYS_timer_getoverrun, (int)a[0]));
}

static long sys_timer_delete(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return sys_host(syscall(SYS_timer_delete, (int)a[0]));
}

const struct syscall_def sys_time_defs[] = {
    {NR32_time, "time", sys_time, "p", 'd'},
    {NR32_gettimeofday, "gettimeofday", sys_gettimeofday, "pp", 'd'},
    {NR32_times, "times", sys_times, "p", 'd'},
    {NR32_clock_gettime, "clock_gettime", sys_clock_gettime, "dp", 'd'},
    {NR32_clock_gettime64, "clock_gettime64", sys_clock_gettime64, "dp", 'd'},
    {NR32_clock_getres, "clock_getres", sys_clock_getres, "dp", 'd'},
    {NR32_clock_getres_time64, "clock_getres_time64",
     sys_clock_getres_time64, "dp", 'd'},
    {NR32_clock_nanosleep, "clock_nanosleep", sys_clock_nanosleep, "dxpp",
     'd'},
    {NR32_clock_nanosleep_time64, "clock_nanosleep_time64",
     sys_clock_nanosleep_time64, "dxpp", 'd'},
    {NR32_nanosleep, "nanosleep", sys_nanosleep, "pp", 'd'},
    {NR32_alarm, "alarm", sys_alarm, "u", 'd'},
    {NR32_getitimer, "getitimer", sys_getitimer, "dp", 'd'},
    {NR32_setitimer, "setitimer", sys_setitimer, "dpp", 'd'},
    {NR32_timer_create, "timer_create", sys_timer_create, "dpp", 'd'},
    {NR32_timer_settime, "timer_settime", sys_timer_settime, "dxpp", 'd'},
    {NR32_timer_settime64, "timer_settime64", sys_timer_settime64, "dxpp",
     'd'},
    {NR32_timer_gettime, "timer_gettime", sys_timer_gettime, "dp", 'd'},
    {NR32_timer_gettime64, "timer_gettime64", sys_timer_gettime64, "dp", 'd'},
    {NR32_timer_getoverrun, "timer_getoverrun", sys_timer_getoverrun, "d",
     'd'},
    {NR32_timer_delete, "timer_delete", sys_timer_delete, "d", 'd'},
};
SYSCALL_DEFS_END(time);
