/* The x87 register stack across control flow, as the optimising tier's
 * x87 cache (lifter/x87_cache.c) sees it: loops whose blocks are reached
 * with different stack depths, TOP read back with FNSTSW, FINCSTP and
 * FDECSTP, MMX instructions between x87 ones, FSINCOS and FPTAN (which
 * push or not by the operand's range), an x87 helper call (FSQRT,
 * FPREM) inside a loop, ordinary compiled x87 loops, registers a unit
 * pushes into on one path only (their stale values, through FNSAVE), and
 * values pushed before a jump past the region's budget.  Each loop runs
 * often enough for the optimising tier to take it over mid-run when the
 * test sets R386_JIT_HOT low.  Output (bits, TOP, condition codes) is
 * compared with qemu-i386's; nothing printed depends on precision qemu
 * does not have (FSINCOS and FPTAN of 0 are exact). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 600

uint16_t tops[N + 1]; /* (the asm functions write it) */

/* A block reached with two stack depths: odd iterations push an extra
 * 1.0 that the same test pops again later; TOP in between is recorded.
 *   acc = 0; for each i: acc += (1 + extra)^2, extra = i odd. */
double mixed_depth(int n);
__asm__(".text\n"
        ".globl mixed_depth\n"
        "mixed_depth:\n"
        "  pushl %ebx\n"
        "  movl 8(%esp), %ecx\n"
        "  fldz\n"
        "1: fld1\n"
        "  testl $1, %ecx\n"
        "  jz 2f\n"
        "  fld1\n"             /* one deeper on this path */
        "2: fnstsw %ax\n"
        "  movw %ax, tops(,%ecx,2)\n"
        "  testl $1, %ecx\n"
        "  jz 3f\n"
        "  faddp\n"            /* back to the common depth */
        "3: fmul %st(0), %st(0)\n"
        "  faddp\n"
        "  decl %ecx\n"
        "  jnz 1b\n"
        "  popl %ebx\n"
        "  ret\n");

/* FDECSTP/FINCSTP around a push: TOP moves without a push or pop. */
double stepping(int n);
__asm__(".text\n"
        ".globl stepping\n"
        "stepping:\n"
        "  movl 4(%esp), %ecx\n"
        "  fldz\n"
        "1: fld1\n"
        "  fincstp\n"          /* ST(0) is acc again, the 1.0 below TOP */
        "  fdecstp\n"          /* and back: ST(0) = 1.0 */
        "  faddp\n"
        "  fnstsw %ax\n"
        "  movw %ax, tops(,%ecx,2)\n"
        "  decl %ecx\n"
        "  jnz 1b\n"
        "  ret\n");

/* MMX between x87 instructions: MM0 is the low half of a physical x87
 * register, so the x87 stack is empty around it (as MMX code keeps it)
 * and the sum lives in memory between iterations.
 *   out[i] = in[i] + in[i] (paddd), *acc += (double)i. */
void with_mmx(int n, const uint32_t *in, uint32_t *out, double *acc);
__asm__(".text\n"
        ".globl with_mmx\n"
        "with_mmx:\n"
        "  pushl %esi\n"
        "  pushl %edi\n"
        "  pushl %ebx\n"
        "  movl 16(%esp), %ecx\n"
        "  movl 20(%esp), %esi\n"
        "  movl 24(%esp), %edi\n"
        "  movl 28(%esp), %ebx\n"
        "1: movq (%esi,%ecx,8), %mm0\n"
        "  paddd %mm0, %mm0\n"
        "  movq %mm0, (%edi,%ecx,8)\n"
        "  emms\n"
        "  fldl (%ebx)\n"
        "  pushl %ecx\n"
        "  fildl (%esp)\n"
        "  popl %eax\n"
        "  faddp\n"
        "  fstpl (%ebx)\n"
        "  decl %ecx\n"
        "  jns 1b\n"
        "  popl %ebx\n"
        "  popl %edi\n"
        "  popl %esi\n"
        "  ret\n");

/* An x87 value read as MMX: after one push from an empty stack (TOP 0),
 * ST(0) is physical register 7, whose significand is MM7.  EMMS empties
 * the stack for the next iteration.
 *   out[i] = significand of (in[i] + 1) in extended precision. */
