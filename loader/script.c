/* #! scripts, parsed as Linux's binfmt_script does: the interpreter is the
 * first word after "#!", and everything after it on the line (trimmed) is
 * one optional argument. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

/* Linux reads this much of the file (BINPRM_BUF_SIZE). */
#define SCRIPT_LINE_MAX 256

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int script_parse(const char *buf, size_t len, const char *name, char **interp,
                 char **arg, char *err, size_t errlen)
{
    *interp = NULL;
    *arg = NULL;
    if (len < 2 || buf[0] != '#' || buf[1] != '!')
        return loader_fail(err, errlen, name, -ENOEXEC, "not a #! script");
    if (len > SCRIPT_LINE_MAX)
        len = SCRIPT_LINE_MAX;
    const char *end = memchr(buf, '\n', len);
    if (!end) {
        /* Linux accepts a truncated line only if the interpreter name
         * itself ended inside the buffer; keep it simple and strict. */
        if (len == SCRIPT_LINE_MAX)
            return loader_fail(err, errlen, name, -ENOEXEC,
                               "#! line longer than %d bytes",
                               SCRIPT_LINE_MAX);
        end = buf + len;
    }
    const char *p = buf + 2;
    while (p < end && is_blank(*p))
        p++;
    const char *q = p;
    while (q < end && !is_blank(*q) && *q != '\0')
        q++;
    if (q == p)
        return loader_fail(err, errlen, name, -ENOEXEC,
                           "#! line names no interpreter");
    const char *a = q;
    while (a < end && is_blank(*a))
        a++;
    const char *ae = end;
    while (ae > a && (is_blank(ae[-1]) || ae[-1] == '\0'))
        ae--;

    *interp = strndup(p, (size_t)(q - p));
    if (ae > a)
        *arg = strndup(a, (size_t)(ae - a));
    if (!*interp || (ae > a && !*arg)) {
        free(*interp);
        free(*arg);
        *interp = *arg = NULL;
        return loader_fail(err, errlen, name, -ENOMEM, "out of memory");
    }
    return 0;
}
