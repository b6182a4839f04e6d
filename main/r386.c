/* r386: the command line.
 *
 *   r386 [options] PROGRAM [ARG...]
 *
 * Options follow qemu-user where they overlap and stop at the first
 * argument that is not an option (the program). */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "jit.h"
#include "runtime.h"

#ifndef R386_VERSION
#define R386_VERSION "unknown"
#endif

extern char **environ;

/* Exit statuses for r386's own failures, as a shell reports them. */
enum {
    EXIT_LOAD_ERROR = 1,
    EXIT_USAGE = 2,
    EXIT_NOT_EXECUTABLE = 126,
    EXIT_NOT_FOUND = 127,
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: r386 [options] PROGRAM [ARG...]\n"
            "Run a 32-bit x86 (i386) Linux program on this x86-64 host.\n"
            "\n"
            "  -L DIR          look up absolute guest paths (the dynamic\n"
            "                  linker, #! interpreters) under DIR first\n"
            "                  (also env R386_LD_PREFIX)\n"
            "  -E VAR=VALUE    set VAR in the guest's environment\n"
            "  -U VAR          remove VAR from the guest's environment\n"
            "  -0 ARGV0        the guest's argv[0] (default: PROGRAM)\n"
            "  --strace        log the guest's system calls on stderr\n"
            "  --debug         note unknown instructions, verify generated IR\n"
            "  --dump-ir[=PC]  print the IR of each unit compiled (after the\n"
            "                  passes), or of the unit at guest address PC\n"
            "  --dump-asm[=PC] the same with the host code generated for it\n"
            "                  (units from the cache are not compiled: add\n"
            "                  --no-cache to see them all)\n"
            "  --stats         print translation statistics at exit\n"
            "  --perf-map      name translated code in /tmp/perf-PID.map (perf)\n"
            "  --profile=FILE  sample the guest (1 kHz) and write a report of\n"
            "                  its hot functions and blocks to FILE at exit\n"
            "  --profile-folded=FILE  the guest's call stacks, collapsed\n"
            "  --profile-svg=FILE     the same as an SVG flame graph\n"
            "  --cache-dir DIR keep translations in DIR across runs (default:\n"
            "                  $R386_CACHE_DIR, else $XDG_CACHE_HOME/r386,\n"
            "                  else ~/.cache/r386)\n"
            "  --no-cache      do not use the persistent translation cache\n"
            "  --cache-max SIZE  its size limit (K, M or G; default 1G)\n"
            "  --aot           translate PROGRAM and the libraries it loads\n"
            "                  into the cache, optimised, and exit\n"
            "  --cache-stats   describe the cache directory and exit\n"
            "  --cache-clear   empty the cache directory and exit\n"
            "  --dump-image    load PROGRAM, print its image and auxiliary\n"
            "                  vector, and exit without running it\n"
            "  -h, --help      this text\n"
            "  --version       r386's version\n");
}

struct options {
    const char *sysroot;
    const char *argv0;
    bool strace;
    bool debug;
    bool dump_ir, dump_asm, dump_pc_set;
    uint32_t dump_pc;
    bool stats;
    bool perf_map;
    bool dump_image;
    const char *profile, *profile_folded, *profile_svg;
    const char *cache_dir;
    bool no_cache;
    unsigned long long cache_max;
    bool cache_stats, cache_clear;
    bool aot;
    int prog_index; /* argv index of PROGRAM */
};

/* SIZE: a number of bytes, with an optional K, M or G (powers of 1024). */
static bool parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return false;
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (*end || v == 0 || v > (~0ULL >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* --cache-stats, --cache-clear: act on the cache directory. */
static int cache_command(const struct options *o)
{
    const char *dir = o->cache_dir ? o->cache_dir : jit_cache_default_dir();
    if (!dir) {
        fprintf(stderr, "r386: no cache directory (set HOME or use "
                        "--cache-dir)\n");
        return EXIT_USAGE;
    }
    char err[512];
    int rc = o->cache_clear ? jit_cache_dir_clear(dir, err, sizeof(err))
                            : jit_cache_dir_stats(dir, stdout, err,
                                                  sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "r386: %s\n", err);
        return EXIT_LOAD_ERROR;
    }
    if (o->cache_clear && o->cache_stats)
        jit_cache_dir_stats(dir, stdout, err, sizeof(err));
    return 0;
}

/* A guest address in hex (0x optional). */
static bool parse_pc(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 16);
    if (!*s || *end || errno || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int die_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "r386: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see r386 --help)\n");
    return EXIT_USAGE;
}

