#!/bin/sh
# drain.sh R386 GUEST: background requests still waiting when a process
# that ran 50 ms or more exits are compiled before it does, when they are
# few (jit/tier2.c, DRAIN_MAX).  GUEST runs a loop 100 times, then sleeps
# past the start-up window.  With the thread told never to serve requests
# while the guest runs (R386_INTERP_BG_DELAY), requests made at 48 runs
# (a dozen blocks: the loop, libc's start-up loops) and no early ones, the
# first run still compiles them, at exit; the second loads them: it
# interprets fewer blocks and compiles nothing.  Output and exit status
# are qemu-i386's.
set -u
r386=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
qemu-i386 "$prog" >"$tmp/want" 2>&1
want_rc=$?
export R386_INTERP_BG_DELAY=1000000 R386_INTERP_BG=48 R386_INTERP_BG_EARLY=0
run() { # run NAME: r386 --stats with the test cache
    "$r386" --cache-dir "$tmp/cache" --stats "$prog" >"$tmp/$1.out" 2>"$tmp/$1.err"
    rc=$?
    [ "$rc" = "$want_rc" ] || fail "$1: exit status $rc, qemu-i386's $want_rc"
    grep -v '^r386 stats' "$tmp/$1.err" >>"$tmp/$1.out"
    cmp -s "$tmp/want" "$tmp/$1.out" || { diff "$tmp/want" "$tmp/$1.out" | head; fail "$1: output differs"; }
}
bg_of() { sed -n 's/.*; \([0-9]*\) units compiled in the background.*/\1/p' "$tmp/$1.err"; }
interp_of() { sed -n 's/^r386 stats: interpreted \([0-9]*\) blocks.*/\1/p' "$tmp/$1.err"; }
run first
[ "$(bg_of first)" -gt 0 ] || fail "no request compiled at exit: $(grep interpreted "$tmp/first.err")"
run second
[ "$(bg_of second)" = 0 ] || fail "the second run compiled $(bg_of second) units"
[ "$(interp_of second)" -lt "$(interp_of first)" ] ||
    fail "the second run interpreted $(interp_of second) blocks, the first $(interp_of first)"
echo "ok: $(bg_of first) units compiled at exit; blocks interpreted $(interp_of first) -> $(interp_of second)"
