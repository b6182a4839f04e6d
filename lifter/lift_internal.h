/* Private to lifter/: the lifting context and the helpers instruction
 * handlers use.  Handlers live one file per instruction class; each class
 * exports one function `bool lift_CLASS(struct lift_ctx *)` that lifts the
 * current instruction when its mnemonic belongs to the class and returns
 * false otherwise. */
#ifndef R386_LIFT_INTERNAL_H
#define R386_LIFT_INTERNAL_H

#include <Zydis/Zydis.h>
#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>
#include <stdbool.h>
#include <stdint.h>

#include "lifter.h"
#include "r386/cpu.h"

struct lifter {
    ZydisDecoder decoder;
    ZydisFormatter formatter;
};

/* What a piece of a unit writes: general registers (bit r), flags (bit
 * f, bit FLAG_COUNT for DF); of the x87 cache (x87_cache.c) the slots of
 * the registers and of their empty bits (bit k), TOP, the control and
 * status words. */
struct lift_written {
    uint8_t reg, empty;
    bool top, cw, sw;
    uint32_t gpr, flag;
};

struct lift_ctx {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMValueRef fn;
    LLVMValueRef state;    /* the cpu_state pointer argument */
    LLVMValueRef mem_base; /* ptr: host address of guest address 0 */
    LLVMValueRef mem_base_i64; /* the same, the unit's argument */
    LLVMValueRef gpr[REG_COUNT]; /* allocas, i32 */
    LLVMValueRef flag[FLAG_COUNT]; /* allocas, i1 (PF: i8, state.c) */
    LLVMValueRef df;       /* alloca, i1 */
    LLVMTypeRef i1, i8, i16, i32, i64, ptr, unit_fn_type;
    const struct lifter_env *env;
    struct lifter_unit *unit; /* what the caller learns about the unit */

    /* The region: guest blocks lifted into this unit, each an LLVM basic
     * block; direct branches between them stay inside the function. */
    unsigned nblocks;
    guest_addr_t block_pc[64];
    LLVMBasicBlockRef block_bb[64];
    uint64_t block_succ[64]; /* region edges lifted so far: bit = target */
    unsigned cur_block;      /* index of the block being lifted */
    /* What each region block writes, and (once the unit is lifted, state.c)
     * what the paths to each block's entry may have written. */
    struct lift_written written[64], written_in[64];
    unsigned insn_budget;   /* guest instructions the region may still take */
    unsigned x87_overrun;   /* lifted past it (lift.c, region_overrun_ok) */
    /* Calls inside the region (lift_end_call): the blocks of a direct
     * call's callee are lifted in a context that knows the call's return
     * address, so that the callee's ret, when it pops that address, goes
     * on at the region's block there instead of leaving the unit.
     * call_ctx[k]: a call's return address and its caller's context (0:
     * none, the region's own function); block_ctx[i]: region block i's;
     * new_ctx: the context region_block gives the block it makes (-1:
     * the current block's). */
    struct {
        guest_addr_t ret;
        uint8_t outer;
    } call_ctx[64];
    unsigned ncall_ctx;
    uint8_t block_ctx[64];
    int new_ctx;
    /* Where the predictions used are recorded (predict.c): the unit's
     * first copy's lifter_unit. */
    struct lifter_unit *pred_unit;
    const struct lifter_code_source *code;
    bool one_block; /* code the guest may write: no region (lifter.h) */
    const ZydisDecoder *decoder;

    /* Registers and flags are stored back to the state only where a path
     * to the store may have written them (written, written_in):
     * lift_state_flush records where, and
     * lift_state_emit_flushes puts the stores in once the unit is lifted
     * and the sets are known.  (Not written while reloading the state.) */
    bool reloading;
    /* The operands of the last SUB or CMP without a borrow while ZF, SF
     * and OF are still its, and the LLVM block it was lifted in (NULL:
     * none): a signed condition read in that block is then one icmp of
     * them (flags.c, lift_cond), where LLVM does not see through
     * SF != OF computed from the difference. */
    struct {
        LLVMValueRef a, b;
        LLVMBasicBlockRef bb;
    } sub_flags;
    unsigned nflush, flush_cap;
    struct lift_flush_point {
        LLVMBasicBlockRef bb;
        LLVMValueRef after; /* the stores go after it; NULL: block start */
        unsigned flags;     /* the flags stored there (bit f), if dirty */
        int8_t x87_depth;   /* the x87 cache's depth there */
        bool x87_only;      /* only the x87 cache is stored there */
        bool no_gpr;        /* no general register is stored there */
        bool no_x87;        /* nor the x87 cache */
        uint8_t block;      /* the region block it is in */
        struct lift_written written; /* what the block wrote before it */
    } *flush;

