/* Socket system calls: socketcall and the direct i386 socket calls.
 *
 * Socket addresses (AF_UNIX, AF_INET, AF_INET6, ...) have the same layout
 * on i386 and x86-64 and are copied through as bytes, with the kernel's
 * addrlen handling (move_addr_to_kernel / move_addr_to_user).  struct
 * msghdr, struct iovec and the control messages differ (32-bit pointers
 * and sizes, cmsg records aligned to 4 instead of 8) and are converted
 * here.  Control messages: SCM_RIGHTS and SCM_CREDENTIALS (same payload on
 * both ABIs) and other payloads are copied as bytes; the old SCM_TIMESTAMP
 * (struct timeval) and SCM_TIMESTAMPNS (struct timespec) are converted on
 * receipt.  SO_RCVTIMEO/SO_SNDTIMEO (old struct timeval) are converted;
 * other socket options pass through.
 *
 * Deviations: a guest iovec buffer that is not accessible as a whole gives
 * EFAULT before the transfer (the kernel would transfer up to the fault).
 * sendmmsg/recvmmsg loop over sendmsg/recvmsg; a failure after some
 * messages is not kept for the next call as the kernel keeps it. */
#include <linux/net.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kstructs.h"
#include "runtime_internal.h"
#include "syscall.h"

#define IOV_MAX_COUNT 1024 /* UIO_MAXIOV */
#define GUEST_SO_RCVTIMEO_OLD 20
#define GUEST_SO_SNDTIMEO_OLD 21
#define GUEST_SO_TIMESTAMP_OLD 29
#define GUEST_SO_TIMESTAMPNS_OLD 35

/* ---- socket addresses ---- */

/* move_addr_to_kernel: 0 and *out set (NULL when no address) or -errno. */
static long addr_in(struct guest_thread *t, guest_addr_t ga, uint32_t len,
                    struct sockaddr_storage *ss, socklen_t *hlen)
{
    if (len > sizeof(*ss))
        return -EINVAL;
    *hlen = len;
    if (len == 0)
        return 0;
    if (sys_copy_from(t, ss, ga, len) < 0)
        return -EFAULT;
    return 0;
}

/* move_addr_to_user: the host's address (klen bytes) into the guest buffer
 * ga of *galen bytes; the full length into *galen. */
static long addr_out(struct guest_thread *t, const void *kaddr, socklen_t klen,
                     guest_addr_t ga, guest_addr_t galen)
{
    int32_t len;
    if (sys_copy_from(t, &len, galen, sizeof(len)) < 0)
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    if ((uint32_t)len > klen)
        len = (int32_t)klen;
    if (len && sys_copy_to(t, ga, kaddr, (size_t)len) < 0)
        return -EFAULT;
    uint32_t full = klen;
    if (sys_copy_to(t, galen, &full, sizeof(full)) < 0)
        return -EFAULT;
    return 0;
}

/* ---- the calls ---- */

static long do_socket(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return sys_host(socket((int)a[0], (int)a[1], (int)a[2]));
}

static long do_socketpair(struct guest_thread *t, const uint32_t a[6])
{
    int sv[2];
    long r = sys_host(socketpair((int)a[0], (int)a[1], (int)a[2], sv));
    if (r < 0)
        return r;
    if (sys_copy_to(t, a[3], sv, sizeof(sv)) < 0) {
        close(sv[0]);
        close(sv[1]);
        return -EFAULT;
    }
    return r;
}

static long do_bind_connect(struct guest_thread *t, const uint32_t a[6],
                            bool connect_)
{
    struct sockaddr_storage ss;
    socklen_t len;
    long r = addr_in(t, a[1], a[2], &ss, &len);
    if (r < 0)
        return r;
    struct sockaddr *sa = (struct sockaddr *)&ss;
    return sys_host(connect_ ? connect((int)a[0], sa, len)
                             : bind((int)a[0], sa, len));
}

static long do_bind(struct guest_thread *t, const uint32_t a[6])
{
    return do_bind_connect(t, a, false);
}

