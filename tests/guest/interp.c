/* Bytecode interpreters, the shape of Lua's and SQLite's hot code: one
 * threaded with computed gotos (an indirect jmp ending each handler), one
 * a switch (a jump table), with integer and x87 double arithmetic in the
 * handlers and calls out of them.  Both run the same program; prints
 * what they compute (compared with qemu-i386) and exits 1 if the two
 * disagree.  argv[1] scales the work. */
#include <stdio.h>
#include <stdlib.h>

enum op { PUSH, ADD, SUB, MUL, DUP, SWAP, DROP, JNZ, DEC, FADD, FMUL,
          FPUSH, CALL, HASH, PRINT, HALT };

struct insn {
    enum op op;
    int arg;
};

static unsigned hash_state = 2166136261u;

__attribute__((noinline)) static int mix(int v)
{
    hash_state = (hash_state ^ (unsigned)v) * 16777619u;
    return (int)(hash_state >> 7);
}

__attribute__((noinline)) static double scale(double d, int k)
{
    return d * 0.5 + k;
}

/* Threaded: each handler ends in its own indirect jump. */
static long run_threaded(const struct insn *code, double *facc)
{
    static void *const labels[] = {
        &&l_push, &&l_add, &&l_sub, &&l_mul, &&l_dup, &&l_swap, &&l_drop,
        &&l_jnz, &&l_dec, &&l_fadd, &&l_fmul, &&l_fpush, &&l_call,
        &&l_hash, &&l_print, &&l_halt};
    long stack[64];
    double fs[16];
    int sp = 0, fsp = 0;
    const struct insn *pc = code;
#define NEXT goto *labels[(pc++)->op]
    NEXT;
l_push:
    stack[sp++] = pc[-1].arg;
    NEXT;
l_add:
    sp--;
    stack[sp - 1] += stack[sp];
    NEXT;
l_sub:
    sp--;
    stack[sp - 1] -= stack[sp];
    NEXT;
l_mul:
    sp--;
    stack[sp - 1] *= stack[sp];
    NEXT;
l_dup:
    stack[sp] = stack[sp - 1];
    sp++;
    NEXT;
l_swap: {
    long t = stack[sp - 1];
    stack[sp - 1] = stack[sp - 2];
    stack[sp - 2] = t;
    NEXT;
}
l_drop:
    sp--;
    NEXT;
l_jnz:
    if (stack[--sp])
        pc = code + pc[-1].arg;
    NEXT;
l_dec:
    stack[sp - 1]--;
    NEXT;
l_fadd:
    fsp--;
    fs[fsp - 1] += fs[fsp];
    NEXT;
l_fmul:
    fsp--;
    fs[fsp - 1] = fs[fsp - 1] * fs[fsp] + 1e-3 * (fs[fsp] - fs[fsp - 1]);
    NEXT;
l_fpush:
    fs[fsp++] = pc[-1].arg / 8.0 + (stack[sp - 1] & 1023) * 1e-4;
    NEXT;
l_call:
    stack[sp - 1] = mix((int)stack[sp - 1]);
    fs[fsp - 1] = scale(fs[fsp - 1], pc[-1].arg);
    NEXT;
l_hash:
    stack[sp - 1] = (stack[sp - 1] * 31 + pc[-1].arg) & 0xffffff;
    NEXT;
l_print:
    printf("threaded: %ld %.6f\n", stack[sp - 1], fs[fsp - 1]);
    NEXT;
l_halt:
    *facc = fsp ? fs[fsp - 1] : 0;
    return sp ? stack[sp - 1] : 0;
#undef NEXT
}

/* A switch in a loop: one indirect jump through a table. */
static long run_switch(const struct insn *code, double *facc)
{
    long stack[64];
    double fs[16];
    int sp = 0, fsp = 0;
    for (const struct insn *pc = code;;) {
        const struct insn *i = pc++;
        switch (i->op) {
        case PUSH: stack[sp++] = i->arg; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case SWAP: {
            long t = stack[sp - 1];
            stack[sp - 1] = stack[sp - 2];
            stack[sp - 2] = t;
            break;
        }
        case DROP: sp--; break;
        case JNZ: if (stack[--sp]) pc = code + i->arg; break;
        case DEC: stack[sp - 1]--; break;
        case FADD: fsp--; fs[fsp - 1] += fs[fsp]; break;
        case FMUL:
            fsp--;
            fs[fsp - 1] = fs[fsp - 1] * fs[fsp] + 1e-3 * (fs[fsp] - fs[fsp - 1]);
            break;
        case FPUSH: fs[fsp++] = i->arg / 8.0 + (stack[sp - 1] & 1023) * 1e-4; break;
        case CALL:
            stack[sp - 1] = mix((int)stack[sp - 1]);
            fs[fsp - 1] = scale(fs[fsp - 1], i->arg);
            break;
        case HASH: stack[sp - 1] = (stack[sp - 1] * 31 + i->arg) & 0xffffff; break;
        case PRINT: printf("switch: %ld %.6f\n", stack[sp - 1], fs[fsp - 1]); break;
        case HALT:
            *facc = fsp ? fs[fsp - 1] : 0;
            return sp ? stack[sp - 1] : 0;
        }
    }
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    /* acc = 1; f = 1.0; for (i = n; i; i--) { acc = hash(acc*3 - i);
     * f = f*(i/8) ...; every 4096th: mix/scale } */
    struct insn prog[] = {
        {PUSH, 1},    /* 0: acc */
        {FPUSH, 8},   /* 1: f */
        {PUSH, n},    /* 2: counter (top) */
        /* loop (3): */
        {SWAP, 0},    /* 3: counter acc */
        {PUSH, 3},    /* 4 */
        {MUL, 0},     /* 5: counter acc*3 */
        {HASH, 17},   /* 6 */
        {SWAP, 0},    /* 7: acc counter */
        {DUP, 0},     /* 8: acc counter counter */
        {FPUSH, 3},   /* 9 */
        {FMUL, 0},    /* 10 */
        {FPUSH, 1},   /* 11 */
        {FADD, 0},    /* 12 */
        {PUSH, 4095}, /* 13: acc counter counter 4095 */
        {SWAP, 0},    /* 14 */
        {DROP, 0},    /* 15: acc counter 4095 -> drop the copy */
        {DROP, 0},    /* 16: acc counter */
        {DUP, 0},     /* 17: acc counter counter */
        {PUSH, 1023}, /* 18 */
        {SUB, 0},     /* 19 */
        {HASH, 5},    /* 20 */
        {PUSH, 7},    /* 21 */
        {MUL, 0},     /* 22 */
        {DROP, 0},    /* 23: acc counter */
        {DEC, 0},     /* 24 */
        {DUP, 0},     /* 25 */
        {JNZ, 3},     /* 26 */
        {DROP, 0},    /* 27: acc */
        {CALL, 2},    /* 28 */
        {PRINT, 0},   /* 29 */
        {HALT, 0},    /* 30 */
    };
    double f1, f2;
    long r1 = 0, r2 = 0;
    for (int rep = 0; rep < 3; rep++) {
        hash_state = 2166136261u + rep;
        r1 += run_threaded(prog, &f1);
        hash_state = 2166136261u + rep;
        r2 += run_switch(prog, &f2);
    }
    printf("%ld %.6f %ld %.6f %u\n", r1, f1, r2, f2, hash_state);
    return r1 == r2 && f1 == f2 ? 0 : 1;
}
