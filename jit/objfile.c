/* Reading r386's relocatable objects (objfile.h). */
#include <stdlib.h>
#include <string.h>

#include "objfile.h"

bool jit_obj_parse(struct obj *o, const uint8_t *p, size_t len)
{
    memset(o, 0, sizeof(*o));
    o->base = p;
    o->len = len;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p;
    if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_REL ||
        eh->e_machine != EM_X86_64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        eh->e_shnum == 0 || eh->e_shnum > MAX_SECTIONS ||
        eh->e_shoff % 8 ||
        !jit_obj_in_file(o, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
        return false;
    o->sh = (const Elf64_Shdr *)(p + eh->e_shoff);
    o->nsh = eh->e_shnum;
    for (unsigned i = 0; i < o->nsh; i++) {
        const Elf64_Shdr *s = &o->sh[i];
        if (s->sh_type != SHT_NOBITS && !jit_obj_in_file(o, s->sh_offset, s->sh_size))
            return false;
        if (s->sh_type != SHT_SYMTAB)
            continue;
        if (o->sym || s->sh_entsize != sizeof(Elf64_Sym) ||
            s->sh_offset % 8 || s->sh_link >= o->nsh ||
            o->sh[s->sh_link].sh_type != SHT_STRTAB)
            return false;
        o->sym = (const Elf64_Sym *)(p + s->sh_offset);
        o->nsym = s->sh_size / sizeof(Elf64_Sym);
        const Elf64_Shdr *st = &o->sh[s->sh_link];
        if (!jit_obj_in_file(o, st->sh_offset, st->sh_size))
            return false;
        o->str = (const char *)p + st->sh_offset;
        o->strlen = st->sh_size;
    }
    return o->sym != NULL;
}

uint64_t jit_obj_layout(const struct obj *o, uint64_t off[MAX_SECTIONS],
                        uint64_t *align)
{
    uint64_t size = 0;
    *align = 16;
    for (unsigned i = 0; i < o->nsh; i++) {
        const Elf64_Shdr *s = &o->sh[i];
        off[i] = 0;
        if (!(s->sh_flags & SHF_ALLOC) || s->sh_size == 0)
            continue;
        uint64_t al = s->sh_addralign ? s->sh_addralign : 1;
        if (al > *align)
            *align = al;
        size = (size + al - 1) & ~(al - 1);
        off[i] = size;
        size += s->sh_size;
    }
    return (size + 15) & ~(uint64_t)15;
}

const char *jit_obj_sym_name(const struct obj *o, const Elf64_Sym *s)
{
    if (s->st_name >= o->strlen)
        return NULL;
    const char *n = o->str + s->st_name;
    return memchr(n, 0, o->strlen - s->st_name) ? n : NULL;
}

bool jit_obj_known_section(const Elf64_Shdr *s)
{
    switch (s->sh_type) {
    case SHT_NULL:
    case SHT_STRTAB:
    case SHT_SYMTAB:
    case SHT_RELA:
        return true;
    case SHT_PROGBITS:
    case SHT_NOBITS:
        /* Sections with no place in memory (.note.GNU-stack) are fine;
         * thread-local or otherwise special ones are not. */
        return !(s->sh_flags & ~(uint64_t)(SHF_ALLOC | SHF_WRITE |
                                           SHF_EXECINSTR | SHF_MERGE |
                                           SHF_STRINGS)) &&
               (s->sh_addralign & (s->sh_addralign - 1)) == 0 &&
               s->sh_addralign <= 4096;
    default:
        return false;
    }
}

bool jit_obj_is_got(uint32_t type)
{
    return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
           type == R_X86_64_REX_GOTPCRELX;
}

const char *jit_obj_section_name(const struct obj *o, unsigned i)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)o->base;
    if (i >= o->nsh || eh->e_shstrndx >= o->nsh)
        return "";
    const Elf64_Shdr *st = &o->sh[eh->e_shstrndx];
    if (st->sh_type != SHT_STRTAB || o->sh[i].sh_name >= st->sh_size)
        return "";
    const char *n = (const char *)o->base + st->sh_offset + o->sh[i].sh_name;
    return memchr(n, 0, st->sh_size - o->sh[i].sh_name) ? n : "";
}