static long do_connect(struct guest_thread *t, const uint32_t a[6])
{
    return do_bind_connect(t, a, true);
}

static long do_listen(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return sys_host(listen((int)a[0], (int)a[1]));
}

static long do_shutdown(struct guest_thread *t, const uint32_t a[6])
{
    (void)t;
    return sys_host(shutdown((int)a[0], (int)a[1]));
}

static long do_accept4(struct guest_thread *t, const uint32_t a[6])
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    long r = sys_host(accept4((int)a[0], a[1] ? (struct sockaddr *)&ss : NULL,
                              a[1] ? &len : NULL, (int)a[3]));
    if (r < 0 || !a[1])
        return r;
    long e = addr_out(t, &ss, len, a[1], a[2]);
    if (e < 0) {
        close((int)r);
        return e;
    }
    return r;
}

static long do_accept(struct guest_thread *t, const uint32_t a[6])
{
    const uint32_t b[6] = {a[0], a[1], a[2], 0, 0, 0};
    return do_accept4(t, b);
}

static long do_getname(struct guest_thread *t, const uint32_t a[6], bool peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    struct sockaddr *sa = (struct sockaddr *)&ss;
    long r = sys_host(peer ? getpeername((int)a[0], sa, &len)
                           : getsockname((int)a[0], sa, &len));
    if (r < 0)
        return r;
    return addr_out(t, &ss, len, a[1], a[2]);
}

static long do_getsockname(struct guest_thread *t, const uint32_t a[6])
{
    return do_getname(t, a, false);
}

static long do_getpeername(struct guest_thread *t, const uint32_t a[6])
{
    return do_getname(t, a, true);
}

/* A guest buffer the host transfers into or out of: NULL (the host then
 * answers EFAULT after its own checks) when not all of it is reachable. */
static void *buf(struct guest_thread *t, guest_addr_t a, uint32_t len,
                 int prot)
{
    return sys_guest_ptr(t, a, len, prot);
}

/* MSG_CMSG_COMPAT is the kernel's own flag: a compat caller passing it
 * gets EINVAL (and the host must never see it). */
#define GUEST_MSG_CMSG_COMPAT 0x80000000u

static long do_sendto(struct guest_thread *t, const uint32_t a[6])
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    if (a[4]) {
        long r = addr_in(t, a[4], a[5], &ss, &len);
        if (r < 0)
            return r;
    }
    void *p = buf(t, a[1], a[2], GUEST_PROT_READ);
    return sys_host(sendto((int)a[0], p, a[2], (int)a[3],
                           a[4] ? (struct sockaddr *)&ss : NULL, len));
}

static long do_send(struct guest_thread *t, const uint32_t a[6])
{
    const uint32_t b[6] = {a[0], a[1], a[2], a[3], 0, 0};
    return do_sendto(t, b);
}

static long do_recvfrom(struct guest_thread *t, const uint32_t a[6])
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    void *p = buf(t, a[1], a[2], GUEST_PROT_WRITE);
    long r = sys_host(recvfrom((int)a[0], p, a[2], (int)a[3],
                               a[4] ? (struct sockaddr *)&ss : NULL,
                               a[4] ? &len : NULL));
    if (r < 0 || !a[4])
        return r;
    long e = addr_out(t, &ss, len, a[4], a[5]);
    return e < 0 ? e : r;
}

static long do_recv(struct guest_thread *t, const uint32_t a[6])
{
    const uint32_t b[6] = {a[0], a[1], a[2], a[3], 0, 0};
    return do_recvfrom(t, b);
}

/* ---- messages ---- */

struct hmsg {
    struct msghdr m;
    struct sockaddr_storage name;
    struct iovec *iov;
    void *control;
};

static void hmsg_free(struct hmsg *h)
{
    free(h->iov);
    free(h->control);
}

