/* The loader, checked against the ELF files it loads: every PT_LOAD segment
 * must appear in guest memory with the file's bytes, a zeroed bss and its
 * protections; image_info must agree with the ELF headers. */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "loader.h"
#include "runtime_internal.h"
#include "test_util.h"

static struct runtime *load(const char *path, const char *sysroot)
{
    char *argv[] = {(char *)path, NULL};
    char *envp[] = {"A=1", NULL};
    struct runtime_config cfg = {
        .sysroot = sysroot, .argc = 1, .argv = argv, .envp = envp};
    struct runtime *rt;
    char err[512];
    int rc = runtime_create(&cfg, &rt, err, sizeof(err));
    ck_assert_msg(rc == 0, "loading %s failed: %s", path, err);
    return rt;
}

static const Elf32_Ehdr *ehdr_of(const uint8_t *file)
{
    return (const Elf32_Ehdr *)file;
}

static const Elf32_Phdr *phdr_of(const uint8_t *file, int i)
{
    const Elf32_Ehdr *eh = ehdr_of(file);
    return (const Elf32_Phdr *)(file + eh->e_phoff) + i;
}

static uint32_t auxv_get(const struct image_info *info, uint32_t type)
{
    for (uint32_t i = 0; i < info->auxv_count; i++)
        if (info->auxv[i].type == type)
            return info->auxv[i].value;
    ck_abort_msg("auxv entry %u missing", type);
    return 0;
}

/* Every segment of the file mapped at vaddr + bias with its contents. */
static void check_segments(const struct runtime *rt, const uint8_t *file,
                           guest_addr_t bias)
{
    const Elf32_Ehdr *eh = ehdr_of(file);
    int loads = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf32_Phdr *ph = phdr_of(file, i);
        if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
            continue;
        loads++;
        guest_addr_t a = ph->p_vaddr + bias;
        uint8_t *buf = malloc(ph->p_memsz);
        ck_assert_int_eq(guest_mem_copy_from(&rt->mem, buf, a, ph->p_memsz),
                         0);
        ck_assert_msg(memcmp(buf, file + ph->p_offset, ph->p_filesz) == 0,
                      "segment %d contents differ", i);
        for (uint32_t k = ph->p_filesz; k < ph->p_memsz; k++)
            ck_assert_msg(buf[k] == 0, "bss byte %u of segment %d not zero",
                          k, i);
        free(buf);
        /* The rest of the last bss page is zero too. */
        if (ph->p_memsz > ph->p_filesz) {
            guest_addr_t end = a + ph->p_memsz;
            guest_addr_t page_end = (guest_addr_t)guest_page_up(end);
            for (guest_addr_t p = end; p < page_end; p++)
                ck_assert(*(uint8_t *)g2h(&rt->mem, p) == 0);
        }
        int want = ((ph->p_flags & PF_R) ? GUEST_PROT_READ : 0) |
                   ((ph->p_flags & PF_W) ? GUEST_PROT_WRITE : 0) |
                   ((ph->p_flags & PF_X) ? GUEST_PROT_EXEC : 0);
        uint8_t f = guest_mem_page_flags(&rt->mem, a + ph->p_memsz - 1);
        ck_assert(f & PAGE_MAPPED);
        ck_assert_int_eq(f & PAGE_PROT_MASK, want);
    }
    ck_assert_int_gt(loads, 0);
}

