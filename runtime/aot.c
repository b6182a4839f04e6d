/* Ahead-of-time recompilation (--aot): translate a program and the
 * libraries it loads into the persistent cache, optimised, and exit.
 *
 * Which libraries, and where: the dynamic linker itself decides.  The
 * program runs until it reaches its entry point -- for a dynamic program,
 * until ld.so has mapped and relocated its DT_NEEDED closure (and run the
 * libraries' constructors) -- so every file is at the address a real run
 * gives it, which the cache's keys contain.  Then, for each file mapping
 * (codemap), units are discovered statically:
 *   - the function starts of its .symtab, else .dynsym, and .eh_frame
 *     (loader/symbols.c), and the entry points;
 *   - the units earlier runs left in the cache for it;
 *   - every aligned word of its data (relocated by now) that points into
 *     its code (function pointer tables, absolute jump tables), or does
 *     so as an offset from its GOT (PIC jump tables: GCC's i386 switch
 *     tables hold label@GOTOFF);
 *   - and, transitively, where each translated unit leads (direct branch
 *     targets, the return addresses of its calls), within the file.
 *   - every PLT entry (loader/symbols.c);
 * Each is compiled with the optimiser and stored (jit_translate), by one
 * thread per host CPU (at most AOT_THREADS).  Code that only computed
 * jumps reach (glibc's tables of offsets from themselves) is left to run
 * time. */
#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "r386/host_thread.h"

/* An exclusive upper bound on units per file, against runaway closures. */
#define AOT_MAX_UNITS 200000
#define AOT_THREADS 8

struct aot_file {
    const char *path;
    guest_addr_t start;  /* one mapping of it: where ... */
    uint64_t offset;     /* ... and from which offset */
};

struct aot_files {
    struct aot_file *v;
    size_t n, cap;
};

static void collect_file(void *ctx, const struct codemap_entry *e)
{
    struct aot_files *fs = ctx;
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->v[i].path, e->path) == 0)
            return;
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 8;
        struct aot_file *v = realloc(fs->v, cap * sizeof(*v));
        if (!v)
            return;
        fs->v = v;
        fs->cap = cap;
    }
    fs->v[fs->n++] = (struct aot_file){e->path, e->start, e->offset};
}

/* Guest pcs to translate, each once. */
struct worklist {
    guest_addr_t *queue;
    size_t head, tail, cap;
    guest_addr_t *seen; /* open addressing, 0 = empty (pc 0 is no code) */
    size_t seen_cap, seen_n;
};

static bool seen_add(struct worklist *w, guest_addr_t pc)
{
    if (2 * (w->seen_n + 1) > w->seen_cap) {
        size_t cap = w->seen_cap ? w->seen_cap * 2 : 4096;
        guest_addr_t *v = calloc(cap, sizeof(*v));
        if (!v)
            return false;
        for (size_t i = 0; i < w->seen_cap; i++) {
            guest_addr_t p = w->seen[i];
            if (!p)
                continue;
            size_t k = (p * 2654435761u) & (cap - 1);
            while (v[k])
                k = (k + 1) & (cap - 1);
            v[k] = p;
        }
        free(w->seen);
        w->seen = v;
        w->seen_cap = cap;
    }
    size_t k = (pc * 2654435761u) & (w->seen_cap - 1);
    while (w->seen[k]) {
        if (w->seen[k] == pc)
            return false;
        k = (k + 1) & (w->seen_cap - 1);
    }
    w->seen[k] = pc;
    w->seen_n++;
    return true;
}

static void push(struct worklist *w, guest_addr_t pc)
{
    if (!pc || !seen_add(w, pc))
        return;
    if (w->tail == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 4096;
        guest_addr_t *q = realloc(w->queue, cap * sizeof(*q));
        if (!q)
            return;
        w->queue = q;
        w->cap = cap;
    }
    w->queue[w->tail++] = pc;
}

