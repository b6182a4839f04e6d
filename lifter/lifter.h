/* lifter: decodes guest i386 code with Zydis and emits LLVM IR for a
 * translation unit starting at a guest pc.
 *
 * A unit is one LLVM function of type cpu_unit_fn (see r386/cpu.h) with
 * the calling convention LIFTER_UNIT_CC, entered from C through
 * lifter_run_units (enter.S).  Guest registers and flags live in SSA
 * values inside it and are written back at its exits.  Translated code
 * calls runtime helpers only by the names below (the helper ABI); the JIT
 * resolves them. */
#ifndef R386_LIFTER_H
#define R386_LIFTER_H

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "r386/guest.h"

/* Units' calling convention: LLVM's preserve_none (CallingConv.h; the C
 * API's enum does not name it).  A unit saves no register for its caller,
 * so a unit jumping to the next one (lifter_env.tail_calls) pushes and
 * pops nothing: with C's convention each such transition saved and
 * restored the six callee-saved registers the unit used. */
#define LIFTER_UNIT_CC 21

/* A unit's arguments: the CPU state pointer, then copies of the state's
 * eight general registers (i32, EAX..EDI) and of its mem_base (i64).  The
 * state stays the truth at every unit boundary -- every exit stores what
 * it wrote, as before -- and the copies only spare the next unit its
 * loads: a unit jumping to the next (lifter_env.tail_calls) passes its
 * own values, which under preserve_none arrive in host registers (r12,
 * then r13 r14 r15 rdi rsi rdx rcx r8 r9), so an interpreter's virtual pc
 * or stack pointer no longer goes through a store and a load at each
 * transition.  enter.S loads them from the state for every other entry.
 * Two more (in r11 and rax) are read by LIFTER_SYM_UNIT_BACK only: the
 * guest pc (i32) and the code or exit (i64) an optimised unit leaving for
 * cpu_run_chain hands back. */
#define LIFTER_UNIT_NARGS 12

/* An optimised unit's way back to cpu_run_chain (no next unit's code yet,
 * or an interrupt pending) is a tail call to this (enter.S), with the
 * unit's arguments: it stores EAX..EDI and eip in the state and returns
 * the code.  The nine stores are then not repeated at each of a unit's
 * exits: they were a fifth of an optimised unit's IR. */
#define LIFTER_SYM_UNIT_BACK "r386_unit_back"
void lifter_unit_back(void); /* LIFTER_UNIT_CC: not callable from C */

/* Helper ABI: functions translated code may call, all taking the CPU
 * state pointer first. */
#define LIFTER_HELPER_CPUID "r386_helper_cpuid"   /* void (state*) */
#define LIFTER_HELPER_RDTSC "r386_helper_rdtsc"   /* i64 (state*) */
/* A segment selector in the state changed: recompute the bases. */
#define LIFTER_HELPER_LOAD_SEGS "r386_helper_load_segs" /* void (state*) */
/* One x87 operation, run by the host's own x87 under the guest's control
 * word (rounding, precision), so results, C0-C3 and exception flags are
 * an x87's:
 *   i64 r386_helper_fpu(state*, i32 op, ptr a, ptr b, i64 bits)
 * op is an enum lifter_fpu_op, ORed with a LIFTER_FPU_SRC_* operand kind
 * for the operations that take one, and with LIFTER_FPU_EMPTY for a stack
 * fault: an empty operand register (underflow), or for LOAD a full
 * destination (overflow).  The operation then sets IE and SF and gives the
 * indefinite (or unordered) without computing.  a and b point at 80-bit
 * values in the CPU state (registers or fpu_tmp); bits carries a memory
 * operand read by the lifted code.  The helper sets the condition codes
 * the instruction defines in fpu_sw (C1: rounded up) and does no stack
 * bookkeeping. */
#define LIFTER_HELPER_FPU "r386_helper_fpu"