    /* Versioning on the x87 control word (lift.c, lifter_lift_unit):
     * this copy of the unit runs only when the guest's RC and PC are the
     * default ones at its entry (the x87 cache starts from that), and
     * what the lifting found: an inline x87 operation that rounds, a
     * loop. */
    bool x87_cw_std;
    bool x87_rounds;
    bool has_loop;
    /* The first tier's one return block and its value (lift.c, lift_ret). */
    LLVMBasicBlockRef ret_bb;
    LLVMValueRef ret_phi;

    /* The x87 cache (x87_cache.c): in optimised units the x87 registers,
     * their empty bits, TOP and the control and status words live in
     * allocas (SSA values) instead of the CPU state. */
    struct lift_x87_cache {
        bool on;     /* the unit caches the x87 state */
        bool ready;  /* the allocas exist, loaded in the entry block */
        bool bypass; /* lifting code that works on the state in memory */
        /* Pushes since TOP was `base` (lifting-time): TOP = base - depth,
         * and ST(i) is the slot (i - depth) & 7. */
        int depth;
        LLVMValueRef base;     /* i32 */
        LLVMValueRef reg[8];   /* x86_fp80: slot k = register (base + k) & 7 */
        LLVMValueRef empty[8]; /* i1 */
        /* i1: reg[k] holds the register (read from the state, or
         * written); the unit wrote it; wrote it and has not popped it
         * since (x87_cache.c, "Memory"). */
        LLVMValueRef have[8], dirty[8], live[8];
        /* x86_fp80: what reg[k] held when it was last marked empty (a pop,
         * FFREE): reg[k] is undef from then on, so a loop that pushes and
         * pops does not carry the popped value round in a phi; only a
         * flush before FNSAVE and its kind shows it (lift_x87_flush_here). */
        LLVMValueRef popped[8];
        LLVMValueRef cw, sw;   /* i16 (sw without TOP) */
        LLVMValueRef discard;  /* x86_fp80: a register not stored goes here */
        int8_t block_depth[64]; /* depth at each region block's entry */
        /* The registers x87_st_ptr handed out for the next helper call,
         * as fpu_tmp[k] (-1: none). */
        int8_t tmp_st[2];
    } x87c;

    /* The instruction being lifted. */
    const ZydisDecodedInstruction *insn;
    const ZydisDecodedOperand *ops;
    guest_addr_t pc, next_pc;
    bool ended; /* the instruction ended the unit (terminated the block) */
    /* --profile: the pc of the ret whose exit is being lifted, else 0
     * (lift_prof_exit, flow.c). */
    guest_addr_t prof_ret_pc;
    /* The unit's debug scope: each instruction's line is its guest pc. */
    LLVMDIBuilderRef di;
    LLVMMetadataRef di_scope;

};

/* ---- types and constants ---- */
LLVMTypeRef lift_int_type(struct lift_ctx *lc, unsigned bits);
LLVMValueRef lift_const(struct lift_ctx *lc, unsigned bits, uint64_t v);
static inline LLVMValueRef lift_i32(struct lift_ctx *lc, uint32_t v)
{
    return lift_const(lc, 32, v);
}
unsigned lift_width(LLVMValueRef v);
LLVMValueRef lift_zext(struct lift_ctx *lc, LLVMValueRef v, unsigned bits);
LLVMValueRef lift_sext(struct lift_ctx *lc, LLVMValueRef v, unsigned bits);
LLVMValueRef lift_trunc(struct lift_ctx *lc, LLVMValueRef v, unsigned bits);
/* zext or trunc to bits. */
LLVMValueRef lift_resize(struct lift_ctx *lc, LLVMValueRef v, unsigned bits);
/* The most significant bit of v, as i1. */
LLVMValueRef lift_msb(struct lift_ctx *lc, LLVMValueRef v);
/* cond1 ? a : b, decided now when cond1 is a constant, and as logic on
 * i1 and i8 values (LLVM's fast instruction selector has no select of
 * those: one sent a first-tier block to SelectionDAG). */
