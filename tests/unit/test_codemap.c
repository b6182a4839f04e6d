/* The file-mapping registry: ranges listed with their file and offset,
 * trimmed, split and removed as later mappings cover them. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "codemap.h"
#include "test_util.h"

static struct codemap *cm;
static int fd;
static char path[512];

static void setup(void)
{
    cm = codemap_create();
    ck_assert_ptr_nonnull(cm);
    snprintf(path, sizeof(path), "%s/lib.so", test_tmpdir());
    write_file(path, "0123456789abcdef", 16, 0644);
    fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
}

static void teardown(void)
{
    close(fd);
    codemap_destroy(cm);
}

static void expect(guest_addr_t a, guest_addr_t start, uint64_t end,
                   uint64_t offset)
{
    struct codemap_entry e;
    ck_assert_msg(codemap_lookup(cm, a, &e), "0x%x not listed", a);
    ck_assert_uint_eq(e.start, start);
    ck_assert_uint_eq(e.end, end);
    ck_assert_uint_eq(e.offset, offset);
    ck_assert_str_eq(e.path, path);
    ck_assert_uint_eq(e.size, 16);
}

static void expect_none(guest_addr_t a)
{
    struct codemap_entry e;
    ck_assert_msg(!codemap_lookup(cm, a, &e), "0x%x listed", a);
}

START_TEST(file_mapping_listed)
{
    codemap_mapped(cm, 0x10000, 0x4000, fd, 0x2000);
    expect(0x10000, 0x10000, 0x14000, 0x2000);
    expect(0x13fff, 0x10000, 0x14000, 0x2000);
    expect_none(0x14000);
    expect_none(0xffff);
}
END_TEST

START_TEST(anonymous_not_listed)
{
    codemap_mapped(cm, 0x10000, 0x4000, -1, 0);
    expect_none(0x10000);
    codemap_mapped(cm, 0x20000, 0x1000, 12345, 0); /* not a descriptor */
    expect_none(0x20000);
}
END_TEST

START_TEST(hole_splits_mapping)
{
    codemap_mapped(cm, 0x10000, 0x4000, fd, 0);
    codemap_mapped(cm, 0x11000, 0x1000, -1, 0); /* munmap of a middle page */
    expect(0x10000, 0x10000, 0x11000, 0);
    expect_none(0x11000);
    expect(0x12000, 0x12000, 0x14000, 0x2000);
}
END_TEST

START_TEST(overlap_trims_and_replaces)
{
    /* ld.so: one mapping of the whole file, then segments over it. */
    codemap_mapped(cm, 0x10000, 0x5000, fd, 0);
    codemap_mapped(cm, 0x11000, 0x2000, fd, 0x1000);
    codemap_mapped(cm, 0x13000, 0x3000, -1, 0); /* bss over the tail */
    expect(0x10000, 0x10000, 0x11000, 0);
    expect(0x12000, 0x11000, 0x13000, 0x1000);
    expect_none(0x13000);
    expect_none(0x15000);
}
END_TEST

/* A lookup remembers its answer (codemap_lookup): a change, or another
 * codemap, must not get it back. */
START_TEST(no_stale_answer)
{
    codemap_mapped(cm, 0x10000, 0x4000, fd, 0);
    expect(0x12000, 0x10000, 0x14000, 0);
    codemap_mapped(cm, 0x12000, 0x1000, -1, 0);
    expect_none(0x12000);
    expect(0x11000, 0x10000, 0x12000, 0);
    struct codemap *other = codemap_create();
    struct codemap_entry e;
    ck_assert(!codemap_lookup(other, 0x11000, &e));
    codemap_destroy(other);
}
END_TEST

static void count(void *ctx, const struct codemap_entry *e)
{
    (void)e;
    ++*(int *)ctx;
}

START_TEST(foreach_in_order)
{
    codemap_mapped(cm, 0x30000, 0x1000, fd, 0);
    codemap_mapped(cm, 0x10000, 0x1000, fd, 0);
    codemap_mapped(cm, 0x20000, 0x1000, fd, 0);
    int n = 0;
    codemap_foreach(cm, count, &n);
    ck_assert_int_eq(n, 3);
    codemap_mapped(cm, 0x0, 0x40000, -1, 0);
    n = 0;
    codemap_foreach(cm, count, &n);
    ck_assert_int_eq(n, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("codemap");
    TCase *tc = tcase_create("codemap");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, file_mapping_listed);
    tcase_add_test(tc, anonymous_not_listed);
    tcase_add_test(tc, hole_splits_mapping);
    tcase_add_test(tc, overlap_trims_and_replaces);
    tcase_add_test(tc, foreach_in_order);
    tcase_add_test(tc, no_stale_answer);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
