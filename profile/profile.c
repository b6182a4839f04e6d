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
    p->view = profile_view_new();
    int e = p->view ? profile_sampler_start(p) : -ENOMEM;
    if (e < 0) {
        snprintf(err, errlen, "cannot start the profiler's thread: %s",
                 strerror(-e));
        free(p->view);
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
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        t->next = p->threads;
        p->threads = t;
    }
    t->activity = PROFILE_DISPATCH;
    t->due = 0;
    t->profile = p;
    t->cpu = cpu;
    profile_sampler_thread_init(t);
    t->live = true;
    p->nthreads_seen++;
    pthread_mutex_unlock(&p->lock);
    return t;
}

void profile_thread_sample(struct profile_thread *t,
                           const struct cpu_state *cpu)
{
    struct profile *p = t->profile;
    if (!mine(p))
        return;
    pthread_mutex_lock(&p->lock);
    profile_take_sample(p, t, cpu);
    pthread_mutex_unlock(&p->lock);
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
    /* Samples asked for and not taken: threads blocked in a system call
     * (their state is exact and still), this one among them. */
    for (struct profile_thread *t = p->threads; t; t = t->next)
        if (t->live && t->due && t->req_activity == PROFILE_SYSCALL)
            profile_take_sample(p, t, t->cpu);
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