enum lifter_fpu_op {
    /* *a = *a op operand. */
    LIFTER_FPU_ADD, LIFTER_FPU_SUB, LIFTER_FPU_SUBR, LIFTER_FPU_MUL,
    LIFTER_FPU_DIV, LIFTER_FPU_DIVR,
    LIFTER_FPU_LOAD,  /* *a = operand (FLD m32/m64, FILD) */
    /* *a against operand: C3 C2 C0 in fpu_sw (FCOM, FUCOM, FTST with a
     * zero operand); the _I forms return ZF PF CF as EFLAGS bits instead
     * (FCOMI, FUCOMI). */
    LIFTER_FPU_COM, LIFTER_FPU_UCOM, LIFTER_FPU_COMI, LIFTER_FPU_UCOMI,
    /* Returns *a stored as float or double bits (FST), or as an integer
     * (FIST: by RC; FISTTP: truncated). */
    LIFTER_FPU_ST32, LIFTER_FPU_ST64, LIFTER_FPU_IST16, LIFTER_FPU_IST32,
    LIFTER_FPU_IST64, LIFTER_FPU_ISTT16, LIFTER_FPU_ISTT32,
    LIFTER_FPU_ISTT64,
    /* *a = f(*a). */
    LIFTER_FPU_SQRT, LIFTER_FPU_RNDINT, LIFTER_FPU_SIN, LIFTER_FPU_COS,
    LIFTER_FPU_F2XM1,
    /* ST(0) = *a and ST(1) = *b go in, what the instruction leaves in
     * ST(0) and ST(1) comes back there; returns C0-C3. */
    LIFTER_FPU_SCALE, LIFTER_FPU_PREM, LIFTER_FPU_PREM1, LIFTER_FPU_PATAN,
    LIFTER_FPU_YL2X, LIFTER_FPU_YL2XP1, LIFTER_FPU_XTRACT,
    LIFTER_FPU_SINCOS, LIFTER_FPU_PTAN,
    /* *a = packed BCD of *a (FBSTP, by RC); *a = value of the packed BCD
     * at *a (FBLD). */
    LIFTER_FPU_BSTP, LIFTER_FPU_BLD,
    /* The exception flags the host's x87 holds for the guest: returned,
     * or cleared. */
    LIFTER_FPU_EXC_GET, LIFTER_FPU_EXC_CLEAR,
};
/* The operand of the arithmetic, LOAD and compare operations. */
#define LIFTER_FPU_SRC_REG (0u << 8)  /* the 80-bit value at b */
#define LIFTER_FPU_SRC_M32 (1u << 8)  /* float bits */
#define LIFTER_FPU_SRC_M64 (2u << 8)  /* double bits */
#define LIFTER_FPU_SRC_I16 (3u << 8)  /* integers */
#define LIFTER_FPU_SRC_I32 (4u << 8)
#define LIFTER_FPU_SRC_I64 (5u << 8)
#define LIFTER_FPU_SRC_ZERO (6u << 8) /* +0.0 (FTST) */
#define LIFTER_FPU_SRC_MASK (15u << 8)
#define LIFTER_FPU_EMPTY (1u << 15)

/* Where guest code bytes come from.  read copies up to max bytes of
 * executable guest memory starting at pc into buf and returns how many it
 * could (0 when pc itself is not executable). */
struct lifter_code_source {
    void *ctx;
    size_t (*read)(void *ctx, guest_addr_t pc, uint8_t *buf, size_t max);
    /* May the guest write the code at pc?  Then a region stays one guest
     * block (its only internal branches are loops back to its start,
     * which check the interrupt word): a store to guest code is seen
     * after the next branch (docs/ARCHITECTURE.md).  NULL: never. */
    bool (*writable)(void *ctx, guest_addr_t pc);
    /* How many times the block at pc has run as far as anyone counted
     * (the interpreter's counts, which cover a block's first runs), or
     * LIFTER_RUNS_UNKNOWN; for regions that follow the paths taken
     * (lifter_env.predict).  NULL: never known. */
    unsigned (*runs)(void *ctx, guest_addr_t pc);
};
#define LIFTER_RUNS_UNKNOWN (~0u)

/* An indirect branch's predicted target (lifter_env.predict); with
 * target 0, site is a block the region left as cold instead. */
struct lifter_pred {
    guest_addr_t site, target;
};
#define LIFTER_MAX_PRED 32

/* What the JIT tells the lifter about its translation cache.
 *
 * Chaining: a unit that ends in a direct branch to pc returns the content
 * of pc's chain cell: 0 (CPU_EXIT_JUMP) until pc is translated, then the
 * translation's code, which the dispatcher calls at once.  The unit finds
 * the cell through a global of the module, `r386.cell.XXXXXXXX` (pc in
 * hex, LIFTER_CELL_PREFIX), declared by the lifter: a ptr holding the
 * cell's address, which the JIT defines (jit/compile.c).  Indirect
 * branches probe the table at the external symbol LIFTER_SYM_IBTC.  So
 * translated code embeds no host address: its object code is valid in
 * another process (the persistent cache), once those are resolved. */
