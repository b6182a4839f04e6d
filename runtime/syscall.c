/* System call dispatch and --strace. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "syscall.h"

/* Numbers above the highest i386 system call are refused with ENOSYS. */
#define SYSCALL_TABLE_SIZE 512

static const struct syscall_def *table[SYSCALL_TABLE_SIZE];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void add_topic(const struct syscall_def *defs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (defs[i].nr < SYSCALL_TABLE_SIZE)
            table[defs[i].nr] = &defs[i];
}

static void table_init(void)
{
    add_topic(sys_mm_defs, sys_mm_count);
    add_topic(sys_proc_defs, sys_proc_count);
    add_topic(sys_exec_defs, sys_exec_count);
    add_topic(sys_fd_defs, sys_fd_count);
    add_topic(sys_file_defs, sys_file_count);
    add_topic(sys_time_defs, sys_time_count);
    add_topic(sys_signal_defs, sys_signal_count);
    add_topic(sys_net_defs, sys_net_count);
    add_topic(sys_poll_defs, sys_poll_count);
    add_topic(sys_fs_defs, sys_fs_count);
    add_topic(sys_thread_defs, sys_thread_count);
}

struct guest_mem *sys_mem(struct guest_thread *t)
{
    return &t->rt->mem;
}

void *sys_guest_ptr(struct guest_thread *t, guest_addr_t a, size_t len,
                    int prot)
{
    if (!guest_mem_access_ok(sys_mem(t), a, len, prot))
        return NULL;
    /* The host kernel may write there: no page of it may be one kept
     * read-only for translated code (it would answer EFAULT). */
    if (prot & GUEST_PROT_WRITE)
        guest_mem_prepare_write(sys_mem(t), a, len);
    return g2h(sys_mem(t), a);
}

int sys_guest_str(struct guest_thread *t, guest_addr_t a, char *buf,
                  size_t buflen)
{
    long n = guest_mem_strnlen(sys_mem(t), a, buflen - 1);
    if (n < 0)
        return (int)n;
    memcpy(buf, g2h(sys_mem(t), a), (size_t)n + 1);
    return 0;
}

int sys_copy_to(struct guest_thread *t, guest_addr_t dst, const void *src,
                size_t len)
{
    return guest_mem_copy_to(sys_mem(t), dst, src, len);
}

int sys_copy_from(struct guest_thread *t, void *dst, guest_addr_t src,
                  size_t len)
{
    return guest_mem_copy_from(sys_mem(t), dst, src, len);
}

int sys_get_timespec(struct guest_thread *t, guest_addr_t a, bool wide,
                     struct timespec *ts)
{
    if (wide) {
        struct ktimespec64 g;
        if (sys_copy_from(t, &g, a, sizeof(g)) < 0)
            return -EFAULT;
        *ts = kstruct_timespec64_to_host(&g);
    } else {
        struct ktimespec32 g;
        if (sys_copy_from(t, &g, a, sizeof(g)) < 0)
            return -EFAULT;
        *ts = kstruct_timespec32_to_host(&g);
    }
    return 0;
}

int sys_put_timespec(struct guest_thread *t, guest_addr_t a, bool wide,
                     const struct timespec *ts)
{
    int e;
    if (wide) {
        struct ktimespec64 g = kstruct_timespec64_from_host(ts);
        e = sys_copy_to(t, a, &g, sizeof(g));
    } else {
        struct ktimespec32 g = kstruct_timespec32_from_host(ts);
        e = sys_copy_to(t, a, &g, sizeof(g));
    }
    return e < 0 ? -EFAULT : 0;
}

/* ---- --strace ---- */

static void strace_arg(struct guest_thread *t, char fmt, uint32_t v, FILE *f)
{
    switch (fmt) {
    case 'd':
        fprintf(f, "%d", (int32_t)v);
        break;
    case 'u':
        fprintf(f, "%u", v);
        break;
    case 'o':
        fprintf(f, "0%o", v);
        break;
    case 'f':
        if ((int32_t)v == AT_FDCWD)
            fprintf(f, "AT_FDCWD");
        else
            fprintf(f, "%d", (int32_t)v);
        break;
    case 's': {
        char buf[96];
        long n = guest_mem_strnlen(sys_mem(t), v, sizeof(buf) - 1);
        if (n >= 0) {
            memcpy(buf, g2h(sys_mem(t), v), (size_t)n + 1);
            fprintf(f, "\"%s\"", buf);
        } else if (n == -ENAMETOOLONG) {
            memcpy(buf, g2h(sys_mem(t), v), sizeof(buf) - 1);
            buf[sizeof(buf) - 1] = '\0';
            fprintf(f, "\"%s\"...", buf);
        } else {
            fprintf(f, "0x%x", v);
        }
        break;
    }
    default: /* x, p */
        fprintf(f, "0x%x", v);
        break;
    }
}

