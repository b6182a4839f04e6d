/* The interpreter's instructions: what interp_decoded accepts,
 * interp_exec runs, with the lifter's semantics (lifter/alu.c, flags.c,
 * shift.c, muldiv.c, mov.c, flow.c): the same values for the flags the
 * SDM leaves undefined, the same deviations.  An instruction reads all it
 * needs from guest memory before it writes any register or flag, so a
 * fault leaves the state at its start. */
#include <string.h>

#include "operand.h"
#include "r386/zydis_seg.h"

/* Jcc, SETcc, CMOVcc by their opcodes: 70-7F, 0F 80-8F; 0F 90-9F;
 * 0F 40-4F.  The condition is the opcode's low nibble. */
static bool is_jcc(const ZydisDecodedInstruction *i)
{
    return (i->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT &&
            (i->opcode & 0xf0) == 0x70) ||
           (i->opcode_map == ZYDIS_OPCODE_MAP_0F &&
            (i->opcode & 0xf0) == 0x80);
}

static bool is_setcc(const ZydisDecodedInstruction *i)
{
    return i->opcode_map == ZYDIS_OPCODE_MAP_0F &&
           (i->opcode & 0xf0) == 0x90 &&
           i->meta.category == ZYDIS_CATEGORY_SETCC;
}

static bool is_cmovcc(const ZydisDecodedInstruction *i)
{
    return i->opcode_map == ZYDIS_OPCODE_MAP_0F &&
           (i->opcode & 0xf0) == 0x40 &&
           i->meta.category == ZYDIS_CATEGORY_CMOV;
}

/* ---- the instructions ---- */

static void alu(struct cpu_state *s, const struct interp_insn *in,
                enum alu_op op, bool write)
{
    unsigned w = in->op[0].size;
    uint32_t b = op_get(s, in, 1) & width_mask(w);
    int c = s->flag[FLAG_CF];
    uint32_t a, r;
    if (write && in->lock) {
        /* A compare-and-swap loop, as the lifter's (alu.c). */
        uint32_t addr = op_addr(s, &in->op[0]);
        a = mem_read(s, addr, w);
        do
            r = alu_compute(op, a, b, c) & width_mask(w);
        while (!mem_cas(s, addr, w, &a, r));
    } else {
        a = op_get(s, in, 0);
        r = alu_compute(op, a, b, c) & width_mask(w);
        if (write)
            op_set(s, in, 0, r);
    }
    alu_flags(s, op, a, b, c, r, w);
}

static void incdec(struct cpu_state *s, const struct interp_insn *in,
                   bool dec)
{
    unsigned w = in->op[0].size;
    uint32_t a, r;
    if (in->lock) {
        uint32_t addr = op_addr(s, &in->op[0]);
        a = mem_read(s, addr, w);
        do
            r = (dec ? a - 1 : a + 1) & width_mask(w);
        while (!mem_cas(s, addr, w, &a, r));
    } else {
        a = op_get(s, in, 0);
        r = (dec ? a - 1 : a + 1) & width_mask(w);
        op_set(s, in, 0, r);
    }
    uint8_t cf = s->flag[FLAG_CF];
    if (dec)
        flags_sub(s, a, 1, 0, r, w);
    else
        flags_add(s, a, 1, 0, r, w);
    s->flag[FLAG_CF] = cf;
}

/* SHL SHR SAR (lifter/shift.c; shift_calc, shift_flags: operand.h). */
static void shift(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned w = in->op[0].size;
    uint32_t x = op_get(s, in, 0);
    unsigned c = op_get(s, in, 1) & 31;
    enum shift_kind k = in->mnemonic == ZYDIS_MNEMONIC_SHL   ? SHIFT_SHL
                        : in->mnemonic == ZYDIS_MNEMONIC_SHR ? SHIFT_SHR
                                                             : SHIFT_SAR;
    uint32_t res, cf, of;
    shift_calc(k, x, c, w, &res, &cf, &of);
    op_set(s, in, 0, res);
    shift_flags(s, c, res, cf, of, w);
}

/* MUL/IMUL r/m into the accumulator, IMUL r, r/m(, imm) truncated: CF =
 * OF = the product did not fit; SF ZF PF from its low half; AF 0. */
static void mul_flags(struct cpu_state *s, bool wide, uint32_t lo,
                      unsigned w)
{
    s->flag[FLAG_CF] = s->flag[FLAG_OF] = wide;
    s->flag[FLAG_AF] = 0;
    flags_result(s, lo, w);
}

static void mul_acc(struct cpu_state *s, const struct interp_insn *in,
                    bool sign)
{
    unsigned w = in->op[0].size;
    uint32_t src = op_get(s, in, 0);
    uint32_t a = gpr_get_w(s, REG_EAX, w);
    uint64_t prod = sign ? (uint64_t)((int64_t)sext(a, w) *
                                      (int64_t)sext(src, w))
                         : (uint64_t)a * src;
    uint32_t lo = (uint32_t)prod & width_mask(w);
    uint32_t hi = (uint32_t)(prod >> w) & width_mask(w);
    if (w == 8) {
        gpr_set_w(s, REG_EAX, 16, (uint32_t)prod);
    } else {
        gpr_set_w(s, REG_EAX, w, lo);
        gpr_set_w(s, REG_EDX, w, hi);
    }
    uint64_t m2 = w == 32 ? ~0ull : (1ull << (2 * w)) - 1;
    bool wide = sign ? (prod & m2) != (sext(lo, w) & m2) : hi != 0;
    mul_flags(s, wide, lo, w);
}

