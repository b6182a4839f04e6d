/* The malformed-ELF corpus: bad files built as data, each a mutation of a
 * valid guest program, each with the errno and message the loader must
 * answer.  Every case is checked three ways: the parser alone
 * (loader_check_elf_buffer) where the fault is in the headers, a load in
 * process (runtime_create, for the exact errno), and the r386 binary (one
 * line "r386: PATH: reason" on stderr, the right exit status, no crash).
 * A seeded byte-flip sweep then checks that no mutation crashes the
 * parser or the binary. */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader.h"
#include "runtime.h"
#include "test_util.h"

/* The valid programs every case starts from. */
#define STATIC "hello_static"
#define PIE "hello_pie"

/* ---- the file being mutated ---- */

struct image {
    uint8_t *data;
    size_t size;
};

static Elf32_Ehdr *image_ehdr(struct image *img)
{
    ck_assert_uint_ge(img->size, sizeof(Elf32_Ehdr));
    return (Elf32_Ehdr *)img->data;
}

static Elf32_Phdr *image_phdr(struct image *img, unsigned i)
{
    Elf32_Ehdr *eh = image_ehdr(img);
    ck_assert_uint_lt(i, eh->e_phnum);
    return (Elf32_Phdr *)(img->data + eh->e_phoff) + i;
}

/* The nth program header of the given type; the base programs have them
 * all, so a miss is a broken test. */
static Elf32_Phdr *image_find(struct image *img, uint32_t type, unsigned nth)
{
    Elf32_Ehdr *eh = image_ehdr(img);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf32_Phdr *ph = image_phdr(img, i);
        if (ph->p_type == type && nth-- == 0)
            return ph;
    }
    ck_abort_msg("no program header of type %u", type);
    return NULL;
}

static unsigned image_count(struct image *img, uint32_t type)
{
    unsigned n = 0;
    for (unsigned i = 0; i < image_ehdr(img)->e_phnum; i++)
        n += image_phdr(img, i)->p_type == type;
    return n;
}

/* Append bytes; returns their file offset.  Moves img->data, so header
 * pointers taken before are stale. */
static uint32_t image_append(struct image *img, const void *bytes, size_t len)
{
    uint8_t *p = realloc(img->data, img->size + len);
    ck_assert_ptr_nonnull(p);
    memcpy(p + img->size, bytes, len);
    img->data = p;
    img->size += len;
    return (uint32_t)(img->size - len);
}

static void image_set_text(struct image *img, const char *text)
{
    free(img->data);
    img->data = (uint8_t *)strdup(text);
    ck_assert_ptr_nonnull(img->data);
    img->size = strlen(text);
}

/* Point PT_INTERP at a path stored at the end of the file: the original
 * slot is too short for test paths. */
static void image_set_interp(struct image *img, const char *path)
{
    uint32_t off = image_append(img, path, strlen(path) + 1);
    Elf32_Phdr *ph = image_find(img, PT_INTERP, 0);
    ph->p_offset = off;
    ph->p_filesz = (uint32_t)strlen(path) + 1;
}

static const char *tmp_path(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", test_tmpdir(), name);
    return buf;
}

/* A script path -> path.1 -> ... -> path.(count-1) -> target: count
 * scripts in all.  The first is returned in img, the others written. */
static void make_chain(struct image *img, const char *path, int count,
                       const char *target)
{
    /* Room for path plus a suffix, so nothing is cut. */
    char text[4200], next[4160], cur[4160];
    for (int i = count - 1; i >= 0; i--) {
        if (i == count - 1)
            snprintf(next, sizeof(next), "%s", target);
        else
            snprintf(next, sizeof(next), "%s.%d", path, i + 1);
        snprintf(text, sizeof(text), "#!%s\n", next);
        if (i == 0) {
            image_set_text(img, text);
        } else {
            snprintf(cur, sizeof(cur), "%s.%d", path, i);
            write_file(cur, text, strlen(text), 0755);
        }
    }
}

/* ---- mutations: one per case ---- */

static void mut_empty(struct image *img, const char *path)
{
    img->size = 0;
}

static void mut_trunc10(struct image *img, const char *path)
{
    img->size = 10;
}

