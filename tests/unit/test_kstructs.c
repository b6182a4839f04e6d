/* The i386 kernel structures of runtime/kstructs.h: sizes, every field's
 * offset, and the host->guest conversions read back at the i386 offsets.
 *
 * The expected offsets below were printed by a `gcc -m32` program using the
 * kernel's own headers (struct stat64 and struct stat from <asm/stat.h>,
 * struct flock/flock64 from <linux/fcntl.h>, struct sigaction from the
 * kernel's rt_sigaction ABI, <linux/time.h>, <linux/uio.h>), e.g.
 *     printf("%zu\n", offsetof(struct stat64, st_size));   -> 44
 * so they are the i386 ABI's, not a copy of kstructs.h. */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "kstructs.h"
#include "test_util.h"

struct field {
    const char *name;
    size_t off, size;   /* from kstructs.h */
    size_t want_off, want_size; /* the i386 ABI (gcc -m32) */
};

#define F(type, member, off, size)                                          \
    {#type "." #member, offsetof(struct type, member),                      \
     sizeof(((struct type *)0)->member), off, size}

static const struct field fields[] = {
    F(kstat64, st_dev, 0, 8),
    F(kstat64, __st_ino, 12, 4),
    F(kstat64, st_mode, 16, 4),
    F(kstat64, st_nlink, 20, 4),
    F(kstat64, st_uid, 24, 4),
    F(kstat64, st_gid, 28, 4),
    F(kstat64, st_rdev, 32, 8),
    F(kstat64, st_size, 44, 8),
    F(kstat64, st_blksize, 52, 4),
    F(kstat64, st_blocks, 56, 8),
    F(kstat64, st_atime_sec, 64, 4),
    F(kstat64, st_atime_nsec, 68, 4),
    F(kstat64, st_mtime_sec, 72, 4),
    F(kstat64, st_mtime_nsec, 76, 4),
    F(kstat64, st_ctime_sec, 80, 4),
    F(kstat64, st_ctime_nsec, 84, 4),
    F(kstat64, st_ino, 88, 8),
    F(kstat32, st_dev, 0, 4),
    F(kstat32, st_ino, 4, 4),
    F(kstat32, st_mode, 8, 2),
    F(kstat32, st_nlink, 10, 2),
    F(kstat32, st_uid, 12, 2),
    F(kstat32, st_gid, 14, 2),
    F(kstat32, st_rdev, 16, 4),
    F(kstat32, st_size, 20, 4),
    F(kstat32, st_blksize, 24, 4),
    F(kstat32, st_blocks, 28, 4),
    F(kstat32, st_atime_sec, 32, 4),
    F(kstat32, st_atime_nsec, 36, 4),
    F(kstat32, st_mtime_sec, 40, 4),
    F(kstat32, st_mtime_nsec, 44, 4),
    F(kstat32, st_ctime_sec, 48, 4),
    F(kstat32, st_ctime_nsec, 52, 4),
    F(kflock32, l_type, 0, 2),
    F(kflock32, l_whence, 2, 2),
    F(kflock32, l_start, 4, 4),
    F(kflock32, l_len, 8, 4),
    F(kflock32, l_pid, 12, 4),
    F(kflock64, l_type, 0, 2),
    F(kflock64, l_whence, 2, 2),
    F(kflock64, l_start, 4, 8),
    F(kflock64, l_len, 12, 8),
    F(kflock64, l_pid, 20, 4),
    F(ktimespec32, tv_sec, 0, 4),
    F(ktimespec32, tv_nsec, 4, 4),
    F(ktimespec64, tv_sec, 0, 8),
    F(ktimespec64, tv_nsec, 8, 8),
    F(ktimeval32, tv_sec, 0, 4),
    F(ktimeval32, tv_usec, 4, 4),
    F(kiovec32, iov_base, 0, 4),
    F(kiovec32, iov_len, 4, 4),
    F(ktms32, tms_utime, 0, 4),
    F(ktms32, tms_cstime, 12, 4),
    F(ksigaction32, handler, 0, 4),
    F(ksigaction32, flags, 4, 4),
    F(ksigaction32, restorer, 8, 4),
    F(ksigaction32, mask, 12, 8),
    F(kstack32, ss_sp, 0, 4),
    F(kstack32, ss_flags, 4, 4),
    F(kstack32, ss_size, 8, 4),
    F(krlimit32, rlim_cur, 0, 4),
    F(krlimit32, rlim_max, 4, 4),
    F(ksel_arg32, tvp, 16, 4),
    /* struct statx is passed through: the i386 offsets are the host's. */
    F(statx, stx_mask, 0, 4),
    F(statx, stx_blksize, 4, 4),
    F(statx, stx_attributes, 8, 8),
    F(statx, stx_nlink, 16, 4),
    F(statx, stx_mode, 28, 2),
    F(statx, stx_ino, 32, 8),
    F(statx, stx_size, 40, 8),
    F(statx, stx_blocks, 48, 8),
    F(statx, stx_atime, 64, 16),
    F(statx, stx_mtime, 112, 16),
    F(statx, stx_rdev_major, 128, 4),
    F(statx, stx_dev_minor, 140, 4),
    /* <sys/socket.h> struct msghdr, cmsghdr, mmsghdr under gcc -m32. */
    F(kmsghdr32, msg_name, 0, 4),
    F(kmsghdr32, msg_namelen, 4, 4),
    F(kmsghdr32, msg_iov, 8, 4),
    F(kmsghdr32, msg_iovlen, 12, 4),
    F(kmsghdr32, msg_control, 16, 4),
    F(kmsghdr32, msg_controllen, 20, 4),
    F(kmsghdr32, msg_flags, 24, 4),
    F(kcmsghdr32, cmsg_len, 0, 4),
    F(kcmsghdr32, cmsg_level, 4, 4),
    F(kcmsghdr32, cmsg_type, 8, 4),
    F(kmmsghdr32, msg_hdr, 0, 28),
    F(kmmsghdr32, msg_len, 28, 4),
    /* <linux/time_types.h> */
    F(kitimerspec32, it_interval, 0, 8),
    F(kitimerspec32, it_value, 8, 8),
    F(kitimerspec64, it_interval, 0, 16),
    F(kitimerspec64, it_value, 16, 16),
};

