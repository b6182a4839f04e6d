/* Host signals: r386's handler for every catchable host signal, which
 * queues the signal (with its siginfo in the i386 layout) for the guest
 * and sets the thread's interrupt word, so that translated code leaves at
 * its next back-edge and the dispatcher delivers it (signal_deliver.c).
 *
 * The host thread's signal mask mirrors the guest thread's blocked mask
 * (but never blocks the fault signals r386 needs): a signal the guest
 * blocks stays pending in the host kernel, where rt_sigpending,
 * rt_sigtimedwait, signalfd and execve find it, and it does not interrupt
 * a blocking system call.
 *
 * A host SIGSEGV/SIGBUS (SIGILL, SIGFPE, SIGTRAP) raised by the CPU is a
 * fault, not a signal to queue: dispatch_host_fault() lets a store to a
 * guest page translations were made from complete (self-modifying code:
 * the handler returns and the store runs again), turns any other one in
 * translated code into a guest fault; anywhere else it is r386's own
 * crash, which then kills r386 as it would have.
 *
 * Host dispositions follow the guest's actions (host_apply): what the
 * guest ignores the host ignores (so SIGCHLD SIG_IGN reaps children, and
 * an ignored signal never interrupts a system call), the rest is caught.
 *
 * Deviation: guest signals 32 and 33 cannot be caught (the host's glibc
 * keeps them for its threads). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "signal_state.h"

/* The runtime the handler queues process-directed signals to, and the
 * guest thread of each host thread. */
static struct runtime *host_rt;
static __thread struct guest_thread *host_current;

static bool is_fault_signal(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
           sig == SIGFPE || sig == SIGTRAP;
}

/* Guest signals r386 can catch on the host: not SIGKILL/SIGSTOP, not the
 * host glibc's own 32 and 33. */
static bool catchable(int sig)
{
    return sig != SIGKILL && sig != SIGSTOP && sig != 32 && sig != 33;
}

/* The order Linux dequeues in: synchronous signals first, then by number. */
#define SYNC_MASK                                                           \
    (signal_bit(GUEST_SIGSEGV) | signal_bit(GUEST_SIGBUS) |                 \
     signal_bit(GUEST_SIGILL) | signal_bit(GUEST_SIGTRAP) |                 \
     signal_bit(GUEST_SIGFPE) | signal_bit(31 /* SIGSYS */))

static int pick(uint64_t p)
{
    if (!p)
        return 0;
    if (p & SYNC_MASK)
        p &= SYNC_MASK;
    return __builtin_ctzll(p) + 1;
}

/* The i386 siginfo of a host one, by the kernel's siginfo_layout(). */
static void info_from_host(int sig, const siginfo_t *si, struct ksiginfo32 *g)
{
    for (size_t i = 0; i < sizeof(g->u.pad) / sizeof(g->u.pad[0]); i++)
        g->u.pad[i] = 0;
    g->si_signo = sig;
    g->si_errno = si->si_errno;
    g->si_code = si->si_code;
    int code = si->si_code;
    if (code == SI_KERNEL) {
        g->u.kill.pid = si->si_pid;
        g->u.kill.uid = si->si_uid;
    } else if (code > 0 && sig == SIGCHLD) {
        g->u.chld.pid = si->si_pid;
        g->u.chld.uid = si->si_uid;
        g->u.chld.status = si->si_status;
        g->u.chld.utime = (int32_t)si->si_utime;
        g->u.chld.stime = (int32_t)si->si_stime;
    } else if (code > 0 && sig == SIGPOLL) {
        g->u.poll.band = (int32_t)si->si_band;
        g->u.poll.fd = si->si_fd;
    } else if (code > 0 && is_fault_signal(sig)) {
        g->u.fault.addr = 0; /* not a fault of this process */
    } else if (code == SI_TIMER) {
        g->u.timer.tid = si->si_timerid;
        g->u.timer.overrun = si->si_overrun;
        g->u.timer.value = si->si_value.sival_int;
    } else if (code == SI_SIGIO) {
        g->u.poll.band = (int32_t)si->si_band;
        g->u.poll.fd = si->si_fd;
    } else {
        g->u.kill.pid = si->si_pid;
        g->u.kill.uid = si->si_uid;
        if (code < 0) /* SIL_RT: sigqueue, tgkill, ... */
            g->u.kill.value = si->si_value.sival_int;
    }
}

static void queue_put(struct signal_queue *q, const struct ksiginfo32 *g,
                      bool replace)
{
    uint64_t bit = signal_bit(g->si_signo);
    if (!replace &&
        (atomic_load_explicit(&q->pending, memory_order_acquire) & bit))
        return; /* merged with the pending one */
    q->info[g->si_signo - 1] = *g;
    atomic_fetch_or_explicit(&q->pending, bit, memory_order_release);
}

static void proc_lock(struct signal_process_state *ps)
{
    while (atomic_flag_test_and_set_explicit(&ps->queue_lock,
                                             memory_order_acquire))
        ;
}

