/* Line tables on demand.
 *
 * Units are compiled without debug locations: the line table from host
 * code to guest pcs costs a quarter of a first-tier compile (LLVM's
 * LiveDebugValues pass and DWARF writer run for it) and is wanted only
 * when guest code faults.  Then the units of the object holding the
 * faulting host pc are lifted again, in the order they were first lifted
 * (it numbers their cells, and a cell's index is part of the code where
 * the table is reached through the GOT), with line tables, and compiled
 * in each of the ways r386 compiles units until one gives the very code
 * that faulted: the same bytes outside the fields relocations fill.  Debug
 * locations do not change the code LLVM generates, so that object's table
 * names the guest pcs of the code that ran.  When no way matches -- the
 * guest code changed since, or a cached unit came from a run with other
 * developer knobs -- there is no table, and the fault takes insn_pc
 * (docs/DEVIATIONS.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit_internal.h"
#include "objfile.h"

/* One way of compiling a unit. */
struct recipe {
    bool optimised, count;
    const char *pipeline;
    LLVMCodeGenOptLevel level;
    LLVMRelocMode reloc;
};

/* Are the size bytes at code those of symbol s of o, outside the fields
 * its relocations fill (as objload.c and prelink.c fill them)? */
static bool same_code(const struct obj *o, const Elf64_Sym *s,
                      const uint8_t *code, uint64_t size)
{
    const Elf64_Shdr *ts = &o->sh[s->st_shndx];
    if (s->st_size != size || ts->sh_type != SHT_PROGBITS ||
        s->st_value > ts->sh_size || size > ts->sh_size - s->st_value)
        return false;
    uint8_t *mask = calloc(size ? size : 1, 1);
    if (!mask)
        return false;
    for (unsigned i = 0; i < o->nsh; i++) {
        const Elf64_Shdr *rs = &o->sh[i];
        if (rs->sh_type != SHT_RELA || rs->sh_info != s->st_shndx ||
            rs->sh_entsize != sizeof(Elf64_Rela) || rs->sh_offset % 8)
            continue;
        const Elf64_Rela *r = (const Elf64_Rela *)(o->base + rs->sh_offset);
        for (size_t k = 0; k < rs->sh_size / sizeof(*r); k++) {
            uint32_t type = ELF64_R_TYPE(r[k].r_info);
            uint64_t width = type == R_X86_64_64 ? 8 : 4;
            /* (prelink.c relaxes a GOT load into a LEA: its opcode) */
            uint64_t from = type == R_X86_64_GOTPCRELX ||
                                    type == R_X86_64_REX_GOTPCRELX
                                ? 2 : 0;
            for (uint64_t b = 0; b < width + from; b++) {
                uint64_t at = r[k].r_offset + b - from - s->st_value;
                if (r[k].r_offset + b >= s->st_value + from && at < size)
                    mask[at] = 1;
            }
        }
    }
    const uint8_t *mine = o->base + ts->sh_offset + s->st_value;
    bool same = true;
    for (uint64_t b = 0; b < size && same; b++)
        same = mask[b] || mine[b] == code[b];
    free(mask);
    return same;
}

/* Compile the units of u[0..n) the way rc says, with line tables; when
 * unit k's code comes out as it is in memory, give each unit whose code
 * does its table, as if linked where that code is, and return true. */