/* Fields common to every program. */
static void check_common(const struct runtime *rt, const uint8_t *file,
                         guest_addr_t bias)
{
    const struct image_info *info = runtime_image(rt);
    const Elf32_Ehdr *eh = ehdr_of(file);
    ck_assert_uint_eq(info->load_bias, bias);
    ck_assert_uint_eq(info->entry, eh->e_entry + bias);
    ck_assert_uint_eq(info->phnum, eh->e_phnum);
    ck_assert_uint_eq(info->phent, sizeof(Elf32_Phdr));
    /* AT_PHDR points at a copy of the program headers in guest memory. */
    Elf32_Phdr ph0;
    ck_assert_int_eq(guest_mem_copy_from(&rt->mem, &ph0, info->phdr,
                                         sizeof(ph0)), 0);
    ck_assert_mem_eq(&ph0, phdr_of(file, 0), sizeof(ph0));
    ck_assert_uint_eq(auxv_get(info, AUXV_AT_PHDR), info->phdr);
    ck_assert_uint_eq(auxv_get(info, AUXV_AT_PHNUM), eh->e_phnum);
    ck_assert_uint_eq(auxv_get(info, AUXV_AT_ENTRY), info->entry);
    /* brk: page-aligned, just past the highest segment. */
    uint64_t hi = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf32_Phdr *ph = phdr_of(file, i);
        if (ph->p_type == PT_LOAD &&
            (uint64_t)ph->p_vaddr + ph->p_memsz > hi)
            hi = (uint64_t)ph->p_vaddr + ph->p_memsz;
    }
    ck_assert_uint_eq(info->start_brk, guest_page_up(hi + bias));
    ck_assert_uint_eq(info->brk, info->start_brk);
    ck_assert_uint_le(info->start_code, info->end_code);
    ck_assert(info->start_code <= info->entry && info->entry < info->end_code);
    check_segments(rt, file, bias);
}

START_TEST(static_exec)
{
    size_t size;
    uint8_t *file = read_file(guest_path("hello_static"), &size);
    struct runtime *rt = load(guest_path("hello_static"), NULL);
    const struct image_info *info = runtime_image(rt);
    ck_assert_int_eq(info->elf_type, ET_EXEC);
    check_common(rt, file, 0);
    ck_assert(!info->has_interp);
    ck_assert_uint_eq(info->start_pc, info->entry);
    ck_assert_uint_eq(auxv_get(info, AUXV_AT_BASE), 0);
    ck_assert(!info->exec_stack);
    runtime_destroy(rt);
    free(file);
}
END_TEST

START_TEST(static_pie)
{
    size_t size;
    uint8_t *file = read_file(guest_path("hello_static_pie"), &size);
    struct runtime *rt = load(guest_path("hello_static_pie"), NULL);
    const struct image_info *info = runtime_image(rt);
    ck_assert_int_eq(info->elf_type, ET_DYN);
    ck_assert_uint_eq(info->load_bias, GUEST_PIE_BASE);
    check_common(rt, file, GUEST_PIE_BASE);
    ck_assert(!info->has_interp);
    ck_assert_uint_eq(info->start_pc, info->entry);
    runtime_destroy(rt);
    free(file);
}
END_TEST

/* A dynamic program: the dynamic linker comes from the sysroot and
 * control starts there. */
static void check_dynamic(const char *name, Elf32_Half type,
                          guest_addr_t bias)
{
    size_t size, isize;
    uint8_t *file = read_file(guest_path(name), &size);
    struct runtime *rt = load(guest_path(name), R386_TEST_SYSROOT);
    const struct image_info *info = runtime_image(rt);
    ck_assert_int_eq(info->elf_type, type);
    check_common(rt, file, bias);
    ck_assert(info->has_interp);
    ck_assert_str_eq(info->interp_path, "/lib/ld-linux.so.2");
    ck_assert_str_eq(info->interp_host_path,
                     R386_TEST_SYSROOT "/lib/ld-linux.so.2");

    uint8_t *ld = read_file(info->interp_host_path, &isize);
    ck_assert_int_eq(ehdr_of(ld)->e_type, ET_DYN);
    ck_assert_uint_eq(info->interp_base & (GUEST_PAGE_SIZE - 1), 0);
    ck_assert_uint_eq(info->interp_entry,
                      ehdr_of(ld)->e_entry + info->interp_base);
    ck_assert_uint_eq(info->start_pc, info->interp_entry);
    ck_assert_uint_eq(auxv_get(info, AUXV_AT_BASE), info->interp_base);
    /* The interpreter sits below the mmap base, clear of the program and
     * of the stack. */
    ck_assert_uint_lt(info->interp_base, GUEST_MMAP_BASE);
    ck_assert_uint_gt(info->interp_base, info->start_brk);
    check_segments(rt, ld, info->interp_base);
    runtime_destroy(rt);
    free(ld);
    free(file);
}