static void imul_trunc(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned w = in->op[0].size;
    uint32_t x, y;
    if (in->visible == 2) {
        x = op_get(s, in, 0);
        y = op_get(s, in, 1);
    } else {
        x = op_get(s, in, 1);
        y = in->op[2].imm;
    }
    int64_t prod = (int64_t)sext(x & width_mask(w), w) *
                   (int64_t)sext(y & width_mask(w), w);
    uint32_t res = (uint32_t)prod & width_mask(w);
    op_set(s, in, 0, res);
    mul_flags(s, (uint64_t)prod != sext(res, w), res, w);
}

/* DIV/IDIV: #DE (a zero divisor, a quotient too wide) at the instruction
 * before any register changes; flags unchanged. */
static int divide(struct cpu_state *s, const struct interp_insn *in,
                  bool sign)
{
    unsigned w = in->op[0].size;
    uint32_t d = op_get(s, in, 0);
    uint64_t n = w == 8 ? gpr_get_w(s, REG_EAX, 16)
                        : (uint64_t)gpr_get_w(s, REG_EDX, w) << w |
                              gpr_get_w(s, REG_EAX, w);
    uint64_t q, r;
    if (!sign) {
        if ((n >> w) >= d) {
            s->eip = in->pc;
            return CPU_EXIT_DIVIDE;
        }
        q = n / d;
        r = n % d;
    } else {
        int64_t sn = (int64_t)(n << (64 - 2 * w)) >> (64 - 2 * w);
        int64_t sd = (int64_t)sext(d, w);
        if (sd == 0 || (sd == -1 && sn == INT64_MIN)) {
            s->eip = in->pc;
            return CPU_EXIT_DIVIDE;
        }
        int64_t sq = sn / sd;
        if (sq != (int64_t)sext((uint32_t)sq & width_mask(w), w)) {
            s->eip = in->pc;
            return CPU_EXIT_DIVIDE;
        }
        q = (uint64_t)sq;
        r = (uint64_t)(sn % sd);
    }
    if (w == 8) {
        gpr_set_w(s, REG_EAX, 8, (uint32_t)q);
        gpr_set_w(s, 4 /* AH */, 8, (uint32_t)r);
    } else {
        gpr_set_w(s, REG_EAX, w, (uint32_t)q);
        gpr_set_w(s, REG_EDX, w, (uint32_t)r);
    }
    return INTERP_NEXT;
}

/* ROL ROR (lifter/shift.c): by the count masked to 5 bits, modulo the
 * width; CF and OF only, set when the masked count is not 0 (so an 8- or
 * 16-bit rotate by a multiple of its width sets them from the value). */
static void rotate(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned w = in->op[0].size;
    uint32_t x = op_get(s, in, 0) & width_mask(w);
    unsigned c = op_get(s, in, 1) & 31, k = c % w;
    bool left = in->mnemonic == ZYDIS_MNEMONIC_ROL;
    uint32_t res = !k     ? x
                   : left ? x << k | x >> (w - k)
                          : x >> k | x << (w - k);
    res &= width_mask(w);
    op_set(s, in, 0, res);
    if (!c)
        return;
    if (left) {
        s->flag[FLAG_CF] = res & 1;
        s->flag[FLAG_OF] = (uint8_t)((res & 1) ^ msb(res, w));
    } else {
        s->flag[FLAG_CF] = (uint8_t)msb(res, w);
        s->flag[FLAG_OF] = (uint8_t)(msb(res, w) ^ ((res >> (w - 2)) & 1));
    }
}

/* SHLD SHRD dst, src, count (lifter/shift.c): the bits shifted through
 * are dst:src (SHLD) or src:dst (SHRD) for 32 bits, dst:src:dst for 16
 * bits (so a 16-bit shift by more than 16 is as P6 and later do it); the
 * flags change only for a nonzero count: CF the last bit out, OF as SHL or
 * SHR's, SF ZF PF from the result, AF 0. */
static void double_shift(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned w = in->op[0].size;
    bool left = in->mnemonic == ZYDIS_MNEMONIC_SHLD;
    uint64_t d = op_get(s, in, 0) & width_mask(w);
    uint64_t x = op_get(s, in, 1) & width_mask(w);
    unsigned c = op_get(s, in, 2) & 31;
    uint64_t v = w == 16 ? d << 32 | x << 16 | d
                 : left  ? d << 32 | x
                         : x << 32 | d;
    uint32_t res, cf, of;
    if (left) {
        uint64_t t = v >> (32 - c);
        res = (uint32_t)t & width_mask(w);
        cf = (uint32_t)(t >> w) & 1;
        of = cf ^ msb(res, w);
    } else {
        res = (uint32_t)(v >> c) & width_mask(w);
        cf = (uint32_t)((v << 1) >> c) & 1;
        of = msb(res, w) ^ ((res >> (w - 2)) & 1);
    }
    op_set(s, in, 0, res);
    shift_flags(s, c, res, cf, of, w);
}

/* BT BTS BTR BTC (lifter/bits.c): CF only.  In a register, or in memory
 * with an immediate offset, the offset is taken modulo the width; in
 * memory a register offset is signed and picks the word at ea + size *
 * (offset div size).  (LOCK forms are left to the JIT: lock_ok.) */
