/* The persistent translation cache: the object code of first-tier units,
 * stored on disk and linked into later runs instead of being lifted and
 * compiled again (docs/CACHE.md has the design and the numbers).
 *
 * One cache file per guest file mapping: its key hashes r386's build, the
 * code-generation settings, and the file's path, size, modification time
 * and load address (translated code holds absolute guest pcs).  A file
 * holds records, one per compiled object: the object, the name of its
 * cell table and the pc of each cell, and for each unit its pc, the
 * guest bytes it was made from (range and hash) and its symbol name.
 *
 * A hit is always valid: before a record's code is installed, the guest
 * bytes of each of its units are read from guest memory and must hash as
 * recorded -- a changed binary, a patched page or another library at the
 * same address only costs a recompile.  Damage is caught by the file's
 * magic, version, build and key, and the hash of its whole payload:
 * anything that does not match is ignored and replaced.  Writers write a
 * temporary file and rename it, so readers never see half a file
 * (pcache_dir.c also keeps the directory under its size limit). */
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <llvm/Config/llvm-config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jit_internal.h"
#include "objfile.h"
#include "pcache.h"
#include "r386/hash.h"
#include "r386/host_thread.h"

/* ---- hashing ---- */

static uint64_t mix(uint64_t h)
{
    return r386_hash_mix(h);
}

uint64_t jit_hash(const void *p, size_t n, uint64_t seed)
{
    return r386_hash(p, n, seed);
}

/* ---- what makes code differ: r386's build and its code generation ---- */

static int build_id_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
    (void)size;
    uint64_t *h = ctx;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
        const uint8_t *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const uint8_t *desc = p + sizeof(*n) + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == NT_GNU_BUILD_ID && desc + n->n_descsz <= end) {
                *h = jit_hash(desc, n->n_descsz, 1);
                return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
        }
    }
    return 1; /* only the program itself */
}

/* The host CPU code is generated for, as LLVM sees it (sys::getHostCPUName
 * and getHostCPUFeatures read the same leaves), without asking LLVM: this
 * runs at every start, and LLVM's static constructors only run once
 * something is compiled (jit_llvm_statics).  Leaf 1's EBX is left out (it
 * holds the APIC id of the CPU the thread happens to run on). */
static uint64_t host_cpu_hash(uint64_t h)
{
    static const struct { unsigned leaf, sub; } leaves[] = {
        {0, 0}, {1, 0}, {7, 0}, {7, 1}, {0xd, 1}, {0x14, 0}, {0x19, 0},
        {0x24, 0}, {0x80000001, 0}, {0x80000008, 0}};
    unsigned max = __get_cpuid_max(0, NULL);
    unsigned max_ext = __get_cpuid_max(0x80000000, NULL);
    unsigned ecx1 = 0; /* leaf 1's ECX: OSXSAVE */
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        unsigned r[4] = {0, 0, 0, 0}, leaf = leaves[i].leaf;
        if (leaf <= (leaf >= 0x80000000 ? max_ext : max))
            __cpuid_count(leaf, leaves[i].sub, r[0], r[1], r[2], r[3]);
        if (leaf == 1) {
            r[1] = 0;
            ecx1 = r[2];
        }
        h = jit_hash(r, sizeof(r), h ^ leaf);
    }
    if (ecx1 & bit_OSXSAVE) {
        uint32_t lo, hi; /* which register states the OS saves (AVX...) */
        __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        h = jit_hash(&lo, sizeof(lo), h);
    }
    return h;
}

/* A hash of everything a translation depends on besides the guest's bytes
 * and addresses: r386's executable (its build id), LLVM's version, the
 * host CPU the code is generated for, the developer knobs that change
 * lifting or code generation, and lifting for the profiler. */
static uint64_t build_hash(bool profile)
{
    uint64_t h = 0;
    dl_iterate_phdr(build_id_cb, &h);
    if (!h) {
        /* No build id: the executable's size and time stand in. */
        struct stat st;
        if (stat("/proc/self/exe", &st) == 0)
            h = mix((uint64_t)st.st_size ^ mix((uint64_t)st.st_mtime));
    }
    h = host_cpu_hash(h);
    static const char *const knobs[] = {
        "R386_JIT_REGION", "R386_JIT_PIPELINE", "R386_JIT_CODEGEN",
        "R386_JIT_NO_FASTISEL", "R386_JIT_LLVM_OPT", "R386_JIT_COLD",
        "R386_JIT_HOT" /* first-tier code counts executions */};
    char buf[256];
    snprintf(buf, sizeof(buf), "LLVM %s", LLVM_VERSION_STRING);
    h = jit_hash(buf, strlen(buf), h);
    for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
        const char *v = getenv(knobs[i]);
        snprintf(buf, sizeof(buf), "%s=%s", knobs[i], v ? v : "(unset)");
        h = jit_hash(buf, strlen(buf), h);
    }
    /* Code lifted for the profiler says which exits are returns
     * (cpu_state.prof_ret): its own files. */
    if (profile)
        h = jit_hash("profile", 7, h);
    return h ? h : 1;
}

