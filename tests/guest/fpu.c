/* Floating point the way i386 programs do it: on the x87 stack (gcc -m32
 * uses it for float, double and long double), through glibc's printf,
 * strtod and libm, under every rounding mode.  The output is compared
 * with qemu-i386's, so what is printed stays within what both compute
 * exactly: no long double transcendental results at full precision
 * (qemu-i386 computes FSIN and friends in double precision). */
#define _GNU_SOURCE
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* volatile: keep the compiler from folding the arithmetic away. */
static volatile double vd[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.5, -2.5, 3.0, 1e-300, 1e300,
    123456.789, -9876.54321, 4.9406564584124654e-324, 2.2250738585072014e-308,
    1.7976931348623157e308, 3.141592653589793, 2.718281828459045,
};
#define ND (sizeof(vd) / sizeof(vd[0]))

static volatile long double vl[] = {
    1.0L, 3.0L, 0.1L, -7.25L, 1e-4000L, 1e4000L, 12345678901234567890.0L,
};
#define NL (sizeof(vl) / sizeof(vl[0]))

static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD,
                            FE_TOWARDZERO};
static const char *const mode_names[] = {"nearest", "down", "up", "zero"};

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

static void print_ld(const char *what, long double x)
{
    unsigned char b[10];
    memcpy(b, (const void *)&x, sizeof(b));
    printf("%s = %.21Lg [", what, x);
    for (int i = 9; i >= 0; i--)
        printf("%02x", b[i]);
    printf("]\n");
}

static void arithmetic(void)
{
    for (unsigned i = 0; i < ND; i++)
        for (unsigned j = 0; j < ND; j += 3) {
            double a = vd[i], b = vd[j];
            printf("%g %g: + %.17g - %.17g * %.17g / %.17g\n", a, b, a + b,
                   a - b, a * b, a / b);
        }
    for (unsigned i = 0; i < NL; i++)
        for (unsigned j = 0; j < NL; j++) {
            long double a = vl[i], b = vl[j];
            char what[64];
            snprintf(what, sizeof(what), "L%u+L%u", i, j);
            print_ld(what, a + b);
            snprintf(what, sizeof(what), "L%u/L%u", i, j);
            print_ld(what, a / b);
            snprintf(what, sizeof(what), "L%u*L%u", i, j);
            print_ld(what, a * b);
        }
    print_ld("sqrtl(2)", sqrtl(2.0L));
    print_ld("1/3 as long double", 1.0L / vl[1]);
    print_ld("LDBL_MAX", LDBL_MAX);
    print_ld("LDBL_MIN / 4", LDBL_MIN / 4);
}

static void rounding(void)
{
    for (unsigned m = 0; m < 4; m++) {
        fesetround(modes[m]);
        volatile double third = vd[2] / vd[9];
        volatile float f = (float)vd[4];
        printf("%s: 1/3 %.17g [%016llx] (float)0.1 %.9g rint(2.5) %g "
               "rint(-2.5) %g lrint(-7.5) %ld llrint(1e15+0.5) %lld "
               "nearbyint(3.5) %g\n",
               mode_names[m], third, (unsigned long long)bits_of(third),
               (double)f, rint(vd[7]), rint(vd[8]), lrint(-7.5),
               llrint(1e15 + 0.5), nearbyint(3.5));
        print_ld("  1/3L", 1.0L / vl[1]);
        print_ld("  sqrtl(3)", sqrtl(vl[1]));
    }
    fesetround(FE_TONEAREST);
    /* C's truncating conversions: fistp with the rounding mode forced to
     * zero (fnstcw/fldcw) or fisttp. */
    for (unsigned i = 0; i < ND; i++)
        printf("(int)%g = %d, (long long)%g = %lld\n", vd[i],
               fabs(vd[i]) < 2e9 ? (int)vd[i] : 0, vd[i],
               fabs(vd[i]) < 9e18 ? (long long)vd[i] : 0LL);
}

