/* The i386 kernel structures the system call layer converts, each spelled
 * out once with fixed-width types and its size pinned, and the host->guest
 * conversions in one place.  Private to runtime/.
 *
 * Sizes and offsets were checked against `gcc -m32` with the kernel's own
 * headers (<asm/stat.h>, <linux/fcntl.h>, <asm/termbits.h>, <linux/stat.h>,
 * <linux/time.h>, <linux/uio.h>); tests/unit/test_kstructs.c pins every
 * field offset.  On i386 a 64-bit member is only 4-byte aligned, hence the
 * packed structs wherever one follows a 32-bit member at an odd word.
 *
 * Structures identical on i386 and x86-64 are passed through without a
 * copy: struct statx (256), struct linux_dirent64 records, struct pollfd
 * (8), struct winsize (8), the kernel struct termios (36: four tcflag_t,
 * c_line, c_cc[19]), struct timezone (8) and fd_set bit order (little
 * endian: i386's 32-bit words read as x86-64's 64-bit ones). */
#ifndef R386_KSTRUCTS_H
#define R386_KSTRUCTS_H

#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h> /* struct statx */
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

/* ---- time ---- */

/* struct old_timespec32 / compat_timespec. */
struct ktimespec32 {
    int32_t tv_sec;
    int32_t tv_nsec;
};
_Static_assert(sizeof(struct ktimespec32) == 8, "timespec32");

/* struct __kernel_timespec: what the *_time64 calls take. */
struct ktimespec64 {
    int64_t tv_sec;
    int64_t tv_nsec; /* only the low 32 bits count on a 32-bit ABI */
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct ktimespec64) == 16, "timespec64");

struct ktimeval32 {
    int32_t tv_sec;
    int32_t tv_usec;
};
_Static_assert(sizeof(struct ktimeval32) == 8, "timeval32");

/* struct tms: four clock_t (i386 long). */
struct ktms32 {
    int32_t tms_utime;
    int32_t tms_stime;
    int32_t tms_cutime;
    int32_t tms_cstime;
};
_Static_assert(sizeof(struct ktms32) == 16, "tms32");

/* ---- I/O ---- */

struct kiovec32 {
    uint32_t iov_base; /* guest address */
    uint32_t iov_len;
};
_Static_assert(sizeof(struct kiovec32) == 8, "iovec32");

/* struct flock (F_GETLK/F_SETLK/F_SETLKW through fcntl and fcntl64). */
struct kflock32 {
    int16_t l_type;
    int16_t l_whence;
    int32_t l_start;
    int32_t l_len;
    int32_t l_pid;
};
_Static_assert(sizeof(struct kflock32) == 16, "flock32");

/* struct flock64 (F_GETLK64.., F_OFD_*): l_start at offset 4. */
struct kflock64 {
    int16_t l_type;
    int16_t l_whence;
    int64_t l_start;
    int64_t l_len;
    int32_t l_pid;
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct kflock64) == 24, "flock64");
_Static_assert(offsetof(struct kflock64, l_start) == 4, "flock64.l_start");
_Static_assert(offsetof(struct kflock64, l_pid) == 20, "flock64.l_pid");

/* The kernel's struct termios (not glibc's 60-byte one): the same on
 * x86-64, so TCGETS/TCSETS* pass the guest buffer through. */
#define KTERMIOS_SIZE 36
/* struct winsize: four unsigned short. */
#define KWINSIZE_SIZE 8
/* struct pollfd: int fd, short events, short revents. */
#define KPOLLFD_SIZE 8

/* i386 select: nfds bits in an array of 32-bit words. */
static inline uint32_t kfdset32_bytes(uint32_t nfds)
{
    return (nfds + 31) / 32 * 4;
}

/* old_select's one argument: five words. */
struct ksel_arg32 {
    uint32_t n;
    uint32_t inp, outp, exp; /* fd_set pointers */
    uint32_t tvp;            /* struct timeval32 pointer */
};
_Static_assert(sizeof(struct ksel_arg32) == 20, "sel_arg_struct");

/* ---- stat ---- */

