/* fork, wait and execve (runtime/sys_exec.c): exit statuses and deaths by
 * signal seen through waitpid, execve of an i386 program by its path and
 * through /proc/self/exe (run by r386 again, argv intact), of a host
 * program (/bin/sh, run natively), and its errors.
 *
 * Reference: qemu-i386 cannot execve an i386 program on a host without
 * binfmt_misc (this one), so expected/proc_exec.out holds Linux's answers,
 * which follow from the program text alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, pid_t pid)
{
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) {
        printf("%s: waitpid failed\n", what);
        return;
    }
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by %s\n", what, sigabbrev_np(WTERMSIG(st)));
}

static void run(const char *what, const char *path, char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execv(path, argv);
        printf("%s: execv: %s\n", what, strerrorname_np(errno));
        fflush(stdout);
        _exit(127);
    }
    report(what, pid);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("child: argc %d, argv[2] %s\n", argc, argc > 2 ? argv[2] : "-");
        return 9;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(5);
    report("fork+exit", pid);
    pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    kill(pid, SIGTERM);
    report("fork+kill", pid);
    pid = fork();
    if (pid == 0)
        abort();
    report("fork+abort", pid);

    run("exec self", argv[0], (char *[]){argv[0], "child", "by path", NULL});
    run("exec /proc/self/exe", "/proc/self/exe",
        (char *[]){"renamed", "child", "via proc", NULL});
    run("exec host sh", "/bin/sh",
        (char *[]){"sh", "-c", "echo from sh; exit 4", NULL});
    run("exec missing", "/nonexistent/prog", (char *[]){"x", NULL});
    run("exec not executable", "/etc/passwd", (char *[]){"x", NULL});
    printf("wait with no children: %s\n",
           waitpid(-1, NULL, 0) < 0 ? strerrorname_np(errno) : "ok");
    return 0;
}
