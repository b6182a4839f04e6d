/* Private to lifter/x87*.c: the x87 register stack as the lifted code
 * sees it, and the calls to the x87 helper.  The model is described at
 * the top of x87.c. */
#ifndef R386_X87_H
#define R386_X87_H

#include "lift_internal.h"

/* ---- 80-bit values ----
 * Moved as bits: the significand (i64) and the sign and exponent (i16);
 * or, when the x87 cache holds the registers, as an x86_fp80 value (f80)
 * whose parts are only taken apart where an instruction needs them
 * (x87_raw_parts).  Moving an x86_fp80 copies its bits. */
struct x87_raw {
    LLVMValueRef sig, se;
    LLVMValueRef f80; /* or NULL */
};
/* Fill in sig and se from f80 (when they are not there). */
void x87_raw_parts(struct lift_ctx *lc, struct x87_raw *v);
/* The value as x86_fp80. */
LLVMValueRef x87_raw_f80(struct lift_ctx *lc, struct x87_raw v);
struct x87_raw x87_raw_const(struct lift_ctx *lc, uint16_t se, uint64_t sig);
/* The QNaN "real indefinite", the masked response to an invalid
 * operation. */
struct x87_raw x87_raw_indefinite(struct lift_ctx *lc);
struct x87_raw x87_raw_select(struct lift_ctx *lc, LLVMValueRef cond1,
                              struct x87_raw a, struct x87_raw b);
/* In the CPU state (ptr) and in guest memory (addr32). */
struct x87_raw x87_raw_load(struct lift_ctx *lc, LLVMValueRef p);
void x87_raw_store(struct lift_ctx *lc, LLVMValueRef p, struct x87_raw v);
struct x87_raw x87_raw_load_guest(struct lift_ctx *lc, LLVMValueRef addr32);
void x87_raw_store_guest(struct lift_ctx *lc, LLVMValueRef addr32,
                         struct x87_raw v);

/* ---- control and status words ---- */
LLVMValueRef x87_cw(struct lift_ctx *lc); /* i16 */
/* fpu_sw = (fpu_sw & ~clear) | set (set: i16, or NULL). */
void x87_sw_update(struct lift_ctx *lc, uint16_t clear, LLVMValueRef set);
/* Condition codes C0..C3 from i1 values; NULL leaves one unchanged. */
void x87_set_cc(struct lift_ctx *lc, LLVMValueRef c0, LLVMValueRef c1,
                LLVMValueRef c2, LLVMValueRef c3);
/* The status word as FNSTSW stores it (i16): TOP, ES and B composed, and
 * the exception flags the host x87 holds for the guest merged in. */
LLVMValueRef x87_status_word(struct lift_ctx *lc);
/* Clear the exception flags the host x87 holds for the guest. */
void x87_host_clear(struct lift_ctx *lc);

/* ---- the register stack ---- */
LLVMValueRef x87_top(struct lift_ctx *lc); /* i32, 0..7 */
void x87_set_top(struct lift_ctx *lc, LLVMValueRef top32);
/* The physical register (i32) of ST(i) for a TOP value. */
LLVMValueRef x87_phys(struct lift_ctx *lc, LLVMValueRef top32, unsigned i);
LLVMValueRef x87_reg_ptr(struct lift_ctx *lc, LLVMValueRef phys32);
LLVMValueRef x87_empty_ptr(struct lift_ctx *lc, LLVMValueRef phys32);
LLVMValueRef x87_st_ptr(struct lift_ctx *lc, unsigned i);
LLVMValueRef x87_is_empty(struct lift_ctx *lc, unsigned i); /* i1 */
/* ST(i) marked valid or empty. */
void x87_mark(struct lift_ctx *lc, unsigned i, bool empty);
/* ST(i); an empty register is a stack underflow: IE and SF are set and
 * the value is the indefinite (the masked response).  Clears C1. */
struct x87_raw x87_get_raw(struct lift_ctx *lc, unsigned i);
/* ST(i) = v, marked valid. */
void x87_set_raw(struct lift_ctx *lc, unsigned i, struct x87_raw v);
/* Push v; a full ST(7) is a stack overflow: IE, SF and C1 are set and the
 * indefinite is pushed instead (else C1 is cleared). */
