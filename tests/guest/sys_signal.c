/* Signal bookkeeping system calls, called raw (syscall(2)) with the i386
 * structures: rt_sigaction, rt_sigprocmask, sigaltstack -- what is set
 * reads back, with the kernel's refusals.  No signal is raised. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>

#include "syscheck.h"

/* The rt_sigaction struct sigaction of i386: 20 bytes. */
struct ksigaction {
    uint32_t handler, flags, restorer;
    uint32_t mask[2];
};

struct kstack {
    uint32_t sp;
    int32_t flags;
    uint32_t size;
};

static void handler(int sig)
{
    (void)sig;
}

static void restorer(void)
{
}

#define KSA_RESTORER 0x04000000u

static void test_sigaction(void)
{
    struct ksigaction act = {(uint32_t)(uintptr_t)handler,
                             SA_RESTART | SA_SIGINFO | KSA_RESTORER,
                             (uint32_t)(uintptr_t)restorer,
                             {1u << (SIGUSR2 - 1), 1}};
    /* (The kernel drops SIGKILL and SIGSTOP from sa_mask, qemu-i386 keeps
     * them: not compared here.) */
    struct ksigaction old;
    memset(&old, 0x55, sizeof(old));
    CHECK("rt_sigaction", syscall(SYS_rt_sigaction, SIGUSR1, &act, &old, 8));
    printf("old: handler %u flags %#x mask %#x %#x\n", old.handler, old.flags,
           old.mask[0], old.mask[1]);
    memset(&old, 0x55, sizeof(old));
    CHECK("rt_sigaction read", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old,
                                       8));
    printf("read: handler ok %d restorer ok %d flags %#x mask %#x %#x\n",
           old.handler == act.handler, old.restorer == act.restorer,
           old.flags, old.mask[0], old.mask[1]);
    struct ksigaction ign = {(uint32_t)(uintptr_t)SIG_IGN, 0, 0, {0, 0}};
    CHECK("rt_sigaction ignore", syscall(SYS_rt_sigaction, SIGUSR1, &ign,
                                         NULL, 8));
    CHECK("rt_sigaction read", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old,
                                       8));
    printf("read: handler %u\n", old.handler);
    CHECK("rt_sigaction rtmin+2", syscall(SYS_rt_sigaction, 36, &ign, NULL,
                                          8));
    CHECK("rt_sigaction 64", syscall(SYS_rt_sigaction, 64, NULL, &old, 8));
    CHECK("rt_sigaction SIGKILL", syscall(SYS_rt_sigaction, SIGKILL, &ign,
                                          NULL, 8));
    CHECK("rt_sigaction SIGSTOP", syscall(SYS_rt_sigaction, SIGSTOP, &ign,
                                          NULL, 8));
    CHECK("rt_sigaction SIGKILL read", syscall(SYS_rt_sigaction, SIGKILL,
                                               NULL, &old, 8));
    CHECK("rt_sigaction 0", syscall(SYS_rt_sigaction, 0, NULL, &old, 8));
    CHECK("rt_sigaction 65", syscall(SYS_rt_sigaction, 65, NULL, &old, 8));
    CHECK("rt_sigaction size", syscall(SYS_rt_sigaction, SIGUSR1, &ign, NULL,
                                       4));
    CHECK("rt_sigaction bad act", syscall(SYS_rt_sigaction, SIGUSR1, BAD_PTR,
                                          NULL, 8));
    CHECK("rt_sigaction bad old", syscall(SYS_rt_sigaction, SIGUSR1, NULL,
                                          BAD_PTR, 8));
    CHECK("rt_sigaction dfl", syscall(SYS_rt_sigaction, SIGUSR1,
                                      &(struct ksigaction){0}, NULL, 8));
}

