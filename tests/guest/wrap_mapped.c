/* A load whose 32-bit address wraps around 4 GiB into mapped memory, in
 * hot code: p = 0x10 and a displacement of -0x3000 read 0xffffd010, the
 * top page of the stack, where an i386 reads what is there.  r386's
 * optimising tier adds such a displacement to the host address and does
 * not emulate the wrap (docs/DEVIATIONS.md): it must stop with an error
 * rather than go on with a wrong value (tests/cli/wrap_mapped.sh). */
#include <stdio.h>

#include "hot.h"

static __attribute__((noinline)) unsigned load_below(const char *p)
{
    unsigned v;
    __asm__ volatile("movl -0x3000(%1), %0" : "=r"(v) : "r"(p) : "memory");
    return v;
}

static const char *volatile wp;
static volatile unsigned total;

static __attribute__((noinline)) void sweep(int n)
{
    for (int i = 0; i < n; i++)
        total += load_below(wp);
}

int main(void)
{
    static unsigned words[0x1000];
    wp = (const char *)words + 0x3000;
    HOT(0.5, sweep(1000));
    printf("hot\n");
    fflush(stdout);
    wp = (const char *)0x10;
    sweep(1);
    printf("read past the wrap\n");
    return 0;
}
