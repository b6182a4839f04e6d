/* Instruction cases (tests/insn/NAME.cases, format in insn_case.h) run
 * through the lifter and the JIT: one Check test per case, one test case
 * (TCase) per file, and a per-file summary at the end.  With
 * R386_INSN_INTERP set, every block the interpreter takes runs there
 * instead (interp/), the others through the JIT as before.
 *
 * Usage: test_insn [DIR]; DIR defaults to $R386_INSN_DIR, else the
 * source tree's tests/insn. */
#include <check.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest_mem.h"
#include "helpers.h"
#include "insn_case.h"
#include "interp.h"
#include "jit.h"
#include "thread.h"

/* Linux's user segment selectors on a 64-bit kernel, as the runtime sets
 * them, and the TLS slots the cases' fs_base/gs_base go to (GDT entries
 * 12 and 13, as set_thread_area gives them). */
#define USER_CS 0x23
#define USER_DS 0x2b
#define TLS_SEL(i) ((uint16_t)(((TLS_ENTRY_MIN + (i)) << 3) | 3))
#define GS_TLS 0
#define FS_TLS 1

#define MAX_UNITS 100000
/* Seconds a case may run: units chained in a loop never come back to the
 * dispatcher, so the unit count alone can't stop them. */
#define MAX_SECONDS 10

static struct insn_case_set set;
/* R386_INSN_INTERP: cases whose every block ran in the interpreter
 * (counted in the forked test processes: reported through a pipe). */
static bool use_interp;
static int interp_pipe[2];

/* Code is read from executable guest memory, but a read starting before
 * the end of the case's code stops there and none starts at it: a unit
 * then ends exactly at the end and the run stops with eip there. */
struct code_src {
    struct guest_mem *mem;
    guest_addr_t end;
};

static size_t code_read(void *ctx, guest_addr_t pc, uint8_t *buf, size_t max)
{
    const struct code_src *cs = ctx;
    if (pc <= cs->end && max > cs->end - pc)
        max = cs->end - pc;
    size_t n = 0;
    while (n < max) {
        guest_addr_t a = pc + (guest_addr_t)n;
        if ((uint64_t)pc + n >= GUEST_SPACE_SIZE ||
            !guest_mem_access_ok(cs->mem, a, 1, GUEST_PROT_EXEC))
            break;
        size_t in_page = GUEST_PAGE_SIZE - (a & (GUEST_PAGE_SIZE - 1));
        size_t take = max - n < in_page ? max - n : in_page;
        memcpy(buf + n, g2h(cs->mem, a), take);
        n += take;
    }
    return n;
}

/* A host fault in translated code (a case touching unmapped memory), or
 * the case's time running out. */
static sigjmp_buf fault_jb;
static volatile uintptr_t fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    fault_addr = (uintptr_t)si->si_addr;
    siglongjmp(fault_jb, sig);
}

/* Mismatches of one case, collected into one failure message. */
struct report {
    char text[4096];
    size_t len;
    int count;
};

static void mismatch(struct report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (r->len < sizeof(r->text)) {
        int n = vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt,
                          ap);
        if (n > 0)
            r->len += (size_t)n;
    }
    va_end(ap);
    r->count++;
}

static void map_area(struct guest_mem *m, guest_addr_t a, uint32_t size)
{
    ck_assert_int_eq(guest_mem_map(m, a, size,
                                   GUEST_PROT_READ | GUEST_PROT_WRITE, -1, 0,
                                   0), 0);
}

static void set_tls(struct guest_thread *t, int slot, int seg, uint32_t base)
{
    t->tls[slot] = (struct tls_desc){base, 0xfffff, 0x51, true};
    t->cpu.seg_sel[seg] = TLS_SEL(slot);
    t->cpu.seg_base[seg] = base;
}

