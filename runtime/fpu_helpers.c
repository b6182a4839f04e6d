/* The x87 helper (LIFTER_HELPER_FPU, see lifter/lifter.h): one x87
 * operation run by the host's own x87, so the result, its rounding and
 * precision, the condition codes and the exception flags are exactly an
 * x87's (r386 runs on x86-64 hosts, which all have one).  The lifter keeps
 * the guest's register stack; this computes.
 *
 * Rounding and precision: under the guest's usual control word (round to
 * nearest, 64-bit precision) the host's own control word, which is that
 * too, is used as it is; under any other the guest's is loaded around the
 * one instruction that rounds, with every exception masked (the guest's
 * unmasked exceptions do not trap, lifter/x87.c).
 *
 * Exception flags: the flags the operation raises stay in the host's
 * status word, where the lifter's FNSTSW collects them.
 *
 * Each asm statement below is volatile, so the compiler keeps them in
 * order: control word in, operation, control word out.  Values move
 * between them as 80-bit loads and stores, which are exact. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "helpers.h"
#include "lifter.h"

#define CC (FPU_C0 | FPU_C1 | FPU_C2 | FPU_C3)

/* A 10-byte memory operand: an 80-bit value or a packed BCD. */
struct f80 {
    uint8_t b[10];
};

/* 80-bit values in the CPU state, loaded and stored by the x87 itself
 * (exact; no store-to-load stall through integer copies). */

static inline long double load80(const uint8_t *p)
{
    long double x;
    __asm__ volatile("fldt %1" : "=t"(x) : "m"(*(const struct f80 *)p));
    return x;
}

static inline void store80(uint8_t *p, long double x)
{
    __asm__ volatile("fstpt %0" : "=m"(*(struct f80 *)p) : "t"(x) : "st");
}

static void store_indefinite(uint8_t *p)
{
    static const uint8_t indef[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};
    memcpy(p, indef, 10);
}

/* The operand of the arithmetic, LOAD and compare operations, loaded the
 * way the x87 loads it (SNaN quieted with IE, DE for a denormal). */
static inline __attribute__((always_inline)) long double
operand(uint32_t src, const uint8_t *b, uint64_t bits)
{
    long double x;
    switch (src) {
    case LIFTER_FPU_SRC_M32: {
        uint32_t v = (uint32_t)bits;
        __asm__ volatile("flds %1" : "=t"(x) : "m"(v));
        return x;
    }
    case LIFTER_FPU_SRC_M64:
        __asm__ volatile("fldl %1" : "=t"(x) : "m"(bits));
        return x;
    case LIFTER_FPU_SRC_I16: {
        uint16_t v = (uint16_t)bits;
        __asm__ volatile("filds %1" : "=t"(x) : "m"(v));
        return x;
    }
    case LIFTER_FPU_SRC_I32: {
        uint32_t v = (uint32_t)bits;
        __asm__ volatile("fildl %1" : "=t"(x) : "m"(v));
        return x;
    }
    case LIFTER_FPU_SRC_I64:
        __asm__ volatile("fildll %1" : "=t"(x) : "m"(bits));
        return x;
    case LIFTER_FPU_SRC_ZERO:
        __asm__ volatile("fldz" : "=t"(x));
        return x;
    default:
        return load80(b);
    }
}

/* The guest's control word around the instructions that round. */
struct cw_switch {
    uint16_t guest, host;
    bool needed;
};

static void cw_enter(struct cw_switch *c, uint16_t guest_cw)
{
    c->needed = (guest_cw & (FPU_CW_RC | FPU_CW_PC)) != FPU_CW_PC;
    if (!c->needed)
        return;
    c->guest = guest_cw | FPU_EXC;
    __asm__ volatile("fnstcw %0\n\tfldcw %1" : "=m"(c->host) : "m"(c->guest));
}

static void cw_leave(struct cw_switch *c)
{
    if (c->needed)
        __asm__ volatile("fldcw %0" : : "m"(c->host));
}

