/* File-name system calls: access, readlink, the working directory, stat
 * (struct stat, stat64, statx), creating, removing and renaming names,
 * modes and owners, truncation, fsync, utimensat.
 *
 * Paths are used as the guest gives them (relative ones relative to the
 * host's working directory, which is the guest's); sys_path() is the one
 * place a guest path becomes a host one.  readlink of the program's own
 * /proc/.../exe answers the guest program's path, not r386's.
 *
 * Calls whose glibc wrappers add behaviour of their own (faccessat,
 * fchmodat, utimensat, getcwd) go to the host kernel through syscall(2). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "sys_path.h"
#include "syscall.h"

/* ---- paths ---- */

int sys_path(struct guest_thread *t, guest_addr_t a, char buf[SYS_PATH_MAX])
{
    return sys_guest_str(t, a, buf, SYS_PATH_MAX);
}

bool sys_path_is_self_exe(const char *path)
{
    if (strcmp(path, "/proc/self/exe") == 0 ||
        strcmp(path, "/proc/thread-self/exe") == 0)
        return true;
    char own[40];
    snprintf(own, sizeof(own), "/proc/%d/exe", (int)getpid());
    return strcmp(path, own) == 0;
}

/* The guest path at a, or NULL when a is 0 (calls where NULL means "the
 * descriptor itself"): 0 or a negative errno. */
static int path_or_null(struct guest_thread *t, guest_addr_t a,
                        char buf[SYS_PATH_MAX], const char **out)
{
    *out = NULL;
    if (!a)
        return 0;
    int e = sys_path(t, a, buf);
    if (e == 0)
        *out = buf;
    return e;
}

/* ---- access ---- */

static long sys_access(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(syscall(SYS_faccessat, AT_FDCWD, path, (int)a[1]));
}

static long sys_faccessat(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[1], path);
    if (e < 0)
        return e;
    return sys_host(syscall(SYS_faccessat, (int)a[0], path, (int)a[2]));
}

static long sys_faccessat2(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[1], path);
    if (e < 0)
        return e;
    return sys_host(syscall(SYS_faccessat2, (int)a[0], path, (int)a[2],
                            (int)a[3]));
}

/* ---- readlink ---- */

/* Like the kernel: at most bufsiz bytes, no NUL, the length returned. */
static long do_readlinkat(struct guest_thread *t, int dirfd, guest_addr_t gp,
                          guest_addr_t buf, int32_t bufsiz)
{
    char path[SYS_PATH_MAX], target[SYS_PATH_MAX];
    if (bufsiz <= 0)
        return -EINVAL;
    int e = sys_path(t, gp, path);
    if (e < 0)
        return e;
    size_t n;
    const char *exe = t->rt->info.exe_path;
    if (sys_path_is_self_exe(path) && exe) {
        n = strlen(exe);
        memcpy(target, exe, n < sizeof(target) ? n : sizeof(target));
    } else {
        ssize_t r = readlinkat(dirfd, path, target, sizeof(target));
        if (r < 0)
            return -errno;
        n = (size_t)r;
    }
    if (n > sizeof(target))
        n = sizeof(target);
    if (n > (size_t)bufsiz)
        n = (size_t)bufsiz;
    if (sys_copy_to(t, buf, target, n) < 0)
        return -EFAULT;
    return (long)n;
}

static long sys_readlink(struct guest_thread *t, const uint32_t a[6])
{
    return do_readlinkat(t, AT_FDCWD, a[0], a[1], (int32_t)a[2]);
}

static long sys_readlinkat(struct guest_thread *t, const uint32_t a[6])
{
    return do_readlinkat(t, (int)a[0], a[1], a[2], (int32_t)a[3]);
}

/* ---- the working directory ---- */

/* The raw getcwd: the length including the NUL, ERANGE when size is too
 * small for it. */
static long sys_getcwd(struct guest_thread *t, const uint32_t a[6])
{
    char cwd[SYS_PATH_MAX];
    long r = sys_host(syscall(SYS_getcwd, cwd, sizeof(cwd)));
    if (r < 0)
        return r;
    if ((uint32_t)r > a[1])
        return -ERANGE;
    if (sys_copy_to(t, a[0], cwd, (size_t)r) < 0)
        return -EFAULT;
    return r;
}

static long sys_chdir(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(chdir(path));
}

static long sys_fchdir(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(fchdir((int)a[0]));
}

/* ---- stat ---- */