START_TEST(layout)
{
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const struct field *f = &fields[i];
        ck_assert_msg(f->off == f->want_off && f->size == f->want_size,
                      "%s at %zu size %zu, i386 has %zu size %zu", f->name,
                      f->off, f->size, f->want_off, f->want_size);
    }
    ck_assert_uint_eq(sizeof(struct kstat64), 96);
    ck_assert_uint_eq(sizeof(struct kstat32), 64);
    ck_assert_uint_eq(sizeof(struct kflock32), 16);
    ck_assert_uint_eq(sizeof(struct kflock64), 24);
    ck_assert_uint_eq(sizeof(struct ktimespec32), 8);
    ck_assert_uint_eq(sizeof(struct ktimespec64), 16);
    ck_assert_uint_eq(sizeof(struct ktimeval32), 8);
    ck_assert_uint_eq(sizeof(struct kiovec32), 8);
    ck_assert_uint_eq(sizeof(struct kmsghdr32), 28);
    ck_assert_uint_eq(sizeof(struct kcmsghdr32), 12);
    ck_assert_uint_eq(sizeof(struct kmmsghdr32), 32);
    ck_assert_uint_eq(sizeof(struct kitimerspec32), 16);
    ck_assert_uint_eq(sizeof(struct kitimerspec64), 32);
    ck_assert_uint_eq(sizeof(struct ktms32), 16);
    ck_assert_uint_eq(sizeof(struct ksigaction32), 20);
    ck_assert_uint_eq(sizeof(struct kstack32), 12);
    ck_assert_uint_eq(sizeof(struct statx), 256);
    ck_assert_uint_eq(KTERMIOS_SIZE, 36);
    ck_assert_uint_eq(kfdset32_bytes(0), 0);
    ck_assert_uint_eq(kfdset32_bytes(1), 4);
    ck_assert_uint_eq(kfdset32_bytes(33), 8);
    ck_assert_uint_eq(kfdset32_bytes(1024), 128);
}
END_TEST

/* Little-endian reads at a byte offset of a converted structure. */
static uint64_t at(const void *p, size_t off, size_t size)
{
    uint64_t v = 0;
    memcpy(&v, (const uint8_t *)p + off, size);
    return v;
}