LLVMValueRef lift_select(struct lift_ctx *lc, LLVMValueRef cond1,
                         LLVMValueRef a, LLVMValueRef b);

/* ---- guest registers (state.c) ---- */
LLVMValueRef lift_gpr_get(struct lift_ctx *lc, enum cpu_reg r);
void lift_gpr_set(struct lift_ctx *lc, enum cpu_reg r, LLVMValueRef v32);
/* Any Zydis GPR: 8-bit (AL..BH), 16-bit or 32-bit. */
LLVMValueRef lift_reg_get(struct lift_ctx *lc, ZydisRegister reg);
void lift_reg_set(struct lift_ctx *lc, ZydisRegister reg, LLVMValueRef v);
/* Sub-register access by index and width (8: 0-3 low bytes, 4-7 AH..BH). */
LLVMValueRef lift_gpr_get_w(struct lift_ctx *lc, enum cpu_reg r,
                            unsigned bits);
void lift_gpr_set_w(struct lift_ctx *lc, enum cpu_reg r, unsigned bits,
                    LLVMValueRef v);
LLVMValueRef lift_flag_get(struct lift_ctx *lc, enum cpu_flag f);
void lift_flag_set(struct lift_ctx *lc, enum cpu_flag f, LLVMValueRef v1);
/* PF = the parity of res's low byte (when cond, an i1, is true; NULL:
 * always), without computing it (state.c). */
void lift_flag_set_parity(struct lift_ctx *lc, LLVMValueRef res,
                          LLVMValueRef cond);
LLVMValueRef lift_df_get(struct lift_ctx *lc);
/* At the end of a unit: store the dirty registers and flags at every
 * point lift_state_flush recorded. */
void lift_state_emit_flushes(struct lift_ctx *lc);
/* What the paths to a flush point may have written (known once
 * lift_state_emit_flushes runs). */
struct lift_written lift_written_at(const struct lift_ctx *lc,
                                    const struct lift_flush_point *p);
void lift_df_set(struct lift_ctx *lc, LLVMValueRef v1);
/* A field of the CPU state in memory (not cached in SSA). */
LLVMValueRef lift_state_ptr(struct lift_ctx *lc, unsigned offset);
/* The whole architectural EFLAGS (i32) and setting it (user bits). */
LLVMValueRef lift_eflags_get(struct lift_ctx *lc);
void lift_eflags_set(struct lift_ctx *lc, LLVMValueRef v32, uint32_t mask);
/* Write SSA-held registers and flags back to the state (before a call
 * that reads the state) and reload them after one that writes it. */
void lift_state_flush(struct lift_ctx *lc);
/* The same, storing only the flags in the mask (bit FLAG_*): the others
 * keep what the state holds (for exits where they are dead). */
void lift_state_flush_live(struct lift_ctx *lc, unsigned flags);
#define ALL_FLAGS ((1u << FLAG_COUNT) - 1) /* every bit FLAG_* */
/* At a unit's exit (lift.c, leave_to): in optimised units the general
 * registers go to the next unit as arguments, and of the flags only
 * tail_flags (a mask as above) are stored before the tail call; the rest
 * is stored on the way back to cpu_run_chain, by lift_state_flush_flags
 * with the flags the tail call may leave behind (the registers by
 * LIFTER_SYM_UNIT_BACK).  (The first tier stores all of them at the
 * exit.) */
void lift_state_flush_exit(struct lift_ctx *lc, unsigned tail_flags);
/* Only the flags in the mask (and DF): before an optimised unit's tail
 * call to code that may read them (lift.c, end_indirect), or to
 * LIFTER_SYM_UNIT_BACK. */
void lift_state_flush_flags(struct lift_ctx *lc, unsigned flags);
void lift_state_reload(struct lift_ctx *lc);
/* Only the flags and DF (a unit's entry: its registers are arguments). */
void lift_state_reload_flags(struct lift_ctx *lc);

/* ---- guest memory (operand.c) ---- */
/* The host pointer of guest address addr32 (in the guest window). */
LLVMValueRef lift_host_addr(struct lift_ctx *lc, LLVMValueRef addr32);
/* insn_pc = pc32 (a volatile store): before an access the host pc cannot
 * name (operand.c), and where a profiled thread is. */
void lift_store_insn_pc(struct lift_ctx *lc, LLVMValueRef pc32);
LLVMValueRef lift_load(struct lift_ctx *lc, LLVMValueRef addr32,
                       unsigned bits);
