/* Timer signals reach code that never makes a system call: SIGALRM from
 * alarm, setitimer and timer_create interrupting busy loops (one polling a
 * volatile flag, one `for (;;);`); a blocking read from a pipe interrupted
 * by SIGALRM ends with EINTR without SA_RESTART and is restarted with it.
 * Output is compared with qemu-i386. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int alarms;
static int pipe_w = -1;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
    if (pipe_w >= 0)
        write(pipe_w, "x", 1);
}

/* SIGALRM once, after ms milliseconds. */
static void alarm_ms(int ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void on(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static void test_alarm(void)
{
    on(SIGALRM, on_alarm, 0);
    alarms = 0;
    alarm(1);
    unsigned long spins = 0;
    while (!alarms)
        spins++;
    printf("alarm: %d (spun: %d)\n", alarms, spins > 0);

    struct itimerval it = {{0, 20000}, {0, 20000}};
    alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    while (alarms < 5)
        ;
    memset(&it, 0, sizeof(it));
    setitimer(ITIMER_REAL, &it, NULL);
    struct itimerval cur;
    getitimer(ITIMER_REAL, &cur);
    printf("setitimer: at least 5: %d, stopped %d\n", alarms >= 5,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

    timer_t tid;
    struct sigevent ev;
    memset(&ev, 0, sizeof(ev));
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGALRM;
    timer_create(CLOCK_MONOTONIC, &ev, &tid);
    struct itimerspec its = {{0, 0}, {0, 30 * 1000 * 1000}};
    alarms = 0;
    timer_settime(tid, 0, &its, NULL);
    while (!alarms)
        ;
    struct itimerspec left;
    timer_gettime(tid, &left);
    printf("timer_create: %d, disarmed %d\n", alarms,
           left.it_value.tv_sec == 0 && left.it_value.tv_nsec == 0);
    timer_delete(tid);
}

/* A loop without memory accesses or calls: only the interrupt check at
 * its back-edge lets the handler run. */
static void on_alarm_exit(int sig)
{
    (void)sig;
    static const char msg[] = "spin interrupted\n";
    write(1, msg, sizeof(msg) - 1);
    _exit(0);
}

static void test_spin(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        on(SIGALRM, on_alarm_exit, 0);
        alarm_ms(100);
        __asm__ volatile("1: jmp 1b");
    }
    int st;
    waitpid(pid, &st, 0);
    printf("spin child: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_restart(int flags, const char *name)
{
    int p[2];
    pipe(p);
    pipe_w = p[1];
    on(SIGALRM, on_alarm, flags);
    alarms = 0;
    alarm_ms(100);
    char c = 0;
    ssize_t r = read(p[0], &c, 1);
    int e = errno;
    printf("%s: read %zd %s, alarms %d", name, r,
           r < 0 ? strerrorname_np(e) : "", alarms);
    if (r < 0)
        r = read(p[0], &c, 1); /* the handler's byte is there now */
    printf(", byte %c\n", c);
    pipe_w = -1;
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    test_alarm();
    test_spin();
    test_restart(0, "no SA_RESTART");
    test_restart(SA_RESTART, "SA_RESTART");
    return 0;
}
