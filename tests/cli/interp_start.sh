#!/bin/sh
# interp_start.sh R386 SYSROOT: the interpreter's start-up threshold
# (R386_INTERP_START_MS).  A dynamic `true` runs some of ld.so's blocks
# between 256 and 4096 times:
#   - while starting (the window made longer than the run) they are
#     interpreted, so nothing is compiled;
#   - with no start-up window they are compiled at 256 runs;
#   - with a persistent cache, those past R386_INTERP_BG_EARLY (512) runs
#     while starting are compiled in the background before the run ends,
#     and the next run loads them: it interprets fewer blocks and compiles
#     nothing; with R386_INTERP_BG_EARLY=0 nothing is compiled;
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
run() { # run NAME [CACHE]: a run with --stats, cold (no cache) or with CACHE
    name=$1
    if [ $# -gt 1 ]; then set -- --cache-dir "$2"; else set -- --no-cache; fi
    "$r386" "$@" --stats -L "$sysroot" "$prog" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    [ "$rc" = "$want_rc" ] || fail "$name: exit status $rc, qemu-i386's $want_rc"
    grep -v '^r386 stats' "$tmp/$name.err" >>"$tmp/$name.out"
    cmp -s "$tmp/want" "$tmp/$name.out" || fail "$name: output differs"
}
. "$(dirname "$0")/stats.sh"
R386_INTERP_START_MS=1000000 run starting
[ "$(units_of starting)" = 0 ] || fail "while starting, $(units_of starting) units were compiled"
R386_INTERP_START_MS=0 run started
[ "$(units_of started)" -gt 0 ] || fail "with no start-up window nothing was compiled"
# (Ordinary background requests are not served: R386_INTERP_BG_DELAY.)
export R386_INTERP_START_MS=1000000 R386_INTERP_BG_DELAY=1000000
run early1 "$tmp/cache"
run early2 "$tmp/cache"
stored early1 early2 "early compile"
R386_INTERP_BG_EARLY=0 run off "$tmp/cache-off"
[ "$(bg_of off)" = 0 ] || fail "R386_INTERP_BG_EARLY=0 compiled $(bg_of off) units in the background"
echo "ok: 0 units while starting, $(units_of started) with no start-up window;" \
     "$(bg_of early1) early, blocks interpreted $(interp_of early1) -> $(interp_of early2)"
