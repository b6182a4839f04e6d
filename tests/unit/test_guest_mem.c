/* The guest window: mapping, protections, reservations, checked copies. */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"
#include "test_util.h"

static struct guest_mem mem;

static void setup(void)
{
    ck_assert_int_eq(guest_mem_init(&mem), 0);
}

static void teardown(void)
{
    guest_mem_fini(&mem);
}

START_TEST(window)
{
    ck_assert_ptr_nonnull(mem.base);
    ck_assert_uint_ge(mem.window_size, GUEST_SPACE_SIZE);
    guest_addr_t g;
    ck_assert(h2g(&mem, mem.base + 0x1234, &g));
    ck_assert_uint_eq(g, 0x1234);
    ck_assert(!h2g(&mem, mem.base - 1, &g));
    ck_assert(!h2g(&mem, mem.base + GUEST_SPACE_SIZE, &g));
    /* Nothing is accessible until mapped; the low 64 KiB is reserved. */
    ck_assert(!guest_mem_access_ok(&mem, 0x08048000, 1, GUEST_PROT_READ));
    ck_assert_int_eq(guest_mem_map(&mem, 0, 4096, GUEST_PROT_READ, -1, 0,
                                   0), -EEXIST);
}
END_TEST

/* The guards beside the window: a folded displacement that wrapped lands
 * there, and the address it meant is the host offset modulo 4 GiB. */
START_TEST(guards)
{
    guest_addr_t g = 0;
    bool wrapped = false;
    ck_assert(h2g_reserved(&mem, mem.base - 4, &g, &wrapped));
    ck_assert(wrapped);
    ck_assert_uint_eq(g, 0xfffffffc);
    ck_assert(h2g_reserved(&mem, mem.base - GUEST_DISP_FOLD_MAX, &g, &wrapped));
    ck_assert(wrapped);
    ck_assert_uint_eq(g, (guest_addr_t)-GUEST_DISP_FOLD_MAX);
    ck_assert(h2g_reserved(&mem, mem.base + GUEST_SPACE_SIZE + 8, &g, &wrapped));
    ck_assert(wrapped);
    ck_assert_uint_eq(g, 8);
    ck_assert(h2g_reserved(&mem, mem.base + GUEST_SPACE_SIZE +
                                     GUEST_DISP_FOLD_MAX + 15,
                           &g, &wrapped));
    ck_assert(wrapped);
    /* The window itself is not a guard, and what lies past them is not
     * r386's. */
    ck_assert(h2g_reserved(&mem, mem.base, &g, &wrapped));
    ck_assert(!wrapped);
    ck_assert_uint_eq(g, 0);
    ck_assert(h2g_reserved(&mem, mem.base + GUEST_SPACE_SIZE - 1, &g,
                           &wrapped));
    ck_assert(!wrapped);
    ck_assert_uint_eq(g, 0xffffffff);
    ck_assert(!h2g_reserved(&mem, mem.base - GUEST_GUARD_BELOW - 1, &g,
                            &wrapped));
    ck_assert(!h2g_reserved(&mem, mem.base + GUEST_SPACE_SIZE +
                                      GUEST_GUARD_ABOVE,
                            &g, &wrapped));
    /* They are part of the reservation (msync fails on unmapped ranges),
     * so nothing else of the host's can be there. */
    ck_assert_uint_eq(mem.window_size, GUEST_GUARD_BELOW + GUEST_SPACE_SIZE +
                                           GUEST_GUARD_ABOVE);
    ck_assert_int_eq(msync(mem.base - GUEST_GUARD_BELOW, 4096, MS_ASYNC), 0);
    ck_assert_int_eq(msync(mem.base + GUEST_SPACE_SIZE + GUEST_GUARD_ABOVE -
                               4096,
                           4096, MS_ASYNC),
                     0);
}
END_TEST

