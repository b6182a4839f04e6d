/* The baseline tier's block loop and its run counts (interp.h).
 *
 * A block is decoded in chunks: every instruction of a chunk is decoded
 * and checked before the first runs, so a block the executor cannot take
 * whole is refused with nothing done, and the JIT's units start where
 * they would without the interpreter (block starts the dispatcher sees).
 * Nothing decoded is kept: a block runs only a few times here, and guest
 * code may change between runs.
 *
 * Deviation (as translated code's): a store into the chunk being
 * interpreted does not change the instructions already decoded. */
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"

#define CHUNK 32     /* instructions decoded before any runs */
#define MAX_CHUNKS 8 /* then the block is left at the next pc */
#define FETCH 128    /* guest code bytes fetched at a time */

/* Run counts: open addressing on the pc, one 64-bit word a slot: pc in
 * the high half, count << 1 | 1 in the low half (0: empty). */
#define TABLE_BITS 17
#define TABLE_PROBES 32
#define COUNT_MAX 0x7fffffffu

struct interp {
    ZydisDecoder dec;
    unsigned threshold;
    interp_fetch_fn fetch;
    void *fetch_ctx;
    uint64_t *table;
    uint64_t blocks, insns, refused; /* (relaxed atomics) */
};

struct interp *interp_create(unsigned threshold, interp_fetch_fn fetch,
                             void *fetch_ctx)
{
    struct interp *it = calloc(1, sizeof(*it));
    if (!it)
        return NULL;
    it->table = calloc((size_t)1 << TABLE_BITS, sizeof(uint64_t));
    if (!it->table ||
        !ZYAN_SUCCESS(ZydisDecoderInit(&it->dec, ZYDIS_MACHINE_MODE_LEGACY_32,
                                       ZYDIS_STACK_WIDTH_32))) {
        free(it->table);
        free(it);
        return NULL;
    }
    it->threshold = threshold;
    it->fetch = fetch;
    it->fetch_ctx = fetch_ctx;
    return it;
}

void interp_destroy(struct interp *it)
{
    if (!it)
        return;
    free(it->table);
    free(it);
}

bool interp_wants(struct interp *it, guest_addr_t pc)
{
    uint32_t h = (pc * 0x9e3779b1u) >> (32 - TABLE_BITS);
    for (unsigned n = 0; n < TABLE_PROBES; n++) {
        uint64_t *slot = &it->table[(h + n) & ((1u << TABLE_BITS) - 1)];
        uint64_t v = __atomic_load_n(slot, __ATOMIC_RELAXED);
        for (;;) {
            if (v == 0) {
                uint64_t first = (uint64_t)pc << 32 | 1u << 1 | 1u;
                if (__atomic_compare_exchange_n(slot, &v, first, false,
                                                __ATOMIC_RELAXED,
                                                __ATOMIC_RELAXED))
                    return it->threshold >= 1;
                continue; /* another thread took the slot: v is its word */
            }
            if ((uint32_t)(v >> 32) != pc)
                break;
            uint32_t count = (uint32_t)v >> 1;
            if (count >= it->threshold || count >= COUNT_MAX)
                return false;
            uint64_t nv = (uint64_t)pc << 32 | (uint64_t)(count + 1) << 1 | 1u;
            if (__atomic_compare_exchange_n(slot, &v, nv, false,
                                            __ATOMIC_RELAXED,
                                            __ATOMIC_RELAXED))
                return count + 1 <= it->threshold;
        }
    }
    return false; /* the table is crowded here: compile */
}

/* Decode the instruction at pc from the fetched bytes (refetched when
 * fewer than an instruction's worth are left): 1, or 0 when pc cannot be
 * fetched at all, -1 when its bytes are no instruction (or are cut short
 * by an unfetchable page). */
static int decode(struct interp *it, guest_addr_t pc, uint8_t *bytes,
                   guest_addr_t *base, size_t *avail, struct interp_insn *out)
{
    size_t off = pc - *base;
    if (off >= *avail || (*avail - off < ZYDIS_MAX_INSTRUCTION_LENGTH &&
                         *avail == FETCH)) {
        *base = pc;
        *avail = it->fetch(it->fetch_ctx, pc, bytes, FETCH);
        off = 0;
    }
    if (off >= *avail)
        return 0;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&it->dec, bytes + off,
                                             *avail - off, &out->i, ops)))
        return -1;
    unsigned n = out->i.operand_count < INTERP_MAX_OPS ? out->i.operand_count
                                                       : INTERP_MAX_OPS;
    memcpy(out->op, ops, n * sizeof(ops[0]));
    out->pc = pc;
    return 1;
}

int interp_block(struct interp *it, struct cpu_state *s)
{
    struct interp_insn buf[CHUNK];
    uint8_t bytes[FETCH];
    guest_addr_t base = 0, pc = s->eip;
    size_t avail = 0;
    uint64_t ran = 0;
    int r = CPU_EXIT_JUMP;
    for (unsigned c = 0; c < MAX_CHUNKS; c++) {
        unsigned n = 0;
        bool end = false, bad = false, stop = false;
        guest_addr_t p = pc;
        while (n < CHUNK && !end) {
            int d = decode(it, p, bytes, &base, &avail, &buf[n]);
            if (d <= 0 || !interp_supported(&buf[n])) {
                /* An unfetchable pc after the first instruction: run up
                 * to it (the JIT's unit there raises the fault). */
                bad = d != 0 || n == 0;
                stop = true;
                break;
            }
            end = interp_ends_block(&buf[n].i);
            p += buf[n].i.length;
            n++;
        }
        if (bad && c == 0) {
            __atomic_add_fetch(&it->refused, 1, __ATOMIC_RELAXED);
            return INTERP_CANNOT;
        }
        for (unsigned k = 0; k < n; k++) {
            /* (Volatile: the pc a fault in this instruction names.) */
            *(volatile uint32_t *)&s->insn_pc = buf[k].pc;
            r = interp_exec(s, &buf[k]);
            if (r != INTERP_NEXT) {
                ran += k + 1;
                goto out;
            }
        }
        ran += n;
        pc = p;
        if (stop)
            break;
    }
    s->eip = pc; /* a long block, or one going on at an instruction the
                  * interpreter leaves to the JIT */
    r = CPU_EXIT_JUMP;
out:
    __atomic_add_fetch(&it->blocks, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&it->insns, ran, __ATOMIC_RELAXED);
    return r;
}

void interp_stats_get(struct interp *it, struct interp_stats *out)
{
    out->blocks = __atomic_load_n(&it->blocks, __ATOMIC_RELAXED);
    out->insns = __atomic_load_n(&it->insns, __ATOMIC_RELAXED);
    out->refused = __atomic_load_n(&it->refused, __ATOMIC_RELAXED);
}