static void thread_setup(const struct insn_case *c, struct guest_thread *t,
                         const struct guest_mem *m)
{
    memset(t, 0, sizeof(*t));
    for (int r = 0; r < REG_COUNT; r++)
        t->cpu.gpr[r] = insn_case_input(c, (enum case_field)(CF_EAX + r));
    t->cpu.eip = CASE_CODE_BASE;
    static const enum case_field flag_field[FLAG_COUNT] = {
        [FLAG_CF] = CF_CF, [FLAG_PF] = CF_PF, [FLAG_AF] = CF_AF,
        [FLAG_ZF] = CF_ZF, [FLAG_SF] = CF_SF, [FLAG_OF] = CF_OF,
    };
    for (int f = 0; f < FLAG_COUNT; f++) {
        uint32_t v = insn_case_input(c, flag_field[f]);
        t->cpu.flag[f] = f == FLAG_PF ? cpu_pf_source(v != 0) : (uint8_t)v;
    }
    t->cpu.df = (uint8_t)insn_case_input(c, CF_DF);
    t->cpu.eflags_other = EFLAGS_IF | EFLAGS_FIXED1;
    t->cpu.seg_sel[SEG_CS] = USER_CS;
    t->cpu.seg_sel[SEG_DS] = t->cpu.seg_sel[SEG_ES] =
        t->cpu.seg_sel[SEG_SS] = USER_DS;
    if (c->in_set & (1u << CF_GS_BASE))
        set_tls(t, GS_TLS, SEG_GS, c->in[CF_GS_BASE]);
    if (c->in_set & (1u << CF_FS_BASE))
        set_tls(t, FS_TLS, SEG_FS, c->in[CF_FS_BASE]);
    t->cpu.mem_base = (uint64_t)(uintptr_t)m->base;
    cpu_fpu_init(&t->cpu);
    /* The guest's x87 exception flags live in the host's x87 (see
     * lifter/x87.c): none left over from an earlier case. */
    __asm__ volatile("fnclex");
}

static enum case_exit exit_of(uint32_t kind)
{
    switch (kind) {
    case CPU_EXIT_JUMP: return CASE_EXIT_NONE;
    case CPU_EXIT_SYSCALL: return CASE_EXIT_SYSCALL;
    case CPU_EXIT_SIGILL: return CASE_EXIT_SIGILL;
    case CPU_EXIT_DIVIDE: return CASE_EXIT_DIVIDE;
    case CPU_EXIT_INT3: return CASE_EXIT_INT3;
    case CPU_EXIT_PRIV: return CASE_EXIT_PRIV;
    case CPU_EXIT_INTO: return CASE_EXIT_INTO;
    case CPU_EXIT_BOUND: return CASE_EXIT_BOUND;
    case CPU_EXIT_FETCH: return CASE_EXIT_FETCH;
    default: return CASE_EXIT_COUNT;
    }
}

static uint32_t field_value(const struct cpu_state *s, enum case_field f)
{
    switch (f) {
    case CF_CF: return s->flag[FLAG_CF];
    case CF_PF: return (uint32_t)cpu_pf(s);
    case CF_AF: return s->flag[FLAG_AF];
    case CF_ZF: return s->flag[FLAG_ZF];
    case CF_SF: return s->flag[FLAG_SF];
    case CF_OF: return s->flag[FLAG_OF];
    case CF_DF: return s->df;
    case CF_EIP: return s->eip;
    default: return s->gpr[f - CF_EAX];
    }
}

