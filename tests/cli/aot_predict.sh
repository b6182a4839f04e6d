#!/bin/sh
# aot_predict.sh R386 PROG: --aot's optimised code is made before any run
# has noted where an indirect call goes (lifter/predict.c), so it counts
# its executions and notes those targets like the first tier's; the
# optimising tier takes it again once hot, with predictions, and the
# cache keeps that code in preference to --aot's.  PROG is
# tests/guest/predict (hot loops calling through pointers).  Every run
# has R386_JIT_HOT=50 (the threshold is part of the cache's key).
#   - the first run after --aot gives qemu-i386's output, and its
#     optimising tier recompiles --aot's hot units with predicted branches:
#     in its IR, some optimised unit (define @h_PC) that this run did not
#     compile afresh (no define @u_PC) has an "unpredicted" block;
#   - the runs after it load that code and settle: within four runs, one
#     compiles nothing and optimises nothing again (a unit an --aot object
#     also holds is not taken from it; --aot code that a stored tier-2
#     record should replace was optimised again by every run).  On an
#     idle machine the first of them does; under CI's load the first run's
#     optimising thread may not finish before the program does (session
#     24: 15 then 6 units left for the next runs), so some runs may.
set -u
r386=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
qemu-i386 "$prog" >"$tmp/want" 2>/dev/null
echo "exit $?" >>"$tmp/want"
R386_JIT_HOT=50 "$r386" --cache-dir "$tmp/c" --aot "$prog" 2>"$tmp/aot.err" ||
    fail "--aot exited $?: $(cat "$tmp/aot.err")"
run() {
    R386_JIT_HOT=50 "$r386" --cache-dir "$tmp/c" --stats "$@" "$prog" \
        >"$tmp/out" 2>"$tmp/err"
    echo "exit $?" >>"$tmp/out"
    cmp -s "$tmp/want" "$tmp/out" ||
        { diff "$tmp/want" "$tmp/out" | head; fail "output differs ($*)"; }
}
stat() { sed -n "s/^r386 stats: $1.*/\\1/p" "$tmp/err"; }
run --dump-ir
# pcs of the units compiled afresh, then those of optimised units with a
# prediction.
# (define [cc] i64 @u_PC_...: first tier, @h_PC_...: optimising tier)
awk '/^define .*@u_/ { print substr($0, index($0, "@u_") + 3, 8) }' \
    "$tmp/err" | sort -u >"$tmp/fresh"
awk '/^define .*@h_/ { pc = substr($0, index($0, "@h_") + 3, 8) }
     /^define .*@u_/ { pc = "" }
     pc != "" && /^unpredicted[0-9]*:/ { print pc }' "$tmp/err" | sort -u >"$tmp/pred"
n=$(comm -23 "$tmp/pred" "$tmp/fresh" | wc -l)
hot=$(stat '.* \([0-9]*\) hot units optimised')
[ "$n" -gt 0 ] ||
    fail "no unit of --aot's optimised again with a prediction ($hot optimised)"
# What got hot too late for the tier is optimised by a later run, once.
seen=""
for k in 1 2 3 4; do
    run
    fresh=$(stat '\([0-9]*\) units in')
    hot=$(stat '.* \([0-9]*\) hot units optimised')
    seen="$seen ${fresh}/${hot}"
    if [ "$fresh" = 0 ] && [ "$hot" = 0 ]; then
        echo "ok: after --aot, $n of its units optimised again with predictions; run $k after compiled and optimised nothing (compiled/optimised:$seen)"
        exit 0
    fi
done
fail "the runs after never settled (units compiled/optimised per run:$seen)"
