/* Descriptor system calls: read/write and their vector and positioned
 * forms, open/close, seeking, dup, pipes, fcntl, ioctl (terminals), poll,
 * select and getdents64 (the old getdents is in sys_file.c, with the
 * directory offset cookies both use).
 *
 * Guest buffers: a transfer goes straight between the host call and the
 * guest window.  Like the kernel, which copies until it faults, a buffer
 * that becomes inaccessible part-way is cut short there (a short transfer);
 * a buffer that is not accessible at all is handed to the host call as a
 * NULL pointer, so the host kernel decides between EBADF, ENOTTY, EAGAIN
 * ... and EFAULT in its own order, as an i386 kernel does.
 *
 * Deviations: select() reads at most SYS_SELECT_MAX_FDS descriptors' bits (the
 * kernel stops at the size of its descriptor table); an i386 open() without
 * O_LARGEFILE is not refused EOVERFLOW on files past 2 GiB; r386's own
 * descriptors (cache files, the copy of stderr its messages go to, at
 * 1000 or above) are not hidden from the guest. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "sys_path.h"
#include "syscall.h"

/* The kernel's limit on one transfer: INT_MAX rounded down to a page. */
#define MAX_RW_COUNT (0x7fffffffu & GUEST_PAGE_MASK)
/* UIO_MAXIOV */
#define IOV_MAX_COUNT 1024

/* ---- guest buffers ---- */

/* The host address of the guest buffer [a, a + *len) for a transfer the
 * guest makes with prot, with *len cut at the first page the guest cannot
 * reach; NULL (and *len 0) when not even its first byte is accessible. */
static void *io_buf(struct guest_thread *t, guest_addr_t a, uint32_t *len,
                    int prot)
{
    if (guest_mem_access_ok(sys_mem(t), a, *len, prot)) {
        if (prot & GUEST_PROT_WRITE) /* translated code's pages: SMC */
            guest_mem_prepare_write(sys_mem(t), a, *len);
        return g2h(sys_mem(t), a); /* the common case: all of it */
    }
    uint64_t end = (uint64_t)a + *len, p = a;
    if (end > GUEST_SPACE_SIZE)
        end = GUEST_SPACE_SIZE;
    while (p < end) {
        uint64_t next = guest_page_up(p + 1);
        if (next > end)
            next = end;
        if (!guest_mem_access_ok(sys_mem(t), (guest_addr_t)p, next - p, prot))
            break;
        p = next;
    }
    if (p == a && *len) {
        *len = 0;
        return NULL;
    }
    *len = (uint32_t)(p - a);
    if (prot & GUEST_PROT_WRITE)
        guest_mem_prepare_write(sys_mem(t), a, *len);
    return g2h(sys_mem(t), a);
}

/* The whole of [a, a + len) or NULL: for structures the host fills in
 * place (the host call then answers EFAULT, after its own checks). */
static void *whole_buf(struct guest_thread *t, guest_addr_t a, uint64_t len,
                       int prot)
{
    if (!guest_mem_access_ok(sys_mem(t), a, len, prot))
        return NULL;
    if (prot & GUEST_PROT_WRITE)
        guest_mem_prepare_write(sys_mem(t), a, len);
    return g2h(sys_mem(t), a);
}

/* A guest count as the kernel takes it: at most MAX_RW_COUNT. */
static uint32_t rw_count(uint32_t n)
{
    return n > MAX_RW_COUNT ? MAX_RW_COUNT : n;
}

/* ---- read and write ---- */

static long sys_read(struct guest_thread *t, const uint32_t a[6])
{
    uint32_t n = rw_count(a[2]);
    void *p = io_buf(t, a[1], &n, GUEST_PROT_WRITE);
    return sys_host(read((int)a[0], p, p ? n : 1));
}

static long sys_write(struct guest_thread *t, const uint32_t a[6])
{
    uint32_t n = rw_count(a[2]);
    void *p = io_buf(t, a[1], &n, GUEST_PROT_READ);
    return sys_host(write((int)a[0], p, p ? n : 1));
}

static uint64_t off64(uint32_t lo, uint32_t hi)
{
    return (uint64_t)hi << 32 | lo;
}