void x87_push_raw(struct lift_ctx *lc, struct x87_raw v);
void x87_pop(struct lift_ctx *lc);

/* ---- control flow (integer code only) ---- */
struct x87_if {
    LLVMBasicBlockRef other, join;
};
/* if (cond1): positions the builder in the "then" arm. */
void x87_if_begin(struct lift_ctx *lc, LLVMValueRef cond1, struct x87_if *s);
void x87_if_else(struct lift_ctx *lc, struct x87_if *s);
void x87_if_end(struct lift_ctx *lc, struct x87_if *s);

/* ---- the x87 helper (LIFTER_HELPER_FPU) ---- */
LLVMValueRef x87_tmp_ptr(struct lift_ctx *lc, unsigned k);
/* r386_helper_fpu(state, op, a, b, bits): op is an i32 value or a
 * constant; a and b pointers or NULL; bits an i64 or NULL.  Returns i64. */
LLVMValueRef x87_call(struct lift_ctx *lc, LLVMValueRef op, LLVMValueRef a,
                      LLVMValueRef b, LLVMValueRef bits);
/* op, with LIFTER_FPU_EMPTY when empty1 holds. */
LLVMValueRef x87_op(struct lift_ctx *lc, uint32_t op, LLVMValueRef empty1);

/* ---- operands ---- */
/* ST(i) of a register form: the r/m field of ModRM. */
unsigned x87_rm(struct lift_ctx *lc);
bool x87_is_mem(struct lift_ctx *lc);
/* A memory operand of 16/32/64 bits: its guest address, its width and
 * the LIFTER_FPU_SRC_* kind to give the helper for it.  It is read where
 * its value is used, in each arm of an inline choice on its own: the
 * inline arm's load then folds into FLD/FILD m or the arithmetic's memory
 * operand (a load before the choice reaches the host x87 through an SSE
 * register and the stack). */
struct x87_mem {
    LLVMValueRef addr;
    unsigned bits;
    uint32_t kind;
};
void x87_mem_operand(struct lift_ctx *lc, bool integer, struct x87_mem *m);
/* Read here: its bits zero-extended to i64 (what the helper takes). */
LLVMValueRef x87_mem_bits(struct lift_ctx *lc, const struct x87_mem *m);

/* ---- the x87 cache (x87_cache.c; lifter_env.x87_inline) ----
 * Used by the accessors above when x87_cached(): ST(i) and its empty bit
 * by stack position, TOP, the control word (sw false) and the status
 * word. */
bool x87_cached(const struct lift_ctx *lc);
void x87c_ready(struct lift_ctx *lc);
LLVMValueRef x87c_top(struct lift_ctx *lc);
LLVMValueRef x87c_get(struct lift_ctx *lc, unsigned i);
void x87c_set(struct lift_ctx *lc, unsigned i, LLVMValueRef f80);
LLVMValueRef x87c_is_empty(struct lift_ctx *lc, unsigned i);
void x87c_mark(struct lift_ctx *lc, unsigned i, bool empty);
/* The stack moves by delta pushes (a pop is -1). */
void x87c_move(struct lift_ctx *lc, int delta);
LLVMValueRef x87c_word(struct lift_ctx *lc, bool sw);
void x87c_set_word(struct lift_ctx *lc, bool sw, LLVMValueRef v16);
/* Store the cache to the state / load it again. */
void x87c_sync_out(struct lift_ctx *lc);
void x87c_sync_in(struct lift_ctx *lc);
/* A pointer to ST(i) for the x87 helper: fpu_tmp[k], filled from the
 * cache by x87c_call_begin and read back by x87c_call_end, which also
 * store and reload the control and status words (all the helper reads
 * and writes of the state besides its operands). */
LLVMValueRef x87c_st_ptr(struct lift_ctx *lc, unsigned i);
void x87c_call_begin(struct lift_ctx *lc);
void x87c_call_end(struct lift_ctx *lc);
/* ST(i) as x86_fp80 (no empty check), and ST(i) = v (not marked). */
LLVMValueRef x87_get_f80(struct lift_ctx *lc, unsigned i);
void x87_set_f80(struct lift_ctx *lc, unsigned i, LLVMValueRef v);
/* ST(i) as bits, empty or not (no stack fault). */
struct x87_raw x87_peek_raw(struct lift_ctx *lc, unsigned i);
/* fpu_cw = v16. */
void x87_set_cw(struct lift_ctx *lc, LLVMValueRef v16);

