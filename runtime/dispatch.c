/* The dispatcher: run translated units, handle their exits (system calls,
 * faults, pending signals) and end the guest.
 *
 * Safe point: signals are delivered only here, between units (a unit
 * leaves with CPU_EXIT_INTERRUPT at a loop back-edge, cpu_run_chain
 * between chained units, when the thread's interrupt word is set) and
 * after system calls.  Faults become guest signals with the pc of the
 * faulting instruction: exits carry it in eip; a host fault on a guest
 * access takes it from the host pc (the translation's line table,
 * jit_guest_pc), else from insn_pc, which translated code stores before
 * the accesses host functions make for it (memmove; lifter/operand.c).
 *
 * Deviation: at a host fault inside a unit, the registers and flags in
 * the sigcontext are those of the last unit boundary or helper call
 * (translated code keeps them in host registers); EIP is exact. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers.h"
#include "r386/hash.h"
#include "runtime_internal.h"
#include "syscall.h"

/* Linux's i386 user segment selectors (__USER_CS, __USER_DS). */
#define USER_CS 0x23
#define USER_DS 0x2b

/* The host fault that interrupted translated code, for the dispatcher. */
struct host_fault {
    int sig;
    int code;
    uintptr_t addr;
    uint32_t err;
    uint64_t host_pc;
};
static __thread sigjmp_buf *fault_jmp;
static __thread struct guest_thread *fault_thread;
static __thread struct host_fault fault;

static size_t code_read(void *ctx, guest_addr_t pc, uint8_t *buf, size_t max)
{
    struct guest_mem *m = ctx;
    size_t n = 0;
    while (n < max) {
        guest_addr_t a = pc + (guest_addr_t)n;
        if ((uint64_t)pc + n >= GUEST_SPACE_SIZE ||
            !guest_mem_access_ok(m, a, 1, GUEST_PROT_EXEC))
            break;
        size_t in_page = GUEST_PAGE_SIZE - (a & (GUEST_PAGE_SIZE - 1));
        size_t take = max - n < in_page ? max - n : in_page;
        /* Protect the page against writes before reading it (SMC). */
        if (!guest_mem_mark_code(m, a))
            break;
        memcpy(buf + n, g2h(m, a), take);
        n += take;
    }
    return n;
}

static bool code_writable(void *ctx, guest_addr_t pc)
{
    return guest_mem_page_flags(ctx, pc) & GUEST_PROT_WRITE;
}

/* The interpreter's run counts (lifter_code_source.runs); ctx is the
 * runtime's guest memory. */
static unsigned code_runs(void *ctx, guest_addr_t pc)
{
    struct runtime *rt =
        (struct runtime *)((char *)ctx - offsetof(struct runtime, mem));
    struct interp *it = __atomic_load_n(&rt->interp, __ATOMIC_ACQUIRE);
    return it ? interp_runs(it, pc) : LIFTER_RUNS_UNKNOWN;
}

static void note_unknown(void *ctx, const struct lifter_unit *u,
                         const char *text)
{
    char hex[3 * 15 + 1] = "";
    for (int i = 0; i < u->unknown_len; i++)
        snprintf(hex + 3 * i, sizeof(hex) - 3 * (size_t)i, "%02x ",
                 u->unknown_bytes[i]);
    fprintf(stderr, "r386: note: unknown instruction at 0x%08x: %s(%s)\n",
            u->unknown_pc, hex, text);
}

static void code_written(void *ctx, guest_addr_t page)
{
    jit_code_written(ctx, page);
}

static uint64_t code_epoch(void *ctx)
{
    return guest_mem_code_epoch(ctx);
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

/* The start-up window's clock: read for every run of a block past the
 * interpreter's threshold, and the vDSO's precise clock was 2% of a warm
 * dynamic `true`; the coarse one is a few ms coarse, the window 50 ms. */
static uint64_t coarse_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC_COARSE);
}

/* R386_INTERP: how many times a block is interpreted before the guest's
 * thread compiles it (0: never interpreted); R386_INTERP_BG: after how
 * many runs it is queued for the JIT's background thread to compile (0:
 * never; the thread serves requests once the process has run 50 ms,
 * R386_INTERP_BG_DELAY), while the interpreter goes on running it.  Not with
 * --dump-ir/--dump-asm of every unit, which are shown as they are compiled;
 * with --dump-ir=PC, PC itself is compiled at its first run (and the units
 * around it are made as in any run: the optimising tier's regions follow
 * the interpreter's counts). */
