/* Signal system calls: rt_sigaction, rt_sigprocmask, sigaltstack,
 * rt_sigpending, rt_sigsuspend, sigsuspend, pause, rt_sigtimedwait (both
 * time forms), rt_sigqueueinfo, rt_tgsigqueueinfo, sigreturn and
 * rt_sigreturn.  kill, tgkill and tkill (sys_exec.c) are the host's: the
 * signal comes back through r386's host handler (signal_host.c) and is
 * delivered at the next safe point (signal_deliver.c).
 *
 * The state lives in struct runtime (actions, process-directed pending
 * signals) and struct guest_thread (mask, alternate stack, thread-directed
 * pending signals). */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "signal_state.h"
#include "syscall.h"

/* i386 sigset_t for the rt_* calls: 64 bits. */
#define KSIGSET_SIZE 8

/* The sa_flags bits the kernel keeps (UAPI_SA_FLAGS with SA_RESTORER);
 * others read back as clear, which is how userland detects them. */
#define KSA_KNOWN_FLAGS                                                     \
    (KSA_NOCLDSTOP | KSA_NOCLDWAIT | KSA_SIGINFO |                          \
     0x00000800u /* SA_EXPOSE_TAGBITS */ | KSA_RESTORER | KSA_ONSTACK |     \
     KSA_RESTART | KSA_NODEFER | KSA_RESETHAND)

static struct signal_process_state *proc_state(struct guest_thread *t)
{
    return &t->rt->sig;
}

static struct signal_thread_state *thread_state(struct guest_thread *t)
{
    return &t->sig;
}

static uint64_t mask_unblockable(uint64_t m)
{
    return signal_mask_unblockable(m);
}

/* sig_handler_ignored: the action discards the signal. */
static bool ignores(const struct ksigaction32 *a, int sig)
{
    return a->handler == KSIG_IGN ||
           (a->handler == KSIG_DFL &&
            (sig == 17 || sig == 18 || sig == 23 || sig == 28));
}

