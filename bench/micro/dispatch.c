/* An interpreter's dispatch: a bytecode loop whose handlers (a few
 * instructions each) end in `goto *tab[op]`.  Not a row of bench/run.sh: a
 * microbenchmark for indirect jumps between units.
 *
 * By default the program is one fixed sequence, so each handler's jump
 * always goes to the same next handler: the optimising tier predicts it
 * and goes on inside the unit (docs/PERFORMANCE.md, session 32).  With a
 * second argument `random` it is 256 pseudo-random operations, so each
 * handler's jump has about six targets and every dispatch is a unit
 * transition through the indirect-branch table: ~0.9 ns more than the
 * i386 binary's own `jmp *` (session 34).
 * gcc -m32 -O2 -static -o dispatch32 dispatch.c;
 * time r386 ./dispatch32; time r386 ./dispatch32 2000000 random. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ADD, SUB, MUL, XOR, SHL, DUP, JNZ, HALT, DEC, SWP };
static const unsigned char fixed[] = {DUP, ADD, XOR, SWP, MUL, SUB,
                                      SHL, SWP, DEC, JNZ, HALT};

__attribute__((noinline)) static unsigned run(const unsigned char *prog,
                                              long n)
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
    /* (Not DUP: a DUP then a SUB sets a to -1, and the state would settle
     * whatever the count.) */
    static const unsigned char ops[] = {ADD, SUB, MUL, XOR, SHL, SWP};
    unsigned char mixed[256 + 3];
    unsigned s = 12345;
    for (int i = 0; i < 256; i++) {
        s = s * 1103515245u + 12345u;
        mixed[i] = ops[(s >> 16) % sizeof(ops)];
    }
    mixed[256] = DEC;
    mixed[257] = JNZ;
    mixed[258] = HALT;
    bool rnd = argc > 2 && strcmp(argv[2], "random") == 0;
    printf("%u\n", run(rnd ? mixed : fixed, n));
    return 0;
}
