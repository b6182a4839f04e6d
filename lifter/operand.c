/* Guest memory accesses and instruction operands.
 *
 * A guest access is one host load or store at mem_base + zext(addr): the
 * 4 GiB window makes every 32-bit address valid host memory to address,
 * and an access to an unmapped guest page faults in the host, where the
 * runtime turns it into a guest SIGSEGV with the pc of the faulting
 * instruction, named by the host pc: every instruction carries the guest
 * pc it was lifted from as its debug line (lift.c), and the JIT reads the
 * object's line table at a fault (jit/pcmap.c).  Nothing is stored at run
 * time, except where a host function makes the access for the unit
 * (memmove, memset: their host pc names no unit): there the instruction
 * first stores its pc to the state's insn_pc (lift_store_insn_pc; a volatile
 * store, which LLVM neither drops nor moves across the other volatile
 * stores).
 *
 * Deviation: segment registers other than FS and GS are taken as flat
 * (base 0), as they are for every Linux process. */
#include <assert.h>

#include "lift_internal.h"

void lift_store_insn_pc(struct lift_ctx *lc, LLVMValueRef pc32)
{
    LLVMValueRef s = LLVMBuildStore(lc->b, pc32,
                                    lift_state_ptr(lc, CPU_OFF_INSN_PC));
    LLVMSetVolatile(s, 1);
}

LLVMValueRef lift_host_addr(struct lift_ctx *lc, LLVMValueRef addr32)
{
    LLVMValueRef off = lift_zext(lc, addr32, 64);
    return LLVMBuildGEP2(lc->b, lc->i8, lc->mem_base, &off, 1, "");
}

/* gep i8, mem_base, zext(x + c) -> gep i8, (gep i8, mem_base, zext x), c
 * (lifter.h).  mem_base is the inttoptr of the unit's mem_base argument. */
static void fold_gep(LLVMBuilderRef b, LLVMValueRef gep, LLVMValueRef base,
                     LLVMTypeRef i8, LLVMTypeRef i64)
{
    if (LLVMGetNumOperands(gep) != 2 || LLVMGetGEPSourceElementType(gep) != i8)
        return;
    LLVMValueRef z = LLVMGetOperand(gep, 1);
    if (!LLVMIsAZExtInst(z))
        return;
    LLVMValueRef a = LLVMGetOperand(z, 0);
    if (!LLVMIsAInstruction(a) || LLVMGetInstructionOpcode(a) != LLVMAdd ||
        LLVMGetIntTypeWidth(LLVMTypeOf(a)) != 32 ||
        !LLVMIsAConstantInt(LLVMGetOperand(a, 1)))
        return;
    int64_t c = LLVMConstIntGetSExtValue(LLVMGetOperand(a, 1));
    if (c <= -GUEST_DISP_FOLD_MAX || c >= GUEST_DISP_FOLD_MAX)
        return;
    LLVMPositionBuilderBefore(b, gep);
    LLVMValueRef x = LLVMBuildZExt(b, LLVMGetOperand(a, 0), i64, "");
    LLVMValueRef p = LLVMBuildGEP2(b, i8, base, &x, 1, "");
    LLVMValueRef d = LLVMConstInt(i64, (unsigned long long)c, 1);
    p = LLVMBuildGEP2(b, i8, p, &d, 1, "");
    LLVMReplaceAllUsesWith(gep, p);
    LLVMInstructionEraseFromParent(gep);
}

void lifter_fold_displacements(LLVMModuleRef m)
{
    LLVMContextRef ctx = LLVMGetModuleContext(m);
    LLVMTypeRef i8 = LLVMInt8TypeInContext(ctx);
    LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
    LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
    for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn;
         fn = LLVMGetNextFunction(fn)) {
        if (LLVMIsDeclaration(fn) ||
            LLVMCountParams(fn) != LIFTER_UNIT_NARGS)
            continue;
        LLVMValueRef arg = LLVMGetParam(fn, 1 + REG_COUNT);
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb;
             bb = LLVMGetNextBasicBlock(bb)) {
            for (LLVMValueRef in = LLVMGetFirstInstruction(bb), next; in;
                 in = next) {
                next = LLVMGetNextInstruction(in);
                if (LLVMIsAGetElementPtrInst(in) &&
                    LLVMIsAIntToPtrInst(LLVMGetOperand(in, 0)) &&
                    LLVMGetOperand(LLVMGetOperand(in, 0), 0) == arg)
                    fold_gep(b, in, LLVMGetOperand(in, 0), i8, i64);
            }
        }
    }
    LLVMDisposeBuilder(b);
}