void lift_store(struct lift_ctx *lc, LLVMValueRef addr32, LLVMValueRef v);
void lift_push(struct lift_ctx *lc, LLVMValueRef v);
LLVMValueRef lift_pop(struct lift_ctx *lc, unsigned bits);
/* Segment base to add for a segment override (FS/GS; others are flat). */
LLVMValueRef lift_seg_add(struct lift_ctx *lc, ZydisRegister seg,
                          LLVMValueRef addr32);

/* ---- operands of the current instruction (operand.c) ---- */
const ZydisDecodedOperand *lift_op(struct lift_ctx *lc, unsigned i);
unsigned lift_op_bits(struct lift_ctx *lc, unsigned i);
/* Effective address without segment (LEA) and with it (accesses). */
LLVMValueRef lift_op_ea(struct lift_ctx *lc, unsigned i);
LLVMValueRef lift_op_addr(struct lift_ctx *lc, unsigned i);
LLVMValueRef lift_op_get(struct lift_ctx *lc, unsigned i);
void lift_op_set(struct lift_ctx *lc, unsigned i, LLVMValueRef v);

/* ---- flags and conditions (flags.c) ---- */
void lift_flags_result(struct lift_ctx *lc, LLVMValueRef res); /* ZF SF PF */
void lift_flags_logic(struct lift_ctx *lc, LLVMValueRef res);
/* a + b + carry_in (carry_in i1 or NULL): sets all six flags. */
void lift_flags_add(struct lift_ctx *lc, LLVMValueRef a, LLVMValueRef b,
                    LLVMValueRef carry_in, LLVMValueRef res);
/* a - b - borrow_in: sets all six flags. */
void lift_flags_sub(struct lift_ctx *lc, LLVMValueRef a, LLVMValueRef b,
                    LLVMValueRef borrow_in, LLVMValueRef res);
LLVMValueRef lift_parity(struct lift_ctx *lc, LLVMValueRef res);
/* x86 condition code 0..15 (O NO B AE E NE BE A S NS P NP L GE LE G). */
LLVMValueRef lift_cond(struct lift_ctx *lc, unsigned cc);
/* The condition code of a Jcc/SETcc/CMOVcc mnemonic, or -1. */
int lift_cond_of(ZydisMnemonic m);

/* ---- unit exits (lift.c) ---- */
/* End the unit with an exit to the dispatcher: eip set to eip32. */
void lift_end_exit(struct lift_ctx *lc, enum cpu_exit kind,
                   LLVMValueRef eip32);
/* End an indirect jmp or call with a jump to the computed pc target32;
 * with a predicted target (predict.c) it tests for that first and goes on
 * there inside the region. */
void lift_end_indirect(struct lift_ctx *lc, LLVMValueRef target32);
/* End with a direct jump to a known pc (chained). */
void lift_end_direct(struct lift_ctx *lc, guest_addr_t target);
/* The same, leaving the unit even when the region could take target. */
void lift_end_chain(struct lift_ctx *lc, guest_addr_t target);
/* End with a call's jump to target (its return address ret pushed):
 * lift_end_direct, the callee's blocks knowing ret (32-bit calls). */
void lift_end_call(struct lift_ctx *lc, guest_addr_t target, guest_addr_t ret);
/* End with a ret's jump to target32 (popped): to the region's block at
 * the return address of the call the current block was called by, when
 * target32 is that address, else through the indirect branch table. */
void lift_end_ret(struct lift_ctx *lc, LLVMValueRef target32);
/* End with a two-way conditional branch. */
void lift_end_branch(struct lift_ctx *lc, LLVMValueRef cond1,
                     guest_addr_t taken, guest_addr_t not_taken);
/* predict.c: the target predicted for the indirect jmp or call at site
 * (recorded in lc->pred_unit), or 0; and the first tier's note of where
 * one went (lifter_ibtc_find). */
guest_addr_t lift_predicted(struct lift_ctx *lc, guest_addr_t site);
void lift_site_note(uint32_t site, uint32_t target);
/* predict.c: should the region leave target, a block it does not hold
 * yet, as a cold exit (recorded in lc->pred_unit)? */
bool lift_cold(struct lift_ctx *lc, guest_addr_t target);
/* Look-ahead: decode the instruction at pc without lifting it (its bytes
 * count as the unit's); false when there is none.  Look-ahead stops after
 * a control transfer or a trap (lift_ends_lookahead). */