/* The iovec array of a guest msghdr, each buffer reachable with prot. */
static long iov_in(struct guest_thread *t, const struct kmsghdr32 *g,
                   int prot, struct hmsg *h)
{
    if (g->msg_iovlen > IOV_MAX_COUNT)
        return -EMSGSIZE;
    uint32_t n = g->msg_iovlen;
    h->iov = calloc(n ? n : 1, sizeof(*h->iov));
    struct kiovec32 *v = calloc(n ? n : 1, sizeof(*v));
    if (!h->iov || !v) {
        free(v);
        return -ENOMEM;
    }
    long r = 0;
    if (n && sys_copy_from(t, v, g->msg_iov, n * sizeof(*v)) < 0)
        r = -EFAULT;
    uint64_t total = 0;
    for (uint32_t i = 0; r == 0 && i < n; i++) {
        if (v[i].iov_len > INT32_MAX)
            r = -EINVAL;
        else if (!(h->iov[i].iov_base = buf(t, v[i].iov_base, v[i].iov_len,
                                             prot)))
            r = -EFAULT;
        h->iov[i].iov_len = v[i].iov_len;
        total += v[i].iov_len;
    }
    free(v);
    if (r == 0 && total > INT32_MAX)
        r = -EINVAL;
    h->m.msg_iov = h->iov;
    h->m.msg_iovlen = n;
    return r;
}

/* The guest's control messages, as host records. */
static long cmsg_in(struct guest_thread *t, const struct kmsghdr32 *g,
                    struct hmsg *h)
{
    uint32_t clen = g->msg_controllen;
    if (!clen)
        return 0;
    if (clen > INT32_MAX)
        return -ENOBUFS;
    uint8_t *gc = malloc(clen);
    if (!gc)
        return -ENOMEM;
    if (sys_copy_from(t, gc, g->msg_control, clen) < 0) {
        free(gc);
        return -EFAULT;
    }
    /* Host space: each record's header grows by 4 and its padding by at
     * most 4. */
    size_t hcap = (size_t)clen * 2 + CMSG_SPACE(0);
    uint8_t *hc = calloc(1, hcap);
    if (!hc) {
        free(gc);
        return -ENOMEM;
    }
    size_t hoff = 0;
    uint32_t off = 0;
    long r = 0;
    while (off + sizeof(struct kcmsghdr32) <= clen) {
        struct kcmsghdr32 c;
        memcpy(&c, gc + off, sizeof(c));
        if (c.cmsg_len < sizeof(c) || c.cmsg_len > clen - off) {
            r = -EINVAL;
            break;
        }
        size_t dlen = c.cmsg_len - sizeof(c);
        struct cmsghdr *hh = (struct cmsghdr *)(hc + hoff);
        hh->cmsg_len = CMSG_LEN(dlen);
        hh->cmsg_level = c.cmsg_level;
        hh->cmsg_type = c.cmsg_type;
        memcpy(CMSG_DATA(hh), gc + off + sizeof(c), dlen);
        hoff += CMSG_SPACE(dlen);
        off += KCMSG32_ALIGN(c.cmsg_len);
    }
    free(gc);
    if (r < 0) {
        free(hc);
        return r;
    }
    h->control = hc;
    h->m.msg_control = hc;
    h->m.msg_controllen = hoff;
    return 0;
}

static long msg_in(struct guest_thread *t, guest_addr_t gm,
                   struct kmsghdr32 *g, struct hmsg *h, bool send)
{
    memset(h, 0, sizeof(*h));
    if (sys_copy_from(t, g, gm, sizeof(*g)) < 0)
        return -EFAULT;
    long r;
    if (g->msg_name) {
        if (send) {
            socklen_t len;
            r = addr_in(t, g->msg_name, g->msg_namelen, &h->name, &len);
            if (r < 0)
                return r;
            h->m.msg_namelen = len;
        } else {
            if ((int32_t)g->msg_namelen < 0)
                return -EINVAL;
            h->m.msg_namelen = sizeof(h->name);
        }
        h->m.msg_name = &h->name;
    }
    r = iov_in(t, g, send ? GUEST_PROT_READ : GUEST_PROT_WRITE, h);
    if (r < 0)
        return r;
    if (send)
        return cmsg_in(t, g, h);
    if (g->msg_controllen > INT32_MAX)
        return -ENOBUFS;
    if (g->msg_controllen) {
        size_t hcap = (size_t)g->msg_controllen * 2 + CMSG_SPACE(0);
        h->control = calloc(1, hcap);
        if (!h->control)
            return -ENOMEM;
        h->m.msg_control = h->control;
        h->m.msg_controllen = hcap;
    }
    h->m.msg_flags = 0;
    return 0;
}

