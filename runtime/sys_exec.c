/* Process creation: fork, vfork, clone without CLONE_VM, execve, wait4,
 * waitpid, kill.
 *
 * A guest fork is a fork of the whole r386 process: the child carries on
 * from the same guest state with EAX = 0.  execve of an i386 program (or
 * of a #! script whose interpreter is one) starts r386 again on it with
 * the same options; any other program is executed natively.
 *
 * Deviations: vfork is a fork (the parent does not wait for the child's
 * exec).  clone with CLONE_THREAD creates a thread (sys_thread.c). */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "sys_path.h"
#include "syscall.h"

/* Linux clone flags used here (same values on i386 and x86-64). */
#define CL_VM 0x00000100u
#define CL_VFORK 0x00004000u
#define CL_THREAD 0x00010000u
#define CL_PARENT_SETTID 0x00100000u
#define CL_CHILD_CLEARTID 0x00200000u
#define CL_CHILD_SETTID 0x01000000u
#define CL_SIGNAL_MASK 0xffu

/* Bounds on what execve copies out of the guest. */
#define EXEC_MAX_ARGS 65536
#define EXEC_MAX_BYTES (2u << 20)

static long do_fork(struct guest_thread *t, uint32_t flags, guest_addr_t sp,
                    guest_addr_t ptid, guest_addr_t ctid)
{
    /* Deviation: the child's exit signal is always SIGCHLD. */
    fflush(NULL);
    /* Host signals wait until the child has forgotten the parent's pending
     * ones (a signal sent to the child at once must not be lost), and no
     * other thread is inside the JIT while the address space is copied. */
    sigset_t old;
    signal_host_block(&old);
    jit_fork_prepare(t->rt->jit);
    pid_t pid = fork();
    int e = errno;
    if (pid != 0) {
        jit_fork_parent(t->rt->jit);
        signal_host_restore(&old);
    }
    if (pid < 0)
        return -e;
    if (pid == 0) {
        t->tid = (int)syscall(SYS_gettid);
        __atomic_store_n(&t->rt->nthreads, 1, __ATOMIC_SEQ_CST);
        jit_fork_child(t->rt->jit);
        if (t->rt->interp)
            interp_forked(t->rt->interp);
        signal_after_fork(t);
        signal_host_restore(&old);
        if (sp)
            t->cpu.gpr[REG_ESP] = sp;
        if (flags & CL_CHILD_SETTID) {
            uint32_t v = (uint32_t)t->tid;
            if (sys_copy_to(t, ctid, &v, 4) < 0)
                return -EFAULT;
        }
        if (flags & CL_CHILD_CLEARTID)
            t->clear_child_tid = ctid;
        return 0;
    }
    if (flags & CL_PARENT_SETTID) {
        uint32_t v = (uint32_t)pid;
        if (sys_copy_to(t, ptid, &v, 4) < 0)
            return -EFAULT;
    }
    return pid;
}

static long sys_fork(struct guest_thread *t, const uint32_t a[6])
{
    return do_fork(t, SIGCHLD, 0, 0, 0);
}

static long sys_clone(struct guest_thread *t, const uint32_t a[6])
{
    /* i386 order: flags, stack, parent_tid, tls, child_tid. */
    if (a[0] & CL_THREAD) {
        if (!(a[0] & CL_VM))
            return -EINVAL; /* as the kernel: threads share memory */
        return thread_clone(t, a[0], a[1], a[2], a[3], a[4]);
    }
    /* Without CLONE_THREAD, CLONE_VM (posix_spawn's CLONE_VM|CLONE_VFORK)
     * becomes a fork: see sys_thread.c. */
    return do_fork(t, a[0] & ~(CL_VFORK | CL_VM), a[1], a[2], a[4]);
}