void mmx_alias(int n, const double *in, uint64_t *out);
__asm__(".text\n"
        ".globl mmx_alias\n"
        "mmx_alias:\n"
        "  pushl %esi\n"
        "  pushl %edi\n"
        "  movl 12(%esp), %ecx\n"
        "  movl 16(%esp), %esi\n"
        "  movl 20(%esp), %edi\n"
        "1: fldl (%esi,%ecx,8)\n"
        "  fld1\n"
        "  faddp\n"
        "  movq %mm7, (%edi,%ecx,8)\n"
        "  emms\n"
        "  decl %ecx\n"
        "  jns 1b\n"
        "  popl %edi\n"
        "  popl %esi\n"
        "  ret\n");

/* FSINCOS and FPTAN of 0 (exact: pushes) and of 2^64 (out of range: C2,
 * nothing pushed), alternating; the status word after each is recorded
 * and whatever is on the stack is popped by looking at TOP. */
uint32_t trig(int n, const double *args);
__asm__(".text\n"
        ".globl trig\n"
        "trig:\n"
        "  pushl %ebx\n"
        "  pushl %esi\n"
        "  movl 12(%esp), %ecx\n"
        "  movl 16(%esp), %esi\n"
        "  xorl %ebx, %ebx\n"
        "1: movl %ecx, %edx\n"
        "  andl $1, %edx\n"
        "  fldl (%esi,%edx,8)\n"
        "  testl $2, %ecx\n"
        "  jz 2f\n"
        "  fsincos\n"
        "  jmp 3f\n"
        "2: fptan\n"
        "3: fnstsw %ax\n"
        "  movw %ax, tops(,%ecx,2)\n"
        "  andl $0x3c00, %eax\n"  /* TOP and C2 */
        "  addl %eax, %ebx\n"
        "  testw $0x400, %ax\n"     /* C2: only the operand is there */
        "  jnz 4f\n"
        "  fstp %st(0)\n"
        "4: fstp %st(0)\n"
        "  decl %ecx\n"
        "  jnz 1b\n"
        "  movl %ebx, %eax\n"
        "  popl %esi\n"
        "  popl %ebx\n"
        "  ret\n");

/* A unit that pushes and pops on one path only: the registers it pushed
 * into keep their (stale) values, which FNSAVE shows, and the other path
 * must leave them as the last push left them (x87_cache.c stores a
 * register only where the path wrote it, and loads one where it is
 * first read).  out = v[0] * v[1] when push. */
void stale_regs(int push, const double *v, double *out);
__asm__(".text\n"
        ".globl stale_regs\n"
        "stale_regs:\n"
        "  movl 4(%esp), %ecx\n"
        "  movl 8(%esp), %eax\n"
        "  movl 12(%esp), %edx\n"
        "  testl %ecx, %ecx\n"
        "  jz 1f\n"
        "  fldl (%eax)\n"
        "  fldl 8(%eax)\n"
        "  fmulp\n"
        "  fstpl (%edx)\n"
        "1: ret\n");

/* Values pushed, then a jump to a tail that uses them, past the region's
 * instruction budget (lift.c: the region goes on while the x87 stack holds
 * values it pushed).  Returns (n + 150) * v[0] + v[1] in ST(0). */
double long_tail(int n, const double *v);
__asm__(".text\n"
        ".globl long_tail\n"
        "long_tail:\n"
        "  movl 4(%esp), %eax\n"
        "  movl 8(%esp), %edx\n"
        "  .rept 150\n"
        "  addl $1, %eax\n"
        "  .endr\n"
        "  pushl %eax\n"
        "  fildl (%esp)\n"
        "  popl %eax\n"
        "  fldl (%edx)\n"
        "  jmp 2f\n"
        "  .rept 8\n"
        "  nop\n"
        "  .endr\n"
        "2: fmulp\n"
        "  faddl 8(%edx)\n"
        "  ret\n");

/* Compiled x87 code: the helper-only FSQRT and FPREM (fmod) inside a loop
 * of inline arithmetic, comparisons and conversions. */
static double __attribute__((noinline)) compiled(int n, const double *v)
{
    double acc = 0, best = -1e300;
    long double wide = 1;
    for (int i = 0; i < n; i++) {
        double x = v[i % 8];
        double s = __builtin_sqrt(x * x + 1.0);
        acc += s / (x + 3.0);
        if (s > best)
            best = s;
        acc -= __builtin_fmod(acc, 7.0) * 0.5;
        wide = wide * 1.0009765625L + (long double)(i & 7);
        acc += (double)(int)(x * 4.0);
    }
    return acc + best + (double)wide;
}

