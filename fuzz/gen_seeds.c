/* Writes the hand-made seeds of fuzz/seeds/: tiny i386 ELF files and #!
 * scripts, each a few hundred bytes, each reaching a different part of the
 * loader.  Built from structs here rather than copied from real binaries,
 * so that every byte is explained.
 *
 *   cc -o gen_seeds fuzz/gen_seeds.c && ./gen_seeds fuzz/seeds
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_MAX 4096
#define SEED_BASE 0x08048000u

struct seed {
    uint8_t data[SEED_MAX];
    size_t size;
    Elf32_Ehdr *eh;
};

/* mov eax, 1; xor ebx, ebx; int 0x80: exit(0). */
static const uint8_t seed_code[] = {0xb8, 0x01, 0x00, 0x00, 0x00,
                                    0x31, 0xdb, 0xcd, 0x80};

static uint32_t seed_append(struct seed *s, const void *p, size_t len)
{
    if (s->size + len > SEED_MAX) {
        fprintf(stderr, "gen_seeds: seed too large\n");
        exit(1);
    }
    memcpy(s->data + s->size, p, len);
    s->size += len;
    return (uint32_t)(s->size - len);
}

/* An ELF header with room for phnum program headers right after it. */
static void seed_start(struct seed *s, uint16_t type, unsigned phnum)
{
    memset(s, 0, sizeof(*s));
    Elf32_Ehdr eh = {
        .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32,
                    ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV},
        .e_type = type,
        .e_machine = EM_386,
        .e_version = EV_CURRENT,
        .e_phoff = sizeof(Elf32_Ehdr),
        .e_ehsize = sizeof(Elf32_Ehdr),
        .e_phentsize = sizeof(Elf32_Phdr),
        .e_phnum = (uint16_t)phnum,
    };
    seed_append(s, &eh, sizeof(eh));
    Elf32_Phdr zero = {0};
    for (unsigned i = 0; i < phnum; i++)
        seed_append(s, &zero, sizeof(zero));
    s->eh = (Elf32_Ehdr *)s->data;
}

static Elf32_Phdr *seed_ph(struct seed *s, unsigned i)
{
    return (Elf32_Phdr *)(s->data + s->eh->e_phoff) + i;
}

static void seed_set(struct seed *s, unsigned i, uint32_t type,
                     uint32_t offset, uint32_t vaddr, uint32_t filesz,
                     uint32_t memsz, uint32_t flags)
{
    *seed_ph(s, i) = (Elf32_Phdr){type, offset, vaddr, vaddr, filesz, memsz,
                                  flags, type == PT_LOAD ? 0x1000 : 4};
}

/* Code at the end of the file; returns its file offset. */
static uint32_t seed_code_add(struct seed *s)
{
    return seed_append(s, seed_code, sizeof(seed_code));
}

static void seed_write(const char *dir, const char *name, const void *data,
                       size_t size)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* The smallest static program: one PT_LOAD covering the whole file. */
static void gen_static(const char *dir)
{
    struct seed s;
    seed_start(&s, ET_EXEC, 2);
    uint32_t code = seed_code_add(&s);
    s.eh->e_entry = SEED_BASE + code;
    seed_set(&s, 0, PT_LOAD, 0, SEED_BASE, (uint32_t)s.size,
             (uint32_t)s.size, PF_R | PF_X);
    seed_set(&s, 1, PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W);
    seed_write(dir, "static_min.elf", s.data, s.size);
}

/* Text, then data with a bss that runs over several pages. */
static void gen_static_bss(const char *dir)
{
    struct seed s;
    seed_start(&s, ET_EXEC, 3);
    uint32_t code = seed_code_add(&s);
    s.eh->e_entry = SEED_BASE + code;
    uint32_t text = (uint32_t)s.size;
    uint32_t data = seed_append(&s, "data-data-data", 15);
    seed_set(&s, 0, PT_LOAD, 0, SEED_BASE, text, text, PF_R | PF_X);
    seed_set(&s, 1, PT_LOAD, data, SEED_BASE + 0x1000 + data, 15, 0x3456,
             PF_R | PF_W);
    seed_set(&s, 2, PT_TLS, data, SEED_BASE + 0x1000 + data, 4, 8, PF_R);
    seed_write(dir, "static_bss.elf", s.data, s.size);
}

