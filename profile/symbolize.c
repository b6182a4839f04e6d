/* Naming guest pcs: the ELF file a pc lies in and its load bias
 * (files.c), and the function from the file's symbols (loader/symbols.c): a symbol name, else
 * FILE+0xSTART for a start known from .eh_frame, else FILE+0xADDR.
 *
 * Return addresses are looked up one byte back: a call at the very end of
 * a function (to a noreturn callee) returns past it. */
#include <stdlib.h>
#include <string.h>

#include "profile_internal.h"

/* A function's identity: its file and start (or exact pc when no start
 * is known: then bit 63 is set). */
struct func_key {
    int file; /* -1: no file */
    uint64_t start;
};

struct prof_symbolizer {
    struct profile *p;
    struct prof_func *funcs;
    struct func_key *keys;
    unsigned nfuncs, func_cap;
    /* pc (and leaf bit) -> function, so that each pc is named once. */
    struct pc_slot {
        uint64_t key; /* pc << 1 | leaf, + 1; 0 = empty */
        unsigned func;
    } *cache;
    size_t ncache, cache_cap;
};

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static unsigned add_func(struct prof_symbolizer *s, struct func_key k,
                         char *name, const char *file)
{
    for (unsigned i = 0; i < s->nfuncs; i++) /* small: see the pc cache */
        if (s->keys[i].file == k.file && s->keys[i].start == k.start) {
            free(name);
            return i;
        }
    if (s->nfuncs == s->func_cap) {
        unsigned cap = s->func_cap ? 2 * s->func_cap : 64;
        struct prof_func *f = realloc(s->funcs, cap * sizeof(*f));
        if (f)
            s->funcs = f;
        struct func_key *kk = realloc(s->keys, cap * sizeof(*kk));
        if (kk)
            s->keys = kk;
        if (!f || !kk) {
            free(name);
            return 0; /* the first function: "[unknown]" */
        }
        s->func_cap = cap;
    }
    s->keys[s->nfuncs] = k;
    s->funcs[s->nfuncs] = (struct prof_func){name, file, 0, 0, 0};
    return s->nfuncs++;
}

static char *fmt_name(const char *fmt, const char *a, uint32_t v)
{
    char *out = NULL;
    if (asprintf(&out, fmt, a, v) < 0)
        return NULL;
    return out;
}

static unsigned name_pc(struct prof_symbolizer *s, guest_addr_t pc, bool leaf)
{
    int f;
    guest_addr_t bias;
    if (!profile_find_file(s->p, pc, &f, &bias))
        return 0;
    const struct prof_file *file = &s->p->files[f];
    const char *path = file->path;
    uint32_t v = (pc - bias) - (leaf ? 0 : 1);
    const struct elf_symbol *sym;
    if (file->syms && elf_symbols_lookup(file->syms, v, &sym)) {
        struct func_key k = {f, sym->start};
        char *name = sym->name ? strdup(sym->name)
                               : fmt_name("%s+0x%x", base_name(path),
                                          sym->start);
        return name ? add_func(s, k, name, path) : 0;
    }
    struct func_key k = {f, (1ull << 63) | v};
    char *name = fmt_name("%s+0x%x", base_name(path), v);
    return name ? add_func(s, k, name, path) : 0;
}

static bool grow_cache(struct prof_symbolizer *s)
{
    size_t cap = s->cache_cap ? 2 * s->cache_cap : 1024;
    struct pc_slot *c = calloc(cap, sizeof(*c));
    if (!c)
        return false;
    for (size_t i = 0; i < s->cache_cap; i++) {
        if (!s->cache[i].key)
            continue;
        size_t k = (s->cache[i].key * 0x9e3779b97f4a7c15ull) >> 20 & (cap - 1);
        while (c[k].key)
            k = (k + 1) & (cap - 1);
        c[k] = s->cache[i];
    }
    free(s->cache);
    s->cache = c;
    s->cache_cap = cap;
    return true;
}

unsigned profile_symbolize(struct prof_symbolizer *s, guest_addr_t pc,
                           bool leaf)
{
    if (2 * (s->ncache + 1) > s->cache_cap && !grow_cache(s))
        return name_pc(s, pc, leaf);
    uint64_t key = ((uint64_t)pc << 1 | leaf) + 1;
    size_t k = (key * 0x9e3779b97f4a7c15ull) >> 20 & (s->cache_cap - 1);
    while (s->cache[k].key && s->cache[k].key != key)
        k = (k + 1) & (s->cache_cap - 1);
    if (!s->cache[k].key) {
        s->cache[k].key = key;
        s->cache[k].func = name_pc(s, pc, leaf);
        s->ncache++;
    }
    return s->cache[k].func;
}

