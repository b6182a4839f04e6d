/* The initial guest stack, laid out as Linux's create_elf_tables does for
 * an i386 process.  Private to runtime/ (and its tests). */
#ifndef R386_STACK_H
#define R386_STACK_H

#include <stdint.h>

#include "guest_mem.h"
#include "loader.h"

/* Arguments and environment may use at most this much of the stack
 * (Linux: a quarter of RLIMIT_STACK). */
#define STACK_MAX_ARG_BYTES (GUEST_STACK_SIZE / 4)

struct stack_ids {
    uint32_t uid, euid, gid, egid;
};

/* Map the stack region and write argv, envp, the auxiliary vector and their
 * strings into it; fill the stack and auxv fields of info.  argv and envp
 * are NULL-terminated; argv[0] may be absent (argc 0).  Returns 0, -E2BIG
 * when the strings do not fit, or another negative errno. */
__attribute__((warn_unused_result))
int stack_build(struct guest_mem *m, struct image_info *info,
                char *const argv[], char *const envp[],
                const uint8_t random[16], const struct stack_ids *ids);

#endif
