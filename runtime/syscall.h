/* The i386 system call layer: one row per system call (number, name,
 * handler, argument formats for --strace), handlers grouped by topic in
 * sys_*.c.  Private to runtime/.
 *
 * Handlers receive the six i386 argument registers (EBX ECX EDX ESI EDI
 * EBP) and return EAX: a value >= 0 or a negative errno.  i386 and x86-64
 * Linux share errno numbers, so a host errno passes through unchanged;
 * sys_host() is the one place that turns a host result into a guest one. */
#ifndef R386_SYSCALL_H
#define R386_SYSCALL_H

/* The i386 numbers as NR32_name, generated at build time from the kernel's
 * table (<asm/unistd_32.h>) under their own prefix, so that they never
 * mix with the host's __NR_/SYS_ numbers. */
#include "sysnum_i386.h"
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"
#include "thread.h"

typedef long (*sys_handler)(struct guest_thread *t, const uint32_t a[6]);

/* --strace argument formats, one character per argument:
 *   d signed decimal   u unsigned   x hex   p guest pointer   s guest string
 *   f file descriptor (AT_FDCWD shown by name)   o octal (modes)
 * and for the result: d (default), x (addresses), p. */
struct syscall_def {
    uint16_t nr;
    const char *name;
    sys_handler fn;
    const char *args;
    char ret;
};

/* Each topic file exports its rows. */
#define SYSCALL_TOPIC(topic)                                                \
    extern const struct syscall_def sys_##topic##_defs[];                   \
    extern const size_t sys_##topic##_count
SYSCALL_TOPIC(mm);
SYSCALL_TOPIC(proc);
SYSCALL_TOPIC(exec);
SYSCALL_TOPIC(fd);
SYSCALL_TOPIC(file);
SYSCALL_TOPIC(time);
SYSCALL_TOPIC(signal);
SYSCALL_TOPIC(net);
SYSCALL_TOPIC(poll);
SYSCALL_TOPIC(fs);
SYSCALL_TOPIC(thread);
#undef SYSCALL_TOPIC

#define SYSCALL_DEFS_END(topic)                                             \
    const size_t sys_##topic##_count =                                      \
        sizeof(sys_##topic##_defs) / sizeof(sys_##topic##_defs[0])

/* Run the system call the thread's registers describe (EAX = number) and
 * put the result in EAX. */
void syscall_dispatch(struct guest_thread *t);

/* The guest result of a host call that returned r (-1 with errno set). */
static inline long sys_host(long r)
{
    return r < 0 ? -errno : r;
}

/* Guest memory for handlers: a host pointer to [a, a+len) when the guest
 * may access it with prot, else NULL (the handler returns -EFAULT). */
void *sys_guest_ptr(struct guest_thread *t, guest_addr_t a, size_t len,
                    int prot);
/* Copy a NUL-terminated guest string (a path) into buf: 0, -EFAULT or
 * -ENAMETOOLONG. */
__attribute__((warn_unused_result))
int sys_guest_str(struct guest_thread *t, guest_addr_t a, char *buf,
                  size_t buflen);
__attribute__((warn_unused_result))
int sys_copy_to(struct guest_thread *t, guest_addr_t dst, const void *src,
                size_t len);
__attribute__((warn_unused_result))
int sys_copy_from(struct guest_thread *t, void *dst, guest_addr_t src,
                  size_t len);
struct guest_mem *sys_mem(struct guest_thread *t);

/* The three fd_sets of select/pselect6 (i386 layout: 32-bit words; any
 * of them may be absent) as host fd_sets.  At most SYS_SELECT_MAX_FDS
 * descriptors' bits are read. */
#define SYS_SELECT_MAX_FDS 65536
struct sys_fdsets {
    guest_addr_t guest[3];
    uint64_t *host[3]; /* NULL for an absent set */
    uint32_t guest_bytes;
};
/* Copy the sets in: 0, -ENOMEM or -EFAULT.  *nfds is clamped to the
 * maximum.  Call sys_fdsets_free() whatever it returns. */
__attribute__((warn_unused_result))
long sys_fdsets_in(struct guest_thread *t, struct sys_fdsets *s, int32_t *nfds,
                   guest_addr_t in, guest_addr_t out, guest_addr_t ex);
/* Copy the host's results back: 0 or -EFAULT. */
__attribute__((warn_unused_result))
long sys_fdsets_out(struct guest_thread *t, const struct sys_fdsets *s);
void sys_fdsets_free(struct sys_fdsets *s);

/* A guest struct timespec at a -- timespec64 when wide (the *_time64
 * calls), else the 32-bit one -- to and from the host's: 0 or -EFAULT. */
struct timespec;
__attribute__((warn_unused_result))
int sys_get_timespec(struct guest_thread *t, guest_addr_t a, bool wide,
                     struct timespec *ts);
__attribute__((warn_unused_result))
int sys_put_timespec(struct guest_thread *t, guest_addr_t a, bool wide,
                     const struct timespec *ts);

#endif
