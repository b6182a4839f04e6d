/* The i386 rt_sigframe as Linux lays it out (arch/x86/kernel/signal_32.c):
 * sig, pinfo, puc after the return address; the ucontext right after the
 * 128-byte siginfo; the frame aligned so that the handler starts as after
 * a call from a 16-byte aligned stack; the FPU state (FXSR format, magic
 * 0) 64-byte aligned above the frame; the handler starts with a clean FPU
 * (control word 0x37f); it returns to the sa_restorer glibc set (the
 * rt_sigreturn stub); x87 registers are restored from the frame, with
 * the changes the handler made.
 *
 * Not compared with qemu-i386, which is wrong on two counts here: it
 * aligns the frame to 8 bytes only, and does not take back the x87
 * registers from the frame (the value after the return is 0, not 3).
 * Also: SIGBUS from a file mapping past the end of its file, with si_addr
 * the guest address (qemu-i386 gives another address); a blocked pending
 * signal and the blocked mask survive execve
 * (qemu-i386 cannot execve an i386 program on a host without binfmt_misc
 * for it); a handler set without SA_RESTORER (raw rt_sigaction): Linux returns
 * through the vDSO's sigreturn code (r386 maps the same code); qemu-i386
 * returns through frame->retcode on the non-executable stack and dies.
 *
 * The expected output (expected/sig_frame.out) is Linux's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <ucontext.h>

static volatile int frame_facts[12];

static void frame_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    /* The frame: return address, sig, pinfo, puc (above the saved EBP). */
    uint32_t *args = (uint32_t *)__builtin_frame_address(0) + 2;
    const uint8_t *ret = (const uint8_t *)(uintptr_t)args[-1];
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    int k = 0;
    frame_facts[k++] = ((uintptr_t)args % 16) == 0 && args[0] == (uint32_t)sig;
    frame_facts[k++] = args[1] == (uint32_t)(uintptr_t)si;
    frame_facts[k++] = args[2] == (uint32_t)(uintptr_t)uc;
    frame_facts[k++] = (char *)uc - (char *)si == 128;
    frame_facts[k++] = (char *)si - (char *)args == 12;
    frame_facts[k++] = fp && ((uintptr_t)fp + 112) % 64 == 0 &&
                       (char *)fp > (char *)uc;
    frame_facts[k++] = fp ? (int)(fp->status >> 16) /* magic */ : -1;
    frame_facts[k++] = fp ? (int)(fp->cw & 0xffff) : -1;
    /* ST(0) as saved: 2.5 = 0xa000000000000000 exponent 0x4000. */
    frame_facts[k++] = fp && fp->_st[0].exponent == 0x4000 &&
                       fp->_st[0].significand[3] == 0xa000;
    /* The handler starts with a clean FPU. */
    uint16_t cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    frame_facts[k++] = cw;
    /* Returns to glibc's restorer: movl $__NR_rt_sigreturn, %eax. */
    frame_facts[k++] = ret[0] == 0xb8 && ret[1] == 173;
    /* Make the interrupted code see 3.0 (0xc000..., exponent 0x4000). */
    if (fp)
        fp->_st[0].significand[3] = 0xc000;
    uc->uc_mcontext.gregs[REG_EIP] += 2;
}

static void test_frame(void)
{
    double r;
    __asm__ volatile("fldl %1\n ud2\n fstpl %0" : "=m"(r) : "m"((double){2.5}));
    printf("frame:");
    for (int i = 0; i < 11; i++)
        printf(" %d", frame_facts[i]);
    printf("\nx87 after return: %g\n", r);
}


static volatile int got_sig, got_code;

static void on_info(int sig, siginfo_t *si, void *ucv)
{
    (void)ucv;
    got_sig = sig;
    got_code = si->si_code;
}

static void plain(int sig)
{
    got_sig = sig;
}

static void test_no_restorer(void)
{
    struct {
        uint32_t handler, flags, restorer;
        uint32_t mask[2];
    } act = {(uint32_t)(uintptr_t)on_info, SA_SIGINFO, 0, {0, 0}};
    syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 8);
    raise(SIGUSR1);
    printf("rt frame, no restorer: %d %d\n", got_sig, got_code);
    got_sig = 0;
    act.handler = (uint32_t)(uintptr_t)plain;
    act.flags = 0;
    syscall(SYS_rt_sigaction, SIGUSR2, &act, NULL, 8);
    raise(SIGUSR2);
    printf("old frame, no restorer: %d\n", got_sig);
}

static sigjmp_buf bus_jb;
static volatile void *bus_addr;

static void on_bus(int sig, siginfo_t *si, void *ucv)
{
    (void)ucv;
    printf("SIGBUS: %d code %d addr ok %d\n", sig == SIGBUS, si->si_code,
           si->si_addr == bus_addr);
    siglongjmp(bus_jb, 1);
}

static void test_sigbus(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    char name[] = "/tmp/r386-sigbus-XXXXXX";
    int fd = mkstemp(name);
    unlink(name);
    if (fd < 0 || write(fd, "x", 1) != 1)
        return;
    volatile char *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
    bus_addr = m + 4096 + 8;
    if (!sigsetjmp(bus_jb, 1))
        printf("read %d\n", m[4096 + 8]);
    munmap((void *)m, 8192);
    close(fd);
}

static void test_exec(char *self)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    char *argv[] = {self, "after-exec", NULL};
    execv("/proc/self/exe", argv);
    printf("execv failed\n");
}

static void after_exec(void)
{
    sigset_t pend, cur;
    sigpending(&pend);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("after exec: pending %d blocked %d\n", sigismember(&pend, SIGUSR1),
           sigismember(&cur, SIGUSR1));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1) {
        after_exec();
        return 0;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = frame_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    test_frame();
    test_no_restorer();
    test_sigbus();
    test_exec(argv[0]);
    return 0;
}
