/* ELF32 i386 header parsing and validation.
 *
 * Everything read from the file is checked before use: the parser is fed
 * hostile input by the fuzzer and by the malformed-ELF corpus.  Checks
 * follow what Linux's binfmt_elf refuses, and add the ones whose absence
 * would let a bad file crash or confuse r386 (segments past the end of the
 * file, segments wrapping past 4 GiB). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "loader_internal.h"

int loader_fail(char *err, size_t errlen, const char *name, int code,
                const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "%s: ", name ? name : "(null)");
        if (n >= 0 && (size_t)n < errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
        /* Names come from the file too (PT_INTERP, #! lines): a newline
         * or escape in one must not break the one-line message. */
        for (char *p = err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    }
    return code;
}

static int read_exact(const struct elf_source *src, void *buf, size_t len,
                      uint64_t off)
{
    ssize_t n = src->read(src->ctx, buf, len, off);
    if (n < 0)
        return (int)n;
    return (size_t)n == len ? 0 : -EIO;
}

static int check_ehdr(const struct elf_source *src, const Elf32_Ehdr *eh,
                      char *err, size_t errlen)
{
    const char *name = src->name;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return loader_fail(err, errlen, name, -ENOEXEC, "not an ELF file");
    if (eh->e_ident[EI_CLASS] == ELFCLASS64)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "64-bit ELF file, not an i386 program");
    if (eh->e_ident[EI_CLASS] != ELFCLASS32)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "unknown ELF class %u", eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "not a little-endian ELF file");
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "unknown ELF version");
    /* EM_486 (6) is an old alias Linux still accepts for i386. */
    if (eh->e_machine != EM_386 && eh->e_machine != 6)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "ELF machine %u is not i386", eh->e_machine);
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "ELF type %u is not an executable or shared object",
                           eh->e_type);
    if (eh->e_phentsize != sizeof(Elf32_Phdr))
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "bad program header size %u (expected %zu)",
                           eh->e_phentsize, sizeof(Elf32_Phdr));
    if (eh->e_phnum == 0)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "no program headers");
    if ((uint32_t)eh->e_phnum * sizeof(Elf32_Phdr) > ELF_MAX_PHDR_BYTES)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "too many program headers (%u)", eh->e_phnum);
    uint64_t end = (uint64_t)eh->e_phoff +
                   (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr);
    if (end > src->size)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "program headers lie past the end of the file");
    return 0;
}

static int check_load(const struct elf_source *src, const Elf32_Phdr *ph,
                      unsigned idx, char *err, size_t errlen)
{
    const char *name = src->name;
    if (ph->p_filesz > ph->p_memsz)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "segment %u: file size 0x%x exceeds memory size "
                           "0x%x", idx, ph->p_filesz, ph->p_memsz);
    if ((uint64_t)ph->p_offset + ph->p_filesz > src->size)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "segment %u lies past the end of the file", idx);
    if ((uint64_t)ph->p_vaddr + ph->p_memsz > GUEST_SPACE_SIZE)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "segment %u wraps past the 4 GiB address space",
                           idx);
    if ((ph->p_offset ^ ph->p_vaddr) & (GUEST_PAGE_SIZE - 1))
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "segment %u: offset 0x%x and address 0x%x differ "
                           "modulo the page size", idx, ph->p_offset,
                           ph->p_vaddr);
    return 0;
}

static int read_interp(const struct elf_source *src, const Elf32_Phdr *ph,
                       struct elf_object *obj, char *err, size_t errlen)
{
    const char *name = src->name;
    if (ph->p_filesz < 2 || ph->p_filesz > ELF_MAX_INTERP_LEN)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "bad interpreter path length %u", ph->p_filesz);
    if ((uint64_t)ph->p_offset + ph->p_filesz > src->size)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "interpreter path lies past the end of the file");
    char *s = malloc(ph->p_filesz);
    if (!s)
        return loader_fail(err, errlen, name, -ENOMEM, "out of memory");
    if (read_exact(src, s, ph->p_filesz, ph->p_offset) != 0) {
        free(s);
        return loader_fail(err, errlen, name, -EIO,
                           "cannot read the interpreter path");
    }
    if (s[ph->p_filesz - 1] != '\0' || strlen(s) != ph->p_filesz - 1 ||
        s[0] == '\0') {
        free(s);
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "interpreter path is not a NUL-terminated string");
    }
    obj->interp = s;
    return 0;
}

