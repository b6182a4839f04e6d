/* The guest CPU state: one struct, defined here once.  Translated code
 * reaches its fields by the offsets below, pinned with _Static_assert, so
 * the lifter knows the layout without knowing the runtime. */
#ifndef R386_CPU_H
#define R386_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "r386/guest.h"

/* General-purpose registers in x86 encoding order. */
enum cpu_reg {
    REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_ESP, REG_EBP, REG_ESI, REG_EDI,
    REG_COUNT
};

/* Segment registers in x86 encoding order. */
enum cpu_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_COUNT };

/* The arithmetic flags are kept one byte each (0 or 1) so that translated
 * code can hold each one as an i1 value and drop the dead ones. */
enum cpu_flag { FLAG_CF, FLAG_PF, FLAG_AF, FLAG_ZF, FLAG_SF, FLAG_OF,
                FLAG_COUNT };

/* EFLAGS bit positions. */
enum {
    EFLAGS_CF = 1u << 0,
    EFLAGS_FIXED1 = 1u << 1, /* always set */
    EFLAGS_PF = 1u << 2,
    EFLAGS_AF = 1u << 4,
    EFLAGS_ZF = 1u << 6,
    EFLAGS_SF = 1u << 7,
    EFLAGS_TF = 1u << 8,
    EFLAGS_IF = 1u << 9,
    EFLAGS_DF = 1u << 10,
    EFLAGS_OF = 1u << 11,
    EFLAGS_AC = 1u << 18,
    EFLAGS_ID = 1u << 21,
};
/* Bits user code can change with POPF (others keep their value). */
#define EFLAGS_USER_MASK                                                    \
    (EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_TF | \
     EFLAGS_DF | EFLAGS_OF | EFLAGS_AC | EFLAGS_ID)

/* Why a translated unit returned to the dispatcher. */
enum cpu_exit {
    CPU_EXIT_JUMP,      /* eip holds the next guest pc */
    CPU_EXIT_SYSCALL,   /* int $0x80; eip is the instruction after it */
    CPU_EXIT_SIGILL,    /* unknown or invalid instruction at eip */
    CPU_EXIT_DIVIDE,    /* #DE: divide error at eip */
    CPU_EXIT_INT3,      /* int3; eip is the instruction after it */
    CPU_EXIT_PRIV,      /* privileged instruction or int N at eip (#GP) */
    CPU_EXIT_INTO,      /* into with OF set; eip after it */
    CPU_EXIT_BOUND,     /* bound range exceeded at eip */
    CPU_EXIT_FETCH,     /* cannot fetch the instruction at eip (SIGSEGV) */
    CPU_EXIT_INTERRUPT, /* interrupt was set: eip holds the next guest pc */
};

struct cpu_state {
    uint32_t gpr[REG_COUNT];
    uint32_t eip;
    /* CF PF AF ZF SF OF: 0 or 1, but PF is kept as a byte whose parity
     * it is (the low byte of the result that set it): cpu_pf(). */
    uint8_t flag[FLAG_COUNT];
    uint8_t df;               /* direction flag: 0 or 1 */
    uint8_t pad0;
    /* EFLAGS bits other than the six above and DF (IF, ID, AC, TF...). */
    uint32_t eflags_other;
    uint32_t seg_base[SEG_COUNT];
    uint16_t seg_sel[SEG_COUNT];
    uint32_t pad1;
    /* Host address of guest address 0; read by translated code. */
    uint64_t mem_base;
    /* A guest pc translated code publishes (volatile stores): before an
     * access a host function makes for it (memmove: a fault there names
     * no unit; others are named by the host pc, jit/pcmap.c). */
    uint32_t insn_pc;
    /* --profile: set as translated code returns to cpu_run_chain (not as
     * it jumps from unit to unit): the pc of the ret instruction whose exit
     * that is, 0 for any other exit (lifter/flow.c).  The profiler's
     * sample then belongs to the function that returned (profile/sample.c). */
    uint32_t prof_ret;

    /* ---- x87 FPU (lifter/x87*.c, runtime/fpu_helpers.c) ---- */
    uint16_t fpu_cw; /* control word */
    /* Status word without TOP (bits 11-13 always 0 here; TOP is fpu_top).
     * The exception flags (bits 0-5) the guest's arithmetic raises live
     * in the host x87 status word of the guest's host thread until
     * something reads or replaces them (see lifter/x87.c). */
    uint16_t fpu_sw;
    uint8_t fpu_top;      /* 0..7: physical register of ST(0) */
    uint8_t fpu_empty[8]; /* per physical register: 1 = empty (tag 11b) */
    uint8_t pad3[3];
    uint32_t fpu_op; /* helper ABI: which operation r386_helper_fpu runs */
    uint32_t pad4;
    /* Physical registers R0..R7, 16 bytes each: bytes 0-9 the 80-bit value
     * as x86_fp80 stores it (0-7 significand, 8-9 sign and exponent),
     * 10-15 unused.  MMX register MMi will be bytes 0-7 of fpu_reg[i]. */
    uint8_t fpu_reg[8][16];
    /* Helper ABI: operands and results of r386_helper_fpu. */
    uint8_t fpu_tmp[2][16];

