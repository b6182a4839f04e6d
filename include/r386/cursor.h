/* Reading little-endian numbers and LEB128 from a bounded buffer: the
 * DWARF the profiler's symbol loader reads (.eh_frame, loader/symbols.c)
 * and the JIT's fault-pc tables (.debug_line, jit/pcmap.c).  A read past
 * the end sets bad and gives 0; nothing is read once bad is set. */
#ifndef R386_CURSOR_H
#define R386_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct r386_cursor {
    const uint8_t *p, *end;
    bool bad;
};

/* n (at most 8) bytes, little-endian. */
static inline uint64_t r386_cur_bytes(struct r386_cursor *c, unsigned n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)c->p[i] << (8 * i);
    c->p += n;
    return v;
}

/* A LEB128 number: unsigned, and signed in *sval unless sval is NULL. */
static inline uint64_t r386_cur_leb(struct r386_cursor *c, int64_t *sval)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t byte = 0x80;
    while (byte & 0x80) {
        byte = (uint8_t)r386_cur_bytes(c, 1);
        if (c->bad)
            return 0;
        if (shift < 64)
            v |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
    }
    if (sval) {
        *sval = (int64_t)v;
        if (shift < 64 && (byte & 0x40))
            *sval = (int64_t)(v | (~0ull << shift));
    }
    return v;
}

#endif