static void set_cc(struct cpu_state *s, uint16_t mask, uint16_t sw)
{
    s->fpu_sw = (uint16_t)((s->fpu_sw & ~mask) | (sw & mask));
}

/* ST(0) = ST(0) op ST(1); sw gets the status word after it. */
#define BINARY(insn)                                                        \
    __asm__ volatile(insn "\n\tfnstsw %1" : "+t"(x), "=m"(sw) : "u"(y))
/* ST(0) = f(ST(0)). */
#define UNARY(insn) __asm__ volatile(insn "\n\tfnstsw %1" : "+t"(x), "=m"(sw))
/* ST(1) = f(ST(0), ST(1)) and pop: the result is the new ST(0). */
#define BINARY_POP(insn)                                                    \
    __asm__ volatile(insn "\n\tfnstsw %1"                                   \
                     : "=t"(x), "=m"(sw)                                    \
                     : "0"(x), "u"(y)                                       \
                     : "st(1)")
/* ST(0) = f(ST(0)) and push g(ST(0)).  FSINCOS and FPTAN push nothing
 * when C2 says the operand is out of range: the asm then pushes a copy so
 * that the compiler's view of the stack (two values) holds. */
#define PUSH(insn, c2_check)                                                \
    __asm__ volatile(insn "\n\tfnstsw %%ax\n\tmovw %%ax, %2\n\t" c2_check   \
                     : "=t"(x), "=u"(y), "=m"(sw)                           \
                     : "0"(x)                                               \
                     : "eax")
#define IF_C2_DUP "testw $0x400, %%ax\n\tjz 1f\n\tfld %%st(0)\n1:"
/* Store ST(0) (popping it) into out. */
#define STORE(insn, out)                                                    \
    __asm__ volatile(insn " %0\n\tfnstsw %1"                                \
                     : "=m"(out), "=m"(sw)                                  \
                     : "t"(x)                                               \
                     : "st")

/* FST, FIST, FISTTP: the bits stored. */
static uint64_t store_op(struct cpu_state *s, uint32_t kind, long double x,
                         bool empty)
{
    static const uint64_t indef[] = {
        [LIFTER_FPU_ST32] = 0xffc00000u,
        [LIFTER_FPU_ST64] = 0xfff8000000000000ull,
        [LIFTER_FPU_IST16] = 0x8000u, [LIFTER_FPU_ISTT16] = 0x8000u,
        [LIFTER_FPU_IST32] = 0x80000000u, [LIFTER_FPU_ISTT32] = 0x80000000u,
        [LIFTER_FPU_IST64] = 0x8000000000000000ull,
        [LIFTER_FPU_ISTT64] = 0x8000000000000000ull,
    };
    if (empty) {
        set_cc(s, FPU_C1, 0);
        return indef[kind];
    }
    uint16_t sw = 0;
    struct cw_switch c;
    cw_enter(&c, s->fpu_cw);
    union {
        float f;
        double d;
        int16_t i16;
        int32_t i32;
        int64_t i64;
    } u = {.i64 = 0};
    uint64_t r = 0;
    switch (kind) {
    case LIFTER_FPU_ST32: STORE("fstps", u.f); r = (uint32_t)u.i32; break;
    case LIFTER_FPU_ST64: STORE("fstpl", u.d); r = (uint64_t)u.i64; break;
    case LIFTER_FPU_IST16: STORE("fistps", u.i16); r = (uint16_t)u.i16; break;
    case LIFTER_FPU_IST32: STORE("fistpl", u.i32); r = (uint32_t)u.i32; break;
    case LIFTER_FPU_IST64: STORE("fistpll", u.i64); r = (uint64_t)u.i64; break;
    case LIFTER_FPU_ISTT16: STORE("fisttps", u.i16); r = (uint16_t)u.i16; break;
    case LIFTER_FPU_ISTT32: STORE("fisttpl", u.i32); r = (uint32_t)u.i32; break;
    default: STORE("fisttpll", u.i64); r = (uint64_t)u.i64; break;
    }
    cw_leave(&c);
    set_cc(s, FPU_C1, sw);
    return r;
}

