#!/bin/sh
# qemu-ref.sh [-L SYSROOT] PROG [ARG...]
#
# qemu-i386, the tests' reference, made able to follow a guest that runs
# other i386 programs.  qemu-user does not intercept execve: it hands the
# new program to the host kernel, which on a host without IA32 support
# runs an i386 ELF only through a binfmt_misc entry.  Debian's
# qemu-user-binfmt would add one for the whole system (and let i386
# programs run behind r386's back in every other test), so instead this
# runs qemu-i386 in a user and mount namespace with a binfmt_misc instance
# of its own (Linux 6.7 and later), whose i386 entry starts qemu-i386 -L
# SYSROOT again.  Only the tests whose guests run i386 programs use it:
# the child's interpreter is a host shell script, which sees the guest's
# LD_PRELOAD and friends.  Where that cannot be had (older kernels, no user
# namespaces) it runs qemu-i386 as is, and a test whose guest runs i386
# programs fails with qemu-i386's answer.
set -eu
sysroot=
if [ "${1:-}" = -L ]; then
    sysroot=$(cd "$2" && pwd)
    shift 2
fi
qemu=$(command -v qemu-i386)

if [ "${R386_QEMU_REF_INNER:-}" = 1 ]; then
    # Inside the namespaces: our own binfmt_misc, an i386 entry (ET_EXEC
    # and ET_DYN) whose interpreter is a script passing the sysroot on.
    unset R386_QEMU_REF_INNER
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    child=$(mktemp)
    # P: the kernel passes the program's own argv[0] after its path.
    printf '#!/bin/sh\nf=$1 a=$2\nshift 2\nexec %s %s -0 "$a" "$f" "$@"\n' \
        "$qemu" "${sysroot:+-L $sysroot}" >"$child"
    chmod +x "$child"
    printf '%s' ":r386-ref-i386:M::\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:$child:P" \
        >/proc/sys/fs/binfmt_misc/register
    # The script stays until the namespace's last process has gone; it
    # lives in /tmp and is one line, so a leftover costs nothing.
    exec "$qemu" ${sysroot:+-L "$sysroot"} "$@"
fi

if unshare --user --map-root-user --mount sh -c \
    'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc' \
    >/dev/null 2>&1; then
    R386_QEMU_REF_INNER=1 exec unshare --user --map-root-user --mount \
        "$0" ${sysroot:+-L "$sysroot"} "$@"
fi
exec "$qemu" ${sysroot:+-L "$sysroot"} "$@"
