/* The optimising tier's predictions of indirect branches and its cold
 * blocks (lifter/predict.c), at the lifter: the first tier's notes of
 * where an indirect jmp went (lifter_ibtc_find) and the interpreter's run
 * counts (lifter_code_source.runs) in, the unit's lifter_unit.pred out. */
#include <check.h>
#include <llvm-c/Core.h>
#include <string.h>

#include "lifter.h"
#include "test_util.h"

/* Guest code: `jmp *%eax` at SITE, `ret` at each target, a conditional
 * branch at BRANCH to FALL and TAKEN. */
#define SITE 0x1000u
#define BRANCH 0x1100u
#define FALL 0x1102u
#define TAKEN 0x1180u
static const guest_addr_t targets[] = {0x2000, 0x3000, 0x4000};
static unsigned runs_taken; /* the interpreter's count at TAKEN */

static size_t code_read(void *ctx, guest_addr_t pc, uint8_t *buf, size_t max)
{
    (void)ctx;
    if (pc < 0x1000 || pc >= 0x7000 || max == 0)
        return 0;
    memset(buf, 0xc3, max); /* ret */
    if (pc == SITE && max >= 2) {
        buf[0] = 0xff; /* jmp *%eax */
        buf[1] = 0xe0;
    }
    if (pc == BRANCH && max >= 2) {
        buf[0] = 0x74; /* je TAKEN */
        buf[1] = (uint8_t)(TAKEN - FALL);
    }
    return max;
}

static unsigned code_runs(void *ctx, guest_addr_t pc)
{
    (void)ctx;
    return pc == TAKEN ? runs_taken : 100;
}

static const struct lifter_code_source code = {NULL, code_read, NULL,
                                               code_runs};

/* The first tier's note: the jmp at SITE went to target, n times. */
static void note(guest_addr_t target, int n)
{
    static const struct lifter_ibtc_entry none = {~0ull, 0, 0};
    const struct lifter_ibtc_entry *table[2] = {&none, &none};
    for (int i = 0; i < n; i++)
        lifter_ibtc_find(table, 1, target, SITE);
}

/* Lift the unit at pc as the optimising tier does (replaying p[0..n)
 * when p is not NULL). */
static void lift(guest_addr_t pc, const struct lifter_pred *p, unsigned n,
                 struct lifter_unit *u)
{
    struct lifter *l = lifter_create();
    ck_assert_ptr_nonnull(l);
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef m = LLVMModuleCreateWithNameInContext("t", ctx);
    struct lifter_env env = {.chain = true, .ibtc = true, .ibtc_mask = 1,
                             .tail_calls = true, .predict = true,
                             .replay = p, .nreplay = n};
    ck_assert_int_eq(lifter_lift_unit(l, m, "u", pc, &code, &env, u), 0);
    LLVMDisposeModule(m);
    LLVMContextDispose(ctx);
    lifter_destroy(l);
}

static unsigned predicted(const struct lifter_unit *u, guest_addr_t *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < u->npred; i++)
        if (u->pred[i].site == SITE && u->pred[i].target)
            out[n++] = u->pred[i].target;
    return n;
}

/* A target that settled after a change (a lazily bound PLT slot: the
 * resolver's stub, then the function) is tested for; lifted again with
 * the unit's predictions (a line table), the same, whatever the notes say
 * by then. */
START_TEST(settled_predicted)
{
    note(targets[0], 1);
    note(targets[1], 30);
    struct lifter_unit u;
    lift(SITE, NULL, 0, &u);
    guest_addr_t t[8];
    ck_assert_uint_eq(predicted(&u, t), 1);
    ck_assert_uint_eq(t[0], targets[1]);
    note(targets[2], 5);
    struct lifter_unit again;
    lift(SITE, u.pred, u.npred, &again);
    ck_assert_uint_eq(predicted(&again, t), 1);
    ck_assert_uint_eq(t[0], targets[1]);
}
END_TEST

/* A target that keeps changing (a switch's jump table): none. */
START_TEST(changing_none)
{
    for (int k = 0; k < 10; k++)
        note(targets[k % 3], 1);
    struct lifter_unit u;
    lift(SITE, NULL, 0, &u);
    guest_addr_t t[8];
    ck_assert_uint_eq(predicted(&u, t), 0);
}
END_TEST

/* A branch target with no interpreter runs is a cold exit (recorded with
 * target 0), one that ran is a region block; replayed as recorded. */
START_TEST(cold_side)
{
    struct lifter_unit u;
    runs_taken = 0;
    lift(BRANCH, NULL, 0, &u);
    ck_assert_uint_eq(u.npred, 1);
    ck_assert_uint_eq(u.pred[0].site, TAKEN);
    ck_assert_uint_eq(u.pred[0].target, 0);
    unsigned cold_insns = u.insns;
    runs_taken = 5;
    struct lifter_unit hot;
    lift(BRANCH, NULL, 0, &hot);
    ck_assert_uint_eq(hot.npred, 0);
    ck_assert_uint_gt(hot.insns, cold_insns); /* TAKEN's ret lifted too */
    struct lifter_unit again;
    lift(BRANCH, u.pred, u.npred, &again);
    ck_assert_uint_eq(again.npred, 1);
    ck_assert_uint_eq(again.insns, cold_insns);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("predict");
    TCase *tc = tcase_create("predict");
    tcase_add_test(tc, settled_predicted);
    tcase_add_test(tc, changing_none);
    tcase_add_test(tc, cold_side);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