static long do_sendmsg(struct guest_thread *t, const uint32_t a[6])
{
    if (a[2] & GUEST_MSG_CMSG_COMPAT)
        return -EINVAL;
    struct kmsghdr32 g;
    struct hmsg h;
    long r = msg_in(t, a[1], &g, &h, true);
    if (r == 0)
        r = sys_host(sendmsg((int)a[0], &h.m, (int)a[2]));
    hmsg_free(&h);
    return r;
}

static void close_fds(const uint8_t *data, size_t n)
{
    for (size_t i = 0; i + sizeof(int) <= n; i += sizeof(int)) {
        int fd;
        memcpy(&fd, data + i, sizeof(fd));
        close(fd);
    }
}

/* The host's received control messages into the guest buffer, as the
 * kernel's put_cmsg_compat/scm_detach_fds_compat: records that do not fit
 * are cut (MSG_CTRUNC), descriptors that do not fit are closed.  The
 * guest's msg_controllen becomes the bytes used. */
static long cmsg_out(struct guest_thread *t, const struct kmsghdr32 *g,
                     struct hmsg *h, uint32_t *used, int *flags)
{
    uint32_t cap = g->msg_controllen, off = 0;
    long r = 0;
    if (!h->control) {
        *used = 0;
        return 0;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&h->m); c;
         c = CMSG_NXTHDR(&h->m, c)) {
        const uint8_t *data = CMSG_DATA(c);
        size_t dlen = c->cmsg_len - CMSG_LEN(0);
        uint8_t conv[16];
        if (c->cmsg_level == SOL_SOCKET &&
            c->cmsg_type == GUEST_SO_TIMESTAMP_OLD &&
            dlen == sizeof(struct timeval)) {
            struct timeval tv;
            memcpy(&tv, data, sizeof(tv));
            struct ktimeval32 k = kstruct_timeval32_from_host(&tv);
            memcpy(conv, &k, sizeof(k));
            data = conv;
            dlen = sizeof(k);
        } else if (c->cmsg_level == SOL_SOCKET &&
                   c->cmsg_type == GUEST_SO_TIMESTAMPNS_OLD &&
                   dlen == sizeof(struct timespec)) {
            struct timespec ts;
            memcpy(&ts, data, sizeof(ts));
            struct ktimespec32 k = kstruct_timespec32_from_host(&ts);
            memcpy(conv, &k, sizeof(k));
            data = conv;
            dlen = sizeof(k);
        }
        bool rights = c->cmsg_level == SOL_SOCKET &&
                      c->cmsg_type == SCM_RIGHTS;
        uint32_t room = cap - off;
        if (room < sizeof(struct kcmsghdr32)) {
            *flags |= MSG_CTRUNC;
            if (rights)
                close_fds(data, dlen);
            continue;
        }
        size_t take = dlen;
        if (take > room - sizeof(struct kcmsghdr32)) {
            take = room - sizeof(struct kcmsghdr32);
            if (rights)
                take -= take % sizeof(int);
            *flags |= MSG_CTRUNC;
            if (rights)
                close_fds(data + take, dlen - take);
            if (rights && !take)
                continue; /* no record without a descriptor */
        }
        struct kcmsghdr32 k = {(uint32_t)(sizeof(k) + take), c->cmsg_level,
                               c->cmsg_type};
        if (sys_copy_to(t, g->msg_control + off, &k, sizeof(k)) < 0 ||
            sys_copy_to(t, g->msg_control + off + sizeof(k), data, take) < 0)
            r = -EFAULT;
        off += KCMSG32_ALIGN(k.cmsg_len);
        if (off > cap)
            off = cap;
    }
    *used = off;
    return r;
}

