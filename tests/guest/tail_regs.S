/* Hand-written i386 assembly, no libc: every general register crosses
 * unit transitions intact.  Optimised units jump to the next unit with
 * the registers as arguments (lifter/lifter.h, LIFTER_UNIT_NARGS), so a
 * register passed in the wrong place shows only after such a jump.  Each
 * round sets EAX..EDI (ESP aside) to values of the round number, then
 * calls one of three functions through a pointer that changes every round
 * (never predicted: each call and each return leaves the unit through the
 * indirect-branch table); the function and the code after the return
 * compare every register, ESP included, with what the round expects.
 * The first and the last round call a fourth one instead, which makes a
 * system call first: it stays first-tier code, entered by the last round
 * from optimised code that does not store the registers it passes
 * (lifter/lift.c, unit_prologue), and the system call's exit stores them
 * and the return from it loads them from the state.
 * Prints "ok" and exits 0, or names the register and exits 1. */
#include "asm_exit.h"
        .section .data
targets: .long  f0, f1, f2
ok_msg: .ascii  "ok\n"
bad_msg: .ascii "bad eax\nbad ecx\nbad edx\nbad ebx\nbad esp\nbad ebp\nbad esi\nbad edi\n"
        .section .bss
        .lcomm round, 4
        .lcomm target, 4
        .lcomm exp, 32                  /* EAX..EDI, as pushal's order */
        .section .text
        .globl _start
_start:
        movl    $2000000, round
next:
        /* The expected values, from the round number. */
        mov     round, %eax
        mov     %eax, %ecx
        xor     $0x11111111, %ecx
        mov     %ecx, exp+0
        lea     0x22222222(%eax), %ecx
        mov     %ecx, exp+4
        lea     (%eax,%eax,2), %ecx
        mov     %ecx, exp+8
        mov     %eax, %ecx
        not     %ecx
        mov     %ecx, exp+12
        mov     %esp, exp+16
        lea     1(,%eax,4), %ecx
        mov     %ecx, exp+20
        mov     %eax, %ecx
        xor     $0x5a5a5a5a, %ecx
        mov     %ecx, exp+24
        lea     0x7777(%eax), %ecx
        mov     %ecx, exp+28
        /* This round's function. */
        xor     %edx, %edx
        mov     $3, %ecx
        div     %ecx
        mov     targets(,%edx,4), %eax
        cmpl    $1, round
        je      1f
        cmpl    $2000000, round
        jne     2f
1:      mov     $fsys, %eax
2:      mov     %eax, target
        /* The registers. */
        mov     exp+0, %eax
        mov     exp+4, %ecx
        mov     exp+8, %edx
        mov     exp+12, %ebx
        mov     exp+20, %ebp
        mov     exp+24, %esi
        mov     exp+28, %edi
        call    *target
        call    check                   /* after the return */
        decl    round
        jnz     next
        write_exit ok_msg, 3, 0

/* Three functions, each checking the registers (ESP is 4 lower here). */
f0:     subl    $4, exp+16
        call    check
        addl    $4, exp+16
        ret
f1:     addl    $-8, exp+16
        addl    $4, exp+16
        call    check
        addl    $4, exp+16
        ret
f2:     addl    $-4, exp+16
        call    check
        subl    $-4, exp+16
        ret

/* getpid() first: EAX is its result, then exp+0 again. */
fsys:   subl    $4, exp+16
        mov     $20, %eax
        int     $0x80
        mov     exp+0, %eax
        call    check
        addl    $4, exp+16
        ret

/* The registers against exp (ESP against exp+16 as the caller had it:
 * its return address is pushed here); all registers kept. */
check:  pushal                          /* EDI ESI EBP ESP EBX EDX ECX EAX */
        addl    $4, 12(%esp)            /* ESP before the call */
        mov     $7, %esi
1:      mov     $7, %edx
        sub     %esi, %edx              /* slot esi holds register 7 - esi */
        mov     (%esp,%esi,4), %eax
        cmp     exp(,%edx,4), %eax
        jne     bad
        dec     %esi
        jns     1b
        popal                           /* (skips the ESP slot) */
        ret

bad:    lea     bad_msg(,%edx,8), %ecx  /* write(1, bad_msg + 8 * edx, 8) */
        mov     $4, %eax
        mov     $1, %ebx
        mov     $8, %edx
        int     $0x80
        mov     $1, %eax                /* exit(1) */
        mov     $1, %ebx
        int     $0x80
