/* --dump-image: the loaded image and its auxiliary vector, readably. */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "guest_mem.h"
#include "loader.h"
#include "runtime.h"
#include "runtime_internal.h"

static const char *auxv_name(uint32_t type)
{
    switch (type) {
    case AUXV_AT_NULL: return "AT_NULL";
    case AUXV_AT_PHDR: return "AT_PHDR";
    case AUXV_AT_PHENT: return "AT_PHENT";
    case AUXV_AT_PHNUM: return "AT_PHNUM";
    case AUXV_AT_PAGESZ: return "AT_PAGESZ";
    case AUXV_AT_BASE: return "AT_BASE";
    case AUXV_AT_FLAGS: return "AT_FLAGS";
    case AUXV_AT_ENTRY: return "AT_ENTRY";
    case AUXV_AT_UID: return "AT_UID";
    case AUXV_AT_EUID: return "AT_EUID";
    case AUXV_AT_GID: return "AT_GID";
    case AUXV_AT_EGID: return "AT_EGID";
    case AUXV_AT_PLATFORM: return "AT_PLATFORM";
    case AUXV_AT_HWCAP: return "AT_HWCAP";
    case AUXV_AT_CLKTCK: return "AT_CLKTCK";
    case AUXV_AT_SECURE: return "AT_SECURE";
    case AUXV_AT_RANDOM: return "AT_RANDOM";
    case AUXV_AT_EXECFN: return "AT_EXECFN";
    default: return "AT_?";
    }
}

/* A guest string for display, or "?" when it cannot be read. */
static const char *guest_str(const struct guest_mem *m, guest_addr_t a,
                             char *buf, size_t len)
{
    long n = guest_mem_strnlen(m, a, len - 1);
    if (n < 0 || guest_mem_copy_from(m, buf, a, (size_t)n + 1) < 0)
        return "?";
    return buf;
}

void runtime_dump_image(const struct runtime *rt, FILE *out)
{
    const struct image_info *i = &rt->info;
    const struct guest_mem *m = &rt->mem;
#define ADDR(name, v) fprintf(out, "%-14s 0x%08x\n", name, (unsigned)(v))
    fprintf(out, "%-14s %s\n", "program", i->exe_host_path);
    fprintf(out, "%-14s %s\n", "exec_name", i->exec_name);
    fprintf(out, "%-14s %s\n", "type",
            i->elf_type == ET_DYN ? "ET_DYN (PIE)" : "ET_EXEC");
    ADDR("load_bias", i->load_bias);
    ADDR("load_addr", i->load_addr);
    ADDR("entry", i->entry);
    ADDR("start_code", i->start_code);
    ADDR("end_code", i->end_code);
    ADDR("start_data", i->start_data);
    ADDR("end_data", i->end_data);
    ADDR("start_brk", i->start_brk);
    ADDR("brk", i->brk);
    ADDR("phdr", i->phdr);
    fprintf(out, "%-14s %u\n", "phent", i->phent);
    fprintf(out, "%-14s %u\n", "phnum", i->phnum);
    fprintf(out, "%-14s %s\n", "exec_stack", i->exec_stack ? "yes" : "no");
    if (i->has_interp) {
        fprintf(out, "%-14s %s (host: %s)\n", "interp", i->interp_path,
                i->interp_host_path);
        ADDR("interp_base", i->interp_base);
        ADDR("interp_entry", i->interp_entry);
    } else {
        fprintf(out, "%-14s none\n", "interp");
    }
    ADDR("start_pc", i->start_pc);
    ADDR("stack_limit", i->stack_limit);
    ADDR("stack_top", i->stack_top);
    ADDR("start_stack", i->start_stack);
    ADDR("arg_start", i->arg_start);
    ADDR("arg_end", i->arg_end);
    ADDR("env_start", i->env_start);
    ADDR("env_end", i->env_end);
#undef ADDR
    uint32_t argc = 0;
    if (guest_mem_copy_from(m, &argc, i->start_stack, 4) == 0) {
        fprintf(out, "%-14s %u\n", "argc", argc);
        for (uint32_t k = 0; k < argc && k < 64; k++) {
            uint32_t p;
            char buf[256];
            if (guest_mem_copy_from(m, &p, i->start_stack + 4 + 4 * k, 4))
                break;
            fprintf(out, "  argv[%u]      \"%s\"\n", k,
                    guest_str(m, p, buf, sizeof(buf)));
        }
    }
    fprintf(out, "auxv\n");
    for (uint32_t k = 0; k < i->auxv_count; k++) {
        const struct loader_auxv_entry *e = &i->auxv[k];
        char buf[256];
        fprintf(out, "  %-12s 0x%08x", auxv_name(e->type), e->value);
        if (e->type == AUXV_AT_PLATFORM || e->type == AUXV_AT_EXECFN)
            fprintf(out, " \"%s\"", guest_str(m, e->value, buf, sizeof(buf)));
        fputc('\n', out);
    }
}
