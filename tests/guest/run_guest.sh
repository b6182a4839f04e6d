#!/bin/sh
# run_guest.sh R386 [-L SYSROOT] [-i STDIN] [--no-qemu|--qemu-exec] PROG [ARG...]
#
# --qemu-exec: PROG runs other i386 programs; qemu-i386 follows them
# (tests/qemu-ref.sh).
#
# --no-qemu: for programs whose answer under qemu-i386 is not the kernel's
# (e.g. 64-bit directory offsets given to a 32-bit program): only r386 runs
# and tests/guest/expected/NAME.out must exist and match.
#
# Runs PROG under r386 and under qemu-i386 (the reference: real i386 Linux
# semantics) with the same arguments, input and environment, and fails
# unless stdout and the exit status agree.  When
# tests/guest/expected/NAME.out exists, r386's stdout must also match it.
set -u
r386=$1
# The persistent cache of test runs: next to the r386 under test unless the
# caller chose one (scripts/test.sh starts CI with an empty one).
R386_CACHE_DIR=${R386_CACHE_DIR:-$(cd "$(dirname "$r386")" && pwd)/test-cache}
shift
sysroot=""
stdin=/dev/null
noqemu=0
qemu_exec=0
while [ $# -gt 0 ]; do
    case $1 in
    -L) sysroot=$2; shift 2 ;;
    -i) stdin=$2; shift 2 ;;
    --no-qemu) noqemu=1; shift ;;
    --qemu-exec) qemu_exec=1; shift ;;
    *) break ;;
    esac
done
prog=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
qemu=qemu-i386
[ $qemu_exec -eq 0 ] || qemu=$here/../qemu-ref.sh

# A fixed, small environment so both runs see the same one, plus the
# R386_* knobs the caller set, which only r386 reads (the tests of its
# tiers: R386_JIT_HOT, R386_INTERP, ...; values without spaces).
knobs=$(env | grep '^R386_' | grep -v '^R386_CACHE_DIR=')
run() {
    # shellcheck disable=SC2086
    env -i PATH=/usr/bin:/bin HOME=/nonexistent LC_ALL=C TZ=UTC \
        R386_CACHE_DIR="$R386_CACHE_DIR" $knobs "$@" \
        <"$stdin" >"$tmp/out.$n" 2>"$tmp/err.$n"
    echo $? >"$tmp/rc.$n"
}
n=qemu
if [ $noqemu -eq 1 ]; then :
elif [ -n "$sysroot" ]; then run $qemu -L "$sysroot" "$prog" "$@"
else run $qemu "$prog" "$@"; fi
n=r386
if [ -n "$sysroot" ]; then run "$r386" -L "$sysroot" "$prog" "$@"
else run "$r386" "$prog" "$@"; fi

fail=0
expected="$here/expected/$(basename "$prog").out"
if [ $noqemu -eq 1 ]; then
    if [ ! -f "$expected" ]; then
        echo "FAIL: --no-qemu needs $expected"
        fail=1
    fi
    if [ "$(cat "$tmp/rc.r386")" != 0 ]; then
        echo "FAIL: exit status $(cat "$tmp/rc.r386")"
        fail=1
    fi
elif ! cmp -s "$tmp/out.qemu" "$tmp/out.r386"; then
    echo "FAIL: stdout differs from qemu-i386 ($prog $*):"
    diff "$tmp/out.qemu" "$tmp/out.r386" | head -20
    fail=1
fi
if [ $noqemu -eq 0 ] && [ "$(cat "$tmp/rc.qemu")" != "$(cat "$tmp/rc.r386")" ]; then
    echo "FAIL: exit status $(cat "$tmp/rc.r386"), qemu-i386 says $(cat "$tmp/rc.qemu")"
    fail=1
fi
if [ -f "$expected" ] && ! cmp -s "$expected" "$tmp/out.r386"; then
    echo "FAIL: stdout differs from $expected"
    diff "$expected" "$tmp/out.r386" | head -20
    fail=1
fi
if [ $fail -ne 0 ]; then
    echo "--- r386 stderr:"
    head -20 "$tmp/err.r386"
    exit 1
fi
echo "ok: $(basename "$prog") $* (exit $(cat "$tmp/rc.r386"), $(wc -c <"$tmp/out.r386") bytes)"
