/* /proc/self from the guest's view (runtime/sys_file.c sys_proc_open):
 * cmdline is the guest's argv, auxv holds i386 pairs, maps lists the
 * guest's mappings.  Prints only address-independent facts. */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>

#include "syscheck.h"

static char buf[1 << 16];

static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    long n = 0, r;
    while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
        n += r;
    close(fd);
    buf[n] = 0;
    return n;
}

static void cmdline(const char *path)
{
    long n = slurp(path);
    printf("%s:", path[6] == 's' ? "cmdline(self)" : "cmdline(pid)");
    for (long i = 0; i < n; i += (long)strlen(buf + i) + 1) {
        const char *a = buf + i;
        if (i == 0) {
            const char *s = strrchr(a, '/');
            a = s ? s + 1 : a;
        }
        printf(" [%s]", a);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    char path[64];
    (void)argc;
    cmdline("/proc/self/cmdline");
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)getpid());
    cmdline(path);

    long n = slurp("/proc/self/auxv");
    uint32_t *v = (uint32_t *)buf;
    int pagesz = 0, entry = 0, phdr = 0, null_last = 0;
    for (long i = 0; i + 8 <= n; i += 8) {
        uint32_t type = v[i / 4], val = v[i / 4 + 1];
        if (type == AT_PAGESZ)
            pagesz = val == 4096;
        if (type == AT_ENTRY)
            entry = val == (uint32_t)getauxval(AT_ENTRY);
        if (type == AT_PHDR)
            phdr = val == (uint32_t)getauxval(AT_PHDR);
        if (i + 8 == n)
            null_last = type == AT_NULL && val == 0;
    }
    printf("auxv: pairs %d pagesz %d entry %d phdr %d null_last %d\n",
           n % 8 == 0 && n >= 16, pagesz, entry, phdr, null_last);

    n = slurp("/proc/self/maps");
    const char *prog = strrchr(argv[0], '/');
    prog = prog ? prog + 1 : argv[0];
    int stack = 0, text = 0, heap_or_data = 0, main_in = 0, lines = 0;
    uintptr_t mainaddr = (uintptr_t)&main, here = (uintptr_t)&n;
    int here_in = 0;
    for (char *l = buf; *l;) {
        char *e = strchr(l, '\n');
        if (!e)
            break;
        *e = 0;
        unsigned lo, hi;
        char perms[5];
        lines++;
        if (sscanf(l, "%x-%x %4s", &lo, &hi, perms) == 3) {
            const char *name = strlen(l) > 73 ? l + 73 : "";
            const char *base = strrchr(name, '/');
            base = base ? base + 1 : name;
            if (strcmp(name, "[stack]") == 0 && here >= lo && here < hi)
                stack = 1;
            if (strcmp(perms, "r-xp") == 0 && strcmp(base, prog) == 0 &&
                mainaddr >= lo && mainaddr < hi)
                text = 1;
            if (strcmp(perms, "rw-p") == 0)
                heap_or_data = 1;
            if (mainaddr >= lo && mainaddr < hi)
                main_in = perms[2] == 'x';
            if (here >= lo && here < hi)
                here_in = perms[0] == 'r' && perms[1] == 'w';
        }
        l = e + 1;
    }
    printf("maps: lines %d stack %d text %d rw %d main_x %d stack_rw %d\n",
           lines > 2, stack, text, heap_or_data, main_in, here_in);
    /* Writing is refused. */
    CHECK("open maps O_WRONLY", open("/proc/self/maps", O_WRONLY));
    return 0;
}