/* A PIE asking for the dynamic linker, with PT_PHDR and a stack note. */
static void gen_pie_interp(const char *dir, const char *name,
                           const char *interp)
{
    struct seed s;
    seed_start(&s, ET_DYN, 4);
    uint32_t ilen = (uint32_t)strlen(interp) + 1;
    uint32_t ioff = seed_append(&s, interp, ilen);
    uint32_t code = seed_code_add(&s);
    s.eh->e_entry = code;
    uint32_t phsize = 4 * sizeof(Elf32_Phdr);
    seed_set(&s, 0, PT_PHDR, s.eh->e_phoff, s.eh->e_phoff, phsize, phsize,
             PF_R);
    seed_set(&s, 1, PT_INTERP, ioff, ioff, ilen, ilen, PF_R);
    seed_set(&s, 2, PT_LOAD, 0, 0, (uint32_t)s.size, (uint32_t)s.size,
             PF_R | PF_X);
    seed_set(&s, 3, PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W | PF_X);
    seed_write(dir, name, s.data, s.size);
}

/* Program headers at the end of the file, among headers of every kind. */
static void gen_phdrs_at_end(const char *dir)
{
    struct seed s;
    seed_start(&s, ET_EXEC, 0);
    uint32_t code = seed_code_add(&s);
    s.eh->e_entry = SEED_BASE + code;
    static const uint32_t types[] = {PT_NULL, PT_NOTE, PT_LOAD, PT_DYNAMIC,
                                     PT_SHLIB, PT_GNU_EH_FRAME, PT_GNU_RELRO,
                                     PT_LOPROC, PT_HIOS};
    unsigned n = sizeof(types) / sizeof(types[0]);
    s.eh->e_phoff = (uint32_t)s.size;
    s.eh->e_phnum = (uint16_t)n;
    Elf32_Phdr zero = {0};
    for (unsigned i = 0; i < n; i++)
        seed_append(&s, &zero, sizeof(zero));
    for (unsigned i = 0; i < n; i++)
        seed_set(&s, i, types[i], 0, SEED_BASE, (uint32_t)s.size,
                 (uint32_t)s.size, PF_R | PF_X);
    seed_write(dir, "phdrs_at_end.elf", s.data, s.size);
}

/* A segment that ends exactly at 4 GiB: the edge of every range check. */
static void gen_top_of_space(const char *dir)
{
    struct seed s;
    seed_start(&s, ET_EXEC, 1);
    uint32_t code = seed_code_add(&s);
    s.eh->e_entry = 0xfffff000u + code;
    seed_set(&s, 0, PT_LOAD, 0, 0xfffff000u, (uint32_t)s.size, 0x1000,
             PF_R | PF_X);
    seed_write(dir, "top_of_space.elf", s.data, s.size);
}

static void gen_script(const char *dir, const char *name, const char *text)
{
    seed_write(dir, name, text, strlen(text));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    gen_static(dir);
    gen_static_bss(dir);
    gen_pie_interp(dir, "pie_interp.elf", "/lib/ld-linux.so.2");
    /* The host's own programs: an interpreter of the wrong class, and a
     * script (ldd is one) that leads to a second #! level. */
    gen_pie_interp(dir, "pie_interp_host64.elf", "/bin/sh");
    gen_phdrs_at_end(dir);
    gen_top_of_space(dir);
    gen_script(dir, "script_arg.sh", "#! /bin/sh  -e  \necho hi\n");
    gen_script(dir, "script_interp_elf.sh", "#!/lib/ld-linux.so.2\n");
    gen_script(dir, "script_to_script.sh", "#!/usr/bin/ldd --\n");
    return 0;
}
