/* Whole-file and file-system calls: statfs in its four forms, sync and
 * syncfs, fadvise, fallocate, readahead, flock, sendfile, copy_file_range,
 * memfd_create, mknod, close_range, and the old time-stamp calls utime,
 * utimes and futimesat.
 *
 * 64-bit file offsets arrive split over two registers (low word first). */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kstructs.h"
#include "sys_path.h"
#include "syscall.h"

static int64_t off64(uint32_t lo, uint32_t hi)
{
    return (int64_t)((uint64_t)hi << 32 | lo);
}

/* ---- statfs ---- */

static long put_statfs(struct guest_thread *t, guest_addr_t a, bool wide,
                       const struct statfs *h)
{
    if (wide) {
        struct kstatfs64 g = kstruct_statfs64_from_host(h);
        return sys_copy_to(t, a, &g, sizeof(g));
    }
    struct kstatfs32 g;
    int e = kstruct_statfs32_from_host(h, &g);
    return e < 0 ? e : sys_copy_to(t, a, &g, sizeof(g));
}

static long do_statfs(struct guest_thread *t, guest_addr_t path_a,
                      guest_addr_t buf, bool wide)
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, path_a, path);
    if (e < 0)
        return e;
    struct statfs h;
    if (statfs(path, &h) != 0)
        return -errno;
    return put_statfs(t, buf, wide, &h);
}

static long do_fstatfs(struct guest_thread *t, uint32_t fd, guest_addr_t buf,
                       bool wide)
{
    struct statfs h;
    if (fstatfs((int)fd, &h) != 0)
        return -errno;
    return put_statfs(t, buf, wide, &h);
}

static long sys_statfs(struct guest_thread *t, const uint32_t a[6])
{
    return do_statfs(t, a[0], a[1], false);
}

static long sys_fstatfs(struct guest_thread *t, const uint32_t a[6])
{
    return do_fstatfs(t, a[0], a[1], false);
}

/* statfs64(path, size, buf): size must be i386's sizeof(struct statfs64). */
static long sys_statfs64(struct guest_thread *t, const uint32_t a[6])
{
    if (a[1] != sizeof(struct kstatfs64))
        return -EINVAL;
    return do_statfs(t, a[0], a[2], true);
}

static long sys_fstatfs64(struct guest_thread *t, const uint32_t a[6])
{
    if (a[1] != sizeof(struct kstatfs64))
        return -EINVAL;
    return do_fstatfs(t, a[0], a[2], true);
}

/* ---- data: sync, advice, allocation, locks, copies ---- */

static long sys_sync(struct guest_thread *t, const uint32_t a[6])
{
    sync();
    return 0;
}

static long sys_syncfs(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syncfs((int)a[0]));
}

/* fadvise64(fd, offset lo, hi, 32-bit len, advice) */
static long sys_fadvise64(struct guest_thread *t, const uint32_t a[6])
{
    return -posix_fadvise((int)a[0], off64(a[1], a[2]), (off_t)a[3],
                          (int)a[4]);
}

/* fadvise64_64(fd, offset lo, hi, len lo, hi, advice) */
static long sys_fadvise64_64(struct guest_thread *t, const uint32_t a[6])
{
    return -posix_fadvise((int)a[0], off64(a[1], a[2]), off64(a[3], a[4]),
                          (int)a[5]);
}

/* fallocate(fd, mode, offset lo, hi, len lo, hi) */
static long sys_fallocate(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(fallocate((int)a[0], (int)a[1], off64(a[2], a[3]),
                              off64(a[4], a[5])));
}

/* readahead(fd, offset lo, hi, count) */
static long sys_readahead(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(readahead((int)a[0], off64(a[1], a[2]), a[3]));
}

static long sys_flock(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(flock((int)a[0], (int)a[1]));
}

/* sendfile(out, in, offset, count): the offset pointer (if any) is a
 * 32-bit off_t for sendfile and a 64-bit one for sendfile64. */
static long do_sendfile(struct guest_thread *t, const uint32_t a[6],
                        bool wide)
{
    off_t off = 0;
    if (a[2]) {
        if (wide) {
            int64_t v;
            if (sys_copy_from(t, &v, a[2], 8) < 0)
                return -EFAULT;
            off = v;
        } else {
            int32_t v;
            if (sys_copy_from(t, &v, a[2], 4) < 0)
                return -EFAULT;
            off = v;
        }
    }
    ssize_t r = sendfile((int)a[0], (int)a[1], a[2] ? &off : NULL, a[3]);
    if (r < 0)
        return -errno;
    if (a[2]) {
        if (!wide && off > INT32_MAX)
            return -EOVERFLOW;
        int64_t v = off;
        int32_t v32 = (int32_t)off;
        if (sys_copy_to(t, a[2], wide ? (void *)&v : (void *)&v32,
                        wide ? 8 : 4) < 0)
            return -EFAULT;
    }
    return r;
}

static long sys_sendfile(struct guest_thread *t, const uint32_t a[6])
{
    return do_sendfile(t, a, false);
}

static long sys_sendfile64(struct guest_thread *t, const uint32_t a[6])
{
    return do_sendfile(t, a, true);
}

/* copy_file_range(in, &off_in, out, &off_out, len, flags): loff_t offsets
 * read and written back through guest pointers. */