START_TEST(dynamic_pie)
{
    check_dynamic("hello_pie", ET_DYN, GUEST_PIE_BASE);
}
END_TEST

START_TEST(dynamic_exec)
{
    check_dynamic("hello_dyn", ET_EXEC, 0);
}
END_TEST

START_TEST(exec_stack)
{
    struct runtime *rt = load(guest_path("hello_execstack"), NULL);
    const struct image_info *info = runtime_image(rt);
    ck_assert(info->exec_stack);
    ck_assert(guest_mem_page_flags(&rt->mem, info->start_stack) &
              GUEST_PROT_EXEC);
    runtime_destroy(rt);
}
END_TEST

/* Without -L the interpreter is looked up on the host. */
START_TEST(interp_host_fallback)
{
    struct runtime *rt = load(guest_path("hello_pie"), NULL);
    ck_assert_str_eq(runtime_image(rt)->interp_host_path,
                     "/lib/ld-linux.so.2");
    runtime_destroy(rt);
}
END_TEST

/* #! scripts, nested: argv[0] is replaced by interpreter, optional
 * argument and the script's path, as Linux's binfmt_script does. */
START_TEST(scripts)
{
    char s1[512], s2[512], text[1024];
    snprintf(s2, sizeof(s2), "%s/inner.sh", test_tmpdir());
    snprintf(s1, sizeof(s1), "%s/outer.sh", test_tmpdir());
    snprintf(text, sizeof(text), "#!%s  -x  y \necho\n",
             guest_path("hello_static"));
    write_file(s2, text, strlen(text), 0755);
    snprintf(text, sizeof(text), "#! %s\n", s2);
    write_file(s1, text, strlen(text), 0755);

    char *argv[] = {"argv0-dropped", "arg1", NULL};
    char *envp[] = {NULL};
    struct runtime_config cfg = {.argc = 2, .argv = argv, .envp = envp};
    argv[0] = s1;
    struct runtime *rt;
    char err[512];
    ck_assert_int_eq(runtime_create(&cfg, &rt, err, sizeof(err)), 0);
    const struct image_info *info = runtime_image(rt);
    ck_assert_int_eq(info->argv_prefix_count, 4);
    ck_assert_str_eq(info->argv_prefix[0], guest_path("hello_static"));
    ck_assert_str_eq(info->argv_prefix[1], "-x  y");
    ck_assert_str_eq(info->argv_prefix[2], s2);
    ck_assert_str_eq(info->argv_prefix[3], s1);
    ck_assert_str_eq(info->exec_name, s1);

    /* The guest's argv: prefix, then the original arguments after argv[0]. */
    uint32_t argc, p;
    ck_assert_int_eq(guest_mem_copy_from(&rt->mem, &argc, info->start_stack,
                                         4), 0);
    ck_assert_uint_eq(argc, 5);
    ck_assert_int_eq(guest_mem_copy_from(&rt->mem, &p,
                                         info->start_stack + 4 * 5, 4), 0);
    ck_assert_str_eq((const char *)g2h(&rt->mem, p), "arg1");
    runtime_destroy(rt);
}
END_TEST

START_TEST(sysroot_path)
{
    char *p = loader_sysroot_path(R386_TEST_SYSROOT, "/lib/ld-linux.so.2");
    ck_assert_str_eq(p, R386_TEST_SYSROOT "/lib/ld-linux.so.2");
    free(p);
    p = loader_sysroot_path(R386_TEST_SYSROOT, "/no/such/file");
    ck_assert_str_eq(p, "/no/such/file");
    free(p);
    p = loader_sysroot_path(R386_TEST_SYSROOT, "relative/path");
    ck_assert_str_eq(p, "relative/path");
    free(p);
    p = loader_sysroot_path(NULL, "/lib/ld-linux.so.2");
    ck_assert_str_eq(p, "/lib/ld-linux.so.2");
    free(p);
}
END_TEST