/* FCOM and friends: C3 C2 C0 as the x87 sets them (an empty operand
 * compares unordered); the _I forms give them as ZF PF CF. */
static uint64_t compare_op(struct cpu_state *s, uint32_t kind, long double x,
                           long double y, bool empty)
{
    uint16_t sw = FPU_C3 | FPU_C2 | FPU_C0;
    if (!empty) {
        if (kind == LIFTER_FPU_COM || kind == LIFTER_FPU_COMI)
            BINARY("fcom %%st(1)");
        else
            BINARY("fucom %%st(1)");
    }
    if (kind == LIFTER_FPU_COMI || kind == LIFTER_FPU_UCOMI) {
        set_cc(s, FPU_C1, 0);
        return (sw & FPU_C3 ? EFLAGS_ZF : 0) | (sw & FPU_C2 ? EFLAGS_PF : 0) |
               (sw & FPU_C0 ? EFLAGS_CF : 0);
    }
    set_cc(s, CC, sw & (FPU_C0 | FPU_C2 | FPU_C3));
    return 0;
}

uint64_t fpu_helper_run(struct cpu_state *s, uint32_t op, uint8_t *a,
                        uint8_t *b, uint64_t bits)
{
    uint32_t kind = op & 0xff, src = op & LIFTER_FPU_SRC_MASK;
    bool empty = op & LIFTER_FPU_EMPTY;
    uint16_t sw = 0;
    long double x, y;
    struct cw_switch c;
    if (empty) /* the stack fault (C1: 1 for an overflow, else 0) */
        s->fpu_sw = (uint16_t)((s->fpu_sw & ~FPU_C1) | FPU_IE | FPU_SF |
                               (kind == LIFTER_FPU_LOAD ? FPU_C1 : 0));
    switch ((enum lifter_fpu_op)kind) {
    case LIFTER_FPU_ADD:
    case LIFTER_FPU_SUB:
    case LIFTER_FPU_SUBR:
    case LIFTER_FPU_MUL:
    case LIFTER_FPU_DIV:
    case LIFTER_FPU_DIVR:
        if (empty) {
            store_indefinite(a);
            set_cc(s, FPU_C1, 0);
            return 0;
        }
        x = load80(a);
        y = operand(src, b, bits);
        cw_enter(&c, s->fpu_cw);
        switch (kind) {
        case LIFTER_FPU_ADD: BINARY("fadd %%st(1), %%st"); break;
        case LIFTER_FPU_SUB: BINARY("fsub %%st(1), %%st"); break;
        case LIFTER_FPU_SUBR: BINARY("fsubr %%st(1), %%st"); break;
        case LIFTER_FPU_MUL: BINARY("fmul %%st(1), %%st"); break;
        case LIFTER_FPU_DIV: BINARY("fdiv %%st(1), %%st"); break;
        default: BINARY("fdivr %%st(1), %%st"); break;
        }
        cw_leave(&c);
        store80(a, x);
        set_cc(s, FPU_C1, sw);
        return 0;
    case LIFTER_FPU_LOAD:
        if (empty) { /* here: a full register, a stack overflow */
            store_indefinite(a);
        } else {
            store80(a, operand(src, b, bits));
            set_cc(s, FPU_C1, 0);
        }
        return 0;
    case LIFTER_FPU_COM:
    case LIFTER_FPU_UCOM:
    case LIFTER_FPU_COMI:
    case LIFTER_FPU_UCOMI:
        x = load80(a);
        y = empty ? x : operand(src, b, bits);
        return compare_op(s, kind, x, y, empty);
    case LIFTER_FPU_ST32:
    case LIFTER_FPU_ST64:
    case LIFTER_FPU_IST16:
    case LIFTER_FPU_IST32:
    case LIFTER_FPU_IST64:
    case LIFTER_FPU_ISTT16:
    case LIFTER_FPU_ISTT32:
    case LIFTER_FPU_ISTT64:
        return store_op(s, kind, load80(a), empty);
    case LIFTER_FPU_SQRT:
    case LIFTER_FPU_RNDINT:
    case LIFTER_FPU_SIN:
    case LIFTER_FPU_COS:
    case LIFTER_FPU_F2XM1:
        if (empty) {
            store_indefinite(a);
            set_cc(s, FPU_C1, 0);
            return 0;
        }
        x = load80(a);
        cw_enter(&c, s->fpu_cw);
        switch (kind) {
        case LIFTER_FPU_SQRT: UNARY("fsqrt"); break;
        case LIFTER_FPU_RNDINT: UNARY("frndint"); break;
        case LIFTER_FPU_SIN: UNARY("fsin"); break;
        case LIFTER_FPU_COS: UNARY("fcos"); break;
        default: UNARY("f2xm1"); break;
        }
        cw_leave(&c);
        store80(a, x);
        set_cc(s, kind == LIFTER_FPU_SIN || kind == LIFTER_FPU_COS
                      ? FPU_C1 | FPU_C2
                      : FPU_C1,
               sw);
        return sw & CC;
    case LIFTER_FPU_SCALE:
    case LIFTER_FPU_PREM:
    case LIFTER_FPU_PREM1:
    case LIFTER_FPU_PATAN:
    case LIFTER_FPU_YL2X:
    case LIFTER_FPU_YL2XP1:
    case LIFTER_FPU_XTRACT:
    case LIFTER_FPU_SINCOS:
    case LIFTER_FPU_PTAN:
        x = load80(a);
        y = load80(b);
        cw_enter(&c, s->fpu_cw);
        switch (kind) {
        case LIFTER_FPU_SCALE: BINARY("fscale"); break;
        case LIFTER_FPU_PREM: BINARY("fprem"); break;
        case LIFTER_FPU_PREM1: BINARY("fprem1"); break;
        case LIFTER_FPU_PATAN: BINARY_POP("fpatan"); break;
        case LIFTER_FPU_YL2X: BINARY_POP("fyl2x"); break;
        case LIFTER_FPU_YL2XP1: BINARY_POP("fyl2xp1"); break;
        case LIFTER_FPU_XTRACT: PUSH("fxtract", ""); break;
        case LIFTER_FPU_SINCOS: PUSH("fsincos", IF_C2_DUP); break;
        default: PUSH("fptan", IF_C2_DUP); break;
        }
        cw_leave(&c);
        store80(a, x);
        store80(b, y);
        set_cc(s,
               kind == LIFTER_FPU_PREM || kind == LIFTER_FPU_PREM1 ? CC
               : kind == LIFTER_FPU_SINCOS || kind == LIFTER_FPU_PTAN
                   ? FPU_C1 | FPU_C2
                   : FPU_C1,
               sw);
        return sw & CC;
    case LIFTER_FPU_BSTP: {
        struct f80 d;
        x = load80(a);
        cw_enter(&c, s->fpu_cw);
        STORE("fbstp", d);
        cw_leave(&c);
        memcpy(a, &d, sizeof(d));
        set_cc(s, FPU_C1, sw);
        return 0;
    }
    case LIFTER_FPU_EXC_GET:
        __asm__ volatile("fnstsw %0" : "=m"(sw));
        return sw & FPU_EXC;
    case LIFTER_FPU_EXC_CLEAR:
        __asm__ volatile("fnclex");
        return 0;
    case LIFTER_FPU_BLD: {
        struct f80 d;
        memcpy(&d, a, sizeof(d));
        __asm__ volatile("fbld %1" : "=t"(x) : "m"(d));
        store80(a, x);
        return 0;
    }
    }
    return 0;
}
