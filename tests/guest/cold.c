/* Regions that leave the blocks which did not run as cold exits
 * (lifter/predict.c, lift_cold): a loop whose branches go one way while
 * the interpreter counts its blocks and the optimising tier compiles it,
 * then the other ways (the cold exits taken, into a callee the unit does
 * not hold); and a fault inside such a unit, whose EIP r386 finds by
 * lifting the unit again with the same cold blocks -- also from the
 * persistent cache, in a second run (tests/cli/cold.sh runs it twice with
 * one cache).  Each hot phase runs for a while (the optimising tier works
 * on its own thread), then the results that do not depend on how long are
 * printed.  Output is compared with qemu-i386. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "hot.h"

/* The rare side's callee: a few blocks of its own. */
static __attribute__((noinline)) unsigned slow(unsigned v)
{
    unsigned r = v;
    for (int k = 0; k < 5; k++)
        r = r & 1 ? r * 3 + 1 : r >> 1;
    return r;
}

extern char load_at[];

/* Sums the words p[i] points at; a word equal to rare, or with the top
 * bit set, takes a side that does not run while the loop gets hot. */
static __attribute__((noinline)) unsigned sum(const unsigned *const *p, int n,
                                              unsigned rare)
{
    unsigned s = 0;
    for (int i = 0; i < n; i++) {
        unsigned v;
        __asm__ volatile(".globl load_at\nload_at: movl (%1), %0"
                         : "=r"(v) : "r"(p[i]) : "memory");
        if (v == rare)
            s = s * 7 + slow(v);
        else
            s = s * 31 + v;
        if (v & 0x80000000u)
            s ^= 0x12345u;
    }
    return s;
}

/* Called through a pointer: the first tier compiles a unit's direct
 * successors with it (so they are never interpreted, and have no counts),
 * not an indirect call's target. */
typedef unsigned (*sum_fn)(const unsigned *const *, int, unsigned);
static sum_fn volatile sum_p = sum;

static sigjmp_buf jb;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uintptr_t eip = (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
    printf("  %s addr %#lx at load_at %d\n", sigabbrev_np(sig),
           (unsigned long)(uintptr_t)si->si_addr,
           eip == (uintptr_t)load_at);
    siglongjmp(jb, 1);
}

int main(void)
{
    static unsigned words[16];
    const unsigned *p[64], *bad[64];
    for (int i = 0; i < 16; i++)
        words[i] = (unsigned)i * 2654435761u % 1000u + 1000u;
    words[13] = 77u;          /* rare */
    words[14] = 0x80000005u;  /* top bit */
    for (int i = 0; i < 64; i++) {
        p[i] = &words[i % 12]; /* neither rare nor top bit */
        bad[i] = i == 41 ? (const unsigned *)0x20 : p[i];
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    unsigned r = 0;
    HOT(0.4, r = sum_p(p, 64, 77u));
    printf("hot %u\n", r);
    /* The same loop again, from the same call, until a bad pointer in
     * its last run faults in the code the first loop made hot. */
    if (!sigsetjmp(jb, 1)) {
        double t0 = now();
        for (;;)
            r = sum_p(now() - t0 < 0.2 ? p : bad, 64, 77u);
    }
    /* The cold sides: every fourth word rare, every fifth top bit. */
    const unsigned *q[64];
    for (int i = 0; i < 64; i++)
        q[i] = i % 4 == 0 ? &words[13] : i % 5 == 0 ? &words[14] : p[i];
    printf("cold taken %u\n", sum_p(q, 64, 77u));
    HOT(0.2, r = sum_p(q, 64, 77u));
    printf("cold hot %u\n", r);
    return 0;
}