/* fstatat into the guest's struct stat64 (or, old_abi, struct stat). */
static long do_stat(struct guest_thread *t, int dirfd, const char *path,
                    int flags, guest_addr_t buf, bool old_abi)
{
    struct stat st;
    if (fstatat(dirfd, path, &st, flags) < 0)
        return -errno;
    int e;
    if (old_abi) {
        struct kstat32 g;
        e = kstruct_stat32_from_host(&st, &g);
        if (e < 0)
            return e;
        e = sys_copy_to(t, buf, &g, sizeof(g));
    } else {
        struct kstat64 g;
        kstruct_stat64_from_host(&st, &g);
        e = sys_copy_to(t, buf, &g, sizeof(g));
    }
    return e < 0 ? -EFAULT : 0;
}

static long do_stat_path(struct guest_thread *t, guest_addr_t gp,
                         guest_addr_t buf, int flags, bool old_abi)
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, gp, path);
    if (e < 0)
        return e;
    return do_stat(t, AT_FDCWD, path, flags, buf, old_abi);
}

static long sys_stat64(struct guest_thread *t, const uint32_t a[6])
{
    return do_stat_path(t, a[0], a[1], 0, false);
}

static long sys_lstat64(struct guest_thread *t, const uint32_t a[6])
{
    return do_stat_path(t, a[0], a[1], AT_SYMLINK_NOFOLLOW, false);
}

static long sys_fstat64(struct guest_thread *t, const uint32_t a[6])
{
    return do_stat(t, (int)a[0], "", AT_EMPTY_PATH, a[1], false);
}

static long sys_stat(struct guest_thread *t, const uint32_t a[6])
{
    return do_stat_path(t, a[0], a[1], 0, true);
}

static long sys_lstat(struct guest_thread *t, const uint32_t a[6])
{
    return do_stat_path(t, a[0], a[1], AT_SYMLINK_NOFOLLOW, true);
}

static long sys_fstat(struct guest_thread *t, const uint32_t a[6])
{
    return do_stat(t, (int)a[0], "", AT_EMPTY_PATH, a[1], true);
}

/* fstatat64(dirfd, path, buf, flags) */
static long sys_fstatat64(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    const char *p;
    int e = path_or_null(t, a[1], path, &p);
    if (e < 0)
        return e;
    struct stat st;
    if (syscall(SYS_newfstatat, (int)a[0], p, &st, (int)a[3]) < 0)
        return -errno;
    struct kstat64 g;
    kstruct_stat64_from_host(&st, &g);
    return sys_copy_to(t, a[2], &g, sizeof(g)) < 0 ? -EFAULT : 0;
}

/* statx(dirfd, path, flags, mask, buf): struct statx is the same on both
 * ABIs. */
static long sys_statx(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    const char *p;
    int e = path_or_null(t, a[1], path, &p);
    if (e < 0)
        return e;
    struct statx sx;
    if (syscall(SYS_statx, (int)a[0], p, (int)a[2], a[3], &sx) < 0)
        return -errno;
    return sys_copy_to(t, a[4], &sx, sizeof(sx)) < 0 ? -EFAULT : 0;
}

/* ---- names: create, remove, rename, link ---- */

static long sys_mkdir(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(mkdir(path, (mode_t)a[1]));
}

static long sys_mkdirat(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[1], path);
    if (e < 0)
        return e;
    return sys_host(mkdirat((int)a[0], path, (mode_t)a[2]));
}

static long sys_rmdir(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(rmdir(path));
}

static long sys_unlink(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(unlink(path));
}

static long sys_unlinkat(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[1], path);
    if (e < 0)
        return e;
    return sys_host(unlinkat((int)a[0], path, (int)a[2]));
}

/* Two paths: the first, then the second, as the kernel reads them. */
static int two_paths(struct guest_thread *t, guest_addr_t g1, guest_addr_t g2,
                     char p1[SYS_PATH_MAX], char p2[SYS_PATH_MAX])
{
    int e = sys_path(t, g1, p1);
    return e < 0 ? e : sys_path(t, g2, p2);
}

static long sys_rename(struct guest_thread *t, const uint32_t a[6])
{
    char p1[SYS_PATH_MAX], p2[SYS_PATH_MAX];
    int e = two_paths(t, a[0], a[1], p1, p2);
    if (e < 0)
        return e;
    return sys_host(rename(p1, p2));
}

static long sys_renameat(struct guest_thread *t, const uint32_t a[6])
{
    char p1[SYS_PATH_MAX], p2[SYS_PATH_MAX];
    int e = two_paths(t, a[1], a[3], p1, p2);
    if (e < 0)
        return e;
    return sys_host(renameat((int)a[0], p1, (int)a[2], p2));
}

