#!/bin/sh
# run.sh R386 SYSROOT WORKLOAD
#
# Runs one workload of tests/integration/workloads.sh twice: with its guest
# programs under qemu-i386 -L SYSROOT (the reference: i386 Linux semantics)
# and under R386 -L SYSROOT.  Each run gets a fresh directory holding the
# same generated inputs; the workload's stdout, stderr, exit status and
# every file it leaves in its directory must be identical.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 R386 SYSROOT WORKLOAD" >&2; exit 2; }
r386=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# The persistent cache of test runs: next to the r386 under test unless the
# caller chose one (scripts/test.sh starts CI with an empty one).
R386_CACHE_DIR=${R386_CACHE_DIR:-$(cd "$(dirname "$r386")" && pwd)/test-cache}
sysroot=$(cd "$2" && pwd)
workload=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/r386-integration.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

. "$here/workloads.sh"
command -v "wl_$workload" >/dev/null || {
    echo "run.sh: no workload '$workload'" >&2; exit 2; }

# One run: $1 = qemu or r386.  Workloads call `g PROG ARGS...` for a guest
# program (PROG is its path inside the sysroot) with a fixed environment.
run_one() {
    who=$1
    dir=$tmp/$who
    mkdir -p "$dir"
    if command -v "in_$workload" >/dev/null; then (cd "$dir" && "in_$workload"); fi
    case $who in
    qemu) G_RUNNER="qemu-i386 -L $sysroot" ;;
    r386) G_RUNNER="$r386 -L $sysroot" ;;
    esac
    rc=0
    (cd "$dir" && "wl_$workload") >"$tmp/out.$who" 2>"$tmp/err.$who" || rc=$?
    echo "$rc" >"$tmp/rc.$who"
    (cd "$dir" && find . -type f | LC_ALL=C sort | while read -r f; do
        printf '%s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$f"; done) \
        >"$tmp/files.$who"
}

g() {
    prog=$1
    shift
    env -i PATH=/usr/bin:/bin HOME=/nonexistent LC_ALL=C TZ=UTC \
        R386_CACHE_DIR="$R386_CACHE_DIR" \
        ${G_ENV:-} $G_RUNNER "$sysroot$prog" "$@"
}

run_one qemu
run_one r386

fail=0
for what in rc out err files; do
    if ! cmp -s "$tmp/$what.qemu" "$tmp/$what.r386"; then
        echo "FAIL: $workload: $what differs from qemu-i386:"
        diff "$tmp/$what.qemu" "$tmp/$what.r386" | head -20
        fail=1
    fi
done
# A workload must do something observable.
if [ ! -s "$tmp/out.r386" ] && [ ! -s "$tmp/files.r386" ]; then
    echo "FAIL: $workload produced no output and no files"
    fail=1
fi
if [ $fail -ne 0 ]; then
    echo "--- r386 stderr:"; head -20 "$tmp/err.r386"
    exit 1
fi
echo "ok: $workload (exit $(cat "$tmp/rc.r386"), $(wc -c <"$tmp/out.r386") bytes out, $(wc -l <"$tmp/files.r386") files)"
