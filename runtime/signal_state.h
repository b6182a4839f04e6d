/* What the kernel keeps about signals, in the guest's terms: per process,
 * the action of each signal; per thread, the blocked mask and the
 * alternate stack.  Filled by sys_signal.c; read by signal delivery (a
 * later part).  Private to runtime/. */
#ifndef R386_SIGNAL_STATE_H
#define R386_SIGNAL_STATE_H

#include <pthread.h>
#include <stdint.h>

#include "kstructs.h"

#define GUEST_NSIG 64 /* _NSIG: signals 1..64 */

/* i386 signal numbers and flags the layer looks at (same on x86-64). */
enum {
    GUEST_SIGKILL = 9,
    GUEST_SIGSTOP = 19,
};

/* Per process (struct runtime): guarded by lock. */
struct signal_process_state {
    pthread_mutex_t lock;
    struct ksigaction32 action[GUEST_NSIG]; /* [sig - 1], as the guest set */
};

/* Per thread (struct guest_thread). */
struct signal_thread_state {
    uint64_t blocked; /* bit sig - 1 */
    /* sigaltstack: ss_size 0 means none (SS_DISABLE). */
    uint32_t ss_sp;
    uint32_t ss_size;
    uint32_t ss_flags; /* SS_AUTODISARM as given */
};

static inline uint64_t signal_bit(int sig)
{
    return UINT64_C(1) << (sig - 1);
}

#endif