/* struct stat64 (i386, asm/stat.h): 96 bytes. */
struct kstat64 {
    uint64_t st_dev;
    uint8_t __pad0[4];
    uint32_t __st_ino; /* the low 32 bits of st_ino */
    uint32_t st_mode;
    uint32_t st_nlink;
    uint32_t st_uid;
    uint32_t st_gid;
    uint64_t st_rdev;
    uint8_t __pad3[4];
    int64_t st_size;
    uint32_t st_blksize;
    uint64_t st_blocks;
    uint32_t st_atime_sec;
    uint32_t st_atime_nsec;
    uint32_t st_mtime_sec;
    uint32_t st_mtime_nsec;
    uint32_t st_ctime_sec;
    uint32_t st_ctime_nsec;
    uint64_t st_ino;
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct kstat64) == 96, "stat64");
_Static_assert(offsetof(struct kstat64, st_size) == 44, "stat64.st_size");
_Static_assert(offsetof(struct kstat64, st_blocks) == 56, "stat64.st_blocks");
_Static_assert(offsetof(struct kstat64, st_ino) == 88, "stat64.st_ino");

/* struct stat (i386, asm/stat.h; sys_newstat): 64 bytes, 16-bit ids. */
struct kstat32 {
    uint32_t st_dev;
    uint32_t st_ino;
    uint16_t st_mode;
    uint16_t st_nlink;
    uint16_t st_uid;
    uint16_t st_gid;
    uint32_t st_rdev;
    uint32_t st_size;
    uint32_t st_blksize;
    uint32_t st_blocks;
    uint32_t st_atime_sec;
    uint32_t st_atime_nsec;
    uint32_t st_mtime_sec;
    uint32_t st_mtime_nsec;
    uint32_t st_ctime_sec;
    uint32_t st_ctime_nsec;
    uint32_t __unused4;
    uint32_t __unused5;
};
_Static_assert(sizeof(struct kstat32) == 64, "stat");

/* struct statx: fixed-width members, identical on both ABIs. */
_Static_assert(sizeof(struct statx) == 256, "statx");
_Static_assert(offsetof(struct statx, stx_ino) == 32, "statx.stx_ino");
_Static_assert(offsetof(struct statx, stx_mtime) == 112, "statx.stx_mtime");
_Static_assert(offsetof(struct statx, stx_dev_minor) == 140, "statx.dev");

/* ---- signals and limits ---- */

/* The rt_sigaction struct sigaction (i386): 20 bytes. */
struct ksigaction32 {
    uint32_t handler; /* guest address, SIG_DFL (0) or SIG_IGN (1) */
    uint32_t flags;
    uint32_t restorer;
    uint32_t mask[2]; /* 64 signals */
};
_Static_assert(sizeof(struct ksigaction32) == 20, "sigaction32");

/* stack_t (i386). */
struct kstack32 {
    uint32_t ss_sp;
    int32_t ss_flags;
    uint32_t ss_size;
};
_Static_assert(sizeof(struct kstack32) == 12, "stack_t32");

/* compat_siginfo_t: 128 bytes; the union by siginfo_layout(). */
struct ksiginfo32 {
    int32_t si_signo;
    int32_t si_errno;
    int32_t si_code;
    union {
        uint32_t pad[29];
        struct { int32_t pid; uint32_t uid; int32_t value; } kill; /* +rt */
        struct { int32_t tid; int32_t overrun; int32_t value; } timer;
        struct {
            int32_t pid;
            uint32_t uid;
            int32_t status;
            int32_t utime, stime;
        } chld;
        struct { uint32_t addr; } fault;
        struct { int32_t band; int32_t fd; } poll;
        struct { uint32_t call_addr; int32_t syscall; uint32_t arch; } sys;
    } u;
};
_Static_assert(sizeof(struct ksiginfo32) == 128, "siginfo32");
_Static_assert(offsetof(struct ksiginfo32, u.fault.addr) == 12, "si_addr");

/* struct sigcontext_32. */
struct ksigcontext32 {
    uint16_t gs, gsh, fs, fsh, es, esh, ds, dsh;
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t trapno, err, eip;
    uint16_t cs, csh;
    uint32_t eflags, esp_at_signal;
    uint16_t ss, ssh;
    uint32_t fpstate; /* guest address of a struct kfpstate32, or 0 */
    uint32_t oldmask;
    uint32_t cr2;
};
_Static_assert(sizeof(struct ksigcontext32) == 88, "sigcontext_32");
_Static_assert(offsetof(struct ksigcontext32, eip) == 56, "sigcontext.ip");