static void test_sigprocmask(void)
{
    uint64_t set = 1u << (SIGUSR1 - 1), old = 0x5555;
    CHECK("rt_sigprocmask block", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set,
                                          &old, 8));
    printf("old mask %#llx\n", (unsigned long long)old);
    set = 1ull << (SIGUSR2 - 1) | 1ull << (SIGKILL - 1) |
          1ull << (SIGSTOP - 1) | 1ull << 40;
    CHECK("rt_sigprocmask block more", syscall(SYS_rt_sigprocmask, SIG_BLOCK,
                                               &set, NULL, 8));
    CHECK("rt_sigprocmask read", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL,
                                         &old, 8));
    printf("mask %#llx\n", (unsigned long long)old);
    set = 1u << (SIGUSR1 - 1);
    CHECK("rt_sigprocmask unblock", syscall(SYS_rt_sigprocmask, SIG_UNBLOCK,
                                            &set, &old, 8));
    CHECK("rt_sigprocmask read", syscall(SYS_rt_sigprocmask, 99, NULL, &old,
                                         8));
    printf("mask %#llx\n", (unsigned long long)old);
    CHECK("rt_sigprocmask bad how", syscall(SYS_rt_sigprocmask, 99, &set,
                                            NULL, 8));
    CHECK("rt_sigprocmask size", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set,
                                         NULL, 16));
    CHECK("rt_sigprocmask bad set", syscall(SYS_rt_sigprocmask, SIG_BLOCK,
                                            BAD_PTR, NULL, 8));
    CHECK("rt_sigprocmask bad old", syscall(SYS_rt_sigprocmask, SIG_BLOCK,
                                            NULL, BAD_PTR, 8));
    set = 0;
    CHECK("rt_sigprocmask setmask", syscall(SYS_rt_sigprocmask, SIG_SETMASK,
                                            &set, &old, 8));
    printf("mask %#llx\n", (unsigned long long)old);
    CHECK("rt_sigprocmask read", syscall(SYS_rt_sigprocmask, SIG_SETMASK,
                                         NULL, &old, 8));
    printf("mask %#llx\n", (unsigned long long)old);
}

static char alt[65536];

static void test_sigaltstack(void)
{
    struct kstack old = {1, 1, 1}, ss;
    CHECK("sigaltstack query", syscall(SYS_sigaltstack, NULL, &old));
    printf("initial: sp %u flags %d size %u\n", old.sp, old.flags, old.size);
    ss = (struct kstack){(uint32_t)(uintptr_t)alt, 0, 1024};
    CHECK("sigaltstack small", syscall(SYS_sigaltstack, &ss, NULL));
    ss = (struct kstack){(uint32_t)(uintptr_t)alt, 5, sizeof(alt)};
    CHECK("sigaltstack bad flags", syscall(SYS_sigaltstack, &ss, NULL));
    ss = (struct kstack){(uint32_t)(uintptr_t)alt, 0, sizeof(alt)};
    CHECK("sigaltstack set", syscall(SYS_sigaltstack, &ss, &old));
    printf("old: flags %d size %u\n", old.flags, old.size);
    CHECK("sigaltstack query", syscall(SYS_sigaltstack, NULL, &old));
    printf("now: sp ok %d flags %d size %u\n",
           old.sp == (uint32_t)(uintptr_t)alt, old.flags, old.size);
    CHECK("sigaltstack bad ss", syscall(SYS_sigaltstack, BAD_PTR, NULL));
    CHECK("sigaltstack bad old", syscall(SYS_sigaltstack, NULL, BAD_PTR));
    ss = (struct kstack){0, SS_DISABLE, 0};
    CHECK("sigaltstack disable", syscall(SYS_sigaltstack, &ss, NULL));
    CHECK("sigaltstack query", syscall(SYS_sigaltstack, NULL, &old));
    printf("disabled: sp %u flags %d size %u\n", old.sp, old.flags, old.size);
}

int main(void)
{
    test_sigaction();
    test_sigprocmask();
    test_sigaltstack();
    return 0;
}