/* pread64/pwrite64: the offset comes in ESI (low) and EDI (high). */
static long sys_pread64(struct guest_thread *t, const uint32_t a[6])
{
    uint32_t n = rw_count(a[2]);
    void *p = io_buf(t, a[1], &n, GUEST_PROT_WRITE);
    return sys_host(pread((int)a[0], p, p ? n : 1, (off_t)off64(a[3], a[4])));
}

static long sys_pwrite64(struct guest_thread *t, const uint32_t a[6])
{
    uint32_t n = rw_count(a[2]);
    void *p = io_buf(t, a[1], &n, GUEST_PROT_READ);
    return sys_host(pwrite((int)a[0], p, p ? n : 1,
                           (off_t)off64(a[3], a[4])));
}

/* Turn the guest's iovec32 array into host iovecs: the number of host
 * entries, or a negative errno.  Entries stop at the first buffer that is
 * not accessible to its end (the kernel's transfer would stop there too);
 * an inaccessible buffer with no bytes before it is passed as NULL for the
 * host to refuse. */
static long iov_import(struct guest_thread *t, guest_addr_t gv, uint32_t cnt,
                       int prot, struct iovec *hv)
{
    if (cnt > IOV_MAX_COUNT)
        return -EINVAL;
    struct kiovec32 v[IOV_MAX_COUNT];
    if (sys_copy_from(t, v, gv, cnt * sizeof(v[0])) < 0)
        return -EFAULT;
    /* A negative (i386 ssize_t) length is refused; the host clamps the
     * sum to MAX_RW_COUNT as the kernel does. */
    for (uint32_t i = 0; i < cnt; i++)
        if (v[i].iov_len > INT32_MAX)
            return -EINVAL;
    uint64_t before = 0; /* bytes in the entries taken so far */
    for (uint32_t i = 0; i < cnt; i++) {
        uint32_t n = v[i].iov_len;
        void *p = io_buf(t, v[i].iov_base, &n, prot);
        hv[i] = (struct iovec){p, p ? n : 1};
        if (!p)
            return before ? (long)i : (long)i + 1;
        if (n < v[i].iov_len)
            return (long)i + 1;
        before += n;
    }
    return cnt;
}

static long sys_readv(struct guest_thread *t, const uint32_t a[6])
{
    struct iovec hv[IOV_MAX_COUNT];
    long n = iov_import(t, a[1], a[2], GUEST_PROT_WRITE, hv);
    if (n < 0)
        return n;
    return sys_host(readv((int)a[0], hv, (int)n));
}

static long sys_writev(struct guest_thread *t, const uint32_t a[6])
{
    struct iovec hv[IOV_MAX_COUNT];
    long n = iov_import(t, a[1], a[2], GUEST_PROT_READ, hv);
    if (n < 0)
        return n;
    return sys_host(writev((int)a[0], hv, (int)n));
}

/* ---- open and close ---- */

/* i386 and x86-64 share the O_* values (asm-generic); O_LARGEFILE is
 * implied on the host. */
static long do_openat(struct guest_thread *t, int dirfd, guest_addr_t gpath,
                      uint32_t flags, uint32_t mode)
{
    char path[SYS_PATH_MAX];
    int e = sys_path(t, gpath, path);
    if (e < 0)
        return e;
    long r;
    if (sys_proc_open(t, path, flags, &r))
        return r;
    /* The program's own /proc link would open r386: open the program. */
    const char *host = path;
    if (sys_path_is_self_exe(path) && t->rt->info.exe_host_path)
        host = t->rt->info.exe_host_path;
    return sys_host(openat(dirfd, host, (int)flags, (mode_t)mode));
}

static long sys_open(struct guest_thread *t, const uint32_t a[6])
{
    return do_openat(t, AT_FDCWD, a[0], a[1], a[2]);
}

static long sys_openat(struct guest_thread *t, const uint32_t a[6])
{
    return do_openat(t, (int)a[0], a[1], a[2], a[3]);
}

static long sys_creat(struct guest_thread *t, const uint32_t a[6])
{
    return do_openat(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1]);
}

static long sys_close(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(close((int)a[0]));
}

/* ---- seeking ---- */

/* lseek with a 32-bit off_t: a position past 2 GiB is EOVERFLOW (the file
 * position has moved nevertheless, as on i386). */
/* On a directory, offsets are translated (sys_dir_off_to_guest): the
 * cookies the guest got from getdents seek to their host offsets. */