/* struct _fpstate_32: the FNSAVE-style header, then (magic 0) the 512-byte
 * FXSAVE image. */
struct kfpstate32 {
    uint32_t cw, sw, tag, ipoff, cssel, dataoff, datasel;
    uint8_t st[8][10];
    uint16_t status;
    uint16_t magic; /* 0xffff: header only; 0: FXSAVE image follows */
    uint8_t fxsave[512];
};
_Static_assert(sizeof(struct kfpstate32) == 624, "_fpstate_32");
#define KFPSTATE_HEADER_SIZE 112 /* struct fregs_state */

/* struct ucontext_ia32. */
struct kucontext32 {
    uint32_t uc_flags;
    uint32_t uc_link;
    struct kstack32 uc_stack;
    struct ksigcontext32 uc_mcontext;
    uint32_t uc_sigmask[2];
};
_Static_assert(sizeof(struct kucontext32) == 116, "ucontext_ia32");

/* struct rt_sigframe_ia32 and struct sigframe_ia32 (the FPU state goes
 * below them, 64-byte aligned). */
struct krt_sigframe32 {
    uint32_t pretcode;
    int32_t sig;
    uint32_t pinfo;
    uint32_t puc;
    struct ksiginfo32 info;
    struct kucontext32 uc;
    uint8_t retcode[8];
};
_Static_assert(sizeof(struct krt_sigframe32) == 268, "rt_sigframe_ia32");
_Static_assert(offsetof(struct krt_sigframe32, uc) == 144, "rt_sigframe.uc");

struct ksigframe32 {
    uint32_t pretcode;
    int32_t sig;
    struct ksigcontext32 sc;
    struct kfpstate32 fpstate_unused;
    uint32_t extramask;
    uint8_t retcode[8];
};
_Static_assert(sizeof(struct ksigframe32) == 732, "sigframe_ia32");
_Static_assert(offsetof(struct ksigframe32, extramask) == 720,
               "sigframe.extramask");

/* struct sigevent (i386): 64 bytes. */
struct ksigevent32 {
    int32_t value;
    int32_t signo;
    int32_t notify;
    int32_t tid; /* SIGEV_THREAD_ID; for SIGEV_THREAD: function */
    uint32_t pad[12];
};
_Static_assert(sizeof(struct ksigevent32) == 64, "sigevent32");

/* struct itimerval (i386). */
struct kitimerval32 {
    struct ktimeval32 it_interval;
    struct ktimeval32 it_value;
};
_Static_assert(sizeof(struct kitimerval32) == 16, "itimerval32");

struct krlimit32 {
    uint32_t rlim_cur;
    uint32_t rlim_max;
};
_Static_assert(sizeof(struct krlimit32) == 8, "rlimit32");

/* prlimit64's struct rlimit64 (the same on both ABIs). */
struct krlimit64 {
    uint64_t rlim_cur;
    uint64_t rlim_max;
};
_Static_assert(sizeof(struct krlimit64) == 16, "rlimit64");

/* struct rusage: two timeval32 and fourteen 32-bit longs. */
struct krusage32 {
    int32_t utime_sec, utime_usec, stime_sec, stime_usec;
    int32_t rest[14]; /* ru_maxrss .. ru_nivcsw */
};
_Static_assert(sizeof(struct krusage32) == 72, "rusage32");

/* struct statfs (statfs, fstatfs): 32-bit counts. */
struct kstatfs32 {
    uint32_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    uint32_t f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct kstatfs32) == 64, "statfs32");

/* struct statfs64 (statfs64, fstatfs64): 64-bit counts, 4-byte aligned. */
struct kstatfs64 {
    uint32_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    uint32_t f_namelen, f_frsize, f_flags, f_spare[4];
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct kstatfs64) == 84, "statfs64");

/* struct utimbuf (utime). */
struct kutimbuf32 {
    int32_t actime, modtime;
};
_Static_assert(sizeof(struct kutimbuf32) == 8, "utimbuf32");

/* struct sysinfo with 32-bit longs: memory sizes count mem_unit bytes. */
struct ksysinfo32 {
    int32_t uptime;
    uint32_t loads[3];
    uint32_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint32_t totalhigh, freehigh, mem_unit;
    char reserved[8];
};
_Static_assert(sizeof(struct ksysinfo32) == 64, "sysinfo32");

