/* Exchanges: xchg, xadd, cmpxchg (8/16/32) and cmpxchg8b.
 *
 * XCHG with memory is atomic with or without LOCK, as on x86; XADD,
 * CMPXCHG and CMPXCHG8B are atomic with LOCK (Zydis refuses LOCK on the
 * register forms, so those are SIGILL, as the #UD of hardware).  An atomic
 * access is an LLVM atomicrmw / cmpxchg, sequentially consistent like
 * every locked x86 instruction.
 *
 * Alignment: each atomic claims the natural alignment of its size, as
 * alu.c's locked read-modify-write does.  With less, LLVM would call
 * libatomic (__atomic_compare_exchange...), which the JIT cannot resolve
 * and which would not be atomic against other translated code.  A
 * naturally aligned guest address is a naturally aligned host address
 * (the guest window is page aligned).  A misaligned one breaks the claim
 * in LLVM's terms, but what x86-64 code generation makes of these
 * atomics is the locked host instruction itself (xchg, lock xadd, lock
 * cmpxchg; lock cmpxchgq for cmpxchg8b), which the host executes
 * atomically at any address, across cache lines too, exactly as the
 * guest's own processor would.
 *
 * Where r386 differs from hardware: nothing known.  As on hardware,
 * CMPXCHG without LOCK writes its destination even when the comparison
 * fails (with the value it had), so a read-only destination faults. */
#include "lift_internal.h"

enum atomic_kind { AT_XCHG, AT_XADD, AT_CMPXCHG };

/* An atomic exchange, add or compare-exchange (with expected) of v at
 * guest address addr32; returns the old value. */
static LLVMValueRef atomic_op(struct lift_ctx *lc, enum atomic_kind k,
                              LLVMValueRef addr32, LLVMValueRef v,
                              LLVMValueRef expected)
{
    const LLVMAtomicOrdering sc = LLVMAtomicOrderingSequentiallyConsistent;
    LLVMValueRef hp = lift_host_addr(lc, addr32);
    LLVMValueRef i, old;
    if (k == AT_CMPXCHG) {
        i = LLVMBuildAtomicCmpXchg(lc->b, hp, expected, v, sc, sc, 0);
        old = LLVMBuildExtractValue(lc->b, i, 0, "");
    } else {
        i = LLVMBuildAtomicRMW(lc->b,
                               k == AT_XCHG ? LLVMAtomicRMWBinOpXchg
                                            : LLVMAtomicRMWBinOpAdd,
                               hp, v, sc, 0);
        old = i;
    }
    /* Natural alignment whatever the address: see the top of the file. */
    LLVMSetAlignment(i, lift_width(v) / 8);
    return old;
}

static bool is_mem(struct lift_ctx *lc, unsigned i)
{
    return lift_op(lc, i)->type == ZYDIS_OPERAND_TYPE_MEMORY;
}

static bool locked(struct lift_ctx *lc)
{
    return (lc->insn->attributes & ZYDIS_ATTRIB_HAS_LOCK) != 0;
}

/* Operand 0 (Zydis puts the r/m operand first) is read and written through
 * an address computed once: the instruction may also write a register
 * the address uses (xadd %ecx,(%ecx)).  addr is NULL for a register. */
static LLVMValueRef dst_addr(struct lift_ctx *lc)
{
    return is_mem(lc, 0) ? lift_op_addr(lc, 0) : NULL;
}

static LLVMValueRef dst_get(struct lift_ctx *lc, LLVMValueRef addr)
{
    return addr ? lift_load(lc, addr, lift_op_bits(lc, 0))
                : lift_op_get(lc, 0);
}

static void dst_set(struct lift_ctx *lc, LLVMValueRef addr, LLVMValueRef v)
{
    if (addr)
        lift_store(lc, addr, v);
    else
        lift_op_set(lc, 0, v);
}

/* XCHG: always atomic with memory. */
static void lift_xchg(struct lift_ctx *lc)
{
    LLVMValueRef addr = dst_addr(lc);
    LLVMValueRef src = lift_op_get(lc, 1);
    LLVMValueRef old = addr ? atomic_op(lc, AT_XCHG, addr, src, NULL)
                            : lift_op_get(lc, 0);
    if (!addr)
        lift_op_set(lc, 0, src);
    lift_op_set(lc, 1, old);
}

/* XADD: tmp = dst + src; src = dst; dst = tmp (dst written last, so
 * xadd %eax,%eax leaves the sum).  Flags as ADD. */
