/* Reading the *.cases files (format in insn_case.h). */
#include "insn_case.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[CF_COUNT] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
    "cf", "pf", "af", "zf", "sf", "of", "df",
    "fs_base", "gs_base", "eip",
};

static const char *const exit_names[CASE_EXIT_COUNT] = {
    "none", "sigill", "divide", "int3", "priv", "into", "bound", "syscall",
    "fetch",
};

const char *insn_case_field_name(enum case_field f)
{
    return f < CF_COUNT ? field_names[f] : "?";
}

const char *insn_case_exit_name(enum case_exit e)
{
    return e < CASE_EXIT_COUNT ? exit_names[e] : "?";
}

static bool is_flag(enum case_field f)
{
    return f >= CF_FIRST_FLAG && f <= CF_LAST_FLAG;
}

uint32_t insn_case_input(const struct insn_case *c, enum case_field f)
{
    if (c->in_set & (1u << f))
        return c->in[f];
    return f == CF_ESP ? CASE_ESP_DEFAULT : 0;
}

bool insn_case_expect(const struct insn_case *c, enum case_field f,
                      uint32_t *value)
{
    if (c->out_set & (1u << f)) {
        *value = c->out[f];
        return true;
    }
    if (f <= CF_EDI) {
        *value = insn_case_input(c, f);
        return true;
    }
    if (f == CF_EIP && c->exit == CASE_EXIT_NONE) {
        *value = CASE_CODE_BASE + (uint32_t)c->code_len;
        return true;
    }
    return false;
}

/* ---- parsing ---- */

static void set_error(struct insn_case *c, int line, const char *fmt, ...)
{
    if (c->error[0])
        return; /* the first error is the one worth reading */
    int n = snprintf(c->error, sizeof(c->error), "line %d: ", line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error + n, sizeof(c->error) - (size_t)n, fmt, ap);
    va_end(ap);
}

static char *skip_space(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

static void trim_end(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
}

/* A number: 0x hex, decimal, or negative decimal (taken mod 2^32). */
static bool parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 0);
    if (end == s || *end || errno || x < -2147483648LL || x > 0xffffffffLL)
        return false;
    *v = (uint32_t)x;
    return true;
}

/* Hex bytes "01 d8 ff" (whitespace-separated pairs) appended to buf. */
static bool parse_hex(char *s, uint8_t *buf, size_t max, size_t *len)
{
    for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (strlen(tok) != 2 || !isxdigit((unsigned char)tok[0]) ||
            !isxdigit((unsigned char)tok[1]) || *len >= max)
            return false;
        buf[(*len)++] = (uint8_t)strtoul(tok, NULL, 16);
    }
    return true;
}

static bool field_of(const char *name, enum case_field *f)
{
    for (int i = 0; i < CF_COUNT; i++)
        if (!strcmp(name, field_names[i])) {
            *f = (enum case_field)i;
            return true;
        }
    return false;
}

/* "eax=1 cf=0 ..." into vals/set. */
static void parse_assignments(struct insn_case *c, int line, char *s,
                              uint32_t *vals, uint32_t *set, bool is_out)
{
    for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
        char *eq = strchr(tok, '=');
        enum case_field f;
        uint32_t v;
        if (!eq) {
            set_error(c, line, "expected name=value, got '%s'", tok);
            return;
        }
        *eq = 0;
        if (!field_of(tok, &f)) {
            set_error(c, line, "unknown register or flag '%s'", tok);
            return;
        }
        if (!parse_u32(eq + 1, &v)) {
            set_error(c, line, "bad value '%s' for %s", eq + 1, tok);
            return;
        }
        if (is_flag(f) && v > 1) {
            set_error(c, line, "flag %s must be 0 or 1", tok);
            return;
        }
        if (f == CF_EIP && !is_out) {
            set_error(c, line, "eip is not an input (code starts at "
                      "0x%08x)", CASE_CODE_BASE);
            return;
        }
        if ((f == CF_FS_BASE || f == CF_GS_BASE) && is_out) {
            set_error(c, line, "%s is not checked after the run", tok);
            return;
        }
        vals[f] = v;
        *set |= 1u << f;
    }
}

static bool in_area(uint32_t addr, size_t len)
{
    static const uint32_t areas[][2] = {
        {CASE_CODE_BASE, CASE_CODE_SIZE},
        {CASE_DATA_BASE, CASE_DATA_SIZE},
        {CASE_STACK_BASE, CASE_STACK_SIZE},
    };
    for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
        if (addr >= areas[i][0] &&
            (uint64_t)addr + len <= (uint64_t)areas[i][0] + areas[i][1])
            return true;
    return false;
}

/* "0x00500000: 01 02" appended to *list. */
static void parse_mem(struct insn_case *c, int line, char *s,
                      struct case_bytes **list, size_t *n)
{
    char *colon = strchr(s, ':');
    uint8_t buf[CASE_CODE_SIZE];
    size_t len = 0;
    uint32_t addr;
    if (!colon) {
        set_error(c, line, "expected ADDRESS: BYTES");
        return;
    }
    *colon = 0;
    trim_end(s);
    if (!parse_u32(skip_space(s), &addr) ||
        !parse_hex(colon + 1, buf, sizeof(buf), &len) || len == 0) {
        set_error(c, line, "expected ADDRESS: hex bytes");
        return;
    }
    if (!in_area(addr, len)) {
        set_error(c, line, "0x%08x+%zu is outside the case's memory", addr,
                  len);
        return;
    }
    struct case_bytes *l = realloc(*list, (*n + 1) * sizeof(**list));
    uint8_t *copy = malloc(len);
    if (!l || !copy) {
        free(copy);
        if (l)
            *list = l;
        set_error(c, line, "out of memory");
        return;
    }
    memcpy(copy, buf, len);
    *list = l;
    l[*n] = (struct case_bytes){addr, len, copy};
    (*n)++;
}