static long do_recvmsg(struct guest_thread *t, const uint32_t a[6])
{
    if (a[2] & GUEST_MSG_CMSG_COMPAT)
        return -EINVAL;
    struct kmsghdr32 g;
    struct hmsg h;
    long r = msg_in(t, a[1], &g, &h, false);
    if (r == 0)
        r = sys_host(recvmsg((int)a[0], &h.m, (int)a[2]));
    if (r >= 0) {
        int flags = h.m.msg_flags;
        uint32_t used = 0;
        long e = cmsg_out(t, &g, &h, &used, &flags);
        if (e == 0 && g.msg_name)
            e = addr_out(t, &h.name, h.m.msg_namelen, g.msg_name,
                         a[1] + offsetof(struct kmsghdr32, msg_namelen));
        else if (e == 0) {
            uint32_t z = 0;
            if (sys_copy_to(t, a[1] + offsetof(struct kmsghdr32, msg_namelen),
                            &z, sizeof(z)) < 0)
                e = -EFAULT;
        }
        uint32_t f = (uint32_t)flags;
        if (e == 0 &&
            (sys_copy_to(t, a[1] + offsetof(struct kmsghdr32, msg_controllen),
                         &used, sizeof(used)) < 0 ||
             sys_copy_to(t, a[1] + offsetof(struct kmsghdr32, msg_flags), &f,
                         sizeof(f)) < 0))
            e = -EFAULT;
        if (e < 0)
            r = e;
    }
    hmsg_free(&h);
    return r;
}

/* ---- several messages ---- */

#define MMSG_MAX 1024 /* UIO_MAXIOV */

/* sendmmsg: as the kernel, the count sent, or the first error when none
 * was. */
static long do_sendmmsg(struct guest_thread *t, const uint32_t a[6])
{
    uint32_t n = a[2] > MMSG_MAX ? MMSG_MAX : a[2];
    long done = 0, r = 0;
    for (uint32_t i = 0; i < n; i++) {
        guest_addr_t gm = a[1] + i * (uint32_t)sizeof(struct kmmsghdr32);
        const uint32_t b[6] = {a[0], gm, a[3], 0, 0, 0};
        r = do_sendmsg(t, b);
        if (r < 0)
            break;
        uint32_t len = (uint32_t)r;
        if (sys_copy_to(t, gm + offsetof(struct kmmsghdr32, msg_len), &len,
                        sizeof(len)) < 0) {
            r = -EFAULT;
            break;
        }
        done++;
    }
    return done ? done : r;
}

/* recvmmsg: MSG_WAITFORONE turns on MSG_DONTWAIT after the first message;
 * the timeout is checked after each message, as the kernel does. */