static void mut_trunc_phdrs(struct image *img, const char *path)
{
    img->size = image_ehdr(img)->e_phoff + 2 * sizeof(Elf32_Phdr) + 10;
}

static void mut_trunc_segment(struct image *img, const char *path)
{
    img->size = image_find(img, PT_LOAD, 1)->p_offset + 0x100;
}

static void mut_bad_magic(struct image *img, const char *path)
{
    img->data[EI_MAG1] = 'X';
}

static void mut_class64(struct image *img, const char *path)
{
    img->data[EI_CLASS] = ELFCLASS64;
}

static void mut_class_none(struct image *img, const char *path)
{
    img->data[EI_CLASS] = ELFCLASSNONE;
}

static void mut_big_endian(struct image *img, const char *path)
{
    img->data[EI_DATA] = ELFDATA2MSB;
}

static void mut_ei_version(struct image *img, const char *path)
{
    img->data[EI_VERSION] = 2;
}

static void mut_e_version(struct image *img, const char *path)
{
    image_ehdr(img)->e_version = 0;
}

static void mut_x86_64(struct image *img, const char *path)
{
    image_ehdr(img)->e_machine = EM_X86_64;
}

static void mut_arm(struct image *img, const char *path)
{
    image_ehdr(img)->e_machine = EM_ARM;
}

static void mut_et_rel(struct image *img, const char *path)
{
    image_ehdr(img)->e_type = ET_REL;
}

static void mut_et_core(struct image *img, const char *path)
{
    image_ehdr(img)->e_type = ET_CORE;
}

static void mut_phentsize(struct image *img, const char *path)
{
    image_ehdr(img)->e_phentsize = sizeof(Elf64_Phdr);
}

static void mut_phnum0(struct image *img, const char *path)
{
    image_ehdr(img)->e_phnum = 0;
}

static void mut_phnum_huge(struct image *img, const char *path)
{
    image_ehdr(img)->e_phnum = 0xffff;
}

static void mut_phoff_past_end(struct image *img, const char *path)
{
    image_ehdr(img)->e_phoff = (uint32_t)img->size + 64;
}

static void mut_phoff_overflow(struct image *img, const char *path)
{
    image_ehdr(img)->e_phoff = 0xfffffff0u;
}

static void mut_filesz_gt_memsz(struct image *img, const char *path)
{
    Elf32_Phdr *ph = image_find(img, PT_LOAD, 0);
    ph->p_filesz = ph->p_memsz + 1;
}

static void mut_offset_past_end(struct image *img, const char *path)
{
    /* Page-aligned, so that only the size check can catch it. */
    Elf32_Phdr *ph = image_find(img, PT_LOAD, 1);
    ph->p_offset = (uint32_t)guest_page_up(img->size) + GUEST_PAGE_SIZE +
                   (ph->p_vaddr & (GUEST_PAGE_SIZE - 1));
}

static void mut_vaddr_wrap(struct image *img, const char *path)
{
    Elf32_Phdr *ph = image_find(img, PT_LOAD, image_count(img, PT_LOAD) - 1);
    ph->p_memsz = 0xfffff000u;
}

static void mut_not_congruent(struct image *img, const char *path)
{
    image_find(img, PT_LOAD, 1)->p_offset += 0x10;
}

static void mut_no_load(struct image *img, const char *path)
{
    for (unsigned i = 0; i < image_ehdr(img)->e_phnum; i++)
        if (image_phdr(img, i)->p_type == PT_LOAD)
            image_phdr(img, i)->p_type = PT_NULL;
}

static void mut_empty_loads(struct image *img, const char *path)
{
    for (unsigned i = 0; i < image_ehdr(img)->e_phnum; i++)
        if (image_phdr(img, i)->p_type == PT_LOAD)
            image_phdr(img, i)->p_filesz = image_phdr(img, i)->p_memsz = 0;
}

static void mut_out_of_order(struct image *img, const char *path)
{
    Elf32_Phdr *a = image_find(img, PT_LOAD, 1);
    Elf32_Phdr *b = image_find(img, PT_LOAD, 2);
    Elf32_Phdr t = *a;
    *a = *b;
    *b = t;
}

/* Both stay congruent with their file offsets: only the runtime's
 * reserved ranges can refuse them. */