/* --profile=FILE, --profile-folded=FILE, --profile-svg=FILE. */
static bool profile_option(const char *a, struct options *o)
{
    static const struct {
        const char *prefix;
        size_t off;
    } opts[] = {
        {"--profile=", offsetof(struct options, profile)},
        {"--profile-folded=", offsetof(struct options, profile_folded)},
        {"--profile-svg=", offsetof(struct options, profile_svg)},
    };
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        size_t n = strlen(opts[i].prefix);
        if (strncmp(a, opts[i].prefix, n) == 0 && a[n]) {
            *(const char **)((char *)o + opts[i].off) = a + n;
            return true;
        }
    }
    return false;
}

/* Returns -1 to go on, else an exit status. */
static int parse_options(int argc, char **argv, struct options *o,
                         struct env_list *env)
{
    o->sysroot = getenv("R386_LD_PREFIX");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            printf("r386 %s\n", R386_VERSION);
            return 0;
        }
        if (strcmp(a, "--strace") == 0 || strcmp(a, "-strace") == 0) {
            o->strace = true;
            continue;
        }
        if (strcmp(a, "--debug") == 0) {
            o->debug = true;
            continue;
        }
        if (strcmp(a, "--perf-map") == 0) {
            o->perf_map = true;
            continue;
        }
        if (profile_option(a, o))
            continue;
        if (strncmp(a, "--profile", 9) == 0)
            return die_usage("%s: expected --profile=FILE, "
                             "--profile-folded=FILE or --profile-svg=FILE", a);
        if (strcmp(a, "--stats") == 0) {
            o->stats = true;
            continue;
        }
        if (strncmp(a, "--dump-ir", 9) == 0 ||
            strncmp(a, "--dump-asm", 10) == 0) {
            bool asm_ = a[7] == 'a';
            const char *v = a + (asm_ ? 10 : 9);
            if (*v && (*v != '=' || !parse_pc(v + 1, &o->dump_pc)))
                return die_usage("%s: expected --dump-ir[=PC] or "
                                 "--dump-asm[=PC], PC in hex", a);
            o->dump_pc_set |= *v == '=';
            if (asm_)
                o->dump_asm = true;
            else
                o->dump_ir = true;
            continue;
        }
        if (strcmp(a, "--dump-image") == 0) {
            o->dump_image = true;
            continue;
        }
        if (strcmp(a, "--aot") == 0) {
            o->aot = true;
            continue;
        }
        if (strcmp(a, "--no-cache") == 0) {
            o->no_cache = true;
            continue;
        }
        if (strcmp(a, "--cache-stats") == 0 ||
            strcmp(a, "--cache-clear") == 0) {
            *(a[8] == 's' ? &o->cache_stats : &o->cache_clear) = true;
            continue;
        }
        bool takes_value = strcmp(a, "-L") == 0 || strcmp(a, "-E") == 0 ||
                           strcmp(a, "-U") == 0 || strcmp(a, "-0") == 0 ||
                           strcmp(a, "--cache-dir") == 0 ||
                           strcmp(a, "--cache-max") == 0;
        if (!takes_value)
            return die_usage("unknown option %s", a);
        if (i + 1 >= argc)
            return die_usage("option %s needs a value", a);
        const char *v = argv[++i];
        if (strcmp(a, "--cache-dir") == 0) {
            if (!*v)
                return die_usage("%s", "--cache-dir needs a directory");
            o->cache_dir = v;
        } else if (strcmp(a, "--cache-max") == 0) {
            if (!parse_size(v, &o->cache_max))
                return die_usage("--cache-max %s: expected a size such as "
                                 "512M or 2G", v);
        } else if (a[1] == 'L') {
            o->sysroot = v;
        } else if (a[1] == '0') {
            o->argv0 = v;
        } else if (a[1] == 'E') {
            int rc = env_set(env, v);
            if (rc == -EINVAL)
                return die_usage("-E %s: expected VAR=VALUE", v);
            if (rc < 0)
                return die_usage("%s: out of memory", v);
        } else {
            env_unset(env, v);
        }
    }
    if (o->cache_stats || o->cache_clear)
        return cache_command(o);
    if (i >= argc)
        return die_usage("%s", "no program given");
    if (o->sysroot && *o->sysroot) {
        struct stat st;
        if (stat(o->sysroot, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "r386: sysroot %s is not a directory\n",
                    o->sysroot);
            return EXIT_USAGE;
        }
    } else {
        o->sysroot = NULL;
    }
    o->prog_index = i;
    return -1;
}

