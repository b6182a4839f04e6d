/* Calls and returns: a function (g) that calls another (f) twice, called
 * from sixteen places chosen by a switch.  Not a row of bench/run.sh: a
 * microbenchmark for the regions' returns.  A region lifts f once for
 * both of g's calls, so the second call's return leaves the unit through
 * the indirect-branch table: r386 2.1x the i386 binary run natively
 * (docs/PERFORMANCE.md, session 31, with what was tried).
 * gcc -m32 -O2 -static -o calls32 calls.c; time r386 ./calls32. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static unsigned f(unsigned x)
{
    return x * 2654435761u + (x >> 7);
}

__attribute__((noinline)) static unsigned g(unsigned x)
{
    return f(x) ^ f(x + 1);
}

#define CASE(n)                                                              \
    case n:                                                                  \
        s += g(s + n);                                                       \
        break;

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 20000000, s = 1;
    for (unsigned i = 0; i < n; i++) {
        switch ((i * 7 + (s & 3)) & 15) {
            CASE(0) CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7)
            CASE(8) CASE(9) CASE(10) CASE(11) CASE(12) CASE(13) CASE(14)
            CASE(15)
        }
    }
    printf("%u\n", s);
    return 0;
}
