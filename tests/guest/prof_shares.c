/* Three named functions doing 70%, 20% and 10% of the work: the same
 * loop, run 7, 2 and 1 times as often (tests/cli/profile.sh checks
 * the profiler's shares).  The argument scales the work. */
#include <stdio.h>
#include <stdlib.h>

static volatile unsigned sink;

/* A loop with memory traffic and a dependency chain (no vectorising, no
 * folding), copied into each caller: their own self time. */
static inline __attribute__((always_inline)) unsigned churn(unsigned seed, unsigned n)
{
    unsigned buf[64];
    for (unsigned i = 0; i < 64; i++)
        buf[i] = seed + i;
    unsigned h = seed;
    for (unsigned i = 0; i < n; i++) {
        h = h * 2654435761u + buf[i & 63];
        buf[(h >> 7) & 63] ^= h;
    }
    return h;
}

__attribute__((noinline)) unsigned work_seventy(unsigned n)
{
    return churn(7, 7 * n);
}

__attribute__((noinline)) unsigned work_twenty(unsigned n)
{
    return churn(2, 2 * n);
}

__attribute__((noinline)) unsigned work_ten(unsigned n)
{
    return churn(1, n);
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1000000;
    unsigned h = 0;
    /* Interleaved, so that a time-varying host slows all three alike. */
    for (int round = 0; round < 20; round++) {
        h += work_seventy(n);
        h += work_twenty(n);
        h += work_ten(n);
    }
    sink = h;
    printf("done %u\n", h & 0xff);
    return 0;
}
