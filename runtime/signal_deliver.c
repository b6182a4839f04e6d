/* Signal delivery at the dispatcher's safe point: the i386 signal frames
 * (struct sigframe_ia32 / rt_sigframe_ia32, built as Linux's
 * arch/x86/kernel/signal_32.c builds them, with the FPU state below them
 * in the FXSAVE layout), the default actions, and sigreturn.
 *
 * Deviations:
 * - No vDSO: a handler without SA_RESTORER returns to a trampoline page
 *   r386 maps at 0xffffe000 (the code of the vDSO's __kernel_sigreturn
 *   and __kernel_rt_sigreturn), not to frame->retcode (which Linux uses
 *   without a vDSO; retcode is still written, as gdb looks for it).
 * - The FPU image has no XSAVE part (the CPU r386 presents has no XSAVE):
 *   uc_flags is 0, magic 0 (FXSR), the sw_reserved bytes are zero, the
 *   instruction/operand pointers are 0.
 * - A guest killed by a signal with a core-dump default action dumps no
 *   core: r386 sets RLIMIT_CORE to 0 before it dies of the signal, so
 *   that r386's own image is not dumped in the guest's name.
 * - trapno/err/cr2 of a sigcontext are those of the thread's last fault. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "guest_mem.h"
#include "runtime_internal.h"
#include "signal_state.h"
#include "syscall.h"

/* Linux's i386 user segment selectors (__USER_CS, __USER_DS). */
#define USER_CS 0x23
#define USER_DS 0x2b

/* The sigreturn trampolines: one r386 page at the top of the space. */
#define TRAMPOLINE_PAGE 0xffffe000u
#define TRAMPOLINE_SIGRETURN (TRAMPOLINE_PAGE + 0)
#define TRAMPOLINE_RT_SIGRETURN (TRAMPOLINE_PAGE + 16)

#define KMINSIGSTKSZ 2048
#define KSI_KERNEL 0x80

/* EFLAGS bits sigreturn takes from the frame (FIX_EFLAGS). */
#define FIX_EFLAGS                                                          \
    (EFLAGS_AC | EFLAGS_OF | EFLAGS_DF | EFLAGS_TF | EFLAGS_SF |            \
     EFLAGS_ZF | EFLAGS_AF | EFLAGS_PF | EFLAGS_CF | (1u << 16) /* RF */)

/* popl %eax; movl $__NR_sigreturn, %eax; int $0x80 */
static const uint8_t sigreturn_code[8] = {0x58, 0xb8, 119, 0, 0, 0, 0xcd,
                                          0x80};
/* movl $__NR_rt_sigreturn, %eax; int $0x80 */
static const uint8_t rt_sigreturn_code[8] = {0xb8, 173, 0, 0, 0, 0xcd, 0x80,
                                             0};

int signal_deliver_init(struct runtime *rt)
{
    int rc = guest_mem_map(&rt->mem, TRAMPOLINE_PAGE, GUEST_PAGE_SIZE,
                           GUEST_PROT_READ | GUEST_PROT_WRITE, -1, 0,
                           GUEST_MAP_ALLOW_RESERVED);
    if (rc < 0)
        return rc;
    memcpy(g2h(&rt->mem, TRAMPOLINE_SIGRETURN), sigreturn_code,
           sizeof(sigreturn_code));
    memcpy(g2h(&rt->mem, TRAMPOLINE_RT_SIGRETURN), rt_sigreturn_code,
           sizeof(rt_sigreturn_code));
    return guest_mem_protect(&rt->mem, TRAMPOLINE_PAGE, GUEST_PAGE_SIZE,
                             GUEST_PROT_READ | GUEST_PROT_EXEC);
}

/* ---- default actions ---- */


static bool action_ignores(const struct ksigaction32 *a, int sig)
{
    return a->handler == KSIG_IGN ||
           (a->handler == KSIG_DFL && signal_default_action(sig) == DFL_IGN);
}

static struct ksigaction32 action_of(struct guest_thread *t, int sig)
{
    struct signal_process_state *ps = &t->rt->sig;
    pthread_mutex_lock(&ps->lock);
    struct ksigaction32 a = ps->action[sig - 1];
    pthread_mutex_unlock(&ps->lock);
    return a;
}

