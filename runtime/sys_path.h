/* Guest path names for the system call handlers (sys_file.c, sys_fd.c).
 * Private to runtime/.
 *
 * Every handler that takes a path gets it through sys_path(), so that the
 * later redirection of absolute paths into the -L sysroot has one place to
 * go. */
#ifndef R386_SYS_PATH_H
#define R386_SYS_PATH_H

#include <stdbool.h>

#include "syscall.h"

/* PATH_MAX: a path of this many bytes, NUL included, is too long. */
#define SYS_PATH_MAX 4096

/* Copy the guest path at a into buf (the host path to use): 0, -EFAULT or
 * -ENAMETOOLONG. */
__attribute__((warn_unused_result))
int sys_path(struct guest_thread *t, guest_addr_t a, char buf[SYS_PATH_MAX]);

/* Does the (guest) path name the running program's own /proc exe link:
 * /proc/self/exe, /proc/thread-self/exe or /proc/<our pid>/exe? */
bool sys_path_is_self_exe(const char *path);

#endif
