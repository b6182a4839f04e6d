/* Instruction test cases as data: the *.cases files of this directory.
 *
 * Shared by the r386 runner (tests/unit/test_insn.c) and the qemu-i386
 * cross-check (casegen.c, qemu_check.sh), so both read exactly the same
 * cases.  Plain C with only libc: casegen is built by the host compiler
 * outside CMake.
 *
 * The format (one case per [name] header):
 *
 *   # comment lines, blank lines and trailing "# ..." are ignored
 *   [add eax, ebx: carry out]
 *   code: 01 d8                   hex bytes, placed at 0x00400000
 *   in: eax=0xffffffff ebx=1 cf=1 registers eax..edi (esp, ebp too), flags
 *                                 cf pf af zf sf of df (0/1), fs_base=,
 *                                 gs_base=; unlisted registers are 0, esp
 *                                 is 0x00608000, flags are 0
 *   mem: 0x00500000: 01 02 03 04  initial bytes (repeatable)
 *   out: eax=0 cf=1 zf=1          expected; only listed flags are checked;
 *                                 every register not listed keeps its input
 *                                 value; eip= checks the exit pc
 *   outmem: 0x00500000: 00 00     expected bytes (repeatable)
 *   exit: none                    none | sigill | divide | int3 | priv |
 *                                 into | bound | syscall | fetch
 *   qemu: skip REASON             leave the case out of the qemu check
 *
 * Guest memory of a case: the code page 0x00400000-0x00400fff (R+X; mem:
 * lines may place more code there, but not in the 16 bytes right after
 * the case's code, which the runners use), data 0x00500000-0x0050ffff (RW)
 * and stack 0x00600000-0x0060ffff (RW); nothing else is mapped.  A case
 * with exit none runs until eip reaches 0x00400000 + the code length.
 *
 * fs_base/gs_base give fs/gs a TLS descriptor with that base, as
 * set_thread_area does.  Its selector depends on the kernel (GDT entries
 * 6-8 on i386, 12-14 under a 64-bit kernel), so a case must not expect a
 * particular selector value; copying one segment register to another is
 * fine. */
#ifndef R386_INSN_CASE_H
#define R386_INSN_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CASE_CODE_BASE 0x00400000u
#define CASE_CODE_SIZE 0x1000u
#define CASE_DATA_BASE 0x00500000u
#define CASE_DATA_SIZE 0x10000u
#define CASE_STACK_BASE 0x00600000u
#define CASE_STACK_SIZE 0x10000u
#define CASE_ESP_DEFAULT 0x00608000u
/* Code bytes at most: the runners may put a few bytes of their own after
 * the code, inside the code page. */
#define CASE_CODE_MAX (CASE_CODE_SIZE - 16)

/* The fields in: and out: lines name.  The first eight are in x86
 * register encoding order (as enum cpu_reg). */
enum case_field {
    CF_EAX, CF_ECX, CF_EDX, CF_EBX, CF_ESP, CF_EBP, CF_ESI, CF_EDI,
    CF_CF, CF_PF, CF_AF, CF_ZF, CF_SF, CF_OF, CF_DF,
    CF_FS_BASE, CF_GS_BASE,
    CF_EIP, /* out: only */
    CF_COUNT
};
#define CF_FIRST_FLAG CF_CF
#define CF_LAST_FLAG CF_DF

enum case_exit {
    CASE_EXIT_NONE, CASE_EXIT_SIGILL, CASE_EXIT_DIVIDE, CASE_EXIT_INT3,
    CASE_EXIT_PRIV, CASE_EXIT_INTO, CASE_EXIT_BOUND, CASE_EXIT_SYSCALL,
    CASE_EXIT_FETCH, CASE_EXIT_COUNT
};

struct case_bytes {
    uint32_t addr;
    size_t len;
    uint8_t *bytes;
};

struct insn_case {
    const char *file; /* base name, e.g. "alu.cases" (shared string) */
    int line;         /* of the [name] header */
    char name[128];
    uint8_t code[CASE_CODE_MAX];
    size_t code_len;
    uint32_t in[CF_COUNT];
    uint32_t in_set; /* bit per case_field given in in: */
    uint32_t out[CF_COUNT];
    uint32_t out_set;
    struct case_bytes *mem, *outmem;
    size_t nmem, noutmem;
    enum case_exit exit;
    bool qemu_skip;
    char skip_reason[128];
    /* A parse error ("line N: ...") or "" when the case is well formed. */
    char error[192];
};

struct insn_case_set {
    struct insn_case *cases;
    size_t count, capacity;
    char **files; /* base names, sorted; cases come in this order */
    size_t nfiles;
};

/* Read every *.cases file of dir (sorted by name).  A malformed case is
 * kept with its error set, so the runners report it as a failure.
 * Returns 0, or -1 with a message in err when dir or a file can't be
 * read. */
int insn_cases_load(const char *dir, struct insn_case_set *set, char *err,
                    size_t errlen);
void insn_cases_free(struct insn_case_set *set);

/* The input value of a field: as given, else its default. */
uint32_t insn_case_input(const struct insn_case *c, enum case_field f);
/* The value a field must have afterwards, and whether it is checked at
 * all (flags not listed in out: are not). */
bool insn_case_expect(const struct insn_case *c, enum case_field f,
                      uint32_t *value);

const char *insn_case_field_name(enum case_field f);
const char *insn_case_exit_name(enum case_exit e);

#endif
