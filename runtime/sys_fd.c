/* Descriptor system calls.  (Placeholder: only write; the full group is
 * being written.) */
#include <unistd.h>

#include "syscall.h"

static long sys_write(struct guest_thread *t, const uint32_t a[6])
{
    void *p = sys_guest_ptr(t, a[1], a[2], GUEST_PROT_READ);
    if (!p)
        return -EFAULT;
    return sys_host(write((int)a[0], p, a[2]));
}

const struct syscall_def sys_fd_defs[] = {
    {__NR_write, "write", sys_write, "fpu", 'd'},
};
SYSCALL_DEFS_END(fd);