static void libm(void)
{
    static const double x[] = {0.5, 1.0, 2.0, 10.0, 100.5, -3.25};
    for (unsigned i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
        double v = x[i];
        printf("x=%g: exp %.15g log %.15g log10 %.15g sqrt %.15g "
               "floor %g ceil %g trunc %g round %g fmod(x,0.75) %.15g "
               "pow(x,1.5) %.15g atan %.15g\n",
               v, exp(v), log(fabs(v)), log10(fabs(v)), sqrt(fabs(v)),
               floor(v), ceil(v), trunc(v), round(v), fmod(v, 0.75),
               pow(fabs(v), 1.5), atan(v));
        printf("x=%g: sin %.15g cos %.15g tan %.15g\n", v, sin(v), cos(v),
               tan(v));
    }
    printf("pow(2,0.5) %.17g hypot(3,4) %g ldexp(1,-1074) %g frexp ",
           pow(2.0, 0.5), hypot(3.0, 4.0), ldexp(1.0, -1074));
    int e;
    double m = frexp(vd[10], &e);
    printf("%.17g*2^%d modf ", m, e);
    double ip;
    double fp = modf(vd[12], &ip);
    printf("%.17g + %.17g\n", ip, fp);
    printf("nan %g inf %g -inf %g isnan %d isinf %d signbit(-0) %d\n",
           vd[0] / vd[0], vd[2] / vd[0], -vd[2] / vd[0],
           isnan(vd[0] / vd[0]), isinf(vd[11] * vd[11]), signbit(vd[1]));
    printf("fmodl(10, 3) %Lg remainder(11, 3) %g\n", fmodl(10.0L, vl[1]),
           remainder(11.0, 3.0));
}

static void exceptions(void)
{
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r = vd[2] / vd[9];
    printf("1/3: inexact %d\n", !!fetestexcept(FE_INEXACT));
    feclearexcept(FE_ALL_EXCEPT);
    r = vd[2] / vd[0];
    printf("1/0: divbyzero %d inexact %d\n", !!fetestexcept(FE_DIVBYZERO),
           !!fetestexcept(FE_INEXACT));
    feclearexcept(FE_ALL_EXCEPT);
    r = vd[0] / vd[0];
    printf("0/0: invalid %d\n", !!fetestexcept(FE_INVALID));
    feclearexcept(FE_ALL_EXCEPT);
    r = vd[11] * vd[11];
    printf("1e300^2: overflow %d\n", !!fetestexcept(FE_OVERFLOW));
    feclearexcept(FE_ALL_EXCEPT);
    r = vd[2] + vd[2];
    printf("1+1: any %d\n", !!fetestexcept(FE_ALL_EXCEPT));
    (void)r;
    fenv_t env;
    fegetenv(&env);
    fesetround(FE_UPWARD);
    printf("round after fesetround(up): %d\n", fegetround() == FE_UPWARD);
    fesetenv(&env);
    printf("round after fesetenv: %d\n", fegetround() == FE_TONEAREST);
}

