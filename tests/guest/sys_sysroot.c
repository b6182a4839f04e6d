/* -L SYSROOT: absolute paths resolve under SYSROOT when they exist there,
 * else on the host; relative paths are left alone.  Run with -L pointing
 * at a directory holding etc/r386-test.txt (tests/CMakeLists.txt). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>

#include "syscheck.h"

int main(void)
{
    char buf[128];
    struct stat st;
    int fd = open("/etc/r386-test.txt", O_RDONLY);
    CHECK_OK("open /etc/r386-test.txt", fd);
    if (fd >= 0) {
        long n = read(fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        printf("content: %s", buf);
        close(fd);
    }
    fd = openat(AT_FDCWD, "/etc/r386-test.txt", O_RDONLY);
    CHECK_OK("openat AT_FDCWD", fd);
    CHECK("stat size", stat("/etc/r386-test.txt", &st) == 0 ? st.st_size : -1);
    CHECK("access R_OK", access("/etc/r386-test.txt", R_OK));
    CHECK("readlink link", readlink("/etc/r386-link", buf, sizeof(buf)));
    /* Not in the sysroot: the host's. */
    CHECK("access /bin/sh (host)", access("/bin/sh", F_OK));
    CHECK("stat /proc/self (host)", stat("/proc/self", &st));
    /* Relative paths are not redirected. */
    CHECK("open etc/r386-test.txt (relative)",
          open("etc/r386-test.txt", O_RDONLY));
    CHECK("open missing", open("/etc/r386-missing.txt", O_RDONLY));
    return 0;
}