static void lift_xadd(struct lift_ctx *lc)
{
    LLVMValueRef addr = dst_addr(lc);
    LLVMValueRef src = lift_op_get(lc, 1);
    LLVMValueRef old, sum;
    if (addr && locked(lc)) {
        old = atomic_op(lc, AT_XADD, addr, src, NULL);
        sum = LLVMBuildAdd(lc->b, old, src, "");
        lift_op_set(lc, 1, old);
    } else {
        old = dst_get(lc, addr);
        sum = LLVMBuildAdd(lc->b, old, src, "");
        lift_op_set(lc, 1, old);
        dst_set(lc, addr, sum);
    }
    lift_flags_add(lc, old, src, NULL, sum);
}

/* CMPXCHG: flags of acc - dst; equal: dst = src; else acc = dst. */
static void lift_cmpxchg(struct lift_ctx *lc)
{
    unsigned w = lift_op_bits(lc, 0);
    LLVMValueRef addr = dst_addr(lc);
    LLVMValueRef acc = lift_gpr_get_w(lc, REG_EAX, w);
    LLVMValueRef src = lift_op_get(lc, 1);
    LLVMValueRef old;
    if (addr && locked(lc)) {
        old = atomic_op(lc, AT_CMPXCHG, addr, src, acc);
        lift_gpr_set_w(lc, REG_EAX, w, old);
    } else {
        old = dst_get(lc, addr);
        LLVMValueRef eq = LLVMBuildICmp(lc->b, LLVMIntEQ, acc, old, "");
        /* acc = old changes nothing when equal; it comes first so that
         * cmpxchg %ecx,%eax (dst is the accumulator) ends with ECX. */
        lift_gpr_set_w(lc, REG_EAX, w, old);
        dst_set(lc, addr, LLVMBuildSelect(lc->b, eq, src, old, ""));
    }
    lift_flags_sub(lc, acc, old, NULL, LLVMBuildSub(lc->b, acc, old, ""));
}

static LLVMValueRef pair64(struct lift_ctx *lc, enum cpu_reg hi,
                           enum cpu_reg lo)
{
    LLVMValueRef h = lift_zext(lc, lift_gpr_get(lc, hi), 64);
    LLVMValueRef l = lift_zext(lc, lift_gpr_get(lc, lo), 64);
    h = LLVMBuildShl(lc->b, h, lift_const(lc, 64, 32), "");
    return LLVMBuildOr(lc->b, h, l, "");
}

/* CMPXCHG8B m64: EDX:EAX == m64 ? (ZF=1, m64 = ECX:EBX)
 * : (ZF=0, EDX:EAX = m64).  Other flags unchanged. */
static void lift_cmpxchg8b(struct lift_ctx *lc)
{
    LLVMValueRef expected = pair64(lc, REG_EDX, REG_EAX);
    LLVMValueRef nv = pair64(lc, REG_ECX, REG_EBX);
    LLVMValueRef addr = lift_op_addr(lc, 0);
    LLVMValueRef old;
    if (locked(lc)) {
        old = atomic_op(lc, AT_CMPXCHG, addr, nv, expected);
    } else {
        old = lift_load(lc, addr, 64);
        LLVMValueRef eq = LLVMBuildICmp(lc->b, LLVMIntEQ, old, expected, "");
        lift_store(lc, addr, LLVMBuildSelect(lc->b, eq, nv, old, ""));
    }
    lift_flag_set(lc, FLAG_ZF,
                  LLVMBuildICmp(lc->b, LLVMIntEQ, old, expected, ""));
    lift_gpr_set(lc, REG_EAX, lift_trunc(lc, old, 32));
    LLVMValueRef hi = LLVMBuildLShr(lc->b, old, lift_const(lc, 64, 32), "");
    lift_gpr_set(lc, REG_EDX, lift_trunc(lc, hi, 32));
}

bool lift_atomic(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_XCHG:
        lift_xchg(lc);
        return true;
    case ZYDIS_MNEMONIC_XADD:
        lift_xadd(lc);
        return true;
    case ZYDIS_MNEMONIC_CMPXCHG:
        lift_cmpxchg(lc);
        return true;
    case ZYDIS_MNEMONIC_CMPXCHG8B:
        if (!is_mem(lc, 0))
            return false; /* the register form is #UD */
        lift_cmpxchg8b(lc);
        return true;
    default:
        return false;
    }
}