static void mut_low_memory(struct image *img, const char *path)
{
    Elf32_Phdr *ph = image_find(img, PT_LOAD, 0);
    ph->p_vaddr = ph->p_paddr = ph->p_offset & (GUEST_PAGE_SIZE - 1);
}

static void mut_high_memory(struct image *img, const char *path)
{
    Elf32_Phdr *ph = image_find(img, PT_LOAD, image_count(img, PT_LOAD) - 1);
    ph->p_vaddr = ph->p_paddr = 0xfff00000u |
                                (ph->p_offset & (GUEST_PAGE_SIZE - 1));
}

static void mut_interp_unterminated(struct image *img, const char *path)
{
    Elf32_Phdr *ph = image_find(img, PT_INTERP, 0);
    img->data[ph->p_offset + ph->p_filesz - 1] = 'x';
}

static void mut_interp_len1(struct image *img, const char *path)
{
    image_find(img, PT_INTERP, 0)->p_filesz = 1;
}

static void mut_interp_empty_string(struct image *img, const char *path)
{
    img->data[image_find(img, PT_INTERP, 0)->p_offset] = '\0';
}

static void mut_interp_huge(struct image *img, const char *path)
{
    image_find(img, PT_INTERP, 0)->p_filesz = 0x7fffffffu;
}

static void mut_interp_past_end(struct image *img, const char *path)
{
    image_find(img, PT_INTERP, 0)->p_offset = (uint32_t)img->size - 4;
}

static void mut_interp_missing(struct image *img, const char *path)
{
    image_set_interp(img, "/nonexistent/r386-ld.so");
}

/* Names read from the file must not break the one-line message. */
static void mut_interp_newline(struct image *img, const char *path)
{
    image_set_interp(img, "/nonexistent/r386\nld.so");
}

static void mut_interp_not_elf(struct image *img, const char *path)
{
    /* Longer than an ELF header, so that the magic is what is refused. */
    const char *text = "#include <this is not an ELF file, nor a script>\n"
                       "int main(void) { return 0; }\n";
    const char *interp = tmp_path("interp_not_elf.so");
    write_file(interp, text, strlen(text), 0755);
    image_set_interp(img, interp);
}

static void mut_interp_64bit(struct image *img, const char *path)
{
    image_set_interp(img, "/bin/true");
}

static void mut_interp_no_exec(struct image *img, const char *path)
{
    /* Any ELF file will do: the execute bit is checked first. */
    size_t size;
    uint8_t *ld = read_file(guest_path(STATIC), &size);
    const char *interp = tmp_path("interp_no_exec.so");
    write_file(interp, ld, size, 0644);
    free(ld);
    image_set_interp(img, interp);
}

static void mut_script_no_interp(struct image *img, const char *path)
{
    image_set_text(img, "#!  \t \necho hello\n");
}

static void mut_script_long_line(struct image *img, const char *path)
{
    char text[400];
    memset(text, 'a', sizeof(text));
    memcpy(text, "#!/bin/", 7);
    text[sizeof(text) - 2] = '\n';
    text[sizeof(text) - 1] = '\0';
    image_set_text(img, text);
}

static void mut_script_missing_interp(struct image *img, const char *path)
{
    image_set_text(img, "#!/nonexistent/r386-sh -e\n");
}

static void mut_script_escape(struct image *img, const char *path)
{
    image_set_text(img, "#!/nonexistent/\033[31mred\r\n");
}

static void mut_script_chain5(struct image *img, const char *path)
{
    make_chain(img, path, LOADER_MAX_SCRIPT_DEPTH + 1,
               guest_path("hello_static"));
}

static void mut_script_to_64bit(struct image *img, const char *path)
{
    image_set_text(img, "#!/bin/true\n");
}

static void mut_none(struct image *img, const char *path)
{
}

/* ---- the corpus ---- */

enum case_kind { CASE_FILE, CASE_DIRECTORY, CASE_FIFO, CASE_MISSING };

struct corpus_case {
    const char *name;
    const char *base;     /* guest program the bytes start from, or NULL */
    void (*mutate)(struct image *img, const char *path);
    int err;              /* the errno the load must fail with */
    const char *reason;   /* a substring of the one-line message */
    bool parser_rejects;  /* loader_check_elf_buffer must refuse it too */
    int mode;             /* file mode; 0 means 0755 */
    enum case_kind kind;
};