static long do_recvmmsg(struct guest_thread *t, const uint32_t a[6],
                        bool t64)
{
    struct timespec end = {0, 0};
    bool timed = a[4] != 0;
    if (timed) {
        struct timespec ts;
        if (sys_get_timespec(t, a[4], t64, &ts) < 0)
            return -EFAULT;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
            return -EINVAL;
        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_sec += ts.tv_sec;
        end.tv_nsec += ts.tv_nsec;
        if (end.tv_nsec >= 1000000000) {
            end.tv_sec++;
            end.tv_nsec -= 1000000000;
        }
    }
    uint32_t n = a[2] > MMSG_MAX ? MMSG_MAX : a[2];
    uint32_t flags = a[3];
    long done = 0, r = 0;
    for (uint32_t i = 0; i < n; i++) {
        guest_addr_t gm = a[1] + i * (uint32_t)sizeof(struct kmmsghdr32);
        const uint32_t b[6] = {a[0], gm, flags & ~(uint32_t)MSG_WAITFORONE,
                               0, 0, 0};
        r = do_recvmsg(t, b);
        if (r < 0)
            break;
        uint32_t len = (uint32_t)r;
        if (sys_copy_to(t, gm + offsetof(struct kmmsghdr32, msg_len), &len,
                        sizeof(len)) < 0) {
            r = -EFAULT;
            break;
        }
        done++;
        if (flags & MSG_WAITFORONE)
            flags |= MSG_DONTWAIT;
        if (timed) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec > end.tv_sec ||
                (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
                break;
        }
    }
    if (timed) {
        /* The time left, written back as the kernel does. */
        struct timespec now, left = {0, 0};
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec < end.tv_sec ||
            (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec)) {
            left.tv_sec = end.tv_sec - now.tv_sec;
            left.tv_nsec = end.tv_nsec - now.tv_nsec;
            if (left.tv_nsec < 0) {
                left.tv_sec--;
                left.tv_nsec += 1000000000;
            }
        }
        if (sys_put_timespec(t, a[4], t64, &left) < 0 && done)
            return -EFAULT;
    }
    return done ? done : r;
}

static long do_recvmmsg32(struct guest_thread *t, const uint32_t a[6])
{
    return do_recvmmsg(t, a, false);
}

static long do_recvmmsg64(struct guest_thread *t, const uint32_t a[6])
{
    return do_recvmmsg(t, a, true);
}

/* ---- options ---- */

static bool opt_is_timeval(uint32_t level, uint32_t name)
{
    return level == SOL_SOCKET &&
           (name == GUEST_SO_RCVTIMEO_OLD || name == GUEST_SO_SNDTIMEO_OLD);
}

static long do_setsockopt(struct guest_thread *t, const uint32_t a[6])
{
    if ((int32_t)a[4] < 0)
        return -EINVAL;
    if (opt_is_timeval(a[1], a[2])) {
        struct ktimeval32 g;
        if (a[4] < sizeof(g))
            return -EINVAL;
        if (sys_copy_from(t, &g, a[3], sizeof(g)) < 0)
            return -EFAULT;
        struct timeval tv = kstruct_timeval32_to_host(&g);
        return sys_host(setsockopt((int)a[0], (int)a[1], (int)a[2], &tv,
                                   sizeof(tv)));
    }
    uint8_t stackbuf[256];
    void *p = stackbuf;
    if (a[4] > sizeof(stackbuf) && !(p = malloc(a[4])))
        return -ENOMEM;
    long r;
    if (a[4] && sys_copy_from(t, p, a[3], a[4]) < 0)
        r = sys_host(setsockopt((int)a[0], (int)a[1], (int)a[2], NULL, a[4]));
    else
        r = sys_host(setsockopt((int)a[0], (int)a[1], (int)a[2],
                                a[4] ? p : NULL, a[4]));
    if (p != stackbuf)
        free(p);
    return r;
}

static long do_getsockopt(struct guest_thread *t, const uint32_t a[6])
{
    int32_t glen;
    if (sys_copy_from(t, &glen, a[4], sizeof(glen)) < 0)
        return -EFAULT;
    if (glen < 0)
        return -EINVAL;
    if (opt_is_timeval(a[1], a[2])) {
        struct timeval tv;
        socklen_t len = sizeof(tv);
        long r = sys_host(getsockopt((int)a[0], (int)a[1], (int)a[2], &tv,
                                     &len));
        if (r < 0)
            return r;
        struct ktimeval32 g = kstruct_timeval32_from_host(&tv);
        uint32_t n = (uint32_t)glen < sizeof(g) ? (uint32_t)glen : sizeof(g);
        if (sys_copy_to(t, a[3], &g, n) < 0 ||
            sys_copy_to(t, a[4], &n, sizeof(n)) < 0)
            return -EFAULT;
        return 0;
    }
    socklen_t len = (socklen_t)glen;
    void *p = buf(t, a[3], len, GUEST_PROT_WRITE);
    long r = sys_host(getsockopt((int)a[0], (int)a[1], (int)a[2], p, &len));
    if (r < 0)
        return r;
    uint32_t n = len;
    if (sys_copy_to(t, a[4], &n, sizeof(n)) < 0)
        return -EFAULT;
    return r;
}