static void bit_test(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned w = in->op[0].size, log2w = w == 16 ? 4 : 5;
    ZydisMnemonic m = (ZydisMnemonic)in->mnemonic;
    uint32_t a = 0, v;
    unsigned bit;
    bool mem = in->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY;
    if (!mem || in->op[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
        bit = op_get(s, in, 1) & (w - 1);
        if (mem)
            a = op_addr(s, &in->op[0]);
    } else {
        int32_t off = (int32_t)sext(op_get(s, in, 1), w);
        a = op_addr(s, &in->op[0]) +
            ((uint32_t)(off >> log2w) << (log2w - 3));
        bit = (uint32_t)off & (w - 1);
    }
    v = mem ? mem_read(s, a, w) : op_get(s, in, 0);
    uint32_t mask = 1u << bit;
    uint32_t nv = m == ZYDIS_MNEMONIC_BTS   ? v | mask
                  : m == ZYDIS_MNEMONIC_BTR ? v & ~mask
                  : m == ZYDIS_MNEMONIC_BTC ? v ^ mask
                                            : v;
    if (m != ZYDIS_MNEMONIC_BT) {
        if (mem)
            mem_write(s, a, w, nv);
        else
            op_set(s, in, 0, nv);
    }
    s->flag[FLAG_CF] = (v & mask) != 0;
}

/* BSF BSR, and TZCNT LZCNT as them (lifter/bits.c): ZF = the source is
 * 0, which leaves the destination unchanged; the other flags stay. */
static void bit_scan(struct cpu_state *s, const struct interp_insn *in,
                     bool reverse)
{
    unsigned w = in->op[0].size;
    uint32_t x = op_get(s, in, 1) & width_mask(w);
    s->flag[FLAG_ZF] = x == 0;
    if (x)
        op_set(s, in, 0, reverse ? 31u - (unsigned)__builtin_clz(x)
                                 : (unsigned)__builtin_ctz(x));
}

/* XCHG (atomic with memory), XADD and CMPXCHG (atomic with LOCK), as
 * lifter/atomic.c.  Operand 0 is the r/m operand; its address is formed
 * once, before any register changes. */
static void xchg(struct cpu_state *s, const struct interp_insn *in)
{
    uint32_t src = op_get(s, in, 1);
    if (in->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY) {
        uint32_t old = mem_xchg(s, op_addr(s, &in->op[0]), in->op[0].size,
                                src);
        op_set(s, in, 1, old);
        return;
    }
    uint32_t old = op_get(s, in, 0);
    op_set(s, in, 0, src);
    op_set(s, in, 1, old);
}

static void xadd(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned w = in->op[0].size;
    uint32_t src = op_get(s, in, 1) & width_mask(w), old, sum;
    if (in->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY) {
        uint32_t addr = op_addr(s, &in->op[0]);
        old = mem_read(s, addr, w);
        if (in->lock) {
            while (!mem_cas(s, addr, w, &old, (old + src) & width_mask(w)))
                ;
        } else {
            mem_write(s, addr, w, old + src);
        }
        sum = (old + src) & width_mask(w);
        op_set(s, in, 1, old);
    } else {
        old = op_get(s, in, 0);
        sum = (old + src) & width_mask(w);
        op_set(s, in, 1, old);
        op_set(s, in, 0, sum); /* last: xadd %eax,%eax leaves the sum */
    }
    flags_add(s, old, src, 0, sum, w);
}

static void cmpxchg(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned w = in->op[0].size;
    uint32_t acc = gpr_get_w(s, REG_EAX, w);
    uint32_t src = op_get(s, in, 1), old;
    if (in->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY) {
        uint32_t addr = op_addr(s, &in->op[0]);
        if (in->lock) {
            old = acc;
            mem_cas(s, addr, w, &old, src);
        } else {
            /* Written even when unequal (with its value), as hardware. */
            old = mem_read(s, addr, w);
            mem_write(s, addr, w, old == acc ? src : old);
        }
        gpr_set_w(s, REG_EAX, w, old);
    } else {
        old = op_get(s, in, 0);
        /* EAX first: cmpxchg %ecx,%eax ends with ECX in EAX. */
        gpr_set_w(s, REG_EAX, w, old);
        op_set(s, in, 0, old == acc ? src : old);
    }
    flags_sub(s, acc, old, 0, acc - old, w);
}

/* String instructions (lifter/string.c), one element at a time with the
 * registers updated after each: a fault shows how far it got. */
static void string(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned w = in->operand_width, step = w / 8;
    ZydisMnemonic m = in->mnemonic;
    uint32_t seg = in->seg == ZYDIS_REGISTER_FS   ? s->seg_base[SEG_FS]
                   : in->seg == ZYDIS_REGISTER_GS ? s->seg_base[SEG_GS]
                                                  : 0;
    uint32_t d = s->df ? (uint32_t)-step : step;
    for (;;) {
        if (in->rep != REP_NONE && s->gpr[REG_ECX] == 0)
            return;
        uint32_t si = s->gpr[REG_ESI], di = s->gpr[REG_EDI], a, b;
        switch (m) {
        case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW:
        case ZYDIS_MNEMONIC_MOVSD:
            mem_write(s, di, w, mem_read(s, si + seg, w));
            s->gpr[REG_ESI] = si + d;
            s->gpr[REG_EDI] = di + d;
            break;
        case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW:
        case ZYDIS_MNEMONIC_STOSD:
            mem_write(s, di, w, s->gpr[REG_EAX]);
            s->gpr[REG_EDI] = di + d;
            break;
        case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW:
        case ZYDIS_MNEMONIC_LODSD:
            gpr_set_w(s, REG_EAX, w, mem_read(s, si + seg, w));
            s->gpr[REG_ESI] = si + d;
            break;
        case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW:
        case ZYDIS_MNEMONIC_CMPSD:
            a = mem_read(s, si + seg, w);
            b = mem_read(s, di, w);
            flags_sub(s, a, b, 0, a - b, w);
            s->gpr[REG_ESI] = si + d;
            s->gpr[REG_EDI] = di + d;
            break;
        default: /* SCAS */
            a = gpr_get_w(s, REG_EAX, w);
            b = mem_read(s, di, w);
            flags_sub(s, a, b, 0, a - b, w);
            s->gpr[REG_EDI] = di + d;
            break;
        }
        if (in->rep == REP_NONE)
            return;
        s->gpr[REG_ECX]--;
        if ((in->rep == REP_WHILE_EQ && !s->flag[FLAG_ZF]) ||
            (in->rep == REP_WHILE_NE && s->flag[FLAG_ZF]))
            return;
    }
}

/* ---- SSE2 moves and xors (lifter/sse.c, sse_int.c) ----
 * glibc's memcpy, memset and strlen variants start with them.  XMM
 * registers are the state's 16 bytes each; a 128-bit memory operand not
 * 16-byte aligned raises #GP (CPU_EXIT_PRIV) at the instruction, before
 * anything changes, except for the unaligned moves. */

static bool is_xmm(ZydisRegister r)
{
    return r >= ZYDIS_REGISTER_XMM0 && r <= ZYDIS_REGISTER_XMM7;
}

static uint8_t *xmm_of(struct cpu_state *s, const struct interp_operand *o)
{
    return s->xmm[o->reg - ZYDIS_REGISTER_XMM0];
}

static bool aligned_form(ZydisMnemonic m)
{
    return m != ZYDIS_MNEMONIC_MOVDQU && m != ZYDIS_MNEMONIC_MOVUPS &&
           m != ZYDIS_MNEMONIC_MOVUPD;
}

/* Operand i (an XMM register, a GPR or memory) as its low bits bytes,
 * zero-extended to 16. */
static void sse_get(struct cpu_state *s, const struct interp_insn *in,
                    unsigned i, unsigned bits, uint8_t v[16])
{
    const struct interp_operand *o = &in->op[i];
    memset(v, 0, 16);
    if (o->type == ZYDIS_OPERAND_TYPE_REGISTER && is_xmm(o->reg)) {
        memcpy(v, xmm_of(s, o), bits / 8);
    } else if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
        uint32_t r = reg_get(s, o->reg);
        memcpy(v, &r, 4);
    } else {
        mem_load(s, op_addr(s, o), v, bits / 8);
    }
}