struct aot_progress {
    bool tty;
    uint64_t t0, last;
    size_t files, file;
    const char *name;
    uint64_t visited, failed;
    struct jit_stats start; /* the JIT's counts before --aot began */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t compiled_since(struct runtime *rt,
                               const struct aot_progress *p)
{
    struct jit_stats s;
    jit_stats_get(rt->jit, &s);
    return s.units - p->start.units;
}

static void show(struct runtime *rt, struct aot_progress *p, size_t queued,
                 bool force)
{
    uint64_t t = now_ns();
    if (!p->tty || (!force && t - p->last < 100000000u))
        return;
    p->last = t;
    double s = (double)(t - p->t0) / 1e9;
    uint64_t compiled = compiled_since(rt, p);
    fprintf(stderr, "\r\033[Kr386 --aot: file %zu/%zu %.30s: %llu units "
                    "seen, %zu queued, %llu compiled, %.1f s, %.0f units/s",
            p->file + 1, p->files, p->name, (unsigned long long)p->visited,
            queued, (unsigned long long)compiled, s,
            s > 0 ? (double)compiled / s : 0.0);
}

/* Is file address vaddr in one of the file's executable segments? */
static bool in_exec_segment(const struct elf_segment *seg, size_t nseg,
                            uint32_t vaddr)
{
    for (size_t i = 0; i < nseg; i++)
        if ((seg[i].flags & PF_X) && vaddr >= seg[i].vaddr &&
            vaddr - seg[i].vaddr < seg[i].memsz)
            return true;
    return false;
}

/* The same for a guest address, the file loaded with bias. */
static bool guest_in_code(const struct elf_segment *seg, size_t nseg,
                          guest_addr_t bias, guest_addr_t pc)
{
    return pc >= bias && in_exec_segment(seg, nseg, pc - bias);
}

/* The 32-bit word at guest address a, when readable. */
static bool read_word(struct runtime *rt, uint64_t a, uint32_t *v)
{
    if (!guest_mem_access_ok(&rt->mem, (guest_addr_t)a, 4, GUEST_PROT_READ))
        return false;
    memcpy(v, g2h(&rt->mem, (guest_addr_t)a), 4);
    return true;
}

/* Words of the file's data segments that point into its code: absolute,
 * or as offsets from its GOT.  (Not tables of offsets from themselves,
 * as glibc's i386 string functions have: read as "every word whose
 * address plus value lands in code", libc's read-only data gave 18,811
 * such words, nearly all false, and --aot of SQLite 37% more units.) */
static void scan_data(struct runtime *rt, const struct elf_segment *seg,
                      size_t nseg, guest_addr_t bias, uint32_t got,
                      struct worklist *w)
{
    for (size_t i = 0; i < nseg; i++) {
        if (seg[i].flags & PF_X)
            continue;
        uint64_t a = (uint64_t)seg[i].vaddr + bias;
        uint64_t end = a + seg[i].filesz;
        for (a = (a + 3) & ~(uint64_t)3; a + 4 <= end; a += 4) {
            uint32_t v;
            if (!read_word(rt, a, &v))
                continue;
            if (guest_in_code(seg, nseg, bias, v))
                push(w, v);
            /* v is signed: t wraps to the label in 32-bit arithmetic. */
            uint32_t t = got + v;
            if (got && in_exec_segment(seg, nseg, t))
                push(w, t + bias);
        }
    }
}

/* One file's closure, shared by the compiling threads. */
struct aot_job {
    struct runtime *rt;
    struct aot_progress *p;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    struct worklist *w;
    const struct elf_segment *seg;
    size_t nseg;
    guest_addr_t bias;
    int busy; /* threads translating a unit (they may push more) */
};

static void *aot_thread(void *arg)
{
    struct aot_job *job = arg;
    struct jit_worker *wk = jit_worker_create(job->rt->jit);
    char err[256];
    pthread_mutex_lock(&job->lock);
    for (;;) {
        struct worklist *w = job->w;
        while (w->head == w->tail && job->busy > 0)
            pthread_cond_wait(&job->cv, &job->lock);
        if (w->head == w->tail || w->head >= AOT_MAX_UNITS)
            break;
        guest_addr_t pc = w->queue[w->head++];
        job->busy++;
        pthread_mutex_unlock(&job->lock);
        guest_addr_t succ[LIFTER_MAX_SUCC];
        unsigned nsucc;
        int rc = jit_translate(job->rt->jit, wk, pc, succ, &nsucc, err,
                               sizeof(err));
        pthread_mutex_lock(&job->lock);
        job->busy--;
        job->p->visited++;
        if (rc < 0)
            job->p->failed++;
        for (unsigned i = 0; rc >= 0 && i < nsucc; i++)
            if (guest_in_code(job->seg, job->nseg, job->bias, succ[i]))
                push(w, succ[i]);
        show(job->rt, job->p, w->tail - w->head, false);
        pthread_cond_broadcast(&job->cv);
    }
    pthread_cond_broadcast(&job->cv);
    pthread_mutex_unlock(&job->lock);
    jit_worker_destroy(wk);
    return NULL;
}

/* Translate the closure of w's units with n threads. */
static void run_closure(struct aot_job *job, int n)
{
    pthread_t th[AOT_THREADS];
    int started = 0;
    for (int i = 1; i < n; i++)
        if (r386_thread_create(&th[started], aot_thread, job) == 0)
            started++;
    aot_thread(job);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

static void aot_file(struct runtime *rt, const struct aot_file *f,
                     struct aot_progress *p, int nthreads)
{
    char err[256];
    struct elf_symbols *s = elf_symbols_load(f->path, err, sizeof(err));
    guest_addr_t bias;
    if (!s || !elf_symbols_bias(s, f->start, f->offset, &bias)) {
        elf_symbols_free(s);
        return; /* not an i386 ELF file (a data file mapped) */
    }
    const struct elf_segment *seg;
    size_t nseg = elf_symbols_segments(s, &seg);
    struct worklist w = {0};
    for (size_t i = 0; i < elf_symbols_count(s); i++) {
        const struct elf_symbol *sym = elf_symbols_at(s, i);
        if (in_exec_segment(seg, nseg, sym->start))
            push(&w, sym->start + bias);
    }
    const guest_addr_t entries[] = {rt->info.entry, rt->info.interp_entry};
    for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
        if (guest_in_code(seg, nseg, bias, entries[i]))
            push(&w, entries[i]);
    uint32_t got = 0;
    elf_symbols_got(s, &got);
    scan_data(rt, seg, nseg, bias, got, &w);
    size_t ncached;
    guest_addr_t *cached = jit_cached_units(rt->jit, f->start, &ncached);
    for (size_t i = 0; i < ncached; i++)
        push(&w, cached[i]);
    free(cached);
    struct aot_job job = {.rt = rt, .p = p, .w = &w, .seg = seg,
                          .nseg = nseg, .bias = bias};
    pthread_mutex_init(&job.lock, NULL);
    pthread_cond_init(&job.cv, NULL);
    run_closure(&job, nthreads);
    pthread_cond_destroy(&job.cv);
    pthread_mutex_destroy(&job.lock);
    free(w.queue);
    free(w.seen);
    elf_symbols_free(s);
}

int runtime_aot(struct runtime *rt)
{
    const struct image_info *in = &rt->info;
    if (!rt->cfg.cache_dir) {
        fprintf(stderr, "r386: --aot needs the persistent cache (not with "
                        "--no-cache)\n");
        return 2;
    }
    rt->aot_entry = in->entry;
    int status = runtime_run(rt);
    if (!rt->aot_reached) {
        fprintf(stderr, "r386: --aot: %s ended before reaching its entry "
                        "point (status %d)\n", rt->cfg.argv[0], status);
        return 1;
    }
    struct aot_progress p = {.tty = isatty(2), .t0 = now_ns()};
    struct aot_files fs = {0};
    codemap_foreach(rt->codemap, collect_file, &fs);
    jit_set_optimise(rt->jit);
    jit_stats_get(rt->jit, &p.start);
    p.files = fs.n;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int nthreads = cpus < 1 ? 1 : cpus > AOT_THREADS ? AOT_THREADS : (int)cpus;
    for (size_t i = 0; i < fs.n; i++) {
        p.file = i;
        const char *slash = strrchr(fs.v[i].path, '/');
        p.name = slash ? slash + 1 : fs.v[i].path;
        aot_file(rt, &fs.v[i], &p, nthreads);
    }
    show(rt, &p, 0, true);
    if (p.tty)
        fputc('\n', stderr);
    jit_persist(rt->jit);
    struct jit_stats end;
    jit_stats_get(rt->jit, &end);
    double s = (double)(now_ns() - p.t0) / 1e9;
    uint64_t compiled = end.units - p.start.units;
    fprintf(stderr, "r386 --aot: %zu files, %llu units compiled (%llu "
                    "objects), %llu loaded from the cache, %llu of %llu "
                    "starts not translatable, in %.1f s (%.0f units/s); "
                    "cache %s\n",
            fs.n, (unsigned long long)compiled,
            (unsigned long long)(end.batches - p.start.batches),
            (unsigned long long)(end.disk_units - p.start.disk_units),
            (unsigned long long)p.failed, (unsigned long long)p.visited, s,
            s > 0 ? (double)compiled / s : 0.0, rt->cfg.cache_dir);
    free(fs.v);
    return 0;
}