int elf_parse(const struct elf_source *src, struct elf_object *obj,
              char *err, size_t errlen)
{
    memset(obj, 0, sizeof(*obj));
    if (src->size < sizeof(Elf32_Ehdr))
        return loader_fail(err, errlen, src->name, -ENOEXEC,
                           src->size == 0 ? "empty file"
                                          : "file too short for an ELF header");
    if (read_exact(src, &obj->eh, sizeof(obj->eh), 0) != 0)
        return loader_fail(err, errlen, src->name, -EIO,
                           "cannot read the ELF header");
    int rc = check_ehdr(src, &obj->eh, err, errlen);
    if (rc < 0)
        return rc;

    obj->phnum = obj->eh.e_phnum;
    obj->ph = calloc(obj->phnum, sizeof(Elf32_Phdr));
    if (!obj->ph)
        return loader_fail(err, errlen, src->name, -ENOMEM, "out of memory");
    if (read_exact(src, obj->ph, obj->phnum * sizeof(Elf32_Phdr),
                   obj->eh.e_phoff) != 0) {
        rc = loader_fail(err, errlen, src->name, -EIO,
                         "cannot read the program headers");
        goto fail;
    }

    /* i386 default without PT_GNU_STACK: executable stack. */
    obj->exec_stack = true;
    obj->lo = UINT64_MAX;
    obj->hi = 0;
    uint32_t last_vaddr = 0;
    bool any_load = false;
    for (unsigned i = 0; i < obj->phnum; i++) {
        const Elf32_Phdr *ph = &obj->ph[i];
        switch (ph->p_type) {
        case PT_LOAD:
            rc = check_load(src, ph, i, err, errlen);
            if (rc < 0)
                goto fail;
            if (any_load && ph->p_vaddr < last_vaddr) {
                rc = loader_fail(err, errlen, src->name, -ENOEXEC,
                                 "segment %u is out of address order", i);
                goto fail;
            }
            last_vaddr = ph->p_vaddr;
            any_load = true;
            if (ph->p_memsz == 0)
                break;
            if (guest_page_down(ph->p_vaddr) < obj->lo)
                obj->lo = guest_page_down(ph->p_vaddr);
            if (guest_page_up((uint64_t)ph->p_vaddr + ph->p_memsz) > obj->hi)
                obj->hi = guest_page_up((uint64_t)ph->p_vaddr + ph->p_memsz);
            break;
        case PT_INTERP:
            if (obj->interp)
                break; /* Linux uses the first one. */
            rc = read_interp(src, ph, obj, err, errlen);
            if (rc < 0)
                goto fail;
            break;
        case PT_GNU_STACK:
            obj->exec_stack = (ph->p_flags & PF_X) != 0;
            break;
        default:
            break;
        }
    }
    if (obj->hi == 0) {
        rc = loader_fail(err, errlen, src->name, -ENOEXEC,
                         "no loadable segments");
        goto fail;
    }
    return 0;

fail:
    elf_object_free(obj);
    return rc;
}

void elf_object_free(struct elf_object *obj)
{
    free(obj->ph);
    free(obj->interp);
    obj->ph = NULL;
    obj->interp = NULL;
}

struct buffer_source {
    const unsigned char *data;
    size_t size;
};

static ssize_t buffer_read(void *ctx, void *buf, size_t len, uint64_t off)
{
    const struct buffer_source *b = ctx;
    if (off >= b->size)
        return 0;
    size_t n = b->size - off < len ? b->size - off : len;
    memcpy(buf, b->data + off, n);
    return (ssize_t)n;
}

int loader_check_elf_buffer(const void *data, size_t size, char *err,
                            size_t errlen)
{
    struct buffer_source b = {data, size};
    struct elf_source src = {&b, buffer_read, size, "(buffer)"};
    struct elf_object obj;
    int rc = elf_parse(&src, &obj, err, errlen);
    if (rc < 0)
        return rc;
    elf_object_free(&obj);
    return 0;
}
