/* Faults as signals: SIGSEGV from a write to a PROT_READ page and from a
 * NULL read (si_code, si_addr, and the EIP of the faulting instruction),
 * SIGFPE from an integer divide by zero, SIGILL from ud2, SIGTRAP from
 * int3 (EIP after it), SIGSEGV from a privileged instruction; handlers
 * that recover with siglongjmp; stack overflow caught on a sigaltstack;
 * a fault in a loop that ran hot first (r386's optimising tier names the
 * faulting instruction from the host pc, not from a stored pc); loads
 * whose 32-bit address wraps around 4 GiB.
 * Output is compared with qemu-i386. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "hot.h"

static sigjmp_buf jb;
static volatile void *expect_addr;
static volatile uintptr_t expect_eip;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uintptr_t eip = (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
    printf("  %s code %d addr ok %d eip ok %d\n", sigabbrev_np(sig),
           si->si_code, si->si_addr == expect_addr, eip == expect_eip);
    siglongjmp(jb, 1);
}

static void catch(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(sig, &sa, NULL);
}

extern char write_ro_at[], read_null_at[], div_at[], ud2_at[], int3_after[],
    hlt_at[], hot_load_at[];

/* The write that faults, always the same instruction. */
static __attribute__((noinline)) void write_ro(char *p)
{
    __asm__ volatile("add $1, %%ecx\n.globl write_ro_at\nwrite_ro_at: "
                     "movl %%ecx, (%0)\nadd $2, %%ecx" ::"r"(p), "c"(0)
                     : "memory");
}

/* The sum of n words at p, in a loop of guest code the optimiser sees
 * whole. */
static __attribute__((noinline)) unsigned sum_words(const unsigned *p, int n)
{
    unsigned s;
    __asm__ volatile("xor %0, %0\n"
                     "1:\n.globl hot_load_at\nhot_load_at: addl (%1), %0\n"
                     "add $4, %1\ndec %2\njnz 1b"
                     : "=&r"(s), "+r"(p), "+r"(n) : : "memory", "cc");
    return s;
}

/* sum_words hot (100,000 calls: long enough for r386's optimising tier
 * to replace the loop), then, from the same loop, run into a page that is
 * not mapped. */
static void test_hot_fault(void)
{
    unsigned *buf = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(buf + 1024, 4096);
    for (unsigned i = 0; i < 1024; i++)
        buf[i] = i * 2654435761u;
    static volatile int last = 100000;
    static volatile unsigned total;
    total = 0;
    expect_addr = buf + 1024;
    expect_eip = (uintptr_t)hot_load_at;
    if (!sigsetjmp(jb, 1))
        for (int i = 0; i <= last; i++)
            total += sum_words(i == last ? buf + 1000 : buf + (i & 7),
                               i == last ? 100 : 1000);
    printf("fault in hot code (sum %u)\n", total);
}

extern char wrap_below_at[], wrap_above_at[];

/* Loads at -8 from p and at +12 from q, in code the optimiser sees
 * whole: optimised code adds such displacements to the host address, so
 * one whose 32-bit address wraps around 4 GiB must still fault at the
 * wrapped address. */
static __attribute__((noinline)) unsigned load_around(const char *p,
                                                      const char *q)
{
    unsigned a, b;
    __asm__ volatile(".globl wrap_below_at\nwrap_below_at: movl -8(%2), %0\n"
                     ".globl wrap_above_at\nwrap_above_at: movl 12(%3), %1"
                     : "=&r"(a), "=&r"(b) : "r"(p), "r"(q) : "memory");
    return a + b;
}

/* n calls of load_around with the pointers in wp and wq. */
static const char *volatile wp, *volatile wq;
static volatile unsigned wrap_total;
static __attribute__((noinline)) void load_sweep(int n)
{
    for (int i = 0; i < n; i++)
        wrap_total += load_around(wp, wq);
}

/* load_sweep hot (half a second: long enough for r386's optimising tier,
 * which makes such accesses one host operand), then, from the same code,
 * with a p just above 0 (-8 wraps to 0xfffffffc) and a q just below
 * 4 GiB (+12 wraps to 0x4): both unmapped on i386. */
