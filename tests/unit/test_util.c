#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

const char *guest_path(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", R386_TEST_GUEST_DIR, name);
    return buf;
}

uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

void write_file(const char *path, const void *data, size_t size, int mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    ck_assert_msg(fd >= 0, "cannot create %s", path);
    ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
    close(fd);
    chmod(path, (mode_t)mode);
}

const char *test_tmpdir(void)
{
    static char dir[256];
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "/tmp/r386-test-XXXXXX");
        if (!mkdtemp(dir)) { /* also called outside a test: no ck_assert */
            perror("mkdtemp");
            abort();
        }
    }
    return dir;
}

static void drain(int fd, char *buf, size_t len)
{
    size_t used = 0;
    char scratch[4096];
    for (;;) {
        ssize_t n = read(fd, scratch, sizeof(scratch));
        if (n <= 0)
            break;
        size_t take = (size_t)n;
        if (len && used + take > len - 1)
            take = len - 1 - used;
        if (len)
            memcpy(buf + used, scratch, take);
        used += take;
    }
    if (len)
        buf[used] = '\0';
}

int run_capture(char *const argv[], char *out, size_t outlen, char *err,
                size_t errlen)
{
    char opath[300], epath[300];
    snprintf(opath, sizeof(opath), "%s/out.XXXXXX", test_tmpdir());
    snprintf(epath, sizeof(epath), "%s/err.XXXXXX", test_tmpdir());
    int ofd = mkstemp(opath), efd = mkstemp(epath);
    ck_assert(ofd >= 0 && efd >= 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        int nul = open("/dev/null", O_RDONLY);
        dup2(nul, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        if (!getenv("R386_CACHE_DIR")) { /* not the user's cache */
            char cache[320];
            snprintf(cache, sizeof(cache), "%s/cache", test_tmpdir());
            setenv("R386_CACHE_DIR", cache, 1);
        }
        execv(argv[0], argv);
        _exit(255);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    lseek(ofd, 0, SEEK_SET);
    lseek(efd, 0, SEEK_SET);
    drain(ofd, out, outlen);
    drain(efd, err, errlen);
    close(ofd);
    close(efd);
    unlink(opath);
    unlink(epath);
    return status;
}

int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

int test_run_suite(Suite *s)
{
    /* Made here, in the parent, so that every forked test shares it. */
    const char *dir = test_tmpdir();
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return failed ? 1 : 0;
}