/* Refused by the ELF parser itself. */
#define PARSE(name, base, fn, reason) \
    {name, base, fn, -ENOEXEC, reason, true, 0, CASE_FILE}
/* Parsed, refused when loading (mapping, interpreter, scripts). */
#define LOAD(name, base, fn, err, reason) \
    {name, base, fn, err, reason, false, 0, CASE_FILE}

static const struct corpus_case corpus[] = {
    PARSE("empty", STATIC, mut_empty, "empty file"),
    PARSE("trunc10", STATIC, mut_trunc10, "too short for an ELF header"),
    PARSE("trunc_phdrs", STATIC, mut_trunc_phdrs,
          "program headers lie past the end"),
    PARSE("trunc_segment", STATIC, mut_trunc_segment,
          "lies past the end of the file"),
    PARSE("bad_magic", STATIC, mut_bad_magic, "not an ELF file"),
    PARSE("class64", STATIC, mut_class64, "64-bit ELF"),
    PARSE("class_none", STATIC, mut_class_none, "unknown ELF class 0"),
    PARSE("big_endian", STATIC, mut_big_endian, "not a little-endian"),
    PARSE("ei_version", STATIC, mut_ei_version, "unknown ELF version"),
    PARSE("e_version", STATIC, mut_e_version, "unknown ELF version"),
    PARSE("machine_x86_64", STATIC, mut_x86_64, "machine 62 is not i386"),
    PARSE("machine_arm", PIE, mut_arm, "machine 40 is not i386"),
    PARSE("et_rel", STATIC, mut_et_rel, "type 1 is not an executable"),
    PARSE("et_core", PIE, mut_et_core, "type 4 is not an executable"),
    PARSE("phentsize", STATIC, mut_phentsize, "bad program header size 56"),
    PARSE("phnum0", STATIC, mut_phnum0, "no program headers"),
    PARSE("phnum_huge", STATIC, mut_phnum_huge, "too many program headers"),
    PARSE("phoff_past_end", STATIC, mut_phoff_past_end,
          "program headers lie past the end"),
    PARSE("phoff_overflow", PIE, mut_phoff_overflow,
          "program headers lie past the end"),
    PARSE("filesz_gt_memsz", STATIC, mut_filesz_gt_memsz,
          "exceeds memory size"),
    PARSE("offset_past_end", STATIC, mut_offset_past_end,
          "segment 1 lies past the end of the file"),
    PARSE("vaddr_wrap", STATIC, mut_vaddr_wrap, "wraps past the 4 GiB"),
    PARSE("not_congruent", PIE, mut_not_congruent,
          "differ modulo the page size"),
    PARSE("no_load", STATIC, mut_no_load, "no loadable segments"),
    PARSE("empty_loads", PIE, mut_empty_loads, "no loadable segments"),
    PARSE("out_of_order", STATIC, mut_out_of_order, "out of address order"),
    LOAD("low_memory", STATIC, mut_low_memory, -EEXIST,
         "overlaps memory reserved by r386"),
    LOAD("high_memory", STATIC, mut_high_memory, -EEXIST,
         "overlaps memory reserved by r386"),
    PARSE("interp_unterminated", PIE, mut_interp_unterminated,
          "not a NUL-terminated string"),
    PARSE("interp_len1", PIE, mut_interp_len1,
          "bad interpreter path length 1"),
    PARSE("interp_empty_string", PIE, mut_interp_empty_string,
          "not a NUL-terminated string"),
    PARSE("interp_huge", PIE, mut_interp_huge,
          "bad interpreter path length"),
    PARSE("interp_past_end", PIE, mut_interp_past_end,
          "interpreter path lies past the end"),
    LOAD("interp_missing", PIE, mut_interp_missing, -ENOENT,
         "interpreter /nonexistent/r386-ld.so not found"),
    LOAD("interp_newline", PIE, mut_interp_newline, -ENOENT,
         "interpreter /nonexistent/r386?ld.so not found"),
    LOAD("interp_not_elf", PIE, mut_interp_not_elf, -ENOEXEC,
         "interp_not_elf.so: not an ELF file"),
    LOAD("interp_64bit", PIE, mut_interp_64bit, -ENOEXEC,
         "interpreter /bin/true: 64-bit ELF file"),
    LOAD("interp_no_exec", PIE, mut_interp_no_exec, -EACCES,
         "interp_no_exec.so: Permission denied"),
    LOAD("script_no_interp", NULL, mut_script_no_interp, -ENOEXEC,
         "names no interpreter"),
    LOAD("script_long_line", NULL, mut_script_long_line, -ENOEXEC,
         "longer than 256 bytes"),
    LOAD("script_missing_interp", NULL, mut_script_missing_interp, -ENOENT,
         "/nonexistent/r386-sh: No such file or directory"),
    LOAD("script_escape", NULL, mut_script_escape, -ENOENT,
         "/nonexistent/?[31mred?: No such file or directory"),
    LOAD("script_chain5", NULL, mut_script_chain5, -ELOOP,
         "too many levels of #! interpreters"),
    LOAD("script_to_64bit", NULL, mut_script_to_64bit, -ENOEXEC,
         "/bin/true: 64-bit ELF file"),
    {"no_exec", STATIC, mut_none, -EACCES, "Permission denied", false, 0644,
     CASE_FILE},
    {"directory", NULL, NULL, -EACCES, "is a directory", false, 0,
     CASE_DIRECTORY},
    /* execve refuses a FIFO at once; opening it must not wait for a
     * writer. */
    {"fifo", NULL, NULL, -EACCES, "not a regular file", false, 0, CASE_FIFO},
    {"missing", NULL, NULL, -ENOENT, "No such file or directory", false, 0,
     CASE_MISSING},
};

