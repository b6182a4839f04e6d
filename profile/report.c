/* The readable report (--profile=FILE): totals, r386's own shares, guest
 * functions by self and by inclusive share, the hottest translation
 * units. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile_internal.h"

#define REPORT_FUNCS 30
#define REPORT_UNITS 20

static double pct(uint64_t n, uint64_t total)
{
    return total ? 100.0 * (double)n / (double)total : 0.0;
}

static const struct prof_func *sort_funcs;

/* Larger first: -1, 0 or 1. */
static int desc(uint64_t x, uint64_t y)
{
    return x > y ? -1 : x < y;
}

static int by_self(const void *a, const void *b)
{
    const struct prof_func *x = &sort_funcs[*(const unsigned *)a];
    const struct prof_func *y = &sort_funcs[*(const unsigned *)b];
    int c = desc(x->self, y->self);
    return c ? c : desc(x->incl, y->incl);
}

static int by_incl(const void *a, const void *b)
{
    const struct prof_func *x = &sort_funcs[*(const unsigned *)a];
    const struct prof_func *y = &sort_funcs[*(const unsigned *)b];
    int c = desc(x->incl, y->incl);
    return c ? c : desc(x->self, y->self);
}

/* guest: the samples in guest code, which the guest% column (self time
 * as a share of the guest's own time, r386's costs left out) divides
 * by. */
static void func_table(FILE *f, const struct prof_named *n, bool incl,
                       uint64_t guest)
{
    unsigned *order = malloc(n->nfuncs * sizeof(*order));
    if (!order)
        return;
    for (unsigned i = 0; i < n->nfuncs; i++)
        order[i] = i;
    sort_funcs = n->funcs; /* report writing is single-threaded */
    qsort(order, n->nfuncs, sizeof(*order), incl ? by_incl : by_self);
    fprintf(f, "\nguest functions by %s share\n", incl ? "inclusive" : "self");
    fprintf(f, "%8s %8s %8s %8s  %-40s %s\n", incl ? "incl%" : "self%",
            incl ? "self%" : "incl%", "guest%", "samples", "function",
            "file");
    for (unsigned i = 0; i < n->nfuncs && i < REPORT_FUNCS; i++) {
        const struct prof_func *fn = &n->funcs[order[i]];
        uint64_t key = incl ? fn->incl : fn->self;
        if (!key)
            break;
        char gshare[16] = "       -";
        if (fn->name[0] != '[' || strcmp(fn->name, "[unknown]") == 0)
            snprintf(gshare, sizeof(gshare), "%7.2f%%", pct(fn->self, guest));
        fprintf(f, "%7.2f%% %7.2f%% %s %8llu  %-40s %s\n", pct(key, n->total),
                pct(incl ? fn->self : fn->incl, n->total), gshare,
                (unsigned long long)key, fn->name, fn->file);
    }
    free(order);
}

static int by_count(const void *a, const void *b)
{
    const struct prof_pc_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->pc < y->pc ? -1 : x->pc > y->pc;
}

static void pc_table(FILE *f, const struct prof_pc_table *t,
                     struct prof_symbolizer *s, uint64_t total,
                     const char *title, unsigned max)
{
    struct prof_pc_count *u = malloc((t->n + 1) * sizeof(*u));
    if (!u)
        return;
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i].pc)
            u[k++] = t->slot[i];
    qsort(u, k, sizeof(*u), by_count);
    fprintf(f, "\n%s\n", title);
    fprintf(f, "%8s %8s  %-10s  %s\n", "share", "samples", "guest pc",
            "function+offset (file)");
    for (size_t i = 0; i < k && i < max; i++) {
        char where[512];
        profile_describe_pc(s, u[i].pc, where, sizeof(where));
        fprintf(f, "%7.2f%% %8u  0x%08x  %s\n", pct(u[i].count, total),
                u[i].count, u[i].pc, where);
    }
    free(u);
}

int profile_write_report(struct profile *p, struct prof_symbolizer *s,
                         const struct prof_named *n, FILE *f)
{
    double secs = (double)(p->end_ns - p->start_ns) / 1e9;
    uint64_t total = n->total;
    fprintf(f, "r386 profile of %s\n", p->cfg.program ? p->cfg.program : "?");
    fprintf(f, "samples: %llu (%d per CPU second of each guest thread, "
               "and per second blocked in a system call), run time %.3f s, "
               "%u guest thread%s\n",
            (unsigned long long)total, PROFILE_HZ, secs, p->nthreads_seen,
            p->nthreads_seen == 1 ? "" : "s");
    static const char *const what[PROFILE_ACTIVITIES] = {
        [PROFILE_GUEST] = "guest code",
        [PROFILE_DISPATCH] = "r386 dispatcher",
        [PROFILE_COMPILE] = "r386 compiling",
        [PROFILE_SYSCALL] = "system calls",
    };
    fprintf(f, "(the sampler thread itself used %.1f ms of CPU; walking "
               "guest stacks, %.1f ms of the guest threads')\n",
            (double)p->sampler_cpu_ns / 1e6, (double)p->walk_ns / 1e6);
    fprintf(f, "\nwhere the time went\n");
    for (int a = 0; a < PROFILE_ACTIVITIES; a++)
        fprintf(f, "%7.2f%% %8llu  %s\n", pct(p->by_activity[a], total),
                (unsigned long long)p->by_activity[a], what[a]);
    fprintf(f, "\nshares: self%% and incl%% of all samples; guest%%: self "
               "samples of all samples in guest code\n");
    func_table(f, n, false, p->by_activity[PROFILE_GUEST]);
    func_table(f, n, true, p->by_activity[PROFILE_GUEST]);
    pc_table(f, &p->pcs, s, total,
             "hottest blocks (by the guest pc sampled: where the thread "
             "stopped for the sample --\na loop's head, a unit's entry, "
             "the ret of the function that returned)", REPORT_UNITS);
    pc_table(f, &p->units, s, total,
             "hottest translation units (by guest entry pc: a unit is a "
             "region of guest blocks\nand may take in the blocks of "
             "functions it calls directly)", REPORT_UNITS / 2);
    return ferror(f) ? -EIO : 0;
}
