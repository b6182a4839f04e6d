/* EFLAGS computation and x86 condition codes.
 *
 * Every flag-setting instruction computes each flag it defines as an i1
 * value; LLVM deletes the ones nothing reads before the unit writes them
 * back.  Flags the SDM calls undefined are given the values current Intel
 * processors produce where that is well known (AF=0 after logic ops), else
 * left unchanged (noted in the handlers). */
#include "lift_internal.h"

LLVMValueRef lift_parity(struct lift_ctx *lc, LLVMValueRef res)
{
    /* PF: even number of set bits in the low byte.  Folded with shifts and
     * xors rather than llvm.ctpop: LLVM's fast instruction selector does
     * not handle the intrinsic and would fall back to the slow one for the
     * whole block (docs/PERFORMANCE.md). */
    LLVMValueRef x = lift_resize(lc, res, 8);
    for (unsigned sh = 4; sh >= 1; sh >>= 1)
        x = LLVMBuildXor(lc->b, x, LLVMBuildLShr(lc->b, x,
                                                 lift_const(lc, 8, sh), ""),
                         "");
    LLVMValueRef odd = lift_trunc(lc, x, 1);
    return LLVMBuildNot(lc->b, odd, "");
}

void lift_flags_result(struct lift_ctx *lc, LLVMValueRef res)
{
    unsigned w = lift_width(res);
    lift_flag_set(lc, FLAG_ZF,
                  LLVMBuildICmp(lc->b, LLVMIntEQ, res, lift_const(lc, w, 0),
                                ""));
    lift_flag_set(lc, FLAG_SF, lift_msb(lc, res));
    lift_flag_set_parity(lc, res, NULL);
}

void lift_flags_logic(struct lift_ctx *lc, LLVMValueRef res)
{
    LLVMValueRef f = lift_const(lc, 1, 0);
    lift_flag_set(lc, FLAG_CF, f);
    lift_flag_set(lc, FLAG_OF, f);
    lift_flag_set(lc, FLAG_AF, f);
    lift_flags_result(lc, res);
}

/* AF: carry out of bit 3, from a ^ b ^ res. */
static LLVMValueRef aux_carry(struct lift_ctx *lc, LLVMValueRef a,
                              LLVMValueRef b, LLVMValueRef res)
{
    unsigned w = lift_width(res);
    LLVMValueRef x = LLVMBuildXor(lc->b, LLVMBuildXor(lc->b, a, b, ""), res,
                                  "");
    x = LLVMBuildAnd(lc->b, x, lift_const(lc, w, 0x10), "");
    return LLVMBuildICmp(lc->b, LLVMIntNE, x, lift_const(lc, w, 0), "");
}

void lift_flags_add(struct lift_ctx *lc, LLVMValueRef a, LLVMValueRef b,
                    LLVMValueRef carry_in, LLVMValueRef res)
{
    LLVMValueRef cf = LLVMBuildICmp(lc->b, LLVMIntULT, res, a, "");
    if (carry_in) {
        /* With a carry in, res == a also means a carry out (b = ~0). */
        LLVMValueRef eq = LLVMBuildICmp(lc->b, LLVMIntEQ, res, a, "");
        cf = LLVMBuildOr(lc->b, cf, LLVMBuildAnd(lc->b, eq, carry_in, ""),
                         "");
    }
    lift_flag_set(lc, FLAG_CF, cf);
    /* OF: the operands have the same sign and the result another. */
    LLVMValueRef o = LLVMBuildAnd(lc->b, LLVMBuildXor(lc->b, a, res, ""),
                                  LLVMBuildXor(lc->b, b, res, ""), "");
    lift_flag_set(lc, FLAG_OF, lift_msb(lc, o));
    lift_flag_set(lc, FLAG_AF, aux_carry(lc, a, b, res));
    lift_flags_result(lc, res);
}

void lift_flags_sub(struct lift_ctx *lc, LLVMValueRef a, LLVMValueRef b,
                    LLVMValueRef borrow_in, LLVMValueRef res)
{
    LLVMValueRef cf = LLVMBuildICmp(lc->b, LLVMIntULT, a, b, "");
    if (borrow_in) {
        LLVMValueRef eq = LLVMBuildICmp(lc->b, LLVMIntEQ, a, b, "");
        cf = LLVMBuildOr(lc->b, cf, LLVMBuildAnd(lc->b, eq, borrow_in, ""),
                         "");
    }
    lift_flag_set(lc, FLAG_CF, cf);
    /* OF: the operands have different signs and the result has b's. */
    LLVMValueRef o = LLVMBuildAnd(lc->b, LLVMBuildXor(lc->b, a, b, ""),
                                  LLVMBuildXor(lc->b, a, res, ""), "");
    lift_flag_set(lc, FLAG_OF, lift_msb(lc, o));
    lift_flag_set(lc, FLAG_AF, aux_carry(lc, a, b, res));
    lift_flags_result(lc, res);
    if (!borrow_in) {
        lc->sub_flags.a = a;
        lc->sub_flags.b = b;
        lc->sub_flags.bb = LLVMGetInsertBlock(lc->b);
    }
}

