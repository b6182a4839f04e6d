/* Helpers for the system call guest programs (sys_*.c): print a call's
 * result as "label = value" or "label = -1 ENAME", deterministic output
 * only (no times, inode numbers, pids or paths).  Include it after
 * defining _GNU_SOURCE (strerrorname_np). */
#ifndef SYSCHECK_H
#define SYSCHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* An address no i386 program has mapped: the first page. */
#define BAD_PTR ((void *)1)

static void report(const char *label, long r)
{
    if (r == -1)
        printf("%s = -1 %s\n", label, strerrorname_np(errno));
    else
        printf("%s = %ld\n", label, r);
}

#define CHECK(label, expr) report(label, (long)(expr))
/* Only whether it succeeded (for results that vary from run to run). */
#define CHECK_OK(label, expr)                                               \
    do {                                                                    \
        long r_ = (long)(expr);                                             \
        if (r_ == -1)                                                       \
            report(label, r_);                                              \
        else                                                                \
            printf("%s = ok\n", label);                                     \
    } while (0)

#endif
