/* What the kernel keeps about signals, in the guest's terms: per process,
 * the action of each signal and the process-directed pending signals; per
 * thread, the blocked mask, the alternate stack and the thread-directed
 * pending signals.  Filled by sys_signal.c and the host signal handler
 * (signal_host.c); read by delivery (signal_deliver.c).  Private to
 * runtime/.
 *
 * Host signals: r386 catches the host signals the guest does not ignore
 * (what it ignores, the host ignores) and queues them here as the
 * guest's.  The host thread's mask
 * mirrors the guest's blocked mask (signal_host_sync_mask() after every
 * change), so a blocked signal stays pending in the host kernel until it
 * is unblocked; the queues hold what arrived while it was not blocked.
 * Delivery happens only at a safe point of the dispatcher (between
 * units, after a system call). */
#ifndef R386_SIGNAL_STATE_H
#define R386_SIGNAL_STATE_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kstructs.h"

#define GUEST_NSIG 64 /* _NSIG: signals 1..64 */

/* i386 signal numbers and flags the layer looks at (same on x86-64). */
enum {
    GUEST_SIGILL = 4,
    GUEST_SIGTRAP = 5,
    GUEST_SIGBUS = 7,
    GUEST_SIGFPE = 8,
    GUEST_SIGKILL = 9,
    GUEST_SIGSEGV = 11,
    GUEST_SIGCHLD = 17,
    GUEST_SIGSTOP = 19,
};

/* sa_flags bits (i386 values). */
#define KSA_NOCLDSTOP 0x00000001u
#define KSA_NOCLDWAIT 0x00000002u
#define KSA_SIGINFO 0x00000004u
#define KSA_RESTORER 0x04000000u
#define KSA_ONSTACK 0x08000000u
#define KSA_RESTART 0x10000000u
#define KSA_NODEFER 0x40000000u
#define KSA_RESETHAND 0x80000000u
#define KSIG_DFL 0u
#define KSIG_IGN 1u

/* sigaltstack ss_flags */
#define KSS_ONSTACK 1
#define KSS_DISABLE 2
#define KSS_AUTODISARM (1u << 31)

/* Pending signals: one siginfo per signal number -- a signal raised again
 * while pending is merged, real-time signals too (a deviation: Linux
 * queues those).  The host handler writes info[] then sets the bit; the
 * taker runs with host signals blocked. */
struct signal_queue {
    _Atomic uint64_t pending; /* bit sig - 1 */
    struct ksiginfo32 info[GUEST_NSIG];
};

/* Per process (struct runtime). */
struct signal_process_state {
    pthread_mutex_t lock; /* action[] */
    struct ksigaction32 action[GUEST_NSIG]; /* [sig - 1], as the guest set */
    struct signal_queue queue;  /* process-directed (kill, timers, ...) */
    atomic_flag queue_lock;     /* queue, between threads (a spin lock) */
};

/* Per thread (struct guest_thread). */
struct signal_thread_state {
    uint64_t blocked; /* bit sig - 1 */
    /* sigaltstack: ss_size 0 means none (SS_DISABLE). */
    uint32_t ss_sp;
    uint32_t ss_size;
    uint32_t ss_flags; /* as given (SS_ONSTACK, SS_AUTODISARM) */
    /* rt_sigsuspend: the mask to restore once a handler was set up. */
    uint64_t saved_mask;
    bool restore_mask;
    /* The last fault, for sigcontext trapno/err/cr2. */
    uint32_t trapno, err, cr2;
    struct signal_queue queue; /* thread-directed (tgkill, faults) */
};

/* Linux's default action of each signal. */
enum dfl_action { DFL_TERM, DFL_CORE, DFL_IGN, DFL_STOP };

static inline enum dfl_action signal_default_action(int sig)
{
    switch (sig) {
    case 3: case 4: case 5: case 6: case 7: case 8: case 11: case 24:
    case 25: case 31:
        return DFL_CORE; /* QUIT ILL TRAP ABRT BUS FPE SEGV XCPU XFSZ SYS */
    case 17: case 18: case 23: case 28:
        return DFL_IGN; /* CHLD CONT URG WINCH */
    case 19: case 20: case 21: case 22:
        return DFL_STOP; /* STOP TSTP TTIN TTOU */
    default:
        return DFL_TERM;
    }
}

static inline uint64_t signal_bit(int sig)
{
    return UINT64_C(1) << (sig - 1);
}

/* SIGKILL and SIGSTOP can be neither blocked nor caught. */
static inline uint64_t signal_mask_unblockable(uint64_t m)
{
    return m & ~(signal_bit(GUEST_SIGKILL) | signal_bit(GUEST_SIGSTOP));
}

struct guest_thread;
struct runtime;

/* ---- signal_host.c ---- */
/* Catch the host signals for rt (once, before the guest runs); t becomes
 * the host thread's guest thread.  The guest's initial blocked mask and
 * ignored signals are the host's, as inherited through execve. */
