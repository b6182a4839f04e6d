/* Runs the fuzz target without libFuzzer: every file named on the command
 * line, or every file in a named directory, is fed once to
 * LLVMFuzzerTestOneInput.  Built with the ordinary compiler, it replays the
 * seeds and past crashes under ctest; a crash is a failed test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not the fuzzer's (it runs with -max_len). */
#define DRIVER_MAX_INPUT (1u << 20)

static int driver_run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    uint8_t *buf = malloc(DRIVER_MAX_INPUT);
    size_t n = buf ? fread(buf, 1, DRIVER_MAX_INPUT, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return -1;
    }
    /* An exact-size copy, so that ASan sees reads past the input. */
    uint8_t *input = malloc(n ? n : 1);
    if (!input) {
        free(buf);
        return -1;
    }
    memcpy(input, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(input, n);
    free(input);
    return 0;
}

/* Every regular file of dir, in name order so that runs repeat. */
static int driver_run_dir(const char *dir, int *count)
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    if (n < 0) {
        perror(dir);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (driver_run_file(path) < 0)
                rc = -1;
            else
                (*count)++;
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    int count = 0, rc = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (driver_run_dir(argv[i], &count) < 0)
                rc = 1;
        } else if (driver_run_file(argv[i]) < 0) {
            rc = 1;
        } else {
            count++;
        }
    }
    printf("fuzz_driver: %d input%s run\n", count, count == 1 ? "" : "s");
    /* No input at all is a broken setup, not a pass. */
    return count == 0 ? 1 : rc;
}