/* A NULL-terminated guest array of strings, copied to the host. */
static int copy_strv(struct guest_thread *t, guest_addr_t v, char ***out,
                     size_t *bytes)
{
    *out = NULL;
    size_t n = 0, cap = 16;
    char **arr = malloc(cap * sizeof(char *));
    if (!arr)
        return -ENOMEM;
    for (;; n++) {
        uint32_t p = 0;
        if (v && sys_copy_from(t, &p, v + 4 * (guest_addr_t)n, 4) < 0)
            goto fault;
        if (!v || !p)
            break;
        if (n + 2 > cap) {
            cap *= 2;
            char **na = cap > EXEC_MAX_ARGS ? NULL
                                            : realloc(arr, cap * sizeof(char *));
            if (!na) {
                arr[n] = NULL;
                goto too_big;
            }
            arr = na;
        }
        long len = guest_mem_strnlen(sys_mem(t), p, EXEC_MAX_BYTES);
        if (len < 0 || (*bytes += (size_t)len + 1) > EXEC_MAX_BYTES) {
            arr[n] = NULL;
            if (len == -EFAULT)
                goto fault;
            goto too_big;
        }
        arr[n] = strndup(g2h(sys_mem(t), p), (size_t)len);
    }
    arr[n] = NULL;
    *out = arr;
    return 0;
fault:
    arr[n] = NULL;
    for (size_t i = 0; arr[i]; i++)
        free(arr[i]);
    free(arr);
    return -EFAULT;
too_big:
    for (size_t i = 0; arr[i]; i++)
        free(arr[i]);
    free(arr);
    return -E2BIG;
}

static void free_strv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* Is the file an i386 ELF program, or a #! script whose interpreter is
 * one?  Such files are run by r386; the rest by the host. */