static void note(struct guest_thread *t, const char *what,
                 const struct ksiginfo32 *info)
{
    if (!t->rt->cfg.strace)
        return;
    int sig = info->si_signo;
    fprintf(stderr, "--- %s {si_code=%d, si_addr/pid=0x%x} %s---\n",
            sigabbrev_np(sig) ? sigabbrev_np(sig) : "SIG?", info->si_code,
            info->u.fault.addr, what);
}

/* The guest dies of sig (runtime_die_by_signal re-raises it, with no core
 * of r386's image). */
static void kill_guest(struct guest_thread *t, int sig)
{
    t->exited = true;
    t->exit_status = -sig;
}

/* ---- the FPU state in a frame ---- */

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The 2-bit tag of physical register i from its contents. */
static unsigned tag_of(const struct cpu_state *s, unsigned i)
{
    if (s->fpu_empty[i])
        return 3;
    const uint8_t *r = s->fpu_reg[i];
    uint64_t sig;
    uint16_t se;
    memcpy(&sig, r, 8);
    memcpy(&se, r + 8, 2);
    unsigned exp = se & 0x7fff;
    if (exp == 0x7fff)
        return 2;
    if (exp == 0)
        return sig ? 2 : 1;
    return (sig >> 63) ? 0 : 2;
}

/* The status word as FNSTSW gives it, with the exception flags the host
 * x87 holds for the guest. */
static uint16_t fpu_status(const struct cpu_state *s)
{
    uint16_t host;
    __asm__ volatile("fnstsw %0" : "=m"(host));
    uint16_t sw = (uint16_t)((s->fpu_sw & ~FPU_TOP_MASK & ~(FPU_ES | FPU_B)) |
                             (s->fpu_top << FPU_TOP_SHIFT) | (host & FPU_EXC));
    if (sw & ~s->fpu_cw & FPU_EXC)
        sw |= FPU_ES | FPU_B;
    return sw;
}

static void fpu_save(const struct cpu_state *s, struct kfpstate32 *f)
{
    memset(f, 0, sizeof(*f));
    uint16_t sw = fpu_status(s);
    uint32_t tag = 0;
    uint8_t abridged = 0;
    for (unsigned i = 0; i < 8; i++) {
        tag |= tag_of(s, i) << (2 * i);
        if (!s->fpu_empty[i])
            abridged |= (uint8_t)(1u << i);
    }
    f->cw = 0xffff0000u | s->fpu_cw;
    f->sw = 0xffff0000u | sw;
    f->tag = 0xffff0000u | tag;
    f->datasel = 0xffff0000u;
    for (unsigned i = 0; i < 8; i++)
        memcpy(f->st[i], s->fpu_reg[(s->fpu_top + i) & 7], 10);
    f->status = sw;
    f->magic = 0; /* X86_FXSR_MAGIC: the FXSAVE image follows */
    uint8_t *x = f->fxsave;
    put16(x + 0, s->fpu_cw);
    put16(x + 2, sw);
    x[4] = abridged;
    put32(x + 24, s->mxcsr);
    put32(x + 28, 0xffff); /* MXCSR_MASK, as lifter/x87_env.c's FXSAVE */
    for (unsigned i = 0; i < 8; i++)
        memcpy(x + 32 + 16 * i, s->fpu_reg[(s->fpu_top + i) & 7], 10);
    memcpy(x + 160, s->xmm, sizeof(s->xmm));
}

/* The state Linux gives a handler (fpu__clear_user_states). */
static void fpu_reset(struct cpu_state *s)
{
    __asm__ volatile("fnclex");
    cpu_fpu_init(s);
    memset(s->fpu_reg, 0, sizeof(s->fpu_reg));
    memset(s->xmm, 0, sizeof(s->xmm));
}

/* As __fpu_restore_sig for an ia32 frame: the x87 part from the header,
 * MXCSR and XMM from the FXSAVE image. */
static int fpu_restore(struct guest_thread *t, uint32_t fp)
{
    struct cpu_state *s = &t->cpu;
    if (!fp) {
        fpu_reset(s);
        return 0;
    }
    struct kfpstate32 f;
    if (sys_copy_from(t, &f, fp, KFPSTATE_HEADER_SIZE) < 0)
        return -EFAULT;
    if (f.magic == 0 &&
        sys_copy_from(t, f.fxsave, fp + KFPSTATE_HEADER_SIZE,
                      sizeof(f.fxsave)) < 0)
        return -EFAULT;
    __asm__ volatile("fnclex");
    s->fpu_cw = (uint16_t)f.cw;
    s->fpu_top = (uint8_t)((f.sw & FPU_TOP_MASK) >> FPU_TOP_SHIFT);
    s->fpu_sw = (uint16_t)(f.sw & ~(FPU_TOP_MASK | FPU_ES | FPU_B));
    for (unsigned i = 0; i < 8; i++) {
        s->fpu_empty[i] = ((f.tag >> (2 * i)) & 3) == 3;
        uint8_t *r = s->fpu_reg[(s->fpu_top + i) & 7];
        memset(r, 0, 16);
        memcpy(r, f.st[i], 10);
    }
    if (f.magic == 0) {
        s->mxcsr = get32(f.fxsave + 24) & 0xffff;
        memcpy(s->xmm, f.fxsave + 160, sizeof(s->xmm));
    }
    return 0;
}

