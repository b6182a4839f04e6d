/* The initial stack: layout, alignment and auxiliary vector, read back from
 * guest memory the way a guest's _start reads it. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "loader.h"
#include "r386/cpuid.h"
#include "stack.h"
#include "test_util.h"

static struct guest_mem mem;
static struct image_info info;
static const uint8_t rnd[16] = {1, 2, 3, 4, 5, 6, 7, 8,
                                9, 10, 11, 12, 13, 14, 15, 16};
static const struct stack_ids ids = {1000, 1001, 2000, 2001};

static void setup(void)
{
    ck_assert_int_eq(guest_mem_init(&mem), 0);
    memset(&info, 0, sizeof(info));
    info.entry = 0x08049000;
    info.phdr = 0x08048034;
    info.phent = 32;
    info.phnum = 9;
    info.exec_name = "/usr/bin/prog";
}

static void teardown(void)
{
    guest_mem_fini(&mem);
}

static uint32_t word(guest_addr_t a)
{
    uint32_t v;
    ck_assert_int_eq(guest_mem_copy_from(&mem, &v, a, 4), 0);
    return v;
}

static const char *str(guest_addr_t a)
{
    ck_assert_int_ge(guest_mem_strnlen(&mem, a, 1 << 20), 0);
    return g2h(&mem, a);
}

/* Walk the stack as a guest does: argc, argv, envp, auxv.  Returns the
 * address of the auxv. */
static guest_addr_t walk(int argc, char *const argv[], char *const envp[])
{
    guest_addr_t sp = info.start_stack;
    ck_assert_uint_eq(sp & 15, 0);
    ck_assert_uint_eq(word(sp), (uint32_t)argc);
    guest_addr_t p = sp + 4;
    for (int i = 0; i < argc; i++, p += 4) {
        guest_addr_t s = word(p);
        ck_assert_str_eq(str(s), argv[i]);
        ck_assert(s >= info.arg_start && s < info.arg_end);
    }
    ck_assert_uint_eq(word(p), 0);
    p += 4;
    for (int i = 0; envp[i]; i++, p += 4) {
        guest_addr_t s = word(p);
        ck_assert_str_eq(str(s), envp[i]);
        ck_assert(s >= info.env_start && s < info.env_end);
    }
    ck_assert_uint_eq(word(p), 0);
    return p + 4;
}

static uint32_t auxv_lookup(guest_addr_t auxv, uint32_t type, int *found)
{
    for (guest_addr_t p = auxv;; p += 8) {
        uint32_t t = word(p);
        if (t == type) {
            *found = 1;
            return word(p + 4);
        }
        if (t == AUXV_AT_NULL)
            break;
    }
    *found = 0;
    return 0;
}

static uint32_t aux(guest_addr_t auxv, uint32_t type)
{
    int found;
    uint32_t v = auxv_lookup(auxv, type, &found);
    ck_assert_msg(found, "auxv type %u missing", type);
    return v;
}

START_TEST(layout)
{
    char *argv[] = {"prog", "first arg", "", "x", NULL};
    char *envp[] = {"HOME=/root", "EMPTY=", "PATH=/bin:/usr/bin", NULL};
    ck_assert_int_eq(stack_build(&mem, &info, argv, envp, rnd, &ids), 0);
    guest_addr_t auxv = walk(4, argv, envp);

    /* Strings, from the top: end marker, execfn, env, args. */
    ck_assert_uint_eq(word(GUEST_STACK_TOP - 4), 0);
    ck_assert_uint_eq(info.execfn + strlen("/usr/bin/prog") + 1,
                      GUEST_STACK_TOP - 4);
    ck_assert_uint_eq(info.env_end, info.execfn);
    ck_assert_uint_eq(info.arg_end, info.env_start);
    ck_assert_uint_eq(info.arg_end - info.arg_start,
                      strlen("prog") + strlen("first arg") + strlen("x") + 4);
    ck_assert_uint_lt(info.start_stack, info.random);
    ck_assert_uint_lt(info.random, info.platform);
    ck_assert_uint_lt(info.platform, info.arg_start);

    /* The auxiliary vector. */
    ck_assert_uint_eq(aux(auxv, AUXV_AT_PHDR), 0x08048034);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_PHENT), 32);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_PHNUM), 9);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_PAGESZ), 4096);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_BASE), 0);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_FLAGS), 0);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_ENTRY), 0x08049000);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_UID), 1000);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_EUID), 1001);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_GID), 2000);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_EGID), 2001);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_HWCAP), R386_HWCAP);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_CLKTCK), 100);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_SECURE), 0);
    ck_assert_str_eq(str(aux(auxv, AUXV_AT_PLATFORM)), "i686");
    ck_assert_str_eq(str(aux(auxv, AUXV_AT_EXECFN)), "/usr/bin/prog");
    guest_addr_t r = aux(auxv, AUXV_AT_RANDOM);
    uint8_t got[16];
    ck_assert_int_eq(guest_mem_copy_from(&mem, got, r, 16), 0);
    ck_assert_mem_eq(got, rnd, 16);
    /* AT_NULL ends it, and what the stack holds matches info.auxv. */
    ck_assert_uint_eq(info.auxv[info.auxv_count - 1].type, AUXV_AT_NULL);
    for (uint32_t i = 0; i < info.auxv_count; i++) {
        ck_assert_uint_eq(word(auxv + 8 * i), info.auxv[i].type);
        ck_assert_uint_eq(word(auxv + 8 * i + 4), info.auxv[i].value);
    }
    /* No vDSO is offered. */
    int found;
    auxv_lookup(auxv, 33 /* AT_SYSINFO_EHDR */, &found);
    ck_assert(!found);
}
END_TEST