static void compare(const struct insn_case *c, const struct cpu_state *s,
                    uint32_t kind, const struct guest_mem *m,
                    struct report *r)
{
    enum case_exit got = exit_of(kind);
    if (got != c->exit)
        mismatch(r, " exit: expected %s, got %s (kind %u);",
                 insn_case_exit_name(c->exit), insn_case_exit_name(got),
                 kind);
    for (int f = 0; f < CF_COUNT; f++) {
        uint32_t want;
        if (!insn_case_expect(c, (enum case_field)f, &want))
            continue;
        uint32_t v = field_value(s, (enum case_field)f);
        if (v != want)
            mismatch(r, " %s: expected 0x%x, got 0x%x;",
                     insn_case_field_name((enum case_field)f), want, v);
    }
    for (size_t i = 0; i < c->noutmem; i++) {
        const struct case_bytes *o = &c->outmem[i];
        const uint8_t *p = g2h(m, o->addr);
        for (size_t j = 0; j < o->len; j++)
            if (p[j] != o->bytes[j])
                mismatch(r, " mem 0x%08zx: expected %02x, got %02x;",
                         o->addr + j, o->bytes[j], p[j]);
    }
}

START_TEST(run_case)
{
    const struct insn_case *c = &set.cases[_i];
    char where[256];
    snprintf(where, sizeof(where), "%s:%d [%s]", c->file, c->line, c->name);
    ck_assert_msg(!c->error[0], "%s: %s", where, c->error);

    struct guest_mem mem;
    ck_assert_int_eq(guest_mem_init(&mem), 0);
    map_area(&mem, CASE_CODE_BASE, CASE_CODE_SIZE);
    map_area(&mem, CASE_DATA_BASE, CASE_DATA_SIZE);
    map_area(&mem, CASE_STACK_BASE, CASE_STACK_SIZE);
    ck_assert_int_eq(guest_mem_copy_to(&mem, CASE_CODE_BASE, c->code,
                                       c->code_len), 0);
    for (size_t i = 0; i < c->nmem; i++)
        ck_assert_int_eq(guest_mem_copy_to(&mem, c->mem[i].addr,
                                           c->mem[i].bytes, c->mem[i].len),
                         0);
    ck_assert_int_eq(guest_mem_protect(&mem, CASE_CODE_BASE, CASE_CODE_SIZE,
                                       GUEST_PROT_READ | GUEST_PROT_EXEC),
                     0);

    static struct guest_thread t; /* static: survives the siglongjmp */
    thread_setup(c, &t, &mem);
    struct code_src src = {&mem, CASE_CODE_BASE + (guest_addr_t)c->code_len};
    struct jit_config cfg = {
        .helpers = runtime_helpers,
        .nhelpers = runtime_helper_count,
        .code = {&src, code_read},
        .verify = true,
    };
    char err[512];
    struct jit *j = jit_create(&cfg, err, sizeof(err));
    ck_assert_msg(j != NULL, "%s: jit_create: %s", where, err);
    if (getenv("R386_INSN_OPTIMISE")) /* as --aot and the optimising tier */
        jit_set_optimise(j);

    struct sigaction sa, old_segv, old_bus, old_alrm;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    sigaction(SIGALRM, &sa, &old_alrm);
    alarm(MAX_SECONDS);
    static volatile uint32_t kind;
    static volatile int units, interpreted;
    kind = CPU_EXIT_JUMP;
    units = interpreted = 0;
    static struct interp *it;
    it = use_interp ? interp_create(~0u, code_read, NULL, &src,
                                        &runtime_interp_calls) : NULL;
    int sig = sigsetjmp(fault_jb, 1);
    if (!sig) {
        for (;;) {
            if (t.cpu.eip == src.end)
                break;
            ck_assert_msg(++units <= MAX_UNITS,
                          "%s: still running after %d units (eip 0x%08x)",
                          where, MAX_UNITS, t.cpu.eip);
            if (it) {
                int r = interp_block(it, &t.cpu);
                if (r != INTERP_CANNOT) {
                    interpreted++;
                    kind = (uint32_t)r;
                    if (kind != CPU_EXIT_JUMP)
                        break;
                    continue;
                }
            }
            cpu_unit_fn fn = jit_lookup(j, t.cpu.eip, err, sizeof(err));
            ck_assert_msg(fn != NULL, "%s: jit_lookup(0x%08x): %s", where,
                          t.cpu.eip, err);
            kind = cpu_run_chain(fn, &t.cpu);
            if (kind != CPU_EXIT_JUMP)
                break;
        }
    }
    alarm(0);
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    sigaction(SIGALRM, &old_alrm, NULL);
    ck_assert_msg(sig != SIGALRM, "%s: still running after %d s (eip 0x%08x "
                  "when last seen)", where, MAX_SECONDS, t.cpu.eip);
    if (sig) {
        guest_addr_t ga = 0;
        bool in = h2g(&mem, (void *)fault_addr, &ga);
        ck_abort_msg("%s: host fault (signal %d) at %s 0x%08lx in the unit "
                     "at 0x%08x", where, sig, in ? "guest" : "host",
                     in ? (unsigned long)ga : (unsigned long)fault_addr,
                     t.cpu.eip);
    }

    if (it && interpreted == units) {
        char one = 1;
        ck_assert_int_eq(write(interp_pipe[1], &one, 1), 1);
    }
    interp_destroy(it);
    struct report r = {.len = 0};
    compare(c, &t.cpu, kind, &mem, &r);
    jit_destroy(j);
    guest_mem_fini(&mem);
    ck_assert_msg(r.count == 0, "%s:%s", where, r.text);
}
END_TEST

