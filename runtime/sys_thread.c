/* Threads: clone with CLONE_VM|CLONE_THREAD (glibc's pthread_create),
 * thread exit versus exit_group, and futex.
 *
 * Each guest thread runs on a host thread of its own with its own CPU
 * state (struct guest_thread) and TLS descriptors; they share the guest
 * address space, the translation cache and the JIT (jit.h says how that
 * is made safe).  Guest memory is host memory, so a guest futex word is a
 * host futex word: futex operations go to the host kernel on the
 * translated address, and guest threads block and wake each other (and
 * are woken by CLONE_CHILD_CLEARTID, emulated at thread exit) exactly as
 * native threads do.
 *
 * Deviations: set_robust_list answers ENOSYS (glibc then reports robust
 * mutexes as unsupported), as qemu-user does; a clone with CLONE_VM but
 * without CLONE_THREAD (posix_spawn's CLONE_VM|CLONE_VFORK) runs the child
 * as a fork: it does not share memory with its parent until it execs. */
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "syscall.h"

/* Linux clone flags (same values on i386 and x86-64). */
#define CL_SETTLS 0x00080000u
#define CL_PARENT_SETTID 0x00100000u
#define CL_CHILD_CLEARTID 0x00200000u
#define CL_CHILD_SETTID 0x01000000u

/* The handshake between clone and the new host thread: the parent learns
 * the tid and writes it where asked before the child runs guest code. */
struct thread_start {
    struct guest_thread *t;
    sem_t have_tid, go;
};

static void *thread_main(void *arg)
{
    struct thread_start *st = arg;
    struct guest_thread *t = st->t;
    t->tid = (int)syscall(SYS_gettid);
    sem_post(&st->have_tid);
    while (sem_wait(&st->go) != 0)
        ;
    sem_destroy(&st->have_tid);
    sem_destroy(&st->go);
    free(st); /* the parent is done with it once it posted go */
    signal_thread_start(t);
    runtime_profile_thread_start(t);
    int status = runtime_thread_loop(t->rt, t);
    if (status < 0 || !t->exited)
        runtime_end_process(t->rt, status); /* killed: the whole process */
    runtime_profile_thread_stop(t);
    free(t);
    return NULL;
}

