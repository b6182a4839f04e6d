/* The helper table the runtime hands the JIT.  Private to runtime/ (and
 * its tests). */
#ifndef R386_HELPERS_H
#define R386_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "r386/cpu.h"

#include "interp.h"
#include "jit.h"

extern const struct jit_helper runtime_helpers[];
extern const size_t runtime_helper_count;
/* The same helpers' CPUID, RDTSC and segment-base ones, for the
 * interpreter (interp.h). */
extern const struct interp_calls runtime_interp_calls;

/* LIFTER_HELPER_FPU (fpu_helpers.c). */
uint64_t fpu_helper_run(struct cpu_state *s, uint32_t op, uint8_t *a,
                        uint8_t *b, uint64_t bits);

#endif
