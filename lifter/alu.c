/* Integer arithmetic and logic: add adc sub sbb cmp and or xor test inc
 * dec neg not.  One parameterised handler serves each family.
 *
 * A LOCK prefix on a memory destination makes the read-modify-write one
 * atomic compare-and-swap loop, so concurrent guest threads see x86's
 * atomicity. */
#include "lift_internal.h"

enum alu_op { OP_ADD, OP_ADC, OP_SUB, OP_SBB, OP_AND, OP_OR, OP_XOR };

static LLVMValueRef compute(struct lift_ctx *lc, enum alu_op op,
                            LLVMValueRef a, LLVMValueRef b, LLVMValueRef cin)
{
    LLVMBuilderRef bd = lc->b;
    unsigned w = lift_width(a);
    switch (op) {
    case OP_ADD:
        return LLVMBuildAdd(bd, a, b, "");
    case OP_ADC:
        return LLVMBuildAdd(bd, LLVMBuildAdd(bd, a, b, ""),
                            lift_zext(lc, cin, w), "");
    case OP_SUB:
        return LLVMBuildSub(bd, a, b, "");
    case OP_SBB:
        return LLVMBuildSub(bd, LLVMBuildSub(bd, a, b, ""),
                            lift_zext(lc, cin, w), "");
    case OP_AND:
        return LLVMBuildAnd(bd, a, b, "");
    case OP_OR:
        return LLVMBuildOr(bd, a, b, "");
    default:
        return LLVMBuildXor(bd, a, b, "");
    }
}

static void set_flags(struct lift_ctx *lc, enum alu_op op, LLVMValueRef a,
                      LLVMValueRef b, LLVMValueRef cin, LLVMValueRef res)
{
    switch (op) {
    case OP_ADD:
        lift_flags_add(lc, a, b, NULL, res);
        break;
    case OP_ADC:
        lift_flags_add(lc, a, b, cin, res);
        break;
    case OP_SUB:
        lift_flags_sub(lc, a, b, NULL, res);
        break;
    case OP_SBB:
        lift_flags_sub(lc, a, b, cin, res);
        break;
    default:
        lift_flags_logic(lc, res);
        break;
    }
}

static bool locked_mem(struct lift_ctx *lc)
{
    return (lc->insn->attributes & ZYDIS_ATTRIB_HAS_LOCK) &&
           lift_op(lc, 0)->type == ZYDIS_OPERAND_TYPE_MEMORY;
}

/* An atomic read-modify-write of memory operand 0: old is loaded, new =
 * fn(old) stored with cmpxchg, retried until no other writer intervened.
 * Returns old; *newv gets the value written. */
typedef LLVMValueRef (*rmw_fn)(struct lift_ctx *lc, LLVMValueRef old,
                               void *arg);

static LLVMValueRef locked_rmw(struct lift_ctx *lc, rmw_fn fn, void *arg,
                               LLVMValueRef *newv)
{
    unsigned w = lift_op_bits(lc, 0);
    LLVMValueRef hp = lift_host_addr(lc, lift_op_addr(lc, 0));
    LLVMValueRef slot = lift_alloca(lc, lift_int_type(lc, w));
    LLVMValueRef first = LLVMBuildLoad2(lc->b, lift_int_type(lc, w), hp, "");
    LLVMSetAlignment(first, 1);
    LLVMBuildStore(lc->b, first, slot);
    LLVMBasicBlockRef loop = lift_block(lc, "rmw");
    LLVMBasicBlockRef done = lift_block(lc, "rmw_done");
    LLVMBuildBr(lc->b, loop);
    LLVMPositionBuilderAtEnd(lc->b, loop);
    LLVMValueRef old = LLVMBuildLoad2(lc->b, lift_int_type(lc, w), slot, "");
    LLVMValueRef nv = fn(lc, old, arg);
    LLVMValueRef pair = LLVMBuildAtomicCmpXchg(
        lc->b, hp, old, nv, LLVMAtomicOrderingSequentiallyConsistent,
        LLVMAtomicOrderingSequentiallyConsistent, 0);
    /* Natural alignment, whatever the guest address: x86's lock cmpxchg
     * works at any address, but LLVM turns an under-aligned atomic into a
     * call to __atomic_compare_exchange, which the JIT cannot resolve
     * and which would not be atomic against other translated code. */
    LLVMSetAlignment(pair, w / 8);
    LLVMValueRef seen = LLVMBuildExtractValue(lc->b, pair, 0, "");
    LLVMValueRef ok = LLVMBuildExtractValue(lc->b, pair, 1, "");
    LLVMBuildStore(lc->b, seen, slot);
    LLVMBuildCondBr(lc->b, ok, done, loop);
    LLVMPositionBuilderAtEnd(lc->b, done);
    *newv = nv;
    return old;
}

