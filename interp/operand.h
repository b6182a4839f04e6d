/* Internal to interp/: the executor's access to the guest state -- its
 * registers, guest memory through the window, operands and flags -- with
 * the lifter's semantics (lifter/flags.c).  Shared by the generic executor
 * (exec.c) and the forms run without it (fast.c). */
#ifndef R386_INTERP_OPERAND_H
#define R386_INTERP_OPERAND_H

#include <string.h>

#include "interp_internal.h"

/* ---- registers, memory, operands ---- */

static inline uint32_t width_mask(unsigned w)
{
    return w >= 32 ? 0xffffffffu : (1u << w) - 1;
}

static inline uint32_t msb(uint32_t v, unsigned w)
{
    return (v >> (w - 1)) & 1;
}

static inline uint64_t sext(uint32_t v, unsigned w)
{
    return (uint64_t)(int64_t)((int32_t)(v << (32 - w)) >> (32 - w));
}

/* The register index and width of a general-purpose register; false for
 * any other register. */
static inline bool gpr_of(ZydisRegister r, unsigned *idx, unsigned *w)
{
    if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_EDI) {
        *idx = r - ZYDIS_REGISTER_EAX;
        *w = 32;
    } else if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_DI) {
        *idx = r - ZYDIS_REGISTER_AX;
        *w = 16;
    } else if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_BH) {
        *idx = r - ZYDIS_REGISTER_AL; /* 4-7: AH CH DH BH */
        *w = 8;
    } else {
        return false;
    }
    return true;
}

static inline uint32_t gpr_get_w(const struct cpu_state *s, unsigned idx,
                                 unsigned w)
{
    if (w == 8 && idx >= 4)
        return (s->gpr[idx - 4] >> 8) & 0xff;
    return s->gpr[idx] & width_mask(w);
}

static inline void gpr_set_w(struct cpu_state *s, unsigned idx, unsigned w,
                             uint32_t v)
{
    unsigned shift = 0;
    if (w == 8 && idx >= 4) {
        idx -= 4;
        shift = 8;
    }
    uint32_t m = width_mask(w) << shift;
    s->gpr[idx] = (s->gpr[idx] & ~m) | ((v << shift) & m);
}

static inline uint32_t reg_get(const struct cpu_state *s, ZydisRegister r)
{
    unsigned idx = 0, w = 32; /* (a GPR: interp_supported) */
    gpr_of(r, &idx, &w);
    return gpr_get_w(s, idx, w);
}

static inline void reg_set(struct cpu_state *s, ZydisRegister r, uint32_t v)
{
    unsigned idx = 0, w = 32;
    gpr_of(r, &idx, &w);
    gpr_set_w(s, idx, w, v);
}

/* Guest memory through the window.  The compiler barriers keep the
 * state's stores in program order around accesses that may fault. */
static inline void *host(const struct cpu_state *s, uint32_t a)
{
    return (void *)(uintptr_t)(s->mem_base + a);
}

static inline void mem_load(const struct cpu_state *s, uint32_t a, void *to,
                            size_t n)
{
    __asm__ volatile("" ::: "memory");
    memcpy(to, host(s, a), n);
    __asm__ volatile("" ::: "memory");
}

static inline void mem_store(const struct cpu_state *s, uint32_t a,
                             const void *from, size_t n)
{
    __asm__ volatile("" ::: "memory");
    memcpy(host(s, a), from, n);
    __asm__ volatile("" ::: "memory");
}

static inline uint32_t mem_read(const struct cpu_state *s, uint32_t a,
                                unsigned w)
{
    uint32_t v = 0;
    mem_load(s, a, &v, w / 8);
    return v;
}

static inline void mem_write(const struct cpu_state *s, uint32_t a, unsigned w,
                             uint32_t v)
{
    mem_store(s, a, &v, w / 8);
}

/* LOCKed accesses (and XCHG with memory): the host's own locked
 * instructions, atomic at any address as the guest's are (lifter/atomic.c
 * on alignment). */
static inline bool mem_cas(const struct cpu_state *s, uint32_t a, unsigned w,
                           uint32_t *expected, uint32_t v)
{
    void *p = host(s, a);
    const int sc = __ATOMIC_SEQ_CST;
    bool ok;
    if (w == 8) {
        uint8_t e = (uint8_t)*expected;
        ok = __atomic_compare_exchange_n((uint8_t *)p, &e, (uint8_t)v, false,
                                         sc, sc);
        *expected = e;
    } else if (w == 16) {
        uint16_t e = (uint16_t)*expected;
        ok = __atomic_compare_exchange_n((uint16_t *)p, &e, (uint16_t)v,
                                         false, sc, sc);
        *expected = e;
    } else {
        ok = __atomic_compare_exchange_n((uint32_t *)p, expected, v, false,
                                         sc, sc);
    }
    return ok;
}