static void proc_unlock(struct signal_process_state *ps)
{
    atomic_flag_clear_explicit(&ps->queue_lock, memory_order_release);
}

static void on_host_signal(int sig, siginfo_t *si, void *uc)
{
    int saved_errno = errno;
    if (is_fault_signal(sig) && si->si_code > 0) {
        /* Returns true for a store to guest code (retried on return);
         * siglongjmps for a guest fault; returns false otherwise. */
        if (dispatch_host_fault(sig, si, uc)) {
            errno = saved_errno;
            return;
        }
        /* r386's own fault: die of it when the instruction faults again. */
        signal(sig, SIG_DFL);
        errno = saved_errno;
        return;
    }
    struct runtime *rt = host_rt;
    struct guest_thread *t = host_current ? host_current : &rt->main_thread;
    struct ksiginfo32 g;
    info_from_host(sig, si, &g);
    if (si->si_code == SI_TKILL && host_current) {
        queue_put(&t->sig.queue, &g, false);
    } else {
        proc_lock(&rt->sig);
        queue_put(&rt->sig.queue, &g, false);
        proc_unlock(&rt->sig);
    }
    /* Threads: a process-directed signal should wake a thread that does
     * not block it; with one guest thread per process that is this one. */
    __atomic_store_n(&t->cpu.interrupt, 1, __ATOMIC_RELAXED);
    errno = saved_errno;
}

/* The host disposition that gives a guest action Linux's semantics. */
enum host_disp { HOST_CATCH, HOST_IGNORE, HOST_DEFAULT };

static void host_set(int sig, uint32_t guest_flags, enum host_disp d)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    if (d == HOST_IGNORE) {
        sa.sa_handler = SIG_IGN;
    } else if (d == HOST_DEFAULT) {
        sa.sa_handler = SIG_DFL;
    } else {
        sa.sa_sigaction = on_host_signal;
        /* No SA_RESTART: a blocking call the guest made must come back
         * (EINTR) so that the signal is delivered; syscall.c restarts it
         * when the guest's action says so. */
        sa.sa_flags = SA_SIGINFO;
        if (is_fault_signal(sig))
            sa.sa_flags |= SA_NODEFER;
    }
    if (sig == SIGCHLD)
        sa.sa_flags |= (int)(guest_flags & (KSA_NOCLDSTOP | KSA_NOCLDWAIT));
    sigfillset(&sa.sa_mask);
    sigdelset(&sa.sa_mask, SIGSEGV);
    sigdelset(&sa.sa_mask, SIGBUS);
    sigdelset(&sa.sa_mask, SIGILL);
    sigdelset(&sa.sa_mask, SIGFPE);
    sigdelset(&sa.sa_mask, SIGTRAP);
    sigaction(sig, &sa, NULL);
}

/* Since the host mask mirrors the guest's, the host kernel can ignore
 * (SIG_IGN, or SIG_DFL for a default-ignored signal) what the guest
 * ignores, and terminate r386 for a signal whose guest action is the
 * default "terminate", with the same rules for blocked signals; r386
 * catches the others, and always the fault signals. */
static void host_apply(int sig, const struct ksigaction32 *a)
{
    if (!catchable(sig))
        return;
    if (is_fault_signal(sig))
        host_set(sig, 0, HOST_CATCH);
    else if (a->handler == KSIG_IGN)
        host_set(sig, a->flags, HOST_IGNORE);
    else if (a->handler == KSIG_DFL &&
             (signal_default_action(sig) == DFL_IGN ||
              signal_default_action(sig) == DFL_TERM))
        /* Ignore, or terminate: the host kernel does what Linux does for
         * the guest, at once -- also to a thread about to block in a host
         * system call, which a caught signal would reach only when the
         * call returns. */
        host_set(sig, a->flags, HOST_DEFAULT);
    else
        host_set(sig, a->flags, HOST_CATCH);
}

/* The host signal set of a guest mask: the catchable signals only, and
 * never the fault signals (a guest fault while the guest blocks its signal
 * still has to reach r386). */
static void host_set_of(uint64_t mask, sigset_t *set)
{
    sigemptyset(set);
    for (int sig = 1; sig <= GUEST_NSIG; sig++)
        if ((mask & signal_bit(sig)) && catchable(sig) &&
            !is_fault_signal(sig))
            sigaddset(set, sig);
}

void signal_host_sync_mask(struct guest_thread *t)
{
    sigset_t set;
    host_set_of(t->sig.blocked, &set);
    pthread_sigmask(SIG_SETMASK, &set, NULL);
}

void signal_host_wait(struct guest_thread *t, uint64_t mask)
{
    sigset_t set;
    host_set_of(mask, &set);
    sigsuspend(&set);
    (void)t;
}

uint64_t signal_host_pending(void)
{
    sigset_t set;
    uint64_t m = 0;
    if (sigpending(&set) == 0)
        for (int sig = 1; sig <= GUEST_NSIG; sig++)
            if (catchable(sig) && sigismember(&set, sig) == 1)
                m |= signal_bit(sig);
    return m;
}