static void strace_call(struct guest_thread *t, const struct syscall_def *d,
                        uint32_t nr, const uint32_t a[6])
{
    FILE *f = stderr;
    if (!d) {
        fprintf(f, "%d unknown syscall %u(0x%x, 0x%x, 0x%x, ...)", t->tid,
                nr, a[0], a[1], a[2]);
        return;
    }
    fprintf(f, "%d %s(", t->tid, d->name);
    for (int i = 0; d->args[i] && i < 6; i++) {
        if (i)
            fputs(", ", f);
        strace_arg(t, d->args[i], a[i], f);
    }
    fputc(')', f);
}

static void strace_result(const struct syscall_def *d, long r)
{
    if (r < 0 && r > -4096)
        fprintf(stderr, " = -1 %s (%s)\n", strerrorname_np((int)-r) ?
                strerrorname_np((int)-r) : "E?", strerror((int)-r));
    else if (d && (d->ret == 'x' || d->ret == 'p'))
        fprintf(stderr, " = 0x%lx\n", (unsigned long)(uint32_t)r);
    else
        fprintf(stderr, " = %ld\n", r);
}

/* What a call interrupted by a signal (-EINTR from the host) becomes.
 * Linux's ERESTART* codes: most calls restart when no handler runs or the
 * handler has SA_RESTART (ERESTARTSYS); these never restart after a
 * handler (ERESTARTNOHAND, ERESTART_RESTARTBLOCK, or plain -EINTR). */
static bool restart_after_handler(uint32_t nr)
{
    switch (nr) {
    case NR32_select: case NR32__newselect: case NR32_pselect6:
    case NR32_pselect6_time64: case NR32_poll: case NR32_ppoll:
    case NR32_ppoll_time64: case NR32_epoll_wait: case NR32_epoll_pwait:
    case NR32_epoll_pwait2: case NR32_nanosleep: case NR32_clock_nanosleep:
    case NR32_clock_nanosleep_time64: case NR32_ipc: case NR32_msgrcv:
    case NR32_msgsnd: case NR32_semtimedop_time64: case NR32_io_getevents:
    case NR32_recvmmsg: case NR32_recvmmsg_time64:
        return false;
    default:
        return true;
    }
}

/* The signal calls that answer -EINTR themselves, as the kernel does. */
static bool signal_call(uint32_t nr)
{
    return nr == NR32_sigreturn || nr == NR32_rt_sigreturn ||
           nr == NR32_rt_sigsuspend || nr == NR32_sigsuspend ||
           nr == NR32_pause || nr == NR32_rt_sigtimedwait ||
           nr == NR32_rt_sigtimedwait_time64;
}

void syscall_dispatch(struct guest_thread *t)
{
    pthread_once(&table_once, table_init);
    uint32_t *g = t->cpu.gpr;
    uint32_t nr = g[REG_EAX];
    const uint32_t a[6] = {g[REG_EBX], g[REG_ECX], g[REG_EDX],
                           g[REG_ESI], g[REG_EDI], g[REG_EBP]};
    const struct syscall_def *d = nr < SYSCALL_TABLE_SIZE ? table[nr] : NULL;
    bool trace = t->rt->cfg.strace;
    if (trace)
        strace_call(t, d, nr, a);
    /* ppoll, pselect6, epoll_pwait: their mask is the thread's during the
     * call and, when a signal interrupts it, during the handler. */
    uint64_t call_mask;
    bool masked = d && signal_call_mask(t, nr, a, &call_mask);
    if (masked)
        signal_mask_push(t, call_mask);
    long r;
    for (;;) {
        r = d ? d->fn(t, a) : -ENOSYS;
        if (r != -EINTR || signal_call(nr) || t->exited)
            break;
        int how = signal_syscall_interrupted(t, restart_after_handler(nr));
        if (how == 0)
            continue; /* no handler runs: restart at once */
        if (how == 1) {
            /* After the handler: back to the int $0x80 with EAX = nr. */
            t->cpu.eip -= 2;
            r = (long)nr;
        }
        break;
    }
    if (masked && r != -EINTR)
        signal_mask_pop(t);
    if (trace && !t->exited)
        strace_result(d, r);
    else if (trace)
        fputc('\n', stderr);
    g[REG_EAX] = (uint32_t)r;
}
