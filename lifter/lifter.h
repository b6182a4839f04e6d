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

/* Where guest code bytes come from.  read copies up to max bytes of
 * executable guest memory starting at pc into buf and returns how many it
 * could (0 when pc itself is not executable). */
struct lifter_code_source {
    void *ctx;
    size_t (*read)(void *ctx, guest_addr_t pc, uint8_t *buf, size_t max);
};

/* What the JIT tells the lifter about its translation cache.  A unit
 * that ends in a direct branch to pc loads a code pointer from the cell
 * chain_cell(pc) and tail-calls it; the cell first points at code that
 * returns to the dispatcher, later at the translation of pc. */
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
