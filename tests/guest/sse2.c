/* Scalar double and float arithmetic and simple integer loops compiled
 * for SSE2 (-msse2 -mfpmath=sse): the first SSE/SSE2 instructions of
 * lifter/sse.c.  Only round-to-nearest arithmetic (the MXCSR default),
 * since r386 does not honour MXCSR's other rounding modes yet.  Results
 * are printed as bits and as decimal, and compared with qemu-i386. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile double vd[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.5, -2.5, 3.0, 1e-300, 1e300,
    123456.789, -9876.54321, 4.9406564584124654e-324, 2.2250738585072014e-308,
    1.7976931348623157e308, 3.141592653589793, 2.718281828459045, 2147483647.5,
};
#define ND (sizeof(vd) / sizeof(vd[0]))

static uint64_t bits_d(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static uint32_t bits_f(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static int32_t ia[256], ib[256], ic[256];
static unsigned char ca[256], cb[256];

int main(void)
{
    /* Scalar double arithmetic, comparisons and conversions. */
    for (unsigned i = 0; i < ND; i++) {
        for (unsigned j = 0; j < ND; j += 3) {
            double a = vd[i], b = vd[j];
            printf("%u %u %016llx %016llx %016llx %016llx %d%d%d\n", i, j,
                   (unsigned long long)bits_d(a + b),
                   (unsigned long long)bits_d(a - b),
                   (unsigned long long)bits_d(a * b),
                   (unsigned long long)bits_d(a / b), a < b, a == b, a > b);
        }
        double a = vd[i];
        float f = (float)a;
        printf("%u sqrt %016llx f %08x back %016llx int %d %.17g\n", i,
               (unsigned long long)bits_d(sqrt(fabs(a))), bits_f(f),
               (unsigned long long)bits_d((double)f),
               fabs(a) < 2e9 ? (int)a : -1, a);
        float g = f * 3.0f + 0.25f;
        printf("  float %08x %08x %08x %d\n", bits_f(g), bits_f(g / 7.0f),
               bits_f(sqrtf(fabsf(g))), f < g);
    }
    /* int -> double. */
    for (int k = -5; k < 5; k++) {
        volatile int v = k * 123457;
        double d = v;
        printf("cvt %d %016llx %.3f\n", v, (unsigned long long)bits_d(d),
               d / 3);
    }
    /* A Newton iteration and a sum. */
    double x = 2.0, s = 0;
    for (int k = 0; k < 8; k++)
        x = 0.5 * (x + 2.0 / x);
    for (int k = 1; k <= 1000; k++)
        s += 1.0 / ((double)k * k);
    printf("newton %.17g sum %.17g\n", x, s);

    /* Integer loops the compiler may vectorise. */
    for (int k = 0; k < 256; k++) {
        ia[k] = k * 7919 - 1000000;
        ib[k] = (k * 31) ^ 0x5555;
        ca[k] = (unsigned char)(k * 13);
        cb[k] = (unsigned char)(k * 7 + 3);
    }
    for (int k = 0; k < 256; k++)
        ic[k] = ia[k] + ib[k];
    for (int k = 0; k < 256; k++)
        ic[k] ^= ia[k] & ~ib[k];
    for (int k = 0; k < 256; k++)
        ca[k] = (unsigned char)(ca[k] + cb[k]);
    uint32_t h = 0;
    for (int k = 0; k < 256; k++)
        h = h * 31 + (uint32_t)ic[k] + ca[k];
    int eq = 0;
    for (int k = 0; k < 256; k++)
        eq += ca[k] == cb[k];
    printf("ints %08x eq %d\n", h, eq);
    return 0;
}