long thread_clone(struct guest_thread *t, uint32_t flags, guest_addr_t sp,
                  guest_addr_t ptid, guest_addr_t tls, guest_addr_t ctid)
{
    struct guest_thread *c = malloc(sizeof(*c));
    if (!c)
        return -ENOMEM;
    *c = *t; /* registers, TLS slots, signal mask */
    c->cpu.gpr[REG_EAX] = 0;
    c->cpu.interrupt = 0;
    /* As Linux: a thread starts with no alternate signal stack. */
    c->sig.ss_sp = c->sig.ss_size = c->sig.ss_flags = 0;
    if (sp)
        c->cpu.gpr[REG_ESP] = sp;
    c->clear_child_tid = flags & CL_CHILD_CLEARTID ? ctid : 0;
    c->exited = false;
    if (flags & CL_SETTLS) {
        long e = thread_set_area(c, tls);
        if (e < 0) {
            free(c);
            return e;
        }
    }
    struct thread_start *st = malloc(sizeof(*st));
    if (!st) {
        free(c);
        return -ENOMEM;
    }
    st->t = c;
    sem_init(&st->have_tid, 0, 0);
    sem_init(&st->go, 0, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    __atomic_add_fetch(&t->rt->nthreads, 1, __ATOMIC_SEQ_CST);
    pthread_t th;
    int e = pthread_create(&th, &attr, thread_main, st);
    pthread_attr_destroy(&attr);
    if (e != 0) {
        __atomic_sub_fetch(&t->rt->nthreads, 1, __ATOMIC_SEQ_CST);
        free(st);
        free(c);
        return -EAGAIN;
    }
    while (sem_wait(&st->have_tid) != 0)
        ;
    uint32_t tid = (uint32_t)c->tid;
    /* As the kernel: both written before the child runs; a bad pointer is
     * not an error of clone (the kernel ignores its put_user results). */
    int ignored = 0;
    if (flags & CL_PARENT_SETTID)
        ignored = sys_copy_to(t, ptid, &tid, 4);
    if (flags & CL_CHILD_SETTID)
        ignored = sys_copy_to(t, ctid, &tid, 4);
    (void)ignored;
    sem_post(&st->go); /* st is the child's from here on */
    return tid;
}

/* ---- exit ---- */

/* CLONE_CHILD_CLEARTID / set_tid_address: what the kernel does when a
 * thread ends -- zero the word and wake one waiter (pthread_join). */
static void clear_child_tid(struct guest_thread *t)
{
    if (!t->clear_child_tid)
        return;
    uint32_t zero = 0;
    if (sys_copy_to(t, t->clear_child_tid, &zero, 4) < 0)
        return;
    void *p = g2h(sys_mem(t), t->clear_child_tid);
    syscall(SYS_futex, p, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* exit: this thread ends; the process ends with the last one. */
static long sys_exit(struct guest_thread *t, const uint32_t a[6])
{
    struct runtime *rt = t->rt;
    int status = (int)(a[0] & 0xff);
    clear_child_tid(t);
    int left = __atomic_sub_fetch(&rt->nthreads, 1, __ATOMIC_SEQ_CST);
    if (left == 0 && t != &rt->main_thread)
        runtime_end_process(rt, status);
    if (left > 0 && t == &rt->main_thread) {
        runtime_profile_thread_stop(t);
        pthread_exit(NULL); /* the process lives on in the other threads */
    }
    t->exited = true;
    t->exit_status = status;
    return 0;
}

static long sys_exit_group(struct guest_thread *t, const uint32_t a[6])
{
    int status = (int)(a[0] & 0xff);
    if (__atomic_load_n(&t->rt->nthreads, __ATOMIC_SEQ_CST) > 1)
        runtime_end_process(t->rt, status);
    t->exited = true;
    t->exit_status = status;
    return 0;
}

/* ---- futex ---- */

#define FUTEX_CMD(op) ((op) & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3); wide: the
 * timeout is a timespec64 (futex_time64). */
static long do_futex(struct guest_thread *t, const uint32_t a[6], bool wide)
{
    int op = (int)a[1];
    void *uaddr = sys_guest_ptr(t, a[0], 4, GUEST_PROT_READ);
    if (!uaddr)
        return -EFAULT;
    void *uaddr2 = NULL;
    struct timespec ts;
    const void *arg4 = (const void *)(uintptr_t)a[3]; /* val2 */
    switch (FUTEX_CMD(op)) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
    case FUTEX_WAIT_REQUEUE_PI:
        arg4 = NULL;
        if (a[3]) {
            if (sys_get_timespec(t, a[3], wide, &ts) < 0)
                return -EFAULT;
            arg4 = &ts;
        }
        break;
    default:
        break;
    }
    switch (FUTEX_CMD(op)) {
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
    case FUTEX_WAKE_OP:
    case FUTEX_CMP_REQUEUE_PI:
    case FUTEX_WAIT_REQUEUE_PI:
        uaddr2 = sys_guest_ptr(t, a[4], 4, GUEST_PROT_READ);
        if (!uaddr2)
            return -EFAULT;
        break;
    default:
        break;
    }
    return sys_host(syscall(SYS_futex, uaddr, op, a[2], arg4, uaddr2, a[5]));
}

static long sys_futex(struct guest_thread *t, const uint32_t a[6])
{
    return do_futex(t, a, false);
}

static long sys_futex_time64(struct guest_thread *t, const uint32_t a[6])
{
    return do_futex(t, a, true);
}

const struct syscall_def sys_thread_defs[] = {
    {NR32_exit, "exit", sys_exit, "d", 'd'},
    {NR32_exit_group, "exit_group", sys_exit_group, "d", 'd'},
    {NR32_futex, "futex", sys_futex, "pdupux", 'd'},
    {NR32_futex_time64, "futex_time64", sys_futex_time64, "pdupux", 'd'},
};
SYSCALL_DEFS_END(thread);
