#!/bin/sh
# predict.sh R386 PROG: the optimising tier predicts indirect calls and
# returns inside its units (lifter/predict.c, lift_end_ret) -- PROG is
# tests/guest/predict, whose hot loops call through pointers -- and the
# first tier and the profiler's mode do not.  Block names in the units'
# IR tell: "unpredicted" is the other side of a prediction's test,
# "ret_inline" a ret that stayed in its unit.  (That the results are right
# is guest_predict's business.)
set -u
r386=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# The IR of each tier's units, apart.
split() {
    awk -v o="$tmp/$2" '/^; ---- r386 optimising tier/ { f = o ".hot" }
        /^; ---- r386 first tier/ { f = o ".first" }
        f { print > f }' "$tmp/$1"
    touch "$tmp/$2.hot" "$tmp/$2.first"
}
R386_JIT_HOT=50 "$r386" --no-cache --dump-ir "$prog" >"$tmp/out" \
    2>"$tmp/ir" || fail "r386 exited $?"
split ir run
n=$(grep -c '^unpredicted[0-9]*:' "$tmp/run.hot")
r=$(grep -c '^ret_inline[0-9]*:' "$tmp/run.hot")
[ "$n" -gt 0 ] || fail "no predicted branch in the optimised units"
[ "$r" -gt 0 ] || fail "no ret inside an optimised unit"
grep -q '^unpredicted[0-9]*:' "$tmp/run.first" &&
    fail "a prediction in first-tier code"
R386_JIT_HOT=50 "$r386" --no-cache --dump-ir --profile="$tmp/report" \
    "$prog" >/dev/null 2>"$tmp/pir" || fail "r386 --profile exited $?"
split pir prof
grep -q '^\(unpredicted\|ret_inline\)[0-9]*:' "$tmp/prof.hot" "$tmp/prof.first" &&
    fail "predictions or inline rets with --profile"
echo "ok: $n predicted branches, $r rets inside optimised units"