static off_t seek_xlate(int fd, int64_t off, int whence)
{
    bool dir = false;
    if (whence == SEEK_SET && off > 0 && sys_dir_off_to_host((uint64_t)off)
                                             != (uint64_t)off &&
        (dir = sys_is_dir_fd(fd)))
        off = (int64_t)sys_dir_off_to_host((uint64_t)off);
    off_t r = lseek(fd, (off_t)off, whence);
    if (r < 0)
        return -errno;
    if (r > INT32_MAX && (dir || sys_is_dir_fd(fd)))
        return (off_t)sys_dir_off_to_guest((uint64_t)r);
    return r;
}

static long sys_lseek(struct guest_thread *t, const uint32_t a[6])
{
    off_t r = seek_xlate((int)a[0], (int32_t)a[1], (int)a[2]);
    if (r < 0)
        return r;
    return r > INT32_MAX ? -EOVERFLOW : r;
}

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence) */
static long sys_llseek(struct guest_thread *t, const uint32_t a[6])
{
    off_t r = seek_xlate((int)a[0], (int64_t)off64(a[2], a[1]), (int)a[4]);
    if (r < 0)
        return r;
    int64_t res = r;
    if (sys_copy_to(t, a[3], &res, sizeof(res)) < 0)
        return -EFAULT;
    return 0;
}

/* ---- dup and pipes ---- */

static long sys_dup(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(dup((int)a[0]));
}

static long sys_dup2(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(dup2((int)a[0], (int)a[1]));
}

static long sys_dup3(struct guest_thread *t, const uint32_t a[6])
{
    return sys_host(dup3((int)a[0], (int)a[1], (int)a[2]));
}

/* The pipe is made first; if the guest cannot take the two descriptors
 * they are closed again and the answer is EFAULT, as in the kernel. */
static long do_pipe2(struct guest_thread *t, guest_addr_t fds, int flags)
{
    int p[2];
    if (pipe2(p, flags) < 0)
        return -errno;
    int32_t g[2] = {p[0], p[1]};
    if (sys_copy_to(t, fds, g, sizeof(g)) < 0) {
        close(p[0]);
        close(p[1]);
        return -EFAULT;
    }
    return 0;
}

static long sys_pipe(struct guest_thread *t, const uint32_t a[6])
{
    return do_pipe2(t, a[0], 0);
}

static long sys_pipe2(struct guest_thread *t, const uint32_t a[6])
{
    return do_pipe2(t, a[0], (int)a[1]);
}

/* ---- fcntl ---- */

/* i386 fcntl commands (asm-generic/fcntl.h with 32-bit off_t): the host's
 * F_GETLK is the i386 F_GETLK64, so the guest's numbers are spelled out. */
enum {
    KF_DUPFD = 0, KF_GETFD = 1, KF_SETFD = 2, KF_GETFL = 3, KF_SETFL = 4,
    KF_GETLK = 5, KF_SETLK = 6, KF_SETLKW = 7,
    KF_GETLK64 = 12, KF_SETLK64 = 13, KF_SETLKW64 = 14,
    KF_OFD_GETLK = 36, KF_OFD_SETLK = 37, KF_OFD_SETLKW = 38,
    KF_DUPFD_CLOEXEC = 1030, KF_SETPIPE_SZ = 1031, KF_GETPIPE_SZ = 1032,
    KF_ADD_SEALS = 1033, KF_GET_SEALS = 1034,
};

/* The host command for a lock command, or -1. */
static int lock_cmd_to_host(uint32_t cmd)
{
    switch (cmd) {
    case KF_GETLK:
    case KF_GETLK64:
        return F_GETLK;
    case KF_SETLK:
    case KF_SETLK64:
        return F_SETLK;
    case KF_SETLKW:
    case KF_SETLKW64:
        return F_SETLKW;
    case KF_OFD_GETLK:
        return F_OFD_GETLK;
    case KF_OFD_SETLK:
        return F_OFD_SETLK;
    case KF_OFD_SETLKW:
        return F_OFD_SETLKW;
    }
    return -1;
}

