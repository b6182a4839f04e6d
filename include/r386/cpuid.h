/* The one CPU feature set r386 advertises to the guest.
 *
 * CPUID (executed by guest code) and AT_HWCAP (in the initial auxiliary
 * vector) both read these values, so a guest library that selects a code
 * path by either one chooses a path that r386 runs.  A bit is set here only
 * when the lifter implements the instructions it announces. */
#ifndef R386_CPUID_H
#define R386_CPUID_H

#include <stdint.h>

/* CPUID leaf 1, EDX bits (Intel SDM vol. 2A, table 3-11). */
enum {
    CPUID1_EDX_FPU = 1u << 0,
    CPUID1_EDX_TSC = 1u << 4,
    CPUID1_EDX_CX8 = 1u << 8,
    CPUID1_EDX_CMOV = 1u << 15,
    CPUID1_EDX_MMX = 1u << 23,
    CPUID1_EDX_FXSR = 1u << 24,
    CPUID1_EDX_SSE = 1u << 25,
    CPUID1_EDX_SSE2 = 1u << 26,
};

/* CPUID leaf 1, ECX bits. */
enum {
    CPUID1_ECX_SSE3 = 1u << 0,
    CPUID1_ECX_SSSE3 = 1u << 9,
};

/* What the lifter implements today: the i386 integer instruction set with
 * RDTSC, CMPXCHG8B and CMOVcc, the x87 FPU with FCMOVcc/FCOMI and
 * FXSAVE/FXRSTOR, and the whole of MMX (with the SSE-era extensions), SSE,
 * SSE2, SSE3 and SSSE3 (lifter/sse*.c, lifter/mmx.c; their differences
 * from hardware are listed there and in docs/DEVIATIONS.md).  Not
 * advertised, not implemented: CLFLUSH (CLFSH), MONITOR/MWAIT, SSE4 and
 * later. */
#define R386_CPUID1_EDX                                                    \
    (CPUID1_EDX_FPU | CPUID1_EDX_TSC | CPUID1_EDX_CX8 | CPUID1_EDX_CMOV |  \
     CPUID1_EDX_MMX | CPUID1_EDX_FXSR | CPUID1_EDX_SSE | CPUID1_EDX_SSE2)
#define R386_CPUID1_ECX (CPUID1_ECX_SSE3 | CPUID1_ECX_SSSE3)

/* AT_HWCAP on i386 is CPUID.1:EDX. */
#define R386_HWCAP R386_CPUID1_EDX

/* AT_PLATFORM string. */
#define R386_PLATFORM "i686"

#endif
