/* Signals and threads together: a signal sent to one thread with
 * pthread_kill runs its handler in that thread; a blocked signal stays
 * pending for the thread that blocks it and is taken with sigwait; a
 * thread spinning in a loop is interrupted; the signal mask is per thread
 * and inherited by new threads. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_t worker_id;
static volatile sig_atomic_t handled_in_worker, handled_count, stop;

static void on_usr1(int sig)
{
    (void)sig;
    handled_in_worker = pthread_equal(pthread_self(), worker_id);
    handled_count++;
    stop = 1;
}

static void *spinner(void *arg)
{
    (void)arg;
    while (!stop) /* a loop that never makes a system call */
        ;
    return NULL;
}

static void *waiter(void *arg)
{
    sigset_t *set = arg;
    int sig = 0;
    sigwait(set, &sig);
    return (void *)(long)sig;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);

    /* pthread_kill to a spinning thread. */
    pthread_create(&worker_id, NULL, spinner, NULL);
    usleep(20000);
    pthread_kill(worker_id, SIGUSR1);
    pthread_join(worker_id, NULL);
    printf("handler ran %d time(s), in the target thread %d\n",
           (int)handled_count, (int)handled_in_worker);

    /* SIGUSR2 blocked everywhere (inherited by the new thread), sent to
     * the process: pending, then taken by the thread in sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t w;
    pthread_create(&w, NULL, waiter, &set);
    usleep(20000);
    kill(getpid(), SIGUSR2);
    void *r;
    pthread_join(w, &r);
    printf("sigwait took %s\n", sigabbrev_np((int)(long)r));

    /* The mask is per thread: the main thread's still blocks SIGUSR2. */
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    printf("main still blocks USR2 %d\n", sigismember(&cur, SIGUSR2));
    return 0;
}
