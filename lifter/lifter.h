/* lifter: decodes guest i386 code with Zydis and emits LLVM IR for a
 * translation unit starting at a guest pc.
 *
 * A unit is one LLVM function of type cpu_unit_fn (see r386/cpu.h).
 * Guest registers and flags live in SSA values inside it and are written
 * back at its exits.  Translated code calls runtime helpers only by the
 * names below (the helper ABI); the JIT resolves them. */
#ifndef R386_LIFTER_H
#define R386_LIFTER_H

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "r386/guest.h"

/* Helper ABI: functions translated code may call, all taking the CPU
 * state pointer first. */
#define LIFTER_HELPER_CPUID "r386_helper_cpuid"   /* void (state*) */
#define LIFTER_HELPER_RDTSC "r386_helper_rdtsc"   /* i64 (state*) */
/* A segment selector in the state changed: recompute the bases. */
#define LIFTER_HELPER_LOAD_SEGS "r386_helper_load_segs" /* void (state*) */
/* One x87 operation on the host's own x87 under the guest's control word
 * (rounding, precision): state->fpu_op is an enum lifter_fpu_op, the
 * operands are ST(0) = fpu_tmp[0] and ST(1) = fpu_tmp[1] (as 80-bit
 * values, unless noted), the results ST(0) and ST(1) after the instruction
 * go back there.  Returns the host status word's C0-C3 bits after it.
 * The helper does no stack bookkeeping: the lifter reads, pushes and pops
 * the guest stack. */
#define LIFTER_HELPER_FPU "r386_helper_fpu" /* i64 (state*) */

enum lifter_fpu_op {
    LIFTER_FPU_ADD, LIFTER_FPU_SUB, LIFTER_FPU_MUL, LIFTER_FPU_DIV,
    LIFTER_FPU_SQRT, LIFTER_FPU_RNDINT, LIFTER_FPU_SCALE, LIFTER_FPU_PREM,
    LIFTER_FPU_PREM1, LIFTER_FPU_XTRACT, LIFTER_FPU_SIN, LIFTER_FPU_COS,
    LIFTER_FPU_SINCOS, LIFTER_FPU_PTAN, LIFTER_FPU_PATAN, LIFTER_FPU_F2XM1,
    LIFTER_FPU_YL2X, LIFTER_FPU_YL2XP1,
    /* ST(0) stored as float, double, int16, int32, int64 or packed BCD:
     * the bytes land in fpu_tmp[0]. */
    LIFTER_FPU_ST32, LIFTER_FPU_ST64, LIFTER_FPU_IST16, LIFTER_FPU_IST32,
    LIFTER_FPU_IST64, LIFTER_FPU_BSTP,
    /* The packed BCD in fpu_tmp[0] loaded: its value in fpu_tmp[0]. */
    LIFTER_FPU_BLD,
};

/* Where guest code bytes come from.  read copies up to max bytes of
 * executable guest memory starting at pc into buf and returns how many it
 * could (0 when pc itself is not executable). */
struct lifter_code_source {
    void *ctx;
    size_t (*read)(void *ctx, guest_addr_t pc, uint8_t *buf, size_t max);
};

/* What the JIT tells the lifter about its translation cache.  A unit
 * that ends in a direct branch to pc returns the content of the cell
 * chain_cell(pc): 0 (CPU_EXIT_JUMP) until pc is translated, then the
 * translation's code, which the dispatcher calls at once. */
struct lifter_env {
    void *ctx;
    void **(*chain_cell)(void *ctx, guest_addr_t pc);
};

#define LIFTER_MAX_SUCC 4

struct lifter_unit {
    guest_addr_t pc;      /* first instruction */
    /* Guest pcs execution is likely to reach next: direct branch targets
     * and the return address of a call (for translating ahead). */
    unsigned nsucc;
    guest_addr_t succ[LIFTER_MAX_SUCC];
    guest_addr_t end_pc;  /* first byte after the last lifted instruction */
    unsigned insns;       /* instructions lifted */
    /* The unit ends at an instruction the lifter does not know (executing
     * it raises SIGILL): its address and bytes, for the debug note. */
    bool unknown;
    guest_addr_t unknown_pc;
    uint8_t unknown_bytes[15];
    uint8_t unknown_len;
};

struct lifter;

struct lifter *lifter_create(void);
void lifter_destroy(struct lifter *l);

/* Lift the unit starting at pc into module m as a function called name.
 * Returns 0 or a negative errno (only for internal failures: unknown or
 * unfetchable instructions become guest exits, not errors). */
__attribute__((warn_unused_result))
int lifter_lift_unit(const struct lifter *l, LLVMModuleRef m,
                     const char *name, guest_addr_t pc,
                     const struct lifter_code_source *code,
                     const struct lifter_env *env, struct lifter_unit *out);

/* Format the instruction at bytes (for debug notes); returns buf. */
const char *lifter_format(const struct lifter *l, guest_addr_t pc,
                          const uint8_t *bytes, size_t len, char *buf,
                          size_t buflen);

#endif
