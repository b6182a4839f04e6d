/* Private to lifter/x87*.c: the x87 register stack as the lifted code
 * sees it, and the calls to the x87 helper.  The model is described at
 * the top of x87.c. */
#ifndef R386_X87_H
#define R386_X87_H

#include "lift_internal.h"

/* ---- 80-bit values ---- */
LLVMTypeRef x87_f80(struct lift_ctx *lc); /* x86_fp80 */
LLVMTypeRef x87_i80(struct lift_ctx *lc); /* the same bits as an integer */
/* A constant of type t (x86_fp80 or i80) from its sign+exponent word and
 * its 64-bit significand. */
LLVMValueRef x87_const(struct lift_ctx *lc, LLVMTypeRef t, uint16_t se,
                       uint64_t sig);
/* The QNaN "real indefinite" (-1.5 * 2^16384 pattern), the masked
 * response to an invalid operation. */
LLVMValueRef x87_indefinite(struct lift_ctx *lc, LLVMTypeRef t);

/* ---- control and status words ---- */
LLVMValueRef x87_cw(struct lift_ctx *lc); /* i16 */
/* i1: rounding to nearest at 64-bit precision, the control word under
 * which LLVM's own x86_fp80 arithmetic is exactly the guest's. */
LLVMValueRef x87_cw_plain(struct lift_ctx *lc);
/* fpu_sw = (fpu_sw & ~clear) | set (set: i16, or NULL). */
void x87_sw_update(struct lift_ctx *lc, uint16_t clear, LLVMValueRef set);
/* fpu_sw |= bits when cond1 holds. */
void x87_sw_set_if(struct lift_ctx *lc, LLVMValueRef cond1, uint16_t bits);
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
LLVMValueRef x87_is_empty(struct lift_ctx *lc, unsigned i); /* i1 */
/* ST(i) as type t (x86_fp80 for arithmetic, i80 for bit copies).  An
 * empty register is a stack underflow: IE and SF are set and the value is
 * the indefinite (the masked response). */
LLVMValueRef x87_get(struct lift_ctx *lc, unsigned i, LLVMTypeRef t);
/* ST(i) = v (x86_fp80 or i80), marked valid. */
void x87_set(struct lift_ctx *lc, unsigned i, LLVMValueRef v);
/* Push v; a full ST(7) is a stack overflow: IE, SF and C1 are set and the
 * indefinite is pushed instead. */
void x87_push(struct lift_ctx *lc, LLVMValueRef v);
void x87_pop(struct lift_ctx *lc);

/* ---- the x87 helper (LIFTER_HELPER_FPU) ---- */
LLVMValueRef x87_tmp_ptr(struct lift_ctx *lc, unsigned k);
/* Run op on fpu_tmp[0..1]; returns the C0-C3 bits it gave (i16). */
LLVMValueRef x87_helper(struct lift_ctx *lc, enum lifter_fpu_op op);

/* An if/else on x87_cw_plain: the "plain" arm emits LLVM arithmetic, the
 * other calls the helper; x87_split_join merges a value from each arm. */
struct x87_split {
    LLVMBasicBlockRef plain_end, other_end, join;
};
void x87_split_begin(struct lift_ctx *lc, struct x87_split *s);
void x87_split_else(struct lift_ctx *lc, struct x87_split *s);
/* Ends the other arm; returns phi(plain_v, other_v), or NULL when both
 * are NULL (the arms left their results in memory). */
LLVMValueRef x87_split_join(struct lift_ctx *lc, struct x87_split *s,
                            LLVMValueRef plain_v, LLVMValueRef other_v);

/* ---- operands ---- */
/* ST(i) of a register form: the r/m field of ModRM. */
unsigned x87_rm(struct lift_ctx *lc);
bool x87_is_mem(struct lift_ctx *lc);
/* A memory operand as x86_fp80: m32/m64 reals, or m16/m32/m64 integers
 * when integer is set. */
LLVMValueRef x87_load_mem(struct lift_ctx *lc, bool integer);

/* ---- the other x87 files' instructions ---- */
bool lift_x87_arith(struct lift_ctx *lc); /* x87_arith.c */
bool lift_x87_env(struct lift_ctx *lc);   /* x87_env.c */

#endif