static void parse_line(struct insn_case *c, int line, char *key, char *val)
{
    if (!strcmp(key, "code")) {
        if (!parse_hex(val, c->code, sizeof(c->code), &c->code_len))
            set_error(c, line, "bad code bytes (hex pairs, at most %u)",
                      CASE_CODE_MAX);
    } else if (!strcmp(key, "in")) {
        parse_assignments(c, line, val, c->in, &c->in_set, false);
    } else if (!strcmp(key, "out")) {
        parse_assignments(c, line, val, c->out, &c->out_set, true);
    } else if (!strcmp(key, "mem")) {
        parse_mem(c, line, val, &c->mem, &c->nmem);
    } else if (!strcmp(key, "outmem")) {
        parse_mem(c, line, val, &c->outmem, &c->noutmem);
    } else if (!strcmp(key, "exit")) {
        for (int e = 0; e < CASE_EXIT_COUNT; e++)
            if (!strcmp(val, exit_names[e])) {
                c->exit = (enum case_exit)e;
                return;
            }
        set_error(c, line, "unknown exit '%s'", val);
    } else if (!strcmp(key, "qemu")) {
        if (strncmp(val, "skip", 4) != 0) {
            set_error(c, line, "expected 'qemu: skip REASON'");
            return;
        }
        c->qemu_skip = true;
        snprintf(c->skip_reason, sizeof(c->skip_reason), "%s",
                 skip_space(val + 4));
    } else {
        set_error(c, line, "unknown key '%s'", key);
    }
}

static struct insn_case *add_case(struct insn_case_set *set, const char *file,
                                  int line)
{
    if (set->count == set->capacity) {
        size_t cap = set->capacity ? 2 * set->capacity : 256;
        struct insn_case *l = realloc(set->cases, cap * sizeof(*l));
        if (!l)
            return NULL;
        set->cases = l;
        set->capacity = cap;
    }
    struct insn_case *c = &set->cases[set->count++];
    memset(c, 0, sizeof(*c));
    c->file = file;
    c->line = line;
    return c;
}

static int load_file(struct insn_case_set *set, const char *dir,
                     const char *file, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char buf[8192];
    int line = 0;
    size_t first = set->count;
    struct insn_case *c = NULL;
    while (fgets(buf, sizeof(buf), f)) {
        line++;
        char *s = skip_space(buf);
        if (*s == '[') {
            /* Names may hold '[', ']' and '#': the name ends at the first
             * ']' followed by nothing but a comment. */
            char *close = strchr(s, ']');
            while (close && *skip_space(close + 1) &&
                   *skip_space(close + 1) != '#')
                close = strchr(close + 1, ']');
            c = add_case(set, file, line);
            if (!c)
                break;
            if (!close) {
                set_error(c, line, "expected [case name]");
                continue;
            }
            *close = 0;
            snprintf(c->name, sizeof(c->name), "%s", s + 1);
            continue;
        }
        char *hash = strchr(s, '#');
        if (hash)
            *hash = 0;
        trim_end(s);
        if (!*s)
            continue;
        if (!c) {
            /* Text before the first case: report it as a case. */
            c = add_case(set, file, line);
            if (!c)
                break;
            snprintf(c->name, sizeof(c->name), "(before the first case)");
            set_error(c, line, "expected [case name] first");
            continue;
        }
        char *colon = strchr(s, ':');
        if (!colon) {
            set_error(c, line, "expected KEY: VALUE");
            continue;
        }
        *colon = 0;
        trim_end(s);
        parse_line(c, line, s, skip_space(colon + 1));
    }
    bool bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "cannot read %s (or out of memory)", path);
        return -1;
    }
    for (size_t i = first; i < set->count; i++)
        if (!set->cases[i].code_len && !set->cases[i].error[0])
            set_error(&set->cases[i], set->cases[i].line, "no code: line");
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int insn_cases_load(const char *dir, struct insn_case_set *set, char *err,
                    size_t errlen)
{
    memset(set, 0, sizeof(*set));
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= 6 || strcmp(e->d_name + n - 6, ".cases") != 0 ||
            e->d_name[0] == '.')
            continue;
        char **l = realloc(set->files, (set->nfiles + 1) * sizeof(*l));
        if (!l || !(l[set->nfiles] = strdup(e->d_name))) {
            if (l)
                set->files = l;
            closedir(d);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        set->files = l;
        set->nfiles++;
    }
    closedir(d);
    qsort(set->files, set->nfiles, sizeof(*set->files), cmp_names);
    for (size_t i = 0; i < set->nfiles; i++)
        if (load_file(set, dir, set->files[i], err, errlen) != 0)
            return -1;
    return 0;
}

void insn_cases_free(struct insn_case_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        struct insn_case *c = &set->cases[i];
        for (size_t j = 0; j < c->nmem; j++)
            free(c->mem[j].bytes);
        for (size_t j = 0; j < c->noutmem; j++)
            free(c->outmem[j].bytes);
        free(c->mem);
        free(c->outmem);
    }
    free(set->cases);
    for (size_t i = 0; i < set->nfiles; i++)
        free(set->files[i]);
    free(set->files);
    memset(set, 0, sizeof(*set));
}