static long sys_renameat2(struct guest_thread *t, const uint32_t a[6])
{
    char p1[SYS_PATH_MAX], p2[SYS_PATH_MAX];
    int e = two_paths(t, a[1], a[3], p1, p2);
    if (e < 0)
        return e;
    return sys_host(syscall(SYS_renameat2, (int)a[0], p1, (int)a[2], p2,
                            a[4]));
}

/* symlink(target, linkpath): the target is stored as given. */
static long sys_symlink(struct guest_thread *t, const uint32_t a[6])
{
    char p1[SYS_PATH_MAX], p2[SYS_PATH_MAX];
    int e = two_paths(t, a[0], a[1], p1, p2);
    if (e < 0)
        return e;
    return sys_host(symlink(p1, p2));
}

static long sys_symlinkat(struct guest_thread *t, const uint32_t a[6])
{
    char p1[SYS_PATH_MAX], p2[SYS_PATH_MAX];
    int e = two_paths(t, a[0], a[2], p1, p2);
    if (e < 0)
        return e;
    return sys_host(symlinkat(p1, (int)a[1], p2));
}

static long sys_link(struct guest_thread *t, const uint32_t a[6])
{
    char p1[SYS_PATH_MAX], p2[SYS_PATH_MAX];
    int e = two_paths(t, a[0], a[1], p1, p2);
    if (e < 0)
        return e;
    return sys_host(link(p1, p2));
}

static long sys_linkat(struct guest_thread *t, const uint32_t a[6])
{
    char p1[SYS_PATH_MAX], p2[SYS_PATH_MAX];
    int e = two_paths(t, a[1], a[3], p1, p2);
    if (e < 0)
        return e;
    return sys_host(linkat((int)a[0], p1, (int)a[2], p2, (int)a[4]));
}

/* ---- modes and owners ---- */

static long sys_chmod(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(chmod(path, (mode_t)a[1]));
}

static long sys_fchmod(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(fchmod((int)a[0], (mode_t)a[1]));
}

/* fchmodat(dirfd, path, mode): the system call has no flags. */
static long sys_fchmodat(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[1], path);
    if (e < 0)
        return e;
    return sys_host(syscall(SYS_fchmodat, (int)a[0], path, (mode_t)a[2]));
}

/* The *32 calls take full 32-bit ids; (uid_t)-1 leaves one unchanged. */
static long sys_chown32(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(chown(path, a[1], a[2]));
}

static long sys_lchown32(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(lchown(path, a[1], a[2]));
}

static long sys_fchown32(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(fchown((int)a[0], a[1], a[2]));
}

static long sys_fchownat(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[1], path);
    if (e < 0)
        return e;
    return sys_host(fchownat((int)a[0], path, a[2], a[3], (int)a[4]));
}

static long sys_umask(struct guest_thread *t, const uint32_t a[6])
{
    return umask((mode_t)(a[0] & 0777));
}

/* ---- sizes and syncing ---- */

static long sys_truncate(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(truncate(path, (int32_t)a[1]));
}

static long sys_ftruncate(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(ftruncate((int)a[0], (int32_t)a[1]));
}

/* truncate64/ftruncate64: the length in two registers, low first. */
static long sys_truncate64(struct guest_thread *t, const uint32_t a[6])
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, a[0], path);
    if (e < 0)
        return e;
    return sys_host(truncate(path, (off_t)((uint64_t)a[2] << 32 | a[1])));
}

static long sys_ftruncate64(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(ftruncate((int)a[0], (off_t)((uint64_t)a[2] << 32 | a[1])));
}

static long sys_fsync(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(fsync((int)a[0]));
}

static long sys_fdatasync(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(fdatasync((int)a[0]));
}

/* ---- utimensat ---- */

/* utimensat(dirfd, path or NULL, times[2] or NULL, flags), with the two
 * times in the guest's struct timespec32 (wide: timespec64). */
static long do_utimensat(struct guest_thread *t, const uint32_t a[6],
                         bool wide)
{
    char path[SYS_PATH_MAX];
    const char *p;
    int e = path_or_null(t, a[1], path, &p);
    if (e < 0)
        return e;
    struct timespec ts[2], *pts = NULL;
    if (a[2]) {
        if (wide) {
            struct ktimespec64 g[2];
            if (sys_copy_from(t, g, a[2], sizeof(g)) < 0)
                return -EFAULT;
            ts[0] = kstruct_timespec64_to_host(&g[0]);
            ts[1] = kstruct_timespec64_to_host(&g[1]);
        } else {
            struct ktimespec32 g[2];
            if (sys_copy_from(t, g, a[2], sizeof(g)) < 0)
                return -EFAULT;
            ts[0] = kstruct_timespec32_to_host(&g[0]);
            ts[1] = kstruct_timespec32_to_host(&g[1]);
        }
        pts = ts;
    }
    return sys_host(syscall(SYS_utimensat, (int)a[0], p, pts, (int)a[3]));
}