static inline uint32_t mem_xchg(const struct cpu_state *s, uint32_t a,
                                unsigned w, uint32_t v)
{
    void *p = host(s, a);
    if (w == 8)
        return __atomic_exchange_n((uint8_t *)p, (uint8_t)v,
                                   __ATOMIC_SEQ_CST);
    if (w == 16)
        return __atomic_exchange_n((uint16_t *)p, (uint16_t)v,
                                   __ATOMIC_SEQ_CST);
    return __atomic_exchange_n((uint32_t *)p, v, __ATOMIC_SEQ_CST);
}

/* base + index*scale + disp, from the registers' indices decoding found
 * (interp_form_choose; 32-bit addressing only: interp_decoded): LEA's
 * result. */
static inline uint32_t op_ea(const struct cpu_state *s,
                             const struct interp_operand *o)
{
    uint32_t ea = o->imm;
    if (o->gpr != INTERP_NO_GPR)
        ea += s->gpr[o->gpr];
    if (o->index_gpr != INTERP_NO_GPR)
        ea += s->gpr[o->index_gpr] * o->scale;
    return ea;
}

/* With the segment base: FS and GS have one, the others are flat. */
static inline uint32_t op_addr(const struct cpu_state *s,
                               const struct interp_operand *o)
{
    uint32_t a = op_ea(s, o);
    if (o->seg != INTERP_NO_SEG)
        a += s->seg_base[o->seg];
    return a;
}

static inline uint32_t op_get(const struct cpu_state *s,
                              const struct interp_insn *in, unsigned i)
{
    const struct interp_operand *o = &in->op[i];
    switch (o->type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
        return reg_get(s, o->reg);
    case ZYDIS_OPERAND_TYPE_MEMORY:
        return mem_read(s, op_addr(s, o), o->size);
    default: /* immediate, at the instruction's operand size (lift_op_get) */
        return o->imm & width_mask(in->operand_width);
    }
}

static inline void op_set(struct cpu_state *s, const struct interp_insn *in,
                          unsigned i, uint32_t v)
{
    const struct interp_operand *o = &in->op[i];
    if (o->type == ZYDIS_OPERAND_TYPE_REGISTER)
        reg_set(s, o->reg, v);
    else
        mem_write(s, op_addr(s, o), o->size, v);
}

/* v pushed at width w: ESP moves only once the store has not faulted. */
static inline void push(struct cpu_state *s, unsigned w, uint32_t v)
{
    uint32_t sp = s->gpr[REG_ESP] - w / 8;
    mem_write(s, sp, w, v);
    s->gpr[REG_ESP] = sp;
}

/* The value popped at width w: ESP moves only once the load has not
 * faulted. */
static inline uint32_t pop(struct cpu_state *s, unsigned w)
{
    uint32_t sp = s->gpr[REG_ESP];
    uint32_t v = mem_read(s, sp, w);
    s->gpr[REG_ESP] = sp + w / 8;
    return v;
}

/* ---- flags (lifter/flags.c) ---- */

static inline void flags_result(struct cpu_state *s, uint32_t res, unsigned w)
{
    s->flag[FLAG_ZF] = (res & width_mask(w)) == 0;
    s->flag[FLAG_SF] = (uint8_t)msb(res, w);
    s->flag[FLAG_PF] = (uint8_t)res; /* PF's source byte (cpu.h) */
}

static inline void flags_logic(struct cpu_state *s, uint32_t res, unsigned w)
{
    s->flag[FLAG_CF] = s->flag[FLAG_OF] = s->flag[FLAG_AF] = 0;
    flags_result(s, res, w);
}

static inline void flags_add(struct cpu_state *s, uint32_t a, uint32_t b,
                             int cin, uint32_t res, unsigned w)
{
    uint32_t m = width_mask(w);
    a &= m, b &= m, res &= m;
    s->flag[FLAG_CF] = res < a || (cin && res == a);
    s->flag[FLAG_OF] = (uint8_t)msb((a ^ res) & (b ^ res), w);
    s->flag[FLAG_AF] = ((a ^ b ^ res) >> 4) & 1;
    flags_result(s, res, w);
}