static long sys_copy_file_range(struct guest_thread *t, const uint32_t a[6])
{
    int64_t off[2];
    const guest_addr_t at[2] = {a[1], a[3]};
    for (int i = 0; i < 2; i++)
        if (at[i] && sys_copy_from(t, &off[i], at[i], 8) < 0)
            return -EFAULT;
    loff_t in = off[0], out = off[1];
    ssize_t r = copy_file_range((int)a[0], at[0] ? &in : NULL, (int)a[2],
                                at[1] ? &out : NULL, a[4], a[5]);
    if (r < 0)
        return -errno;
    off[0] = in;
    off[1] = out;
    for (int i = 0; i < 2; i++)
        if (at[i] && sys_copy_to(t, at[i], &off[i], 8) < 0)
            return -EFAULT;
    return r;
}

static long sys_memfd_create(struct guest_thread *t, const uint32_t a[6])
{
    char name[256];
    int e = sys_guest_str(t, a[0], name, sizeof(name));
    if (e < 0)
        return e == -ENAMETOOLONG ? -EINVAL : e;
    return sys_host(syscall(SYS_memfd_create, name, a[1]));
}

static long sys_close_range(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(syscall(SYS_close_range, a[0], a[1], a[2]));
}

/* ---- names: mknod ---- */

/* The device number is the kernel's 32-bit "new" encoding on both ABIs. */
static long sys_mknodat(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[1], path);
    if (e < 0)
        return e;
    return sys_host(syscall(SYS_mknodat, (int)a[0], path, a[2], a[3]));
}

static long sys_mknod(struct guest_thread *t, const uint32_t a[6])
{
    const uint32_t b[6] = {(uint32_t)AT_FDCWD, a[0], a[1], a[2]};
    return sys_mknodat(t, b);
}

/* ---- utime, utimes, futimesat ---- */

/* Both time stamps from two guest timevals at a (or "now" when a is 0). */
static long do_futimesat(struct guest_thread *t, int dirfd,
                         guest_addr_t path_a, guest_addr_t a)
{
    char path[SYS_PATH_MAX];
    const char *p = NULL;
    if (path_a) {
        int e = sys_path(t, path_a, path);
        if (e < 0)
            return e;
        p = path;
    }
    struct timespec ts[2], *pts = NULL;
    if (a) {
        struct ktimeval32 tv[2];
        if (sys_copy_from(t, tv, a, sizeof(tv)) < 0)
            return -EFAULT;
        for (int i = 0; i < 2; i++) {
            if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
                return -EINVAL;
            ts[i].tv_sec = tv[i].tv_sec;
            ts[i].tv_nsec = (long)tv[i].tv_usec * 1000;
        }
        pts = ts;
    }
    return sys_host(syscall(SYS_utimensat, dirfd, p, pts, 0));
}

static long sys_futimesat(struct guest_thread *t, const uint32_t a[6])
{
    return do_futimesat(t, (int)a[0], a[1], a[2]);
}

static long sys_utimes(struct guest_thread *t, const uint32_t a[6])
{
    return do_futimesat(t, AT_FDCWD, a[0], a[1]);
}

static long sys_utime(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    struct timespec ts[2], *pts = NULL;
    if (a[1]) {
        struct kutimbuf32 u;
        if (sys_copy_from(t, &u, a[1], sizeof(u)) < 0)
            return -EFAULT;
        ts[0] = (struct timespec){.tv_sec = u.actime};
        ts[1] = (struct timespec){.tv_sec = u.modtime};
        pts = ts;
    }
    return sys_host(syscall(SYS_utimensat, AT_FDCWD, path, pts, 0));
}

const struct syscall_def sys_fs_defs[] = {
    {NR32_statfs, "statfs", sys_statfs, "sp", 'd'},
    {NR32_fstatfs, "fstatfs", sys_fstatfs, "fp", 'd'},
    {NR32_statfs64, "statfs64", sys_statfs64, "sup", 'd'},
    {NR32_fstatfs64, "fstatfs64", sys_fstatfs64, "fup", 'd'},
    {NR32_sync, "sync", sys_sync, "", 'd'},
    {NR32_syncfs, "syncfs", sys_syncfs, "f", 'd'},
    {NR32_fadvise64, "fadvise64", sys_fadvise64, "fuudd", 'd'},
    {NR32_fadvise64_64, "fadvise64_64", sys_fadvise64_64, "fuuuud", 'd'},
    {NR32_fallocate, "fallocate", sys_fallocate, "fxuuuu", 'd'},
    {NR32_readahead, "readahead", sys_readahead, "fuuu", 'd'},
    {NR32_flock, "flock", sys_flock, "fd", 'd'},
    {NR32_sendfile, "sendfile", sys_sendfile, "ffpu", 'd'},
    {NR32_sendfile64, "sendfile64", sys_sendfile64, "ffpu", 'd'},
    {NR32_copy_file_range, "copy_file_range", sys_copy_file_range, "fpfpux", 'd'},
    {NR32_memfd_create, "memfd_create", sys_memfd_create, "sx", 'd'},
    {NR32_close_range, "close_range", sys_close_range, "uux", 'd'},
    {NR32_mknod, "mknod", sys_mknod, "sox", 'd'},
    {NR32_mknodat, "mknodat", sys_mknodat, "fsox", 'd'},
    {NR32_utime, "utime", sys_utime, "sp", 'd'},
    {NR32_utimes, "utimes", sys_utimes, "sp", 'd'},
    {NR32_futimesat, "futimesat", sys_futimesat, "fsp", 'd'},
};
SYSCALL_DEFS_END(fs);