bool lift_peek(struct lift_ctx *lc, guest_addr_t pc,
               ZydisDecodedInstruction *insn);
/* Up to max bytes of guest code at pc (they count as the unit's). */
size_t lift_read_code(struct lift_ctx *lc, guest_addr_t pc, uint8_t *buf,
                      size_t max);
bool lift_ends_lookahead(const ZydisDecodedInstruction *insn);
/* Record a pc execution is likely to reach after this unit. */
void lift_note_succ(struct lift_ctx *lc, guest_addr_t pc);
/* Leave the unit with an exit when cond1 holds; continue otherwise. */
void lift_exit_if(struct lift_ctx *lc, LLVMValueRef cond1,
                  enum cpu_exit kind, guest_addr_t eip);
/* An alloca in the entry block (so LLVM promotes it to SSA). */
LLVMValueRef lift_alloca(struct lift_ctx *lc, LLVMTypeRef t);
/* A fresh basic block in the unit's function. */
LLVMBasicBlockRef lift_block(struct lift_ctx *lc, const char *name);
/* Call the function (an LLVM intrinsic or a helper-ABI name) declared,
 * once per module, as ret name(types of args). */
LLVMValueRef lift_call(struct lift_ctx *lc, const char *name, LLVMTypeRef ret,
                       LLVMValueRef *args, unsigned n);
/* Call a helper from the helper ABI: void or i64 fn(state*). */
LLVMValueRef lift_call_helper(struct lift_ctx *lc, const char *name,
                              LLVMTypeRef ret);

/* ---- the x87 cache (x87_cache.c) ---- */
/* A region block is created (its entry depth is the current one) / about
 * to be lifted. */
void lift_x87_block_new(struct lift_ctx *lc, unsigned blk);
void lift_x87_block_enter(struct lift_ctx *lc, unsigned blk);
/* Before a branch to region block blk: the cache is made to match the
 * depth blk was lifted for.  Returns the depth to restore afterwards. */
int lift_x87_edge(struct lift_ctx *lc, unsigned blk);
/* The depth a flush point records now, and the stores of one (state.c)
 * at the depth it recorded. */
int lift_x87_flush_depth(const struct lift_ctx *lc);
void lift_x87_flush_here(struct lift_ctx *lc,
                         const struct lift_flush_point *p);
/* Around an instruction that works on the x87 state in memory (MMX, the
 * environment instructions, FNINIT): the cache is stored before it and
 * loaded again after.  begin returns whether it did anything. */
bool lift_x87_wrap_begin(struct lift_ctx *lc);
void lift_x87_wrap_end(struct lift_ctx *lc);
/* Does the control word cw16 round to nearest with 64-bit precision, the
 * host's own (the condition of inline x87 arithmetic, x87_inline.c)? i1. */
LLVMValueRef lift_x87_cw_default(struct lift_ctx *lc, LLVMValueRef cw16);

/* ---- instruction classes: each returns false if not its mnemonic ---- */
bool lift_mov(struct lift_ctx *lc);    /* data movement, stack, lea */
bool lift_alu(struct lift_ctx *lc);    /* add..cmp, inc/dec/neg/not/test */
bool lift_shift(struct lift_ctx *lc);  /* shifts, rotates, shld/shrd */
bool lift_muldiv(struct lift_ctx *lc); /* mul, imul, div, idiv */
bool lift_bits(struct lift_ctx *lc);   /* bt*, bsf/bsr, setcc, cmovcc... */
bool lift_flow(struct lift_ctx *lc);   /* jmp, jcc, call, ret, loop */
bool lift_string(struct lift_ctx *lc); /* movs, stos, cmps, scas, lods */
bool lift_atomic(struct lift_ctx *lc); /* xchg, xadd, cmpxchg(8b) */
bool lift_misc(struct lift_ctx *lc);   /* flag ops, cpuid, rdtsc, int */
/* --profile: before a unit returns to cpu_run_chain, prof_ret = the ret
 * whose exit it is, or 0 (flow.c). */
void lift_prof_exit(struct lift_ctx *lc);
bool lift_bcd(struct lift_ctx *lc);    /* aaa..das, xlat, bound, salc */
bool lift_x87(struct lift_ctx *lc);    /* the x87 FPU (x87*.c) */
bool lift_sse(struct lift_ctx *lc);    /* SSE/SSE2 (sse.c) */

#endif
