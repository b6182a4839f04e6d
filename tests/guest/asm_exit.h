/* For the hand-written guest programs (no libc): write(1, msg, len) and
 * exit(status). */
        .macro  write_exit msg, len, status
        mov     $4, %eax
        mov     $1, %ebx
        mov     $\msg, %ecx
        mov     $\len, %edx
        int     $0x80
        mov     $1, %eax
        mov     $\status, %ebx
        int     $0x80
        .endm
