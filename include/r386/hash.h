/* A 64-bit hash of bytes, shared by the caches that check what they read
 * back (the persistent translation cache, jit/; the interpreter's saved
 * blocks, interp/).  Not cryptographic: damage and changed code, not an
 * adversary, are what it detects.  Four independent lanes keep the
 * multipliers busy (~10 GB/s). */
#ifndef R386_HASH_H
#define R386_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t r386_hash_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static inline uint64_t r386_hash_rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t r386_hash_lane(uint64_t v, uint64_t w)
{
    return r386_hash_rotl(v + w * 0xc2b2ae3d27d4eb4fULL, 31) *
           0x9e3779b97f4a7c15ULL;
}

static inline uint64_t r386_hash(const void *p, size_t n, uint64_t seed)
{
    const uint8_t *b = p;
    uint64_t v[4] = {seed + 0x60ea27eeadc0b5d6ULL, seed ^ 0xc2b2ae3d27d4eb4fULL,
                     seed, seed - 0x9e3779b97f4a7c15ULL};
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        memcpy(w, b + i, 32);
        /* (Unrolled: at -O2 the loop's own count was half the cost.) */
        v[0] = r386_hash_lane(v[0], w[0]);
        v[1] = r386_hash_lane(v[1], w[1]);
        v[2] = r386_hash_lane(v[2], w[2]);
        v[3] = r386_hash_lane(v[3], w[3]);
    }
    uint64_t tail[4] = {0, 0, 0, 0};
    memcpy(tail, b + i, n - i);
    for (int k = 0; k < 4; k++)
        v[k] = r386_hash_lane(v[k], tail[k]);
    uint64_t h = r386_hash_mix(n * 0x9e3779b97f4a7c15ULL ^ seed);
    for (int k = 0; k < 4; k++)
        h = r386_hash_mix(h ^ r386_hash_rotl(v[k], 7 + 13 * k));
    return h;
}

#endif
