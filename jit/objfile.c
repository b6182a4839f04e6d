/* Reading r386's relocatable objects (objfile.h). */
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