static void test_wrap_fault(void)
{
    static unsigned words[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const char *ok = (const char *)&words[2];
    wp = wq = ok;
    HOT(0.5, load_sweep(1000));
    wrap_total = 0;
    load_sweep(1);
    expect_addr = (void *)0xfffffffc;
    expect_eip = (uintptr_t)wrap_below_at;
    wp = (const char *)4;
    if (!sigsetjmp(jb, 1))
        load_sweep(1);
    expect_addr = (void *)4;
    expect_eip = (uintptr_t)wrap_above_at;
    wp = ok;
    wq = (const char *)0xfffffff8;
    if (!sigsetjmp(jb, 1))
        load_sweep(1);
    printf("wrapped addresses in hot code (sum %u)\n", wrap_total);
}

static void test_faults(void)
{
    catch(SIGSEGV, 0);
    catch(SIGFPE, 0);
    catch(SIGILL, 0);
    catch(SIGTRAP, 0);

    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                    0);
    printf("write to PROT_READ:\n");
    expect_addr = ro + 12;
    expect_eip = (uintptr_t)write_ro_at;
    if (!sigsetjmp(jb, 1))
        write_ro(ro + 12);
    printf("NULL read:\n");
    expect_addr = NULL;
    expect_eip = (uintptr_t)read_null_at;
    if (!sigsetjmp(jb, 1)) {
        /* (The value is used: r386 may drop a load whose value is not,
         * see docs/DEVIATIONS.md.) */
        int v;
        __asm__ volatile("movl $5, %%edx\n.globl read_null_at\nread_null_at: "
                         "movl (%1), %0" : "=r"(v) : "r"(0) : "edx");
        printf("read %d\n", v);
    }
    printf("divide by zero:\n");
    expect_addr = div_at;
    expect_eip = (uintptr_t)div_at;
    if (!sigsetjmp(jb, 1))
        __asm__ volatile("xor %%edx, %%edx\n.globl div_at\ndiv_at: divl %0"
                         ::"r"(0), "a"(7) : "edx");
    printf("ud2:\n");
    expect_addr = ud2_at;
    expect_eip = (uintptr_t)ud2_at;
    if (!sigsetjmp(jb, 1))
        __asm__ volatile(".globl ud2_at\nud2_at: ud2");
    printf("int3:\n");
    expect_addr = NULL;
    expect_eip = (uintptr_t)int3_after;
    if (!sigsetjmp(jb, 1))
        __asm__ volatile("int3\n.globl int3_after\nint3_after: nop");
    printf("hlt:\n");
    expect_addr = NULL;
    expect_eip = (uintptr_t)hlt_at;
    if (!sigsetjmp(jb, 1))
        __asm__ volatile(".globl hlt_at\nhlt_at: hlt");

    /* Faults in a loop: each one recovered, the loop carries on. */
    int caught = 0;
    expect_addr = ro + 12;
    expect_eip = (uintptr_t)write_ro_at;
    for (int i = 0; i < 3; i++) {
        if (!sigsetjmp(jb, 1))
            write_ro(ro + 12);
        else
            caught++;
    }
    printf("caught %d of 3 in a loop\n", caught);
    mprotect(ro, 4096, PROT_READ | PROT_WRITE);
    ro[12] = 9;
    printf("after mprotect: %d\n", ro[12]);
    test_hot_fault();
    test_wrap_fault();
}

static char altstack[65536];
static volatile int alt_ok;

static void on_overflow(int sig, siginfo_t *si, void *ucv)
{
    (void)ucv;
    char here;
    alt_ok = &here > altstack && &here < altstack + sizeof(altstack);
    printf("  %s code %d on alt stack %d\n", sigabbrev_np(sig), si->si_code,
           alt_ok);
    siglongjmp(jb, 1);
}

static int recurse(volatile char *prev, int n)
{
    volatile char buf[4096];
    buf[0] = (char)n;
    buf[4095] = prev ? prev[0] : 0;
    return recurse(buf, n + 1) + buf[100];
}

static void test_overflow(void)
{
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_overflow;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    printf("stack overflow:\n");
    if (!sigsetjmp(jb, 1))
        recurse(NULL, 0);
    printf("recovered\n");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    test_faults();
    test_overflow();
    return 0;
}
