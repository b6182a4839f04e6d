/* Function starts and names of an ELF32 i386 file: .symtab (else
 * .dynsym) STT_FUNC symbols, plus the start of every .eh_frame FDE, so a
 * stripped shared library still tells where its functions begin; and
 * those FDEs' unwinding rules (cfi.c).
 *
 * The parts of the file these read are read into a buffer of its size
 * (read_file), and every offset, size and index taken from it is checked
 * against that size before use: a truncated or hostile file yields fewer
 * symbols, never an out-of-bounds read. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "loader_internal.h"

/* Larger files are not worth naming. */
#define SYMBOLS_MAX_FILE (512u << 20)
#define SYMBOLS_MAX_SEGMENTS 64

struct elf_symbols {
    struct elf_symbol *sym; /* sorted by start, one per start */
    size_t nsym, cap;
    char *names;            /* the string table the names point into */
    struct elf_segment seg[SYMBOLS_MAX_SEGMENTS];
    size_t nseg;
    uint32_t got; /* .got.plt's address, 0: none */
    struct cfi_table *cfi; /* .eh_frame (cfi.c), or NULL */
};

/* A file read into memory, with checked access. */
struct blob {
    const uint8_t *p;
    size_t n;
};

static bool in_blob(const struct blob *b, uint64_t off, uint64_t len)
{
    return off <= b->n && len <= b->n - off;
}

static bool section(const struct blob *b, const Elf32_Ehdr *eh, unsigned i,
                    Elf32_Shdr *out);
static bool section_data(const struct blob *b, const Elf32_Shdr *sh,
                         struct blob *out);

/* n bytes at off of fd into buf + off, as far as the file of size len
 * has them. */
static void read_range(int fd, uint8_t *buf, size_t len, uint64_t off,
                       uint64_t n)
{
    if (off >= len)
        return;
    if (n > len - off)
        n = len - off;
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + off + got, n - got, (off_t)(off + got));
        if (r <= 0)
            return;
        got += (size_t)r;
    }
}

/* Is section sh one the readers below use?  (shstr: the section names.) */
static bool wanted(const Elf32_Shdr *sh, const struct blob *shstr)
{
    if (sh->sh_type == SHT_SYMTAB || sh->sh_type == SHT_DYNSYM ||
        sh->sh_type == SHT_STRTAB)
        return true;
    return sh->sh_name < shstr->n &&
           strncmp((const char *)shstr->p + sh->sh_name, ".eh_frame",
                   shstr->n - sh->sh_name) == 0;
}

/* The file's bytes naming reads -- the ELF header, the program and
 * section headers, the symbol and string tables and .eh_frame -- at
 * their offsets in anonymous memory of the file's size; the rest reads
 * as zeros and is never touched, so never filled.  (Reading libc.so.6
 * whole, 2.2 MB copied into fresh memory, was ~5 ms of a profiled run's
 * exit.)  A file that is not ELF32 keeps only its first bytes: the
 * caller refuses it.  Free with unmap_file. */
static uint8_t *read_file(const char *path, size_t *size, char *err,
                          size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > SYMBOLS_MAX_FILE) {
        snprintf(err, errlen, "%s: not a regular file of a usable size",
                 path);
        close(fd);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = mmap(NULL, n, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return NULL;
    }
    Elf32_Ehdr eh;
    read_range(fd, buf, n, 0, sizeof(eh));
    memcpy(&eh, buf, n < sizeof(eh) ? n : sizeof(eh));
    if (n >= sizeof(eh) && eh.e_ident[EI_CLASS] == ELFCLASS32) {
        read_range(fd, buf, n, eh.e_phoff,
                   (uint64_t)eh.e_phnum * eh.e_phentsize);
        read_range(fd, buf, n, eh.e_shoff,
                   (uint64_t)eh.e_shnum * eh.e_shentsize);
        struct blob b = {buf, n}, shstr = {NULL, 0};
        Elf32_Shdr sh;
        if (section(&b, &eh, eh.e_shstrndx, &sh) &&
            sh.sh_type == SHT_STRTAB) {
            read_range(fd, buf, n, sh.sh_offset, sh.sh_size);
            section_data(&b, &sh, &shstr);
        }
        for (unsigned i = 0; i < eh.e_shnum; i++)
            if (section(&b, &eh, i, &sh) && sh.sh_type != SHT_NOBITS &&
                wanted(&sh, &shstr))
                read_range(fd, buf, n, sh.sh_offset, sh.sh_size);
    }
    close(fd);
    *size = n;
    return buf;
}

