/* The dispatcher: run translated units, handle their exits (system calls,
 * faults) and end the guest.
 *
 * Deviations until signal delivery exists: a guest fault (an access to
 * unmapped or protected guest memory, an unknown instruction, a divide
 * error, int3) always takes the default action -- r386 ends by the same
 * signal the guest would have been killed by. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers.h"
#include "runtime_internal.h"
#include "syscall.h"

/* Linux's i386 user segment selectors (__USER_CS, __USER_DS). */
#define USER_CS 0x23
#define USER_DS 0x2b

/* The host fault that interrupted translated code, for the dispatcher. */
static __thread sigjmp_buf *fault_jmp;
static __thread uintptr_t fault_host_addr;

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
        memcpy(buf + n, g2h(m, a), take);
        n += take;
    }
    return n;
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

static void on_host_fault(int sig, siginfo_t *si, void *uc)
{
    if (!fault_jmp) {
        /* A fault in r386 itself: let it kill us as it would have. */
        signal(sig, SIG_DFL);
        return;
    }
    fault_host_addr = (uintptr_t)si->si_addr;
    siglongjmp(*fault_jmp, sig);
}

static void install_fault_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_host_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

static void thread_init(struct runtime *rt, struct guest_thread *t)
{
    memset(t, 0, sizeof(*t));
    t->rt = rt;
    t->tid = (int)syscall(SYS_gettid);
    t->cpu.gpr[REG_ESP] = rt->info.start_stack;
    t->cpu.eip = rt->info.start_pc;
    t->cpu.eflags_other = EFLAGS_IF | EFLAGS_FIXED1;
    t->cpu.mem_base = (uint64_t)(uintptr_t)rt->mem.base;
    cpu_fpu_init(&t->cpu);
    t->cpu.seg_sel[SEG_CS] = USER_CS;
    t->cpu.seg_sel[SEG_DS] = t->cpu.seg_sel[SEG_ES] =
        t->cpu.seg_sel[SEG_SS] = USER_DS;
}

/* A guest exit that Linux answers with a signal: which one. */
static int exit_signal(enum cpu_exit kind)
{
    switch (kind) {
    case CPU_EXIT_SIGILL: return SIGILL;
    case CPU_EXIT_DIVIDE: return SIGFPE;
    case CPU_EXIT_INT3: return SIGTRAP;
    default: return SIGSEGV;
    }
}

static int guest_killed(struct runtime *rt, int sig, guest_addr_t pc)
{
    if (rt->cfg.strace)
        fprintf(stderr, "--- %s at pc 0x%08x: killed ---\n",
                sigabbrev_np(sig) ? sigabbrev_np(sig) : "signal", pc);
    return -sig;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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
            "%llu hot units optimised (%.1f ms on the optimising thread)\n",
            (unsigned long long)s.units, (unsigned long long)s.batches,
            (unsigned long long)s.guest_insns,
            compile, total > 0 ? 100.0 * compile / total : 0.0, total,
            (double)s.lift_ns / 1e6, (double)s.opt_ns / 1e6,
            (double)(s.compile_ns - s.lift_ns - s.opt_ns) / 1e6,
            s.units ? compile / (double)s.units : 0.0,
            (unsigned long long)s.lookups, (unsigned long long)s.hot_units,
            (double)s.hot_ns / 1e6);
}

int runtime_run(struct runtime *rt)
{
    rt->start_ns = now_ns();
    char err[512];
    struct jit_config jc = {
        .helpers = runtime_helpers,
        .nhelpers = runtime_helper_count,
        .code = {&rt->mem, code_read},
        .note_unknown = rt->cfg.strace || rt->cfg.debug ? note_unknown : NULL,
        .verify = rt->cfg.debug,
        .dump_ir = rt->cfg.dump_ir,
        .perf_map = rt->cfg.perf_map,
    };
    rt->jit = jit_create(&jc, err, sizeof(err));
    if (!rt->jit) {
        fprintf(stderr, "r386: %s\n", err);
        return 1;
    }
    struct guest_thread *t = &rt->main_thread;
    thread_init(rt, t);
    install_fault_handlers();
    __atomic_store_n(&rt->nthreads, 1, __ATOMIC_SEQ_CST);
    int status = runtime_thread_loop(rt, t);
    if (__atomic_load_n(&rt->nthreads, __ATOMIC_SEQ_CST) > 1)
        runtime_end_process(rt, status); /* threads still run translated code */
    if (rt->cfg.stats && rt->jit)
        print_stats(rt, rt->start_ns);
    return status;
}

_Noreturn void runtime_end_process(struct runtime *rt, int status)
{
    if (rt->cfg.stats && rt->jit)
        print_stats(rt, rt->start_ns);
    fflush(NULL);
    if (status >= 0)
        _exit(status & 0xff);
    /* Death by signal: the default action kills every thread. */
    int sig = -status;
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

int runtime_thread_loop(struct runtime *rt, struct guest_thread *t)
{
    char err[512];
    sigjmp_buf jb;
    volatile guest_addr_t unit_pc = 0;
    int sig = sigsetjmp(jb, 1);
    if (sig) {
        /* A host fault in translated code: a guest SIGSEGV/SIGBUS.  The
         * precise guest pc is not known yet; report the unit's. */
        fault_jmp = NULL;
        guest_addr_t ga = 0;
        if (!h2g(&rt->mem, (void *)fault_host_addr, &ga)) {
            fprintf(stderr, "r386: internal fault at host address %p\n",
                    (void *)fault_host_addr);
            return -sig;
        }
        if (rt->cfg.strace)
            fprintf(stderr, "--- %s {si_addr=0x%08x} in unit 0x%08x ---\n",
                    sigabbrev_np(sig), ga, unit_pc);
        return guest_killed(rt, sig, unit_pc);
    }
    fault_jmp = &jb;
    for (;;) {
        unit_pc = t->cpu.eip;
        cpu_unit_fn fn = jit_lookup(rt->jit, t->cpu.eip, err, sizeof(err));
        if (!fn) {
            fault_jmp = NULL;
            fprintf(stderr, "r386: %s\n", err);
            return 1;
        }
        enum cpu_exit kind = cpu_run_chain(fn, &t->cpu);
        switch (kind) {
        case CPU_EXIT_JUMP:
            continue;
        case CPU_EXIT_SYSCALL:
            syscall_dispatch(t);
            if (t->exited) {
                fault_jmp = NULL;
                return t->exit_status;
            }
            continue;
        default:
            fault_jmp = NULL;
            return guest_killed(rt, exit_signal(kind), t->cpu.eip);
        }
    }
}
