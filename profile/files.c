/* Which guest ELF file a pc lies in, and its load bias: the images the
 * runtime loaded (by their PT_LOAD segments), then its file mappings.
 * Each file's symbols and unwinding rules are read once
 * (loader/symbols.c), by the sampler as it first unwinds through the file
 * and by the symbolizer at exit (after the sampler stopped: never both at
 * once).  Ranges found are remembered, so the sampler's lookups of the
 * same code take no lock and read no mapping list. */
#include <stdlib.h>
#include <string.h>

#include "profile_internal.h"

static int file_index(struct profile *p, const char *path)
{
    for (int i = 0; i < p->nfiles; i++)
        if (strcmp(p->files[i].path, path) == 0)
            return i;
    struct prof_file *n =
        realloc(p->files, (size_t)(p->nfiles + 1) * sizeof(*n));
    if (!n)
        return -1;
    p->files = n;
    char err[256];
    n[p->nfiles].path = strdup(path);
    n[p->nfiles].syms = elf_symbols_load(path, err, sizeof(err));
    if (!n[p->nfiles].path) {
        elf_symbols_free(n[p->nfiles].syms);
        return -1;
    }
    return p->nfiles++;
}

static void remember(struct profile *p, guest_addr_t lo, uint64_t hi,
                     int file, guest_addr_t bias)
{
    if (p->nranges == PROFILE_MAX_RANGES)
        memmove(p->ranges, p->ranges + 1,
                (PROFILE_MAX_RANGES - 1) * sizeof(*p->ranges));
    else
        p->nranges++;
    p->ranges[p->nranges - 1] = (struct prof_range){lo, hi, file, bias};
}

/* Is pc inside an executable PT_LOAD of the file loaded at bias?  The
 * segment's guest range in *lo, *hi. */
static bool in_segments(const struct elf_symbols *syms, guest_addr_t bias,
                        guest_addr_t pc, guest_addr_t *lo, uint64_t *hi)
{
    const struct elf_segment *seg;
    size_t n = elf_symbols_segments(syms, &seg);
    uint32_t v = pc - bias;
    for (size_t i = 0; i < n; i++)
        if ((seg[i].flags & 1 /* PF_X */) && v - seg[i].vaddr < seg[i].memsz) {
            *lo = seg[i].vaddr + bias;
            *hi = (uint64_t)*lo + seg[i].memsz;
            return true;
        }
    return false;
}

bool profile_find_file(struct profile *p, guest_addr_t pc, int *file,
                       guest_addr_t *bias)
{
    for (unsigned i = p->nranges; i-- > 0;)
        if (pc >= p->ranges[i].lo && pc < p->ranges[i].hi) {
            *file = p->ranges[i].file;
            *bias = p->ranges[i].bias;
            return true;
        }
    guest_addr_t lo;
    uint64_t hi;
    for (size_t i = 0; i < p->nimages; i++) {
        int f = file_index(p, p->images[i].path);
        if (f >= 0 && p->files[f].syms &&
            in_segments(p->files[f].syms, p->images[i].bias, pc, &lo, &hi)) {
            *file = f;
            *bias = p->images[i].bias;
            remember(p, lo, hi, f, *bias);
            return true;
        }
    }
    struct profile_mapping m;
    if (!p->map || !p->map(p->map_ctx, pc, &m) || !m.path)
        return false;
    int f = file_index(p, m.path);
    if (f < 0)
        return false;
    *file = f;
    if (!p->files[f].syms ||
        !elf_symbols_bias(p->files[f].syms, m.start, m.offset, bias))
        *bias = m.start - (guest_addr_t)m.offset; /* file+offset naming */
    remember(p, m.start, m.end, f, *bias);
    return true;
}

void profile_files_free(struct profile *p)
{
    for (int i = 0; i < p->nfiles; i++) {
        free(p->files[i].path);
        elf_symbols_free(p->files[i].syms);
    }
    free(p->files);
    p->files = NULL;
    p->nfiles = 0;
    p->nranges = 0;
}