static const char *cases_dir(int argc, char **argv)
{
    if (argc > 1)
        return argv[1];
    const char *env = getenv("R386_INSN_DIR");
    if (env && *env)
        return env;
    return R386_TEST_SOURCE_DIR "/insn";
}

/* Per-file pass counts, so the files other classes are still working on
 * read apart from the rest. */
static void print_summary(SRunner *sr)
{
    int n = srunner_ntests_run(sr);
    TestResult **res = srunner_results(sr);
    for (size_t fi = 0; fi < set.nfiles; fi++) {
        int run = 0, passed = 0;
        for (int i = 0; i < n; i++) {
            if (strcmp(tr_tcname(res[i]), set.files[fi]) != 0)
                continue;
            run++;
            passed += tr_rtype(res[i]) == CK_PASS;
        }
        printf("test_insn: %-16s %4d/%-4d passed%s\n", set.files[fi], passed,
               run, passed == run ? "" : "  <-- FAILURES");
    }
    free(res);
}

int main(int argc, char **argv)
{
    const char *dir = cases_dir(argc, argv);
    char err[512];
    if (insn_cases_load(dir, &set, err, sizeof(err)) != 0) {
        fprintf(stderr, "test_insn: %s\n", err);
        return 1;
    }
    if (set.count == 0) {
        fprintf(stderr, "test_insn: no cases in %s\n", dir);
        return 1;
    }
    Suite *s = suite_create("insn");
    size_t first = 0;
    for (size_t fi = 0; fi < set.nfiles; fi++) {
        size_t end = first;
        while (end < set.count && set.cases[end].file == set.files[fi])
            end++;
        if (end > first) {
            TCase *tc = tcase_create(set.files[fi]);
            tcase_set_timeout(tc, 60);
            tcase_add_loop_test(tc, run_case, (int)first, (int)end);
            suite_add_tcase(s, tc);
        }
        first = end;
    }
    use_interp = getenv("R386_INSN_INTERP") != NULL;
    if (use_interp && pipe(interp_pipe) != 0) {
        perror("pipe");
        return 1;
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    print_summary(sr);
    int failed = srunner_ntests_failed(sr);
    if (use_interp) {
        /* Not vacuous: most integer cases must have run there. */
        close(interp_pipe[1]);
        char buf[4096];
        ssize_t got;
        long n = 0;
        while ((got = read(interp_pipe[0], buf, sizeof(buf))) > 0)
            n += got;
        printf("test_insn: %ld cases ran wholly in the interpreter\n", n);
        if (n < 650)
            failed++;
    }
    srunner_free(sr);
    insn_cases_free(&set);
    return failed ? 1 : 0;
}