static int exit_status_for_load_error(int rc)
{
    if (rc == -ENOENT || rc == -ENOTDIR)
        return EXIT_NOT_FOUND;
    if (rc == -EACCES)
        return EXIT_NOT_EXECUTABLE;
    return EXIT_LOAD_ERROR;
}

/* End r386 the way the guest ended: by its exit status, or by the signal
 * that killed it (so a shell sees 128+N). */
static int finish(int status)
{
    if (status >= 0)
        return status & 0xff;
    runtime_die_by_signal(-status);
}

/* r386's own messages (errors, --strace, --stats, --profile's report)
 * go to a copy of stderr the guest does not write through: programs close
 * their stderr before they exit (xz does, to check for write errors),
 * and --stats' lines went with it.  High (the guest's first descriptors
 * stay free) and close-on-exec (an exec'd r386 makes its own). */
static void keep_stderr(void)
{
    int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 1000);
    if (fd < 0)
        fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 100);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return;
    }
    setvbuf(f, NULL, _IONBF, 0);
    stderr = f;
}

int main(int argc, char **argv)
{
    /* glibc returns the top of its heap to the kernel once 128 KiB are
     * free there; LLVM's compiles free and allocate again right after, so
     * the heap shrank and grew (and page-faulted) all the time: never
     * trimming made a cold Lua run 15% faster at no cost to a short one
     * (docs/PERFORMANCE.md, session 7).  (With mimalloc, which is faster
     * still, glibc's malloc serves nothing.) */
#ifndef R386_MIMALLOC
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
    struct env_list env;
    if (env_init(&env, environ) < 0) {
        fprintf(stderr, "r386: out of memory\n");
        return EXIT_LOAD_ERROR;
    }
    struct options o = {0};
    int status = parse_options(argc, argv, &o, &env);
    if (status >= 0) {
        env_free(&env);
        return status;
    }

    keep_stderr();
    struct runtime_config cfg = {
        .sysroot = o.sysroot,
        .argc = argc - o.prog_index,
        .argv = argv + o.prog_index,
        .argv0 = o.argv0,
        .envp = env.vars,
        .strace = o.strace,
        .debug = o.debug,
        .dump_ir = o.dump_ir,
        .dump_asm = o.dump_asm,
        .dump_pc_set = o.dump_pc_set,
        .dump_pc = o.dump_pc,
        .stats = o.stats,
        .perf_map = o.perf_map,
        .profile = o.profile,
        .profile_folded = o.profile_folded,
        .profile_svg = o.profile_svg,
        .cache_dir = o.no_cache ? NULL
                     : o.cache_dir ? o.cache_dir : jit_cache_default_dir(),
        .cache_max = o.cache_max,
    };
    struct runtime *rt;
    char err[512];
    int rc = runtime_create(&cfg, &rt, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "r386: %s\n", err);
        env_free(&env);
        return exit_status_for_load_error(rc);
    }
    if (o.dump_image) {
        runtime_dump_image(rt, stdout);
        status = 0;
    } else if (o.aot) {
        status = runtime_aot(rt);
    } else {
        status = runtime_run(rt);
    }
    runtime_destroy(rt);
    env_free(&env);
    return finish(status);
}
