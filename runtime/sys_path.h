/* Guest path names for the system call handlers (sys_file.c, sys_fd.c).
 * Private to runtime/.
 *
 * Every handler that takes a path gets it through sys_path(), the one place
 * absolute paths are redirected into the -L sysroot (qemu-user's rule:
 * DIR/path when it exists, else the host path). */
#ifndef R386_SYS_PATH_H
#define R386_SYS_PATH_H

#include <stdbool.h>
#include <stdint.h>

#include "syscall.h"

/* PATH_MAX: a path of this many bytes, NUL included, is too long. */
#define SYS_PATH_MAX 4096

/* Copy the guest path at a into buf and resolve it (the host path to use):
 * 0, -EFAULT or -ENAMETOOLONG. */
__attribute__((warn_unused_result))
int sys_path(struct guest_thread *t, guest_addr_t a, char buf[SYS_PATH_MAX]);

/* Does the (guest) path name the running program's own /proc exe link:
 * /proc/self/exe, /proc/thread-self/exe or /proc/<our pid>/exe? */
bool sys_path_is_self_exe(const char *path);

/* Opening the guest's own /proc/self/{maps,cmdline,auxv} (also under
 * /proc/thread-self and /proc/<our pid>): true when path is one of them,
 * with *result the guest's answer (a descriptor on a memory file holding
 * the guest's view, filled now, or a negative errno). */
bool sys_proc_open(struct guest_thread *t, const char *path, uint32_t flags,
                   long *result);

/* Directory offsets as a 32-bit program sees them (sys_file.c): host
 * offsets past 2^31 become cookies below 2^31 and back.  to_guest answers
 * the guest value or -EOVERFLOW/-ENOMEM; to_host passes values that are
 * not cookies unchanged. */
int64_t sys_dir_off_to_guest(uint64_t host);
uint64_t sys_dir_off_to_host(uint64_t guest);
bool sys_is_dir_fd(int fd);

#endif