LLVMValueRef lift_load(struct lift_ctx *lc, LLVMValueRef addr32,
                       unsigned bits)
{
    LLVMValueRef v = LLVMBuildLoad2(lc->b, lift_int_type(lc, bits),
                                    lift_host_addr(lc, addr32), "");
    LLVMSetAlignment(v, 1);
    return v;
}

void lift_store(struct lift_ctx *lc, LLVMValueRef addr32, LLVMValueRef v)
{
    LLVMValueRef s = LLVMBuildStore(lc->b, v, lift_host_addr(lc, addr32));
    LLVMSetAlignment(s, 1);
}

void lift_push(struct lift_ctx *lc, LLVMValueRef v)
{
    unsigned bytes = lift_width(v) / 8;
    LLVMValueRef sp = LLVMBuildSub(lc->b, lift_gpr_get(lc, REG_ESP),
                                   lift_i32(lc, bytes), "");
    lift_store(lc, sp, v);
    lift_gpr_set(lc, REG_ESP, sp);
}

LLVMValueRef lift_pop(struct lift_ctx *lc, unsigned bits)
{
    LLVMValueRef sp = lift_gpr_get(lc, REG_ESP);
    LLVMValueRef v = lift_load(lc, sp, bits);
    lift_gpr_set(lc, REG_ESP,
                 LLVMBuildAdd(lc->b, sp, lift_i32(lc, bits / 8), ""));
    return v;
}

LLVMValueRef lift_seg_add(struct lift_ctx *lc, ZydisRegister seg,
                          LLVMValueRef addr32)
{
    enum cpu_seg s;
    if (seg == ZYDIS_REGISTER_FS)
        s = SEG_FS;
    else if (seg == ZYDIS_REGISTER_GS)
        s = SEG_GS;
    else
        return addr32;
    LLVMValueRef base = LLVMBuildLoad2(
        lc->b, lc->i32, lift_state_ptr(lc, CPU_OFF_SEG_BASE + 4 * s), "");
    return LLVMBuildAdd(lc->b, addr32, base, "");
}

const ZydisDecodedOperand *lift_op(struct lift_ctx *lc, unsigned i)
{
    assert(i < lc->insn->operand_count);
    return &lc->ops[i];
}

unsigned lift_op_bits(struct lift_ctx *lc, unsigned i)
{
    return lift_op(lc, i)->size;
}

/* base + index*scale + disp, in the instruction's address size. */
LLVMValueRef lift_op_ea(struct lift_ctx *lc, unsigned i)
{
    const ZydisDecodedOperand *op = lift_op(lc, i);
    assert(op->type == ZYDIS_OPERAND_TYPE_MEMORY);
    unsigned aw = lc->insn->address_width; /* 16 or 32 */
    LLVMValueRef ea = lift_const(lc, aw, (uint64_t)op->mem.disp.value);
    if (op->mem.base != ZYDIS_REGISTER_NONE &&
        op->mem.base != ZYDIS_REGISTER_EIP)
        ea = LLVMBuildAdd(lc->b, ea, lift_reg_get(lc, op->mem.base), "");
    if (op->mem.index != ZYDIS_REGISTER_NONE) {
        LLVMValueRef idx = lift_reg_get(lc, op->mem.index);
        if (op->mem.scale > 1)
            idx = LLVMBuildMul(lc->b, idx, lift_const(lc, aw, op->mem.scale),
                               "");
        ea = LLVMBuildAdd(lc->b, ea, idx, "");
    }
    return lift_zext(lc, ea, 32);
}

LLVMValueRef lift_op_addr(struct lift_ctx *lc, unsigned i)
{
    return lift_seg_add(lc, lift_op(lc, i)->mem.segment, lift_op_ea(lc, i));
}

LLVMValueRef lift_op_get(struct lift_ctx *lc, unsigned i)
{
    const ZydisDecodedOperand *op = lift_op(lc, i);
    switch (op->type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
        return lift_reg_get(lc, op->reg.value);
    case ZYDIS_OPERAND_TYPE_MEMORY:
        return lift_load(lc, lift_op_addr(lc, i), op->size);
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        /* value.u holds the immediate already sign- or zero-extended as
         * the encoding says; op->size may be its encoded size (imm8), so
         * the constant takes the instruction's operand size. */
        return lift_const(lc, lc->insn->operand_width, op->imm.value.u);
    default:
        assert(!"unsupported operand type");
        return NULL;
    }
}

void lift_op_set(struct lift_ctx *lc, unsigned i, LLVMValueRef v)
{
    const ZydisDecodedOperand *op = lift_op(lc, i);
    switch (op->type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
        lift_reg_set(lc, op->reg.value, v);
        return;
    case ZYDIS_OPERAND_TYPE_MEMORY:
        lift_store(lc, lift_op_addr(lc, i), lift_resize(lc, v, op->size));
        return;
    default:
        assert(!"unsupported destination operand");
    }
}
