/* Private to loader/: the validated view of one ELF file. */
#ifndef R386_LOADER_INTERNAL_H
#define R386_LOADER_INTERNAL_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Linux refuses program header tables larger than this. */
#define ELF_MAX_PHDR_BYTES 65536u
/* PT_INTERP: a path of sane length. */
#define ELF_MAX_INTERP_LEN 4096u

/* Where the parser reads bytes from: a file (pread) or a buffer (tests and
 * the fuzzer).  read returns the number of bytes read, short at the end. */
struct elf_source {
    void *ctx;
    ssize_t (*read)(void *ctx, void *buf, size_t len, uint64_t off);
    uint64_t size;
    const char *name; /* for error messages */
};

struct elf_object {
    Elf32_Ehdr eh;
    Elf32_Phdr *ph;
    unsigned phnum;
    char *interp;    /* PT_INTERP path or NULL */
    bool exec_stack;
    uint64_t lo, hi; /* page-aligned extent of the PT_LOAD segments */
};

__attribute__((warn_unused_result))
int elf_parse(const struct elf_source *src, struct elf_object *obj,
              char *err, size_t errlen);
void elf_object_free(struct elf_object *obj);

/* Writes "NAME: reason" into err and returns code (a negative errno). */
__attribute__((format(printf, 5, 6)))
int loader_fail(char *err, size_t errlen, const char *name, int code,
                const char *fmt, ...);

/* #! handling: parse the first line of a script.  On success interp and
 * arg (possibly NULL) are malloc'd. */
__attribute__((warn_unused_result))
int script_parse(const char *buf, size_t len, const char *name, char **interp,
                 char **arg, char *err, size_t errlen);

/* .eh_frame, copied and indexed (cfi.c); symbols.c keeps one per file. */
struct cfi_table;
struct cfi_table *cfi_table_new(const uint8_t *eh, size_t n, uint32_t addr);
void cfi_table_free(struct cfi_table *t);
/* FDEs in order of their start: count, and the i-th's pc range. */
size_t cfi_table_count(const struct cfi_table *t);
void cfi_table_fde(const struct cfi_table *t, size_t i, uint32_t *start,
                   uint32_t *range);
struct elf_cfi_row;
bool cfi_table_row(const struct cfi_table *t, uint32_t vaddr,
                   struct elf_cfi_row *row);

#endif
