/* Threads r386 starts for its own work (the optimising tier, the
 * profiler's sampler, --aot's compilers), beside the host threads that
 * run guest threads. */
#ifndef R386_HOST_THREAD_H
#define R386_HOST_THREAD_H

#include <pthread.h>
#include <signal.h>

/* pthread_create, with the new thread's every signal blocked: a signal
 * sent to the process must reach a guest thread, whose host handlers
 * expect one (a guest's SIGUSR2 landing on the tier-2 thread killed r386).
 * 0 or an error number. */
static inline int r386_thread_create(pthread_t *th, void *(*fn)(void *),
                                     void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(th, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return e;
}

#endif
