/* Helpers shared by the Check suites. */
#ifndef R386_TEST_UTIL_H
#define R386_TEST_UTIL_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

/* The path of a guest test program (static storage, overwritten by the
 * next call). */
const char *guest_path(const char *name);

/* Read a whole file; aborts the test on failure.  Caller frees. */
uint8_t *read_file(const char *path, size_t *size);
/* Write bytes to path with the given mode; aborts on failure. */
void write_file(const char *path, const void *data, size_t size, int mode);

/* A fresh temporary directory for this test process (created once). */
const char *test_tmpdir(void);

/* Run argv (argv[0] a path) with stdin from /dev/null, capturing stdout and
 * stderr (each truncated to its buffer, NUL-terminated).  Returns the wait
 * status. */
int run_capture(char *const argv[], char *out, size_t outlen, char *err,
                size_t errlen);

/* Run a suite (each test in its own process) and remove the temporary
 * directory afterwards; returns main's exit status. */
struct Suite;
int test_run_suite(struct Suite *s);

/* Number of '\n'-terminated lines in s. */
int count_lines(const char *s);

#endif