/* struct user_desc (set_thread_area). */
struct kuser_desc32 {
    uint32_t entry_number;
    uint32_t base_addr;
    uint32_t limit;
    uint32_t flags; /* seg_32bit:1 contents:2 read_exec_only:1
                       limit_in_pages:1 seg_not_present:1 useable:1 */
};
_Static_assert(sizeof(struct kuser_desc32) == 16, "user_desc");

/* ---- sockets (sys_net.c) ---- */

/* struct compat_msghdr. */
struct kmsghdr32 {
    uint32_t msg_name;       /* guest address */
    uint32_t msg_namelen;
    uint32_t msg_iov;        /* struct kiovec32 array */
    uint32_t msg_iovlen;
    uint32_t msg_control;    /* guest address */
    uint32_t msg_controllen;
    uint32_t msg_flags;
};
_Static_assert(sizeof(struct kmsghdr32) == 28, "msghdr32");

/* struct compat_cmsghdr: records aligned to 4 bytes (the host's to 8). */
struct kcmsghdr32 {
    uint32_t cmsg_len;
    int32_t cmsg_level;
    int32_t cmsg_type;
};
_Static_assert(sizeof(struct kcmsghdr32) == 12, "cmsghdr32");
#define KCMSG32_ALIGN(n) (((n) + 3u) & ~3u)

/* struct compat_mmsghdr. */
struct kmmsghdr32 {
    struct kmsghdr32 msg_hdr;
    uint32_t msg_len;
};
_Static_assert(sizeof(struct kmmsghdr32) == 32, "mmsghdr32");

/* struct epoll_event: {u32 events; u64 data}, 12 bytes on both ABIs
 * (packed on x86-64, 4-byte aligned u64 on i386): passed through. */
#define KEPOLL_EVENT_SIZE 12

/* struct old_itimerspec32 and struct __kernel_itimerspec. */
struct kitimerspec32 {
    struct ktimespec32 it_interval;
    struct ktimespec32 it_value;
};
_Static_assert(sizeof(struct kitimerspec32) == 16, "itimerspec32");
struct kitimerspec64 {
    struct ktimespec64 it_interval;
    struct ktimespec64 it_value;
};
_Static_assert(sizeof(struct kitimerspec64) == 32, "itimerspec64");

/* ---- conversions, host -> guest ---- */

#define KSTAT_MAX_NON_LFS 0x7fffffffLL
#define KSTAT_OVERFLOW_ID 65534u /* /proc/sys/kernel/overflowuid */

/* The host's st_dev is already the kernel's new_encode_dev() value, as the
 * i386 kernel writes it (huge_encode_dev). */
static inline void kstruct_stat64_from_host(const struct stat *h,
                                            struct kstat64 *g)
{
    *g = (struct kstat64){0};
    g->st_dev = (uint64_t)h->st_dev;
    g->__st_ino = (uint32_t)h->st_ino;
    g->st_mode = h->st_mode;
    g->st_nlink = (uint32_t)h->st_nlink;
    g->st_uid = h->st_uid;
    g->st_gid = h->st_gid;
    g->st_rdev = (uint64_t)h->st_rdev;
    g->st_size = h->st_size;
    g->st_blksize = (uint32_t)h->st_blksize;
    g->st_blocks = (uint64_t)h->st_blocks;
    g->st_atime_sec = (uint32_t)h->st_atim.tv_sec;
    g->st_atime_nsec = (uint32_t)h->st_atim.tv_nsec;
    g->st_mtime_sec = (uint32_t)h->st_mtim.tv_sec;
    g->st_mtime_nsec = (uint32_t)h->st_mtim.tv_nsec;
    g->st_ctime_sec = (uint32_t)h->st_ctim.tv_sec;
    g->st_ctime_nsec = (uint32_t)h->st_ctim.tv_nsec;
    g->st_ino = h->st_ino;
}

static inline uint16_t kstruct_id16(uint32_t id)
{
    return id > 0xffff ? KSTAT_OVERFLOW_ID : (uint16_t)id;
}

/* As the kernel's cp_new_stat: 0, or -EOVERFLOW when the inode, link
 * count, device numbers or size do not fit; ids above 65535 become the
 * overflow id. */
