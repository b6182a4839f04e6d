/* Integer hashing: FNV-1a and a multiply-xorshift mix over a generated
 * buffer, many passes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int passes = argc > 1 ? atoi(argv[1]) : 200;
    enum { N = 1 << 20 };
    static uint8_t buf[N];
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    uint32_t h = 2166136261u, m = 0;
    for (int p = 0; p < passes; p++)
        for (int i = 0; i < N; i++) {
            h = (h ^ buf[i]) * 16777619u;
            m ^= (h >> 15) * 0x2c1b3c6du + (uint32_t)p;
        }
    printf("%08x %08x\n", h, m);
    return 0;
}
