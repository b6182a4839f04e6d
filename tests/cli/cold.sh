#!/bin/sh
# cold.sh R386 PROG: optimised regions leave the blocks that did not run
# while the interpreter counted as cold exits (lifter/predict.c,
# lift_cold).  PROG is tests/guest/cold: its output must be qemu-i386's
# in a run that compiles and in one that loads the optimised units from
# the persistent cache -- a fault in such a unit names its instruction
# only when the unit is lifted again with the same cold blocks -- and
# --stats counts the cold exits: some by default, none with
# R386_JIT_COLD=0 or without the interpreter's counts (R386_INTERP=0).
set -u
r386=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
qemu-i386 "$prog" >"$tmp/ref" || fail "qemu-i386 exited $?"
grep -q 'at load_at 1' "$tmp/ref" || fail "the reference has no fault"
run() { # NAME CACHE ENV...: a run with the cache in $tmp/cache.CACHE
    name=$1
    cache=$2
    shift 2
    env R386_JIT_HOT=50 "$@" "$r386" --cache-dir "$tmp/cache.$cache" \
        --stats "$prog" >"$tmp/out" 2>"$tmp/stats" ||
        fail "$name: r386 exited $?"
    cmp -s "$tmp/ref" "$tmp/out" ||
        { diff "$tmp/ref" "$tmp/out"; fail "$name: output differs"; }
}
stat() { sed -n "s/.* \([0-9]*\) $1.*/\1/p" "$tmp/stats" | head -1; }
run compiling c
c=$(stat 'cold exits')
[ "${c:-0}" -gt 0 ] || fail "no cold exit in the optimised units"
run "from the cache" c
l=$(stat 'loaded optimised')
[ "${l:-0}" -gt 0 ] || fail "the second run loaded no optimised unit"
run R386_JIT_COLD=0 off R386_JIT_COLD=0
[ "$(stat 'cold exits')" = 0 ] || fail "cold exits with R386_JIT_COLD=0"
run R386_INTERP=0 nointerp R386_INTERP=0
[ "$(stat 'cold exits')" = 0 ] || fail "cold exits with R386_INTERP=0"
echo "ok: $c cold exits; the output of a run from the cache ($l optimised units loaded) is right too"