static void unmap_file(uint8_t *buf, size_t n)
{
    munmap(buf, n);
}

static int add_sym(struct elf_symbols *s, uint32_t start, uint32_t size,
                   const char *name)
{
    if (s->nsym == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        struct elf_symbol *n = realloc(s->sym, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        s->sym = n;
        s->cap = cap;
    }
    s->sym[s->nsym++] = (struct elf_symbol){start, size, name};
    return 0;
}

/* ---- program and section headers ---- */

static void read_segments(struct elf_symbols *s, const struct blob *b,
                          const Elf32_Ehdr *eh)
{
    if (eh->e_phentsize != sizeof(Elf32_Phdr))
        return;
    for (unsigned i = 0; i < eh->e_phnum && s->nseg < SYMBOLS_MAX_SEGMENTS;
         i++) {
        uint64_t off = eh->e_phoff + (uint64_t)i * sizeof(Elf32_Phdr);
        if (!in_blob(b, off, sizeof(Elf32_Phdr)))
            return;
        Elf32_Phdr ph;
        memcpy(&ph, b->p + off, sizeof(ph));
        if (ph.p_type == PT_LOAD)
            s->seg[s->nseg++] = (struct elf_segment){
                ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz, ph.p_flags};
    }
}

static bool section(const struct blob *b, const Elf32_Ehdr *eh, unsigned i,
                    Elf32_Shdr *out)
{
    if (eh->e_shentsize != sizeof(Elf32_Shdr) || i >= eh->e_shnum)
        return false;
    uint64_t off = eh->e_shoff + (uint64_t)i * sizeof(Elf32_Shdr);
    if (!in_blob(b, off, sizeof(Elf32_Shdr)))
        return false;
    memcpy(out, b->p + off, sizeof(*out));
    return true;
}

/* The contents of a section that has bytes in the file. */
static bool section_data(const struct blob *b, const Elf32_Shdr *sh,
                         struct blob *out)
{
    if (sh->sh_type == SHT_NOBITS || !in_blob(b, sh->sh_offset, sh->sh_size))
        return false;
    *out = (struct blob){b->p + sh->sh_offset, sh->sh_size};
    return true;
}

/* ---- .symtab / .dynsym ---- */

/* Section i holds code: untyped symbols there are labels of assembly
 * functions (glibc's __restore_rt). */
static bool in_code(const struct blob *b, const Elf32_Ehdr *eh, unsigned i)
{
    Elf32_Shdr sh;
    return i < SHN_LORESERVE && section(b, eh, i, &sh) &&
           (sh.sh_flags & SHF_EXECINSTR);
}

/* STT_FUNC (and IFUNC, and untyped labels in code) symbols defined in the
 * file; returns how many. */
static size_t read_symtab(struct elf_symbols *s, const struct blob *b,
                          const Elf32_Ehdr *eh, uint32_t type)
{
    size_t found = 0;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        Elf32_Shdr sh, strh;
        struct blob syms, strs;
        if (!section(b, eh, i, &sh) || sh.sh_type != type ||
            sh.sh_entsize != sizeof(Elf32_Sym) ||
            !section(b, eh, sh.sh_link, &strh) ||
            !section_data(b, &sh, &syms) || !section_data(b, &strh, &strs) ||
            strs.n == 0)
            continue;
        /* Names point into a copy ending in NUL whatever the file holds. */
        char *names = malloc(strs.n + 1);
        if (!names)
            return found;
        memcpy(names, strs.p, strs.n);
        names[strs.n] = 0;
        free(s->names);
        s->names = names;
        for (size_t k = 0; k + sizeof(Elf32_Sym) <= syms.n;
             k += sizeof(Elf32_Sym)) {
            Elf32_Sym sym;
            memcpy(&sym, syms.p + k, sizeof(sym));
            unsigned t = ELF32_ST_TYPE(sym.st_info);
            if ((t != STT_FUNC && t != STT_GNU_IFUNC &&
                 !(t == STT_NOTYPE && in_code(b, eh, sym.st_shndx))) ||
                sym.st_shndx == SHN_UNDEF || sym.st_value == 0 ||
                sym.st_name >= strs.n || !names[sym.st_name] ||
                names[sym.st_name] == '.' || names[sym.st_name] == '$')
                continue;
            if (add_sym(s, sym.st_value, sym.st_size, names + sym.st_name) < 0)
                return found;
            found++;
        }
        return found; /* one table of this type */
    }
    return found;
}