/* A lock command with the guest's struct flock (wide: flock64). */
static long do_fcntl_lock(struct guest_thread *t, int fd, uint32_t cmd,
                          guest_addr_t arg, bool wide)
{
    int hcmd = lock_cmd_to_host(cmd);
    struct flock fl;
    struct kflock64 g64;
    struct kflock32 g32;
    int e = wide ? sys_copy_from(t, &g64, arg, sizeof(g64))
                 : sys_copy_from(t, &g32, arg, sizeof(g32));
    if (e < 0) /* the kernel looks at the descriptor first */
        return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EFAULT;
    fl = wide ? kstruct_flock64_to_host(&g64) : kstruct_flock32_to_host(&g32);
    if (fcntl(fd, hcmd, &fl) < 0)
        return -errno;
    if (hcmd != F_GETLK && hcmd != F_OFD_GETLK)
        return 0;
    if (wide) {
        g64 = kstruct_flock64_from_host(&fl);
        e = sys_copy_to(t, arg, &g64, sizeof(g64));
    } else {
        e = kstruct_flock32_from_host(&fl, &g32);
        if (e < 0)
            return e;
        e = sys_copy_to(t, arg, &g32, sizeof(g32));
    }
    return e < 0 ? -EFAULT : 0;
}

/* fcntl (wide = false) takes struct flock for every lock command and knows
 * no *LK64 commands; fcntl64 takes struct flock64 for the *LK64 and OFD
 * ones, as the i386 kernel's sys_fcntl/sys_fcntl64. */
static long do_fcntl(struct guest_thread *t, const uint32_t a[6], bool is64)
{
    int fd = (int)a[0];
    uint32_t cmd = a[1], arg = a[2];
    switch (cmd) {
    case KF_DUPFD:
        return sys_host(fcntl(fd, F_DUPFD, (int)arg));
    case KF_DUPFD_CLOEXEC:
        return sys_host(fcntl(fd, F_DUPFD_CLOEXEC, (int)arg));
    case KF_GETFD:
        return sys_host(fcntl(fd, F_GETFD));
    case KF_SETFD:
        return sys_host(fcntl(fd, F_SETFD, (int)arg));
    case KF_GETFL:
        return sys_host(fcntl(fd, F_GETFL));
    case KF_SETFL:
        return sys_host(fcntl(fd, F_SETFL, (int)arg));
    case KF_GETPIPE_SZ:
        return sys_host(fcntl(fd, F_GETPIPE_SZ));
    case KF_SETPIPE_SZ:
        return sys_host(fcntl(fd, F_SETPIPE_SZ, (int)arg));
    case KF_GET_SEALS:
        return sys_host(fcntl(fd, F_GET_SEALS));
    case KF_ADD_SEALS:
        return sys_host(fcntl(fd, F_ADD_SEALS, (int)arg));
    case KF_GETLK:
    case KF_SETLK:
    case KF_SETLKW:
        return do_fcntl_lock(t, fd, cmd, arg, false);
    case KF_OFD_GETLK:
    case KF_OFD_SETLK:
    case KF_OFD_SETLKW:
        return do_fcntl_lock(t, fd, cmd, arg, is64);
    case KF_GETLK64:
    case KF_SETLK64:
    case KF_SETLKW64:
        if (is64)
            return do_fcntl_lock(t, fd, cmd, arg, true);
        break;
    }
    return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EINVAL;
}

static long sys_fcntl(struct guest_thread *t, const uint32_t a[6])
{
    return do_fcntl(t, a, false);
}

static long sys_fcntl64(struct guest_thread *t, const uint32_t a[6])
{
    return do_fcntl(t, a, true);
}

/* ---- ioctl ---- */

/* The requests r386 knows (terminals and ptys, FIO*), with the size and
 * direction of what the argument points at; numbers and layouts are the
 * same on both ABIs.  Others answer ENOTTY. */
