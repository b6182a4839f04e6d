/* Integer operations over edge values, printed so that any difference in
 * an instruction's result shows up in the output. */
#include <stdint.h>
#include <stdio.h>

static const uint32_t vals[] = {
    0, 1, 2, 3, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
    0x10000, 0x12345678, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe,
    0xffffffff, 0xdeadbeef, 1000000007,
};
#define N (sizeof(vals) / sizeof(vals[0]))

static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;
    return h ^ (h >> 15);
}

static uint32_t rotl(uint32_t v, unsigned n)
{
    n &= 31;
    return n ? (v << n) | (v >> (32 - n)) : v;
}

int main(void)
{
    uint32_t h_add = 0, h_mul = 0, h_div = 0, h_shift = 0, h_cmp = 0;
    uint32_t h_narrow = 0, h_bits = 0;
    uint64_t h64 = 0;
    for (unsigned i = 0; i < N; i++) {
        for (unsigned j = 0; j < N; j++) {
            uint32_t a = vals[i], b = vals[j];
            int32_t sa = (int32_t)a, sb = (int32_t)b;
            h_add = mix(h_add, a + b);
            h_add = mix(h_add, a - b);
            h_add = mix(h_add, (a + b) < a);
            h_mul = mix(h_mul, a * b);
            h_mul = mix(h_mul, (uint32_t)(((uint64_t)a * b) >> 32));
            h_mul = mix(h_mul, (uint32_t)(((int64_t)sa * sb) >> 32));
            if (b) {
                h_div = mix(h_div, a / b);
                h_div = mix(h_div, a % b);
                if (!(sa == INT32_MIN && sb == -1)) {
                    h_div = mix(h_div, (uint32_t)(sa / sb));
                    h_div = mix(h_div, (uint32_t)(sa % sb));
                }
            }
            h_shift = mix(h_shift, a << (b & 31));
            h_shift = mix(h_shift, a >> (b & 31));
            h_shift = mix(h_shift, (uint32_t)(sa >> (b & 31)));
            h_shift = mix(h_shift, rotl(a, b));
            h_cmp = mix(h_cmp, (sa < sb) | (a < b) << 1 | (sa <= sb) << 2 |
                                   (a >= b) << 3 | (a == b) << 4);
            h_narrow = mix(h_narrow, (uint8_t)((uint8_t)a + (uint8_t)b));
            h_narrow = mix(h_narrow, (uint16_t)((uint16_t)a * (uint16_t)b));
            h_narrow = mix(h_narrow, (uint32_t)(int8_t)a);
            h_narrow = mix(h_narrow, (uint32_t)(int16_t)b);
            uint64_t x = ((uint64_t)a << 32) | b, y = ((uint64_t)b << 32) | a;
            h64 = h64 * 31 + x * y;
            if (y)
                h64 = h64 * 31 + x / y + x % y;
            if ((int64_t)y != 0 && !((int64_t)x == INT64_MIN &&
                                     (int64_t)y == -1))
                h64 = h64 * 31 + (uint64_t)((int64_t)x / (int64_t)y);
            h64 ^= x >> (b & 63);
            h64 ^= (uint64_t)((int64_t)x >> (a & 63));
        }
        uint32_t a = vals[i];
        h_bits = mix(h_bits, (uint32_t)__builtin_popcount(a));
        if (a) {
            h_bits = mix(h_bits, (uint32_t)__builtin_ctz(a));
            h_bits = mix(h_bits, (uint32_t)__builtin_clz(a));
        }
        h_bits = mix(h_bits, __builtin_bswap32(a));
        h_bits = mix(h_bits, (uint32_t)__builtin_parity(a));
    }
    printf("add %08x\nmul %08x\ndiv %08x\nshift %08x\ncmp %08x\n", h_add,
           h_mul, h_div, h_shift, h_cmp);
    printf("narrow %08x\nbits %08x\n64 %016llx\n", h_narrow, h_bits,
           (unsigned long long)h64);
    return 0;
}