/* Is section i one that nothing r386 does reads: debug information other
 * than the line table (LLVM's .debug_info, .debug_abbrev, .debug_str and
 * the .debug_frame it emits with any debug information), and the
 * relocations for such sections? */
static bool unread(const struct obj *o, unsigned i)
{
    const char *n = jit_obj_section_name(o, i);
    if (strncmp(n, ".debug_", 7) == 0)
        return strcmp(n, ".debug_line") != 0;
    const Elf64_Shdr *s = &o->sh[i];
    return s->sh_type == SHT_RELA && s->sh_info < o->nsh &&
           s->sh_info != i && unread(o, s->sh_info);
}

uint8_t *jit_obj_strip_debug(const uint8_t *p, size_t len, size_t *out_len)
{
    struct obj o;
    if (!jit_obj_parse(&o, p, len))
        return NULL;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p;
    unsigned idx[MAX_SECTIONS], n = 0;
    uint64_t off[MAX_SECTIONS];
    uint64_t size = sizeof(Elf64_Ehdr);
    for (unsigned i = 0; i < o.nsh; i++) {
        if (i && unread(&o, i)) {
            idx[i] = 0;
            continue;
        }
        idx[i] = n++;
        const Elf64_Shdr *s = &o.sh[i];
        uint64_t al = s->sh_addralign ? s->sh_addralign : 1;
        size = (size + al - 1) & ~(al - 1);
        off[i] = size;
        if (s->sh_type != SHT_NOBITS)
            size += s->sh_size;
    }
    if (n == o.nsh || eh->e_shstrndx >= o.nsh || !idx[eh->e_shstrndx])
        return NULL; /* nothing to drop, or the names would go */
    size = (size + 7) & ~(uint64_t)7;
    uint64_t shoff = size;
    size += (uint64_t)n * sizeof(Elf64_Shdr);
    uint8_t *q = calloc(1, size);
    if (!q)
        return NULL;
    Elf64_Ehdr *qh = (Elf64_Ehdr *)q;
    *qh = *eh;
    qh->e_shoff = shoff;
    qh->e_shnum = (Elf64_Half)n;
    qh->e_shstrndx = (Elf64_Half)idx[eh->e_shstrndx];
    Elf64_Shdr *qs = (Elf64_Shdr *)(q + shoff);
    for (unsigned i = 0; i < o.nsh; i++) {
        if (i && !idx[i])
            continue;
        Elf64_Shdr s = o.sh[i];
        if (i && s.sh_type != SHT_NOBITS)
            memcpy(q + off[i], p + s.sh_offset, s.sh_size);
        s.sh_offset = i ? off[i] : 0;
        if (s.sh_link && s.sh_link < o.nsh)
            s.sh_link = idx[s.sh_link];
        if (s.sh_type == SHT_RELA && s.sh_info < o.nsh)
            s.sh_info = idx[s.sh_info];
        if (s.sh_type == SHT_SYMTAB) {
            /* Symbols of sections that went (their section symbols) are
             * absolute now; nothing kept refers to them. */
            Elf64_Sym *sym = (Elf64_Sym *)(q + off[i]);
            for (size_t k = 0; k < o.nsym; k++) {
                unsigned sh = sym[k].st_shndx;
                if (sh == SHN_UNDEF || sh >= SHN_LORESERVE || sh >= o.nsh)
                    continue;
                if (idx[sh])
                    sym[k].st_shndx = (Elf64_Half)idx[sh];
                else {
                    sym[k].st_shndx = SHN_ABS;
                    sym[k].st_value = 0;
                }
            }
        }
        qs[idx[i]] = s;
    }
    *out_len = size;
    return q;
}
