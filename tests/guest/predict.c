/* Indirect calls and jumps the optimising tier predicts (lifter/predict.c):
 * a call through a function pointer whose callee settles and then
 * changes, one whose callee changes all the time, a switch's jump table,
 * calls into the C library through the PLT (built as a PIE), and a fault
 * inside a predicted callee in a loop that ran hot first (the faulting
 * instruction's EIP, which r386 finds by lifting the unit again with the
 * predictions it was compiled with -- also from the persistent cache, in
 * a second run).  Each hot phase runs for a while (the optimising tier
 * works on its own thread), then the results that do not depend on how
 * long are printed.  Output is compared with qemu-i386. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "hot.h"

static __attribute__((noinline)) unsigned add1(unsigned x) { return x + 1; }
static __attribute__((noinline)) unsigned twice(unsigned x) { return 2 * x; }
static __attribute__((noinline)) unsigned rot(unsigned x)
{
    return x << 7 | x >> 25;
}

typedef unsigned (*fn)(unsigned);
static fn volatile callees[3] = {add1, twice, rot};

/* n calls through a pointer: callees[0] up to iteration change, then
 * callees[1] (the prediction's test fails from there on). */
static __attribute__((noinline)) unsigned calls(int n, int change)
{
    unsigned s = 0;
    fn f = callees[0];
    for (int i = 0; i < n; i++) {
        if (i == change)
            f = callees[1];
        s = s * 31 + f((unsigned)i);
    }
    return s;
}

/* A callee chosen by i every time: never settles. */
static __attribute__((noinline)) unsigned calls_mixed(int n)
{
    unsigned s = 0;
    for (int i = 0; i < n; i++)
        s = s * 31 + callees[i % 3]((unsigned)i);
    return s;
}

/* A switch on a jump table: one case for the first `settle` iterations,
 * then all of them. */
static __attribute__((noinline)) unsigned jumps(int n, int settle)
{
    unsigned s = 1;
    for (int i = 0; i < n; i++) {
        switch (i < settle ? 3 : i % 7) {
        case 0: s += 11; break;
        case 1: s ^= s << 3; break;
        case 2: s = s * 5 + 1; break;
        case 3: s += (unsigned)i; break;
        case 4: s -= 7; break;
        case 5: s = s >> 1 | s << 31; break;
        default: s ^= 0x5a5a; break;
        }
    }
    return s;
}

/* Calls into the C library (through the PLT in the PIE build). */
static __attribute__((noinline)) unsigned libc_calls(int n)
{
    static char buf[64];
    unsigned s = 0;
    for (int i = 0; i < n; i++) {
        buf[i % 50] = 'a' + i % 26;
        buf[i % 50 + 1] = 0;
        s = s * 31 + (unsigned)strlen(buf) +
            (unsigned)(strchr(buf, 'q') != NULL);
    }
    return s;
}

/* ---- a fault in a predicted callee ---- */
static sigjmp_buf jb;
extern char load_at[];

static __attribute__((noinline)) unsigned load(const unsigned *p)
{
    unsigned v;
    __asm__ volatile(".globl load_at\nload_at: movl (%1), %0"
                     : "=r"(v) : "r"(p) : "memory");
    return v + 1;
}

typedef unsigned (*loader_fn)(const unsigned *);
static loader_fn volatile loader = load;

static __attribute__((noinline)) unsigned loads(const unsigned *const *p,
                                                int n)
{
    unsigned s = 0;
    loader_fn f = loader;
    for (int i = 0; i < n; i++)
        s += f(p[i]);
    return s;
}

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
    unsigned r = 0;
    HOT(0.3, r = calls(1000, 1000));
    printf("calls settled %u\n", r);
    printf("calls changed %u %u\n", calls(1000, 500), calls(1000, 0));
    HOT(0.2, r = calls_mixed(999));
    printf("calls mixed %u\n", r);
    HOT(0.3, r = jumps(1000, 1000));
    printf("jumps settled %u\n", r);
    printf("jumps all %u %u\n", jumps(1000, 100), jumps(1000, 0));
    HOT(0.3, r = libc_calls(1000));
    printf("libc %u\n", r);

    static unsigned words[4] = {1, 2, 3, 4};
    const unsigned *good[8], *bad[8];
    for (int i = 0; i < 8; i++) {
        good[i] = &words[i % 4];
        bad[i] = i == 5 ? (const unsigned *)0x10 : &words[i % 4];
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    HOT(0.3, r = loads(good, 8));
    printf("loads %u\n", r);
    for (int k = 0; k < 2; k++)
        if (!sigsetjmp(jb, 1))
            printf("loads %u (no fault)\n", loads(bad, 8));
    return 0;
}
