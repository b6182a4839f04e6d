/* Flag instructions, CPUID, RDTSC, software interrupts and the
 * instructions a Linux process may not execute.
 *
 * int $0x80 ends the unit with CPU_EXIT_SYSCALL; int3 and int $3 raise
 * SIGTRAP, into with OF set and int $4 SIGSEGV (#OF, after the
 * instruction); other int N, hlt and the privileged instructions raise #GP
 * (SIGSEGV at the instruction), as Linux reports them. */
#include "lift_internal.h"

static void set_cf(struct lift_ctx *lc, LLVMValueRef v)
{
    lift_flag_set(lc, FLAG_CF, v);
}

static void lift_cpuid(struct lift_ctx *lc)
{
    lift_call_helper(lc, LIFTER_HELPER_CPUID, LLVMVoidTypeInContext(lc->ctx));
}

static void lift_rdtsc(struct lift_ctx *lc)
{
    LLVMValueRef t = lift_call_helper(lc, LIFTER_HELPER_RDTSC, lc->i64);
    lift_gpr_set(lc, REG_EAX, lift_trunc(lc, t, 32));
    LLVMValueRef hi = LLVMBuildLShr(lc->b, t, lift_const(lc, 64, 32), "");
    lift_gpr_set(lc, REG_EDX, lift_trunc(lc, hi, 32));
}

/* int N: Linux's IDT lets user code reach only the gates of DPL 3:
 * 0x80 (system calls), 3 (breakpoint) and 4 (overflow), all traps (eip
 * after the instruction).  Any other vector is #GP at the instruction. */
static void lift_int(struct lift_ctx *lc)
{
    uint64_t n = lift_op(lc, 0)->imm.value.u & 0xff;
    if (n == 0x80) {
        lift_note_succ(lc, lc->next_pc); /* the dispatcher resumes there */
        lift_end_exit(lc, CPU_EXIT_SYSCALL, lift_i32(lc, lc->next_pc));
    }
    else if (n == 3)
        lift_end_exit(lc, CPU_EXIT_INT3, lift_i32(lc, lc->next_pc));
    else if (n == 4)
        lift_end_exit(lc, CPU_EXIT_INTO, lift_i32(lc, lc->next_pc));
    else
        lift_end_exit(lc, CPU_EXIT_PRIV, lift_i32(lc, lc->pc));
}

static void lift_into(struct lift_ctx *lc)
{
    lift_exit_if(lc, lift_flag_get(lc, FLAG_OF), CPU_EXIT_INTO, lc->next_pc);
}

bool lift_misc(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_CLC:
        set_cf(lc, lift_const(lc, 1, 0));
        return true;
    case ZYDIS_MNEMONIC_STC:
        set_cf(lc, lift_const(lc, 1, 1));
        return true;
    case ZYDIS_MNEMONIC_CMC:
        set_cf(lc, LLVMBuildNot(lc->b, lift_flag_get(lc, FLAG_CF), ""));
        return true;
    case ZYDIS_MNEMONIC_CLD:
        lift_df_set(lc, lift_const(lc, 1, 0));
        return true;
    case ZYDIS_MNEMONIC_STD:
        lift_df_set(lc, lift_const(lc, 1, 1));
        return true;
    case ZYDIS_MNEMONIC_CPUID:
        lift_cpuid(lc);
        return true;
    case ZYDIS_MNEMONIC_ENDBR32: /* CET markers and hints: no effect */
    case ZYDIS_MNEMONIC_ENDBR64:
    case ZYDIS_MNEMONIC_PAUSE:
    case ZYDIS_MNEMONIC_PREFETCHNTA:
    case ZYDIS_MNEMONIC_PREFETCHT0:
    case ZYDIS_MNEMONIC_PREFETCHT1:
    case ZYDIS_MNEMONIC_PREFETCHT2:
        return true;
    case ZYDIS_MNEMONIC_RDTSC:
        lift_rdtsc(lc);
        return true;
    case ZYDIS_MNEMONIC_INT:
        lift_int(lc);
        return true;
    case ZYDIS_MNEMONIC_INT3:
        lift_end_exit(lc, CPU_EXIT_INT3, lift_i32(lc, lc->next_pc));
        return true;
    case ZYDIS_MNEMONIC_INTO:
        lift_into(lc);
        return true;
    case ZYDIS_MNEMONIC_HLT:
    case ZYDIS_MNEMONIC_CLI:
    case ZYDIS_MNEMONIC_STI:
    case ZYDIS_MNEMONIC_IN:
    case ZYDIS_MNEMONIC_OUT:
    case ZYDIS_MNEMONIC_INSB:
    case ZYDIS_MNEMONIC_INSD:
    case ZYDIS_MNEMONIC_INSW:
    case ZYDIS_MNEMONIC_OUTSB:
    case ZYDIS_MNEMONIC_OUTSD:
    case ZYDIS_MNEMONIC_OUTSW:
    case ZYDIS_MNEMONIC_LGDT:
    case ZYDIS_MNEMONIC_LIDT:
    case ZYDIS_MNEMONIC_LLDT:
    case ZYDIS_MNEMONIC_LTR:
    case ZYDIS_MNEMONIC_LMSW:
    case ZYDIS_MNEMONIC_CLTS:
    case ZYDIS_MNEMONIC_INVD:
    case ZYDIS_MNEMONIC_WBINVD:
    case ZYDIS_MNEMONIC_INVLPG:
    case ZYDIS_MNEMONIC_RDMSR:
    case ZYDIS_MNEMONIC_WRMSR:
        lift_end_exit(lc, CPU_EXIT_PRIV, lift_i32(lc, lc->pc));
        return true;
    default:
        return false;
    }
}
