/* The x86-64 ELF relocatable objects r386's code generator emits, as
 * objload.c links them and pcmap.c reads their line tables. */
#ifndef R386_JIT_OBJFILE_H
#define R386_JIT_OBJFILE_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MAX_SECTIONS 32

#ifndef R_X86_64_GOTPCRELX
#define R_X86_64_GOTPCRELX 41
#define R_X86_64_REX_GOTPCRELX 42
#endif

struct obj {
    const uint8_t *base;
    size_t len;
    const Elf64_Shdr *sh;
    unsigned nsh;
    const Elf64_Sym *sym;
    size_t nsym;
    const char *str;
    size_t strlen;
    uint64_t at[MAX_SECTIONS]; /* where each section is (0: not loaded) */
};

static inline bool jit_obj_in_file(const struct obj *o, uint64_t off,
                                   uint64_t len)
{
    return off <= o->len && len <= o->len - off;
}

/* Write v, a relocation's signed 32-bit field, at where; false when it
 * does not fit. */
static inline bool jit_obj_put_s32(uint8_t *where, int64_t v)
{
    if (v < INT32_MIN || v > INT32_MAX)
        return false;
    int32_t v32 = (int32_t)v;
    memcpy(where, &v32, 4);
    return true;
}

/* o = the object at p (len bytes), its headers checked; false when it is
 * not an x86-64 relocatable file with a symbol table. */
bool jit_obj_parse(struct obj *o, const uint8_t *p, size_t len);

/* Where the allocatable sections go in a block of memory: off[i] for
 * each, their largest alignment in *align (at least 16); returns the
 * bytes they take, rounded up to 16. */
uint64_t jit_obj_layout(const struct obj *o, uint64_t off[MAX_SECTIONS],
                        uint64_t *align);

/* The name of symbol s, NULL when it has a bad one. */
const char *jit_obj_sym_name(const struct obj *o, const Elf64_Sym *s);

/* Is section s of a kind r386's loaders know how to place? */
bool jit_obj_known_section(const Elf64_Shdr *s);

/* Is a relocation of this type relative to a GOT slot? */
bool jit_obj_is_got(uint32_t type);

/* The name of section i ("" when it has none or a bad one). */
const char *jit_obj_section_name(const struct obj *o, unsigned i);

/* A copy of the object at p (len bytes) without the debug sections no
 * part of r386 reads (all but .debug_line and its relocations), for the
 * persistent cache: they were a quarter of python3.11's.  NULL when there
 * is nothing to drop or on failure (then keep p). */
uint8_t *jit_obj_strip_debug(const uint8_t *p, size_t len, size_t *out_len);

#endif
