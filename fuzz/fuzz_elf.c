/* Fuzz target for the loader (libFuzzer entry point; fuzz_driver.c runs
 * it without libFuzzer).
 *
 * Each input goes through three public paths:
 *  1. loader_check_elf_buffer: the ELF parser on a buffer;
 *  2. loader_load on the input written to a file, with a mapper that maps
 *     nothing but checks every request the loader makes.  This reaches
 *     the #! script parser, script chains, PT_INTERP handling (the host's
 *     files are opened, read only) and the segment arithmetic of load.c;
 *  3. elf_symbols_load on the same file, every function start looked up,
 *     and the .eh_frame rules asked for at and around each (symbols.c,
 *     cfi.c: what the profiler reads from every guest library).
 * A request outside the rules of struct loader_mapper aborts: the fuzzer
 * reports it like a crash. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- a mapper that keeps the loader honest ---- */

#define FUZZ_MAX_MAPS 4096

/* Where place() puts relocatable objects; what a real runtime picks. */
#define FUZZ_PROGRAM_BASE 0x56555000u
#define FUZZ_INTERP_BASE 0xf7000000u
#define FUZZ_LOW_BASE 0x00010000u
/* Like the runtime, refuse the first 64 KiB and the stack's top of the
 * space (-EEXIST), so the loader's mapping-failure paths run too. */
#define FUZZ_RESERVED_LOW 0x00010000u
#define FUZZ_RESERVED_HIGH 0xff6fe000u

struct fuzz_map {
    guest_addr_t addr;
    uint64_t len;
};

struct fuzz_space {
    unsigned count;
    struct fuzz_map maps[FUZZ_MAX_MAPS];
};

static void fuzz_require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_elf: loader broke the mapper contract: %s\n",
                what);
        abort();
    }
}

static int fuzz_page_aligned(uint64_t v)
{
    return (v & (GUEST_PAGE_SIZE - 1)) == 0;
}

static void fuzz_require_range(guest_addr_t addr, uint64_t len)
{
    fuzz_require(len > 0, "empty mapping");
    fuzz_require(fuzz_page_aligned(addr) && fuzz_page_aligned(len),
                 "mapping not page-aligned");
    fuzz_require((uint64_t)addr + len <= GUEST_SPACE_SIZE,
                 "mapping past 4 GiB");
}

/* True when [addr, addr+len) lies inside one earlier mapping. */
static int fuzz_space_covers(const struct fuzz_space *s, guest_addr_t addr,
                             uint64_t len)
{
    for (unsigned i = 0; i < s->count; i++) {
        const struct fuzz_map *m = &s->maps[i];
        if (addr >= m->addr && (uint64_t)addr + len <= m->addr + m->len)
            return 1;
    }
    return 0;
}

static int fuzz_space_add(struct fuzz_space *s, guest_addr_t addr,
                          uint64_t len)
{
    fuzz_require_range(addr, len);
    if (addr < FUZZ_RESERVED_LOW || addr + len > FUZZ_RESERVED_HIGH)
        return -EEXIST;
    if (s->count == FUZZ_MAX_MAPS)
        return -ENOMEM;
    s->maps[s->count++] = (struct fuzz_map){addr, len};
    return 0;
}

static int fuzz_place(void *ctx, enum loader_place kind, uint64_t len,
                      guest_addr_t *out)
{
    fuzz_require(len > 0 && fuzz_page_aligned(len), "place: bad length");
    guest_addr_t base = kind == LOADER_PLACE_PROGRAM ? FUZZ_PROGRAM_BASE
                                                     : FUZZ_INTERP_BASE;
    if (base + len > GUEST_SPACE_SIZE)
        base = FUZZ_LOW_BASE;
    if (base + len > GUEST_SPACE_SIZE)
        return -ENOMEM;
    *out = base;
    return 0;
}

static int fuzz_map_file(void *ctx, guest_addr_t addr, uint32_t len, int prot,
                         int fd, uint64_t offset)
{
    fuzz_require(fd >= 0, "map_file: no file");
    fuzz_require(fuzz_page_aligned(offset), "map_file: offset not aligned");
    off_t end = lseek(fd, 0, SEEK_END);
    fuzz_require(end >= 0 && offset < (uint64_t)end,
                 "map_file: offset past the end of the file");
    return fuzz_space_add(ctx, addr, len);
}