/* ---- in memory ---- */

struct pc_view {
    const struct pc_rec *r; /* once checked (pcache_record) */
    bool checked, linked, bad;
    uint64_t *addrs; /* the units' code, once linked */
};

struct pc_index {
    guest_addr_t pc;
    uint32_t rec;
    uint16_t part;
    uint16_t optimised;
};

/* A record's hash, as the checker thread (below) found it. */
enum { REC_UNCHECKED, REC_SOUND, REC_DAMAGED };

/* One file of a key: the main one (tag 0) or a segment (pcache.h). */
struct pc_part {
    uint32_t tag;
    struct pcache_image img;
    struct pc_view *recs;
    /* Its checker thread (below), when it has one. */
    uint8_t *state;    /* per record, REC_* (NULL: no checker) */
    bool live;         /* a thread of this process (a fork's child has
                          none: jit_pcache_fork_child) */
    pthread_t checker;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* stop, or used past wake_at */
    uint64_t used;     /* bytes of the records lookups have checked */
    uint64_t wake_at;  /* the checker waits for used to reach this
                          (UINT64_MAX: it does not wait) */
    bool stop;
    unsigned *running; /* the count of checkers running it is one of */
};

/* The cache of one guest file mapping: its mapped files, and records
 * made since. */
struct pc_file {
    struct pc_file *next;
    uint64_t key;
    struct pc_part *parts; /* the main file first, when there is one */
    size_t nparts;
    struct pc_index *idx; /* by pc, optimised first (cmp_index) */
    size_t nidx;
    uint8_t **pending; /* serialized records for jit_persist */
    size_t npending, cap;
};

struct jit_pcache {
    char *dir;
    uint64_t max;
    uint64_t build;
    struct pc_file *files;
    struct pcache_segment *segs; /* the directory's segments, read once */
    size_t nsegs;
    bool listed;
    uint64_t imports[PCACHE_IMPORTS / 16]; /* for records run in place */
    size_t nimports;
    unsigned checkers; /* checker threads running (atomic) */
    /* file_of_pc's last answer and the mapping it was for. */
    struct pc_file *last;
    struct jit_code_file last_cf;
    char *last_path;
};

/* (pcache_file.c's cmp_unitdesc writes a file's units in this order.) */
static int cmp_index(const void *a, const void *b)
{
    const struct pc_index *x = a, *y = b;
    if (x->pc != y->pc)
        return x->pc < y->pc ? -1 : 1;
    if (x->optimised != y->optimised) /* the optimising tier's, --aot's */
        return (int)y->optimised - (int)x->optimised;
    /* Then the newest: a damaged record stays in its file (records are
     * copied unread), and the one that replaced it comes later. */
    if (x->part != y->part)
        return x->part < y->part ? 1 : -1;
    return x->rec < y->rec ? 1 : x->rec > y->rec ? -1 : 0;
}

/* Sort f's index (cmp_index), whose parts -- consecutive in it -- each
 * list their units in that order already (files written by write_merged
 * since session 34): merge each part's run into the runs before it.  Sort
 * the whole when a run is out of order (an older file) or there is no
 * memory for the merge.  (A file has a few parts: PCACHE_MAX_PARTS.) */
static void sort_index(struct pc_file *f)
{
    size_t n = f->nidx;
    struct pc_index *a = f->idx, *b = NULL;
    for (size_t mid = 0, end; mid < n; mid = end) {
        for (end = mid + 1; end < n && a[end].part == a[mid].part; end++)
            if (cmp_index(&a[end - 1], &a[end]) > 0)
                goto sort;
        if (mid == 0)
            continue;
        if (!b && !(b = malloc(n * sizeof(*b))))
            goto sort;
        for (size_t i = 0, j = mid, out = 0; out < end; out++)
            b[out] = j == end || (i < mid && cmp_index(&a[i], &a[j]) <= 0)
                         ? a[i++]
                         : a[j++];
        memcpy(a, b, end * sizeof(*a));
    }
    free(b);
    return;
sort:
    free(b);
    qsort(a, n, sizeof(*a), cmp_index);
}