static long sys_utimensat(struct guest_thread *t, const uint32_t a[6])
{
    return do_utimensat(t, a, false);
}

static long sys_utimensat_time64(struct guest_thread *t, const uint32_t a[6])
{
    return do_utimensat(t, a, true);
}

const struct syscall_def sys_file_defs[] = {
    {NR32_access, "access", sys_access, "so", 'd'},
    {NR32_faccessat, "faccessat", sys_faccessat, "fso", 'd'},
    {NR32_faccessat2, "faccessat2", sys_faccessat2, "fsox", 'd'},
    {NR32_readlink, "readlink", sys_readlink, "spu", 'd'},
    {NR32_readlinkat, "readlinkat", sys_readlinkat, "fspu", 'd'},
    {NR32_getcwd, "getcwd", sys_getcwd, "pu", 'd'},
    {NR32_chdir, "chdir", sys_chdir, "s", 'd'},
    {NR32_fchdir, "fchdir", sys_fchdir, "f", 'd'},
    {NR32_stat, "stat", sys_stat, "sp", 'd'},
    {NR32_lstat, "lstat", sys_lstat, "sp", 'd'},
    {NR32_fstat, "fstat", sys_fstat, "fp", 'd'},
    {NR32_stat64, "stat64", sys_stat64, "sp", 'd'},
    {NR32_lstat64, "lstat64", sys_lstat64, "sp", 'd'},
    {NR32_fstat64, "fstat64", sys_fstat64, "fp", 'd'},
    {NR32_fstatat64, "fstatat64", sys_fstatat64, "fspx", 'd'},
    {NR32_statx, "statx", sys_statx, "fsxxp", 'd'},
    {NR32_mkdir, "mkdir", sys_mkdir, "so", 'd'},
    {NR32_mkdirat, "mkdirat", sys_mkdirat, "fso", 'd'},
    {NR32_rmdir, "rmdir", sys_rmdir, "s", 'd'},
    {NR32_unlink, "unlink", sys_unlink, "s", 'd'},
    {NR32_unlinkat, "unlinkat", sys_unlinkat, "fsx", 'd'},
    {NR32_rename, "rename", sys_rename, "ss", 'd'},
    {NR32_renameat, "renameat", sys_renameat, "fsfs", 'd'},
    {NR32_renameat2, "renameat2", sys_renameat2, "fsfsx", 'd'},
    {NR32_symlink, "symlink", sys_symlink, "ss", 'd'},
    {NR32_symlinkat, "symlinkat", sys_symlinkat, "sfs", 'd'},
    {NR32_link, "link", sys_link, "ss", 'd'},
    {NR32_linkat, "linkat", sys_linkat, "fsfsx", 'd'},
    {NR32_chmod, "chmod", sys_chmod, "so", 'd'},
    {NR32_fchmod, "fchmod", sys_fchmod, "fo", 'd'},
    {NR32_fchmodat, "fchmodat", sys_fchmodat, "fso", 'd'},
    {NR32_chown32, "chown32", sys_chown32, "sdd", 'd'},
    {NR32_lchown32, "lchown32", sys_lchown32, "sdd", 'd'},
    {NR32_fchown32, "fchown32", sys_fchown32, "fdd", 'd'},
    {NR32_fchownat, "fchownat", sys_fchownat, "fsddx", 'd'},
    {NR32_umask, "umask", sys_umask, "o", 'd'},
    {NR32_truncate, "truncate", sys_truncate, "sd", 'd'},
    {NR32_ftruncate, "ftruncate", sys_ftruncate, "fd", 'd'},
    {NR32_truncate64, "truncate64", sys_truncate64, "sxx", 'd'},
    {NR32_ftruncate64, "ftruncate64", sys_ftruncate64, "fxx", 'd'},
    {NR32_fsync, "fsync", sys_fsync, "f", 'd'},
    {NR32_fdatasync, "fdatasync", sys_fdatasync, "f", 'd'},
    {NR32_utimensat, "utimensat", sys_utimensat, "fspx", 'd'},
    {NR32_utimensat_time64, "utimensat_time64", sys_utimensat_time64, "fspx",
     'd'},
};
SYSCALL_DEFS_END(file);