START_TEST(interp_base)
{
    info.has_interp = true;
    info.interp_base = 0xf7fc9000;
    char *argv[] = {"p", NULL};
    char *envp[] = {NULL};
    ck_assert_int_eq(stack_build(&mem, &info, argv, envp, rnd, &ids), 0);
    guest_addr_t auxv = walk(1, argv, envp);
    ck_assert_uint_eq(aux(auxv, AUXV_AT_BASE), 0xf7fc9000);
}
END_TEST

/* The final stack pointer is 16-byte aligned whatever the string sizes. */
START_TEST(alignment)
{
    char arg[40];
    for (int len = 0; len < 20; len++) {
        for (int n = 0; n < 5; n++) {
            guest_mem_fini(&mem);
            setup();
            memset(arg, 'a', (size_t)len);
            arg[len] = '\0';
            char *argv[] = {"p", arg, arg, arg, arg, NULL};
            argv[1 + n] = NULL;
            char *envp[] = {arg, NULL};
            ck_assert_int_eq(stack_build(&mem, &info, argv, envp, rnd, &ids),
                             0);
            walk(1 + n, argv, envp);
        }
    }
}
END_TEST

START_TEST(no_arguments)
{
    char *argv[] = {NULL};
    char *envp[] = {NULL};
    ck_assert_int_eq(stack_build(&mem, &info, argv, envp, rnd, &ids), 0);
    walk(0, argv, envp);
    ck_assert_uint_eq(info.arg_start, info.arg_end);
}
END_TEST

START_TEST(too_big)
{
    size_t len = STACK_MAX_ARG_BYTES;
    char *big = malloc(len + 1);
    memset(big, 'b', len);
    big[len] = '\0';
    char *argv[] = {"p", big, NULL};
    char *envp[] = {NULL};
    ck_assert_int_eq(stack_build(&mem, &info, argv, envp, rnd, &ids), -E2BIG);
    free(big);
}
END_TEST

/* The stack region is mapped read/write, not executable by default. */
START_TEST(protections)
{
    char *argv[] = {"p", NULL};
    char *envp[] = {NULL};
    ck_assert_int_eq(stack_build(&mem, &info, argv, envp, rnd, &ids), 0);
    uint8_t f = guest_mem_page_flags(&mem, GUEST_STACK_TOP - 1);
    ck_assert_int_eq(f & PAGE_PROT_MASK, GUEST_PROT_READ | GUEST_PROT_WRITE);
    ck_assert(guest_mem_access_ok(&mem, info.stack_limit, GUEST_STACK_SIZE,
                                  GUEST_PROT_WRITE));
    ck_assert(!guest_mem_access_ok(&mem, info.stack_limit - 1, 1,
                                   GUEST_PROT_READ));
    ck_assert(!guest_mem_access_ok(&mem, GUEST_STACK_TOP, 1,
                                   GUEST_PROT_READ));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stack");
    TCase *tc = tcase_create("build");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, layout);
    tcase_add_test(tc, interp_base);
    tcase_add_test(tc, alignment);
    tcase_add_test(tc, no_arguments);
    tcase_add_test(tc, too_big);
    tcase_add_test(tc, protections);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
