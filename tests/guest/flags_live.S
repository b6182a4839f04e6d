/* Hand-written i386 assembly, no libc: flags that live across a jump.
 * An optimised unit's indirect jump to code it finds in the
 * indirect-branch table stores the flags only when the table marks that
 * code as one that may read a flag before writing it (lifter/lift.c,
 * end_indirect; lifter_flags_live).  Each round sets CF from a bit of the
 * round number and then
 *   - jumps through a pointer that changes every round (never predicted)
 *     to code that starts with `adc` (the table must not take it);
 *   - calls a function through such a pointer that returns a CF of its
 *     own, read by the `adc` after the return;
 *   - calls a pc thunk between setting CF and reading it;
 * and counts the carries it read against the bits themselves.  Prints
 * "ok" and exits 0, or "bad" and exits 1. */
#include "asm_exit.h"
        .section .data
jumps:  .long   ja0, ja1
calls:  .long   fc0, fc1
ok_msg: .ascii  "ok\n"
bad_msg: .ascii "bad\n"
        .section .bss
        .lcomm round, 4
        .lcomm target, 4
        .lcomm want, 12
        .section .text
        .globl _start
_start:
        movl    $1000000, round
        xor     %esi, %esi              /* carries read: jump, call, thunk */
        xor     %edi, %edi
        xor     %ebp, %ebp
next:
        mov     round, %eax
        mov     %eax, %ecx
        and     $1, %ecx
        mov     jumps(,%ecx,4), %edx
        mov     %edx, target
        /* What the three should read: bits 0, 1 and 2 of the round. */
        mov     %eax, %edx
        and     $1, %edx
        add     %edx, want
        mov     %eax, %edx
        shr     $1, %edx
        and     $1, %edx
        add     %edx, want+4
        mov     %eax, %edx
        shr     $2, %edx
        and     $1, %edx
        add     %edx, want+8
        /* CF = bit 0, then the jump: its target reads it. */
        bt      $0, %eax
        jmp     *target
back:
        /* A call whose function returns bit 1 in CF. */
        mov     round, %eax
        mov     %eax, %ecx
        shr     $1, %ecx
        and     $1, %ecx
        mov     calls(,%ecx,4), %edx
        mov     %edx, target
        call    *target
        adc     $0, %edi
        /* CF = bit 2 across a pc thunk. */
        mov     round, %eax
        bt      $2, %eax
        call    thunk
        adc     $0, %ebp
        decl    round
        jnz     next
        cmp     want, %esi
        jne     bad
        cmp     want+4, %edi
        jne     bad
        cmp     want+8, %ebp
        jne     bad
        write_exit ok_msg, 3, 0
bad:    write_exit bad_msg, 4, 1

/* The jump's two targets: each reads CF first. */
ja0:    adc     $0, %esi
        jmp     back
ja1:    adc     $0, %esi
        jmp     back

/* The calls' two functions: CF = bit 1 of the round, set before the
 * ret (the caller reads it after the return). */
fc0:    mov     round, %eax
        bt      $1, %eax
        ret
fc1:    mov     round, %eax
        bt      $1, %eax
        ret

thunk:  mov     (%esp), %ebx
        ret