static int sse(struct cpu_state *s, const struct interp_insn *in)
{
    ZydisMnemonic m = in->mnemonic;
    uint8_t v[16], d[16];
    unsigned bits = m == ZYDIS_MNEMONIC_MOVD ? 32
                    : m == ZYDIS_MNEMONIC_MOVQ ? 64 : 128;
    if (bits == 128 && aligned_form(m)) {
        for (unsigned i = 0; i < 2; i++)
            if (in->op[i].type == ZYDIS_OPERAND_TYPE_MEMORY &&
                (op_addr(s, &in->op[i]) & 15)) {
                s->eip = in->pc;
                return CPU_EXIT_PRIV;
            }
    }
    sse_get(s, in, 1, bits, v);
    const struct interp_operand *o = &in->op[0];
    if (m == ZYDIS_MNEMONIC_PXOR || m == ZYDIS_MNEMONIC_XORPS ||
        m == ZYDIS_MNEMONIC_XORPD) {
        memcpy(d, xmm_of(s, o), 16);
        for (int k = 0; k < 16; k++)
            v[k] ^= d[k];
    }
    if (o->type == ZYDIS_OPERAND_TYPE_REGISTER && is_xmm(o->reg)) {
        memcpy(xmm_of(s, o), v, 16); /* (MOVD, MOVQ: zero-extended) */
    } else if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
        uint32_t r;
        memcpy(&r, v, 4);
        reg_set(s, o->reg, r);
    } else {
        mem_store(s, op_addr(s, o), v, bits / 8);
    }
    return INTERP_NEXT;
}

/* The SSE instructions interp_exec takes: legacy encodings (map 0F) with
 * XMM, 32-bit GPR (MOVD) or memory operands; no MMX forms. */
static bool sse_supported(const ZydisDecodedInstruction *i,
                          const ZydisDecodedOperand *ops)
{
    switch (i->mnemonic) {
    case ZYDIS_MNEMONIC_MOVDQA: case ZYDIS_MNEMONIC_MOVDQU:
    case ZYDIS_MNEMONIC_MOVAPS: case ZYDIS_MNEMONIC_MOVUPS:
    case ZYDIS_MNEMONIC_MOVAPD: case ZYDIS_MNEMONIC_MOVUPD:
    case ZYDIS_MNEMONIC_MOVD: case ZYDIS_MNEMONIC_MOVQ:
    case ZYDIS_MNEMONIC_PXOR: case ZYDIS_MNEMONIC_XORPS:
    case ZYDIS_MNEMONIC_XORPD:
        break;
    default:
        return false;
    }
    if (i->encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY ||
        i->opcode_map != ZYDIS_OPCODE_MAP_0F ||
        i->operand_count_visible != 2 || i->address_width != 32)
        return false;
    bool xmm = false;
    for (unsigned k = 0; k < 2; k++) {
        const ZydisDecodedOperand *o = &ops[k];
        if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
            unsigned idx, w;
            if (is_xmm(o->reg.value))
                xmm = true;
            else if (!gpr_of(o->reg.value, &idx, &w) || w != 32)
                return false;
        } else if (o->type != ZYDIS_OPERAND_TYPE_MEMORY ||
                   o->mem.base == ZYDIS_REGISTER_EIP) {
            return false;
        }
    }
    return xmm;
}

