/* POSIX threads (runtime/sys_thread.c): clone with CLONE_THREAD, futex,
 * TLS, thread exit versus process exit.  Eight threads with a mutex,
 * a condition variable, a barrier, thread-local storage, LOCK-prefixed
 * atomics, a reader-writer lock, semaphores, pthread_once, timed waits
 * and join values; then a thread ends the process with exit() while
 * others are blocked.  The output is the same whatever the scheduling. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define N 8
#define ITERS 20000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static sem_t sem;
static long counter, ready, once_runs, rw_value;
static int atomic_counter;
static int tids_distinct[N];
static __thread int tls_id = -1;
static __thread long tls_sum;

static void init_once(void)
{
    once_runs++;
}

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    if (tls_id != -1)
        return (void *)-1L; /* TLS must start from its initial value */
    tls_id = id;
    tids_distinct[id] = (int)syscall(SYS_gettid) != getpid();
    pthread_once(&once, init_once);
    pthread_barrier_wait(&bar);
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
        __sync_fetch_and_add(&atomic_counter, 1);
        tls_sum += tls_id;
        if (i % 1000 == 0) {
            pthread_rwlock_wrlock(&rw);
            rw_value += id;
            pthread_rwlock_unlock(&rw);
            pthread_rwlock_rdlock(&rw);
            (void)rw_value;
            pthread_rwlock_unlock(&rw);
        }
    }
    errno = 1000 + id; /* errno is per thread */
    sem_post(&sem);
    pthread_mutex_lock(&mu);
    ready++;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    if (errno != 1000 + id)
        return (void *)-2L;
    return (void *)(tls_sum + tls_id);
}

static void *nested(void *arg)
{
    pthread_t t;
    long v = (long)arg;
    if (v > 0 && pthread_create(&t, NULL, nested, (void *)(v - 1)) == 0) {
        void *r;
        pthread_join(t, &r);
        return (void *)((long)r + v);
    }
    return (void *)0L;
}

static void *blocker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu); /* held by main: blocks until the process ends */
    return NULL;
}

static void *ender(void *arg)
{
    (void)arg;
    fflush(stdout);
    exit(3); /* exit_group from a thread: every thread ends, status 3 */
}

int main(void)
{
    pthread_t th[N];
    sem_init(&sem, 0, 0);
    pthread_barrier_init(&bar, NULL, N);
    for (long i = 0; i < N; i++)
        if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) {
            puts("pthread_create failed");
            return 1;
        }
    pthread_mutex_lock(&mu);
    while (ready < N)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < N; i++)
        sem_wait(&sem);
    long total = 0;
    for (int i = 0; i < N; i++) {
        void *r;
        pthread_join(th[i], &r);
        total += (long)r;
    }
    int distinct = 0;
    for (int i = 0; i < N; i++)
        distinct += tids_distinct[i];
    printf("counter %ld atomic %d total %ld\n", counter, atomic_counter, total);
    printf("once %ld rw %ld distinct tids %d main tls %d\n", once_runs,
           rw_value, distinct, tls_id);

    /* A timed wait that times out (futex with a timeout). */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&mu);
    int e = pthread_cond_timedwait(&cv, &mu, &ts);
    pthread_mutex_unlock(&mu);
    printf("timedwait %s\n", e == ETIMEDOUT ? "ETIMEDOUT" : "other");
    printf("trylock busy %d\n", pthread_mutex_lock(&mu) == 0 &&
                                    pthread_mutex_trylock(&mu) == EBUSY);

    /* Threads creating threads. */
    pthread_t n;
    void *r;
    pthread_create(&n, NULL, nested, (void *)5L);
    pthread_join(n, &r);
    printf("nested %ld\n", (long)r);

    /* A detached thread blocked on mu (held), then exit() from another. */
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_create(&n, &a, blocker, NULL);
    pthread_create(&n, NULL, ender, NULL);
    pthread_join(n, NULL);
    puts("not reached");
    return 0;
}
