/* The profile's life: start, guest threads coming and going, and the
 * files written at the end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profile_internal.h"

uint64_t profile_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct profile *profile_start(const struct profile_config *cfg, char *err,
                              size_t errlen)
{
    struct profile *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->cfg = *cfg;
    p->pid = getpid();
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->finish_lock, NULL);
    p->start_ns = profile_now_ns();
    int e = profile_sampler_start(p);
    if (e < 0) {
        snprintf(err, errlen, "cannot start the profiler's thread: %s",
                 strerror(-e));
        free(p);
        return NULL;
    }
    return p;
}

/* A fork child carries the profile's memory but not its sampler, and
 * maybe a lock the sampler held: it leaves the profile alone. */
static bool mine(const struct profile *p)
{
    return p && getpid() == p->pid;
}

void profile_add_image(struct profile *p, const char *path,
                       guest_addr_t bias)
{
    if (!mine(p) || !path)
        return;
    pthread_mutex_lock(&p->lock);
    struct prof_image *n =
        realloc(p->images, (p->nimages + 1) * sizeof(*n));
    char *copy = strdup(path);
    if (n && copy) {
        p->images = n;
        p->images[p->nimages++] = (struct prof_image){copy, bias};
    } else {
        free(copy);
        if (n)
            p->images = n;
    }
    pthread_mutex_unlock(&p->lock);
}

void profile_set_mapper(struct profile *p, profile_map_fn fn, void *ctx)
{
    if (!p)
        return;
    p->map = fn;
    p->map_ctx = ctx;
}

struct profile_thread *profile_thread_register(struct profile *p,
                                               struct cpu_state *cpu)
{
    if (!mine(p))
        return NULL;
    pthread_mutex_lock(&p->lock);
    struct profile_thread *t = p->threads;
    while (t && t->live)
        t = t->next;
    if (!t) { /* never freed: the sampler may be looking at the list */
        t = calloc(1, sizeof(*t));
        if (!t) {
            /* Translated code still keeps a stack: a shared scratch one. */
            static struct cpu_prof_stack scratch;
            cpu->prof_stack = (uint64_t)(uintptr_t)&scratch;
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        t->next = p->threads;
        p->threads = t;
    }
    memset(&t->stack, 0, sizeof(t->stack));
    t->stack_top = 0;
    t->activity = PROFILE_DISPATCH;
    t->cpu = cpu;
    profile_sampler_thread_init(t);
    t->live = true;
    p->nthreads_seen++;
    cpu->prof_stack = (uint64_t)(uintptr_t)&t->stack;
    pthread_mutex_unlock(&p->lock);
    return t;
}

void profile_thread_unregister(struct profile *p, struct profile_thread *t)
{
    if (!mine(p) || !t)
        return;
    pthread_mutex_lock(&p->lock);
    t->live = false;
    t->cpu = NULL;
    pthread_mutex_unlock(&p->lock);
}

void profile_thread_push(struct profile_thread *t, guest_addr_t ret,
                         guest_addr_t esp)
{
    struct cpu_prof_frame f = {ret, esp};
    __atomic_store(&PROF_SLOT_OF(&t->stack, esp), &f, __ATOMIC_RELAXED);
    __atomic_store_n(&t->cpu->prof_esp, esp, __ATOMIC_RELAXED);
}

void profile_thread_sync(struct profile_thread *t, guest_addr_t esp)
{
    struct cpu_state *cpu = t->cpu;
    guest_addr_t low = __atomic_load_n(&cpu->prof_esp, __ATOMIC_RELAXED);
    if (!t->stack_top)
        __atomic_store_n(&t->stack_top, esp, __ATOMIC_RELAXED);
    /* Frames between the last call's esp and esp were popped by returns
     * (their slots already empty) or left without one (longjmp): cleared.
     * A move further than the ring covers is taken for a switch to
     * another stack (swapcontext): nothing there is known dead, and stale
     * frames below esp are not read. */
    uint32_t words = low < esp ? (esp - low) / 4 : 0;
    if (words <= CPU_PROF_SLOTS) {
        static const struct cpu_prof_frame none;
        for (uint32_t i = 0; i < words; i++)
            __atomic_store(&PROF_SLOT_OF(&t->stack, low + 4 * i), &none,
                           __ATOMIC_RELAXED);
    }
    __atomic_store_n(&cpu->prof_esp, esp, __ATOMIC_RELAXED);
}

/* Open path for writing, or warn once and return NULL. */
static FILE *open_output(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "r386: cannot write the profile to %s: %s\n", path,
                strerror(errno));
    return f;
}

static void write_output(const char *path, struct profile *p,
                         struct prof_symbolizer *s,
                         const struct prof_named *n,
                         int (*fn)(struct profile *, struct prof_symbolizer *,
                                   const struct prof_named *, FILE *))
{
    if (!path)
        return;
    FILE *f = open_output(path);
    if (!f)
        return;
    int e = fn(p, s, n, f);
    if (fclose(f) != 0 && e == 0)
        e = -errno;
    if (e < 0)
        fprintf(stderr, "r386: cannot write the profile to %s: %s\n", path,
                strerror(-e));
}

static int write_report(struct profile *p, struct prof_symbolizer *s,
                        const struct prof_named *n, FILE *f)
{
    return profile_write_report(p, s, n, f);
}

static int write_folded(struct profile *p, struct prof_symbolizer *s,
                        const struct prof_named *n, FILE *f)
{
    return profile_write_folded(n, f);
}

static int write_svg(struct profile *p, struct prof_symbolizer *s,
                     const struct prof_named *n, FILE *f)
{
    return profile_write_svg(n, f);
}

void profile_finish(struct profile *p)
{
    if (!mine(p))
        return;
    /* Held to the end: a second caller (another thread ending the
     * process) waits here until the files are written. */
    pthread_mutex_lock(&p->finish_lock);
    if (p->finished) {
        pthread_mutex_unlock(&p->finish_lock);
        return;
    }
    profile_sampler_stop(p);
    p->end_ns = profile_now_ns();
    pthread_mutex_lock(&p->lock); /* the images */
    struct prof_symbolizer *s = profile_symbolizer_new(p);
    struct prof_named n = {0};
    if (!s || profile_name_all(p, s, &n) < 0) {
        fprintf(stderr, "r386: out of memory writing the profile\n");
    } else {
        write_output(p->cfg.report_path, p, s, &n, write_report);
        write_output(p->cfg.folded_path, p, s, &n, write_folded);
        write_output(p->cfg.svg_path, p, s, &n, write_svg);
    }
    profile_named_free(&n);
    profile_symbolizer_free(s);
    pthread_mutex_unlock(&p->lock);
    p->finished = true;
    pthread_mutex_unlock(&p->finish_lock);
}
