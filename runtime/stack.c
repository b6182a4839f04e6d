/* The initial stack of an i386 process.
 *
 * From the top of the stack region down, as Linux builds it:
 *   a 4-byte zero end marker, the AT_EXECFN string, the environment strings,
 *   the argument strings, (16-byte alignment), the AT_PLATFORM string, the
 *   16 AT_RANDOM bytes, padding, then -- from the final stack pointer up --
 *   argc, argv[], NULL, envp[], NULL, auxv pairs ending with AT_NULL.
 * The final stack pointer (the address of argc) is 16-byte aligned. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "r386/cpuid.h"
#include "stack.h"

/* Linux's USER_HZ. */
#define GUEST_CLKTCK 100

static size_t count(char *const v[])
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

static size_t strings_size(char *const v[], size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(v[i]) + 1;
    return total;
}

/* Write the strings of v upward from *at, storing each guest address. */
static int put_strings(struct guest_mem *m, guest_addr_t at, char *const v[],
                       size_t n, guest_addr_t *addrs)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        int rc = guest_mem_copy_to(m, at, v[i], len);
        if (rc < 0)
            return rc;
        addrs[i] = at;
        at += (guest_addr_t)len;
    }
    return 0;
}

static void auxv_add(struct image_info *info, uint32_t type, uint32_t value)
{
    if (info->auxv_count < LOADER_MAX_AUXV) {
        info->auxv[info->auxv_count].type = type;
        info->auxv[info->auxv_count].value = value;
        info->auxv_count++;
    }
}

static void auxv_fill(struct image_info *info, const struct stack_ids *ids)
{
    info->auxv_count = 0;
    /* No AT_SYSINFO/AT_SYSINFO_EHDR: r386 gives the guest no vDSO, so its
     * libc makes system calls with int $0x80. */
    auxv_add(info, AUXV_AT_HWCAP, R386_HWCAP);
    auxv_add(info, AUXV_AT_PAGESZ, GUEST_PAGE_SIZE);
    auxv_add(info, AUXV_AT_CLKTCK, GUEST_CLKTCK);
    auxv_add(info, AUXV_AT_PHDR, info->phdr);
    auxv_add(info, AUXV_AT_PHENT, info->phent);
    auxv_add(info, AUXV_AT_PHNUM, info->phnum);
    auxv_add(info, AUXV_AT_BASE, info->has_interp ? info->interp_base : 0);
    auxv_add(info, AUXV_AT_FLAGS, 0);
    auxv_add(info, AUXV_AT_ENTRY, info->entry);
    auxv_add(info, AUXV_AT_UID, ids->uid);
    auxv_add(info, AUXV_AT_EUID, ids->euid);
    auxv_add(info, AUXV_AT_GID, ids->gid);
    auxv_add(info, AUXV_AT_EGID, ids->egid);
    auxv_add(info, AUXV_AT_SECURE, 0);
    auxv_add(info, AUXV_AT_RANDOM, info->random);
    auxv_add(info, AUXV_AT_EXECFN, info->execfn);
    auxv_add(info, AUXV_AT_PLATFORM, info->platform);
    auxv_add(info, AUXV_AT_NULL, 0);
}

int stack_build(struct guest_mem *m, struct image_info *info,
                char *const argv[], char *const envp[],
                const uint8_t random[16], const struct stack_ids *ids)
{
    size_t argc = count(argv), envc = count(envp);
    const char *execfn = info->exec_name ? info->exec_name : "";
    size_t execfn_len = strlen(execfn) + 1;
    size_t arg_bytes = strings_size(argv, argc);
    size_t env_bytes = strings_size(envp, envc);
    size_t vec_bytes = (argc + envc + 3) * 4 + LOADER_MAX_AUXV * 8;
    if (arg_bytes + env_bytes + execfn_len + vec_bytes > STACK_MAX_ARG_BYTES)
        return -E2BIG;

    guest_addr_t limit = GUEST_STACK_TOP - GUEST_STACK_SIZE;
    int prot = GUEST_PROT_READ | GUEST_PROT_WRITE |
               (info->exec_stack ? GUEST_PROT_EXEC : 0);
    int rc = guest_mem_map(m, limit, GUEST_STACK_SIZE, prot, -1, 0,
                           GUEST_MAP_ALLOW_RESERVED);
    if (rc < 0)
        return rc;
    info->stack_limit = limit;
    info->stack_top = GUEST_STACK_TOP;

    guest_addr_t p = GUEST_STACK_TOP - 4; /* end marker stays zero */
    p -= (guest_addr_t)execfn_len;
    info->execfn = p;
    rc = guest_mem_copy_to(m, p, execfn, execfn_len);
    if (rc < 0)
        return rc;

    /* The guest addresses of the strings, for the pointer arrays. */
    guest_addr_t *ptrs = calloc(argc + envc + 1, sizeof(guest_addr_t));
    if (!ptrs)
        return -ENOMEM;
    guest_addr_t *arg_addrs = ptrs, *env_addrs = ptrs + argc;

    info->env_end = p;
    info->env_start = p - (guest_addr_t)env_bytes;
    rc = put_strings(m, info->env_start, envp, envc, env_addrs);
    info->arg_end = info->env_start;
    info->arg_start = info->arg_end - (guest_addr_t)arg_bytes;
    if (rc == 0)
        rc = put_strings(m, info->arg_start, argv, argc, arg_addrs);
    if (rc < 0)
        goto out;

    p = info->arg_start & ~15u;
    size_t plat_len = strlen(R386_PLATFORM) + 1;
    p -= (guest_addr_t)plat_len;
    info->platform = p;
    rc = guest_mem_copy_to(m, p, R386_PLATFORM, plat_len);
    if (rc < 0)
        goto out;
    p -= 16;
    info->random = p;
    rc = guest_mem_copy_to(m, p, random, 16);
    if (rc < 0)
        goto out;

    auxv_fill(info, ids);
    size_t words = 2 * info->auxv_count + (argc + 1) + (envc + 1) + 1;
    guest_addr_t sp = (p - (guest_addr_t)(words * 4)) & ~15u;
    info->start_stack = sp;

    guest_addr_t w = sp;
    uint32_t v = (uint32_t)argc;
    rc = guest_mem_copy_to(m, w, &v, 4);
    w += 4;
    for (size_t i = 0; rc == 0 && i < argc; i++, w += 4)
        rc = guest_mem_copy_to(m, w, &arg_addrs[i], 4);
    v = 0;
    if (rc == 0)
        rc = guest_mem_copy_to(m, w, &v, 4);
    w += 4;
    for (size_t i = 0; rc == 0 && i < envc; i++, w += 4)
        rc = guest_mem_copy_to(m, w, &env_addrs[i], 4);
    if (rc == 0)
        rc = guest_mem_copy_to(m, w, &v, 4);
    w += 4;
    for (uint32_t i = 0; rc == 0 && i < info->auxv_count; i++, w += 8)
        rc = guest_mem_copy_to(m, w, &info->auxv[i], 8);

out:
    free(ptrs);
    return rc;
}
