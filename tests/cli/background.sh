#!/bin/sh
# background.sh R386 GUEST DRAIN_GUEST: background first-tier compiles
# (R386_INTERP_BG).
#   - with every block interpreted until the background thread compiles it
#     (R386_INTERP huge, R386_INTERP_BG=1), a run of GUEST compiles units
#     there and its output and exit status are qemu-i386's;
#   - what the thread compiled is stored: the next run interprets fewer
#     blocks, with the same output;
#   - R386_INTERP_BG=0 compiles nothing in the background;
#   - requests still waiting when a process that ran 50 ms or more exits
#     are compiled before it does, when they are few (jit/tier2.c,
#     DRAIN_MAX): DRAIN_GUEST runs a loop 100 times, then sleeps past the
#     start-up window.  With the thread told never to serve requests while
#     the guest runs (R386_INTERP_BG_DELAY), requests made at 48 runs (a
#     dozen blocks: the loop, libc's start-up loops) and no early ones, the
#     first run still compiles them, at exit; the second loads them: it
#     interprets fewer blocks and compiles nothing.
set -u
r386=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
run() { # run NAME PROG: r386 --stats with the test cache, against qemu-i386
    qemu-i386 "$2" >"$tmp/want" 2>&1
    want_rc=$?
    "$r386" --cache-dir "$tmp/cache" --stats "$2" >"$tmp/$1.out" 2>"$tmp/$1.err"
    rc=$?
    [ "$rc" = "$want_rc" ] || fail "$1: exit status $rc, qemu-i386's $want_rc"
    grep -v '^r386 stats' "$tmp/$1.err" >>"$tmp/$1.out"
    cmp -s "$tmp/want" "$tmp/$1.out" || { diff "$tmp/want" "$tmp/$1.out" | head; fail "$1: output differs"; }
}
. "$(dirname "$0")/stats.sh"

R386_INTERP=1000000000 R386_INTERP_BG=1 run first "$2"
[ "$(bg_of first)" -gt 0 ] || fail "no unit compiled in the background: $(grep interpreted "$tmp/first.err")"
R386_INTERP=1000000000 R386_INTERP_BG=1 run second "$2"
[ "$(interp_of second)" -lt "$(interp_of first)" ] ||
    fail "the second run interpreted $(interp_of second) blocks, the first $(interp_of first)"
rm -rf "$tmp/cache"
R386_INTERP=1000000000 R386_INTERP_BG=0 run off "$2"
[ "$(bg_of off)" = 0 ] || fail "R386_INTERP_BG=0 compiled $(bg_of off) units in the background"
echo "ok: $(bg_of first) units compiled in the background; blocks interpreted $(interp_of first) -> $(interp_of second)"

rm -rf "$tmp/cache"
export R386_INTERP_BG_DELAY=1000000 R386_INTERP_BG=48 R386_INTERP_BG_EARLY=0
run drain1 "$3"
run drain2 "$3"
stored drain1 drain2 "request compiled at exit"
echo "ok: $(bg_of drain1) units compiled at exit; blocks interpreted $(interp_of drain1) -> $(interp_of drain2)"