/* L (SF != OF) or LE (ZF or SF != OF) as one signed comparison of the
 * last SUB/CMP's operands, when the flags are still its and it was lifted
 * in the block being lifted now (so its operands are at hand); else NULL. */
static LLVMValueRef signed_cond(struct lift_ctx *lc, bool le)
{
    if (!lc->sub_flags.bb || lc->sub_flags.bb != LLVMGetInsertBlock(lc->b))
        return NULL;
    return LLVMBuildICmp(lc->b, le ? LLVMIntSLE : LLVMIntSLT, lc->sub_flags.a,
                         lc->sub_flags.b, "");
}

LLVMValueRef lift_cond(struct lift_ctx *lc, unsigned cc)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef v;
    switch (cc >> 1) {
    case 0: /* O */
        v = lift_flag_get(lc, FLAG_OF);
        break;
    case 1: /* B */
        v = lift_flag_get(lc, FLAG_CF);
        break;
    case 2: /* E */
        v = lift_flag_get(lc, FLAG_ZF);
        break;
    case 3: /* BE */
        v = LLVMBuildOr(b, lift_flag_get(lc, FLAG_CF),
                        lift_flag_get(lc, FLAG_ZF), "");
        break;
    case 4: /* S */
        v = lift_flag_get(lc, FLAG_SF);
        break;
    case 5: /* P */
        v = lift_flag_get(lc, FLAG_PF);
        break;
    case 6: /* L: SF != OF */
        if ((v = signed_cond(lc, false)))
            break;
        v = LLVMBuildXor(b, lift_flag_get(lc, FLAG_SF),
                         lift_flag_get(lc, FLAG_OF), "");
        break;
    default: /* LE: ZF or SF != OF */
        if ((v = signed_cond(lc, true)))
            break;
        v = LLVMBuildOr(b, lift_flag_get(lc, FLAG_ZF),
                        LLVMBuildXor(b, lift_flag_get(lc, FLAG_SF),
                                     lift_flag_get(lc, FLAG_OF), ""),
                        "");
        break;
    }
    if (cc & 1)
        v = LLVMBuildNot(b, v, "");
    return v;
}

int lift_cond_of(ZydisMnemonic m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_SETO:
    case ZYDIS_MNEMONIC_CMOVO: return 0;
    case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_SETNO:
    case ZYDIS_MNEMONIC_CMOVNO: return 1;
    case ZYDIS_MNEMONIC_JB: case ZYDIS_MNEMONIC_SETB:
    case ZYDIS_MNEMONIC_CMOVB: return 2;
    case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_SETNB:
    case ZYDIS_MNEMONIC_CMOVNB: return 3;
    case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_SETZ:
    case ZYDIS_MNEMONIC_CMOVZ: return 4;
    case ZYDIS_MNEMONIC_JNZ: case ZYDIS_MNEMONIC_SETNZ:
    case ZYDIS_MNEMONIC_CMOVNZ: return 5;
    case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_SETBE:
    case ZYDIS_MNEMONIC_CMOVBE: return 6;
    case ZYDIS_MNEMONIC_JNBE: case ZYDIS_MNEMONIC_SETNBE:
    case ZYDIS_MNEMONIC_CMOVNBE: return 7;
    case ZYDIS_MNEMONIC_JS: case ZYDIS_MNEMONIC_SETS:
    case ZYDIS_MNEMONIC_CMOVS: return 8;
    case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_SETNS:
    case ZYDIS_MNEMONIC_CMOVNS: return 9;
    case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_SETP:
    case ZYDIS_MNEMONIC_CMOVP: return 10;
    case ZYDIS_MNEMONIC_JNP: case ZYDIS_MNEMONIC_SETNP:
    case ZYDIS_MNEMONIC_CMOVNP: return 11;
    case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_SETL:
    case ZYDIS_MNEMONIC_CMOVL: return 12;
    case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_SETNL:
    case ZYDIS_MNEMONIC_CMOVNL: return 13;
    case ZYDIS_MNEMONIC_JLE: case ZYDIS_MNEMONIC_SETLE:
    case ZYDIS_MNEMONIC_CMOVLE: return 14;
    case ZYDIS_MNEMONIC_JNLE: case ZYDIS_MNEMONIC_SETNLE:
    case ZYDIS_MNEMONIC_CMOVNLE: return 15;
    default: return -1;
    }
}
