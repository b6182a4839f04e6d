/* An interpreter's dispatch: a bytecode loop whose handlers (a few
 * instructions each) end in `goto *tab[op]`.  Not a row of bench/run.sh: a
 * microbenchmark for indirect jumps between units.  Every handler is a
 * unit of its own and every dispatch a tail call through the
 * indirect-branch table: r386 ~2.4x the i386 binary run natively
 * (docs/PERFORMANCE.md, session 32, with the switch over a jump table's
 * targets that was tried).
 * gcc -m32 -O2 -static -o dispatch32 dispatch.c; time r386 ./dispatch32. */
#include <stdio.h>
#include <stdlib.h>

enum { ADD, SUB, MUL, XOR, SHL, DUP, JNZ, HALT, DEC, SWP };
static const unsigned char prog[] = {DUP, ADD, XOR, SWP, MUL, SUB,
                                     SHL, SWP, DEC, JNZ, HALT};

__attribute__((noinline)) static unsigned run(long n)
{
    static void *const tab[] = {&&add, &&sub, &&mul, &&xor, &&shl,
                                &&dup, &&jnz, &&halt, &&dec, &&swp};
    unsigned a = 1, b = 3, c = 7;
    long left = n;
    const unsigned char *pc = prog;
#define NEXT goto *tab[*pc++]
    NEXT;
add:
    a += b;
    NEXT;
sub:
    a -= c;
    NEXT;
mul:
    a *= 2654435761u;
    NEXT;
xor:
    a ^= a >> 13;
    NEXT;
shl:
    b += a << 3;
    NEXT;
dup:
    c = a + 1;
    NEXT;
swp: {
    unsigned t = a;
    a = b;
    b = t;
}
    NEXT;
dec:
    left--;
    NEXT;
jnz:
    if (left)
        pc = prog;
    NEXT;
halt:
    return a ^ b ^ c;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 30000000;
    printf("%u\n", run(n));
    return 0;
}
