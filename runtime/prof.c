/* The runtime's side of the guest profiler (profile/): which files the
 * guest's code comes from, which guest threads run, and when the files
 * are written.  Without --profile... none of this does anything. */
#include <stdio.h>

#include "runtime_internal.h"

/* The guest thread running on this host thread, for the JIT's
 * "compiling" notes. */
static __thread struct guest_thread *prof_self;

static void note_compiling(bool on)
{
    if (prof_self)
        thread_activity(prof_self, on ? PROFILE_COMPILE : PROFILE_DISPATCH);
}

/* pc -> the file mapping holding it: libraries, dlopen'ed code. */
static bool map_lookup(void *ctx, guest_addr_t pc, struct profile_mapping *m)
{
    struct codemap_entry e;
    if (!codemap_lookup(ctx, pc, &e))
        return false;
    *m = (struct profile_mapping){e.path, e.start, e.end, e.offset};
    return true;
}

void runtime_profile_start(struct runtime *rt)
{
    const struct runtime_config *c = &rt->cfg;
    if (!c->profile && !c->profile_folded && !c->profile_svg)
        return;
    struct profile_config pc = {
        .report_path = c->profile,
        .folded_path = c->profile_folded,
        .svg_path = c->profile_svg,
        .program = rt->info.exe_path,
    };
    char err[256];
    rt->prof = profile_start(&pc, err, sizeof(err));
    if (!rt->prof) {
        fprintf(stderr, "r386: no profile: %s\n", err);
        return;
    }
    profile_set_mapper(rt->prof, map_lookup, rt->codemap);
    /* The program and its dynamic linker by their own load bias (their
     * mappings are in the codemap too; this needs no offsets). */
    profile_add_image(rt->prof, rt->info.exe_host_path, rt->info.load_bias);
    if (rt->info.has_interp && rt->info.interp_host_path)
        profile_add_image(rt->prof, rt->info.interp_host_path,
                          rt->info.interp_base);
}

void runtime_profile_jit(const struct runtime *rt, struct jit_config *jc)
{
    jc->profile = rt->prof != NULL;
    jc->compiling = rt->prof ? note_compiling : NULL;
}

void runtime_profile_thread_start(struct guest_thread *t)
{
    if (!t->rt->prof) {
        t->prof = NULL;
        return;
    }
    prof_self = t;
    t->prof = profile_thread_register(t->rt->prof, &t->cpu);
}

void runtime_profile_thread_stop(struct guest_thread *t)
{
    if (!t->prof)
        return;
    profile_thread_unregister(t->rt->prof, t->prof);
    t->prof = NULL;
    prof_self = NULL;
}

void runtime_profile_finish(struct runtime *rt)
{
    if (rt->prof)
        profile_finish(rt->prof);
}
