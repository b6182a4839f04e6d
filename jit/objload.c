/* Linking the persistent cache's objects without LLVM.
 *
 * A warm start links one object per cached record, thousands of them
 * (python3.11: 14,500), and through ORC and RuntimeDyld that cost about
 * 40 us each -- a symbol table, materialisation units and a session round
 * trip per object: two thirds of the warm start (docs/CACHE.md).  The
 * objects are all of one simple shape, the one r386's code generator
 * emits: an x86-64 ELF relocatable file (small code model) with a few
 * allocatable sections, symbols defined in them or undefined (the helper
 * ABI, the indirect-branch table, memset and memmove), and a handful of
 * relocation types.  This loader links exactly that shape into the code
 * arena; for anything else it declines, and the caller goes through ORC.
 * (It links every object compiled in the run.  A cached object, since
 * session 11, runs where it lies in its mapped file, linked for that
 * place when it was written -- prelink.c -- and comes here only when it
 * cannot.)
 *
 * Layout of one object in the arena: its allocatable sections in order,
 * each at its alignment; then a GOT slot per symbol a GOT-relative
 * relocation names; then a stub (jmp *slot) per undefined function a call
 * cannot reach directly (the arena may lie more than 2 GiB from libc). */
#include <dlfcn.h>
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jit_internal.h"
#include "objfile.h"

/* The address an undefined symbol names: the JIT's own symbols, else the
 * host process's (what ORC's process-symbol lookup would find). */
uint64_t jit_extern_address(struct jit *j, const char *name)
{
    if (strcmp(name, LIFTER_SYM_IBTC) == 0)
        return (uint64_t)(uintptr_t)j->ibtc;
    if (strcmp(name, LIFTER_SYM_IBTC_FIND) == 0)
        return (uint64_t)(uintptr_t)lifter_ibtc_find;
    if (strcmp(name, LIFTER_SYM_UNIT_BACK) == 0)
        return (uint64_t)(uintptr_t)lifter_unit_back;
    for (size_t i = 0; i < j->cfg.nhelpers; i++)
        if (strcmp(name, j->cfg.helpers[i].name) == 0)
            return (uint64_t)(uintptr_t)j->cfg.helpers[i].addr;
    return (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, name);
}

/* The address symbol i stands for (0: unknown). */
static uint64_t sym_address(struct jit *j, const struct obj *o, size_t i)
{
    const Elf64_Sym *s = &o->sym[i];
    if (s->st_shndx == SHN_UNDEF) {
        const char *n = jit_obj_sym_name(o, s);
        return n && *n ? jit_extern_address(j, n) : 0;
    }
    if (s->st_shndx == SHN_ABS)
        return s->st_value;
    if (s->st_shndx >= o->nsh || !o->at[s->st_shndx])
        return 0;
    return o->at[s->st_shndx] + s->st_value;
}

/* Apply the relocations of section rs (an SHT_RELA) to the section they
 * are for.  got/stub: per symbol, its slot and stub (0: none yet), placed
 * from *next_got / *next_stub. */
static bool relocate(struct jit *j, const struct obj *o, const Elf64_Shdr *rs,
                     uint64_t *got, uint64_t *stub, uint64_t *next_got,
                     uint64_t *next_stub)
{
    if (rs->sh_entsize != sizeof(Elf64_Rela) || rs->sh_offset % 8 ||
        rs->sh_info >= o->nsh)
        return false;
    const Elf64_Shdr *target = &o->sh[rs->sh_info];
    uint64_t base = o->at[rs->sh_info];
    if (!(target->sh_flags & SHF_ALLOC))
        return true; /* for a section not loaded */
    if (!base || target->sh_type != SHT_PROGBITS)
        return false;
    const Elf64_Rela *r = (const Elf64_Rela *)(o->base + rs->sh_offset);
    size_t n = rs->sh_size / sizeof(*r);
    for (size_t k = 0; k < n; k++) {
        uint32_t type = ELF64_R_TYPE(r[k].r_info);
        size_t si = ELF64_R_SYM(r[k].r_info);
        uint64_t width = type == R_X86_64_64 ? 8 : 4;
        if (si == 0 || si >= o->nsym || r[k].r_offset > target->sh_size ||
            width > target->sh_size - r[k].r_offset)
            return false;
        uint64_t s = sym_address(j, o, si);
        if (!s)
            return false;
        uint64_t p = base + r[k].r_offset;
        int64_t a = r[k].r_addend;
        uint8_t *where = (uint8_t *)(uintptr_t)p;
        int64_t v;
        switch (type) {
        case R_X86_64_64: {
            uint64_t w = s + (uint64_t)a;
            memcpy(where, &w, 8);
            continue;
        }
        case R_X86_64_PC32:
            v = (int64_t)(s + (uint64_t)a - p);
            break;
        case R_X86_64_PLT32:
            v = (int64_t)(s + (uint64_t)a - p);
            if (v < INT32_MIN || v > INT32_MAX) { /* out of reach */
                if (!stub[si]) {
                    /* jmp *slot(%rip), the slot right after it */
                    uint8_t *t = (uint8_t *)(uintptr_t)*next_stub;
                    static const uint8_t jmp[8] = {0xff, 0x25, 2, 0, 0, 0,
                                                   0xcc, 0xcc};
                    memcpy(t, jmp, 8);
                    memcpy(t + 8, &s, 8);
                    stub[si] = *next_stub;
                    *next_stub += 16;
                }
                v = (int64_t)(stub[si] + (uint64_t)a - p);
            }
            break;
        case R_X86_64_GOTPCREL:
        case R_X86_64_GOTPCRELX:
        case R_X86_64_REX_GOTPCRELX:
            if (!got[si]) {
                got[si] = *next_got;
                memcpy((void *)(uintptr_t)got[si], &s, 8);
                *next_got += 8;
            }
            v = (int64_t)(got[si] + (uint64_t)a - p);
            break;
        default:
            return false;
        }
        if (!jit_obj_put_s32(where, v))
            return false;
    }
    return true;
}