/* ---- .eh_frame ---- */

/* The section header named name.  false: none. */
static bool find_section(const struct blob *b, const Elf32_Ehdr *eh,
                         const char *name, Elf32_Shdr *out)
{
    Elf32_Shdr strh;
    struct blob shstr;
    if (!section(b, eh, eh->e_shstrndx, &strh) ||
        !section_data(b, &strh, &shstr))
        return false;
    for (unsigned i = 0; i < eh->e_shnum; i++)
        if (section(b, eh, i, out) && out->sh_name < shstr.n &&
            strncmp((const char *)shstr.p + out->sh_name, name,
                    shstr.n - out->sh_name) == 0)
            return true;
    return false;
}

/* _GLOBAL_OFFSET_TABLE_: what PIC code keeps in EBX, and its jump
 * tables' entries are offsets from.  The start of .got.plt, or of .got
 * in a file linked with -z now, which has no .got.plt (Debian's
 * libsqlite3, sqlite3, bzip2: --aot found none of their switch tables). */
static void read_got(struct elf_symbols *s, const struct blob *b,
                     const Elf32_Ehdr *eh)
{
    Elf32_Shdr sh;
    if (find_section(b, eh, ".got.plt", &sh) ||
        find_section(b, eh, ".got", &sh))
        s->got = sh.sh_addr;
}

bool elf_symbols_got(const struct elf_symbols *s, uint32_t *vaddr)
{
    *vaddr = s->got;
    return s->got != 0;
}

/* PLT entries, each a start of its own: one FDE covers a whole .plt, and
 * a call reaches an entry only through a relative call (--aot found none
 * of them: 5 of SQLite's units compiled at run time after it). */
static void read_plt(struct elf_symbols *s, const struct blob *b,
                     const Elf32_Ehdr *eh)
{
    static const struct {
        const char *name;
        uint32_t entry;
    } plts[] = {{".plt", 16}, {".plt.sec", 16}, {".plt.got", 8}};
    for (size_t i = 0; i < sizeof(plts) / sizeof(plts[0]); i++) {
        Elf32_Shdr sh;
        if (!find_section(b, eh, plts[i].name, &sh) ||
            sh.sh_type != SHT_PROGBITS || sh.sh_size > (1u << 24))
            continue;
        for (uint32_t off = 0; off + plts[i].entry <= sh.sh_size;
             off += plts[i].entry)
            if (add_sym(s, sh.sh_addr + off, plts[i].entry, NULL) != 0)
                return;
    }
}

static void read_eh_frame(struct elf_symbols *s, const struct blob *b,
                          const Elf32_Ehdr *eh)
{
    Elf32_Shdr sh;
    struct blob data;
    if (!find_section(b, eh, ".eh_frame", &sh) ||
        !section_data(b, &sh, &data))
        return;
    s->cfi = cfi_table_new(data.p, data.n, sh.sh_addr);
    for (size_t i = 0; i < cfi_table_count(s->cfi); i++) {
        uint32_t start, range;
        cfi_table_fde(s->cfi, i, &start, &range);
        if (add_sym(s, start, range, NULL) != 0)
            return;
    }
}