/* rt_sigaction(sig, act, oldact, sigsetsize) */
static long sys_rt_sigaction(struct guest_thread *t, const uint32_t a[6])
{
    int sig = (int)a[0];
    if (a[3] != KSIGSET_SIZE)
        return -EINVAL;
    struct ksigaction32 act, old;
    if (a[1] && sys_copy_from(t, &act, a[1], sizeof(act)) < 0)
        return -EFAULT;
    if (sig < 1 || sig > GUEST_NSIG ||
        (a[1] && (sig == GUEST_SIGKILL || sig == GUEST_SIGSTOP)))
        return -EINVAL;
    struct signal_process_state *ps = proc_state(t);
    pthread_mutex_lock(&ps->lock);
    old = ps->action[sig - 1];
    if (a[1]) {
        act.flags &= KSA_KNOWN_FLAGS;
        uint64_t m = mask_unblockable((uint64_t)act.mask[1] << 32 |
                                      act.mask[0]);
        act.mask[0] = (uint32_t)m;
        act.mask[1] = (uint32_t)(m >> 32);
        ps->action[sig - 1] = act;
    }
    pthread_mutex_unlock(&ps->lock);
    if (a[1]) {
        signal_host_action_changed(t->rt, sig);
        /* Pending instances of a signal now ignored are dropped. */
        if (ignores(&act, sig)) {
            signal_queue_discard(t->rt, t, sig);
            signal_host_flush(sig);
        }
    }
    if (a[2] && sys_copy_to(t, a[2], &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

/* rt_sigprocmask(how, set, oldset, sigsetsize) */
static long sys_rt_sigprocmask(struct guest_thread *t, const uint32_t a[6])
{
    if (a[3] != KSIGSET_SIZE)
        return -EINVAL;
    struct signal_thread_state *ts = thread_state(t);
    uint64_t old = ts->blocked;
    if (a[1]) {
        uint64_t set;
        if (sys_copy_from(t, &set, a[1], sizeof(set)) < 0)
            return -EFAULT;
        set = mask_unblockable(set);
        switch (a[0]) {
        case SIG_BLOCK:
            ts->blocked = old | set;
            break;
        case SIG_UNBLOCK:
            ts->blocked = old & ~set;
            break;
        case SIG_SETMASK:
            ts->blocked = set;
            break;
        default:
            return -EINVAL;
        }
        signal_host_sync_mask(t); /* delivers what it unblocks */
        t->cpu.interrupt = 1;
    }
    if (a[2] && sys_copy_to(t, a[2], &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

/* sigaltstack(ss, oss), as the kernel's do_sigaltstack. */
static long sys_sigaltstack(struct guest_thread *t, const uint32_t a[6])
{
    uint32_t sp = t->cpu.gpr[REG_ESP];
    struct kstack32 ss, old = signal_altstack_get(t, sp);
    if (a[0]) {
        if (sys_copy_from(t, &ss, a[0], sizeof(ss)) < 0)
            return -EFAULT;
        int rc = signal_altstack_set(t, &ss, sp);
        if (rc < 0)
            return rc;
    }
    if (a[1] && sys_copy_to(t, a[1], &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

/* rt_sigpending(set, sigsetsize): pending and blocked. */
static long sys_rt_sigpending(struct guest_thread *t, const uint32_t a[6])
{
    if (a[1] > KSIGSET_SIZE)
        return -EINVAL;
    uint64_t p = (signal_queue_pending(t) | signal_host_pending()) &
                 t->sig.blocked;
    if (sys_copy_to(t, a[0], &p, a[1]) < 0)
        return -EFAULT;
    return 0;
}

/* Wait, with mask as the blocked mask, until a signal is deliverable, and
 * have the old mask restored once its handler is set up: rt_sigsuspend
 * and pause. */
static long suspend(struct guest_thread *t, uint64_t mask)
{
    struct signal_thread_state *ts = thread_state(t);
    ts->saved_mask = ts->blocked;
    ts->restore_mask = true;
    ts->blocked = mask_unblockable(mask);
    sigset_t old;
    signal_host_block(&old);
    while (!signal_deliverable(t))
        signal_host_wait(t, ts->blocked); /* unblocks and waits, atomically */
    signal_host_sync_mask(t);
    t->cpu.interrupt = 1;
    return -EINTR;
}

static long sys_rt_sigsuspend(struct guest_thread *t, const uint32_t a[6])
{
    if (a[1] != KSIGSET_SIZE)
        return -EINVAL;
    uint64_t mask;
    if (sys_copy_from(t, &mask, a[0], sizeof(mask)) < 0)
        return -EFAULT;
    return suspend(t, mask);
}

/* sigsuspend(unused, unused, old_sigset_t mask): siginitset, so the
 * signals above 32 are unblocked. */
static long sys_sigsuspend(struct guest_thread *t, const uint32_t a[6])
{
    return suspend(t, a[2]);
}

static long sys_pause(struct guest_thread *t, const uint32_t a[6])
{
    (void)a;
    return suspend(t, t->sig.blocked);
}

bool signal_call_mask(struct guest_thread *t, uint32_t nr, const uint32_t a[6],
                      uint64_t *mask)
{
    guest_addr_t p;
    uint32_t size;
    switch (nr) {
    case NR32_ppoll:
    case NR32_ppoll_time64:
        p = a[3];
        size = a[4];
        break;
    case NR32_epoll_pwait:
    case NR32_epoll_pwait2:
        p = a[4];
        size = a[5];
        break;
    case NR32_pselect6:
    case NR32_pselect6_time64: {
        uint32_t arg[2]; /* {sigset pointer, size} */
        if (!a[5] || sys_copy_from(t, arg, a[5], sizeof(arg)) < 0)
            return false;
        p = arg[0];
        size = arg[1];
        break;
    }
    default:
        return false;
    }
    return p && size == KSIGSET_SIZE &&
           sys_copy_from(t, mask, p, sizeof(*mask)) == 0;
}

void signal_mask_push(struct guest_thread *t, uint64_t mask)
{
    struct signal_thread_state *ts = thread_state(t);
    ts->saved_mask = ts->blocked;
    ts->restore_mask = true;
    ts->blocked = mask_unblockable(mask);
    signal_host_sync_mask(t);
}

void signal_mask_pop(struct guest_thread *t)
{
    struct signal_thread_state *ts = thread_state(t);
    if (!ts->restore_mask)
        return;
    ts->restore_mask = false;
    ts->blocked = ts->saved_mask;
    signal_host_sync_mask(t);
    t->cpu.interrupt = 1;
}

/* rt_sigtimedwait(set, info, timeout, sigsetsize), as do_sigtimedwait:
 * take a pending signal of set, waiting at most timeout (NULL: forever);
 * -EAGAIN on timeout, -EINTR when another signal is to be delivered. */
static long do_sigtimedwait(struct guest_thread *t, const uint32_t a[6],
                            bool wide)
{
    if (a[3] != KSIGSET_SIZE)
        return -EINVAL;
    uint64_t set;
    if (sys_copy_from(t, &set, a[0], sizeof(set)) < 0)
        return -EFAULT;
    set = mask_unblockable(set);
    struct timespec deadline, ts = {0, 0};
    bool timed = a[2] != 0;
    if (timed) {
        if (sys_get_timespec(t, a[2], wide, &ts) < 0)
            return -EFAULT;
        if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000 || ts.tv_sec < 0)
            return -EINVAL;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += ts.tv_sec;
        deadline.tv_nsec += ts.tv_nsec;
        if (deadline.tv_nsec >= 1000000000) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000;
        }
    }
    sigset_t old;
    signal_host_block(&old);
    struct ksiginfo32 info;
    long r;
    for (;;) {
        /* Queued while it was not blocked, or pending in the host. */
        int sig = signal_queue_take(t, set, &info);
        if (sig) {
            r = sig;
            break;
        }
        if (signal_deliverable(t)) {
            r = -EINTR;
            break;
        }
        struct timespec left, *wait = NULL;
        if (timed) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            left.tv_sec = deadline.tv_sec - now.tv_sec;
            left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
            if (left.tv_nsec < 0) {
                left.tv_sec--;
                left.tv_nsec += 1000000000;
            }
            if (left.tv_sec < 0)
                left.tv_sec = left.tv_nsec = 0;
            wait = &left;
        }
        /* Host signals unblocked (but set) while waiting, as Linux. */
        signal_host_restore(&old);
        r = signal_host_timedwait(set, wait, &info);
        signal_host_block(&old);
        if (r > 0 || r == -EAGAIN)
            break;
    }
    signal_host_restore(&old);
    if (r > 0 && a[1] && sys_copy_to(t, a[1], &info, sizeof(info)) < 0)
        return -EFAULT;
    return r;
}

static long sys_rt_sigtimedwait(struct guest_thread *t, const uint32_t a[6])
{
    return do_sigtimedwait(t, a, false);
}

static long sys_rt_sigtimedwait_time64(struct guest_thread *t,
                                       const uint32_t a[6])
{
    return do_sigtimedwait(t, a, true);
}

/* A guest siginfo to send as the host's: the kill/rt layout (pid, uid,
 * sigval), which is what sigqueue and pthread_sigqueue use. */
static int siginfo_from_guest(struct guest_thread *t, guest_addr_t a,
                              int sig, siginfo_t *h)
{
    struct ksiginfo32 g;
    if (sys_copy_from(t, &g, a, sizeof(g)) < 0)
        return -EFAULT;
    memset(h, 0, sizeof(*h));
    h->si_signo = sig;
    h->si_errno = g.si_errno;
    h->si_code = g.si_code;
    h->si_pid = g.u.kill.pid;
    h->si_uid = g.u.kill.uid;
    h->si_value.sival_ptr = (void *)(uintptr_t)(uint32_t)g.u.kill.value;
    return 0;
}

/* rt_sigqueueinfo(tgid, sig, info) */
static long sys_rt_sigqueueinfo(struct guest_thread *t, const uint32_t a[6])
{
    siginfo_t h;
    if (siginfo_from_guest(t, a[2], (int)a[1], &h) < 0)
        return -EFAULT;
    return sys_host(syscall(SYS_rt_sigqueueinfo, (pid_t)a[0], (int)a[1], &h));
}

/* rt_tgsigqueueinfo(tgid, tid, sig, info) */
static long sys_rt_tgsigqueueinfo(struct guest_thread *t, const uint32_t a[6])
{
    siginfo_t h;
    if (siginfo_from_guest(t, a[3], (int)a[2], &h) < 0)
        return -EFAULT;
    return sys_host(syscall(SYS_rt_tgsigqueueinfo, (pid_t)a[0], (pid_t)a[1],
                            (int)a[2], &h));
}

static long sys_rt_sigreturn(struct guest_thread *t, const uint32_t a[6])
{
    (void)a;
    return signal_rt_sigreturn(t);
}

static long sys_sigreturn(struct guest_thread *t, const uint32_t a[6])
{
    (void)a;
    return signal_sigreturn(t);
}

const struct syscall_def sys_signal_defs[] = {
    {NR32_rt_sigaction, "rt_sigaction", sys_rt_sigaction, "dppu", 'd'},
    {NR32_rt_sigprocmask, "rt_sigprocmask", sys_rt_sigprocmask, "dppu", 'd'},
    {NR32_sigaltstack, "sigaltstack", sys_sigaltstack, "pp", 'd'},
    {NR32_rt_sigpending, "rt_sigpending", sys_rt_sigpending, "pu", 'd'},
    {NR32_rt_sigsuspend, "rt_sigsuspend", sys_rt_sigsuspend, "pu", 'd'},
    {NR32_sigsuspend, "sigsuspend", sys_sigsuspend, "xxx", 'd'},
    {NR32_pause, "pause", sys_pause, "", 'd'},
    {NR32_rt_sigtimedwait, "rt_sigtimedwait", sys_rt_sigtimedwait, "pppu",
     'd'},
    {NR32_rt_sigtimedwait_time64, "rt_sigtimedwait_time64",
     sys_rt_sigtimedwait_time64, "pppu", 'd'},
    {NR32_rt_sigqueueinfo, "rt_sigqueueinfo", sys_rt_sigqueueinfo, "ddp",
     'd'},
    {NR32_rt_tgsigqueueinfo, "rt_tgsigqueueinfo", sys_rt_tgsigqueueinfo,
     "dddp", 'd'},
    {NR32_rt_sigreturn, "rt_sigreturn", sys_rt_sigreturn, "", 'd'},
    {NR32_sigreturn, "sigreturn", sys_sigreturn, "", 'd'},
};
SYSCALL_DEFS_END(signal);