static void pop_to(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned w = in->operand_width;
    uint32_t sp = s->gpr[REG_ESP];
    uint32_t v = mem_read(s, sp, w);
    if (in->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY) {
        /* The address is formed with ESP already incremented. */
        s->gpr[REG_ESP] = sp + w / 8;
        uint32_t a = op_addr(s, &in->op[0]);
        s->gpr[REG_ESP] = sp;
        mem_write(s, a, in->op[0].size, v);
    }
    s->gpr[REG_ESP] = sp + w / 8;
    if (in->op[0].type == ZYDIS_OPERAND_TYPE_REGISTER)
        reg_set(s, in->op[0].reg, v);
}

static int jump(struct cpu_state *s, uint32_t to)
{
    s->eip = to;
    return CPU_EXIT_JUMP;
}

/* MOV to a segment register: the selector, then the runtime recomputes
 * the bases (an unusable selector gives base 0, no fault: lifter/mov.c);
 * from one: the selector, zero-extended to a 32-bit register. */
static void mov_seg(struct cpu_state *s, const struct interp_insn *in,
                    const struct interp_calls *calls)
{
    if (in->op[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
        cpu_seg_of(in->op[0].reg) >= 0) {
        s->seg_sel[in->seg] = (uint16_t)op_get(s, in, 1);
        calls->load_segs(s);
        return;
    }
    op_set(s, in, 0, s->seg_sel[in->seg]);
}

int interp_exec(struct cpu_state *s, const struct interp_insn *in,
                const struct interp_calls *calls)
{
    uint32_t next = in->pc + in->length;
    unsigned w = in->operand_width;
    switch (in->kind) {
    case KIND_JCC:
        return jump(s, cond(s, in->cc) ? in->target : next);
    case KIND_SETCC:
        op_set(s, in, 0, cond(s, in->cc));
        return INTERP_NEXT;
    case KIND_STRING:
        string(s, in);
        return INTERP_NEXT;
    case KIND_SSE:
        return sse(s, in);
    case KIND_SEG:
        mov_seg(s, in, calls);
        return INTERP_NEXT;
    case KIND_CMOVCC: {
        uint32_t v = op_get(s, in, 1); /* read whatever the condition */
        if (cond(s, in->cc))
            op_set(s, in, 0, v);
        return INTERP_NEXT;
    }
    default:
        break;
    }
    switch ((ZydisMnemonic)in->mnemonic) {
    case ZYDIS_MNEMONIC_MOV:
    case ZYDIS_MNEMONIC_MOVZX: /* (op_get gives the source zero-extended) */
        op_set(s, in, 0, op_get(s, in, 1));
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_MOVSX:
        op_set(s, in, 0, (uint32_t)sext(op_get(s, in, 1), in->op[1].size));
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_LEA:
        op_set(s, in, 0, op_ea(s, &in->op[1]));
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_PUSH:
        push(s, w, op_get(s, in, 0));
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_POP:
        pop_to(s, in);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_LEAVE: {
        uint32_t fp = s->gpr[REG_EBP];
        uint32_t v = mem_read(s, fp, 32);
        s->gpr[REG_ESP] = fp + 4;
        s->gpr[REG_EBP] = v;
        return INTERP_NEXT;
    }
    case ZYDIS_MNEMONIC_CWDE:
        s->gpr[REG_EAX] = (uint32_t)sext(s->gpr[REG_EAX], 16);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_CDQ:
        s->gpr[REG_EDX] = (uint32_t)((int32_t)s->gpr[REG_EAX] >> 31);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_XCHG:
        xchg(s, in);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_XADD:
        xadd(s, in);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_CMPXCHG:
        cmpxchg(s, in);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_ROL:
    case ZYDIS_MNEMONIC_ROR:
        rotate(s, in);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_BSWAP:
        op_set(s, in, 0, __builtin_bswap32(op_get(s, in, 0)));
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_SHLD:
    case ZYDIS_MNEMONIC_SHRD:
        double_shift(s, in);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_BT:
    case ZYDIS_MNEMONIC_BTS:
    case ZYDIS_MNEMONIC_BTR:
    case ZYDIS_MNEMONIC_BTC:
        bit_test(s, in);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_BSF:
    case ZYDIS_MNEMONIC_TZCNT:
        bit_scan(s, in, false);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_BSR:
    case ZYDIS_MNEMONIC_LZCNT:
        bit_scan(s, in, true);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_NOP:
    case ZYDIS_MNEMONIC_ENDBR32:
    case ZYDIS_MNEMONIC_PAUSE:
    case ZYDIS_MNEMONIC_PREFETCHNTA:
    case ZYDIS_MNEMONIC_PREFETCHT0:
    case ZYDIS_MNEMONIC_PREFETCHT1:
    case ZYDIS_MNEMONIC_PREFETCHT2:
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_ADD: alu(s, in, OP_ADD, true); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_ADC: alu(s, in, OP_ADC, true); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_SUB: alu(s, in, OP_SUB, true); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_SBB: alu(s, in, OP_SBB, true); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_AND: alu(s, in, OP_AND, true); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_OR: alu(s, in, OP_OR, true); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_XOR: alu(s, in, OP_XOR, true); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_CMP: alu(s, in, OP_SUB, false); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_TEST: alu(s, in, OP_AND, false); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_INC: incdec(s, in, false); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_DEC: incdec(s, in, true); return INTERP_NEXT;
    case ZYDIS_MNEMONIC_NEG: {
        unsigned ow = in->op[0].size;
        uint32_t a = op_get(s, in, 0);
        uint32_t r = (0 - a) & width_mask(ow);
        op_set(s, in, 0, r);
        flags_sub(s, 0, a, 0, r, ow);
        return INTERP_NEXT;
    }
    case ZYDIS_MNEMONIC_NOT:
        op_set(s, in, 0, ~op_get(s, in, 0));
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_SHL:
    case ZYDIS_MNEMONIC_SHR:
    case ZYDIS_MNEMONIC_SAR:
        shift(s, in);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_MUL:
        mul_acc(s, in, false);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_IMUL:
        if (in->visible == 1)
            mul_acc(s, in, true);
        else
            imul_trunc(s, in);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_DIV:
        return divide(s, in, false);
    case ZYDIS_MNEMONIC_IDIV:
        return divide(s, in, true);
    case ZYDIS_MNEMONIC_CPUID:
        calls->cpuid(s);
        return INTERP_NEXT;
    case ZYDIS_MNEMONIC_RDTSC: {
        uint64_t t = calls->rdtsc(s);
        s->gpr[REG_EAX] = (uint32_t)t;
        s->gpr[REG_EDX] = (uint32_t)(t >> 32);
        return INTERP_NEXT;
    }
    case ZYDIS_MNEMONIC_CLC: s->flag[FLAG_CF] = 0; return INTERP_NEXT;
    case ZYDIS_MNEMONIC_STC: s->flag[FLAG_CF] = 1; return INTERP_NEXT;
    case ZYDIS_MNEMONIC_CMC: s->flag[FLAG_CF] ^= 1; return INTERP_NEXT;
    case ZYDIS_MNEMONIC_CLD: s->df = 0; return INTERP_NEXT;
    case ZYDIS_MNEMONIC_STD: s->df = 1; return INTERP_NEXT;
    case ZYDIS_MNEMONIC_JMP:
        return jump(s, in->relative ? in->target : op_get(s, in, 0));
    case ZYDIS_MNEMONIC_CALL: {
        /* An indirect target is read before the push (it may be
         * addressed through ESP). */
        uint32_t t = in->relative ? in->target : op_get(s, in, 0);
        push(s, w, next);
        return jump(s, t);
    }
    case ZYDIS_MNEMONIC_RET: {
        uint32_t t = pop(s, 32);
        if (in->visible > 0)
            s->gpr[REG_ESP] += in->op[0].imm & 0xffff;
        return jump(s, t);
    }
    case ZYDIS_MNEMONIC_JECXZ:
        return jump(s, s->gpr[REG_ECX] == 0 ? in->target : next);
    case ZYDIS_MNEMONIC_LOOP: {
        uint32_t c = s->gpr[REG_ECX] - 1;
        s->gpr[REG_ECX] = c;
        return jump(s, c ? in->target : next);
    }
    case ZYDIS_MNEMONIC_INT: /* int $0x80 only (interp_supported) */
        s->eip = next;
        return CPU_EXIT_SYSCALL;
    default:
        return INTERP_CANNOT; /* not reached: interp_decoded */
    }
}

static bool op_is_gpr(const ZydisDecodedOperand *o)
{
    unsigned idx, w;
    return o->type != ZYDIS_OPERAND_TYPE_REGISTER ||
           gpr_of(o->reg.value, &idx, &w);
}

/* LOCK on a memory read-modify-write the executor makes atomic. */
static bool lock_ok(const ZydisDecodedInstruction *i,
                    const ZydisDecodedOperand *ops)
{
    if (ops[0].type != ZYDIS_OPERAND_TYPE_MEMORY)
        return false;
    switch (i->mnemonic) {
    case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_ADC:
    case ZYDIS_MNEMONIC_SUB: case ZYDIS_MNEMONIC_SBB:
    case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_OR:
    case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_INC:
    case ZYDIS_MNEMONIC_DEC: case ZYDIS_MNEMONIC_XADD:
    case ZYDIS_MNEMONIC_CMPXCHG: case ZYDIS_MNEMONIC_XCHG:
        return true;
    default:
        return false;
    }
}

static bool is_string(const ZydisDecodedInstruction *i)
{
    if (i->opcode_map != ZYDIS_OPCODE_MAP_DEFAULT) /* (SSE2 movsd, cmpsd) */
        return false;
    switch (i->mnemonic) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW:
    case ZYDIS_MNEMONIC_MOVSD: case ZYDIS_MNEMONIC_STOSB:
    case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD:
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW:
    case ZYDIS_MNEMONIC_LODSD: case ZYDIS_MNEMONIC_CMPSB:
    case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD:
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW:
    case ZYDIS_MNEMONIC_SCASD:
        return true;
    default:
        return false;
    }
}

