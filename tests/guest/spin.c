/* Two threads hand a counter back and forth through plain memory: each
 * stores its side, then spins until the other side's word changes
 * (volatile in C: a plain load every iteration in i386 code, no atomic
 * instruction, no system call).  On x86 every iteration's load sees the
 * other CPU's store sooner or later, so this ends; translated code that
 * keeps the value of a guest load across a loop's iterations, or holds a
 * guest store back until a loop ends, never does.  Each step is a
 * function of its own, called once per round: the optimising tier
 * translates it from its entry, and later rounds enter that code. */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 20000

static volatile int published, acked;
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
    for (int n = 1; n <= ROUNDS; n++)
        wait_and_ack(n);
    /* A loop with no store to shared memory, waiting on a flag. */
    while (!stop_flag)
        spins = spins + 1;
    return NULL;
}

int main(void)
{
    pthread_t th;
    if (pthread_create(&th, NULL, partner, NULL))
        return 1;
    for (int n = 1; n <= ROUNDS; n++)
        publish_and_wait(n);
    stop_flag = 1;
    pthread_join(th, NULL);
    printf("handshakes: %d, partner saw the stop flag\n", acked);
    return 0;
}
