/* Cached objects that run where they lie in the cache file (pcache.h).
 *
 * A warm start used to link every cached object it ran by copying it into
 * the code arena and relocating it there: python3.11's start links
 * 14,500 objects, 80 MB of code, and the copy and the kernel zeroing the
 * arena's pages for it were a third of its run (docs/CACHE.md).  Now a
 * record's object is linked when the record is written, for the place it
 * will have in the file.  A run maps the file executable, with a window
 * for the objects' writable data (.bss: their cell tables) and an import
 * table below it, so that every reference from the code is PC-relative
 * and resolved once and for all:
 *   - to the object's own code and constants: where they lie in the file;
 *   - to its .bss: the record's share of the window;
 *   - to a helper, memset or the indirect-branch table: an import entry
 *     (a call jumps through it, a GOT load reads its slot);
 *   - a GOT load of the object's own symbol (its cell table) becomes an
 *     LEA, the linker relaxation R_X86_64_(REX_)GOTPCRELX allows.
 * Loading writes nothing into the code: its pages are the page cache's.
 * The object stays a valid relocatable file (a relaxed load's relocation
 * becomes PC32), so a run that cannot map a file that way links its
 * records as before (objload.c). */
#include <stdlib.h>
#include <string.h>

#include "jit_internal.h"
#include "objfile.h"
#include "pcache.h"

/* The imports: these, then the runtime's helpers in their order (the same
 * for every run of one build, which the cache key holds). */
static const char *const fixed_imports[] = {
    LIFTER_SYM_IBTC,   LIFTER_SYM_IBTC_FIND, LIFTER_SYM_UNIT_BACK,
    "memset",          "memmove",            "memcpy"};
#define NFIXED (sizeof(fixed_imports) / sizeof(*fixed_imports))

/* Where things are, from the start of the file's mapping. */
#define IMPORTS_AT (-(int64_t)PCACHE_IMPORTS)
#define WINDOW_AT (-(int64_t)PCACHE_IMPORTS - (int64_t)PCACHE_WINDOW)

static long import_index(struct jit *j, const char *name)
{
    for (size_t k = 0; k < NFIXED; k++)
        if (strcmp(name, fixed_imports[k]) == 0)
            return (long)k;
    for (size_t i = 0; i < j->cfg.nhelpers; i++)
        if (strcmp(name, j->cfg.helpers[i].name) == 0)
            return (long)(NFIXED + i);
    return -1;
}

size_t jit_xip_imports(struct jit *j, uint64_t *addr, size_t max)
{
    size_t n = NFIXED + j->cfg.nhelpers;
    if (n > max)
        return 0;
    for (size_t k = 0; k < NFIXED; k++)
        addr[k] = jit_extern_address(j, fixed_imports[k]);
    for (size_t i = 0; i < j->cfg.nhelpers; i++)
        addr[NFIXED + i] = (uint64_t)(uintptr_t)j->cfg.helpers[i].addr;
    return n;
}

/* Symbol si's place from the file's start (*ok false when it has none a
 * prelinked object can use).  at/placed: the sections' places. */
static int64_t sym_place(struct jit *j, const struct obj *o, size_t si,
                         const int64_t *at, const bool *placed, bool *ext,
                         bool *ok)
{
    const Elf64_Sym *s = &o->sym[si];
    *ext = s->st_shndx == SHN_UNDEF;
    if (*ext) {
        const char *n = jit_obj_sym_name(o, s);
        long k = n && *n ? import_index(j, n) : -1;
        *ok = k >= 0 && jit_extern_address(j, n) != 0;
        return IMPORTS_AT + 16 * (int64_t)k;
    }
    *ok = s->st_shndx < o->nsh && placed[s->st_shndx];
    return *ok ? at[s->st_shndx] + (int64_t)s->st_value : 0;
}

/* Apply the relocations of section rs (of the object at obj, parsed
 * as o) for the places at.  False when one cannot be resolved now. */