static struct stat sample_stat(void)
{
    struct stat h;
    memset(&h, 0, sizeof(h));
    h.st_dev = 0x0803;
    h.st_ino = 0x123456789aULL;
    h.st_mode = S_IFREG | 0644;
    h.st_nlink = 3;
    h.st_uid = 1000;
    h.st_gid = 100000;
    h.st_rdev = 0x0501;
    h.st_size = 0x1234567890LL;
    h.st_blksize = 4096;
    h.st_blocks = 0x987654321LL;
    h.st_atim = (struct timespec){0x11111111, 111};
    h.st_mtim = (struct timespec){0x22222222, 222};
    h.st_ctim = (struct timespec){0x133333333LL, 333}; /* past 2106 */
    return h;
}

START_TEST(stat64_conversion)
{
    struct stat h = sample_stat();
    uint8_t raw[96];
    memset(raw, 0xee, sizeof(raw));
    kstruct_stat64_from_host(&h, (struct kstat64 *)raw);
    ck_assert_uint_eq(at(raw, 0, 8), 0x0803);
    ck_assert_uint_eq(at(raw, 8, 4), 0); /* __pad0 */
    ck_assert_uint_eq(at(raw, 12, 4), 0x3456789a); /* __st_ino */
    ck_assert_uint_eq(at(raw, 16, 4), S_IFREG | 0644);
    ck_assert_uint_eq(at(raw, 20, 4), 3);
    ck_assert_uint_eq(at(raw, 24, 4), 1000);
    ck_assert_uint_eq(at(raw, 28, 4), 100000);
    ck_assert_uint_eq(at(raw, 32, 8), 0x0501);
    ck_assert_uint_eq(at(raw, 40, 4), 0); /* __pad3 */
    ck_assert_uint_eq(at(raw, 44, 8), 0x1234567890ULL);
    ck_assert_uint_eq(at(raw, 52, 4), 4096);
    ck_assert_uint_eq(at(raw, 56, 8), 0x987654321ULL);
    ck_assert_uint_eq(at(raw, 64, 4), 0x11111111);
    ck_assert_uint_eq(at(raw, 68, 4), 111);
    ck_assert_uint_eq(at(raw, 72, 4), 0x22222222);
    ck_assert_uint_eq(at(raw, 76, 4), 222);
    ck_assert_uint_eq(at(raw, 80, 4), 0x33333333); /* truncated */
    ck_assert_uint_eq(at(raw, 84, 4), 333);
    ck_assert_uint_eq(at(raw, 88, 8), 0x123456789aULL);
}
END_TEST

START_TEST(stat32_conversion)
{
    struct stat h = sample_stat();
    uint8_t raw[64];
    /* Inode, size past 32 bits: EOVERFLOW, as cp_new_stat. */
    ck_assert_int_eq(kstruct_stat32_from_host(&h, (struct kstat32 *)raw),
                     -EOVERFLOW);
    h.st_ino = 77;
    ck_assert_int_eq(kstruct_stat32_from_host(&h, (struct kstat32 *)raw),
                     -EOVERFLOW);
    h.st_size = 0x7fffffff;
    h.st_nlink = 70000;
    ck_assert_int_eq(kstruct_stat32_from_host(&h, (struct kstat32 *)raw),
                     -EOVERFLOW);
    h.st_nlink = 2;
    memset(raw, 0xee, sizeof(raw));
    ck_assert_int_eq(kstruct_stat32_from_host(&h, (struct kstat32 *)raw), 0);
    ck_assert_uint_eq(at(raw, 0, 4), 0x0803);
    ck_assert_uint_eq(at(raw, 4, 4), 77);
    ck_assert_uint_eq(at(raw, 8, 2), S_IFREG | 0644);
    ck_assert_uint_eq(at(raw, 10, 2), 2);
    ck_assert_uint_eq(at(raw, 12, 2), 1000);
    ck_assert_uint_eq(at(raw, 14, 2), 65534); /* gid 100000: overflow id */
    ck_assert_uint_eq(at(raw, 16, 4), 0x0501);
    ck_assert_uint_eq(at(raw, 20, 4), 0x7fffffff);
    ck_assert_uint_eq(at(raw, 24, 4), 4096);
    ck_assert_uint_eq(at(raw, 28, 4), 0x87654321); /* blocks truncated */
    ck_assert_uint_eq(at(raw, 32, 4), 0x11111111);
    ck_assert_uint_eq(at(raw, 36, 4), 111);
    ck_assert_uint_eq(at(raw, 44, 4), 222);
    ck_assert_uint_eq(at(raw, 52, 4), 333);
    ck_assert_uint_eq(at(raw, 56, 8), 0); /* __unused4/5 */
}
END_TEST

