/* Signal system calls: rt_sigaction, rt_sigprocmask, sigaltstack.
 *
 * Recorded, not yet delivered: the actions, the blocked mask and the
 * alternate stack are kept in the guest's terms (signal_state.h) with the
 * checks and answers of the i386 kernel, but no host signal is caught or
 * blocked for the guest and nothing is delivered to it yet; kill, tgkill,
 * tkill, rt_sigreturn and the other signal calls answer ENOSYS until
 * signal delivery exists.
 *
 * The state lives in struct runtime (actions, per process) and struct
 * guest_thread (mask and alternate stack, per thread). */
#include <signal.h>
#include <string.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "signal_state.h"
#include "syscall.h"

/* i386 sigset_t for the rt_* calls: 64 bits. */
#define KSIGSET_SIZE 8
/* MINSIGSTKSZ on i386. */
#define KMINSIGSTKSZ 2048

/* The sa_flags bits the kernel keeps (UAPI_SA_FLAGS with SA_RESTORER);
 * others read back as clear, which is how userland detects them. */
#define KSA_KNOWN_FLAGS                                                     \
    (0x00000001u /* SA_NOCLDSTOP */ | 0x00000002u /* SA_NOCLDWAIT */ |      \
     0x00000004u /* SA_SIGINFO */ | 0x00000800u /* SA_EXPOSE_TAGBITS */ |   \
     0x04000000u /* SA_RESTORER */ | 0x08000000u /* SA_ONSTACK */ |         \
     0x10000000u /* SA_RESTART */ | 0x40000000u /* SA_NODEFER */ |          \
     0x80000000u /* SA_RESETHAND */)

/* sigaltstack ss_flags */
#define KSS_ONSTACK 1
#define KSS_DISABLE 2
#define KSS_AUTODISARM (1u << 31)

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
    return m & ~(signal_bit(GUEST_SIGKILL) | signal_bit(GUEST_SIGSTOP));
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
    }
    if (a[2] && sys_copy_to(t, a[2], &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

/* Is the guest stack pointer on the alternate stack? */
static bool on_alt_stack(const struct signal_thread_state *ts, uint32_t sp)
{
    if (ts->ss_flags & KSS_AUTODISARM)
        return false;
    return sp > ts->ss_sp && sp - ts->ss_sp <= ts->ss_size;
}

/* sigaltstack(ss, oss), as the kernel's do_sigaltstack. */
static long sys_sigaltstack(struct guest_thread *t, const uint32_t a[6])
{
    struct signal_thread_state *ts = thread_state(t);
    uint32_t sp = t->cpu.gpr[REG_ESP];
    struct kstack32 ss, old = {
        .ss_sp = ts->ss_sp,
        .ss_size = ts->ss_size,
        .ss_flags = (int32_t)((ts->ss_size == 0 ? KSS_DISABLE
                               : on_alt_stack(ts, sp) ? KSS_ONSTACK : 0) |
                              (ts->ss_flags & KSS_AUTODISARM)),
    };
    if (a[0]) {
        if (sys_copy_from(t, &ss, a[0], sizeof(ss)) < 0)
            return -EFAULT;
        if (ts->ss_size && on_alt_stack(ts, sp))
            return -EPERM;
        uint32_t mode = (uint32_t)ss.ss_flags & ~KSS_AUTODISARM;
        if (mode != KSS_DISABLE && mode != KSS_ONSTACK && mode != 0)
            return -EINVAL;
        if (mode == KSS_DISABLE) {
            ts->ss_sp = 0;
            ts->ss_size = 0;
        } else {
            if (ss.ss_size < KMINSIGSTKSZ)
                return -ENOMEM;
            ts->ss_sp = ss.ss_sp;
            ts->ss_size = ss.ss_size;
        }
        ts->ss_flags = (uint32_t)ss.ss_flags;
    }
    if (a[1] && sys_copy_to(t, a[1], &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

const struct syscall_def sys_signal_defs[] = {
    {NR32_rt_sigaction, "rt_sigaction", sys_rt_sigaction, "dppu", 'd'},
    {NR32_rt_sigprocmask, "rt_sigprocmask", sys_rt_sigprocmask, "dppu", 'd'},
    {NR32_sigaltstack, "sigaltstack", sys_sigaltstack, "pp", 'd'},
};
SYSCALL_DEFS_END(signal);
