/* Memory system calls (runtime/sys_mm.c): mmap2 of files and anonymous
 * memory with guest-visible protections, MAP_SHARED write-back and msync,
 * MAP_PRIVATE copies, mremap, madvise, munmap, brk -- and their error paths.
 * Protections are observed through system calls that must fail with EFAULT
 * (the kernel checks them), not through faults.  Addresses are never
 * printed, only relations between them.
 *
 * Reference: qemu-i386 (7.2) cannot be used here -- it answers 0 to
 * madvise with an unknown advice and then crashes after the mremap
 * shrink -- so expected/sys_mm.out holds Linux's answers, each checked
 * against the kernel's mm/ code by hand. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "syscheck.h"

#define PAGE 4096

static char path[64];

static int make_file(void)
{
    snprintf(path, sizeof(path), "/tmp/r386-sys-mm-%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char buf[PAGE];
    for (int i = 0; i < 3; i++) {
        memset(buf, 'a' + i, sizeof(buf));
        if (write(fd, buf, sizeof(buf)) != sizeof(buf))
            printf("short write\n");
    }
    if (write(fd, "tail", 4) != 4) /* 3 pages + 4 bytes */
        printf("short write\n");
    return fd;
}

/* The /proc/self/maps line of the mapping at a, as the kernel writes
 * it: its file offset, inode and path.  0 when found and all agree. */
static int maps_line_ok(const void *a, unsigned long offset, int fd)
{
    struct stat st;
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f || fstat(fd, &st) != 0)
        return -1;
    char line[512];
    int rc = -2;
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi, off, ino;
        unsigned maj, min;
        char perms[5], name[256] = "";
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %255s", &lo, &hi, perms,
                   &off, &maj, &min, &ino, name) < 7 ||
            lo != (unsigned long)(uintptr_t)a)
            continue;
        rc = (off == offset ? 0 : 4) | (ino == st.st_ino ? 0 : 8) |
             (strcmp(name, path) == 0 ? 0 : 16);
        break;
    }
    fclose(f);
    return rc;
}

static void test_file_maps(int fd)
{
    /* A shared mapping of page 1 onwards: offset, contents, the partial
     * last page zero-filled past the end of the file. */
    char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                   PAGE);
    printf("shared map ok %d\n", p != MAP_FAILED);
    printf("contents %c %c %.4s zero-fill %d\n", p[0], p[PAGE], p + 2 * PAGE,
           p[2 * PAGE + 4] == 0 && p[3 * PAGE - 1] == 0);
    memcpy(p + 10, "SHARED", 6);
    CHECK("msync", msync(p, PAGE, MS_SYNC));
    CHECK("msync unaligned", msync(p + 1, PAGE, MS_SYNC));
    char buf[8] = {0};
    CHECK("pread sees write", pread(fd, buf, 6, PAGE + 10));
    printf("file has %.6s\n", buf);

    /* A private mapping: writes stay in the process. */
    char *q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    memcpy(q, "PRIVATE", 7);
    CHECK("pread private", pread(fd, buf, 7, 0));
    printf("file keeps %.7s, map has %.7s\n", buf, q);
    /* Both in /proc/self/maps, with the file's offset, inode and path. */
    printf("maps shared %d private %d\n", maps_line_ok(p, PAGE, fd),
           maps_line_ok(q, 0, fd));

    /* Protections as the kernel sees them. */
    CHECK("mprotect read-only", mprotect(p, PAGE, PROT_READ));
    CHECK("read into read-only", pread(fd, p, 1, 0));
    CHECK("write from read-only", pwrite(fd, p, 1, 3 * PAGE + 4));
    CHECK("mprotect none", mprotect(p, PAGE, PROT_NONE));
    CHECK("write from no-access", write(1, p, 1));
    CHECK("mprotect unaligned", mprotect(p + 1, PAGE, PROT_READ));
    CHECK("mprotect bad prot", mprotect(p, PAGE, 0x100));
    CHECK("munmap", munmap(p, 3 * PAGE));
    CHECK("write from unmapped", write(1, p + PAGE, 1));
    CHECK("munmap again", munmap(p, 3 * PAGE));
    CHECK("munmap unaligned", munmap(q + 1, PAGE));
    CHECK("munmap private", munmap(q, PAGE));

    /* Errors. */
    CHECK("mmap bad fd", (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, 999, 0));
    CHECK("mmap zero length", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0));
    CHECK("mmap unaligned offset",
          (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100));
    CHECK("mmap no type", (long)mmap(NULL, PAGE, PROT_READ, 0, fd, 0));
    int ro = open(path, O_RDONLY);
    CHECK("mmap shared writable of read-only fd",
          (long)mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
    char *r = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    printf("private writable of read-only fd ok %d\n", r != MAP_FAILED);
    close(ro);
}

static void test_anon(void)
{
    char *a = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("anon ok %d zeroed %d aligned %d\n", a != MAP_FAILED,
           a[0] == 0 && a[4 * PAGE - 1] == 0, ((uintptr_t)a & (PAGE - 1)) == 0);
    memset(a, 'x', 4 * PAGE);
    CHECK("madvise dontneed", madvise(a + PAGE, PAGE, MADV_DONTNEED));
    printf("after dontneed %c %d %c\n", a[0], a[PAGE], a[2 * PAGE]);
    CHECK("madvise bad advice", madvise(a, PAGE, 12345));
    CHECK("madvise unaligned", madvise(a + 1, PAGE, MADV_NORMAL));

    /* mremap: grow in place or move, contents kept; shrink. */
    char *b = mremap(a, 4 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
    printf("mremap grow ok %d kept %c%c\n", b != MAP_FAILED, b[0], b[4 * PAGE - 1]);
    b[64 * PAGE - 1] = 'y';
    char *c = mremap(b, 64 * PAGE, 2 * PAGE, 0);
    printf("mremap shrink in place %d kept %c\n", c == b, c[0]);
    CHECK("write from shrunk-away", write(1, b + 3 * PAGE, 1));
    CHECK("mremap bad flags", (long)mremap(c, 2 * PAGE, 4 * PAGE, 0x80));
    CHECK("mremap unaligned", (long)mremap(c + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
    CHECK("munmap anon", munmap(c, 2 * PAGE));

    /* MAP_FIXED at an address the program chooses. */
    char *want = (char *)0x30000000;
    char *f = mmap(want, PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed at requested address %d\n", f == want);
    f[0] = 1;
    char *g = mmap(want, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed replaces mapping %d zeroed %d\n", g == want, g[0] == 0);
    CHECK("mmap fixed unaligned",
          (long)mmap(want + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    /* MAP_FIXED_NOREPLACE over an existing mapping. */
    CHECK("fixed_noreplace over mapping",
          (long)mmap(want, PAGE, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
}

static void test_brk(void)
{
    char *start = sbrk(0);
    char *got = sbrk(3 * PAGE);
    printf("sbrk grows from the break %d\n", got == start);
    memset(got, 'b', 3 * PAGE);
    printf("brk now %d pages further\n", (int)((char *)sbrk(0) - start) / PAGE);
    CHECK("brk shrink", brk(start + PAGE));
    CHECK("write from released brk", write(1, start + 2 * PAGE, 1));
    printf("brk query below start returns current %d\n",
           syscall(SYS_brk, 0) == (long)(start + PAGE));
}

int main(void)
{
    int fd = make_file();
    test_file_maps(fd);
    test_anon();
    test_brk();
    close(fd);
    unlink(path);
    return 0;
}
