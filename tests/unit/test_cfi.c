/* loader/cfi.c against binutils: for every row of every FDE that
 * `readelf --debug-dump=frames-interp` prints for Debian's i386 libc,
 * ld.so and liblua and a static guest program, the rules elf_symbols_cfi
 * gives at the row's first address and at the last address before the
 * next row are the ones readelf shows (CFA, return address and the
 * callee-saved registers).  readelf is the reference: another reader of
 * the same DWARF, not r386. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "test_util.h"

static const char *const reg_name[ELF_CFI_REGS] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "ra"};

static int reg_index(const char *name)
{
    for (int i = 0; i < ELF_CFI_REGS; i++)
        if (strcmp(reg_name[i], name) == 0)
            return i;
    if (strcmp(name, "eip") == 0)
        return ELF_CFI_RA;
    return -1;
}

/* Our rule as readelf writes it ("u" for both unchanged and undefined:
 * readelf does not tell them apart either). */
static void rule_text(const struct elf_cfi_rule *r, bool cfa, char *buf,
                      size_t n)
{
    switch (r->how) {
    case ELF_CFI_SAME:
    case ELF_CFI_UNDEFINED: snprintf(buf, n, "u"); break;
    case ELF_CFI_AT: snprintf(buf, n, "c%+d", r->off); break;
    case ELF_CFI_VAL: snprintf(buf, n, "v%+d", r->off); break;
    case ELF_CFI_REG: /* readelf: "r1 (ecx)", the name dropped below */
        if (cfa)
            snprintf(buf, n, "%s%+d", r->reg < ELF_CFI_REGS ?
                     reg_name[r->reg] : "?", r->off);
        else
            snprintf(buf, n, "r%u", r->reg);
        break;
    case ELF_CFI_AT_EXPR: snprintf(buf, n, "exp"); break;
    case ELF_CFI_VAL_EXPR: snprintf(buf, n, "%s", cfa ? "exp" : "vexp");
        break;
    default: snprintf(buf, n, "?"); break;
    }
}

struct row {
    unsigned long loc;
    char col[12][24];
};

/* Compares our rules at addr with readelf's row r (columns named in
 * cols); returns the number of differences, printing the first few. */
static unsigned check_row(const struct elf_symbols *s, unsigned long addr,
                          const struct row *r, char cols[12][8],
                          unsigned ncols, unsigned *shown)
{
    struct elf_cfi_row row;
    if (!elf_symbols_cfi(s, (uint32_t)addr, &row)) {
        if ((*shown)++ < 5)
            fprintf(stderr, "%#lx: no row (readelf: CFA %s)\n", addr,
                    r->col[0]);
        return 1;
    }
    unsigned bad = 0;
    for (unsigned c = 0; c < ncols; c++) {
        char ours[32];
        if (c == 0) {
            rule_text(&row.cfa, true, ours, sizeof(ours));
        } else {
            int i = reg_index(cols[c]);
            if (i < 0)
                continue; /* a register not followed (fpu, eflags...) */
            rule_text(&row.reg[i], false, ours, sizeof(ours));
        }
        if (strcmp(ours, r->col[c]) != 0) {
            if ((*shown)++ < 5)
                fprintf(stderr, "%#lx %s: ours %s, readelf %s\n", addr,
                        c ? cols[c] : "CFA", ours, r->col[c]);
            bad++;
        }
    }
    return bad;
}