#define INTERP_DEFAULT 256
#define INTERP_BG_DEFAULT 16
/* Start-up: for a process's first R386_INTERP_START_MS (50) a block is
 * interpreted up to INTERP_START_RUNS times before the guest's thread
 * compiles it.  ld.so's relocation loops run a few thousand times in any
 * dynamic program's start: compiling them at 256 runs made a cold `true`
 * 170 ms, interpreting them 18 ms.  A longer window costs programs whose
 * hot loop starts at once (a 100 ms one made the hash kernel 30% slower,
 * 50 ms did not: docs/PERFORMANCE.md, session 21). */
#define INTERP_START_MS 50
#define INTERP_START_RUNS 4096
/* ... and a block that runs R386_INTERP_BG_EARLY (512) times within that
 * window is compiled in the background at once, and before the process
 * ends, so that later runs find it in the persistent cache: a warm dynamic
 * `true` interpreted 121k guest instructions at every run, 68k with the
 * four or five units of ld.so's loops this makes (docs/PERFORMANCE.md,
 * session 27).  0: never. */
#define INTERP_BG_EARLY_DEFAULT 512

static unsigned env_count(const char *name, unsigned dflt)
{
    const char *e = getenv(name);
    return e ? (unsigned)strtoul(e, NULL, 10) : dflt;
}

static struct interp *interp_for(struct runtime *rt)
{
    rt->interp_runs = env_count("R386_INTERP", INTERP_DEFAULT);
    rt->interp_bg = env_count("R386_INTERP_BG", INTERP_BG_DEFAULT);
    /* (R386_INTERP_BG=0: no background compiles, early ones neither) */
    rt->interp_bg_early = rt->interp_bg ? env_count("R386_INTERP_BG_EARLY",
                                                    INTERP_BG_EARLY_DEFAULT)
                                        : 0;
    unsigned ms = env_count("R386_INTERP_START_MS", INTERP_START_MS);
    rt->interp_young_until = ms ? coarse_ns() + ms * 1000000ull : 0;
    if (!rt->interp_runs ||
        ((rt->cfg.dump_ir || rt->cfg.dump_asm) && !rt->cfg.dump_pc_set))
        return NULL;
    /* (Its threshold is the start-up one: interp_young decides below it.) */
    unsigned start_runs = rt->interp_runs > INTERP_START_RUNS
                              ? rt->interp_runs
                              : INTERP_START_RUNS;
    return interp_create(start_runs, code_read, code_epoch, &rt->mem,
                         &runtime_interp_calls);
}

/* The interpreter's decoded blocks across runs (interp.h): a file of the
 * cache directory for each program, named by its path, size and
 * modification time (which blocks a run starts with is the program's; that
 * they are right is checked against guest memory). */
static void interp_saved_for(struct runtime *rt)
{
    const char *exe = rt->info.exe_host_path;
    struct stat st;
    if (!rt->interp || !exe || stat(exe, &st) != 0)
        return;
    uint64_t id[2] = {(uint64_t)st.st_size,
                      (uint64_t)st.st_mtim.tv_sec * 1000000000u +
                          (uint64_t)st.st_mtim.tv_nsec};
    uint64_t key = r386_hash(id, sizeof(id), r386_hash(exe, strlen(exe), 0));
    char path[4096];
    if (jit_cache_file(rt->jit, key, path, sizeof(path), &key))
        interp_persist_open(rt->interp, path, key);
}

/* Still starting (R386_INTERP_START_MS)?  The clock is read only for
 * blocks past the threshold, and no more once the answer is no. */
static bool interp_young(struct runtime *rt)
{
    uint64_t until = __atomic_load_n(&rt->interp_young_until,
                                     __ATOMIC_RELAXED);
    if (until && coarse_ns() < until)
        return true;
    if (until)
        __atomic_store_n(&rt->interp_young_until, 0, __ATOMIC_RELAXED);
    return false;
}

/* jit_find, unless it found nothing for this pc since the last time a
 * translation may have appeared: a warm dynamic `true` interprets 27,000
 * blocks, each asking the JIT (its lock, its hash table) before. */
static cpu_unit_fn find(struct runtime *rt, struct guest_thread *t)
{
    guest_addr_t pc = t->cpu.eip;
    uint32_t gen = (uint32_t)jit_find_gen(rt->jit, pc) + 1;
    unsigned i = jit_find_bucket(pc) & (THREAD_FIND_MISS - 1);
    if (t->find_miss[i].pc == pc && t->find_miss[i].gen == gen)
        return NULL;
    cpu_unit_fn fn = jit_find(rt->jit, pc);
    if (!fn) {
        t->find_miss[i].pc = pc;
        t->find_miss[i].gen = gen;
    }
    return fn;
}