/* ---- inside the unit (x87_inline.c; lifter_env.x87_inline) ---- */
bool x87_inline_on(const struct lift_ctx *lc);
/* May the operation run inline: no operand empty (empty1), and, if it
 * rounds, the guest's control word the default one (i1). */
LLVMValueRef x87_inline_ok(struct lift_ctx *lc, LLVMValueRef empty1,
                           bool rounds);
/* if (ok1) { the caller's inline code } else { the helper call (op, a, b,
 * and m's bits when m) }: x87_inline_begin positions the builder in the
 * inline arm;
 * x87_inline_end closes it with value (an i64 standing for the helper's
 * result, or NULL: 0) and returns the result of whichever arm ran. */
struct x87_choice {
    struct x87_if s;
    LLVMValueRef slot;
};
void x87_inline_begin(struct lift_ctx *lc, LLVMValueRef ok1,
                      struct x87_choice *c);
LLVMValueRef x87_inline_end(struct lift_ctx *lc, struct x87_choice *c,
                            LLVMValueRef value, LLVMValueRef op,
                            LLVMValueRef a, LLVMValueRef b,
                            const struct x87_mem *m);
/* Does the current instruction's C1 go unread: the guest block sets it
 * again before anything reads it? */
bool x87_c1_dead(struct lift_ctx *lc);
/* x86_fp80 values in the CPU state (ptr), read here from a memory operand
 * (or zero for LIFTER_FPU_SRC_ZERO, m NULL), and operated on. */
LLVMValueRef x87_f80_load(struct lift_ctx *lc, LLVMValueRef p);
void x87_f80_store(struct lift_ctx *lc, LLVMValueRef p, LLVMValueRef v);
LLVMValueRef x87_f80_operand(struct lift_ctx *lc, const struct x87_mem *m);
/* FST m32/m64 of x (rounded by the default control word) at addr32;
 * with pop, FSTP: x leaves the host's x87 stack in the same instruction
 * (LLVM copies it first where it is still used). */
void x87_f80_store_narrow(struct lift_ctx *lc, LLVMValueRef addr32,
                          unsigned bits, LLVMValueRef x, bool pop);
/* ADD SUB SUBR MUL DIV DIVR: x op y. */
LLVMValueRef x87_f80_arith(struct lift_ctx *lc, enum lifter_fpu_op op,
                           LLVMValueRef x, LLVMValueRef y);
/* x op m, m a memory operand (x87_f80_operand's): one FADD m32/m64...
 * for a float or double. */
LLVMValueRef x87_f80_arith_mem(struct lift_ctx *lc, enum lifter_fpu_op op,
                               LLVMValueRef x, const struct x87_mem *m);
/* FSQRT: the square root of x. */
LLVMValueRef x87_f80_sqrt(struct lift_ctx *lc, LLVMValueRef x);
/* x pred y (an fcmp predicate: "ult", "uno"...), i1; signaling: FCOM's
 * invalid operation on any NaN, else FUCOM's on signaling NaNs only. */
LLVMValueRef x87_f80_cmp(struct lift_ctx *lc, bool signaling,
                         const char *pred, LLVMValueRef x, LLVMValueRef y);
/* x rounded to float (bits 32) or double, and back to x86_fp80 (exact). */
LLVMValueRef x87_f80_round(struct lift_ctx *lc, LLVMValueRef x, unsigned bits);
LLVMValueRef x87_f80_widen(struct lift_ctx *lc, LLVMValueRef v);
LLVMValueRef x87_f80_abs(struct lift_ctx *lc, LLVMValueRef x);

/* ---- the other x87 files' instructions ---- */
bool lift_x87_arith(struct lift_ctx *lc); /* x87_arith.c */
bool lift_x87_env(struct lift_ctx *lc);   /* x87_env.c */

#endif