static inline int kstruct_stat32_from_host(const struct stat *h,
                                           struct kstat32 *g)
{
    if ((uint64_t)h->st_ino > UINT32_MAX || h->st_nlink > 0xffff ||
        (uint64_t)h->st_dev > UINT32_MAX || (uint64_t)h->st_rdev > UINT32_MAX ||
        (uint64_t)h->st_size > (uint64_t)KSTAT_MAX_NON_LFS)
        return -EOVERFLOW;
    *g = (struct kstat32){0};
    g->st_dev = (uint32_t)h->st_dev;
    g->st_ino = (uint32_t)h->st_ino;
    g->st_mode = (uint16_t)h->st_mode;
    g->st_nlink = (uint16_t)h->st_nlink;
    g->st_uid = kstruct_id16(h->st_uid);
    g->st_gid = kstruct_id16(h->st_gid);
    g->st_rdev = (uint32_t)h->st_rdev;
    g->st_size = (uint32_t)h->st_size;
    g->st_blksize = (uint32_t)h->st_blksize;
    g->st_blocks = (uint32_t)h->st_blocks;
    g->st_atime_sec = (uint32_t)h->st_atim.tv_sec;
    g->st_atime_nsec = (uint32_t)h->st_atim.tv_nsec;
    g->st_mtime_sec = (uint32_t)h->st_mtim.tv_sec;
    g->st_mtime_nsec = (uint32_t)h->st_mtim.tv_nsec;
    g->st_ctime_sec = (uint32_t)h->st_ctim.tv_sec;
    g->st_ctime_nsec = (uint32_t)h->st_ctim.tv_nsec;
    return 0;
}

/* Times: seconds are truncated to 32 bits, as put_old_timespec32 does. */
static inline struct ktimespec32 kstruct_timespec32_from_host(
    const struct timespec *h)
{
    return (struct ktimespec32){(int32_t)h->tv_sec, (int32_t)h->tv_nsec};
}

static inline struct ktimespec64 kstruct_timespec64_from_host(
    const struct timespec *h)
{
    return (struct ktimespec64){h->tv_sec, h->tv_nsec};
}

static inline struct ktimeval32 kstruct_timeval32_from_host(
    const struct timeval *h)
{
    return (struct ktimeval32){(int32_t)h->tv_sec, (int32_t)h->tv_usec};
}

static inline struct ktms32 kstruct_tms32_from_host(const struct tms *h)
{
    return (struct ktms32){(int32_t)h->tms_utime, (int32_t)h->tms_stime,
                           (int32_t)h->tms_cutime, (int32_t)h->tms_cstime};
}

/* ---- conversions, guest -> host ---- */

/* get_old_timespec32: both fields sign-extended. */
static inline struct timespec kstruct_timespec32_to_host(
    const struct ktimespec32 *g)
{
    return (struct timespec){g->tv_sec, g->tv_nsec};
}

/* get_timespec64 on a 32-bit ABI: the upper half of tv_nsec is padding. */
static inline struct timespec kstruct_timespec64_to_host(
    const struct ktimespec64 *g)
{
    return (struct timespec){g->tv_sec, (long)(uint32_t)g->tv_nsec};
}

static inline struct timeval kstruct_timeval32_to_host(
    const struct ktimeval32 *g)
{
    return (struct timeval){g->tv_sec, g->tv_usec};
}

/* flock: the host's struct flock has 64-bit offsets on x86-64. */
static inline struct flock kstruct_flock32_to_host(const struct kflock32 *g)
{
    return (struct flock){.l_type = g->l_type, .l_whence = g->l_whence,
                          .l_start = g->l_start, .l_len = g->l_len,
                          .l_pid = g->l_pid};
}

static inline struct flock kstruct_flock64_to_host(const struct kflock64 *g)
{
    return (struct flock){.l_type = g->l_type, .l_whence = g->l_whence,
                          .l_start = g->l_start, .l_len = g->l_len,
                          .l_pid = g->l_pid};
}

static inline struct kflock64 kstruct_flock64_from_host(const struct flock *h)
{
    return (struct kflock64){.l_type = h->l_type, .l_whence = h->l_whence,
                             .l_start = h->l_start, .l_len = h->l_len,
                             .l_pid = h->l_pid};
}

/* -EOVERFLOW when the lock's range does not fit 32-bit offsets. */
static inline int kstruct_flock32_from_host(const struct flock *h,
                                            struct kflock32 *g)
{
    if (h->l_start != (int32_t)h->l_start || h->l_len != (int32_t)h->l_len)
        return -EOVERFLOW;
    *g = (struct kflock32){.l_type = h->l_type, .l_whence = h->l_whence,
                           .l_start = (int32_t)h->l_start,
                           .l_len = (int32_t)h->l_len, .l_pid = h->l_pid};
    return 0;
}