static void print_double(const char *what, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    printf("%s %016llx\n", what, (unsigned long long)u);
}

/* The status words recorded, their bits in mask (TOP; C2 where the
 * instruction defines it) of a few, and a checksum.  (The exception flags
 * and C1 are left out: qemu-i386 does not set SF or C1.) */
static void print_tops(const char *what, int n, uint16_t mask)
{
    uint32_t sum = 0;
    for (int i = 1; i <= n; i++) {
        tops[i] &= mask;
        sum = sum * 31 + tops[i];
    }
    printf("%s sw[1..4] %04x %04x %04x %04x sum %08x\n", what, tops[1],
           tops[2], tops[3], tops[4], sum);
}

int main(void)
{
    static uint32_t in[2 * (N + 1)], out[2 * (N + 1)];
    static const double v[8] = {0.5, 1.25, -2.0, 3.75, 1e10, -1e-10, 7.0,
                                100.125};
    static const double args[2] = {0.0, 18446744073709551616.0};
    static double dv[N + 1];
    static uint64_t sig[N + 1];
    for (int i = 0; i <= N; i++)
        dv[i] = i * 0.37 - 50.0;

    /* Each round calls everything `calls` times and prints the last
     * results: the first rounds run first-tier code, the later ones
     * (while the optimising thread catches up) optimised code. */
    for (int r = 0; r < 6; r++) {
        int calls = 40;
        double md = 0, st = 0, cm = 0, acc = r;
        uint32_t tr = 0;
        for (int k = 0; k < calls; k++) {
            md = mixed_depth(N);
            st = stepping(N);
            for (int i = 0; i < 2 * (N + 1); i++)
                in[i] = (uint32_t)i * 2654435761u + (uint32_t)(r + k);
            with_mmx(N, in, out, &acc);
            mmx_alias(N, dv, sig);
            tr = trig(N, args);
            cm = compiled(N, v);
        }
        printf("round %d\n", r);
        print_double("mixed_depth", md);
        mixed_depth(N); /* the status words of one call */
        print_tops("mixed_depth", N, 0x3800);
        print_double("stepping", st);
        stepping(N);
        print_tops("stepping", N, 0x3800);
        print_double("with_mmx", acc);
        uint32_t h = 0;
        for (int i = 0; i < 2 * (N + 1); i++)
            h = h * 31 + out[i];
        printf("with_mmx out %08x\n", h);
        h = 0;
        for (int i = 0; i <= N; i++)
            h = h * 31 + (uint32_t)(sig[i] >> 32) + (uint32_t)sig[i];
        printf("mmx_alias %08x\n", h);
        printf("trig %08x\n", tr);
        trig(N, args);
        print_tops("trig", N, 0x3c00);
        print_double("compiled", cm);
        double prod = 0, lt = 0;
        static double pv[200][2];
        for (int k = 0; k < 200; k++) {
            pv[k][0] = v[k & 7];
            pv[k][1] = v[(k + r) & 7] + k;
            lt += long_tail(k, pv[k]);
        }
        /* No x87 code between these calls but theirs. */
        for (int k = 0; k < 200; k++)
            stale_regs(k % 3 != 1, pv[k], &prod); /* the last: no push */
        uint8_t env[108];
        __asm__ volatile("fnsave %0\n\tfrstor %0" : "=m"(env));
        print_double("stale_regs", prod);
        print_double("long_tail", lt);
        /* The tag word (offset 8) and the two registers below TOP, which
         * stale_regs pushes into: ST(6) and ST(7) as FNSAVE stores them
         * (ST(0) first, 10 bytes each from offset 28).  (The others hold
         * what MMX code left: qemu-i386 does not set their exponents to
         * all ones as an x87 does.) */
        uint32_t regs = 0;
        for (int i = 28 + 60; i < 108; i++)
            regs = regs * 31 + env[i];
        printf("fnsave tags %02x%02x regs %08x\n", env[9], env[8], regs);
        uint16_t sw;
        __asm__ volatile("fnstsw %0" : "=m"(sw));
        printf("TOP at the end %u\n", (sw >> 11) & 7);
    }
    return 0;
}
