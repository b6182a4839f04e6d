/* Two threads hand a counter back and forth through plain memory: each
 * stores its side, then spins until the other side's word changes
 * (volatile in C: a plain load every iteration in i386 code, no atomic
 * instruction, no system call).  On x86 every iteration's load sees the
 * other CPU's store sooner or later, so this ends; translated code that
 * keeps the value of a guest load across a loop's iterations, or holds a
 * guest store back until a loop ends, never does.  Each step is a
 * function of its own, called once per round: the optimising tier
 * translates it from its entry, and later rounds enter that code.
 *
 * A round costs two cache-line transfers when both threads have a CPU,
 * but a scheduler time slice when they share one (the spinner waits for
 * its partner to be scheduled): on a machine busy with other work, 20,000
 * rounds took minutes, under qemu-i386 too.  So the rounds stop after a
 * second once MIN_ROUNDS are done -- the output is the same either way. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define MAX_ROUNDS 20000
#define MIN_ROUNDS 2000

static volatile int published, acked, last;
static volatile int stop_flag;
static volatile unsigned spins;

__attribute__((noinline)) static void publish_and_wait(int n)
{
    published = n;
    while (acked != n)
        ;
}

__attribute__((noinline)) static void wait_and_ack(int n)
{
    while (published != n)
        ;
    acked = n;
}

static void *partner(void *arg)
{
    (void)arg;
    /* last is stored before the round it names is published. */
    for (int n = 1;; n++) {
        wait_and_ack(n);
        if (n == last)
            break;
    }
    /* A loop with no store to shared memory, waiting on a flag. */
    while (!stop_flag)
        spins = spins + 1;
    return NULL;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    pthread_t th;
    if (pthread_create(&th, NULL, partner, NULL))
        return 1;
    double start = seconds();
    for (int n = 1;; n++) {
        if (n == MAX_ROUNDS ||
            (n >= MIN_ROUNDS && n % 256 == 0 && seconds() - start > 1.0)) {
            last = n;
            publish_and_wait(n);
            break;
        }
        publish_and_wait(n);
    }
    stop_flag = 1;
    pthread_join(th, NULL);
    printf("handshakes: %s, partner saw the stop flag\n",
           acked == last && last >= MIN_ROUNDS ? "all acknowledged"
                                               : "LOST");
    return acked == last ? 0 : 1;
}
