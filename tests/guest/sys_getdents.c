/* Directory reading by a program without large-file support: readdir
 * (getdents64 with 32-bit d_off checks in glibc), the old getdents (141),
 * telldir/seekdir.  On ext4 the host's offsets are 64-bit hashes; a 32-bit
 * program must get offsets that fit (runtime/sys_file.c cookies). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "syscheck.h"

#define NFILES 300

struct old_dirent {
    uint32_t d_ino;
    uint32_t d_off;
    uint16_t d_reclen;
    char d_name[];
};

int main(void)
{
    char dir[] = "r386-getdents.XXXXXX", p[128];
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    for (int i = 0; i < NFILES; i++) {
        snprintf(p, sizeof(p), "%s/file-%03d", dir, i);
        int fd = open(p, O_CREAT | O_WRONLY, 0644);
        if (fd < 0)
            return 2;
        close(fd);
    }

    /* readdir with 32-bit off_t. */
    DIR *d = opendir(dir);
    struct dirent *e;
    int seen = 0, dots = 0;
    long mark = -1;
    char mark_next[64] = "";
    errno = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            dots++;
        else
            seen++;
        if (seen == 100 && mark < 0) {
            mark = telldir(d);
            e = readdir(d);
            if (e)
                snprintf(mark_next, sizeof(mark_next), "%s", e->d_name), seen++;
        }
    }
    printf("readdir: files %d dots %d errno %s\n", seen, dots,
           errno ? strerrorname_np(errno) : "0");
    seekdir(d, mark);
    e = readdir(d);
    printf("seekdir: back %d\n", e && strcmp(e->d_name, mark_next) == 0);
    rewinddir(d);
    int again = 0;
    while ((e = readdir(d)))
        again++;
    printf("rewinddir: entries %d\n", again);
    closedir(d);

    /* The old getdents, small buffer to need several calls. */
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    char buf[512];
    long n, total = 0, calls = 0, fits = 1, resumed = 0;
    uint32_t off_k = 0;
    char name_k[64] = "";
    while ((n = syscall(SYS_getdents, fd, buf, sizeof(buf))) > 0) {
        calls++;
        for (long pos = 0; pos < n;) {
            struct old_dirent *od = (struct old_dirent *)(buf + pos);
            if (od->d_off > INT32_MAX || od->d_reclen % 4)
                fits = 0;
            total++;
            if (total == 50)
                off_k = od->d_off;
            if (total == 51)
                snprintf(name_k, sizeof(name_k), "%s", od->d_name);
            pos += od->d_reclen;
        }
    }
    printf("getdents: entries %ld several %d fits %d last %ld\n", total,
           calls > 3, fits, n);
    /* Seek to the 50th entry's d_off: the 51st comes next. */
    CHECK("lseek d_off", lseek(fd, off_k, SEEK_SET) == (off_t)off_k);
    n = syscall(SYS_getdents, fd, buf, sizeof(buf));
    if (n > 0)
        resumed = strcmp(((struct old_dirent *)buf)->d_name, name_k) == 0;
    printf("getdents after lseek: %d\n", (int)resumed);
    CHECK("getdents tiny buffer", syscall(SYS_getdents, fd, buf, 8));
    CHECK("getdents EBADF", syscall(SYS_getdents, 999, buf, sizeof(buf)));
    CHECK("getdents EFAULT", syscall(SYS_getdents, fd, BAD_PTR, 512));
    CHECK("getdents ENOTDIR", syscall(SYS_getdents, 0, buf, sizeof(buf)));
    close(fd);

    for (int i = 0; i < NFILES; i++) {
        snprintf(p, sizeof(p), "%s/file-%03d", dir, i);
        unlink(p);
    }
    rmdir(dir);
    return 0;
}