/* Page fault error code: a write access. */
#define PF_WRITE_BIT 2

/* A guest store to a page translations were made from (PAGE_CODE, kept
 * read-only on the host): the chain cells of those translations are
 * zeroed at once (code_written: lock-free), the page is dirty and
 * writable again, and the store is retried by returning from the
 * handler.  The JIT's bookkeeping follows at this thread's next safe
 * point (runtime_code_sync; the JIT lock may be held by another thread
 * now), which the interrupt word brings at the end of the running unit
 * or its next loop back-edge.  Also for r386's own C code writing guest
 * memory. */
static bool code_write_fault(int sig, siginfo_t *si, void *uc)
{
    static __thread uintptr_t last_addr;
    static __thread unsigned repeats;
    if (sig != SIGSEGV || !fault_thread ||
        !(((ucontext_t *)uc)->uc_mcontext.gregs[REG_ERR] & PF_WRITE_BIT))
        return false;
    struct guest_mem *m = &fault_thread->rt->mem;
    guest_addr_t ga;
    if (!h2g(m, si->si_addr, &ga))
        return false;
    int how = guest_mem_code_fault(m, ga);
    if (!how)
        return false;
    /* A store that faults again and again on a page that is not code
     * would be an r386 bug: not retried for ever. */
    uintptr_t addr = (uintptr_t)si->si_addr;
    repeats = how == 2 && addr == last_addr ? repeats + 1 : 0;
    last_addr = addr;
    if (repeats > 1000)
        return false;
    __atomic_store_n(&fault_thread->cpu.interrupt, 1, __ATOMIC_RELAXED);
    return true;
}