void signal_host_init(struct runtime *rt, struct guest_thread *t);
/* The guest changed the action of sig: adjust the host disposition. */
void signal_host_action_changed(struct runtime *rt, int sig);
/* Make the host mask the guest's blocked mask again (after a change). */
void signal_host_sync_mask(struct guest_thread *t);
/* Wait for a host signal with the guest mask mask (sigsuspend); call with
 * host signals blocked. */
void signal_host_wait(struct guest_thread *t, uint64_t mask);
/* The catchable signals pending in the host kernel (blocked ones). */
uint64_t signal_host_pending(void);
/* Take one of set pending in the host kernel, waiting at most timeout
 * (NULL: forever): the signal, or -EAGAIN, -EINTR. */
struct timespec;
int signal_host_timedwait(uint64_t set, const struct timespec *timeout,
                          struct ksiginfo32 *info);
/* Discard a pending host instance of sig. */
void signal_host_flush(int sig);
/* Block (all but the synchronous fault signals) / restore host signals. */
void signal_host_block(sigset_t *old);
void signal_host_restore(const sigset_t *old);
/* Take a pending signal for t from set (0: none), with its info; host
 * signals must be blocked.  Thread-directed ones first, then by number
 * with the synchronous ones (SEGV BUS ILL TRAP FPE) first. */
int signal_queue_take(struct guest_thread *t, uint64_t set,
                      struct ksiginfo32 *info);
/* Pending signals of t, thread and process queues together. */
uint64_t signal_queue_pending(struct guest_thread *t);
/* Drop pending instances of sig (its action became "ignore"). */
void signal_queue_discard(struct runtime *rt, struct guest_thread *t, int sig);
/* Queue sig for t (thread-directed), e.g. a fault forced by the runtime. */
void signal_queue_put(struct guest_thread *t, const struct ksiginfo32 *info);
/* The default action "stop" for sig: stop r386 by it, until SIGCONT. */
void signal_host_stop(int sig);
/* After fork, in the child: no pending signals. */
void signal_after_fork(struct guest_thread *t);
/* On the host thread of a new guest thread (clone, sys_thread.c), before
 * it runs guest code: it is the current thread for the host handlers,
 * with an empty thread queue and the host mask it inherited. */
void signal_thread_start(struct guest_thread *t);
/* Before execve: the host mask becomes the guest's blocked mask, so that
 * the new program inherits it; signal_exec_failed() undoes that. */
void signal_before_exec(struct guest_thread *t);
void signal_exec_failed(struct guest_thread *t);

/* ---- sys_signal.c ---- */
/* The temporary signal mask of a call that takes one (ppoll, pselect6,
 * epoll_pwait): true and *mask when the call has one. */
bool signal_call_mask(struct guest_thread *t, uint32_t nr, const uint32_t a[6],
                      uint64_t *mask);
/* Install a temporary mask (as sigsuspend: restored once a handler frame
 * is set up, or by signal_mask_pop() when the call was not interrupted). */
void signal_mask_push(struct guest_thread *t, uint64_t mask);
void signal_mask_pop(struct guest_thread *t);

/* ---- dispatch.c ---- */
/* A host fault (sig from the CPU) at si: true when it is a store to a
 * guest page translations were made from, now writable again (return from
 * the handler: the store runs again); when it is another guest access
 * from translated code, leave for the dispatcher (siglongjmp, no return);
 * false when it is neither. */
bool dispatch_host_fault(int sig, siginfo_t *si, void *uc);

/* ---- signal_deliver.c ---- */
/* Map the sigreturn trampoline; once, before the guest runs. */
int signal_deliver_init(struct runtime *rt);
/* The safe point: deliver what is pending and not blocked (set up
 * handler frames, take default actions).  Sets t->exited when the guest
 * is killed. */
void signal_deliver_pending(struct guest_thread *t);
/* A synchronous fault at t->cpu.eip (registers as the guest sees them):
 * delivered now, forced as Linux's force_sig_fault (a blocked or ignored
 * fault signal kills). */
void signal_deliver_fault(struct guest_thread *t, int sig, int code,
                          uint32_t addr, uint32_t trapno, uint32_t err);
/* A system call returned -EINTR: 0 to restart it now (no handler will
 * run), 1 to restart it after the handler (SA_RESTART), 2 to return
 * -EINTR.  restartable: whether SA_RESTART applies to the call. */
int signal_syscall_interrupted(struct guest_thread *t, bool restartable);
/* Is a signal deliverable to t now (pending, not blocked, not ignored)?
 * Host signals must be blocked.  Ignored ones are dropped on the way. */
bool signal_deliverable(struct guest_thread *t);
/* rt_sigreturn / sigreturn: restore the state from the frame at ESP;
 * returns the restored EAX (or forces SIGSEGV for a bad frame). */
long signal_rt_sigreturn(struct guest_thread *t);
long signal_sigreturn(struct guest_thread *t);
/* do_sigaltstack's checks for a new alternate stack, with sp the guest's
 * stack pointer: 0 or a negative errno. */
int signal_altstack_set(struct guest_thread *t, const struct kstack32 *ss,
                        uint32_t sp);
/* The guest's stack_t for the current alternate stack at sp. */
struct kstack32 signal_altstack_get(struct guest_thread *t, uint32_t sp);

#endif