/* Build the record views of f's parts and its pc index. */
static void index_parts(struct pc_file *f)
{
    size_t nunits = 0;
    for (size_t p = 0; p < f->nparts; p++) {
        const struct pcache_image *img = &f->parts[p].img;
        f->parts[p].recs = calloc(img->h->nrecs + 1, sizeof(struct pc_view));
        if (!f->parts[p].recs)
            return; /* f->idx stays NULL: nothing is loaded */
        nunits += img->h->nunits;
    }
    f->idx = calloc(nunits ? nunits : 1, sizeof(*f->idx));
    if (!f->idx)
        return;
    for (size_t p = 0; p < f->nparts; p++) {
        const struct pcache_image *img = &f->parts[p].img;
        for (size_t i = 0; i < img->h->nunits; i++) {
            uint32_t r = img->units[i].rec;
            f->idx[f->nidx++] = (struct pc_index){
                img->units[i].pc, r, (uint16_t)p,
                (uint16_t)img->recs[r].optimised};
        }
    }
    sort_index(f);
}

/* ---- checking records ahead of their use ----
 * A warm start checks the hash of every record it links: python3.11's
 * reads 125 MB of records that way, ~60 ms, a fifth of its run.  A run
 * links mostly the records the runs before it made, in about the order
 * they were made, which is their order in the file; so a thread checks a
 * large file's records in that order while the guest runs, and a lookup
 * that finds its record already found sound checks only its shape.  The
 * thread hashes at most PCACHE_CHECK_AHEAD bytes more than the lookups
 * have needed so far: a file made by --aot, or libc's shared by many
 * programs, holds far more than one run uses. */
#define PCACHE_CHECK_MIN (UINT64_C(1) << 20)   /* smaller: checked as used */
#define PCACHE_CHECK_AHEAD (UINT64_C(32) << 20)
#define PCACHE_CHECKERS 4 /* threads running at once, at most */

