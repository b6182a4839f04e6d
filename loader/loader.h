/* loader: reads i386 ELF programs (and #! scripts) and maps them into the
 * guest address space through a mapper that the runtime provides.  Its
 * product, struct image_info, is the contract between loading and running.
 *
 * The loader depends on nothing but the guest ABI headers: it does not know
 * how guest memory is kept, only the operations of struct loader_mapper. */
#ifndef R386_LOADER_H
#define R386_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "r386/guest.h"

#define LOADER_MAX_AUXV 32
/* #! scripts may name scripts, up to this depth (Linux: 4 levels + binary). */
#define LOADER_MAX_SCRIPT_DEPTH 4
#define LOADER_MAX_ARGV_PREFIX (2 * LOADER_MAX_SCRIPT_DEPTH + 1)

struct loader_auxv_entry {
    uint32_t type;
    uint32_t value;
};

struct image_info {
    /* The main program. */
    guest_addr_t load_bias;  /* added to every p_vaddr (0 for ET_EXEC) */
    guest_addr_t load_addr;  /* lowest mapped address of the program */
    guest_addr_t entry;      /* program entry (AT_ENTRY) */
    guest_addr_t start_code, end_code;
    guest_addr_t start_data, end_data;
    guest_addr_t start_brk, brk;
    guest_addr_t phdr;       /* AT_PHDR */
    uint32_t phent, phnum;
    uint16_t elf_type;       /* ET_EXEC or ET_DYN */
    bool exec_stack;         /* PT_GNU_STACK asks for (or lacks) PF_X */

    /* The dynamic linker, when the program has PT_INTERP. */
    bool has_interp;
    guest_addr_t interp_base;   /* AT_BASE */
    guest_addr_t interp_entry;
    char *interp_path;          /* as written in PT_INTERP (guest path) */
    char *interp_host_path;     /* the file actually opened */

    /* Where the guest CPU starts: interp_entry, else entry. */
    guest_addr_t start_pc;

    /* Paths: the guest's view of the program (AT_EXECFN, /proc/self/exe)
     * and the host file that was opened. */
    char *exe_path;
    char *exe_host_path;
    /* The file name as passed to exec (AT_EXECFN): for a script, the
     * script, not its interpreter. */
    char *exec_name;

    /* A #! script replaces argv[0] by these (interpreter, optional
     * argument, script path), innermost interpreter first. */
    int argv_prefix_count;
    char *argv_prefix[LOADER_MAX_ARGV_PREFIX];

    /* Filled by the runtime's stack builder. */
    guest_addr_t stack_limit, stack_top;  /* the mapped stack region */
    guest_addr_t start_stack;             /* initial esp (points at argc) */
    guest_addr_t arg_start, arg_end, env_start, env_end;
    guest_addr_t execfn, platform, random;
    uint32_t auxv_count;
    struct loader_auxv_entry auxv[LOADER_MAX_AUXV];
};

/* What the loader asks of guest memory.  Each operation returns 0 or a
 * negative errno.  Mapping operations replace what was mapped in the range
 * before (like MAP_FIXED) but must refuse ranges that overlap memory the
 * runtime keeps for itself (-EEXIST). */
enum loader_place { LOADER_PLACE_PROGRAM, LOADER_PLACE_INTERP };

struct loader_mapper {
    void *ctx;
    /* Choose a free, page-aligned range of len bytes for a relocatable
     * (ET_DYN) object. */
    int (*place)(void *ctx, enum loader_place kind, uint64_t len,
                 guest_addr_t *out);
    int (*map_file)(void *ctx, guest_addr_t addr, uint32_t len, int prot,
                    int fd, uint64_t offset);
    int (*map_anon)(void *ctx, guest_addr_t addr, uint32_t len, int prot);
    int (*zero)(void *ctx, guest_addr_t addr, uint32_t len);
    int (*protect)(void *ctx, guest_addr_t addr, uint32_t len, int prot);
};

struct loader_request {
    const char *path;     /* the program, as named on the command line */
    const char *sysroot;  /* -L DIR, or NULL */
};

/* Load the program, its #! interpreters and its dynamic linker.  On failure
 * returns a negative errno and writes a one-line "PATH: reason" to err:
 * -ENOENT (not found), -EACCES (not executable), -ENOEXEC (bad format),
 * -ENOMEM / -EEXIST (does not fit in the guest address space). */
__attribute__((warn_unused_result))
int loader_load(const struct loader_request *req,
                const struct loader_mapper *mapper, struct image_info *info,
                char *err, size_t errlen);

/* Free what loader_load allocated inside info. */
void loader_image_free(struct image_info *info);