#define CORPUS_SIZE ((int)(sizeof(corpus) / sizeof(corpus[0])))

/* ---- checks ---- */

/* r386's exit status for a load error, as main/r386.c maps it. */
static int exit_status_for(int err)
{
    if (err == -ENOENT || err == -ENOTDIR)
        return 127;
    if (err == -EACCES)
        return 126;
    return 1;
}

/* Load in process, through the runtime's real mapper, so the errno itself
 * can be compared.  Returns the error, 0 on success. */
static int load_in_process(const char *path, char *err, size_t errlen)
{
    char *argv[] = {(char *)path, NULL};
    char *envp[] = {NULL};
    struct runtime_config cfg = {.argc = 1, .argv = argv, .envp = envp};
    struct runtime *rt;
    err[0] = '\0';
    int rc = runtime_create(&cfg, &rt, err, errlen);
    if (rc == 0)
        runtime_destroy(rt);
    return rc;
}

/* Run r386 --dump-image path; returns its wait status. */
static int run_dump(const char *path, char *out, size_t outlen, char *err,
                    size_t errlen)
{
    char *argv[] = {(char *)R386_TEST_BIN, "--dump-image", (char *)path,
                    NULL};
    return run_capture(argv, out, outlen, err, errlen);
}

/* The binary refuses path the way a user should see it: one line, the
 * file named, the reason given, the shell's exit status, no crash. */
