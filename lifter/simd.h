/* Private to lifter/sse*.c and lifter/mmx.c: the vector register files
 * as the lifted code sees them, and the helpers the SIMD instruction
 * files share.
 *
 * One handler serves an operation on 64-bit (MMX) and 128-bit (XMM)
 * vectors: it asks simd_width() which register file the instruction
 * names and builds its vectors of that width.  Reading or writing an MMX
 * register through simd_reg_get/simd_reg_set does the x87 aliasing that
 * goes with it (see mmx.c). */
#ifndef R386_SIMD_H
#define R386_SIMD_H

#include "lift_internal.h"

/* ---- types and constants ---- */
LLVMTypeRef simd_i128(struct lift_ctx *lc);
/* <width/ebits x iebits>. */
LLVMTypeRef simd_vec(struct lift_ctx *lc, unsigned ebits, unsigned width);
/* float (32) or double (64). */
LLVMTypeRef simd_ftype(struct lift_ctx *lc, unsigned bits);
/* <width/fbits x float|double>. */
LLVMTypeRef simd_fvec(struct lift_ctx *lc, unsigned fbits, unsigned width);
/* Element bits of an integer/float scalar or vector type. */
unsigned simd_elem_bits(LLVMTypeRef t);
/* The integer (vector) type of the same shape as t. */
LLVMTypeRef simd_int_like(struct lift_ctx *lc, LLVMTypeRef t);
/* An integer constant of type t (scalar or vector: splat). */
LLVMValueRef simd_const(struct lift_ctx *lc, LLVMTypeRef t, uint64_t v);
/* A float constant of type t (scalar or vector: splat). */
LLVMValueRef simd_fconst(struct lift_ctx *lc, LLVMTypeRef t, double v);
LLVMValueRef simd_bitcast(struct lift_ctx *lc, LLVMValueRef v,
                          LLVMTypeRef t);
LLVMValueRef simd_shuffle(struct lift_ctx *lc, LLVMValueRef a,
                          LLVMValueRef b, const unsigned *idx, unsigned n);
/* Call an LLVM intrinsic overloaded on the type of its first argument
 * (llvm.sqrt, llvm.smin, llvm.sadd.sat...): 1 to 3 arguments. */
LLVMValueRef simd_intrinsic(struct lift_ctx *lc, const char *name,
                            LLVMValueRef *args, unsigned n);

/* ---- registers and operands ---- */
bool simd_is_xmm(ZydisRegister r);
bool simd_is_mm(ZydisRegister r);
bool simd_op_is_xmm(struct lift_ctx *lc, unsigned i);
bool simd_op_is_mm(struct lift_ctx *lc, unsigned i);
bool simd_op_is_vec(struct lift_ctx *lc, unsigned i); /* xmm or mm */
bool simd_op_is_mem(struct lift_ctx *lc, unsigned i);
/* 64 if operand 0 or 1 is an MMX register, else 128. */
unsigned simd_width(struct lift_ctx *lc);
/* An XMM (i128) or MMX (i64) register. */
LLVMValueRef simd_reg_get(struct lift_ctx *lc, ZydisRegister r);
/* v: any value of the register's width. */
void simd_reg_set(struct lift_ctx *lc, ZydisRegister r, LLVMValueRef v);
/* Operand i as an integer of `bits` bits: a register (truncated or
 * zero-extended) or memory of the operand's size (likewise). */
LLVMValueRef simd_op_get(struct lift_ctx *lc, unsigned i, unsigned bits);
/* Operand 0, a vector register, set to v. */
void simd_dst_set(struct lift_ctx *lc, LLVMValueRef v);
/* What every MMX instruction does to the x87 state: TOP = 0 and all
 * registers valid (mmx.c). */
void simd_mmx_enter(struct lift_ctx *lc);
/* #GP (CPU_EXIT_PRIV) unless addr32 is 16-byte aligned. */
void simd_check_align16(struct lift_ctx *lc, LLVMValueRef addr32);

/* ---- floating point ---- */
/* The low float/double of operand i (XMM or memory). */
LLVMValueRef simd_scalar_get(struct lift_ctx *lc, unsigned i, unsigned bits);
/* Replace the low float/double of XMM register d with f. */
void simd_scalar_set(struct lift_ctx *lc, ZydisRegister d, LLVMValueRef f);
/* i1, or <n x i1> for a vector. */
LLVMValueRef simd_is_nan(struct lift_ctx *lc, LLVMValueRef f);
/* f with its quiet bit set (scalar or vector). */
LLVMValueRef simd_quieted(struct lift_ctx *lc, LLVMValueRef f);
/* MXCSR.RC (i32, 0 nearest, 1 down, 2 up, 3 toward zero). */
LLVMValueRef simd_mxcsr_rc(struct lift_ctx *lc);
/* a OP b (a alone for SQRT, SITOFP, FPTRUNC; rt the result type for
 * the conversions, else ignored), rounded as the guest's MXCSR says: LLVM
 * arithmetic for the default mode (round to nearest, no FTZ/DAZ), else
 * the host's SSE unit run with the guest's RC, FTZ and DAZ. */
enum simd_fpop {
    SIMD_FADD, SIMD_FSUB, SIMD_FMUL, SIMD_FDIV, SIMD_FSQRT, SIMD_SITOFP,
    SIMD_FPTRUNC
};
LLVMValueRef simd_fp_arith(struct lift_ctx *lc, enum simd_fpop op,
                           LLVMValueRef a, LLVMValueRef b, LLVMTypeRef rt);
/* MXCSR.DAZ for the operations the host does not run in the guest's mode:
 * when it is set, each of the n (at most 4) float/double scalars or
 * vectors in v has its denormals replaced by zeros of their sign. */
void simd_daz(struct lift_ctx *lc, LLVMValueRef *v, unsigned n);

/* ---- the SIMD instruction files: each false if not its mnemonic ---- */
bool lift_sse_int(struct lift_ctx *lc);     /* sse_int.c */
bool lift_sse_shuffle(struct lift_ctx *lc); /* sse_shuffle.c */
bool lift_sse_arith(struct lift_ctx *lc);   /* sse_arith.c */
bool lift_sse_convert(struct lift_ctx *lc); /* sse_convert.c */
bool lift_mmx(struct lift_ctx *lc);         /* mmx.c */

#endif