static inline struct krusage32 kstruct_rusage32_from_host(const struct rusage *h)
{
    struct krusage32 g;
    g.utime_sec = (int32_t)h->ru_utime.tv_sec;
    g.utime_usec = (int32_t)h->ru_utime.tv_usec;
    g.stime_sec = (int32_t)h->ru_stime.tv_sec;
    g.stime_usec = (int32_t)h->ru_stime.tv_usec;
    const long *rest = &h->ru_maxrss;
    for (int i = 0; i < 14; i++)
        g.rest[i] = (int32_t)rest[i];
    return g;
}

/* As the kernel's compat sysinfo: when a size does not fit 32 bits, the
 * unit grows (up to a page) and every size shrinks to match. */
static inline struct ksysinfo32 kstruct_sysinfo32_from_host(
    const struct sysinfo *h)
{
    unsigned long unit = h->mem_unit ? h->mem_unit : 1;
    int shift = 0;
    if ((h->totalram >> 32) || (h->totalswap >> 32))
        while ((unit << shift) < 4096)
            shift++;
    struct ksysinfo32 g = {
        .uptime = (int32_t)h->uptime,
        .loads = {(uint32_t)h->loads[0], (uint32_t)h->loads[1],
                  (uint32_t)h->loads[2]},
        .totalram = (uint32_t)(h->totalram >> shift),
        .freeram = (uint32_t)(h->freeram >> shift),
        .sharedram = (uint32_t)(h->sharedram >> shift),
        .bufferram = (uint32_t)(h->bufferram >> shift),
        .totalswap = (uint32_t)(h->totalswap >> shift),
        .freeswap = (uint32_t)(h->freeswap >> shift),
        .procs = h->procs,
        .totalhigh = (uint32_t)(h->totalhigh >> shift),
        .freehigh = (uint32_t)(h->freehigh >> shift),
        .mem_unit = (uint32_t)(unit << shift),
    };
    return g;
}

static inline struct kstatfs64 kstruct_statfs64_from_host(const struct statfs *h)
{
    struct kstatfs64 g = {
        .f_type = (uint32_t)h->f_type, .f_bsize = (uint32_t)h->f_bsize,
        .f_blocks = h->f_blocks, .f_bfree = h->f_bfree,
        .f_bavail = h->f_bavail, .f_files = h->f_files,
        .f_ffree = h->f_ffree,
        .f_fsid = {h->f_fsid.__val[0], h->f_fsid.__val[1]},
        .f_namelen = (uint32_t)h->f_namelen,
        .f_frsize = (uint32_t)h->f_frsize, .f_flags = (uint32_t)h->f_flags,
    };
    return g;
}

/* As the kernel's put_compat_statfs: -EOVERFLOW when a count does not fit
 * (file counts of ~0, "unknown", pass as ~0). */
static inline int kstruct_statfs32_from_host(const struct statfs *h,
                                             struct kstatfs32 *g)
{
    uint64_t big = (uint64_t)h->f_blocks | h->f_bfree | h->f_bavail |
                   (uint64_t)h->f_bsize | (uint64_t)h->f_frsize;
    if (big >> 32)
        return -EOVERFLOW;
    if ((h->f_files != (__fsfilcnt_t)-1 && (h->f_files >> 32)) ||
        (h->f_ffree != (__fsfilcnt_t)-1 && (h->f_ffree >> 32)))
        return -EOVERFLOW;
    struct kstatfs64 w = kstruct_statfs64_from_host(h);
    *g = (struct kstatfs32){
        .f_type = w.f_type, .f_bsize = w.f_bsize,
        .f_blocks = (uint32_t)w.f_blocks, .f_bfree = (uint32_t)w.f_bfree,
        .f_bavail = (uint32_t)w.f_bavail, .f_files = (uint32_t)w.f_files,
        .f_ffree = (uint32_t)w.f_ffree, .f_fsid = {w.f_fsid[0], w.f_fsid[1]},
        .f_namelen = w.f_namelen, .f_frsize = w.f_frsize,
        .f_flags = w.f_flags,
    };
    return 0;
}

#endif