static void conversions(void)
{
    static const char *const texts[] = {
        "0.1", "1e-320", "2.2250738585072011e-308",
        "123456789012345678901234567890", "-0", "inf", "nan", "0x1.8p3",
        "1.7976931348623159e308", "3.14159265358979323846264338327950288",
    };
    for (unsigned i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        double d = strtod(texts[i], NULL);
        float f = strtof(texts[i], NULL);
        long double l = strtold(texts[i], NULL);
        printf("strtod(%s) = %.17g [%016llx] strtof %.9g ", texts[i], d,
               (unsigned long long)bits_of(d), (double)f);
        print_ld("strtold", l);
    }
    for (unsigned i = 0; i < ND; i++) {
        float f = (float)vd[i];
        long double l = vd[i];
        printf("%.17g -> float %.9g -> long double %.21Lg, %e, %a\n", vd[i],
               (double)f, l, vd[i], vd[i]);
    }
    static const long long ints[] = {
        0, 1, -1, 2147483647, -2147483648LL, 9007199254740993LL,
        -9223372036854775807LL,
    };
    for (unsigned i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        printf("%lld -> double %.17g float %.9g\n", ints[i], (double)ints[i],
               (double)(float)ints[i]);
    unsigned long long u = 18446744073709551615ULL;
    printf("%llu -> double %.17g, 3e19 -> %llu\n", u, (double)u,
           (unsigned long long)3e19);
}

/* A little numeric loop: the sum of a series and a Newton iteration. */
static void loops(void)
{
    double s = 0;
    long double sl = 0;
    for (int k = 1; k <= 100000; k++) {
        s += 1.0 / ((double)k * k);
        sl += 1.0L / ((long double)k * k);
    }
    printf("zeta(2) partial: %.17g\n", s);
    print_ld("zeta(2) partial, long double", sl);
    double x = 1.0;
    for (int k = 0; k < 10; k++)
        x = x - (x * x - 2.0) / (2.0 * x);
    printf("newton sqrt(2) %.17g\n", x);
}

/* x87 arithmetic in a loop (optimised units have one copy of such a loop
 * for the default rounding and precision and one for any other: the
 * copy must follow the control word at the loop's entry and when the
 * loop itself loads one). */
__attribute__((noinline)) static long double
dot(const volatile double *a, int n, double scale)
{
    long double s = 0;
    for (int i = 0; i < n; i++)
        s = s * scale + a[i] / 3.0;
    return s;
}

static void set_cw(unsigned short cw)
{
    __asm__ volatile("fldcw %0" : : "m"(cw));
}

static unsigned short get_cw(void)
{
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}

/* The loop switches between rounding up and down at every iteration. */
__attribute__((noinline)) static double
dot_switching(const volatile double *a, int n)
{
    unsigned short up = (unsigned short)((get_cw() & ~0xc00u) | 0x800u);
    unsigned short down = (unsigned short)((get_cw() & ~0xc00u) | 0x400u);
    double s = 0;
    for (int i = 0; i < n; i++) {
        set_cw(i & 1 ? up : down);
        s = s * 1.0000001 + a[i] / 3.0;
    }
    return s;
}

static void hot_loops(void)
{
    /* PC: double, extended (bits 8-9); RC: every mode.  (Not single:
     * qemu-i386 7.2 rounds down and up differently from an x87 there --
     * the host's x87 in 64-bit mode gives r386's results.) */
    static const unsigned short pc[] = {0x200, 0x300};
    unsigned short def = get_cw();
    /* Long enough for the optimising tier to replace the loop's unit
     * while it runs with the default control word. */
    double r = 0, w = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        for (int k = 0; k < 1000; k++) {
            r = dot(vd + 2, 8, 0.999);
            w = dot_switching(vd + 2, 8);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
    } while ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) <
             500000000L);
    set_cw(def);
    printf("hot default: %.17g [%016llx] switching %.17g [%016llx]\n", r,
           (unsigned long long)bits_of(r), w, (unsigned long long)bits_of(w));
    /* The loop's results as they leave it (80 bits, stored exactly). */
    static volatile long double res[2][4];
    for (unsigned p = 0; p < 2; p++)
        for (unsigned m = 0; m < 4; m++) {
            set_cw((unsigned short)((def & ~0xf00u) | pc[p] |
                                    (unsigned)m << 10));
            for (int k = 0; k < 50; k++)
                res[p][m] = dot(vd + 2, 8, 1.0 / 3.0);
            set_cw(def);
        }
    for (unsigned p = 0; p < 2; p++)
        for (unsigned m = 0; m < 4; m++) {
            char what[32];
            snprintf(what, sizeof(what), "hot pc %x rc %u", pc[p], m);
            print_ld(what, res[p][m]);
        }
}

/* A guest fault inside an optimised x87 loop: the FLD m64 that reads
 * past the mapping faults at its own pc. */
static sigjmp_buf fault_jmp;
static volatile uintptr_t fault_addr, fault_eip;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    fault_addr = (uintptr_t)si->si_addr;
    fault_eip = (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
    siglongjmp(fault_jmp, 1);
}

__attribute__((noinline)) static double halves(const double *a, long k)
{
    double s = 0;
    for (long i = 0; i < k; i++)
        s = s * 0.5 + a[i];
    return s;
}

__attribute__((noinline)) static void halve(double *a, long k)
{
    for (long i = 0; i < k; i++)
        a[i] = a[i] * 0.5 + 1.0;
}

static void hot_fault(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || munmap(m + pg, (size_t)pg) != 0) {
        printf("mmap failed\n");
        return;
    }
    double *a = (double *)m;
    long n = pg / (long)sizeof(double);
    for (long i = 0; i < n; i++)
        a[i] = (double)i * 0.25;
    double r = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        for (int k = 0; k < 100; k++) {
            r = halves(a, n);
            halve(a + 1, n - 2);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
    } while ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) <
             300000000L);
    struct sigaction sa = {0}, old;
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, &old);
    if (sigsetjmp(fault_jmp, 1) == 0)
        printf("no fault: %g\n", halves(a, n + 4));
    else
        printf("hot fault: %.17g, at mapping + %ld, eip = halves + %ld\n", r,
               (long)(fault_addr - (uintptr_t)m),
               (long)(fault_eip - (uintptr_t)halves));
    /* The same with FST m64 (the loads before it stay inside). */
    if (sigsetjmp(fault_jmp, 1) == 0)
        halve(a + 1, n + 4);
    printf("hot store fault: at mapping + %ld, eip = halve + %ld\n",
           (long)(fault_addr - (uintptr_t)m),
           (long)(fault_eip - (uintptr_t)halve));
    sigaction(SIGSEGV, &old, NULL);
    munmap(m, (size_t)pg);
}

int main(void)
{
    /* First: their units are the first the optimising tier takes. */
    hot_loops();
    hot_fault();
    arithmetic();
    rounding();
    libm();
    exceptions();
    conversions();
    loops();
    return 0;
}
