/* Placeholder for the "signal" system call group (being written). */
#include "syscall.h"

static long sys_placeholder(struct guest_thread *t, const uint32_t a[6])
{
    return -ENOSYS;
}

const struct syscall_def sys_signal_defs[] = {
    {0, "restart_syscall", sys_placeholder, "", 'd'},
};
SYSCALL_DEFS_END(signal);