bool elf_symbols_cfi(const struct elf_symbols *s, uint32_t vaddr,
                     struct elf_cfi_row *row)
{
    return cfi_table_row(s->cfi, vaddr, row);
}

/* ---- the table ---- */

static int by_start(const void *a, const void *b)
{
    const struct elf_symbol *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    /* Named first, then larger sizes: the entry kept for a start. */
    if (!x->name != !y->name)
        return x->name ? -1 : 1;
    return x->size > y->size ? -1 : x->size < y->size;
}

/* Sort and keep one entry per start: the named one, with a size from an
 * FDE when the symbol has none. */
static void finish_table(struct elf_symbols *s)
{
    if (!s->nsym)
        return;
    qsort(s->sym, s->nsym, sizeof(*s->sym), by_start);
    size_t k = 0;
    for (size_t i = 1; i < s->nsym; i++) {
        if (s->sym[i].start == s->sym[k].start) {
            if (!s->sym[k].size)
                s->sym[k].size = s->sym[i].size;
            continue;
        }
        s->sym[++k] = s->sym[i];
    }
    s->nsym = k + 1;
}

struct elf_symbols *elf_symbols_load(const char *path, char *err,
                                     size_t errlen)
{
    size_t n;
    uint8_t *buf = read_file(path, &n, err, errlen);
    if (!buf)
        return NULL;
    struct blob b = {buf, n};
    Elf32_Ehdr eh;
    if (!in_blob(&b, 0, sizeof(eh)) ||
        (memcpy(&eh, buf, sizeof(eh)), memcmp(eh.e_ident, ELFMAG, SELFMAG)) ||
        eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_machine != EM_386) {
        snprintf(err, errlen, "%s: not an ELF32 i386 file", path);
        unmap_file(buf, n);
        return NULL;
    }
    struct elf_symbols *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        unmap_file(buf, n);
        return NULL;
    }
    read_segments(s, &b, &eh);
    if (!read_symtab(s, &b, &eh, SHT_SYMTAB))
        read_symtab(s, &b, &eh, SHT_DYNSYM);
    read_eh_frame(s, &b, &eh);
    read_plt(s, &b, &eh);
    read_got(s, &b, &eh);
    finish_table(s);
    unmap_file(buf, n);
    return s;
}

void elf_symbols_free(struct elf_symbols *s)
{
    if (!s)
        return;
    free(s->sym);
    free(s->names);
    cfi_table_free(s->cfi);
    free(s);
}

bool elf_symbols_lookup(const struct elf_symbols *s, uint32_t vaddr,
                        const struct elf_symbol **out)
{
    size_t lo = 0, hi = s->nsym;
    while (lo < hi) { /* first start above vaddr */
        size_t mid = lo + (hi - lo) / 2;
        if (s->sym[mid].start <= vaddr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    const struct elf_symbol *e = &s->sym[lo - 1];
    if (e->size && vaddr - e->start >= e->size)
        return false;
    *out = e;
    return true;
}

size_t elf_symbols_count(const struct elf_symbols *s)
{
    return s->nsym;
}

const struct elf_symbol *elf_symbols_at(const struct elf_symbols *s,
                                        size_t i)
{
    return i < s->nsym ? &s->sym[i] : NULL;
}

size_t elf_symbols_segments(const struct elf_symbols *s,
                            const struct elf_segment **out)
{
    *out = s->seg;
    return s->nseg;
}

bool elf_symbols_bias(const struct elf_symbols *s, guest_addr_t start,
                      uint64_t offset, guest_addr_t *bias)
{
    for (size_t i = 0; i < s->nseg; i++) {
        const struct elf_segment *g = &s->seg[i];
        /* mmap offsets are page-aligned: the segment's first page. */
        uint64_t first = g->offset & ~0xfffull;
        if (offset < first || offset >= (uint64_t)g->offset + g->filesz)
            continue;
        uint32_t vaddr = g->vaddr - (g->offset - (uint32_t)offset);
        *bias = start - vaddr;
        return true;
    }
    return false;
}