/* ---- the alternate stack ---- */

/* __on_sig_stack: sp within (ss_sp, ss_sp + ss_size]. */
static bool within_alt_stack(const struct signal_thread_state *ts, uint32_t sp)
{
    return sp > ts->ss_sp && sp - ts->ss_sp <= ts->ss_size;
}

/* on_sig_stack */
static bool on_alt_stack(const struct signal_thread_state *ts, uint32_t sp)
{
    if (ts->ss_flags & KSS_AUTODISARM)
        return false;
    return within_alt_stack(ts, sp);
}

/* sas_ss_flags */
static uint32_t alt_stack_flags(const struct signal_thread_state *ts,
                                uint32_t sp)
{
    if (!ts->ss_size)
        return KSS_DISABLE;
    return on_alt_stack(ts, sp) ? KSS_ONSTACK : 0;
}

struct kstack32 signal_altstack_get(struct guest_thread *t, uint32_t sp)
{
    struct signal_thread_state *ts = &t->sig;
    return (struct kstack32){
        .ss_sp = ts->ss_sp,
        .ss_size = ts->ss_size,
        .ss_flags = (int32_t)(alt_stack_flags(ts, sp) |
                              (ts->ss_flags & KSS_AUTODISARM)),
    };
}

int signal_altstack_set(struct guest_thread *t, const struct kstack32 *ss,
                        uint32_t sp)
{
    struct signal_thread_state *ts = &t->sig;
    if (ts->ss_size && on_alt_stack(ts, sp))
        return -EPERM;
    uint32_t mode = (uint32_t)ss->ss_flags & ~KSS_AUTODISARM;
    if (mode != KSS_DISABLE && mode != KSS_ONSTACK && mode != 0)
        return -EINVAL;
    if (mode == KSS_DISABLE) {
        ts->ss_sp = 0;
        ts->ss_size = 0;
    } else {
        if (ss->ss_size < KMINSIGSTKSZ)
            return -ENOMEM;
        ts->ss_sp = ss->ss_sp;
        ts->ss_size = ss->ss_size;
    }
    ts->ss_flags = (uint32_t)ss->ss_flags;
    return 0;
}

/* ---- frames ---- */

static struct ksigcontext32 sigcontext_of(struct guest_thread *t,
                                          uint32_t fp, uint64_t mask)
{
    const struct cpu_state *s = &t->cpu;
    const struct signal_thread_state *ts = &t->sig;
    return (struct ksigcontext32){
        .gs = s->seg_sel[SEG_GS], .fs = s->seg_sel[SEG_FS],
        .es = s->seg_sel[SEG_ES], .ds = s->seg_sel[SEG_DS],
        .edi = s->gpr[REG_EDI], .esi = s->gpr[REG_ESI],
        .ebp = s->gpr[REG_EBP], .esp = s->gpr[REG_ESP],
        .ebx = s->gpr[REG_EBX], .edx = s->gpr[REG_EDX],
        .ecx = s->gpr[REG_ECX], .eax = s->gpr[REG_EAX],
        .trapno = ts->trapno, .err = ts->err, .eip = s->eip,
        .cs = s->seg_sel[SEG_CS], .eflags = cpu_eflags_get(s),
        .esp_at_signal = s->gpr[REG_ESP], .ss = s->seg_sel[SEG_SS],
        .fpstate = fp, .oldmask = (uint32_t)mask, .cr2 = ts->cr2,
    };
}

/* The fault Linux forces when a frame cannot be written (force_sigsegv). */
static void force_sigsegv(struct guest_thread *t, int sig)
{
    if (sig == GUEST_SIGSEGV) {
        pthread_mutex_lock(&t->rt->sig.lock);
        t->rt->sig.action[sig - 1].handler = KSIG_DFL;
        pthread_mutex_unlock(&t->rt->sig.lock);
    }
    signal_deliver_fault(t, GUEST_SIGSEGV, KSI_KERNEL, 0, t->sig.trapno,
                         t->sig.err);
}