/* REP/REPE/REPNE of a string instruction (lifter/string.c): F2 before
 * movs, stos or lods repeats them like F3. */
static uint8_t rep_of(const ZydisDecodedInstruction *i)
{
    ZyanU64 a = i->attributes;
    bool compares = i->mnemonic == ZYDIS_MNEMONIC_CMPSB ||
                    i->mnemonic == ZYDIS_MNEMONIC_CMPSW ||
                    i->mnemonic == ZYDIS_MNEMONIC_CMPSD ||
                    i->mnemonic == ZYDIS_MNEMONIC_SCASB ||
                    i->mnemonic == ZYDIS_MNEMONIC_SCASW ||
                    i->mnemonic == ZYDIS_MNEMONIC_SCASD;
    if (compares) {
        if (a & ZYDIS_ATTRIB_HAS_REPNE)
            return REP_WHILE_NE;
        if (a & (ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REP))
            return REP_WHILE_EQ;
        return REP_NONE;
    }
    return a & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
                ZYDIS_ATTRIB_HAS_REPNE)
               ? REP_ALL
               : REP_NONE;
}

/* MOV to or from a segment register (lifter/mov.c): the other operand a
 * GPR or memory; to one (not CS) only with the runtime's load_segs. */
static bool mov_seg_ok(const ZydisDecodedInstruction *i,
                       const ZydisDecodedOperand *ops,
                       const struct interp_calls *calls)
{
    int to = cpu_seg_of_operand(&ops[0]); /* -1: from one */
    const ZydisDecodedOperand *other = &ops[to >= 0 ? 1 : 0];
    if (i->address_width != 32 || (i->attributes & ZYDIS_ATTRIB_HAS_LOCK) ||
        cpu_seg_of_operand(other) >= 0 || !op_is_gpr(other) ||
        other->type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
        return false;
    return to < 0 || (to != SEG_CS && calls && calls->load_segs);
}

/* The segment register a MOV moves to or from, else -1. */
static int mov_seg_reg(const ZydisDecodedOperand *ops)
{
    int s = cpu_seg_of_operand(&ops[0]);
    return s >= 0 ? s : cpu_seg_of_operand(&ops[1]);
}

static bool supported(const ZydisDecodedInstruction *i,
                      const ZydisDecodedOperand *ops,
                      const struct interp_calls *calls)
{
    if (i->mnemonic == ZYDIS_MNEMONIC_MOV && mov_seg_reg(ops) >= 0)
        return mov_seg_ok(i, ops, calls);
    if (i->mnemonic == ZYDIS_MNEMONIC_CPUID)
        return calls && calls->cpuid;
    if (i->mnemonic == ZYDIS_MNEMONIC_RDTSC)
        return calls && calls->rdtsc;
    /* LOCK only where it is atomic here, no 16-bit addressing, no segment
     * or system registers among the visible operands, no far branches. */
    if (((i->attributes & ZYDIS_ATTRIB_HAS_LOCK) && !lock_ok(i, ops)) ||
        i->address_width != 32 ||
        i->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
        return false;
    for (unsigned k = 0; k < i->operand_count_visible; k++) {
        if (k >= INTERP_MAX_OPS || !op_is_gpr(&ops[k]) ||
            ops[k].type == ZYDIS_OPERAND_TYPE_POINTER)
            return false;
        if (ops[k].type == ZYDIS_OPERAND_TYPE_MEMORY &&
            (ops[k].mem.base == ZYDIS_REGISTER_EIP || ops[k].size > 32))
            return false;
    }
    if (is_jcc(i) || is_setcc(i) || is_cmovcc(i) || is_string(i))
        return true;
    switch (i->mnemonic) {
    case ZYDIS_MNEMONIC_XCHG: case ZYDIS_MNEMONIC_XADD:
    case ZYDIS_MNEMONIC_CMPXCHG: case ZYDIS_MNEMONIC_ROL:
    case ZYDIS_MNEMONIC_ROR:
    case ZYDIS_MNEMONIC_JMP: case ZYDIS_MNEMONIC_JECXZ:
    case ZYDIS_MNEMONIC_MOV: case ZYDIS_MNEMONIC_MOVZX:
    case ZYDIS_MNEMONIC_MOVSX: case ZYDIS_MNEMONIC_LEA:
    case ZYDIS_MNEMONIC_PUSH: case ZYDIS_MNEMONIC_POP:
    case ZYDIS_MNEMONIC_NOP: case ZYDIS_MNEMONIC_ENDBR32:
    case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_ADC:
    case ZYDIS_MNEMONIC_SUB: case ZYDIS_MNEMONIC_SBB:
    case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_OR:
    case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_CMP:
    case ZYDIS_MNEMONIC_TEST: case ZYDIS_MNEMONIC_INC:
    case ZYDIS_MNEMONIC_DEC: case ZYDIS_MNEMONIC_NEG:
    case ZYDIS_MNEMONIC_NOT: case ZYDIS_MNEMONIC_SHL:
    case ZYDIS_MNEMONIC_SHR: case ZYDIS_MNEMONIC_SAR:
    case ZYDIS_MNEMONIC_MUL: case ZYDIS_MNEMONIC_IMUL:
    case ZYDIS_MNEMONIC_DIV: case ZYDIS_MNEMONIC_IDIV:
    case ZYDIS_MNEMONIC_CLC: case ZYDIS_MNEMONIC_STC:
    case ZYDIS_MNEMONIC_CMC: case ZYDIS_MNEMONIC_CLD:
    case ZYDIS_MNEMONIC_STD: case ZYDIS_MNEMONIC_BT:
    case ZYDIS_MNEMONIC_BTS: case ZYDIS_MNEMONIC_BTR:
    case ZYDIS_MNEMONIC_BTC: case ZYDIS_MNEMONIC_BSF:
    case ZYDIS_MNEMONIC_BSR: case ZYDIS_MNEMONIC_TZCNT:
    case ZYDIS_MNEMONIC_LZCNT: case ZYDIS_MNEMONIC_PAUSE:
    case ZYDIS_MNEMONIC_PREFETCHNTA: case ZYDIS_MNEMONIC_PREFETCHT0:
    case ZYDIS_MNEMONIC_PREFETCHT1: case ZYDIS_MNEMONIC_PREFETCHT2:
        return true;
    case ZYDIS_MNEMONIC_SHLD: case ZYDIS_MNEMONIC_SHRD:
        return i->operand_width != 8;
    case ZYDIS_MNEMONIC_LEAVE: case ZYDIS_MNEMONIC_CWDE:
    case ZYDIS_MNEMONIC_CDQ: case ZYDIS_MNEMONIC_BSWAP:
    case ZYDIS_MNEMONIC_RET: case ZYDIS_MNEMONIC_CALL:
        return i->operand_width == 32;
    case ZYDIS_MNEMONIC_LOOP:
        return true; /* (32-bit addressing: ECX) */
    case ZYDIS_MNEMONIC_INT:
        return (ops[0].imm.value.u & 0xff) == 0x80;
    default:
        return false;
    }
}

static bool ends_block(const ZydisDecodedInstruction *i)
{
    return i->meta.category == ZYDIS_CATEGORY_COND_BR ||
           i->meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
           i->meta.category == ZYDIS_CATEGORY_CALL ||
           i->meta.category == ZYDIS_CATEGORY_RET ||
           i->meta.category == ZYDIS_CATEGORY_INTERRUPT ||
           i->meta.category == ZYDIS_CATEGORY_SYSTEM ||
           i->mnemonic == ZYDIS_MNEMONIC_LOOP ||
           i->mnemonic == ZYDIS_MNEMONIC_JECXZ;
}

bool interp_decoded(const ZydisDecodedInstruction *i,
                    const ZydisDecodedOperand *ops, guest_addr_t pc,
                    const struct interp_calls *calls,
                    struct interp_insn *out)
{
    bool simd = sse_supported(i, ops);
    if (!simd && !supported(i, ops, calls))
        return false;
    memset(out, 0, sizeof(*out));
    out->pc = pc;
    out->mnemonic = (uint16_t)i->mnemonic;
    out->length = i->length;
    out->operand_width = (uint8_t)i->operand_width;
    out->visible = i->operand_count_visible;
    out->ends = ends_block(i);
    out->cc = 0xff;
    out->kind = KIND_PLAIN;
    out->lock = (i->attributes & ZYDIS_ATTRIB_HAS_LOCK) != 0;
    if (is_jcc(i) || is_setcc(i) || is_cmovcc(i)) {
        out->cc = i->opcode & 15;
        out->kind = is_jcc(i) ? KIND_JCC : is_setcc(i) ? KIND_SETCC
                                                       : KIND_CMOVCC;
    } else if (simd) {
        out->kind = KIND_SSE;
    } else if (i->mnemonic == ZYDIS_MNEMONIC_MOV && mov_seg_reg(ops) >= 0) {
        out->kind = KIND_SEG;
        out->seg = (uint16_t)mov_seg_reg(ops);
    } else if (is_string(i)) {
        out->kind = KIND_STRING;
        out->rep = rep_of(i);
        out->seg = ZYDIS_REGISTER_DS;
        for (unsigned k = 0; k < i->operand_count; k++)
            if (ops[k].type == ZYDIS_OPERAND_TYPE_MEMORY &&
                (ops[k].mem.base == ZYDIS_REGISTER_ESI ||
                 ops[k].mem.base == ZYDIS_REGISTER_SI))
                out->seg = (uint16_t)ops[k].mem.segment;
    }
    unsigned n = i->operand_count < INTERP_MAX_OPS ? i->operand_count
                                                   : INTERP_MAX_OPS;
    for (unsigned k = 0; k < n; k++) {
        const ZydisDecodedOperand *o = &ops[k];
        struct interp_operand *d = &out->op[k];
        d->type = (uint8_t)o->type;
        d->size = (uint8_t)(o->size > 255 ? 255 : o->size);
        if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
            d->reg = (uint16_t)o->reg.value;
        } else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
            d->reg = (uint16_t)o->mem.base;
            d->index = (uint16_t)o->mem.index;
            d->segment = (uint16_t)o->mem.segment;
            d->scale = o->mem.scale;
            d->imm = (uint32_t)o->mem.disp.value;
        } else if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
            d->imm = (uint32_t)o->imm.value.u;
        }
    }
    if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
        ops[0].imm.is_relative) {
        /* The absolute target; with a 16-bit operand size truncated, as
         * on hardware (lifter/flow.c). */
        ZyanU64 t = 0;
        ZydisCalcAbsoluteAddress(i, &ops[0], pc, &t);
        if (i->operand_width == 16)
            t &= 0xffff;
        out->relative = true;
        out->target = (guest_addr_t)t;
    }
    interp_form_choose(out);
    return true;
}