/* Validate an ELF image held in memory (headers, program headers, segment
 * layout and the interpreter path) without mapping it: the parser that
 * loader_load uses, exposed for tests and fuzzing. */
__attribute__((warn_unused_result))
int loader_check_elf_buffer(const void *data, size_t size, char *err,
                            size_t errlen);

/* Resolve a guest absolute path under the sysroot: DIR/path when that
 * exists, else path itself (as qemu-user does).  Returns a malloc'd
 * string, or NULL when out of memory. */
char *loader_sysroot_path(const char *sysroot, const char *path);

/* ---- symbols of an ELF32 i386 file (symbols.c) ----
 * Function starts and names of one file, for naming guest code (the
 * profiler) and for finding function starts ahead of time: STT_FUNC
 * symbols of .symtab, else of .dynsym, merged with the start of every
 * .eh_frame FDE (so a stripped file still has its function starts) and
 * of every PLT entry; and the FDEs' rules for unwinding (cfi.c).
 * Addresses are the file's own virtual addresses (p_vaddr space); a caller
 * turns a guest address into one with elf_symbols_bias.  Every field read
 * is bounds-checked: a malformed file gives fewer symbols, never a crash. */
struct elf_symbols;

struct elf_symbol {
    uint32_t start; /* file virtual address */
    uint32_t size;  /* 0: unknown */
    const char *name; /* NULL: a start known from .eh_frame or a PLT */
};

struct elf_segment { /* a PT_LOAD program header */
    uint32_t vaddr, memsz, offset, filesz, flags; /* flags: PF_R/W/X */
};

/* NULL and a one-line message in err when path is no readable ELF32 i386
 * file. */
struct elf_symbols *elf_symbols_load(const char *path, char *err,
                                     size_t errlen);
void elf_symbols_free(struct elf_symbols *s);

/* The function holding file address vaddr (the nearest start at or below
 * it, within its size when the size is known).  false: none. */
bool elf_symbols_lookup(const struct elf_symbols *s, uint32_t vaddr,
                        const struct elf_symbol **out);
/* Function starts in address order: count and i-th. */
size_t elf_symbols_count(const struct elf_symbols *s);
const struct elf_symbol *elf_symbols_at(const struct elf_symbols *s,
                                        size_t i);
/* The PT_LOAD headers, in file order. */
size_t elf_symbols_segments(const struct elf_symbols *s,
                            const struct elf_segment **out);
/* The load bias of a mapping of the file at guest address start from file
 * offset offset (as mmap was given them): guest = file vaddr + bias.
 * false: no PT_LOAD covers that offset. */
bool elf_symbols_bias(const struct elf_symbols *s, guest_addr_t start,
                      uint64_t offset, guest_addr_t *bias);
/* The file address of the GOT as PIC code sees it (EBX; the base of its
 * jump tables' offsets): .got.plt, else .got.  false: none. */
bool elf_symbols_got(const struct elf_symbols *s, uint32_t *vaddr);

/* ---- call frame information of the same file (cfi.c) ----
 * The .eh_frame rules at one address of the file: where the caller's
 * frame is (the CFA) and how to find each of the caller's registers, by
 * i386 DWARF number (0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp, 6 esi,
 * 7 edi, 8 the return address). */
#define ELF_CFI_REGS 9
#define ELF_CFI_RA 8
enum elf_cfi_how {
    ELF_CFI_SAME,      /* unchanged (the default) */
    ELF_CFI_UNDEFINED, /* lost; for the return address: the outermost frame */
    ELF_CFI_AT,        /* saved at CFA + off */
    ELF_CFI_VAL,       /* is CFA + off */
    ELF_CFI_REG,       /* is register reg (the CFA: reg + off) */
    ELF_CFI_AT_EXPR,   /* saved at the address expr computes (CFA pushed) */
    ELF_CFI_VAL_EXPR,  /* is what expr computes (the CFA: nothing pushed) */
};
struct elf_cfi_rule {
    uint8_t how; /* enum elf_cfi_how */
    uint8_t reg;
    int32_t off;
    const uint8_t *expr; /* a DWARF expression, inside the symbols' copy */
    uint32_t expr_len;
};
struct elf_cfi_row {
    struct elf_cfi_rule cfa; /* ELF_CFI_REG or ELF_CFI_VAL_EXPR */
    struct elf_cfi_rule reg[ELF_CFI_REGS];
    bool signal; /* a signal trampoline's: its pc is not after a call */
};
/* The row at file address vaddr.  false: no FDE covers it, or its
 * instructions are malformed or not understood. */
bool elf_symbols_cfi(const struct elf_symbols *s, uint32_t vaddr,
                     struct elf_cfi_row *row);

#endif