/* ---- socketcall ---- */

static const struct {
    sys_handler fn;
    uint8_t nargs;
} socketcalls[] = {
    [SYS_SOCKET] = {do_socket, 3},
    [SYS_BIND] = {do_bind, 3},
    [SYS_CONNECT] = {do_connect, 3},
    [SYS_LISTEN] = {do_listen, 2},
    [SYS_ACCEPT] = {do_accept, 3},
    [SYS_GETSOCKNAME] = {do_getsockname, 3},
    [SYS_GETPEERNAME] = {do_getpeername, 3},
    [SYS_SOCKETPAIR] = {do_socketpair, 4},
    [SYS_SEND] = {do_send, 4},
    [SYS_RECV] = {do_recv, 4},
    [SYS_SENDTO] = {do_sendto, 6},
    [SYS_RECVFROM] = {do_recvfrom, 6},
    [SYS_SHUTDOWN] = {do_shutdown, 2},
    [SYS_SETSOCKOPT] = {do_setsockopt, 5},
    [SYS_GETSOCKOPT] = {do_getsockopt, 5},
    [SYS_SENDMSG] = {do_sendmsg, 3},
    [SYS_RECVMSG] = {do_recvmsg, 3},
    [SYS_ACCEPT4] = {do_accept4, 4},
    [SYS_RECVMMSG] = {do_recvmmsg32, 5},
    [SYS_SENDMMSG] = {do_sendmmsg, 4},
};

static long sys_socketcall(struct guest_thread *t, const uint32_t a[6])
{
    uint32_t call = a[0];
    if (call < 1 || call >= sizeof(socketcalls) / sizeof(socketcalls[0]) ||
        !socketcalls[call].fn)
        return -EINVAL;
    uint32_t args[6] = {0};
    if (sys_copy_from(t, args, a[1], socketcalls[call].nargs * 4u) < 0)
        return -EFAULT;
    return socketcalls[call].fn(t, args);
}

const struct syscall_def sys_net_defs[] = {
    {NR32_socketcall, "socketcall", sys_socketcall, "dp", 'd'},
    {NR32_socket, "socket", do_socket, "ddd", 'd'},
    {NR32_socketpair, "socketpair", do_socketpair, "dddp", 'd'},
    {NR32_bind, "bind", do_bind, "fpu", 'd'},
    {NR32_connect, "connect", do_connect, "fpu", 'd'},
    {NR32_listen, "listen", do_listen, "fd", 'd'},
    {NR32_accept4, "accept4", do_accept4, "fppx", 'd'},
    {NR32_getsockname, "getsockname", do_getsockname, "fpp", 'd'},
    {NR32_getpeername, "getpeername", do_getpeername, "fpp", 'd'},
    {NR32_sendto, "sendto", do_sendto, "fpuxpu", 'd'},
    {NR32_recvfrom, "recvfrom", do_recvfrom, "fpuxpp", 'd'},
    {NR32_sendmsg, "sendmsg", do_sendmsg, "fpx", 'd'},
    {NR32_recvmsg, "recvmsg", do_recvmsg, "fpx", 'd'},
    {NR32_sendmmsg, "sendmmsg", do_sendmmsg, "fpux", 'd'},
    {NR32_recvmmsg, "recvmmsg", do_recvmmsg32, "fpuxp", 'd'},
    {NR32_recvmmsg_time64, "recvmmsg_time64", do_recvmmsg64, "fpuxp", 'd'},
    {NR32_shutdown, "shutdown", do_shutdown, "fd", 'd'},
    {NR32_setsockopt, "setsockopt", do_setsockopt, "fddpu", 'd'},
    {NR32_getsockopt, "getsockopt", do_getsockopt, "fddpp", 'd'},
};
SYSCALL_DEFS_END(net);