START_TEST(missing_program)
{
    char *argv[] = {"/no/such/program", NULL};
    char *envp[] = {NULL};
    struct runtime_config cfg = {.argc = 1, .argv = argv, .envp = envp};
    struct runtime *rt;
    char err[512];
    ck_assert_int_eq(runtime_create(&cfg, &rt, err, sizeof(err)), -ENOENT);
    ck_assert_ptr_nonnull(strstr(err, "/no/such/program"));
    ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

/* The section header called name, found here independently of
 * loader/symbols.c.  NULL: none. */
static const Elf32_Shdr *section_named(const uint8_t *file, const char *name)
{
    const Elf32_Ehdr *eh = ehdr_of(file);
    const Elf32_Shdr *sh = (const Elf32_Shdr *)(file + eh->e_shoff);
    const char *names = (const char *)file + sh[eh->e_shstrndx].sh_offset;
    for (int i = 0; i < eh->e_shnum; i++)
        if (strcmp(names + sh[i].sh_name, name) == 0)
            return &sh[i];
    return NULL;
}

/* Function starts: every PLT entry is one (--aot compiles from them), and
 * the program's own functions keep their names. */
START_TEST(symbols_plt)
{
    size_t size;
    uint8_t *file = read_file(guest_path("hello_dyn"), &size);
    const Elf32_Shdr *plt = section_named(file, ".plt");
    ck_assert_ptr_nonnull(plt);
    ck_assert_uint_ge(plt->sh_size, 32); /* PLT0 and one entry at least */
    char err[256];
    struct elf_symbols *s = elf_symbols_load(guest_path("hello_dyn"), err,
                                             sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    for (uint32_t off = 0; off < plt->sh_size; off += 16) {
        const struct elf_symbol *sym;
        ck_assert(elf_symbols_lookup(s, plt->sh_addr + off, &sym));
        ck_assert_uint_eq(sym->start, plt->sh_addr + off);
        if (off) /* (PLT0 keeps the size of the FDE over the whole .plt) */
            ck_assert_uint_eq(sym->size, 16);
    }
    const struct elf_symbol *m;
    ck_assert(elf_symbols_lookup(s, ehdr_of(file)->e_entry, &m));
    ck_assert_uint_eq(m->start, ehdr_of(file)->e_entry);
    ck_assert_str_eq(m->name, "_start");
    elf_symbols_free(s);
    free(file);
}
END_TEST

/* The GOT PIC code addresses from: .got.plt, and in a file linked with
 * -z now (no .got.plt) the start of .got -- checked against what the
 * code itself computes into EBX is not possible here, so against the
 * ELF's own DT_PLTGOT. */
static uint32_t dt_pltgot(const uint8_t *file)
{
    const Elf32_Shdr *dyn = section_named(file, ".dynamic");
    ck_assert_ptr_nonnull(dyn);
    const Elf32_Dyn *d = (const Elf32_Dyn *)(file + dyn->sh_offset);
    for (; d->d_tag != DT_NULL; d++)
        if (d->d_tag == DT_PLTGOT)
            return d->d_un.d_ptr;
    ck_abort_msg("no DT_PLTGOT");
    return 0;
}

START_TEST(symbols_got)
{
    static const char *const progs[] = {"hello_dyn", "hello_now"};
    for (int i = 0; i < 2; i++) {
        size_t size;
        uint8_t *file = read_file(guest_path(progs[i]), &size);
        char err[256];
        struct elf_symbols *s = elf_symbols_load(guest_path(progs[i]), err,
                                                 sizeof(err));
        ck_assert_msg(s != NULL, "%s", err);
        uint32_t got;
        ck_assert(elf_symbols_got(s, &got));
        ck_assert_uint_eq(got, dt_pltgot(file));
        ck_assert((section_named(file, ".got.plt") == NULL) == (i == 1));
        elf_symbols_free(s);
        free(file);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, static_exec);
    tcase_add_test(tc, static_pie);
    tcase_add_test(tc, dynamic_pie);
    tcase_add_test(tc, dynamic_exec);
    tcase_add_test(tc, exec_stack);
    tcase_add_test(tc, interp_host_fallback);
    tcase_add_test(tc, scripts);
    tcase_add_test(tc, sysroot_path);
    tcase_add_test(tc, missing_program);
    tcase_add_test(tc, symbols_plt);
    tcase_add_test(tc, symbols_got);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