#define LIFTER_CELL_PREFIX "r386.cell."
#define LIFTER_SYM_IBTC "r386_ibtc"
struct lifter_env {
    bool chain; /* direct branches chain through cells */
    /* Indirect branch target cache: a direct-mapped table of
     * ibtc_mask + 1 slots the dispatcher fills; an indirect jump, call or
     * return whose target is in it goes straight to the target's code.
     * false: always return to the dispatcher. */
    bool ibtc;
    uint32_t ibtc_mask; /* entries - 1, a power of two minus one */
    /* Execution counting (first tier and --aot, for the optimising tier):
     * each entry of the unit and each iteration of a loop inside it adds
     * one to the 32-bit counter hits_offset bytes from the chain cell of
     * the unit's own pc (the JIT keeps the two side by side), so the code
     * holds no address of this process and can be stored.  Counting code
     * also notes the targets of its indirect jumps and calls
     * (lifter_ibtc_find), for the predictions of the unit's next lift.
     * false: neither. */
    bool count;
    int32_t hits_offset;
    /* Chaining exits jump to the next unit's code (a tail call) instead
     * of returning it to cpu_run_chain (r386/cpu.h), checking the
     * interrupt word as it does.  Slower to compile (no FastISel).  The
     * JIT sets it for the units LLVM optimises (tier 2, --aot), and the
     * lifter takes it to mean that too: their loops get a compiler
     * barrier (lift.c, interrupt_check). */
    bool tail_calls;
    /* The optimising tier: x87 arithmetic, comparisons, and conversions
     * between float, double, integers and the 80-bit registers are host
     * x87 instructions inside the unit (LLVM's constrained x86_fp80
     * operations) while the guest's control word is the default one; the
     * x87 helper otherwise (lifter/x87_inline.c).  Slower to compile. */
    bool x87_inline;
    /* --profile: a unit returning to cpu_run_chain says whether a ret's
     * exit it is (cpu_state.prof_ret), for the profiler (lifter/flow.c). */
    bool profile;
    /* Give every instruction a debug location whose line is its guest
     * pc, so the object carries a line table from host code to guest pcs
     * (lift.c).  The JIT asks for it only when a fault needs one
     * (jit/lines.c): it is a quarter of a first-tier compile. */
    bool lines;
    /* Optimised units: an indirect jmp or call whose target the first
     * tier's code has seen settle (lifter_ibtc_find records them) tests
     * for that target and goes on there inside the unit -- a call
     * through the PLT or a function pointer takes in its callee, whose
     * ret comes back into the unit -- else leaves as any indirect branch
     * does.  And its region leaves the blocks that have not run while
     * the block branching to them did (code.runs) as cold exits: its
     * budget goes to the paths taken (lifter/predict.c, lift_cold).
     * The predictions and cold blocks a unit used are in
     * lifter_unit.pred; with replay (not NULL, nreplay possibly 0), the
     * unit is lifted with those and no others (the same code again,
     * jit/lines.c). */
    bool predict;
    const struct lifter_pred *replay;
    unsigned nreplay;
};

/* A slot points at one of these (one load: threads update slots while
 * others read them, and a pc/code pair is never seen half-written).  The
 * table is two-way set associative: pc's set is the pair of slots
 * lifter_ibtc_index(pc) & ~1 (first way) and | 1 (second); the dispatcher
 * puts a new pc in the first and moves the one there to the second, so two
 * hot targets of one set both stay (Lua's table.sort had half of a run's
 * unit exits miss a direct-mapped table). */
struct lifter_ibtc_entry {
    uint64_t pc;   /* guest pc, or ~0 for none */
    uint64_t code; /* its translation (0: none yet) */
    /* Non-zero when the code may read a flag before writing it
     * (lifter_flags_live): an optimised unit's indirect jump to it stores
     * the flags first, as it does not for the others (lift.c). */
    uint64_t flags_live;
};

/* The slot of pc in the indirect branch target cache. */
static inline uint32_t lifter_ibtc_index(guest_addr_t pc, uint32_t mask)
{
    return (pc ^ (pc >> 10)) & mask;
}

/* First-tier code probes the table by calling this (the external symbol
 * LIFTER_SYM_IBTC_FIND): inline, the two probes were a tenth of its code.
 * The code the table holds for pc, else 0 (CPU_EXIT_JUMP).  site: the
 * indirect jmp or call going to pc (0: a ret), whose target it notes for
 * lifter_env.predict. */