bool dispatch_host_fault(int sig, siginfo_t *si, void *uc)
{
    if (code_write_fault(sig, si, uc))
        return true;
    guest_addr_t ga;
    bool wrapped;
    if (!fault_jmp ||
        !h2g_reserved(&fault_thread->rt->mem, si->si_addr, &ga, &wrapped))
        return false;
    fault.sig = sig;
    fault.code = si->si_code;
    fault.addr = (uintptr_t)si->si_addr;
    fault.err = (uint32_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_ERR];
    fault.host_pc = (uint64_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
    sigjmp_buf *jb = fault_jmp;
    fault_jmp = NULL;
    siglongjmp(*jb, 1);
}

static void thread_init(struct runtime *rt, struct guest_thread *t)
{
    memset(t, 0, sizeof(*t));
    t->rt = rt;
    t->tid = (int)syscall(SYS_gettid);
    t->cpu.gpr[REG_ESP] = rt->info.start_stack;
    t->cpu.eip = rt->info.start_pc;
    cpu_eflags_set(&t->cpu, EFLAGS_IF | EFLAGS_FIXED1); /* (PF's source) */
    t->cpu.mem_base = (uint64_t)(uintptr_t)rt->mem.base;
    cpu_fpu_init(&t->cpu);
    t->cpu.seg_sel[SEG_CS] = USER_CS;
    t->cpu.seg_sel[SEG_DS] = t->cpu.seg_sel[SEG_ES] =
        t->cpu.seg_sel[SEG_SS] = USER_DS;
}

/* Linux's si_code values used here. */
#define KSI_KERNEL 0x80
#define KSEGV_MAPERR 1
#define KSEGV_ACCERR 2
#define KILL_ILLOPN 2
#define KFPE_INTDIV 1
/* Page fault error code bits. */
#define PF_PROT 1
#define PF_USER 4
#define PF_INSTR 0x10

/* SEGV_MAPERR or SEGV_ACCERR for a guest address, by the guest's pages. */
static int segv_code(struct runtime *rt, guest_addr_t a)
{
    return guest_mem_page_flags(&rt->mem, a) & PAGE_MAPPED ? KSEGV_ACCERR
                                                           : KSEGV_MAPERR;
}

/* A unit's fault exit becomes the guest signal Linux raises for it. */
static void exit_fault(struct guest_thread *t, enum cpu_exit kind)
{
    uint32_t eip = t->cpu.eip;
    switch (kind) {
    case CPU_EXIT_SIGILL:
        signal_deliver_fault(t, SIGILL, KILL_ILLOPN, eip, 6, 0);
        break;
    case CPU_EXIT_DIVIDE:
        signal_deliver_fault(t, SIGFPE, KFPE_INTDIV, eip, 0, 0);
        break;
    case CPU_EXIT_INT3:
        signal_deliver_fault(t, SIGTRAP, KSI_KERNEL, 0, 3, 0);
        break;
    case CPU_EXIT_INTO:
        signal_deliver_fault(t, SIGSEGV, KSI_KERNEL, 0, 4, 0);
        break;
    case CPU_EXIT_BOUND:
        signal_deliver_fault(t, SIGSEGV, KSI_KERNEL, 0, 5, 0);
        break;
    case CPU_EXIT_FETCH: {
        /* The first byte of the instruction that cannot be fetched. */
        guest_addr_t a = eip;
        if (guest_mem_access_ok(&t->rt->mem, a, 1, GUEST_PROT_EXEC))
            a = (a | (GUEST_PAGE_SIZE - 1)) + 1;
        int code = segv_code(t->rt, a);
        signal_deliver_fault(t, SIGSEGV, code, a, 14,
                             PF_USER | PF_INSTR |
                                 (code == KSEGV_ACCERR ? PF_PROT : 0));
        break;
    }
    default: /* CPU_EXIT_PRIV: #GP */
        signal_deliver_fault(t, SIGSEGV, KSI_KERNEL, 0, 13, 0);
        break;
    }
}

/* A host fault on a guest access in translated code.  One in a guard
 * beside the window is an access whose 32-bit address wrapped around
 * (lifter/operand.c folds displacements into the host address): a fault
 * at the wrapped address, which an i386 gets too unless that page is
 * mapped there -- then r386 stops rather than go on wrongly. */
static void host_fault(struct guest_thread *t)
{
    guest_addr_t ga = 0;
    bool wrapped = false;
    h2g_reserved(&t->rt->mem, (void *)fault.addr, &ga, &wrapped);
    guest_addr_t pc;
    t->cpu.eip = jit_guest_pc(t->rt->jit, fault.host_pc, &pc) ? pc
                                                              : t->cpu.insn_pc;
    if (wrapped &&
        guest_mem_access_ok(&t->rt->mem, ga, 1,
                            fault.err & PF_WRITE_BIT ? GUEST_PROT_WRITE
                                                     : GUEST_PROT_READ)) {
        fprintf(stderr,
                "r386: the guest access to 0x%08x at eip 0x%08x wraps around "
                "the 4 GiB address space, which r386 does not emulate\n",
                ga, t->cpu.eip);
        runtime_end_process(t->rt, 1);
    }
    if (fault.sig == SIGBUS) {
        signal_deliver_fault(t, SIGBUS, fault.code, ga, 14, fault.err);
        return;
    }
    signal_deliver_fault(t, SIGSEGV, segv_code(t->rt, ga), ga, 14,
                         fault.err | PF_USER);
}

static void print_stats(struct runtime *rt, uint64_t t0)
{
    struct jit_stats s;
    jit_stats_get(rt->jit, &s);
    double total = (double)(now_ns() - t0) / 1e6;
    double compile = (double)s.compile_ns / 1e6;
    fprintf(stderr,
            "r386 stats: %llu units in %llu batches, %llu guest instructions translated, "
            "%.1f ms compiling (%.1f%% of %.1f ms; lift %.1f, IR passes %.1f, "
            "codegen+link %.1f), %.3f ms/unit, %llu dispatcher lookups; "
            "%llu hot units optimised (%.1f ms on the optimising thread, "
            "%llu cold exits, %llu loaded optimised); "
            "%llu translations dropped (guest code changed); %llu objects "
            "linked by ORC\n",
            (unsigned long long)s.units, (unsigned long long)s.batches,
            (unsigned long long)s.guest_insns,
            compile, total > 0 ? 100.0 * compile / total : 0.0, total,
            (double)s.lift_ns / 1e6, (double)s.opt_ns / 1e6,
            (double)(s.compile_ns - s.lift_ns - s.opt_ns) / 1e6,
            s.units > s.bg_units ? compile / (double)(s.units - s.bg_units)
                                 : 0.0,
            (unsigned long long)s.lookups, (unsigned long long)s.hot_units,
            (double)s.hot_ns / 1e6, (unsigned long long)s.hot_cold,
            (unsigned long long)s.disk_optimised,
            (unsigned long long)s.invalidated,
            (unsigned long long)s.orc_objects);
    fprintf(stderr,
            "r386 stats: line tables made for faults: %llu (%llu units no "
            "way of compiling matched); LLVM set up: %s\n",
            (unsigned long long)s.lines_made,
            (unsigned long long)s.lines_failed, s.llvm_setup ? "yes" : "no");
    if (rt->interp) {
        struct interp_stats is;
        interp_stats_get(rt->interp, &is);
        fprintf(stderr,
                "r386 stats: interpreted %llu blocks, %llu guest "
                "instructions; %llu blocks left to the JIT; %llu units "
                "compiled in the background (%.1f ms); %llu chunks "
                "decoded, %llu saved ones used, %llu damaged\n",
                (unsigned long long)is.blocks, (unsigned long long)is.insns,
                (unsigned long long)is.refused,
                (unsigned long long)s.bg_units, (double)s.bg_ns / 1e6,
                (unsigned long long)is.decoded, (unsigned long long)is.reused,
                (unsigned long long)is.damaged);
    }
    if (rt->cfg.cache_dir)
        fprintf(stderr,
                "r386 stats: persistent cache %s: %llu units loaded in "
                "%llu objects (%.1f ms, %llu run in place), %llu stale, %llu "
                "damaged files or records; %llu units stored\n",
                rt->cfg.cache_dir, (unsigned long long)s.disk_units,
                (unsigned long long)s.disk_objects,
                (double)s.disk_load_ns / 1e6,
                (unsigned long long)s.disk_in_place,
                (unsigned long long)s.disk_stale,
                (unsigned long long)s.disk_bad_files,
                (unsigned long long)s.disk_stored);
}

/* The persistent cache groups translations by the file they came from
 * (codemap.h).  ctx is the guest memory, the runtime's first member. */
static bool code_file(void *ctx, guest_addr_t pc, struct jit_code_file *out)
{
    struct runtime *rt = (struct runtime *)ctx;
    struct codemap_entry e;
    if (!codemap_lookup(rt->codemap, pc, &e))
        return false;
    *out = (struct jit_code_file){e.start, e.end, e.offset, e.path, e.size,
                                  e.mtime_ns};
    return true;
}

int runtime_run(struct runtime *rt)
{
    rt->start_ns = now_ns();
    runtime_profile_start(rt);
    char err[512];
    struct jit_config jc = {
        .helpers = runtime_helpers,
        .nhelpers = runtime_helper_count,
        .code = {&rt->mem, code_read, code_writable, code_runs},
        .note_unknown = rt->cfg.strace || rt->cfg.debug ? note_unknown : NULL,
        .verify = rt->cfg.debug,
        .dump_ir = rt->cfg.dump_ir,
        .dump_asm = rt->cfg.dump_asm,
        .dump_pc_set = rt->cfg.dump_pc_set,
        .dump_pc = rt->cfg.dump_pc,
        .perf_map = rt->cfg.perf_map,
        .code_epoch = code_epoch,
        .cache_dir = rt->cfg.cache_dir,
        .cache_max = rt->cfg.cache_max,
        .code_file = code_file,
    };
    runtime_profile_jit(rt, &jc);
    rt->jit = jit_create(&jc, err, sizeof(err));
    if (!rt->jit) {
        fprintf(stderr, "r386: %s\n", err);
        return 1;
    }
    __atomic_store_n(&rt->interp, interp_for(rt), __ATOMIC_RELEASE);
    interp_saved_for(rt);
    rt->mem.code_hook_ctx = rt->jit;
    __atomic_store_n(&rt->mem.code_hook, code_written, __ATOMIC_RELEASE);
    struct guest_thread *t = &rt->main_thread;
    thread_init(rt, t);
    runtime_profile_thread_start(t);
    signal_host_init(rt, t);
    if (signal_deliver_init(rt) < 0) {
        fprintf(stderr, "r386: cannot map the signal trampoline\n");
        return 1;
    }
    __atomic_store_n(&rt->nthreads, 1, __ATOMIC_SEQ_CST);
    int status = runtime_thread_loop(rt, t);
    if (__atomic_load_n(&rt->nthreads, __ATOMIC_SEQ_CST) > 1)
        runtime_end_process(rt, status); /* threads still run translated code */
    runtime_profile_finish(rt);
    if (rt->interp)
        interp_persist(rt->interp);
    if (rt->aot_reached)
        jit_persist(rt->jit); /* --aot goes on (aot.c), with the tier */
    else
        jit_finish(rt->jit);
    if (rt->cfg.stats && rt->jit)
        print_stats(rt, rt->start_ns);
    return status;
}

_Noreturn void runtime_end_process(struct runtime *rt, int status)
{
    runtime_profile_finish(rt);
    if (rt->interp)
        interp_persist(rt->interp);
    jit_finish(rt->jit);
    if (rt->cfg.stats && rt->jit)
        print_stats(rt, rt->start_ns);
    fflush(NULL);
    if (status >= 0)
        _exit(status & 0xff);
    runtime_die_by_signal(-status);
}

_Noreturn void runtime_die_by_signal(int sig)
{
    /* The default action kills every thread; r386's own image is no core
     * for the guest's death. */
    fflush(NULL);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    raise(sig);
    _exit(128 + sig); /* a signal whose default action is to ignore */
}

static void invalidate_run(void *ctx, guest_addr_t first, uint64_t end)
{
    jit_invalidate(ctx, first, end);
}

void runtime_code_sync(struct runtime *rt)
{
    guest_mem_take_dirty(&rt->mem, invalidate_run, rt->jit);
}

/* The dispatcher loop of guest thread t (the main thread's, or one that
 * clone created, sys_thread.c); returns its exit status or -signal. */
int runtime_thread_loop(struct runtime *rt, struct guest_thread *t)
{
    char err[512];
    fault_thread = t;
    sigjmp_buf jb;
    if (sigsetjmp(jb, 1))
        host_fault(t);
    for (;;) {
        thread_activity(t, PROFILE_DISPATCH);
        if (t->cpu.interrupt)
            signal_deliver_pending(t);
        if (t->exited)
            break;
        if (guest_mem_dirty_pending(&rt->mem))
            runtime_code_sync(rt);
        if (rt->aot_entry && t->cpu.eip == rt->aot_entry &&
            t == &rt->main_thread) {
            rt->aot_reached = true; /* --aot: the libraries are in place */
            return 0;
        }
        if (t->prof) {
            /* Samples the profiler asked for, with the state exact. */
            if (profile_thread_due(t->prof))
                profile_thread_sample(t->prof, &t->cpu);
            t->cpu.prof_ret = 0;
        }
        /* A block with no translation runs its first times in the
         * interpreter; then (or when it cannot) it is compiled. */
        cpu_unit_fn fn = rt->interp ? find(rt, t) : NULL;
        unsigned runs = fn || !rt->interp ? 0
                                          : interp_count(rt->interp,
                                                         t->cpu.eip);
        if (runs && runs == rt->interp_bg)
            jit_request(rt->jit, t->cpu.eip);
        else if (runs && runs == rt->interp_bg_early && interp_young(rt))
            jit_request_early(rt->jit, t->cpu.eip);
        int kind = INTERP_CANNOT;
        if ((runs > rt->interp_runs && !interp_young(rt)) ||
            (rt->cfg.dump_pc_set && t->cpu.eip == rt->cfg.dump_pc))
            runs = 0; /* hot (or to be shown): compile it */
        if (runs) {
            fault_jmp = &jb;
            thread_activity(t, PROFILE_GUEST);
            kind = interp_block(rt->interp, &t->cpu);
            thread_activity(t, PROFILE_DISPATCH);
            fault_jmp = NULL;
        }
        if (kind == INTERP_CANNOT) {
            if (!fn)
                fn = jit_lookup(rt->jit, t->cpu.eip, err, sizeof(err));
            if (!fn) {
                fprintf(stderr, "r386: %s\n", err);
                return 1;
            }
            fault_jmp = &jb;
            thread_activity(t, PROFILE_GUEST);
            kind = cpu_run_chain(fn, &t->cpu);
            thread_activity(t, PROFILE_DISPATCH);
            fault_jmp = NULL;
        }
        switch (kind) {
        case CPU_EXIT_JUMP:
        case CPU_EXIT_INTERRUPT:
            break;
        case CPU_EXIT_SYSCALL:
            thread_activity(t, PROFILE_SYSCALL);
            syscall_dispatch(t);
            break;
        default:
            exit_fault(t, (enum cpu_exit)kind);
            break;
        }
    }
    if (t->exit_status < 0 && rt->cfg.strace)
        fprintf(stderr, "+++ killed by %s +++\n",
                sigabbrev_np(-t->exit_status) ? sigabbrev_np(-t->exit_status)
                                              : "signal");
    return t->exit_status;
}