START_TEST(map_copy)
{
    ck_assert_int_eq(guest_mem_map(&mem, 0x10000000, 8192,
                                   GUEST_PROT_READ | GUEST_PROT_WRITE, -1, 0,
                                   0), 0);
    const char msg[] = "crossing a page";
    ck_assert_int_eq(guest_mem_copy_to(&mem, 0x10000ff8, msg, sizeof(msg)), 0);
    char back[sizeof(msg)];
    ck_assert_int_eq(guest_mem_copy_from(&mem, back, 0x10000ff8, sizeof(msg)),
                     0);
    ck_assert_str_eq(back, msg);
    ck_assert_int_eq(guest_mem_strnlen(&mem, 0x10000ff8, 100),
                     (long)strlen(msg));
    ck_assert_int_eq(guest_mem_strnlen(&mem, 0x10000ff8, 3), -ENAMETOOLONG);
    /* Past the end of the mapping: EFAULT, never a host fault. */
    ck_assert_int_eq(guest_mem_copy_to(&mem, 0x10001ffc, msg, 8), -EFAULT);
    ck_assert_int_eq(guest_mem_copy_from(&mem, back, 0x0fffffff, 2), -EFAULT);
    ck_assert_int_eq(guest_mem_copy_from(&mem, back, 0xffffffff, 2), -EFAULT);
    char fill[4096];
    memset(fill, 'x', sizeof(fill));
    ck_assert_int_eq(guest_mem_copy_to(&mem, 0x10001000, fill, 4096), 0);
    ck_assert_int_eq(guest_mem_strnlen(&mem, 0x10001000, 1 << 20), -EFAULT);
}
END_TEST

START_TEST(protect)
{
    ck_assert_int_eq(guest_mem_map(&mem, 0x20000000, 4096,
                                   GUEST_PROT_READ | GUEST_PROT_WRITE, -1, 0,
                                   0), 0);
    ck_assert_int_eq(guest_mem_protect(&mem, 0x20000000, 4096,
                                       GUEST_PROT_READ), 0);
    int v = 1;
    ck_assert_int_eq(guest_mem_copy_to(&mem, 0x20000000, &v, 4), -EFAULT);
    ck_assert_int_eq(guest_mem_copy_from(&mem, &v, 0x20000000, 4), 0);
    /* Execute-only pages are readable, as on x86. */
    ck_assert_int_eq(guest_mem_protect(&mem, 0x20000000, 4096,
                                       GUEST_PROT_EXEC), 0);
    ck_assert(guest_mem_access_ok(&mem, 0x20000000, 4, GUEST_PROT_READ));
    /* mprotect of an unmapped range fails like Linux's. */
    ck_assert_int_eq(guest_mem_protect(&mem, 0x20000000, 8192,
                                       GUEST_PROT_READ), -ENOMEM);
    ck_assert_int_eq(guest_mem_unmap(&mem, 0x20000000, 4096), 0);
    ck_assert(!guest_mem_access_ok(&mem, 0x20000000, 4, GUEST_PROT_READ));
    ck_assert_int_eq(guest_mem_map(&mem, 0x20000001, 4096, GUEST_PROT_READ,
                                   -1, 0, 0), -EINVAL);
}
END_TEST

START_TEST(find_free)
{
    guest_addr_t a;
    ck_assert_int_eq(guest_mem_find_free(&mem, 3 * 4096, 0x40000000, &a), 0);
    ck_assert_uint_eq(a, 0x40000000 - 3 * 4096);
    ck_assert_int_eq(guest_mem_map(&mem, a, 3 * 4096, GUEST_PROT_READ, -1, 0,
                                   0), 0);
    ck_assert(!guest_mem_is_free(&mem, a, 4096));
    guest_addr_t b;
    ck_assert_int_eq(guest_mem_find_free(&mem, 4096, 0x40000000, &b), 0);
    ck_assert_uint_eq(b, a - 4096);
    /* Reserved pages are skipped too. */
    guest_mem_reserve(&mem, b - 4096, 4096);
    ck_assert_int_eq(guest_mem_find_free(&mem, 4096, b, &b), 0);
    ck_assert_uint_eq(b, a - 3 * 4096);
    ck_assert_int_eq(guest_mem_find_free(&mem, 0x20000, 0x10000, &b),
                     -ENOMEM);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("guest_mem");
    TCase *tc = tcase_create("window");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, window);
    tcase_add_test(tc, guards);
    tcase_add_test(tc, map_copy);
    tcase_add_test(tc, protect);
    tcase_add_test(tc, find_free);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
