#!/bin/sh
# background.sh R386 GUEST: background first-tier compiles (R386_INTERP_BG).
#   - with every block interpreted until the background thread compiles it
#     (R386_INTERP huge, R386_INTERP_BG=1), a run compiles units there and
#     its output and exit status are qemu-i386's;
#   - what the thread compiled is stored: the next run interprets fewer
#     blocks, with the same output;
#   - R386_INTERP_BG=0 compiles nothing in the background.
set -u
r386=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
qemu-i386 "$prog" >"$tmp/want" 2>&1
want_rc=$?
export R386_INTERP=1000000000
run() { # run NAME: r386 --stats with the test cache
    "$r386" --cache-dir "$tmp/cache" --stats "$prog" >"$tmp/$1.out" 2>"$tmp/$1.err"
    rc=$?
    [ "$rc" = "$want_rc" ] || fail "$1: exit status $rc, qemu-i386's $want_rc"
    grep -v '^r386 stats' "$tmp/$1.err" >>"$tmp/$1.out"
    cmp -s "$tmp/want" "$tmp/$1.out" || { diff "$tmp/want" "$tmp/$1.out" | head; fail "$1: output differs"; }
}
bg_of() { sed -n 's/.*; \([0-9]*\) units compiled in the background.*/\1/p' "$tmp/$1.err"; }
interp_of() { sed -n 's/^r386 stats: interpreted \([0-9]*\) blocks.*/\1/p' "$tmp/$1.err"; }

R386_INTERP_BG=1 run first
[ "$(bg_of first)" -gt 0 ] || fail "no unit compiled in the background: $(grep interpreted "$tmp/first.err")"
R386_INTERP_BG=1 run second
[ "$(interp_of second)" -lt "$(interp_of first)" ] ||
    fail "the second run interpreted $(interp_of second) blocks, the first $(interp_of first)"
rm -rf "$tmp/cache"
R386_INTERP_BG=0 run off
[ "$(bg_of off)" = 0 ] || fail "R386_INTERP_BG=0 compiled $(bg_of off) units in the background"
echo "ok: $(bg_of first) units compiled in the background; blocks interpreted $(interp_of first) -> $(interp_of second)"