static void expect_binary_refuses(const char *name, const char *path,
                                  int status, const char *reason)
{
    char out[4096], err[4096];
    int st = run_dump(path, out, sizeof(out), err, sizeof(err));
    ck_assert_msg(WIFEXITED(st), "%s: r386 killed by signal %d", name,
                  WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    ck_assert_msg(WEXITSTATUS(st) == status, "%s: exit %d, expected %d (%s)",
                  name, WEXITSTATUS(st), status, err);
    ck_assert_msg(count_lines(err) == 1 && err[strlen(err) - 1] == '\n',
                  "%s: expected one line on stderr, got \"%s\"", name, err);
    ck_assert_msg(strncmp(err, "r386: ", 6) == 0, "%s: \"%s\"", name, err);
    ck_assert_msg(strstr(err, path) != NULL, "%s: \"%s\" does not name %s",
                  name, err, path);
    ck_assert_msg(strstr(err, reason) != NULL,
                  "%s: \"%s\" does not say \"%s\"", name, err, reason);
    ck_assert_msg(out[0] == '\0', "%s: stdout not empty: \"%s\"", name, out);
}

/* Build the case's file at path; returns its bytes (for the parser). */
static struct image case_build(const struct corpus_case *c, const char *path)
{
    struct image img = {NULL, 0};
    if (c->base) {
        img.data = read_file(guest_path(c->base), &img.size);
        /* The original must be valid, or the case proves nothing. */
        char err[512];
        ck_assert_msg(loader_check_elf_buffer(img.data, img.size, err,
                                              sizeof(err)) == 0,
                      "%s: base %s invalid: %s", c->name, c->base, err);
    }
    if (c->mutate)
        c->mutate(&img, path);
    switch (c->kind) {
    case CASE_FILE:
        write_file(path, img.data, img.size, c->mode ? c->mode : 0755);
        break;
    case CASE_DIRECTORY:
        rmdir(path);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        break;
    case CASE_FIFO:
        unlink(path);
        ck_assert_int_eq(mkfifo(path, 0755), 0);
        break;
    case CASE_MISSING:
        unlink(path);
        break;
    }
    return img;
}

START_TEST(corpus_case)
{
    const struct corpus_case *c = &corpus[_i];
    char path[4096];
    snprintf(path, sizeof(path), "%s", tmp_path(c->name));
    struct image img = case_build(c, path);
    char err[512];

    if (c->parser_rejects) {
        int rc = loader_check_elf_buffer(img.data, img.size, err, sizeof(err));
        ck_assert_msg(rc == c->err, "%s: parser returned %d, expected %d "
                      "(%s)", c->name, rc, c->err, err);
        ck_assert_msg(strstr(err, c->reason) != NULL,
                      "%s: parser said \"%s\"", c->name, err);
        ck_assert_ptr_null(strchr(err, '\n'));
    }

    int rc = load_in_process(path, err, sizeof(err));
    ck_assert_msg(rc == c->err, "%s: load returned %d, expected %d (%s)",
                  c->name, rc, c->err, err);
    ck_assert_msg(strstr(err, c->reason) != NULL, "%s: load said \"%s\"",
                  c->name, err);

    expect_binary_refuses(c->name, path, exit_status_for(c->err), c->reason);
    free(img.data);
}
END_TEST

/* The originals load, so that every case above fails for its own reason. */
static void expect_loads(const char *path)
{
    char out[8192], err[4096];
    int st = run_dump(path, out, sizeof(out), err, sizeof(err));
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                  "%s does not load (status 0x%x): %s", path, st, err);
    ck_assert_str_eq(err, "");
    ck_assert_int_gt(count_lines(out), 10);
    ck_assert_int_eq(load_in_process(path, err, sizeof(err)), 0);
}

START_TEST(originals_load)
{
    const char *bases[] = {STATIC, PIE};
    for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
        size_t size;
        uint8_t *data = read_file(guest_path(bases[i]), &size);
        char err[512];
        ck_assert_int_eq(loader_check_elf_buffer(data, size, err,
                                                 sizeof(err)), 0);
        /* A copy written the way the cases are written loads too. */
        char path[4096];
        snprintf(path, sizeof(path), "%s", tmp_path(bases[i]));
        write_file(path, data, size, 0755);
        expect_loads(path);
        free(data);
    }
}
END_TEST

/* The deepest #! chain allowed loads; one more level is script_chain5. */
START_TEST(script_chain_limit_loads)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s", tmp_path("script_chain4"));
    struct image img = {NULL, 0};
    make_chain(&img, path, LOADER_MAX_SCRIPT_DEPTH,
               guest_path("hello_static"));
    write_file(path, img.data, img.size, 0755);
    free(img.data);
    expect_loads(path);
}
END_TEST

/* A program behind /proc/self/fd/N with no name of its own (a memfd, as
 * fexecve-style launchers pass): realpath cannot resolve it, and that is
 * not a reason to refuse it. */