int jit_objload(struct jit *j, const void *obj, size_t len, const char *table,
                uint32_t ncells, const char (*names)[JIT_NAME_MAX], int n,
                uint64_t *addrs, uint64_t *table_addr, enum jit_lines lines)
{
    struct obj o;
    if (!jit_obj_parse(&o, obj, len))
        return -1;
    /* Sizes: the sections, then GOT slots and stubs (an upper bound: one
     * of each per symbol that needs one). */
    bool got_used = false, calls_out = false;
    for (unsigned i = 0; i < o.nsh; i++) {
        const Elf64_Shdr *s = &o.sh[i];
        if (!jit_obj_known_section(s))
            return -1;
        if (s->sh_type == SHT_RELA)
            for (uint64_t k = 0; k < s->sh_size / sizeof(Elf64_Rela); k++) {
                const Elf64_Rela *r =
                    (const Elf64_Rela *)(o.base + s->sh_offset) + k;
                got_used |= jit_obj_is_got(ELF64_R_TYPE(r->r_info));
                calls_out |= ELF64_R_TYPE(r->r_info) == R_X86_64_PLT32;
            }
    }
    uint64_t off[MAX_SECTIONS], align;
    uint64_t size = jit_obj_layout(&o, off, &align);
    uint64_t got_off = size;
    if (got_used)
        size += 8 * o.nsym;
    uint64_t stub_off = size;
    if (calls_out)
        size += 16 * o.nsym;
    if (size == 0)
        return -1;
    uint8_t *mem = jit_arena_alloc(j->arena, size, (unsigned)align);
    if (!mem)
        return -1;
    for (unsigned i = 0; i < o.nsh; i++) {
        const Elf64_Shdr *s = &o.sh[i];
        if (!(s->sh_flags & SHF_ALLOC) || s->sh_size == 0)
            continue;
        o.at[i] = (uint64_t)(uintptr_t)(mem + off[i]);
        if (s->sh_type == SHT_NOBITS)
            memset(mem + off[i], 0, s->sh_size);
        else
            memcpy(mem + off[i], o.base + s->sh_offset, s->sh_size);
    }
    uint64_t *got = calloc(2 * o.nsym, sizeof(*got));
    if (!got)
        return -1;
    uint64_t *stub = got + o.nsym;
    uint64_t next_got = (uint64_t)(uintptr_t)(mem + got_off);
    uint64_t next_stub = (uint64_t)(uintptr_t)(mem + stub_off);
    bool ok = true;
    for (unsigned i = 0; ok && i < o.nsh; i++)
        if (o.sh[i].sh_type == SHT_RELA)
            ok = relocate(j, &o, &o.sh[i], got, stub, &next_got, &next_stub);
    free(got);
    /* The symbols asked for: defined, global, in a loaded section.  (The
     * arena's bytes stay allocated on failure: code is never freed.) */
    int found = 0;
    bool table_found = ncells == 0;
    *table_addr = 0;
    for (size_t i = 1; ok && i < o.nsym; i++) {
        const Elf64_Sym *s = &o.sym[i];
        if (ELF64_ST_BIND(s->st_info) != STB_GLOBAL ||
            s->st_shndx == SHN_UNDEF)
            continue;
        const char *nm = jit_obj_sym_name(&o, s);
        if (!nm)
            return -1;
        uint64_t a = sym_address(j, &o, i);
        if (ncells && strcmp(nm, table) == 0) {
            *table_addr = a;
            table_found = a != 0;
            continue;
        }
        for (int u = 0; u < n; u++)
            if (!addrs[u] && strcmp(nm, names[u]) == 0) {
                addrs[u] = a;
                found += a != 0;
                break;
            }
    }
    if (!ok || found != n || !table_found)
        return -1;
    if (lines != JIT_LINES_NONE)
        jit_pcmap_add(j, (uint64_t)(uintptr_t)mem, size, obj, len,
                      lines == JIT_LINES_BORROW);
    return 0;
}
