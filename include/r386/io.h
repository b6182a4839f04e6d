/* Whole transfers to and from file descriptors, shared by the components
 * that write their own files (jit/'s cache files, interp/'s saved blocks). */
#ifndef R386_IO_H
#define R386_IO_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

/* All len bytes read into buf (or written from it), through short
 * transfers and EINTR; false at end of file or an error. */
static inline bool r386_transfer_all(int fd, void *buf, size_t len,
                                     bool writing)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = writing ? write(fd, p, len) : read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

#endif