/* get_sigframe + ia32_setup_{rt_,}frame: false when the frame could not be
 * written. */
static bool setup_frame(struct guest_thread *t, int sig,
                        const struct ksigaction32 *act,
                        const struct ksiginfo32 *info, uint64_t oldmask)
{
    struct cpu_state *s = &t->cpu;
    struct signal_thread_state *ts = &t->sig;
    bool rt = act->flags & KSA_SIGINFO;
    uint32_t orig_sp = s->gpr[REG_ESP];
    uint32_t sp = orig_sp;
    bool nested = on_alt_stack(ts, sp), entering = false;
    if ((act->flags & KSA_ONSTACK) && alt_stack_flags(ts, sp) == 0) {
        sp = ts->ss_sp + ts->ss_size;
        entering = true;
    }
    /* fpu__alloc_mathframe: the FXSAVE image 64-byte aligned, the FNSAVE
     * header below it. */
    uint32_t buf_fx = (sp - 512) & ~63u;
    uint32_t fp = buf_fx - KFPSTATE_HEADER_SIZE;
    uint32_t size = rt ? sizeof(struct krt_sigframe32)
                       : sizeof(struct ksigframe32);
    uint32_t frame = ((fp - size + 4) & ~15u) - 4; /* align_sigframe */
    if ((nested || entering) && !within_alt_stack(ts, frame))
        return false; /* overflowed the alternate stack */

    struct kfpstate32 fpimg;
    fpu_save(s, &fpimg);
    if (sys_copy_to(t, fp, &fpimg, sizeof(fpimg)) < 0)
        return false;
    struct ksigcontext32 sc = sigcontext_of(t, fp, oldmask);
    uint32_t restorer;
    if (rt) {
        struct krt_sigframe32 f;
        memset(&f, 0, sizeof(f));
        restorer = (act->flags & KSA_RESTORER) ? act->restorer
                                               : TRAMPOLINE_RT_SIGRETURN;
        f.pretcode = restorer;
        f.sig = sig;
        f.pinfo = frame + offsetof(struct krt_sigframe32, info);
        f.puc = frame + offsetof(struct krt_sigframe32, uc);
        f.info = *info;
        f.uc.uc_flags = 0;
        f.uc.uc_link = 0;
        f.uc.uc_stack = (struct kstack32){
            .ss_sp = ts->ss_sp,
            .ss_flags = (int32_t)(ts->ss_size ? ts->ss_flags : KSS_DISABLE),
            .ss_size = ts->ss_size,
        };
        f.uc.uc_mcontext = sc;
        f.uc.uc_sigmask[0] = (uint32_t)oldmask;
        f.uc.uc_sigmask[1] = (uint32_t)(oldmask >> 32);
        memcpy(f.retcode, rt_sigreturn_code, sizeof(f.retcode));
        if (sys_copy_to(t, frame, &f, sizeof(f)) < 0)
            return false;
        s->gpr[REG_EDX] = f.pinfo;
        s->gpr[REG_ECX] = f.puc;
    } else {
        struct ksigframe32 f;
        memset(&f, 0, sizeof(f));
        restorer = (act->flags & KSA_RESTORER) ? act->restorer
                                               : TRAMPOLINE_SIGRETURN;
        f.pretcode = restorer;
        f.sig = sig;
        f.sc = sc;
        f.extramask = (uint32_t)(oldmask >> 32);
        memcpy(f.retcode, sigreturn_code, sizeof(f.retcode));
        if (sys_copy_to(t, frame, &f, sizeof(f)) < 0)
            return false;
        s->gpr[REG_EDX] = 0;
        s->gpr[REG_ECX] = 0;
    }
    if (ts->ss_flags & KSS_AUTODISARM) { /* sas_ss_reset */
        ts->ss_sp = 0;
        ts->ss_size = 0;
        ts->ss_flags = KSS_DISABLE;
    }
    s->gpr[REG_ESP] = frame;
    s->gpr[REG_EAX] = (uint32_t)sig;
    s->eip = act->handler;
    s->seg_sel[SEG_DS] = s->seg_sel[SEG_ES] = s->seg_sel[SEG_SS] = USER_DS;
    s->seg_sel[SEG_CS] = USER_CS;
    s->df = 0;
    s->eflags_other &= ~(EFLAGS_DF | EFLAGS_TF | (1u << 16));
    fpu_reset(s);
    return true;
}