static const struct {
    uint32_t req;
    uint32_t size; /* 0: the argument is a value, not a pointer */
    int prot;      /* GUEST_PROT_WRITE: the kernel writes it */
} ioctls[] = {
    {TCGETS, KTERMIOS_SIZE, GUEST_PROT_WRITE},
    {TCSETS, KTERMIOS_SIZE, GUEST_PROT_READ},
    {TCSETSW, KTERMIOS_SIZE, GUEST_PROT_READ},
    {TCSETSF, KTERMIOS_SIZE, GUEST_PROT_READ},
    {TIOCGWINSZ, KWINSIZE_SIZE, GUEST_PROT_WRITE},
    {TIOCSWINSZ, KWINSIZE_SIZE, GUEST_PROT_READ},
    {TIOCGPGRP, 4, GUEST_PROT_WRITE},
    {TIOCSPGRP, 4, GUEST_PROT_READ},
    {FIONREAD, 4, GUEST_PROT_WRITE},
    {FIONBIO, 4, GUEST_PROT_READ},
    {FIOCLEX, 0, 0},
    {FIONCLEX, 0, 0},
    {TIOCOUTQ, 4, GUEST_PROT_WRITE},
    {TIOCGSID, 4, GUEST_PROT_WRITE},
    {TIOCSCTTY, 0, 0},
    {TIOCNOTTY, 0, 0},
    {TCSBRK, 0, 0},
    {TCXONC, 0, 0},
    {TCFLSH, 0, 0},
    {TIOCGPTN, 4, GUEST_PROT_WRITE},   /* ptsname() */
    {TIOCSPTLCK, 4, GUEST_PROT_READ},  /* unlockpt() */
};

static long sys_ioctl(struct guest_thread *t, const uint32_t a[6])
{
    int fd = (int)a[0];
    for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
        if (ioctls[i].req != a[1])
            continue;
        if (!ioctls[i].size)
            return sys_host(ioctl(fd, (unsigned long)a[1],
                                  (unsigned long)a[2]));
        void *p = whole_buf(t, a[2], ioctls[i].size, ioctls[i].prot);
        return sys_host(ioctl(fd, (unsigned long)a[1], p));
    }
    return fcntl(fd, F_GETFD) < 0 ? -EBADF : -ENOTTY;
}

/* ---- poll and select ---- */

static long sys_poll(struct guest_thread *t, const uint32_t a[6])
{
    void *p = whole_buf(t, a[0], (uint64_t)a[1] * KPOLLFD_SIZE,
                        GUEST_PROT_READ | GUEST_PROT_WRITE);
    return sys_host(poll(p, a[1], (int)a[2]));
}

long sys_fdsets_in(struct guest_thread *t, struct sys_fdsets *s, int32_t *nfds,
                   guest_addr_t in, guest_addr_t out, guest_addr_t ex)
{
    if (*nfds > SYS_SELECT_MAX_FDS)
        *nfds = SYS_SELECT_MAX_FDS;
    const guest_addr_t g[3] = {in, out, ex};
    size_t hwords = ((size_t)*nfds + 63) / 64;
    s->guest_bytes = kfdset32_bytes((uint32_t)*nfds);
    for (int i = 0; i < 3; i++) {
        s->guest[i] = g[i];
        s->host[i] = NULL;
    }
    for (int i = 0; i < 3; i++) {
        if (!g[i])
            continue;
        s->host[i] = calloc(hwords ? hwords : 1, sizeof(uint64_t));
        if (!s->host[i])
            return -ENOMEM;
        if (sys_copy_from(t, s->host[i], g[i], s->guest_bytes) < 0)
            return -EFAULT;
    }
    return 0;
}

long sys_fdsets_out(struct guest_thread *t, const struct sys_fdsets *s)
{
    long r = 0;
    for (int i = 0; i < 3; i++)
        if (s->host[i] &&
            sys_copy_to(t, s->guest[i], s->host[i], s->guest_bytes) < 0)
            r = -EFAULT;
    return r;
}

void sys_fdsets_free(struct sys_fdsets *s)
{
    for (int i = 0; i < 3; i++) {
        free(s->host[i]);
        s->host[i] = NULL;
    }
}

/* select with i386 fd_sets and a struct timeval32 that is updated with the
 * time left, as Linux does. */