static void *check_main(void *arg)
{
    struct pc_part *p = arg;
    unsigned *running = p->running;
    uint64_t done = 0; /* bytes this thread has hashed */
    for (uint32_t i = 0; i < p->img.h->nrecs; i++) {
        if (done > __atomic_load_n(&p->used, __ATOMIC_SEQ_CST) +
                       PCACHE_CHECK_AHEAD) {
            /* Asleep until the lookups have checked half that much more:
             * a lookup wakes it only then, not at every record. */
            pthread_mutex_lock(&p->mu);
            __atomic_store_n(&p->wake_at, done - PCACHE_CHECK_AHEAD / 2,
                             __ATOMIC_SEQ_CST);
            while (!p->stop && done > __atomic_load_n(&p->used,
                                                      __ATOMIC_SEQ_CST) +
                                          PCACHE_CHECK_AHEAD / 2)
                pthread_cond_wait(&p->cv, &p->mu);
            __atomic_store_n(&p->wake_at, UINT64_MAX, __ATOMIC_SEQ_CST);
            pthread_mutex_unlock(&p->mu);
        }
        if (__atomic_load_n(&p->stop, __ATOMIC_RELAXED))
            break;
        if (__atomic_load_n(&p->state[i], __ATOMIC_ACQUIRE) != REC_UNCHECKED)
            continue;
        uint8_t s = pcache_record_sound(&p->img, i) ? REC_SOUND : REC_DAMAGED;
        done += p->img.recs[i].size;
        uint8_t none = REC_UNCHECKED;
        __atomic_compare_exchange_n(&p->state[i], &none, s, false,
                                    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
    }
    __atomic_fetch_sub(running, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void start_checker(struct jit_pcache *pc, struct pc_part *p)
{
    if (p->img.len < PCACHE_CHECK_MIN ||
        __atomic_load_n(&pc->checkers, __ATOMIC_RELAXED) >= PCACHE_CHECKERS ||
        !(p->state = calloc(p->img.h->nrecs + 1, 1)))
        return;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->wake_at = UINT64_MAX;
    p->running = &pc->checkers;
    __atomic_fetch_add(&pc->checkers, 1, __ATOMIC_RELAXED);
    if (r386_thread_create(&p->checker, check_main, p) != 0) {
        __atomic_fetch_sub(&pc->checkers, 1, __ATOMIC_RELAXED);
        free(p->state);
        p->state = NULL;
        return;
    }
    p->live = true;
}

static void stop_checker(struct pc_part *p)
{
    if (!p->live)
        return;
    pthread_mutex_lock(&p->mu);
    __atomic_store_n(&p->stop, true, __ATOMIC_RELAXED);
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->checker, NULL);
    p->live = false;
}

/* Record rec of part p, checked (NULL when damaged), with what the
 * checker thread found; and the checker may go further. */
static const struct pc_rec *checked_record(struct pc_part *p, uint32_t rec)
{
    uint8_t s = p->state ? __atomic_load_n(&p->state[rec], __ATOMIC_ACQUIRE)
                         : REC_UNCHECKED;
    if (p->live) { /* (used is written under the JIT lock) */
        uint64_t used = p->used + p->img.recs[rec].size;
        __atomic_store_n(&p->used, used, __ATOMIC_SEQ_CST);
        if (used >= __atomic_load_n(&p->wake_at, __ATOMIC_SEQ_CST)) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
    if (s == REC_DAMAGED)
        return NULL;
    const struct pc_rec *r = pcache_record(&p->img, rec, s == REC_SOUND);
    if (p->state && s == REC_UNCHECKED) /* (the checker can skip it) */
        __atomic_store_n(&p->state[rec], r ? REC_SOUND : REC_DAMAGED,
                         __ATOMIC_RELEASE);
    return r;
}

/* Map f's main file and segment tag (0: the main file) as its next part. */
static void open_part(struct jit *j, struct pc_file *f, uint32_t tag)
{
    struct jit_pcache *pc = j->pcache;
    struct pc_part *p = &f->parts[f->nparts];
    int bad = 0;
    p->tag = tag;
    if (pcache_open(pc->dir, f->key, tag, pc->build, &p->img, &bad, true,
                    pc->nimports ? pc->imports : NULL, pc->nimports) == 0) {
        f->nparts++;
        start_checker(pc, p);
    }
    if (bad)
        j->stats.disk_bad_files++;
}

static struct pc_file *file_for(struct jit *j, uint64_t key)
{
    struct jit_pcache *pc = j->pcache;
    for (struct pc_file *f = pc->files; f; f = f->next)
        if (f->key == key)
            return f;
    struct pc_file *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->key = key;
    f->next = pc->files;
    pc->files = f;
    if (!pc->listed) {
        pc->segs = pcache_segments(pc->dir, &pc->nsegs);
        pc->listed = true;
    }
    size_t nseg = 0;
    for (size_t i = 0; i < pc->nsegs; i++)
        nseg += pc->segs[i].key == key;
    f->parts = calloc(nseg + 1, sizeof(*f->parts));
    if (!f->parts)
        return f;
    open_part(j, f, 0);
    for (size_t i = 0; i < pc->nsegs; i++)
        if (pc->segs[i].key == key)
            open_part(j, f, pc->segs[i].tag);
    index_parts(f);
    return f;
}

static uint64_t file_key(struct jit *j, const struct jit_code_file *cf)
{
    uint64_t v[4] = {j->pcache->build, cf->size, (uint64_t)cf->mtime_ns,
                     (uint64_t)cf->start - cf->offset};
    return jit_hash(cf->path, strlen(cf->path), jit_hash(v, sizeof(v), 2));
}

static bool same_mapping(const struct jit_code_file *a, const char *apath,
                         const struct jit_code_file *b)
{
    return a->start == b->start && a->end == b->end &&
           a->offset == b->offset && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && strcmp(apath, b->path) == 0;
}

/* (Under the JIT's lock, as file_for.)  The answer for the mapping of
 * the last pc asked about is kept: an interpreted start-up asks for
 * thousands of pcs in a few mappings, and hashing the file's path for
 * each (file_key) was ~2% of a warm dynamic `true`. */
static struct pc_file *file_of_pc(struct jit *j, guest_addr_t pc)
{
    struct jit_pcache *p = j->pcache;
    struct jit_code_file cf;
    if (!j->cfg.code_file || !j->cfg.code_file(j->cfg.code.ctx, pc, &cf))
        return NULL;
    if (p->last && same_mapping(&p->last_cf, p->last_path, &cf))
        return p->last;
    struct pc_file *f = file_for(j, file_key(j, &cf));
    char *path = f ? strdup(cf.path) : NULL;
    free(p->last_path);
    p->last = path ? f : NULL;
    p->last_cf = cf;
    p->last_path = path;
    return f;
}

/* ---- loading ---- */

bool jit_ranges_hash(struct jit *j, const struct lifter_range *r, unsigned n,
                     uint64_t *out)
{
    uint8_t small[1024];
    uint64_t h = n;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *buf = r[i].len <= sizeof(small) ? small : malloc(r[i].len);
        bool ok = buf && j->cfg.code.read(j->cfg.code.ctx, r[i].lo, buf,
                                          r[i].len) == r[i].len;
        if (ok)
            h = jit_hash(buf, r[i].len, h ^ r[i].lo);
        if (buf != small)
            free(buf);
        if (!ok)
            return false;
    }
    *out = h;
    return true;
}

/* May the guest write the page of pc?  Then its code is not cached. */
static bool writable(struct jit *j, guest_addr_t pc)
{
    return j->cfg.code.writable && j->cfg.code.writable(j->cfg.code.ctx, pc);
}

/* Are the guest bytes of every unit of r those it was made from? */
static bool units_current(struct jit *j, const struct pc_rec *r)
{
    const struct pcache_unit *u = pcache_units(r);
    for (uint32_t i = 0; i < r->nunits; i++) {
        uint64_t h;
        if (writable(j, u[i].pc) ||
            !jit_ranges_hash(j, u[i].ranges, u[i].nranges, &h) ||
            h != u[i].hash)
            return false;
    }
    return true;
}

/* Link a prelinked record where it lies in img (mapped for that). */
static bool link_in_place(struct jit *j, const struct pcache_image *img,
                          struct pc_view *v)
{
    const struct pc_rec *r = v->r;
    const struct pcache_unit *u = pcache_units(r);
    for (uint32_t i = 0; i < r->nunits; i++)
        v->addrs[i] = (uint64_t)(uintptr_t)((const uint8_t *)r + u[i].entry);
    /* (The window's pages are zero, and each record's data its own.) */
    uint64_t tab = (uint64_t)(uintptr_t)(img->window + r->table_off);
    if (!jit_cells_fill(j, tab, pcache_cells(r), r->ncells))
        return false;
    jit_pcmap_add_in_place(j, pcache_object(r), r->objlen);
    if (j->perfmap) /* (the units' sizes, for link_record's lines) */
        jit_perfmap_note(j->perfmap, (const char *)pcache_object(r),
                         r->objlen);
    j->stats.disk_in_place++;
    return true;
}

/* Link a record's object into the code arena (objload.c, else ORC). */
static bool link_copy(struct jit *j, const struct pc_rec *r, uint64_t *addrs)
{
    const struct pcache_unit *u = pcache_units(r);
    char (*names)[JIT_NAME_MAX] = malloc(r->nunits * sizeof(*names));
    /* The object is read in place: the file stays mapped for the run, and
     * a file is only ever replaced (renamed over), never rewritten.  (It
     * is linked by objload.c, which copies what it needs.) */
    bool ok = names != NULL;
    if (ok) {
        for (uint32_t i = 0; i < r->nunits; i++)
            memcpy(names[i], u[i].name, JIT_NAME_MAX);
        char err[256];
        uint64_t tab;
        ok = jit_link_object(j, NULL, pcache_object(r), r->objlen, r->table,
                             r->ncells, (const char(*)[JIT_NAME_MAX])names,
                             (int)r->nunits, addrs, &tab, JIT_LINES_BORROW,
                             err, sizeof(err)) == 0 &&
             jit_cells_fill(j, tab, pcache_cells(r), r->ncells);
    }
    free(names);
    return ok;
}

static bool link_record(struct jit *j, const struct pcache_image *img,
                        struct pc_view *v)
{
    const struct pc_rec *r = v->r;
    const struct pcache_unit *u = pcache_units(r);
    v->addrs = calloc(r->nunits, sizeof(*v->addrs));
    bool ok = v->addrs != NULL;
    /* (Where it lies must be where it was linked for: else copy it.) */
    if (ok && img->window && r->xip &&
        r->xip_at == (uint32_t)((const uint8_t *)r - img->base))
        ok = link_in_place(j, img, v);
    else if (ok)
        ok = link_copy(j, r, v->addrs);
    if (!ok) {
        free(v->addrs);
        v->addrs = NULL;
        v->bad = true;
        return false;
    }
    v->linked = true;
    j->stats.disk_objects++;
    for (uint32_t i = 0; i < r->nunits; i++)
        jit_perfmap_write(j->perfmap, u[i].name, v->addrs[i], u[i].pc,
                          r->optimised ? 2 : 1);
    return true;
}

static int cmp_pc(const void *a, const void *b)
{
    const struct pc_index *x = a, *y = b;
    return x->pc < y->pc ? -1 : x->pc > y->pc;
}

/* f's first index entry for pc (the preferred record, cmp_index), or
 * NULL. */
static const struct pc_index *index_first(const struct pc_file *f,
                                          guest_addr_t pc)
{
    struct pc_index want = {.pc = pc};
    const struct pc_index *hit =
        bsearch(&want, f->idx, f->nidx, sizeof(*f->idx), cmp_pc);
    while (hit && hit > f->idx && hit[-1].pc == pc)
        hit--;
    return hit;
}

/* The first index entry for pc in the file of its mapping (*fp), or
 * NULL. */
static const struct pc_index *first_record(struct jit *j, guest_addr_t pc,
                                           struct pc_file **fp)
{
    struct pc_file *f = *fp = file_of_pc(j, pc);
    return f && f->nidx ? index_first(f, pc) : NULL;
}

bool jit_pcache_can_hold(struct jit *j, guest_addr_t pc)
{
    return j->pcache && file_of_pc(j, pc) && !writable(j, pc);
}

bool jit_pcache_indexes(struct jit *j, guest_addr_t pc)
{
    struct pc_file *f;
    return first_record(j, pc, &f) != NULL;
}

bool jit_pcache_load(struct jit *j, struct jit_entry *e, bool optimised)
{
    uint64_t t0 = jit_now_ns();
    guest_addr_t pc = (guest_addr_t)e->link.pc;
    /* Several records may hold pc (made by runs that saw other bytes
     * there, or by both tiers): the first one whose bytes match wins,
     * optimised ones first (pass 0), then the others (pass 1). */
    struct pc_file *f;
    const struct pc_index *first = first_record(j, pc, &f), *hit;
    if (!first)
        return false;
    const struct pc_index *end = f->idx + f->nidx;
    bool done = false;
    for (int pass = 0; pass < (optimised ? 1 : 2) && !done; pass++)
    for (hit = first; hit < end && hit->pc == pc && !done; hit++) {
        struct pc_part *part = &f->parts[hit->part];
        struct pc_view *v = &part->recs[hit->rec];
        /* (The index's flag: a record is only checked when it is tried.) */
        if ((pass == 0) != (hit->optimised != 0))
            continue;
        if (!v->checked) {
            v->checked = true;
            v->r = checked_record(part, hit->rec);
            if (!v->r) {
                v->bad = true;
                j->stats.disk_bad_files++; /* a damaged record */
            }
        }
        if (v->bad || v->r->optimised != hit->optimised)
            continue;
        uint64_t epoch = jit_code_epoch(j);
        if (!units_current(j, v->r)) {
            j->stats.disk_stale++;
            continue;
        }
        if (!v->linked && !link_record(j, &part->img, v))
            continue;
        const struct pcache_unit *u = pcache_units(v->r);
        for (uint32_t i = 0; i < v->r->nunits; i++) {
            struct jit_entry *ue = jit_cache_get(&j->cache, u[i].pc);
            if (!ue || (ue->link.code &&
                        (ue->optimised || !v->r->optimised)))
                continue;
            /* A unit of the object that a better record holds too (the
             * optimising tier's, made from --aot's) is left to that
             * record, found when the unit is looked up. */
            const struct pc_index *best = index_first(f, u[i].pc);
            if (u[i].pc != pc && best && best->optimised > v->r->optimised)
                continue;
            ue->code_lo = u[i].code_lo;
            ue->code_end = (uint64_t)u[i].code_lo + u[i].code_len;
            if (jit_page_index_add(j, ue, u[i].ranges, u[i].nranges) &&
                jit_install(j, ue, v->addrs[i], epoch)) {
                /* (2: no more hits; --aot's code is taken again) */
                ue->tier = v->r->optimised == JIT_CODE_HOT ? 2 : 1;
                j->stats.disk_optimised += v->r->optimised != JIT_CODE_FIRST;
                ue->optimised = v->r->optimised;
                ue->nsucc = (uint8_t)u[i].nsucc;
                memcpy(ue->succ, u[i].succ, sizeof(ue->succ));
                jit_entry_set_pred(ue, u[i].pred, u[i].npred);
                j->stats.disk_units++;
            } else {
                ue->code_end = 0;
            }
        }
        done = e->link.code != 0 && (!optimised || e->optimised);
    }
    j->stats.disk_load_ns += jit_now_ns() - t0;
    return done;
}

guest_addr_t *jit_cached_units(struct jit *j, guest_addr_t pc, size_t *n)
{
    *n = 0;
    if (!j->pcache)
        return NULL;
    pthread_mutex_lock(&j->lock);
    struct pc_file *f = file_of_pc(j, pc);
    guest_addr_t *v = f && f->nidx ? malloc(f->nidx * sizeof(*v)) : NULL;
    for (size_t i = 0; v && i < f->nidx; i++)
        if (i == 0 || f->idx[i].pc != f->idx[i - 1].pc)
            v[(*n)++] = f->idx[i].pc;
    pthread_mutex_unlock(&j->lock);
    return v;
}

/* ---- storing ---- */

void jit_pcache_store(struct jit *j, const void *obj, size_t objlen,
                      const char *table, const guest_addr_t *cells,
                      uint32_t ncells, const char (*names)[JIT_NAME_MAX],
                      const struct jit_unit_info *units, int n,
                      unsigned kind)
{
    if (n <= 0 || objlen > UINT32_MAX)
        return;
    struct pc_file *f = file_of_pc(j, units[0].pc);
    if (!f)
        return;
    /* All units of an object go in the file of the first. */
    if (f->npending == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        uint8_t **p = realloc(f->pending, cap * sizeof(*p));
        if (!p)
            return;
        f->pending = p;
        f->cap = cap;
    }
    struct pcache_unit *u = calloc((size_t)n, sizeof(*u));
    if (!u)
        return;
    for (int i = 0; i < n; i++) {
        u[i].pc = units[i].pc;
        u[i].code_lo = units[i].code_lo;
        u[i].code_len = units[i].code_len;
        u[i].nranges = units[i].nranges;
        memcpy(u[i].ranges, units[i].ranges, sizeof(u[i].ranges));
        u[i].hash = units[i].hash;
        u[i].nsucc = units[i].nsucc;
        memcpy(u[i].succ, units[i].succ, sizeof(u[i].succ));
        u[i].npred = units[i].npred;
        memcpy(u[i].pred, units[i].pred, sizeof(u[i].pred));
        memcpy(u[i].name, names[i], JIT_NAME_MAX);
    }
    size_t slen = 0;
    uint8_t *stripped = jit_obj_strip_debug(obj, objlen, &slen);
    if (stripped && slen <= objlen) {
        obj = stripped;
        objlen = slen;
    }
    uint8_t *rec = pcache_record_new(table, u, (uint32_t)n, cells, ncells,
                                     obj, (uint32_t)objlen, kind);
    free(stripped);
    free(u);
    if (rec)
        f->pending[f->npending++] = rec;
}

/* Has this run found a damaged record in one of f's files? */
static bool any_damaged(const struct pc_file *f)
{
    for (size_t p = 0; p < f->nparts; p++)
        for (size_t i = 0; f->parts[p].recs && i < f->parts[p].img.h->nrecs;
             i++)
            if (f->parts[p].recs[i].bad)
                return true;
    return false;
}

/* The records f's parts hold, for the merge into the main file: those
 * of its segments, checked now (a damaged one is left out); and which of
 * the main file's records were found damaged (bad, NULL when none). */
static const uint8_t **segment_records(struct pc_file *f, size_t *n,
                                       bool **bad)
{
    size_t total = 0;
    *n = 0;
    *bad = NULL;
    for (size_t p = 0; p < f->nparts; p++)
        total += f->parts[p].img.h->nrecs;
    const uint8_t **v = malloc((total ? total : 1) * sizeof(*v));
    for (size_t p = 0; v && p < f->nparts; p++) {
        struct pc_part *part = &f->parts[p];
        size_t nrecs = part->img.h->nrecs;
        if (part->tag == 0)
            *bad = calloc(nrecs + 1, sizeof(**bad));
        for (size_t i = 0; i < nrecs && part->recs; i++) {
            struct pc_view *view = &part->recs[i];
            bool b = view->bad;
            if (part->tag && !b) {
                const struct pc_rec *r =
                    view->checked ? view->r : checked_record(part, i);
                if (r)
                    v[(*n)++] = (const uint8_t *)r;
                b = !r;
            }
            if (part->tag == 0 && *bad)
                (*bad)[i] = b;
        }
    }
    return v;
}

/* Store f's new records: as a segment of their own while f has fewer
 * than PCACHE_MAX_PARTS files and none of them a damaged record; else
 * merged with all of them into the main file, whose segments then go. */
static bool persist_file(struct jit *j, struct pc_file *f)
{
    struct jit_pcache *pc = j->pcache;
    size_t nseg_recs = 0;
    bool *bad = NULL, any_bad = any_damaged(f);
    const uint8_t **seg_recs = NULL;
    bool main = f->nparts && f->parts[0].tag == 0;
    size_t stored = 0;
    const struct pcache_linker lk = {jit_xip_prelink, j};
    int rc = -1;
    if (!f->npending && !any_bad) {
        rc = 1; /* nothing to write */
    } else if (main && !any_bad && f->nparts < PCACHE_MAX_PARTS) {
        const struct pcache_image *held[PCACHE_MAX_PARTS];
        for (size_t p = 0; p < f->nparts; p++)
            held[p] = &f->parts[p].img;
        rc = pcache_write_segment(pc->dir, f->key, pc->build, held,
                                  f->nparts, (const uint8_t *const *)f->pending,
                                  f->npending, &lk, &stored);
    } else if ((seg_recs = segment_records(f, &nseg_recs, &bad)) != NULL) {
        size_t n = f->npending + nseg_recs;
        const uint8_t **all = malloc((n ? n : 1) * sizeof(*all));
        if (all) {
            memcpy(all, f->pending, f->npending * sizeof(*all));
            memcpy(all + f->npending, seg_recs, nseg_recs * sizeof(*all));
            rc = pcache_write_file(pc->dir, f->key, pc->build,
                                   main ? &f->parts[0].img : NULL, bad, all,
                                   n, f->npending, &lk, &stored);
        }
        free(all);
        for (size_t p = 0; rc == 0 && p < f->nparts; p++)
            if (f->parts[p].tag)
                pcache_remove(pc->dir, f->key, f->parts[p].tag);
    }
    free(seg_recs);
    free(bad);
    j->stats.disk_stored += stored;
    for (size_t i = 0; i < f->npending; i++)
        free(f->pending[i]);
    f->npending = 0;
    return rc == 0;
}

void jit_persist(struct jit *j)
{
    if (!j || !j->pcache)
        return;
    pthread_mutex_lock(&j->lock);
    bool wrote = false;
    for (struct pc_file *f = j->pcache->files; f; f = f->next)
        wrote |= persist_file(j, f);
    if (wrote)
        pcache_evict(j->pcache->dir, j->pcache->max);
    pthread_mutex_unlock(&j->lock);
}

/* ---- life ---- */

struct jit_pcache *jit_pcache_open(struct jit *j)
{
    char err[512];
    if (pcache_dir_ready(j->cfg.cache_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "r386: warning: %s; running without the persistent "
                        "cache\n", err);
        return NULL;
    }
    struct jit_pcache *pc = calloc(1, sizeof(*pc));
    if (!pc || !(pc->dir = strdup(j->cfg.cache_dir))) {
        free(pc);
        return NULL;
    }
    pc->max = j->cfg.cache_max ? j->cfg.cache_max : PCACHE_DEFAULT_MAX;
    /* (R386_CACHE_NO_IN_PLACE: map files only to read, and link every
     * record by copying it, as when the mapping fails -- for tests.) */
    const char *nip = getenv("R386_CACHE_NO_IN_PLACE");
    if (!nip || !*nip)
        pc->nimports = jit_xip_imports(
            j, pc->imports, sizeof(pc->imports) / sizeof(*pc->imports));
    pc->build = build_hash(j->cfg.profile);
    return pc;
}

bool jit_cache_file(struct jit *j, uint64_t key, char *buf, size_t len,
                    uint64_t *file_key)
{
    struct jit_pcache *pc = j->pcache;
    if (!pc)
        return false;
    *file_key = mix(key ^ mix(pc->build));
    int n = snprintf(buf, len, "%s/%016llx" PCACHE_SIDE_SUFFIX, pc->dir,
                     (unsigned long long)*file_key);
    return n > 0 && (size_t)n < len;
}

void jit_pcache_fork_child(struct jit_pcache *pc)
{
    if (!pc)
        return;
    /* The checkers are the parent's (their lock may even be held). */
    __atomic_store_n(&pc->checkers, 0, __ATOMIC_RELAXED);
    for (struct pc_file *f = pc->files; f; f = f->next)
        for (size_t p = 0; p < f->nparts; p++)
            f->parts[p].live = false;
}

void jit_pcache_close(struct jit_pcache *pc)
{
    if (!pc)
        return;
    for (struct pc_file *f = pc->files, *next; f; f = next) {
        next = f->next;
        for (size_t p = 0; p < f->nparts; p++) {
            struct pc_part *part = &f->parts[p];
            stop_checker(part);
            for (size_t i = 0; part->recs && i < part->img.h->nrecs; i++)
                free(part->recs[i].addrs);
            free(part->recs);
            free(part->state);
            pcache_close(&part->img);
        }
        free(f->parts);
        for (size_t i = 0; i < f->npending; i++)
            free(f->pending[i]);
        free(f->pending);
        free(f->idx);
        free(f);
    }
    free(pc->segs);
    free(pc->dir);
    free(pc->last_path);
    free(pc);
}
