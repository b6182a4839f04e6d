/* Call stacks the profiler must walk (tests/cli/profile.sh stacks): each
 * phase spends its time in a function whose callers are known.
 *   descend:  40 nested calls of descend(), then at_bottom() works;
 *   signal:   a SIGUSR1 handler (on_usr1 -> in_handler) works, called
 *             through the signal frame from raise() in signal_phase();
 *   longjmp:  a longjmp out of 30 nested calls of descend(), then
 *             after_jump() works (no frame of descend() is left);
 *   thread:   a second thread works in thread_work();
 *   leaf:     leaf_caller() calls tiny_leaf(), a function without a loop
 *             that does most of the work, 2^k times.
 * The argument scales the work. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static volatile unsigned sink;
static unsigned scale;

/* Work with a dependency chain (nothing to fold away). */
static inline __attribute__((always_inline)) unsigned spin(unsigned n)
{
    unsigned h = n;
    for (unsigned i = 0; i < n; i++)
        h = h * 2654435761u + (h >> 7);
    return h;
}

__attribute__((noinline, noipa)) unsigned at_bottom(void)
{
    return spin(40 * scale);
}

static jmp_buf jump;

__attribute__((noinline, noipa)) unsigned descend(int depth, int jump_out)
{
    if (depth == 0) {
        if (jump_out)
            longjmp(jump, 1);
        return at_bottom();
    }
    unsigned r = descend(depth - 1, jump_out);
    __asm__ volatile("" ::: "memory"); /* not a tail call */
    sink += r;
    return r + 1;
}

__attribute__((noinline, noipa)) unsigned after_jump(void)
{
    return spin(40 * scale);
}

__attribute__((noinline, noipa)) unsigned in_handler(void)
{
    return spin(40 * scale);
}

static void on_usr1(int sig)
{
    sink += in_handler() + (unsigned)sig;
}

__attribute__((noinline, noipa)) void signal_phase(void)
{
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
}

__attribute__((noinline, noipa)) unsigned thread_work(void)
{
    return spin(40 * scale);
}

static void *thread_main(void *arg)
{
    (void)arg;
    sink += thread_work();
    return NULL;
}

/* No loop: 24 dependent steps, inlined and unrolled by hand. */
#define STEP(h) h = h * 2654435761u + (h >> 7)
__attribute__((noinline, noipa)) unsigned tiny_leaf(unsigned h)
{
    STEP(h); STEP(h); STEP(h); STEP(h); STEP(h); STEP(h);
    STEP(h); STEP(h); STEP(h); STEP(h); STEP(h); STEP(h);
    STEP(h); STEP(h); STEP(h); STEP(h); STEP(h); STEP(h);
    STEP(h); STEP(h); STEP(h); STEP(h); STEP(h); STEP(h);
    return h;
}

__attribute__((noinline, noipa)) unsigned leaf_caller(void)
{
    unsigned h = 1;
    for (unsigned i = 0; i < 2 * scale; i++)
        h += tiny_leaf(h);
    return h;
}

int main(int argc, char **argv)
{
    scale = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1000000;
    sink += descend(40, 0);
    signal_phase();
    if (!setjmp(jump))
        descend(30, 1);
    sink += after_jump();
    pthread_t th;
    if (pthread_create(&th, NULL, thread_main, NULL) != 0 ||
        pthread_join(th, NULL) != 0)
        return 1;
    sink += leaf_caller();
    printf("stacks done %u\n", sink & 0xff);
    return 0;
}
