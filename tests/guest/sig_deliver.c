/* Signal delivery: handlers for signals sent by raise, kill and tgkill;
 * SA_SIGINFO fields; SA_RESETHAND, SA_NODEFER, sa_mask; blocking, pending
 * and unblocking; rt_sigsuspend; sigtimedwait (both time forms);
 * sigaltstack; SIGCHLD from a child; a handler that changes the interrupted
 * context (uc_mcontext EIP/EAX) and returns; a non-SA_SIGINFO handler
 * (the old sigframe and sigreturn).  Output is compared with qemu-i386. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int hits, depth, max_depth;
static volatile int last_sig, last_code, last_pid_ok, last_value;

static void on_info(int sig, siginfo_t *si, void *ucv)
{
    (void)ucv;
    hits++;
    last_sig = si->si_signo == sig ? sig : -1;
    last_code = si->si_code;
    last_pid_ok = si->si_pid == getpid();
    last_value = si->si_value.sival_int;
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *),
                        int flags, int mask_sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (mask_sig)
        sigaddset(&sa.sa_mask, mask_sig);
    sigaction(sig, &sa, NULL);
}

static void report(const char *what)
{
    printf("%s: hits %d sig %d code %d pid_ok %d\n", what, hits, last_sig,
           last_code, last_pid_ok);
    hits = 0;
    last_sig = last_code = last_pid_ok = 0;
}

static void test_senders(void)
{
    set_handler(SIGUSR1, on_info, 0, 0);
    raise(SIGUSR1);
    report("raise");
    kill(getpid(), SIGUSR1);
    report("kill");
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
    report("tgkill");
    union sigval v = {.sival_int = 1234};
    sigqueue(getpid(), SIGUSR1, v);
    printf("sigqueue value %d\n", last_value);
    report("sigqueue");
}

static void test_resethand(void)
{
    set_handler(SIGUSR2, on_info, SA_RESETHAND, 0);
    raise(SIGUSR2);
    struct sigaction old;
    sigaction(SIGUSR2, NULL, &old);
    printf("resethand: hits %d now default %d\n", hits,
           old.sa_handler == SIG_DFL);
    hits = 0;
}

static void nest(int sig, siginfo_t *si, void *ucv)
{
    (void)si;
    (void)ucv;
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    if (hits++ == 0)
        raise(sig); /* nested with SA_NODEFER, after return without */
    depth--;
}

static void test_nodefer(void)
{
    set_handler(SIGUSR1, nest, SA_NODEFER, 0);
    hits = max_depth = 0;
    raise(SIGUSR1);
    printf("nodefer: hits %d max depth %d\n", hits, max_depth);
    set_handler(SIGUSR1, nest, 0, 0);
    hits = max_depth = 0;
    raise(SIGUSR1);
    printf("defer: hits %d max depth %d\n", hits, max_depth);
}

static volatile int mask_seen;

static void check_mask(int sig, siginfo_t *si, void *ucv)
{
    (void)si;
    (void)ucv;
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    mask_seen = sigismember(&cur, sig) * 10 + sigismember(&cur, SIGHUP);
}