/* Every row readelf shows for path; returns rows checked. */
static unsigned check_file(const char *path, unsigned *bad)
{
    char err[256];
    struct elf_symbols *s = elf_symbols_load(path, err, sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "readelf --debug-dump=frames-interp --wide '%s' 2>/dev/null",
             path);
    FILE *f = popen(cmd, "r");
    ck_assert(f != NULL);
    char line[1024];
    char cols[12][8];
    unsigned ncols = 0, checked = 0, shown = 0;
    struct row prev;
    bool have_prev = false;
    unsigned long fde_end = 0;
    bool in_fde = false;
    while (fgets(line, sizeof(line), f)) {
        unsigned long a, b;
        char *p;
        if ((p = strstr(line, " FDE ")) && (p = strstr(p, "pc=")) &&
            sscanf(p, "pc=%lx..%lx", &a, &b) == 2) {
            if (have_prev && fde_end > prev.loc) /* the last row's end */
                *bad += check_row(s, fde_end - 1, &prev, cols, ncols,
                                  &shown);
            have_prev = false;
            fde_end = b;
            ncols = 0;
            in_fde = true;
            continue;
        }
        if (strstr(line, " CIE") || strstr(line, "ZERO terminator")) {
            if (have_prev && fde_end > prev.loc)
                *bad += check_row(s, fde_end - 1, &prev, cols, ncols,
                                  &shown);
            have_prev = false;
            fde_end = 0;
            ncols = 0; /* the CIE's own rows are no FDE's */
            in_fde = false;
            continue;
        }
        if (strncmp(line, "   LOC", 6) == 0 && in_fde) {
            char *save = NULL;
            ncols = 0;
            strtok_r(line, " \n", &save); /* LOC */
            for (char *t; (t = strtok_r(NULL, " \n", &save)) && ncols < 12;)
                snprintf(cols[ncols++], sizeof(cols[0]), "%s", t);
            continue;
        }
        struct row r;
        char *save = NULL;
        char *t = strtok_r(line, " \n", &save);
        if (!ncols || !t || strlen(t) != 8 ||
            sscanf(t, "%lx", &r.loc) != 1)
            continue;
        unsigned c = 0;
        while (c < ncols && (t = strtok_r(NULL, " \n", &save)))
            if (t[0] != '(')
                snprintf(r.col[c++], sizeof(r.col[0]), "%s", t);
        if (c != ncols || r.loc >= fde_end)
            continue; /* (readelf shows an advance to the very end) */
        if (have_prev && r.loc > prev.loc) /* the previous row's end */
            *bad += check_row(s, r.loc - 1, &prev, cols, ncols, &shown);
        *bad += check_row(s, r.loc, &r, cols, ncols, &shown);
        checked++;
        prev = r;
        have_prev = true;
    }
    if (have_prev && fde_end > prev.loc)
        *bad += check_row(s, fde_end - 1, &prev, cols, ncols, &shown);
    pclose(f);
    elf_symbols_free(s);
    return checked;
}

static void check_one(const char *path, unsigned min_rows)
{
    unsigned bad = 0;
    unsigned rows = check_file(path, &bad);
    ck_assert_msg(rows >= min_rows, "%s: only %u rows from readelf", path,
                  rows);
    ck_assert_msg(bad == 0, "%s: %u rules differ from readelf's", path, bad);
}

START_TEST(libc)
{
    check_one(R386_TEST_SYSROOT "/lib/i386-linux-gnu/libc.so.6", 10000);
}
END_TEST

START_TEST(ld_so)
{
    check_one(R386_TEST_SYSROOT "/lib/ld-linux.so.2", 1000);
}
END_TEST

START_TEST(liblua)
{
    check_one(R386_TEST_SYSROOT
              "/usr/lib/i386-linux-gnu/liblua5.4.so.0.0.0", 1000);
}
END_TEST

START_TEST(static_program)
{
    check_one(guest_path("prof_shares"), 1000);
}
END_TEST

/* A missing .eh_frame, or an address outside every FDE: no row. */
START_TEST(no_row)
{
    char err[256];
    struct elf_symbols *s = elf_symbols_load(guest_path("prof_shares"), err,
                                             sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    struct elf_cfi_row row;
    ck_assert(!elf_symbols_cfi(s, 0, &row));
    ck_assert(!elf_symbols_cfi(s, 0xfffffff0u, &row));
    elf_symbols_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cfi");
    TCase *tc = tcase_create("readelf");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, libc);
    tcase_add_test(tc, ld_so);
    tcase_add_test(tc, liblua);
    tcase_add_test(tc, static_program);
    tcase_add_test(tc, no_row);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