static long do_select(struct guest_thread *t, int32_t n, guest_addr_t inp,
                      guest_addr_t outp, guest_addr_t exp, guest_addr_t tvp)
{
    if (n < 0)
        return -EINVAL;
    struct sys_fdsets sets;
    long r = sys_fdsets_in(t, &sets, &n, inp, outp, exp);
    if (r < 0)
        goto out;
    struct timeval tv, *ptv = NULL;
    if (tvp) {
        struct ktimeval32 g;
        r = -EFAULT;
        if (sys_copy_from(t, &g, tvp, sizeof(g)) < 0)
            goto out;
        tv = kstruct_timeval32_to_host(&g);
        ptv = &tv;
    }
    r = sys_host(syscall(SYS_select, n, sets.host[0], sets.host[1],
                         sets.host[2], ptv));
    if (ptv) {
        /* A read-only timeval is no reason to fail a finished select
         * (the kernel ignores this copy's failure too). */
        struct ktimeval32 g = kstruct_timeval32_from_host(ptv);
        int ignored = sys_copy_to(t, tvp, &g, sizeof(g));
        (void)ignored;
    }
    if (r >= 0 && sys_fdsets_out(t, &sets) < 0)
        r = -EFAULT;
out:
    sys_fdsets_free(&sets);
    return r;
}

static long sys_newselect(struct guest_thread *t, const uint32_t a[6])
{
    return do_select(t, (int32_t)a[0], a[1], a[2], a[3], a[4]);
}

/* The old i386 select: one pointer to the five arguments. */
static long sys_old_select(struct guest_thread *t, const uint32_t a[6])
{
    struct ksel_arg32 s;
    if (sys_copy_from(t, &s, a[0], sizeof(s)) < 0)
        return -EFAULT;
    return do_select(t, (int32_t)s.n, s.inp, s.outp, s.exp, s.tvp);
}

/* ---- directories ---- */

/* struct linux_dirent64 records are the same on both ABIs. */
static long sys_getdents64(struct guest_thread *t, const uint32_t a[6])
{
    void *p = whole_buf(t, a[1], a[2], GUEST_PROT_WRITE);
    long n = sys_host(syscall(SYS_getdents64, (int)a[0], p, a[2]));
    /* d_off as a 32-bit caller gets it (sys_dir_off_to_guest). */
    for (long pos = 0; n > 0 && pos + 19 <= n;) {
        char *d = (char *)p + pos;
        int64_t off;
        uint16_t reclen;
        memcpy(&off, d + 8, 8);
        memcpy(&reclen, d + 16, 2);
        int64_t g = sys_dir_off_to_guest((uint64_t)off);
        if (g < 0)
            return g;
        memcpy(d + 8, &g, 8);
        if (reclen == 0)
            break;
        pos += reclen;
    }
    return n;
}

const struct syscall_def sys_fd_defs[] = {
    {NR32_read, "read", sys_read, "fpu", 'd'},
    {NR32_write, "write", sys_write, "fpu", 'd'},
    {NR32_readv, "readv", sys_readv, "fpu", 'd'},
    {NR32_writev, "writev", sys_writev, "fpu", 'd'},
    {NR32_pread64, "pread64", sys_pread64, "fpuxx", 'd'},
    {NR32_pwrite64, "pwrite64", sys_pwrite64, "fpuxx", 'd'},
    {NR32_open, "open", sys_open, "sxo", 'd'},
    {NR32_openat, "openat", sys_openat, "fsxo", 'd'},
    {NR32_creat, "creat", sys_creat, "so", 'd'},
    {NR32_close, "close", sys_close, "f", 'd'},
    {NR32_lseek, "lseek", sys_lseek, "fdd", 'd'},
    {NR32__llseek, "_llseek", sys_llseek, "fxxpd", 'd'},
    {NR32_dup, "dup", sys_dup, "f", 'd'},
    {NR32_dup2, "dup2", sys_dup2, "ff", 'd'},
    {NR32_dup3, "dup3", sys_dup3, "ffx", 'd'},
    {NR32_pipe, "pipe", sys_pipe, "p", 'd'},
    {NR32_pipe2, "pipe2", sys_pipe2, "px", 'd'},
    {NR32_fcntl, "fcntl", sys_fcntl, "fdx", 'd'},
    {NR32_fcntl64, "fcntl64", sys_fcntl64, "fdx", 'd'},
    {NR32_ioctl, "ioctl", sys_ioctl, "fxx", 'd'},
    {NR32_poll, "poll", sys_poll, "pud", 'd'},
    {NR32_select, "select", sys_old_select, "p", 'd'},
    {NR32__newselect, "_newselect", sys_newselect, "dpppp", 'd'},
    {NR32_getdents64, "getdents64", sys_getdents64, "fpu", 'd'},
};
SYSCALL_DEFS_END(fd);
