/* Entering translated code (r386/cpu.h, cpu_run_chain).
 *
 * Units use LLVM's preserve_none convention (lifter.h): the state pointer
 * arrives in r12 and a unit saves no register for its caller, so that a
 * unit jumping on to the next (a tail call) pushes and pops nothing.  C
 * cannot call such code; this function does, in a loop, for as long as
 * units return the code of the next one:
 *
 *   uintptr_t lifter_run_units(uintptr_t code, struct cpu_state *state,
 *                              const volatile uint32_t *interrupt);
 *
 * returns the first value below CPU_EXIT_LIMIT (16), or the next code when
 * *interrupt is set.  The C callee-saved registers are saved once here.
 * Each unit gets its arguments (lifter.h, LIFTER_UNIT_NARGS) from the
 * state: EAX..EDI in r13d r14d r15d edi esi edx ecx r8d, mem_base in r9
 * (the offsets are r386/cpu.h's CPU_OFF_GPR and CPU_OFF_MEM_BASE). */
        .text
        .globl  lifter_run_units
        .type   lifter_run_units, @function
lifter_run_units:
        .cfi_startproc
        pushq   %rbp
        .cfi_def_cfa_offset 16
        pushq   %rbx
        .cfi_def_cfa_offset 24
        pushq   %r12
        .cfi_def_cfa_offset 32
        pushq   %r13
        .cfi_def_cfa_offset 40
        pushq   %r14
        .cfi_def_cfa_offset 48
        pushq   %r15
        .cfi_def_cfa_offset 56
        subq    $24, %rsp               /* state, interrupt; 16-aligned */
        .cfi_def_cfa_offset 80
        movq    %rsi, (%rsp)
        movq    %rdx, 8(%rsp)
        movq    %rdi, %rax
1:      movq    (%rsp), %r12
        movl    0(%r12), %r13d
        movl    4(%r12), %r14d
        movl    8(%r12), %r15d
        movl    12(%r12), %edi
        movl    16(%r12), %esi
        movl    20(%r12), %edx
        movl    24(%r12), %ecx
        movl    28(%r12), %r8d
        movq    88(%r12), %r9
        callq   *%rax
        cmpq    $16, %rax               /* CPU_EXIT_LIMIT */
        jb      2f
        movq    8(%rsp), %rcx
        cmpl    $0, (%rcx)
        je      1b
2:      addq    $24, %rsp
        .cfi_def_cfa_offset 56
        popq    %r15
        .cfi_def_cfa_offset 48
        popq    %r14
        .cfi_def_cfa_offset 40
        popq    %r13
        .cfi_def_cfa_offset 32
        popq    %r12
        .cfi_def_cfa_offset 24
        popq    %rbx
        .cfi_def_cfa_offset 16
        popq    %rbp
        .cfi_def_cfa_offset 8
        retq
        .cfi_endproc
        .size   lifter_run_units, .-lifter_run_units

/* An optimised unit's way back to lifter_run_units (lifter.h,
 * LIFTER_SYM_UNIT_BACK), tail-called with the unit's arguments: EAX..EDI
 * in r13d r14d r15d edi esi edx ecx r8d go to the state at r12, the guest
 * pc in r11d to its eip, and the code in rax is returned. */
        .globl  lifter_unit_back
        .type   lifter_unit_back, @function
lifter_unit_back:
        .cfi_startproc
        movl    %r13d, 0(%r12)
        movl    %r14d, 4(%r12)
        movl    %r15d, 8(%r12)
        movl    %edi, 12(%r12)
        movl    %esi, 16(%r12)
        movl    %edx, 20(%r12)
        movl    %ecx, 24(%r12)
        movl    %r8d, 28(%r12)
        movl    %r11d, 32(%r12)         /* CPU_OFF_EIP */
        retq
        .cfi_endproc
        .size   lifter_unit_back, .-lifter_unit_back

        .section .note.GNU-stack,"",@progbits