/* handle_signal for a signal with a handler. */
static void handle_signal(struct guest_thread *t, int sig,
                          const struct ksigaction32 *act,
                          const struct ksiginfo32 *info)
{
    struct signal_thread_state *ts = &t->sig;
    uint64_t oldmask = ts->restore_mask ? ts->saved_mask : ts->blocked;
    note(t, "", info);
    if (!setup_frame(t, sig, act, info, oldmask)) {
        force_sigsegv(t, sig);
        return;
    }
    ts->restore_mask = false;
    uint64_t m = ts->blocked | ((uint64_t)act->mask[1] << 32 | act->mask[0]);
    if (!(act->flags & KSA_NODEFER))
        m |= signal_bit(sig);
    ts->blocked = signal_mask_unblockable(m);
    signal_host_sync_mask(t);
}

/* Take the default action; true when the guest is dead. */
static bool default_act(struct guest_thread *t, int sig,
                        const struct ksiginfo32 *info)
{
    switch (signal_default_action(sig)) {
    case DFL_IGN:
        return false;
    case DFL_STOP:
        note(t, "stopped ", info);
        signal_host_stop(sig);
        return false;
    default:
        note(t, "killed ", info);
        kill_guest(t, sig);
        return true;
    }
}

void signal_deliver_pending(struct guest_thread *t)
{
    __atomic_store_n(&t->cpu.interrupt, 0, __ATOMIC_SEQ_CST);
    for (;;) {
        sigset_t old;
        struct ksiginfo32 info;
        signal_host_block(&old);
        int sig = signal_queue_take(t, ~t->sig.blocked, &info);
        signal_host_restore(&old);
        if (!sig)
            break;
        struct ksigaction32 act;
        struct signal_process_state *ps = &t->rt->sig;
        pthread_mutex_lock(&ps->lock);
        act = ps->action[sig - 1];
        bool reset = act.handler > KSIG_IGN && (act.flags & KSA_RESETHAND);
        if (reset)
            ps->action[sig - 1].handler = KSIG_DFL; /* SA_ONESHOT */
        pthread_mutex_unlock(&ps->lock);
        if (reset)
            signal_host_action_changed(t->rt, sig);
        if (act.handler == KSIG_IGN)
            continue;
        if (act.handler == KSIG_DFL) {
            if (default_act(t, sig, &info))
                return;
            continue;
        }
        handle_signal(t, sig, &act, &info);
        if (t->exited)
            return;
    }
    if (t->sig.restore_mask) { /* restore_saved_sigmask */
        t->sig.restore_mask = false;
        t->sig.blocked = t->sig.saved_mask;
        signal_host_sync_mask(t);
        signal_deliver_pending(t);
    }
}

void signal_deliver_fault(struct guest_thread *t, int sig, int code,
                          uint32_t addr, uint32_t trapno, uint32_t err)
{
    struct signal_thread_state *ts = &t->sig;
    ts->trapno = trapno;
    ts->err = err;
    if (trapno == 14)
        ts->cr2 = addr;
    struct ksiginfo32 info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = code;
    info.u.fault.addr = addr;
    /* force_sig_info_to_task: a blocked or ignored fault takes the
     * default action. */
    struct signal_process_state *ps = &t->rt->sig;
    pthread_mutex_lock(&ps->lock);
    bool blocked = ts->blocked & signal_bit(sig);
    if (blocked || ps->action[sig - 1].handler == KSIG_IGN) {
        ps->action[sig - 1].handler = KSIG_DFL;
        ts->blocked &= ~signal_bit(sig);
    }
    pthread_mutex_unlock(&ps->lock);
    signal_host_sync_mask(t);
    signal_queue_put(t, &info);
    signal_deliver_pending(t);
}

bool signal_deliverable(struct guest_thread *t)
{
    uint64_t p = signal_queue_pending(t) & ~t->sig.blocked;
    while (p) {
        int sig = __builtin_ctzll(p) + 1;
        p &= p - 1;
        struct ksigaction32 a = action_of(t, sig);
        if (!action_ignores(&a, sig))
            return true;
        signal_queue_discard(t->rt, t, sig);
    }
    return false;
}