static void test_masks(void)
{
    hits = 0;
    set_handler(SIGUSR1, check_mask, 0, SIGHUP);
    raise(SIGUSR1);
    printf("in handler: self blocked %d, sa_mask blocked %d\n",
           mask_seen / 10, mask_seen % 10);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("after: self blocked %d, sa_mask blocked %d\n",
           sigismember(&cur, SIGUSR1), sigismember(&cur, SIGHUP));

    /* Blocked: stays pending until unblocked. */
    set_handler(SIGUSR1, on_info, 0, 0);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("blocked: hits %d pending %d\n", hits, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    sigpending(&pend);
    printf("unblocked: hits %d pending %d\n", hits,
           sigismember(&pend, SIGUSR1));
    hits = 0;

    /* rt_sigsuspend: swaps the mask, waits, restores it. */
    sigprocmask(SIG_BLOCK, &s, NULL);
    kill(getpid(), SIGUSR1);
    sigset_t none;
    sigemptyset(&none);
    int r = sigsuspend(&none);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("sigsuspend: %d %s hits %d still blocked %d\n", r,
           strerrorname_np(errno), hits, sigismember(&cur, SIGUSR1));
    hits = 0;
    sigprocmask(SIG_UNBLOCK, &s, NULL);

    /* A signal ignored while pending is dropped. */
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    sigpending(&pend);
    printf("ignored while pending: pending %d\n", sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_sigtimedwait(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR2);
    siginfo_t si;
    int r = sigwaitinfo(&s, &si);
    printf("sigwaitinfo: %d signo %d code %d\n", r, si.si_signo, si.si_code);
    struct timespec ts = {0, 20 * 1000 * 1000};
    r = sigtimedwait(&s, &si, &ts);
    printf("sigtimedwait timeout: %d %s\n", r, strerrorname_np(errno));
    /* The 32-bit time form, called raw. */
    struct { int32_t sec, nsec; } ts32 = {0, 1000};
    raise(SIGUSR2);
    r = (int)syscall(SYS_rt_sigtimedwait, &s, &si, &ts32, 8);
    printf("rt_sigtimedwait (32-bit time): %d signo %d\n", r, si.si_signo);
    r = (int)syscall(SYS_rt_sigtimedwait, &s, &si, &ts32, 8);
    printf("rt_sigtimedwait (32-bit time) again: %d %s\n", r,
           strerrorname_np(errno));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static char altstack[65536];
static volatile int on_alt, alt_flags;

static void on_alt_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    char here;
    on_alt = &here > altstack && &here < altstack + sizeof(altstack);
    stack_t cur;
    sigaltstack(NULL, &cur);
    alt_flags = cur.ss_flags;
    /* uc_stack describes the alternate stack as it was. */
    if (uc->uc_stack.ss_sp != altstack || uc->uc_stack.ss_size != sizeof(altstack))
        on_alt = -1;
}

static void test_sigaltstack(void)
{
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    sigaltstack(&ss, NULL);
    set_handler(SIGUSR1, on_alt_handler, SA_ONSTACK, 0);
    raise(SIGUSR1);
    printf("sigaltstack: on alt %d flags in handler %d\n", on_alt, alt_flags);
    set_handler(SIGUSR1, on_alt_handler, 0, 0);
    raise(SIGUSR1);
    printf("without SA_ONSTACK: on alt %d\n", on_alt);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
}

static volatile int chld_code, chld_status, chld_pid;

static void on_chld(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)ucv;
    chld_code = si->si_code;
    chld_status = si->si_status;
    chld_pid = si->si_pid;
}

static void test_sigchld(void)
{
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    sigprocmask(SIG_BLOCK, &s, &old);
    set_handler(SIGCHLD, on_chld, 0, 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGCHLD);
    while (!chld_pid)
        sigsuspend(&wait_mask);
    int st;
    waitpid(pid, &st, 0);
    printf("SIGCHLD: code %d status %d pid ok %d exit %d\n", chld_code,
           chld_status, chld_pid == pid, WEXITSTATUS(st));
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGCHLD, SIG_DFL);
    /* Default action: ignored (the parent is not killed). */
    pid = fork();
    if (pid == 0)
        _exit(4);
    waitpid(pid, &st, 0);
    printf("SIGCHLD default: exit %d\n", WEXITSTATUS(st));
}

static void skip_ud2(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    extern char ud2_at[];
    printf("SIGILL: code %d addr ok %d eip ok %d\n", si->si_code,
           si->si_addr == (void *)ud2_at,
           uc->uc_mcontext.gregs[REG_EIP] == (greg_t)(uintptr_t)ud2_at);
    uc->uc_mcontext.gregs[REG_EIP] += 2;
    uc->uc_mcontext.gregs[REG_EAX] = 42;
}

static void test_context(void)
{
    set_handler(SIGILL, skip_ud2, 0, 0);
    int v;
    __asm__ volatile(".globl ud2_at\nud2_at: ud2\n" : "=a"(v) : "a"(7));
    printf("after ud2: eax %d\n", v);
}

static volatile int old_style;

static void plain(int sig)
{
    old_style = sig;
}

static void test_plain(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = plain;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("plain handler: %d\n", old_style);
}

/* A blocked signal stays pending where signalfd reads it. */
static void test_signalfd(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int fd = signalfd(-1, &s, SFD_NONBLOCK);
    raise(SIGUSR2);
    struct signalfd_siginfo si;
    ssize_t n = read(fd, &si, sizeof(si));
    printf("signalfd: read %d signo %u\n", (int)n, n > 0 ? si.ssi_signo : 0);
    n = read(fd, &si, sizeof(si));
    printf("signalfd again: %d %s\n", (int)n, strerrorname_np(errno));
    close(fd);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* pselect and ppoll with a mask that unblocks a signal the thread
 * blocks: the signal interrupts the wait (EINTR) and its handler runs with
 * the call's mask; the thread's mask is back afterwards. */
static void test_wait_masks(void)
{
    set_handler(SIGUSR1, on_info, 0, 0);
    sigset_t s, none;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &s, NULL);
    for (int k = 0; k < 2; k++) {
        hits = 0;
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid == 0) {
            usleep(100 * 1000);
            kill(parent, SIGUSR1);
            _exit(0);
        }
        int r;
        if (k == 0) {
            struct timespec ts = {5, 0};
            r = pselect(0, NULL, NULL, NULL, &ts, &none);
        } else {
            struct timespec ts = {5, 0};
            r = ppoll(NULL, 0, &ts, &none);
        }
        int e = errno;
        sigset_t cur;
        sigprocmask(SIG_BLOCK, NULL, &cur);
        printf("%s: %d %s hits %d still blocked %d\n",
               k == 0 ? "pselect" : "ppoll", r, strerrorname_np(e), hits,
               sigismember(&cur, SIGUSR1));
        waitpid(pid, NULL, 0);
    }
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    hits = 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    test_senders();
    test_resethand();
    test_nodefer();
    test_masks();
    test_sigtimedwait();
    test_sigaltstack();
    test_sigchld();
    test_context();
    test_plain();
    test_signalfd();
    test_wait_masks();
    return 0;
}