#define LIFTER_SYM_IBTC_FIND "r386_ibtc_find"
uint64_t lifter_ibtc_find(const struct lifter_ibtc_entry *const *table,
                          uint32_t mask, uint32_t pc, uint32_t site);

/* Where a unit leads, for --aot's discovery: a region of 128 instructions
 * makes many calls, and with 8 the return addresses past the 8th were
 * lost (SQLite: 196 of the 671 units compiled at run time after --aot). */
#define LIFTER_MAX_SUCC 32
/* A region has at most 64 blocks (lift.c), so 64 ranges describe its bytes
 * exactly almost always; with 16, two in five of python3.11's units had
 * to merge ranges over the gaps between them, and a warm start hashed
 * 770 MB of guest code where the units were made from 6 MB. */
#define LIFTER_MAX_RANGES 64

/* Guest bytes a translation was made from. */
struct lifter_range {
    guest_addr_t lo;
    uint32_t len;
};

struct lifter_unit {
    guest_addr_t pc;      /* first instruction */
    /* Guest pcs execution is likely to reach next: direct branch targets,
     * the return address of a call, the pc after a system call (for
     * translating ahead; the first LIFTER_MAX_SUCC). */
    unsigned nsucc;
    guest_addr_t succ[LIFTER_MAX_SUCC];
    guest_addr_t end_pc;  /* first byte after the last lifted instruction */
    /* The guest bytes the translation was made from: every byte the lifter
     * decoded (region blocks, and the flag look-ahead at loop heads) lies
     * in [code_lo, code_end).  Writing there makes the translation stale
     * (self-modifying code, docs/ARCHITECTURE.md). */
    guest_addr_t code_lo;
    uint64_t code_end;
    /* The same bytes more tightly: every byte the lifter read lies in one
     * of these (a region's blocks lie far apart; [code_lo, code_end) can
     * span a whole library). */
    unsigned nranges;
    struct lifter_range ranges[LIFTER_MAX_RANGES];
    unsigned insns;       /* instructions lifted */
    /* The predictions the unit was lifted with (lifter_env.predict). */
    unsigned npred;
    struct lifter_pred pred[LIFTER_MAX_PRED];
    /* The translation depends on more than the bytes in [code_lo,
     * code_end) and their addresses: some fetch stopped short at memory
     * that could not be executed, or the code was writable (one block per
     * unit).  Such a unit is not stored in the persistent cache. */
    bool short_fetch;
    bool one_block;
    /* The unit ends at an instruction the lifter does not know (executing
     * it raises SIGILL): its address and bytes, for the debug note. */
    bool unknown;
    guest_addr_t unknown_pc;
    uint8_t unknown_bytes[15];
    uint8_t unknown_len;
};

struct lifter;

struct lifter *lifter_create(void);
void lifter_destroy(struct lifter *l);

/* Lift the unit starting at pc into module m as a function called name.
 * Returns 0 or a negative errno (only for internal failures: unknown or
 * unfetchable instructions become guest exits, not errors). */
__attribute__((warn_unused_result))
int lifter_lift_unit(const struct lifter *l, LLVMModuleRef m,
                     const char *name, guest_addr_t pc,
                     const struct lifter_code_source *code,
                     const struct lifter_env *env, struct lifter_unit *out);

/* Rewrite m's guest accesses at mem_base + zext(x + c), c a constant
 * smaller in magnitude than GUEST_DISP_FOLD_MAX, as mem_base + zext(x) + c:
 * one host operand (c(%base,%x)) instead of a 32-bit add and an indexed
 * access, and accesses at different constants from one x are disjoint to
 * LLVM's alias analysis.  An access whose 32-bit address wraps around
 * 4 GiB then lands in a guard beside the window, where the runtime gives
 * the guest the fault at the wrapped address.  For the optimiser, between
 * the passes that gather x + c1 + c2 into one add and those that use the
 * alias analysis (jit/jit_internal.h, JIT_OPT_PIPELINE). */
void lifter_fold_displacements(LLVMModuleRef m);

/* May the code at pc read a flag before it writes it (within the code a
 * look-ahead decodes)?  For lifter_ibtc_entry.flags_live. */
bool lifter_flags_live(const struct lifter *l,
                       const struct lifter_code_source *code, guest_addr_t pc);

/* Format the instruction at bytes (for debug notes); returns buf. */
const char *lifter_format(const struct lifter *l, guest_addr_t pc,
                          const uint8_t *bytes, size_t len, char *buf,
                          size_t buflen);

#endif