int signal_host_timedwait(uint64_t set, const struct timespec *timeout,
                          struct ksiginfo32 *info)
{
    sigset_t hs;
    host_set_of(set, &hs);
    siginfo_t si;
    int sig = sigtimedwait(&hs, &si, timeout);
    if (sig < 0)
        return -errno;
    info_from_host(sig, &si, info);
    return sig;
}

void signal_host_flush(int sig)
{
    /* Setting SIG_IGN discards a pending instance, as in Linux. */
    struct sigaction ign, old;
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    if (catchable(sig) && sigaction(sig, &ign, &old) == 0)
        sigaction(sig, &old, NULL);
}

void signal_host_init(struct runtime *rt, struct guest_thread *t)
{
    host_rt = rt;
    host_current = t;
    sigset_t cur;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    for (int sig = 1; sig <= GUEST_NSIG; sig++) {
        if (sigismember(&cur, sig) == 1)
            t->sig.blocked |= signal_bit(sig);
        if (!catchable(sig))
            continue;
        struct sigaction old;
        bool ign = sigaction(sig, NULL, &old) == 0 &&
                   old.sa_handler == SIG_IGN && !is_fault_signal(sig);
        if (ign)
            rt->sig.action[sig - 1].handler = KSIG_IGN;
        host_apply(sig, &rt->sig.action[sig - 1]);
    }
    t->sig.blocked = signal_mask_unblockable(t->sig.blocked);
    signal_host_sync_mask(t);
    t->cpu.interrupt = 1; /* look at what is pending before the first unit */
}

void signal_host_action_changed(struct runtime *rt, int sig)
{
    pthread_mutex_lock(&rt->sig.lock);
    struct ksigaction32 a = rt->sig.action[sig - 1];
    pthread_mutex_unlock(&rt->sig.lock);
    host_apply(sig, &a);
}

void signal_host_block(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGTRAP);
    pthread_sigmask(SIG_BLOCK, &all, old);
}

void signal_host_restore(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static int take_from(struct signal_queue *q, uint64_t set,
                     struct ksiginfo32 *info)
{
    uint64_t p = atomic_load_explicit(&q->pending, memory_order_acquire);
    int sig = pick(p & set);
    if (!sig)
        return 0;
    *info = q->info[sig - 1];
    atomic_fetch_and_explicit(&q->pending, ~signal_bit(sig),
                              memory_order_relaxed);
    return sig;
}

int signal_queue_take(struct guest_thread *t, uint64_t set,
                      struct ksiginfo32 *info)
{
    int sig = take_from(&t->sig.queue, set, info);
    if (sig)
        return sig;
    struct signal_process_state *ps = &t->rt->sig;
    proc_lock(ps);
    sig = take_from(&ps->queue, set, info);
    proc_unlock(ps);
    return sig;
}

uint64_t signal_queue_pending(struct guest_thread *t)
{
    return atomic_load(&t->sig.queue.pending) |
           atomic_load(&t->rt->sig.queue.pending);
}

void signal_queue_discard(struct runtime *rt, struct guest_thread *t, int sig)
{
    sigset_t old;
    signal_host_block(&old);
    atomic_fetch_and(&t->sig.queue.pending, ~signal_bit(sig));
    proc_lock(&rt->sig);
    atomic_fetch_and(&rt->sig.queue.pending, ~signal_bit(sig));
    proc_unlock(&rt->sig);
    signal_host_restore(&old);
}

void signal_queue_put(struct guest_thread *t, const struct ksiginfo32 *info)
{
    sigset_t old;
    signal_host_block(&old);
    queue_put(&t->sig.queue, info, true);
    signal_host_restore(&old);
    t->cpu.interrupt = 1;
}

void signal_after_fork(struct guest_thread *t)
{
    atomic_store(&t->sig.queue.pending, 0);
    atomic_store(&t->rt->sig.queue.pending, 0);
    host_current = t;
}

void signal_thread_start(struct guest_thread *t)
{
    atomic_store(&t->sig.queue.pending, 0);
    t->sig.restore_mask = false;
    host_current = t;
    signal_host_sync_mask(t);
    t->cpu.interrupt = 1; /* look at what is pending before the first unit */
}

void signal_before_exec(struct guest_thread *t)
{
    /* (Ignored signals are ignored on the host already, and execve keeps
     * that; caught ones become SIG_DFL, as Linux resets handlers.)  The
     * blocked fault signals are blocked too, this once. */
    sigset_t set;
    sigemptyset(&set);
    for (int sig = 1; sig <= GUEST_NSIG; sig++)
        if ((t->sig.blocked & signal_bit(sig)) && catchable(sig))
            sigaddset(&set, sig);
    pthread_sigmask(SIG_SETMASK, &set, NULL);
}

void signal_exec_failed(struct guest_thread *t)
{
    signal_host_sync_mask(t);
}

void signal_host_stop(int sig)
{
    struct sigaction dfl, old;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, &old);
    sigset_t one, prev;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, &prev);
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
    pthread_sigmask(SIG_SETMASK, &prev, NULL);
    sigaction(sig, &old, NULL);
}
