/* File-name system calls: access, readlink, the working directory, stat
 * (struct stat, stat64, statx), creating, removing and renaming names,
 * modes and owners, truncation, fsync, utimensat.
 *
 * Paths are used as the guest gives them (relative ones relative to the
 * host's working directory, which is the guest's); sys_path() is the one
 * place a guest path becomes a host one (-L redirection).  readlink of the
 * program's own /proc/.../exe answers the guest program's path, not r386's;
 * /proc/self/{maps,cmdline,auxv} are served from the guest's view
 * (sys_proc_open).  Also here: the old getdents and the 32-bit directory
 * offset cookies that it, getdents64 and lseek share.
 *
 * Calls whose glibc wrappers add behaviour of their own (faccessat,
 * fchmodat, utimensat, getcwd) go to the host kernel through syscall(2). */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "sys_path.h"
#include "syscall.h"

/* ---- paths ---- */

/* The -L directory made absolute once (the guest may chdir), or NULL. */
static char *sysroot_abs;
static pthread_once_t sysroot_once = PTHREAD_ONCE_INIT;
static const char *sysroot_cfg;

static void sysroot_init(void)
{
    const char *s = sysroot_cfg;
    if (!s || !*s)
        return;
    char *r = realpath(s, NULL);
    if (r && strcmp(r, "/") == 0) { /* -L / redirects nothing */
        free(r);
        return;
    }
    sysroot_abs = r;
}

/* qemu-user's rule (util/path.c): an absolute guest path names DIR/path
 * when that exists (access F_OK, following symlinks), else the host's
 * path.  So a file created at a path whose parent exists only on the host
 * is created on the host, and one replacing a file of the sysroot is
 * created in the sysroot.  /proc stays the host's (and the guest view of
 * its own entries is served by sys_proc_open). */