START_TEST(time_conversion)
{
    struct timespec h = {0x123456789LL, 999999999};
    struct ktimespec32 g32 = kstruct_timespec32_from_host(&h);
    ck_assert_int_eq(at(&g32, 0, 4), 0x23456789);
    ck_assert_int_eq(at(&g32, 4, 4), 999999999);
    struct ktimespec64 g64 = kstruct_timespec64_from_host(&h);
    ck_assert_uint_eq(at(&g64, 0, 8), 0x123456789ULL);
    ck_assert_uint_eq(at(&g64, 8, 8), 999999999);

    /* Guest -> host: timespec32 fields sign-extend; the upper half of a
     * timespec64's tv_nsec is padding on a 32-bit ABI. */
    struct ktimespec32 n32 = {-5, -1};
    struct timespec back = kstruct_timespec32_to_host(&n32);
    ck_assert_int_eq(back.tv_sec, -5);
    ck_assert_int_eq(back.tv_nsec, -1);
    struct ktimespec64 n64 = {-7, (int64_t)0xdeadbeef00000005LL};
    back = kstruct_timespec64_to_host(&n64);
    ck_assert_int_eq(back.tv_sec, -7);
    ck_assert_int_eq(back.tv_nsec, 5);

    struct timeval tv = {1700000000, 123456};
    struct ktimeval32 gtv = kstruct_timeval32_from_host(&tv);
    ck_assert_int_eq(at(&gtv, 0, 4), 1700000000);
    ck_assert_int_eq(at(&gtv, 4, 4), 123456);
    struct timeval tvb = kstruct_timeval32_to_host(&gtv);
    ck_assert_int_eq(tvb.tv_sec, 1700000000);
    ck_assert_int_eq(tvb.tv_usec, 123456);

    struct tms t = {1, 2, 3, 4};
    struct ktms32 gt = kstruct_tms32_from_host(&t);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(at(&gt, (size_t)i * 4, 4), i + 1);
}
END_TEST

START_TEST(flock_conversion)
{
    uint8_t raw64[24];
    memset(raw64, 0, sizeof(raw64));
    int16_t type = F_WRLCK, whence = SEEK_SET;
    int64_t start = 0x100000000LL, len = 10;
    int32_t pid = 4242;
    memcpy(raw64 + 0, &type, 2);
    memcpy(raw64 + 2, &whence, 2);
    memcpy(raw64 + 4, &start, 8);
    memcpy(raw64 + 12, &len, 8);
    memcpy(raw64 + 20, &pid, 4);
    struct flock h = kstruct_flock64_to_host((const struct kflock64 *)raw64);
    ck_assert_int_eq(h.l_type, F_WRLCK);
    ck_assert_int_eq(h.l_whence, SEEK_SET);
    ck_assert_int_eq(h.l_start, 0x100000000LL);
    ck_assert_int_eq(h.l_len, 10);
    ck_assert_int_eq(h.l_pid, 4242);

    struct kflock64 g64 = kstruct_flock64_from_host(&h);
    ck_assert_mem_eq(&g64, raw64, sizeof(raw64));

    /* A range past 2 GiB does not fit struct flock. */
    struct kflock32 g32;
    ck_assert_int_eq(kstruct_flock32_from_host(&h, &g32), -EOVERFLOW);
    h.l_start = 100;
    ck_assert_int_eq(kstruct_flock32_from_host(&h, &g32), 0);
    ck_assert_uint_eq(at(&g32, 0, 2), F_WRLCK);
    ck_assert_uint_eq(at(&g32, 4, 4), 100);
    ck_assert_uint_eq(at(&g32, 8, 4), 10);
    ck_assert_uint_eq(at(&g32, 12, 4), 4242);
    struct flock h2 = kstruct_flock32_to_host(&g32);
    ck_assert_int_eq(h2.l_start, 100);
    ck_assert_int_eq(h2.l_len, 10);
    ck_assert_int_eq(h2.l_pid, 4242);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kstructs");
    TCase *tc = tcase_create("kstructs");
    tcase_add_test(tc, layout);
    tcase_add_test(tc, stat64_conversion);
    tcase_add_test(tc, stat32_conversion);
    tcase_add_test(tc, time_conversion);
    tcase_add_test(tc, flock_conversion);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
