/* --perf-map: /tmp/perf-PID.map names every translated unit, so `perf
 * report` on r386 shows which guest code the time went to (perf's JIT
 * map format: "START SIZE NAME" in hex, one line per symbol).
 *
 * The size of a unit's code is known only to its object file: objects
 * linked by objload.c are shown to jit_perfmap_note, and LLJIT's object
 * transform layer lets those it links pass through perfmap_note; both read
 * the ELF symbol table for the units' function symbols and keep their
 * sizes until jit_perfmap_write is told where they landed. */
#include <elf.h>
#include <llvm-c/Orc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jit_internal.h"

#define PERFMAP_PENDING 256

struct jit_perfmap {
    FILE *f;
    pthread_mutex_t mu;
    int n;
    struct {
        char name[40];
        uint64_t size;
    } pending[PERFMAP_PENDING];
};

/* The function symbols of a relocatable ELF64 object and their sizes. */
void jit_perfmap_note(struct jit_perfmap *pm, const char *obj, size_t len)
{
    if (!pm)
        return;
    if (len < sizeof(Elf64_Ehdr) || memcmp(obj, ELFMAG, SELFMAG) != 0 ||
        obj[EI_CLASS] != ELFCLASS64)
        return;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)obj;
    if (eh->e_shoff > len || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        eh->e_shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr))
        return;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(obj + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Shdr *st = &sh[sh[i].sh_link];
        if (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset ||
            st->sh_offset > len || st->sh_size > len - st->sh_offset)
            return;
        const Elf64_Sym *sym = (const Elf64_Sym *)(obj + sh[i].sh_offset);
        size_t nsym = sh[i].sh_size / sizeof(Elf64_Sym);
        const char *strs = obj + st->sh_offset;
        for (size_t k = 0; k < nsym; k++) {
            if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC ||
                sym[k].st_name >= st->sh_size)
                continue;
            const char *name = strs + sym[k].st_name;
            if (strnlen(name, st->sh_size - sym[k].st_name) >= 40)
                continue;
            pthread_mutex_lock(&pm->mu);
            if (pm->n < PERFMAP_PENDING) {
                strcpy(pm->pending[pm->n].name, name);
                pm->pending[pm->n++].size = sym[k].st_size;
            }
            pthread_mutex_unlock(&pm->mu);
        }
    }
}

static LLVMErrorRef perfmap_note(void *ctx, LLVMMemoryBufferRef *obj)
{
    jit_perfmap_note(ctx, LLVMGetBufferStart(*obj), LLVMGetBufferSize(*obj));
    return NULL; /* the object itself passes unchanged */
}

struct jit_perfmap *jit_perfmap_open(struct jit *j)
{
    struct jit_perfmap *pm = calloc(1, sizeof(*pm));
    if (!pm)
        return NULL;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
    pm->f = fopen(path, "w");
    if (!pm->f) {
        fprintf(stderr, "r386: warning: cannot write %s: no perf map\n",
                path);
        free(pm);
        return NULL;
    }
    pthread_mutex_init(&pm->mu, NULL);
    LLVMOrcObjectTransformLayerSetTransform(
        LLVMOrcLLJITGetObjTransformLayer(j->lljit), perfmap_note, pm);
    return pm;
}

void jit_perfmap_write(struct jit_perfmap *pm, const char *name,
                       uint64_t addr, guest_addr_t pc, int tier)
{
    if (!pm)
        return;
    uint64_t size = 0;
    pthread_mutex_lock(&pm->mu);
    for (int i = 0; i < pm->n; i++)
        if (strcmp(pm->pending[i].name, name) == 0) {
            size = pm->pending[i].size;
            pm->pending[i] = pm->pending[--pm->n];
            break;
        }
    fprintf(pm->f, "%llx %llx guest_%08x%s\n", (unsigned long long)addr,
            (unsigned long long)(size ? size : 1), pc,
            tier == 2 ? "_opt" : "");
    fflush(pm->f);
    pthread_mutex_unlock(&pm->mu);
}

void jit_perfmap_close(struct jit_perfmap *pm)
{
    if (!pm)
        return;
    fclose(pm->f);
    free(pm);
}