static bool try_recipe(struct jit *j, const struct recipe *rc,
                       struct jit_lines_unit *u, size_t n, size_t k)
{
    char err[256];
    LLVMTargetMachineRef tm =
        jit_host_machine(rc->level, rc->reloc, err, sizeof(err));
    if (!tm)
        return false;
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef m = jit_new_module(ctx, tm);
    char name[JIT_NAME_MAX], table[JIT_NAME_MAX];
    snprintf(table, sizeof(table), "lt_%08x", u[k].pc);
    struct lifter_env env = jit_lifter_env(j, rc->optimised, rc->count);
    env.lines = true;
    int lifted = 0;
    pthread_mutex_lock(&j->lock);
    for (size_t i = 0; i < n && lifted == 0; i++) {
        struct lifter_unit lu;
        snprintf(name, sizeof(name), "l_%zu", i);
        /* With the predictions it was lifted with, or none at all. */
        static const struct lifter_pred none[1];
        struct jit_entry *e = jit_cache_get(&j->cache, u[i].pc);
        env.replay = e && e->npred ? e->pred : none;
        env.nreplay = e ? e->npred : 0;
        lifted = lifter_lift_unit(j->lifter, m, name, u[i].pc, &j->cfg.code,
                                  &env, &lu);
    }
    pthread_mutex_unlock(&j->lock);
    guest_addr_t *cells = NULL;
    uint32_t ncells = 0;
    LLVMMemoryBufferRef obj = NULL;
    if (lifted == 0 && jit_cells_prepare(m, table, &cells, &ncells) == 0)
        obj = jit_emit(j, m, rc->pipeline, tm, tm, NULL, NULL, err,
                       sizeof(err));
    free(cells);
    LLVMDisposeModule(m);
    LLVMContextDispose(ctx);
    LLVMDisposeTargetMachine(tm);
    if (!obj)
        return false;
    /* Unit i is the function l_i. */
    const Elf64_Sym *sym[JIT_OBJ_UNITS_MAX] = {0};
    struct obj o;
    const uint8_t *base = (const uint8_t *)LLVMGetBufferStart(obj);
    bool parsed = jit_obj_parse(&o, base, LLVMGetBufferSize(obj));
    for (size_t i = 1; parsed && i < o.nsym; i++) {
        const Elf64_Sym *s = &o.sym[i];
        const char *nm = jit_obj_sym_name(&o, s);
        char *end;
        if (!nm || nm[0] != 'l' || nm[1] != '_' ||
            s->st_shndx == SHN_UNDEF || s->st_shndx >= o.nsh)
            continue;
        unsigned long x = strtoul(nm + 2, &end, 10);
        if (end != nm + 2 && !*end && x < n)
            sym[x] = s;
    }
    bool matched = parsed && sym[k] &&
                   same_code(&o, sym[k], (const uint8_t *)(uintptr_t)u[k].code,
                             u[k].size);
    for (size_t i = 0; matched && i < n; i++)
        if (!u[i].lines && sym[i] &&
            same_code(&o, sym[i], (const uint8_t *)(uintptr_t)u[i].code,
                      u[i].size))
            u[i].lines = jit_pcmap_lines(&o, sym[i], u[i].code, &u[i].nlines);
    LLVMDisposeMemoryBuffer(obj);
    return matched;
}

bool jit_object_lines(struct jit *j, struct jit_lines_unit *u, size_t n,
                      size_t k, bool hot)
{
    const char *hot_pipeline;
    LLVMCodeGenOptLevel hot_level;
    jit_tier2_codegen(&hot_pipeline, &hot_level);
    bool count = j->tier2 != NULL;
    /* The optimising tier's (h_), the first tier's and --aot's (u_),
     * with and without execution counting (a cached unit may come from a
     * run with the optimising tier off), the likeliest first. */
    const struct recipe hot_tier = {true, false, hot_pipeline, hot_level,
                                    LLVMRelocPIC};
    const struct recipe first[] = {
        {false, count, j->pipeline1, j->level1, LLVMRelocDefault},
        {false, !count, j->pipeline1, j->level1, LLVMRelocDefault},
        {true, count, JIT_OPT_PIPELINE, LLVMCodeGenLevelDefault,
         LLVMRelocPIC},
        {true, !count, JIT_OPT_PIPELINE, LLVMCodeGenLevelDefault,
         LLVMRelocPIC},
    };
    bool matched = false;
    if (n > JIT_OBJ_UNITS_MAX || k >= n)
        return false;
    if (hot)
        matched = try_recipe(j, &hot_tier, u, n, k);
    for (size_t i = 0; !hot && !matched && i < sizeof(first) / sizeof(*first);
         i++)
        matched = try_recipe(j, &first[i], u, n, k);
    __atomic_fetch_add(matched ? &j->stats.lines_made : &j->stats.lines_failed,
                       1, __ATOMIC_RELAXED);
    return matched;
}
