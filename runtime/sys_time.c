/* Time system calls: time, gettimeofday, times, nanosleep and the clock_*
 * calls, each clock call both with the i386 struct timespec32 and in the
 * *_time64 form (struct __kernel_timespec) that glibc 2.34+ tries first.
 *
 * Clocks are the host's (a CPU-time clock measures r386's own process or
 * thread).  32-bit seconds are truncated as the i386 kernel truncates them
 * (after 2038 only the *_time64 calls are right). */
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
};
SYSCALL_DEFS_END(time);