int signal_syscall_interrupted(struct guest_thread *t, bool restartable)
{
    sigset_t old;
    signal_host_block(&old);
    int result = 0;
    while (signal_deliverable(t)) {
        /* The signal delivery will take first. */
        uint64_t p = signal_queue_pending(t) & ~t->sig.blocked;
        uint64_t sync = p & (signal_bit(GUEST_SIGSEGV) | signal_bit(GUEST_SIGBUS) |
                             signal_bit(GUEST_SIGILL) | signal_bit(GUEST_SIGTRAP) |
                             signal_bit(GUEST_SIGFPE) | signal_bit(31));
        int sig = __builtin_ctzll(sync ? sync : p) + 1;
        struct ksigaction32 a = action_of(t, sig);
        if (a.handler == KSIG_DFL && signal_default_action(sig) == DFL_STOP) {
            struct ksiginfo32 info;
            signal_queue_take(t, signal_bit(sig), &info);
            default_act(t, sig, &info);
            continue; /* then restart, as Linux (no handler ran) */
        }
        if (a.handler == KSIG_DFL)
            result = 2; /* the guest dies of it */
        else
            result = (restartable && (a.flags & KSA_RESTART)) ? 1 : 2;
        break;
    }
    signal_host_restore(&old);
    return result;
}

/* ---- sigreturn ---- */

static bool restore_sigcontext(struct guest_thread *t,
                               const struct ksigcontext32 *sc)
{
    struct cpu_state *s = &t->cpu;
    s->seg_sel[SEG_GS] = sc->gs;
    s->seg_sel[SEG_FS] = sc->fs;
    s->seg_sel[SEG_ES] = sc->es;
    s->seg_sel[SEG_DS] = sc->ds;
    thread_load_segs(t);
    s->gpr[REG_EDI] = sc->edi;
    s->gpr[REG_ESI] = sc->esi;
    s->gpr[REG_EBP] = sc->ebp;
    s->gpr[REG_ESP] = sc->esp;
    s->gpr[REG_EBX] = sc->ebx;
    s->gpr[REG_EDX] = sc->edx;
    s->gpr[REG_ECX] = sc->ecx;
    s->gpr[REG_EAX] = sc->eax;
    s->eip = sc->eip;
    s->seg_sel[SEG_CS] = (uint16_t)(sc->cs | 3);
    s->seg_sel[SEG_SS] = (uint16_t)(sc->ss | 3);
    uint32_t fl = cpu_eflags_get(s);
    cpu_eflags_set(s, (fl & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS));
    return fpu_restore(t, sc->fpstate) == 0;
}

static long bad_frame(struct guest_thread *t)
{
    signal_deliver_fault(t, GUEST_SIGSEGV, KSI_KERNEL, 0, t->sig.trapno,
                         t->sig.err);
    return (long)(int32_t)t->cpu.gpr[REG_EAX];
}

/* Both sigreturns: the frame's signal mask, then its registers. */
static bool restore_frame(struct guest_thread *t, uint64_t set,
                          const struct ksigcontext32 *sc)
{
    t->sig.blocked = signal_mask_unblockable(set);
    signal_host_sync_mask(t);
    return restore_sigcontext(t, sc);
}

long signal_rt_sigreturn(struct guest_thread *t)
{
    uint32_t frame = t->cpu.gpr[REG_ESP] - 4;
    struct krt_sigframe32 f;
    if (sys_copy_from(t, &f, frame, sizeof(f)) < 0)
        return bad_frame(t);
    uint64_t set = (uint64_t)f.uc.uc_sigmask[1] << 32 | f.uc.uc_sigmask[0];
    if (!restore_frame(t, set, &f.uc.uc_mcontext))
        return bad_frame(t);
    (void)signal_altstack_set(t, &f.uc.uc_stack, t->cpu.gpr[REG_ESP]);
    t->cpu.interrupt = 1; /* the mask changed */
    return (long)(int32_t)t->cpu.gpr[REG_EAX];
}

long signal_sigreturn(struct guest_thread *t)
{
    uint32_t frame = t->cpu.gpr[REG_ESP] - 8;
    struct ksigframe32 f;
    if (sys_copy_from(t, &f, frame, sizeof(f)) < 0)
        return bad_frame(t);
    uint64_t set = (uint64_t)f.extramask << 32 | f.sc.oldmask;
    if (!restore_frame(t, set, &f.sc))
        return bad_frame(t);
    t->cpu.interrupt = 1;
    return (long)(int32_t)t->cpu.gpr[REG_EAX];
}