static int fuzz_map_anon(void *ctx, guest_addr_t addr, uint32_t len, int prot)
{
    return fuzz_space_add(ctx, addr, len);
}

static int fuzz_zero(void *ctx, guest_addr_t addr, uint32_t len)
{
    fuzz_require(fuzz_space_covers(ctx, addr, len), "zero: not mapped");
    return 0;
}

static int fuzz_protect(void *ctx, guest_addr_t addr, uint32_t len, int prot)
{
    fuzz_require_range(addr, len);
    fuzz_require(fuzz_space_covers(ctx, addr, len), "protect: not mapped");
    return 0;
}

/* ---- the input as a file ---- */

static char fuzz_file_path[64];

static void fuzz_file_remove(void)
{
    unlink(fuzz_file_path);
}

/* One file per process, rewritten for each input: loader_load wants a
 * path (it opens, stats and resolves it). */
static const char *fuzz_file_write(const uint8_t *data, size_t size)
{
    if (!fuzz_file_path[0]) {
        /* A file rewritten thousands of times a second: on a disk file
         * system the truncations alone cost ten times the loading. */
        const char *dir = getenv("TMPDIR");
        if (!dir || strlen(dir) >= 32)
            dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_file_path, sizeof(fuzz_file_path), "%s/fuzz-elf-%d",
                 dir, (int)getpid());
        atexit(fuzz_file_remove);
    }
    int fd = open(fuzz_file_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  0755);
    if (fd < 0)
        return NULL;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fd);
    return done == size ? fuzz_file_path : NULL;
}

/* A one-line message: non-empty, no newline, NUL-terminated in err. */
static void fuzz_check_message(const char *err, size_t errlen)
{
    fuzz_require(memchr(err, '\0', errlen) != NULL, "message not terminated");
    fuzz_require(err[0] != '\0', "failure without a message");
    fuzz_require(strchr(err, '\n') == NULL, "message spans lines");
}

static void fuzz_symbols(const char *path);

static void fuzz_load(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file_write(data, size);
    if (!path)
        return;
    static struct fuzz_space space;
    space.count = 0;
    struct loader_mapper mapper = {
        .ctx = &space,
        .place = fuzz_place,
        .map_file = fuzz_map_file,
        .map_anon = fuzz_map_anon,
        .zero = fuzz_zero,
        .protect = fuzz_protect,
    };
    fuzz_symbols(path);
    struct loader_request req = {path, NULL};
    struct image_info info;
    char err[512];
    int rc = loader_load(&req, &mapper, &info, err, sizeof(err));
    if (rc < 0) {
        fuzz_check_message(err, sizeof(err));
        return;
    }
    fuzz_require(info.start_pc == (info.has_interp ? info.interp_entry
                                                   : info.entry),
                 "start_pc is neither entry");
    loader_image_free(&info);
}

/* The symbols and unwinding rules of the file at path. */
static void fuzz_symbols(const char *path)
{
    char err[512];
    struct elf_symbols *s = elf_symbols_load(path, err, sizeof(err));
    if (!s) {
        fuzz_check_message(err, sizeof(err));
        return;
    }
    size_t n = elf_symbols_count(s);
    for (size_t i = 0; i < n && i < 4096; i++) {
        const struct elf_symbol *sym = elf_symbols_at(s, i);
        fuzz_require(sym != NULL, "a symbol index below the count");
        const struct elf_symbol *hit;
        fuzz_require(elf_symbols_lookup(s, sym->start, &hit) &&
                         hit->start == sym->start,
                     "a function start not found at itself");
        static const uint32_t delta[] = {0, 1, 3, 7, 16, 100};
        for (size_t d = 0; d < sizeof(delta) / sizeof(delta[0]); d++) {
            struct elf_cfi_row row;
            if (elf_symbols_cfi(s, sym->start + delta[d], &row))
                fuzz_require(row.cfa.how == ELF_CFI_REG ||
                                 row.cfa.how == ELF_CFI_VAL_EXPR,
                             "a row without a CFA rule");
        }
    }
    elf_symbols_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    if (loader_check_elf_buffer(data, size, err, sizeof(err)) < 0)
        fuzz_check_message(err, sizeof(err));
    fuzz_load(data, size);
    return 0;
}