START_TEST(memfd_program_loads)
{
    size_t size;
    uint8_t *data = read_file(guest_path(STATIC), &size);
    int fd = memfd_create("r386-test-program", 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    expect_loads(path);
    close(fd);
    free(data);
}
END_TEST

/* ---- the sweep: seeded random mutations must never crash ---- */

#define SWEEP_COUNT 2000
#define SWEEP_BINARY_EVERY 40 /* 50 of them through r386 itself */

static uint64_t sweep_next(uint64_t *state)
{
    /* xorshift64*: deterministic, so a failure reproduces. */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Flip a few bytes of [lo, hi): bits, whole bytes, or values that sit on
 * the parser's limits. */
static void sweep_flip(uint8_t *data, size_t lo, size_t hi, uint64_t *rng)
{
    static const uint8_t edges[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
    int flips = 1 + (int)(sweep_next(rng) % 4);
    for (int i = 0; i < flips; i++) {
        size_t pos = lo + sweep_next(rng) % (hi - lo);
        uint64_t r = sweep_next(rng);
        switch (r % 3) {
        case 0: data[pos] ^= (uint8_t)(1u << ((r >> 8) % 8)); break;
        case 1: data[pos] = (uint8_t)(r >> 16); break;
        default: data[pos] = edges[(r >> 8) % sizeof(edges)]; break;
        }
    }
}

static void sweep_run_binary(const uint8_t *data, size_t size, int n)
{
    char path[4096], out[8192], err[4096];
    snprintf(path, sizeof(path), "%s", tmp_path("sweep"));
    write_file(path, data, size, 0755);
    int st = run_dump(path, out, sizeof(out), err, sizeof(err));
    ck_assert_msg(WIFEXITED(st), "sweep %d: r386 killed by signal %d", n,
                  WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    if (WEXITSTATUS(st) != 0) {
        ck_assert_msg(WEXITSTATUS(st) == 1, "sweep %d: exit %d: %s", n,
                      WEXITSTATUS(st), err);
        ck_assert_msg(count_lines(err) == 1 &&
                          strncmp(err, "r386: ", 6) == 0,
                      "sweep %d: stderr \"%s\"", n, err);
    }
}

START_TEST(sweep_never_crashes)
{
    size_t size;
    uint8_t *orig = read_file(guest_path(STATIC), &size);
    uint8_t *data = malloc(size);
    ck_assert_ptr_nonnull(data);
    memcpy(data, orig, size);
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)orig;
    size_t head = size < 4096 ? size : 4096;
    size_t ph_lo = eh->e_phoff;
    size_t ph_hi = ph_lo + (size_t)eh->e_phnum * sizeof(Elf32_Phdr);
    ck_assert_uint_le(ph_hi, head);

    uint64_t rng = 0x5eed386;
    int refused = 0;
    for (int n = 0; n < SWEEP_COUNT; n++) {
        /* Half hit anywhere in the first page, half the program headers,
         * where a flip is most likely to reach a deep check. */
        if (n % 2)
            sweep_flip(data, ph_lo, ph_hi, &rng);
        else
            sweep_flip(data, 0, head, &rng);
        /* One in eight is truncated as well. */
        size_t len = size;
        if (sweep_next(&rng) % 8 == 0)
            len = (size_t)(sweep_next(&rng) % size);
        char err[512];
        refused += loader_check_elf_buffer(data, len, err, sizeof(err)) < 0;
        if (n % SWEEP_BINARY_EVERY == 0)
            sweep_run_binary(data, len, n);
        memcpy(data, orig, head);
    }
    /* The sweep must mostly produce bad files, or it tests nothing. */
    ck_assert_int_gt(refused, SWEEP_COUNT / 4);
    free(data);
    free(orig);
}
END_TEST

/* Runs in the parent process, so that every forked test shares one
 * directory, removed at the end. */
static void tmpdir_setup(void)
{
    test_tmpdir();
}

static int tmpdir_remove_one(const char *path, const struct stat *st,
                             int flag, struct FTW *ftw)
{
    return remove(path);
}

int main(void)
{
    Suite *s = suite_create("elf_corpus");
    TCase *tc = tcase_create("corpus");
    tcase_add_unchecked_fixture(tc, tmpdir_setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, originals_load);
    tcase_add_test(tc, script_chain_limit_loads);
    tcase_add_test(tc, memfd_program_loads);
    tcase_add_loop_test(tc, corpus_case, 0, CORPUS_SIZE);
    suite_add_tcase(s, tc);
    TCase *sweep = tcase_create("sweep");
    tcase_set_timeout(sweep, 120);
    tcase_add_test(sweep, sweep_never_crashes);
    suite_add_tcase(s, sweep);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    nftw(test_tmpdir(), tmpdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return failed ? 1 : 0;
}