static inline void flags_sub(struct cpu_state *s, uint32_t a, uint32_t b,
                             int bin, uint32_t res, unsigned w)
{
    uint32_t m = width_mask(w);
    a &= m, b &= m, res &= m;
    s->flag[FLAG_CF] = a < b || (bin && a == b);
    s->flag[FLAG_OF] = (uint8_t)msb((a ^ b) & (a ^ res), w);
    s->flag[FLAG_AF] = ((a ^ b ^ res) >> 4) & 1;
    flags_result(s, res, w);
}

/* Condition code cc (the low nibble of Jcc, SETcc, CMOVcc opcodes). */
static inline bool cond(const struct cpu_state *s, unsigned cc)
{
    bool v;
    const uint8_t *f = s->flag;
    switch (cc >> 1) {
    case 0: v = f[FLAG_OF]; break;
    case 1: v = f[FLAG_CF]; break;
    case 2: v = f[FLAG_ZF]; break;
    case 3: v = f[FLAG_CF] | f[FLAG_ZF]; break;
    case 4: v = f[FLAG_SF]; break;
    case 5: v = cpu_pf(s); break;
    case 6: v = f[FLAG_SF] != f[FLAG_OF]; break;
    default: v = f[FLAG_ZF] || f[FLAG_SF] != f[FLAG_OF]; break;
    }
    return v ^ (cc & 1);
}

/* ---- the ALU (lifter/alu.c) ---- */

enum alu_op { OP_ADD, OP_ADC, OP_SUB, OP_SBB, OP_AND, OP_OR, OP_XOR };

/* a op b with carry or borrow c (ADC, SBB). */
static inline uint32_t alu_compute(enum alu_op op, uint32_t a, uint32_t b,
                                   int c)
{
    switch (op) {
    case OP_ADD: return a + b;
    case OP_ADC: return a + b + (uint32_t)c;
    case OP_SUB: return a - b;
    case OP_SBB: return a - b - (uint32_t)c;
    case OP_AND: return a & b;
    case OP_OR: return a | b;
    default: return a ^ b;
    }
}

/* The flags of r = a op b (c) at width w (CMP's are SUB's, TEST's AND's). */
static inline void alu_flags(struct cpu_state *s, enum alu_op op, uint32_t a,
                             uint32_t b, int c, uint32_t r, unsigned w)
{
    switch (op) {
    case OP_ADD: flags_add(s, a, b, 0, r, w); break;
    case OP_ADC: flags_add(s, a, b, c, r, w); break;
    case OP_SUB: flags_sub(s, a, b, 0, r, w); break;
    case OP_SBB: flags_sub(s, a, b, c, r, w); break;
    default: flags_logic(s, r, w); break;
    }
}

/* ---- shifts (lifter/shift.c) ---- */

enum shift_kind { SHIFT_SHL, SHIFT_SHR, SHIFT_SAR };

/* x shifted by c (already masked to 5 bits) at width w: the result, and
 * CF and OF by the count-1 formulas whatever the count. */
static inline void shift_calc(enum shift_kind k, uint32_t x, unsigned c,
                              unsigned w, uint32_t *res, uint32_t *cf,
                              uint32_t *of)
{
    switch (k) {
    case SHIFT_SHL: {
        uint64_t r = (uint64_t)x << c;
        *res = (uint32_t)r & width_mask(w);
        *cf = (uint32_t)(r >> w) & 1;
        *of = *cf ^ msb(*res, w);
        break;
    }
    case SHIFT_SHR:
        *res = x >> c;
        *cf = (uint32_t)(((uint64_t)x << 1) >> c) & 1;
        *of = msb(*res, w) ^ ((*res >> (w - 2)) & 1);
        break;
    default: {
        int64_t xs = (int64_t)sext(x, w);
        *res = (uint32_t)(xs >> c) & width_mask(w);
        *cf = (uint32_t)((int64_t)((uint64_t)xs << 1) >> c) & 1;
        *of = 0;
        break;
    }
    }
}

/* A shift's flags (lifter/shift.c, shift_flags): none for a zero count
 * (the operand is still written back); else CF and OF as computed, AF 0,
 * SF ZF PF from the result. */
static inline void shift_flags(struct cpu_state *s, unsigned c, uint32_t res,
                               uint32_t cf, uint32_t of, unsigned w)
{
    if (!c)
        return;
    s->flag[FLAG_CF] = (uint8_t)cf;
    s->flag[FLAG_OF] = (uint8_t)of;
    s->flag[FLAG_AF] = 0;
    flags_result(s, res, w);
}

#endif