    /* ---- SSE/SSE2 (lifter/sse.c) ---- */
    /* XMM0-7, little-endian as in memory (byte 0 = bits 0-7). */
    _Alignas(16) uint8_t xmm[8][16];
    uint32_t mxcsr; /* 0x1f80 at start; see lifter/sse.c for what counts */
    uint32_t pad5[3];

    /* ---- signals (runtime/signal_*.c) ---- */
    /* Nonzero when a signal may be pending for this thread.  Written by
     * the host signal handler (async) and the runtime; translated code
     * reads it (volatile) at region back-edges and leaves with
     * CPU_EXIT_INTERRUPT, cpu_run_chain between units. */
    uint32_t interrupt;
    uint32_t pad6;
};

/* Offsets the lifter uses; pinned so that a layout change is a compile
 * error, not a silent miscompile. */
#define CPU_OFF_GPR 0
#define CPU_OFF_EIP 32
#define CPU_OFF_FLAG 36
#define CPU_OFF_DF 42
#define CPU_OFF_EFLAGS_OTHER 44
#define CPU_OFF_SEG_BASE 48
#define CPU_OFF_SEG_SEL 72
#define CPU_OFF_MEM_BASE 88 /* (and CPU_OFF_GPR: lifter/enter.S too) */
#define CPU_OFF_INSN_PC 96
#define CPU_OFF_PROF_RET 100
#define CPU_OFF_FPU_CW 104
#define CPU_OFF_FPU_SW 106
#define CPU_OFF_FPU_TOP 108
#define CPU_OFF_FPU_EMPTY 109
#define CPU_OFF_FPU_OP 120
#define CPU_OFF_FPU_REG 128
#define CPU_OFF_FPU_TMP 256
#define CPU_OFF_XMM 288
#define CPU_OFF_MXCSR 416
#define CPU_OFF_INTERRUPT 432
_Static_assert(offsetof(struct cpu_state, gpr) == CPU_OFF_GPR, "gpr");
_Static_assert(offsetof(struct cpu_state, eip) == CPU_OFF_EIP, "eip");
_Static_assert(offsetof(struct cpu_state, flag) == CPU_OFF_FLAG, "flag");
_Static_assert(offsetof(struct cpu_state, df) == CPU_OFF_DF, "df");
_Static_assert(offsetof(struct cpu_state, eflags_other) ==
                   CPU_OFF_EFLAGS_OTHER, "eflags_other");
_Static_assert(offsetof(struct cpu_state, seg_base) == CPU_OFF_SEG_BASE,
               "seg_base");
_Static_assert(offsetof(struct cpu_state, seg_sel) == CPU_OFF_SEG_SEL,
               "seg_sel");
_Static_assert(offsetof(struct cpu_state, mem_base) == CPU_OFF_MEM_BASE,
               "mem_base");
_Static_assert(offsetof(struct cpu_state, insn_pc) == CPU_OFF_INSN_PC,
               "insn_pc");
_Static_assert(offsetof(struct cpu_state, prof_ret) == CPU_OFF_PROF_RET,
               "prof_ret");
_Static_assert(offsetof(struct cpu_state, fpu_cw) == CPU_OFF_FPU_CW, "fpu_cw");
_Static_assert(offsetof(struct cpu_state, fpu_sw) == CPU_OFF_FPU_SW, "fpu_sw");
_Static_assert(offsetof(struct cpu_state, fpu_top) == CPU_OFF_FPU_TOP,
               "fpu_top");
_Static_assert(offsetof(struct cpu_state, fpu_empty) == CPU_OFF_FPU_EMPTY,
               "fpu_empty");
_Static_assert(offsetof(struct cpu_state, fpu_op) == CPU_OFF_FPU_OP, "fpu_op");
_Static_assert(offsetof(struct cpu_state, fpu_reg) == CPU_OFF_FPU_REG,
               "fpu_reg");
_Static_assert(offsetof(struct cpu_state, fpu_tmp) == CPU_OFF_FPU_TMP,
               "fpu_tmp");
_Static_assert(offsetof(struct cpu_state, xmm) == CPU_OFF_XMM, "xmm");
_Static_assert(offsetof(struct cpu_state, mxcsr) == CPU_OFF_MXCSR, "mxcsr");
_Static_assert(offsetof(struct cpu_state, interrupt) == CPU_OFF_INTERRUPT,
               "interrupt");
_Static_assert(sizeof(struct cpu_state) == 448, "cpu_state size");

