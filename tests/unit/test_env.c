/* The guest environment and the -E/-U edits. */
#include <check.h>
#include <errno.h>

#include "env.h"
#include "test_util.h"

START_TEST(edits)
{
    char *host[] = {"A=1", "B=2", "NOEQUALS", "C=3", NULL};
    struct env_list env;
    ck_assert_int_eq(env_init(&env, host), 0);
    ck_assert_int_eq(env.count, 3);
    ck_assert_int_eq(env_set(&env, "B=two=2"), 0);
    ck_assert_int_eq(env_set(&env, "D="), 0);
    ck_assert_int_eq(env_set(&env, "novalue"), -EINVAL);
    ck_assert_int_eq(env_set(&env, "=x"), -EINVAL);
    env_unset(&env, "A");
    env_unset(&env, "MISSING");
    env_unset(&env, "C=3"); /* a name, not an assignment: no match */
    ck_assert_int_eq(env.count, 3);
    ck_assert_str_eq(env.vars[0], "B=two=2");
    ck_assert_str_eq(env.vars[1], "C=3");
    ck_assert_str_eq(env.vars[2], "D=");
    ck_assert_ptr_null(env.vars[3]);
    env_free(&env);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("env");
    TCase *tc = tcase_create("env");
    tcase_add_test(tc, edits);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