static bool runs_under_r386(const char *sysroot, const char *host_path,
                            int depth)
{
    int fd = open(host_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char head[256];
    ssize_t n = read(fd, head, sizeof(head) - 1);
    close(fd);
    if (n >= (ssize_t)sizeof(Elf32_Ehdr) && memcmp(head, ELFMAG, SELFMAG) == 0)
        return head[EI_CLASS] == ELFCLASS32 &&
               ((Elf32_Ehdr *)head)->e_machine == EM_386;
    if (n < 3 || head[0] != '#' || head[1] != '!' || depth > 4)
        return false;
    head[n] = '\0';
    char *p = head + 2;
    p += strspn(p, " \t");
    p[strcspn(p, " \t\n")] = '\0';
    char *interp = loader_sysroot_path(sysroot, p);
    bool r = interp && runs_under_r386(sysroot, interp, depth + 1);
    free(interp);
    return r;
}

static long sys_execve(struct guest_thread *t, const uint32_t a[6])
{
    struct runtime *rt = t->rt;
    char path[4096];
    int rc = sys_guest_str(t, a[0], path, sizeof(path));
    if (rc < 0)
        return rc;
    /* /proc/self/exe names the guest program, not r386. */
    if (sys_path_is_self_exe(path) && rt->info.exe_path)
        snprintf(path, sizeof(path), "%s", rt->info.exe_path);
    char **argv = NULL, **envp = NULL;
    size_t bytes = 0;
    bool exec_tried = false;
    if ((rc = copy_strv(t, a[1], &argv, &bytes)) < 0)
        return rc;
    if ((rc = copy_strv(t, a[2], &envp, &bytes)) < 0) {
        free_strv(argv);
        return rc;
    }
    char *host = loader_sysroot_path(rt->cfg.sysroot, path);
    if (!host || access(host, X_OK) != 0) {
        rc = host ? -errno : -ENOMEM;
        goto out;
    }
    fflush(NULL);
    jit_persist(rt->jit); /* this process's translations, for the next */
    if (rt->interp)
        interp_persist(rt->interp); /* and its decoded blocks */
    /* The guest's blocked mask and ignored signals go to the new program. */
    signal_before_exec(t);
    exec_tried = true;
    if (!runs_under_r386(rt->cfg.sysroot, host, 0)) {
        execve(host, argv, envp);
        rc = -errno;
        goto out;
    }
    /* r386 [-L DIR] [--strace] [--perf-map] [--cache-dir DIR --cache-max N
     *      | --no-cache] [-0 ARGV0] -- PATH ARG... */
    size_t argc = 0;
    while (argv[argc])
        argc++;
    char **nv = calloc(argc + 16, sizeof(char *));
    if (!nv) {
        rc = -ENOMEM;
        goto out;
    }
    size_t k = 0;
    nv[k++] = "r386";
    if (rt->cfg.sysroot) {
        nv[k++] = "-L";
        nv[k++] = (char *)rt->cfg.sysroot;
    }
    if (rt->cfg.strace)
        nv[k++] = "--strace";
    if (rt->cfg.perf_map)
        nv[k++] = "--perf-map";
    char max[32];
    if (rt->cfg.cache_dir) {
        snprintf(max, sizeof(max), "%llu", rt->cfg.cache_max);
        nv[k++] = "--cache-dir";
        nv[k++] = (char *)rt->cfg.cache_dir;
        if (rt->cfg.cache_max) {
            nv[k++] = "--cache-max";
            nv[k++] = max;
        }
    } else {
        nv[k++] = "--no-cache";
    }
    if (argc > 0) {
        nv[k++] = "-0";
        nv[k++] = argv[0];
    }
    nv[k++] = "--";
    nv[k++] = host; /* already resolved in the sysroot */
    for (size_t i = 1; i < argc; i++)
        nv[k++] = argv[i];
    nv[k] = NULL;
    execve("/proc/self/exe", nv, envp);
    rc = -errno;
    free(nv);
out:
    if (exec_tried)
        signal_exec_failed(t);
    free(host);
    free_strv(argv);
    free_strv(envp);
    return rc;
}

static long do_wait(struct guest_thread *t, int32_t pid, guest_addr_t status,
                    int options, guest_addr_t ru_addr)
{
    if (status && !sys_guest_ptr(t, status, 4, GUEST_PROT_WRITE))
        return -EFAULT;
    if (ru_addr && !sys_guest_ptr(t, ru_addr, sizeof(struct krusage32),
                                  GUEST_PROT_WRITE))
        return -EFAULT;
    int st = 0;
    struct rusage ru;
    pid_t r = wait4(pid, &st, options, ru_addr ? &ru : NULL);
    if (r < 0)
        return -errno;
    if (r > 0 && status && sys_copy_to(t, status, &st, 4) < 0)
        return -EFAULT;
    if (r > 0 && ru_addr) {
        struct krusage32 g = kstruct_rusage32_from_host(&ru);
        if (sys_copy_to(t, ru_addr, &g, sizeof(g)) < 0)
            return -EFAULT;
    }
    return r;
}

static long sys_wait4(struct guest_thread *t, const uint32_t a[6])
{
    return do_wait(t, (int32_t)a[0], a[1], (int)a[2], a[3]);
}

static long sys_waitpid(struct guest_thread *t, const uint32_t a[6])
{
    return do_wait(t, (int32_t)a[0], a[1], (int)a[2], 0);
}

static long sys_kill(struct guest_thread *t, const uint32_t a[6])
{
    fflush(NULL);
    return sys_host(kill((pid_t)(int32_t)a[0], (int)a[1]));
}

static long sys_tgkill(struct guest_thread *t, const uint32_t a[6])
{
    fflush(NULL);
    return sys_host(syscall(SYS_tgkill, (int)a[0], (int)a[1], (int)a[2]));
}

static long sys_tkill(struct guest_thread *t, const uint32_t a[6])
{
    fflush(NULL);
    return sys_host(syscall(SYS_tkill, (int)a[0], (int)a[1]));
}

const struct syscall_def sys_exec_defs[] = {
    {NR32_fork, "fork", sys_fork, "", 'd'},
    {NR32_vfork, "vfork", sys_fork, "", 'd'},
    {NR32_clone, "clone", sys_clone, "xpppp", 'd'},
    {NR32_execve, "execve", sys_execve, "spp", 'd'},
    {NR32_wait4, "wait4", sys_wait4, "dpxp", 'd'},
    {NR32_waitpid, "waitpid", sys_waitpid, "dpx", 'd'},
    {NR32_kill, "kill", sys_kill, "dd", 'd'},
    {NR32_tgkill, "tgkill", sys_tgkill, "ddd", 'd'},
    {NR32_tkill, "tkill", sys_tkill, "dd", 'd'},
};
SYSCALL_DEFS_END(exec);
