/* Hand-written i386 assembly: no libc.  Exercises string instructions
 * with both directions, loop/jecxz, xlat, BCD adjustment, enter/leave,
 * pushf/popf and the flags they carry, and prints a digest of the results
 * through int $0x80.  Exit status: 42. */
        .section .data
src:    .ascii "The quick brown fox jumps over the lazy dog"
srclen = . - src
hexdig: .ascii "0123456789abcdef"
        .section .bss
        .lcomm dst, 64
        .lcomm out, 16
        .section .text
        .globl _start
_start:
        xor     %ebp, %ebp              /* digest */
        /* forward copy with rep movsb, then a backward rep movsb */
        cld
        lea     src, %esi
        lea     dst, %edi
        mov     $srclen, %ecx
        rep movsb
        std
        lea     src+srclen-1, %esi
        lea     dst+srclen+9, %edi
        mov     $10, %ecx
        rep movsb
        cld
        /* sum the copy with lodsb in a loop */
        lea     dst, %esi
        mov     $srclen+10, %ecx
1:      lodsb
        movzbl  %al, %eax
        imul    $31, %ebp, %ebp
        add     %eax, %ebp
        loop    1b
        /* repne scasb: find 'z' */
        lea     dst, %edi
        mov     $srclen, %ecx
        mov     $'z', %al
        repne scasb
        add     %ecx, %ebp
        /* jecxz with ecx = 0 */
        xor     %ecx, %ecx
        jecxz   2f
        add     $1000, %ebp
2:      /* BCD: 0x38 + 0x45 = 0x83 decimal-adjusted */
        mov     $0x38, %al
        add     $0x45, %al
        daa
        movzbl  %al, %eax
        add     %eax, %ebp
        /* enter/leave and a flags round trip */
        enter   $16, $0                 /* ebp holds the frame until leave */
        stc
        pushf
        popl    %eax
        leave
        and     $0x8d5, %eax
        add     %eax, %ebp
        /* print ebp as 8 hex digits and a newline, via xlat */
        lea     hexdig, %ebx
        lea     out+7, %edi
        mov     $8, %ecx
        mov     %ebp, %edx
3:      mov     %dl, %al
        and     $15, %al
        xlat
        mov     %al, (%edi)
        dec     %edi
        shr     $4, %edx
        loop    3b
        movb    $10, out+8
        mov     $4, %eax                /* write(1, out, 9) */
        mov     $1, %ebx
        lea     out, %ecx
        mov     $9, %edx
        int     $0x80
        mov     $1, %eax                /* exit(42) */
        mov     $42, %ebx
        int     $0x80
