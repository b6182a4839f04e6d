/* Default actions: the program ends the way argv[1] says, and the exit
 * status (128+N from the shell when killed by signal N) is compared with
 * qemu-i386's: segv (NULL write: 139), term (SIGTERM: 143), abrt (abort:
 * 134), fpe (divide by zero: 136), chld (SIGCHLD is ignored: 0), pending
 * (a blocked SIGUSR1 kills when unblocked: 138), ignored (SIG_IGN SIGTERM:
 * 0), blocked-fault (a SIGSEGV while SIGSEGV is blocked still kills: 139),
 * spin (SIGTERM ends a `for (;;);`: 143), stop (a child stopped by its
 * own SIGTSTP, seen stopped by the parent, continued by SIGCONT: 0). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("%s\n", how);
    if (!strcmp(how, "segv")) {
        *(volatile int *)0 = 1;
    } else if (!strcmp(how, "term")) {
        raise(SIGTERM);
    } else if (!strcmp(how, "abrt")) {
        abort();
    } else if (!strcmp(how, "fpe")) {
        volatile int z = 0;
        printf("%d\n", 7 / z);
    } else if (!strcmp(how, "chld")) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        waitpid(pid, NULL, 0);
        kill(getpid(), SIGCHLD);
    } else if (!strcmp(how, "pending")) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR1);
        sigprocmask(SIG_BLOCK, &s, NULL);
        raise(SIGUSR1);
        printf("still here\n");
        sigprocmask(SIG_UNBLOCK, &s, NULL);
    } else if (!strcmp(how, "ignored")) {
        signal(SIGTERM, SIG_IGN);
        raise(SIGTERM);
    } else if (!strcmp(how, "blocked-fault")) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGSEGV);
        sigprocmask(SIG_BLOCK, &s, NULL);
        *(volatile int *)0 = 1;
    } else if (!strcmp(how, "spin")) {
        pid_t pid = fork();
        if (pid == 0)
            for (;;)
                ;
        usleep(200 * 1000);
        kill(pid, SIGTERM);
        int st;
        waitpid(pid, &st, 0);
        printf("child: signaled %d sig %d\n", WIFSIGNALED(st),
               WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    } else if (!strcmp(how, "stop")) {
        pid_t pid = fork();
        if (pid == 0) {
            raise(SIGTSTP);
            printf("child continued\n");
            _exit(5);
        }
        int st;
        waitpid(pid, &st, WUNTRACED);
        printf("child: stopped %d by %d\n", WIFSTOPPED(st),
               WIFSTOPPED(st) ? WSTOPSIG(st) : 0);
        kill(pid, SIGCONT);
        waitpid(pid, &st, 0);
        printf("child: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    printf("survived\n");
    return 0;
}
