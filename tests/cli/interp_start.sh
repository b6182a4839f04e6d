#!/bin/sh
# interp_start.sh R386 SYSROOT: the interpreter's start-up threshold
# (R386_INTERP_START_MS).  A dynamic `true` runs some of ld.so's blocks
# between 256 and 4096 times:
#   - while starting (the window made longer than the run) they are
#     interpreted, so nothing is compiled;
#   - with no start-up window they are compiled at 256 runs;
# and the output and exit status are qemu-i386's either way.  (Counts, not
# times: which window a run falls in is set by the knob, not the clock.)
set -u
r386=$1
sysroot=$2
prog=$sysroot/bin/true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
qemu-i386 -L "$sysroot" "$prog" >"$tmp/want" 2>&1
want_rc=$?
run() { # run NAME: a cold run (no cache) with --stats
    "$r386" --no-cache --stats -L "$sysroot" "$prog" >"$tmp/$1.out" 2>"$tmp/$1.err"
    rc=$?
    [ "$rc" = "$want_rc" ] || fail "$1: exit status $rc, qemu-i386's $want_rc"
    grep -v '^r386 stats' "$tmp/$1.err" >>"$tmp/$1.out"
    cmp -s "$tmp/want" "$tmp/$1.out" || fail "$1: output differs"
}
units_of() { sed -n 's/^r386 stats: \([0-9]*\) units in.*/\1/p' "$tmp/$1.err"; }
R386_INTERP_START_MS=1000000 run starting
[ "$(units_of starting)" = 0 ] || fail "while starting, $(units_of starting) units were compiled"
R386_INTERP_START_MS=0 run started
[ "$(units_of started)" -gt 0 ] || fail "with no start-up window nothing was compiled"
echo "ok: 0 units while starting, $(units_of started) with no start-up window"