/* x87 control and status word bits. */
enum {
    FPU_IE = 1u << 0,  /* invalid operation */
    FPU_DE = 1u << 1,  /* denormal operand */
    FPU_ZE = 1u << 2,  /* divide by zero */
    FPU_OE = 1u << 3,  /* overflow */
    FPU_UE = 1u << 4,  /* underflow */
    FPU_PE = 1u << 5,  /* precision (inexact) */
    FPU_EXC = 0x3f,    /* the six exception flags (and CW masks) */
    FPU_SF = 1u << 6,  /* stack fault (with IE) */
    FPU_ES = 1u << 7,  /* error summary: an unmasked exception is pending */
    FPU_C0 = 1u << 8,
    FPU_C1 = 1u << 9,
    FPU_C2 = 1u << 10,
    FPU_TOP_SHIFT = 11,
    FPU_TOP_MASK = 7u << 11,
    FPU_C3 = 1u << 14,
    FPU_B = 1u << 15,  /* busy: mirrors ES */
    /* Control word: rounding control (0 nearest, 1 down, 2 up, 3 toward
     * zero) and precision control (0 24-bit, 2 53-bit, 3 64-bit). */
    FPU_CW_RC = 3u << 10,
    FPU_CW_PC = 3u << 8,
    /* FNINIT's control word, Linux's initial one: all exceptions masked,
     * 64-bit precision, round to nearest. */
    FPU_CW_DEFAULT = 0x037f,
};

/* MXCSR at process start: all exceptions masked, round to nearest. */
#define CPU_MXCSR_DEFAULT 0x1f80u

/* The x87 state after FNINIT, and (not part of FNINIT: only callers at
 * process or test start use this) MXCSR's initial value. */
static inline void cpu_fpu_init(struct cpu_state *s)
{
    s->mxcsr = CPU_MXCSR_DEFAULT;
    s->fpu_cw = FPU_CW_DEFAULT;
    s->fpu_sw = 0;
    s->fpu_top = 0;
    for (int i = 0; i < 8; i++)
        s->fpu_empty[i] = 1;
}

/* A translated unit runs guest code from state->eip.  It returns either
 * the code of the next unit to run (chaining: the dispatcher calls it at
 * once) or, a value below CPU_EXIT_LIMIT, an enum cpu_exit with state->eip
 * set accordingly.  Its calling convention is LLVM's preserve_none, not
 * C's, and after the state it takes copies of the registers the state
 * holds (lifter/lifter.h, LIFTER_UNIT_CC and LIFTER_UNIT_NARGS): C code
 * enters units through cpu_run_chain. */
typedef uintptr_t (*cpu_unit_fn)(struct cpu_state *state);
#define CPU_EXIT_LIMIT 16 /* (lifter/enter.S too) */

/* lifter/enter.S: call the unit at code, then each next one returned,
 * until one returns a value below CPU_EXIT_LIMIT or *interrupt is set;
 * that value. */
uintptr_t lifter_run_units(uintptr_t code, struct cpu_state *state,
                           const volatile uint32_t *interrupt);

/* Run units from fn, following the chain, until one exits or a signal
 * is pending (CPU_EXIT_INTERRUPT: a chaining unit has stored the next pc
 * in eip); the exit. */
static inline enum cpu_exit cpu_run_chain(cpu_unit_fn fn,
                                          struct cpu_state *state)
{
    uintptr_t r = lifter_run_units((uintptr_t)fn, state, &state->interrupt);
    return r >= CPU_EXIT_LIMIT ? CPU_EXIT_INTERRUPT : (enum cpu_exit)r;
}

/* PF from its source byte: set when the byte has an even number of ones. */
static inline int cpu_pf(const struct cpu_state *s)
{
    return !__builtin_parity(s->flag[FLAG_PF]);
}

/* A source byte for PF = pf (0 or 1). */
static inline uint8_t cpu_pf_source(int pf)
{
    return pf ? 0 : 1;
}

/* The architectural EFLAGS value from the split representation. */
static inline uint32_t cpu_eflags_get(const struct cpu_state *s)
{
    return (s->eflags_other & ~(EFLAGS_CF | EFLAGS_PF | EFLAGS_AF |
                                EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF |
                                EFLAGS_DF)) |
           EFLAGS_FIXED1 | (s->flag[FLAG_CF] ? EFLAGS_CF : 0) |
           (cpu_pf(s) ? EFLAGS_PF : 0) |
           (s->flag[FLAG_AF] ? EFLAGS_AF : 0) |
           (s->flag[FLAG_ZF] ? EFLAGS_ZF : 0) |
           (s->flag[FLAG_SF] ? EFLAGS_SF : 0) |
           (s->flag[FLAG_OF] ? EFLAGS_OF : 0) | (s->df ? EFLAGS_DF : 0);
}

static inline void cpu_eflags_set(struct cpu_state *s, uint32_t v)
{
    s->flag[FLAG_CF] = !!(v & EFLAGS_CF);
    s->flag[FLAG_PF] = cpu_pf_source(!!(v & EFLAGS_PF));
    s->flag[FLAG_AF] = !!(v & EFLAGS_AF);
    s->flag[FLAG_ZF] = !!(v & EFLAGS_ZF);
    s->flag[FLAG_SF] = !!(v & EFLAGS_SF);
    s->flag[FLAG_OF] = !!(v & EFLAGS_OF);
    s->df = !!(v & EFLAGS_DF);
    s->eflags_other = v;
}

#endif