int sys_path(struct guest_thread *t, guest_addr_t a, char buf[SYS_PATH_MAX])
{
    int e = sys_guest_str(t, a, buf, SYS_PATH_MAX);
    if (e < 0 || buf[0] != '/')
        return e;
    sysroot_cfg = t->rt->cfg.sysroot;
    pthread_once(&sysroot_once, sysroot_init);
    if (!sysroot_abs || strncmp(buf, "/proc/", 6) == 0 ||
        strcmp(buf, "/proc") == 0)
        return 0;
    char full[SYS_PATH_MAX];
    int n = snprintf(full, sizeof(full), "%s%s", sysroot_abs, buf);
    if (n < 0 || (size_t)n >= sizeof(full) || access(full, F_OK) != 0)
        return 0;
    memcpy(buf, full, (size_t)n + 1);
    return 0;
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

/* ---- /proc/self from the guest's view ---- */

/* The entry name after /proc/self/, /proc/thread-self/ or /proc/<our
 * pid>/, or NULL. */
static const char *proc_self_entry(const char *path)
{
    static const char *const pre[] = {"/proc/self/", "/proc/thread-self/"};
    for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
        if (strncmp(path, pre[i], strlen(pre[i])) == 0)
            return path + strlen(pre[i]);
    char own[40];
    int n = snprintf(own, sizeof(own), "/proc/%d/", (int)getpid());
    if (strncmp(path, own, (size_t)n) == 0)
        return path + n;
    return NULL;
}

struct membuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void mb_add(struct membuf *b, const void *d, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t c = b->cap ? b->cap * 2 : 4096;
        while (c < b->len + n)
            c *= 2;
        char *q = realloc(b->p, c);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

enum map_name { MN_NONE, MN_EXE, MN_INTERP, MN_HEAP, MN_STACK, MN_FILE };

/* The end (exclusive) of the run of mapped pages starting at a. */
static uint64_t mapped_run_end(const struct guest_mem *m, guest_addr_t a)
{
    uint64_t p = a >> GUEST_PAGE_SHIFT;
    while (p < GUEST_PAGE_COUNT && (m->pages[p] & PAGE_MAPPED))
        p++;
    return p << GUEST_PAGE_SHIFT;
}

/* The path the guest knows a host file by (root: the -L sysroot's real
 * path, or NULL): without the sysroot. */
static const char *guest_path_of(const char *root, const char *host)
{
    size_t n = root ? strlen(root) : 0;
    if (n > 1 && strncmp(host, root, n) == 0 && host[n] == '/')
        return host + n;
    return host;
}

/* /proc/self/maps: runs of guest pages with the same protection and name,
 * in the kernel's format (path column at width 73).  File mappings other
 * than the program's and the interpreter's (the codemap: libraries mapped
 * by ld.so, files the guest mapped) have their offset, device, inode and
 * path; the others 0 and no path. */
static void build_maps(struct runtime *rt, struct membuf *b)
{
    const struct guest_mem *m = &rt->mem;
    const struct image_info *in = &rt->info;
    uint64_t exe_lo = in->load_addr, exe_hi = 0, int_lo = 0, int_hi = 0;
    uint64_t heap_lo = guest_page_up(in->start_brk);
    uint64_t heap_hi = guest_page_up(rt->brk);
    if (in->load_addr) {
        exe_hi = mapped_run_end(m, in->load_addr);
        if (in->start_brk > in->load_addr && exe_hi > heap_lo)
            exe_hi = heap_lo;
    }
    if (in->has_interp && in->interp_base) {
        int_lo = in->interp_base;
        int_hi = mapped_run_end(m, in->interp_base);
    }
    uint64_t start = 0;
    int cur_prot = -1;
    enum map_name cur_name = MN_NONE;
    struct codemap_entry cur_file = {0}, file = {0};
    char *root = rt->cfg.sysroot ? realpath(rt->cfg.sysroot, NULL) : NULL;
    for (uint64_t p = 0; p <= GUEST_PAGE_COUNT; p++) {
        uint64_t a = p << GUEST_PAGE_SHIFT;
        int prot = -1;
        enum map_name name = MN_NONE;
        if (p < GUEST_PAGE_COUNT) {
            uint8_t f = m->pages[p];
            if (f & PAGE_MAPPED) {
                prot = f & PAGE_PROT_MASK;
                if (a >= in->stack_limit && a < in->stack_top)
                    name = MN_STACK;
                else if (a >= heap_lo && a < heap_hi)
                    name = MN_HEAP;
                else if (a >= exe_lo && a < exe_hi)
                    name = MN_EXE;
                else if (a >= int_lo && a < int_hi)
                    name = MN_INTERP;
                else if (codemap_lookup(rt->codemap, (guest_addr_t)a, &file))
                    name = MN_FILE;
            }
        }
        if (prot == cur_prot && name == cur_name &&
            (name != MN_FILE || file.start == cur_file.start))
            continue;
        if (cur_prot >= 0) {
            char line[128 + SYS_PATH_MAX];
            bool f = cur_name == MN_FILE;
            int n = snprintf(
                line, 128,
                "%08" PRIx64 "-%08" PRIx64 " %c%c%cp %08" PRIx64
                " %02x:%02x %" PRIu64,
                start, a, (cur_prot & GUEST_PROT_READ) ? 'r' : '-',
                (cur_prot & GUEST_PROT_WRITE) ? 'w' : '-',
                (cur_prot & GUEST_PROT_EXEC) ? 'x' : '-',
                f ? cur_file.offset + (start - cur_file.start) : 0,
                f ? major(cur_file.dev) : 0, f ? minor(cur_file.dev) : 0,
                f ? cur_file.ino : 0);
            const char *nm = NULL;
            switch (cur_name) {
            case MN_EXE: nm = in->exe_path; break;
            case MN_INTERP: nm = in->interp_path; break;
            case MN_HEAP: nm = "[heap]"; break;
            case MN_STACK: nm = "[stack]"; break;
            case MN_FILE: nm = guest_path_of(root, cur_file.path); break;
            default: break;
            }
            if (nm) {
                while (n < 72)
                    line[n++] = ' ';
                n += snprintf(line + n, sizeof(line) - (size_t)n, " %s", nm);
            }
            line[n++] = '\n';
            mb_add(b, line, (size_t)n);
        }
        start = a;
        cur_prot = prot;
        cur_name = name;
        cur_file = file;
    }
    free(root);
}

bool sys_proc_open(struct guest_thread *t, const char *path, uint32_t flags,
                   long *result)
{
    const char *e = proc_self_entry(path);
    if (!e || (strcmp(e, "maps") != 0 && strcmp(e, "cmdline") != 0 &&
               strcmp(e, "auxv") != 0))
        return false;
    if ((flags & O_ACCMODE) != O_RDONLY) {
        *result = -EACCES;
        return true;
    }
    struct runtime *rt = t->rt;
    struct membuf b = {0};
    if (strcmp(e, "maps") == 0) {
        pthread_mutex_lock(&rt->mm_lock);
        build_maps(rt, &b);
        pthread_mutex_unlock(&rt->mm_lock);
    } else if (strcmp(e, "cmdline") == 0) {
        guest_addr_t lo = rt->info.arg_start, hi = rt->info.arg_end;
        if (hi > lo) {
            char *tmp = malloc(hi - lo);
            if (tmp && guest_mem_copy_from(&rt->mem, tmp, lo, hi - lo) == 0)
                mb_add(&b, tmp, hi - lo);
            free(tmp);
        }
    } else {
        bool null_seen = false;
        for (uint32_t i = 0; i < rt->info.auxv_count; i++) {
            uint32_t pair[2] = {rt->info.auxv[i].type, rt->info.auxv[i].value};
            mb_add(&b, pair, sizeof(pair));
            if (pair[0] == 0) {
                null_seen = true;
                break;
            }
        }
        if (!null_seen) {
            uint32_t pair[2] = {0, 0};
            mb_add(&b, pair, sizeof(pair));
        }
    }
    long r;
    if (b.oom) {
        r = -ENOMEM;
    } else {
        int fd = memfd_create("r386-proc",
                              (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
        r = fd;
        if (fd < 0) {
            r = -errno;
        } else {
            size_t done = 0;
            while (done < b.len) {
                ssize_t w = write(fd, b.p + done, b.len - done);
                if (w <= 0) {
                    r = w < 0 ? -errno : -EIO;
                    close(fd);
                    break;
                }
                done += (size_t)w;
            }
            if (r >= 0)
                lseek(fd, 0, SEEK_SET);
        }
    }
    free(b.p);
    *result = r;
    return true;
}

/* ---- directory offsets for a 32-bit program ---- */

/* ext4 gives 32-bit (compat) callers 31-bit hash offsets; an x86-64 host
 * call gets 63-bit ones, which a non-LFS readdir refuses (EOVERFLOW).  A
 * directory offset that does not fit in 31 bits is handed to the guest as
 * a cookie, one per distinct host offset, the same for every descriptor:
 * cookie = DIR_COOKIE_BASE + index into dc_host.  Offsets below 2^31 pass
 * unchanged. */
#define DIR_COOKIE_BASE 0x60000000u
#define DIR_COOKIE_MAX (0x7fffffffu - DIR_COOKIE_BASE)

static pthread_mutex_t dc_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *dc_host;   /* index -> host offset */
static uint32_t dc_count, dc_cap;
static uint32_t *dc_slots;  /* open addressing: index + 1, 0 empty */
static uint32_t dc_nslots;  /* power of two */

static uint32_t dc_hash(uint64_t v)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdull;
    v ^= v >> 33;
    return (uint32_t)v;
}

static int dc_grow(void)
{
    uint32_t n = dc_nslots ? dc_nslots * 2 : 1024;
    uint32_t *sl = calloc(n, sizeof(*sl));
    if (!sl)
        return -ENOMEM;
    for (uint32_t i = 0; i < dc_count; i++) {
        uint32_t h = dc_hash(dc_host[i]) & (n - 1);
        while (sl[h])
            h = (h + 1) & (n - 1);
        sl[h] = i + 1;
    }
    free(dc_slots);
    dc_slots = sl;
    dc_nslots = n;
    return 0;
}

int64_t sys_dir_off_to_guest(uint64_t host)
{
    if (host <= INT32_MAX)
        return (int64_t)host;
    int64_t r = -EOVERFLOW;
    pthread_mutex_lock(&dc_lock);
    if (dc_nslots) {
        uint32_t h = dc_hash(host) & (dc_nslots - 1);
        while (dc_slots[h]) {
            if (dc_host[dc_slots[h] - 1] == host) {
                r = DIR_COOKIE_BASE + (dc_slots[h] - 1);
                goto out;
            }
            h = (h + 1) & (dc_nslots - 1);
        }
    }
    if (dc_count >= DIR_COOKIE_MAX)
        goto out;
    if ((uint64_t)(dc_count + 1) * 2 > dc_nslots && dc_grow() < 0) {
        r = -ENOMEM;
        goto out;
    }
    if (dc_count == dc_cap) {
        uint32_t c = dc_cap ? dc_cap * 2 : 512;
        uint64_t *nh = realloc(dc_host, c * sizeof(*nh));
        if (!nh) {
            r = -ENOMEM;
            goto out;
        }
        dc_host = nh;
        dc_cap = c;
    }
    dc_host[dc_count] = host;
    uint32_t h = dc_hash(host) & (dc_nslots - 1);
    while (dc_slots[h])
        h = (h + 1) & (dc_nslots - 1);
    dc_slots[h] = dc_count + 1;
    r = DIR_COOKIE_BASE + dc_count;
    dc_count++;
out:
    pthread_mutex_unlock(&dc_lock);
    return r;
}

uint64_t sys_dir_off_to_host(uint64_t guest)
{
    uint64_t r = guest;
    if (guest < DIR_COOKIE_BASE || guest > INT32_MAX)
        return r;
    pthread_mutex_lock(&dc_lock);
    if (guest - DIR_COOKIE_BASE < dc_count)
        r = dc_host[guest - DIR_COOKIE_BASE];
    pthread_mutex_unlock(&dc_lock);
    return r;
}

bool sys_is_dir_fd(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Host linux_dirent64 records. */
struct host_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* getdents(fd, struct linux_dirent *, count), the i386 (compat) record:
 * u32 d_ino, u32 d_off, u16 d_reclen, name, NUL, pad, d_type in the last
 * byte, 4-byte aligned.  Reads host records, converts those that fit and
 * seeks back to the first one that did not. */
static long sys_getdents(struct guest_thread *t, const uint32_t a[6])
{
    int fd = (int)a[0];
    uint32_t count = a[2];
    if (count > (1u << 20))
        count = 1u << 20;
    size_t hsize = (size_t)count * 2 + 512;
    char *hbuf = malloc(hsize);
    char *gbuf = malloc(count ? count : 1);
    long r;
    if (!hbuf || !gbuf) {
        r = -ENOMEM;
        goto out;
    }
    off_t start = lseek(fd, 0, SEEK_CUR);
    if (start < 0 && errno == EBADF) {
        r = -EBADF;
        goto out;
    }
    if (count && !guest_mem_access_ok(sys_mem(t), a[1], count,
                                      GUEST_PROT_WRITE)) {
        r = -EFAULT;
        goto out;
    }
    long n = syscall(SYS_getdents64, fd, hbuf, hsize);
    if (n < 0) {
        r = -errno;
        goto out;
    }
    size_t out = 0, pos = 0;
    bool stopped = false;
    int64_t resume = 0;
    while (pos < (size_t)n) {
        struct host_dirent64 *d = (struct host_dirent64 *)(hbuf + pos);
        size_t namlen = strlen(d->d_name);
        size_t reclen = (10 + namlen + 2 + 3) & ~(size_t)3;
        int64_t goff = sys_dir_off_to_guest((uint64_t)d->d_off);
        if (out + reclen > count || (uint32_t)d->d_ino != d->d_ino ||
            goff < 0) {
            if (out == 0) {
                r = out + reclen > count ? -EINVAL
                    : goff < 0 ? goff : -EOVERFLOW;
                if (start >= 0)
                    lseek(fd, start, SEEK_SET);
                goto out;
            }
            stopped = true;
            break;
        }
        char *g = gbuf + out;
        uint32_t ino = (uint32_t)d->d_ino, off = (uint32_t)goff;
        uint16_t rl = (uint16_t)reclen;
        memcpy(g, &ino, 4);
        memcpy(g + 4, &off, 4);
        memcpy(g + 8, &rl, 2);
        memset(g + 10, 0, reclen - 10);
        memcpy(g + 10, d->d_name, namlen);
        g[reclen - 1] = (char)d->d_type;
        out += reclen;
        resume = d->d_off;
        pos += d->d_reclen;
    }
    if (stopped && lseek(fd, resume, SEEK_SET) < 0) {
        r = -errno;
        goto out;
    }
    if (sys_copy_to(t, a[1], gbuf, out) < 0) {
        r = -EFAULT;
        goto out;
    }
    r = (long)out;
out:
    free(hbuf);
    free(gbuf);
    return r;
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
        guest_addr_t second = a[2] + (wide ? sizeof(struct ktimespec64)
                                           : sizeof(struct ktimespec32));
        if (sys_get_timespec(t, a[2], wide, &ts[0]) < 0 ||
            sys_get_timespec(t, second, wide, &ts[1]) < 0)
            return -EFAULT;
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
    {NR32_getdents, "getdents", sys_getdents, "fpu", 'd'},
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