static bool prelink_section(struct jit *j, const struct obj *o,
                            uint8_t *obj, const Elf64_Shdr *rs,
                            const int64_t *at, const bool *placed)
{
    if (rs->sh_entsize != sizeof(Elf64_Rela) || rs->sh_offset % 8 ||
        rs->sh_info >= o->nsh)
        return false;
    const Elf64_Shdr *target = &o->sh[rs->sh_info];
    if (!(target->sh_flags & SHF_ALLOC))
        return true; /* for a section not loaded */
    if (!placed[rs->sh_info] || target->sh_type != SHT_PROGBITS)
        return false;
    Elf64_Rela *r = (Elf64_Rela *)(obj + rs->sh_offset);
    size_t n = rs->sh_size / sizeof(*r);
    for (size_t k = 0; k < n; k++) {
        uint32_t type = ELF64_R_TYPE(r[k].r_info);
        size_t si = ELF64_R_SYM(r[k].r_info);
        if (si == 0 || si >= o->nsym || r[k].r_offset < 2 ||
            r[k].r_offset > target->sh_size ||
            4 > target->sh_size - r[k].r_offset)
            return false;
        bool ext, ok;
        int64_t s = sym_place(j, o, si, at, placed, &ext, &ok);
        if (!ok)
            return false;
        int64_t site = at[rs->sh_info] + (int64_t)r[k].r_offset;
        int64_t a = r[k].r_addend, v;
        uint8_t *where = obj + target->sh_offset + r[k].r_offset;
        switch (type) {
        case R_X86_64_PC32:
            if (ext) /* an outside address, known only when run */
                return false;
            v = s + a - site;
            break;
        case R_X86_64_PLT32:
            v = s + a - site; /* (outside: through the import entry) */
            break;
        case R_X86_64_GOTPCREL:
        case R_X86_64_GOTPCRELX:
        case R_X86_64_REX_GOTPCRELX:
            if (ext) {
                v = s + 8 + a - site; /* the import's slot */
                break;
            }
            /* mov sym@GOTPCREL(%rip), %reg -> lea sym(%rip), %reg */
            if (type == R_X86_64_GOTPCREL || where[-2] != 0x8b ||
                (where[-1] & 0xc7) != 0x05)
                return false;
            where[-2] = 0x8d;
            r[k].r_info = ELF64_R_INFO(si, R_X86_64_PC32);
            v = s + a - site;
            break;
        default:
            return false;
        }
        if (!jit_obj_put_s32(where, v))
            return false;
    }
    return true;
}

/* The defined global symbol called name in o (NULL: none). */
static const Elf64_Sym *find_sym(const struct obj *o, const char *name)
{
    for (size_t i = 1; i < o->nsym; i++) {
        const Elf64_Sym *s = &o->sym[i];
        const char *n;
        if (ELF64_ST_BIND(s->st_info) == STB_GLOBAL &&
            s->st_shndx != SHN_UNDEF && s->st_shndx < o->nsh &&
            (n = jit_obj_sym_name(o, s)) && strcmp(n, name) == 0)
            return s;
    }
    return NULL;
}

bool jit_xip_prelink(void *ctx, struct pc_rec *r, uint64_t off,
                     uint32_t *data_len)
{
    struct jit *j = ctx;
    uint8_t *obj = (uint8_t *)pcache_object(r);
    uint64_t in_rec = (uint64_t)(obj - (uint8_t *)r);
    int64_t pos = (int64_t)(off + in_rec); /* the object's, in the file */
    struct obj o;
    if (pos % PCACHE_ALIGN || !jit_obj_parse(&o, obj, r->objlen))
        return false;
    int64_t at[MAX_SECTIONS] = {0};
    bool placed[MAX_SECTIONS] = {false}, ok = true;
    uint64_t first = (*data_len + 15) & ~(uint64_t)15, d = first;
    for (unsigned i = 0; ok && i < o.nsh; i++) {
        const Elf64_Shdr *s = &o.sh[i];
        uint64_t al = s->sh_addralign ? s->sh_addralign : 1;
        ok = jit_obj_known_section(s) && al <= PCACHE_ALIGN;
        if (!ok || !(s->sh_flags & SHF_ALLOC) || s->sh_size == 0)
            continue;
        if (s->sh_type == SHT_NOBITS) { /* in the window */
            d = (d + al - 1) & ~(al - 1);
            at[i] = WINDOW_AT + (int64_t)d;
            d += s->sh_size;
            ok = d <= PCACHE_WINDOW;
        } else { /* in the file, read-only (no .data: none is made) */
            at[i] = pos + (int64_t)s->sh_offset;
            ok = !(s->sh_flags & SHF_WRITE) && s->sh_offset % al == 0;
        }
        placed[i] = true;
    }
    for (unsigned i = 0; ok && i < o.nsh; i++)
        if (o.sh[i].sh_type == SHT_RELA)
            ok = prelink_section(j, &o, obj, &o.sh[i], at, placed);
    const Elf64_Sym *t = ok && r->ncells ? find_sym(&o, r->table) : NULL;
    if (ok && r->ncells) {
        ok = t && o.sh[t->st_shndx].sh_type == SHT_NOBITS &&
             placed[t->st_shndx];
        if (ok)
            r->table_off =
                (uint32_t)(at[t->st_shndx] - WINDOW_AT + (int64_t)t->st_value);
    } else if (ok) {
        r->table_off = (uint32_t)first;
    }
    struct pcache_unit *u = (struct pcache_unit *)pcache_units(r);
    for (uint32_t i = 0; ok && i < r->nunits; i++) {
        const Elf64_Sym *s = find_sym(&o, u[i].name);
        ok = s && (o.sh[s->st_shndx].sh_flags & SHF_EXECINSTR) &&
             placed[s->st_shndx] && s->st_value < o.sh[s->st_shndx].sh_size;
        if (ok)
            u[i].entry = (uint32_t)(in_rec + o.sh[s->st_shndx].sh_offset +
                                    s->st_value);
    }
    if (!ok)
        return false;
    r->xip = 1;
    r->xip_at = (uint32_t)off;
    r->data_off = (uint32_t)first;
    r->data_len = (uint32_t)(d - first);
    *data_len = (uint32_t)d;
    return true;
}