void profile_describe_pc(struct prof_symbolizer *s, guest_addr_t pc,
                         char *buf, size_t len)
{
    unsigned f = profile_symbolize(s, pc, true);
    const struct func_key *k = &s->keys[f];
    if (k->file < 0) {
        snprintf(buf, len, "?");
        return;
    }
    int fi;
    guest_addr_t bias;
    const char *file = base_name(s->funcs[f].file);
    size_t flen = strlen(file);
    if (!profile_find_file(s->p, pc, &fi, &bias)) {
        snprintf(buf, len, "%s (%s)", s->funcs[f].name, file);
        return;
    }
    /* A function without a symbol is named FILE+0xSTART: its pc, then,
     * as FILE+0xADDR (not FILE+0xSTART+0xOFF). */
    const char *name = s->funcs[f].name;
    if ((k->start >> 63) ||
        (strncmp(name, file, flen) == 0 && name[flen] == '+'))
        snprintf(buf, len, "%s+0x%x (%s)", file, pc - bias, file);
    else
        snprintf(buf, len, "%s+0x%x (%s)", name,
                 (pc - bias) - (uint32_t)k->start, file);
}

/* What non-guest samples end in, under the guest stack they came from. */
static const char *const activity_name[PROFILE_ACTIVITIES] = {
    [PROFILE_DISPATCH] = "[r386 dispatcher]",
    [PROFILE_COMPILE] = "[r386 compiling]",
    [PROFILE_SYSCALL] = "[r386 system call]",
};

struct prof_symbolizer *profile_symbolizer_new(struct profile *p)
{
    struct prof_symbolizer *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->p = p;
    /* Function 0 is the pcs no file explains; then the activities. */
    char *unknown = strdup("[unknown]");
    if (!unknown) {
        free(s);
        return NULL;
    }
    add_func(s, (struct func_key){-1, 0}, unknown, "");
    for (int a = 1; a < PROFILE_ACTIVITIES; a++) {
        char *n = strdup(activity_name[a]);
        if (n)
            add_func(s, (struct func_key){-2, (uint64_t)a}, n, "r386");
    }
    return s;
}

void profile_symbolizer_free(struct prof_symbolizer *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->nfuncs; i++)
        free(s->funcs[i].name);
    free(s->funcs);
    free(s->keys);
    free(s->cache);
    free(s);
}

static unsigned activity_func(struct prof_symbolizer *s, unsigned a)
{
    for (unsigned i = 0; i < s->nfuncs; i++)
        if (s->keys[i].file == -2 && s->keys[i].start == a)
            return i;
    return 0;
}

int profile_name_all(struct profile *p, struct prof_symbolizer *s,
                     struct prof_named *out)
{
    memset(out, 0, sizeof(*out));
    out->stacks = calloc(p->ntraces ? p->ntraces : 1, sizeof(*out->stacks));
    if (!out->stacks)
        return -1;
    for (size_t i = 0; i < p->trace_cap; i++) {
        const struct prof_trace *t = p->traces[i];
        if (!t)
            continue;
        struct prof_stack *st = &out->stacks[out->nstacks];
        st->func = malloc((t->n + 1u) * sizeof(*st->func));
        if (!st->func)
            return -1;
        for (unsigned k = 0; k < t->n; k++)
            st->func[st->n++] = profile_symbolize(s, t->pc[k], k + 1 == t->n);
        if (t->activity != PROFILE_GUEST)
            st->func[st->n++] = activity_func(s, t->activity);
        st->count = t->count;
        out->nstacks++;
    }
    /* Self and inclusive counts (a recursive function counts once per
     * sample in its inclusive share). */
    for (size_t i = 0; i < out->nstacks; i++) {
        const struct prof_stack *st = &out->stacks[i];
        s->funcs[st->func[st->n - 1]].self += st->count;
        for (unsigned k = 0; k < st->n; k++) {
            struct prof_func *f = &s->funcs[st->func[k]];
            if (f->seen != i + 1) {
                f->seen = i + 1;
                f->incl += st->count;
            }
        }
    }
    out->funcs = s->funcs;
    out->nfuncs = s->nfuncs;
    out->total = p->samples;
    return 0;
}

void profile_named_free(struct prof_named *n)
{
    for (size_t i = 0; i < n->nstacks; i++)
        free(n->stacks[i].func);
    free(n->stacks);
    /* funcs belong to the symbolizer */
}
