/* The helper ABI: functions translated code calls by name (see lifter.h).
 * Each takes the CPU state of the calling guest thread. */
#include <string.h>
#include <x86intrin.h>

#include "helpers.h"
#include "r386/cpuid.h"
#include "thread.h"

/* CPUID as r386 advertises it: vendor GenuineIntel, family 6, and exactly
 * the feature bits of r386/cpuid.h.  Leaves past the maximum read as 0. */
static void helper_cpuid(struct cpu_state *s)
{
    uint32_t leaf = s->gpr[REG_EAX];
    uint32_t a = 0, b = 0, c = 0, d = 0;
    switch (leaf) {
    case 0:
        a = 1;
        memcpy(&b, "Genu", 4);
        memcpy(&d, "ineI", 4);
        memcpy(&c, "ntel", 4);
        break;
    case 1:
        a = (6u << 8) | (15u << 4) | 1u; /* family 6, model 15, stepping 1 */
        b = 8u << 8;                      /* CLFLUSH line: 8 * 8 bytes */
        c = R386_CPUID1_ECX;
        d = R386_CPUID1_EDX;
        break;
    case 0x80000000u:
        a = 0x80000000u;
        break;
    default:
        break;
    }
    s->gpr[REG_EAX] = a;
    s->gpr[REG_EBX] = b;
    s->gpr[REG_ECX] = c;
    s->gpr[REG_EDX] = d;
}

static uint64_t helper_rdtsc(struct cpu_state *s)
{
    (void)s;
    return __rdtsc();
}

void thread_load_segs(struct guest_thread *t)
{
    for (int seg = SEG_FS; seg <= SEG_GS; seg++) {
        uint16_t sel = t->cpu.seg_sel[seg];
        int idx = (sel >> 3) - TLS_ENTRY_MIN;
        uint32_t base = 0;
        if (idx >= 0 && idx < TLS_ENTRY_COUNT && t->tls[idx].present)
            base = t->tls[idx].base;
        t->cpu.seg_base[seg] = base;
    }
}

static void helper_load_segs(struct cpu_state *s)
{
    thread_load_segs(thread_of(s));
}

const struct jit_helper runtime_helpers[] = {
    {LIFTER_HELPER_CPUID, (void *)helper_cpuid},
    {LIFTER_HELPER_RDTSC, (void *)helper_rdtsc},
    {LIFTER_HELPER_LOAD_SEGS, (void *)helper_load_segs},
    {LIFTER_HELPER_FPU, (void *)fpu_helper_run},
};
const size_t runtime_helper_count =
    sizeof(runtime_helpers) / sizeof(runtime_helpers[0]);

const struct interp_calls runtime_interp_calls = {
    .cpuid = helper_cpuid,
    .rdtsc = helper_rdtsc,
    .load_segs = helper_load_segs,
};