struct binop_arg {
    enum alu_op op;
    LLVMValueRef b, cin;
};

static LLVMValueRef binop_rmw(struct lift_ctx *lc, LLVMValueRef old,
                              void *arg)
{
    struct binop_arg *a = arg;
    return compute(lc, a->op, old, a->b, a->cin);
}

static void lift_binop(struct lift_ctx *lc, enum alu_op op, bool write)
{
    unsigned w = lift_op_bits(lc, 0);
    LLVMValueRef b = lift_resize(lc, lift_op_get(lc, 1), w);
    LLVMValueRef cin = NULL;
    if (op == OP_ADC || op == OP_SBB)
        cin = lift_flag_get(lc, FLAG_CF);
    LLVMValueRef a, res;
    if (write && locked_mem(lc)) {
        struct binop_arg arg = {op, b, cin};
        a = locked_rmw(lc, binop_rmw, &arg, &res);
    } else {
        a = lift_op_get(lc, 0);
        res = compute(lc, op, a, b, cin);
        if (write)
            lift_op_set(lc, 0, res);
    }
    set_flags(lc, op, a, b, cin, res);
}

static LLVMValueRef not_rmw(struct lift_ctx *lc, LLVMValueRef old, void *arg)
{
    return LLVMBuildNot(lc->b, old, "");
}

static LLVMValueRef neg_rmw(struct lift_ctx *lc, LLVMValueRef old, void *arg)
{
    return LLVMBuildNeg(lc->b, old, "");
}

static LLVMValueRef incdec_rmw(struct lift_ctx *lc, LLVMValueRef old,
                               void *arg)
{
    unsigned w = lift_width(old);
    return arg ? LLVMBuildSub(lc->b, old, lift_const(lc, w, 1), "")
               : LLVMBuildAdd(lc->b, old, lift_const(lc, w, 1), "");
}

/* Apply fn to operand 0 (atomically under LOCK); returns the old value. */
static LLVMValueRef unary(struct lift_ctx *lc, rmw_fn fn, void *arg,
                          LLVMValueRef *res)
{
    if (locked_mem(lc))
        return locked_rmw(lc, fn, arg, res);
    LLVMValueRef a = lift_op_get(lc, 0);
    *res = fn(lc, a, arg);
    lift_op_set(lc, 0, *res);
    return a;
}

/* INC/DEC: like ADD/SUB of 1 but CF is unchanged. */
static void lift_incdec(struct lift_ctx *lc, bool dec)
{
    LLVMValueRef cf = lift_flag_get(lc, FLAG_CF);
    LLVMValueRef res;
    LLVMValueRef a = unary(lc, incdec_rmw, dec ? (void *)1 : NULL, &res);
    LLVMValueRef one = lift_const(lc, lift_width(a), 1);
    if (dec)
        lift_flags_sub(lc, a, one, NULL, res);
    else
        lift_flags_add(lc, a, one, NULL, res);
    lift_flag_set(lc, FLAG_CF, cf);
}

/* NEG: 0 - a; CF = (a != 0). */
static void lift_neg(struct lift_ctx *lc)
{
    LLVMValueRef res;
    LLVMValueRef a = unary(lc, neg_rmw, NULL, &res);
    LLVMValueRef zero = lift_const(lc, lift_width(a), 0);
    lift_flags_sub(lc, zero, a, NULL, res);
}

bool lift_alu(struct lift_ctx *lc)
{
    LLVMValueRef res;
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_ADD: lift_binop(lc, OP_ADD, true); return true;
    case ZYDIS_MNEMONIC_ADC: lift_binop(lc, OP_ADC, true); return true;
    case ZYDIS_MNEMONIC_SUB: lift_binop(lc, OP_SUB, true); return true;
    case ZYDIS_MNEMONIC_SBB: lift_binop(lc, OP_SBB, true); return true;
    case ZYDIS_MNEMONIC_AND: lift_binop(lc, OP_AND, true); return true;
    case ZYDIS_MNEMONIC_OR: lift_binop(lc, OP_OR, true); return true;
    case ZYDIS_MNEMONIC_XOR: lift_binop(lc, OP_XOR, true); return true;
    case ZYDIS_MNEMONIC_CMP: lift_binop(lc, OP_SUB, false); return true;
    case ZYDIS_MNEMONIC_TEST: lift_binop(lc, OP_AND, false); return true;
    case ZYDIS_MNEMONIC_INC: lift_incdec(lc, false); return true;
    case ZYDIS_MNEMONIC_DEC: lift_incdec(lc, true); return true;
    case ZYDIS_MNEMONIC_NEG: lift_neg(lc); return true;
    case ZYDIS_MNEMONIC_NOT: /* flags unaffected */
        unary(lc, not_rmw, NULL, &res);
        return true;
    default:
        return false;
    }
}
