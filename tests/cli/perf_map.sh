#!/bin/sh
# perf_map.sh R386 PROG [HOT_PROG]: --perf-map writes /tmp/perf-PID.map with one
# "START SIZE guest_PC" line per translated unit, sizes from the objects,
# and the unit at the program's entry point among them: for units compiled
# by the run and for units loaded from the persistent cache.
set -u
# Every block compiled (no interpreter), the entry's too.
export R386_INTERP=0
r386=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The pid is r386's own: run it from a shell that execs it.  (hello_static
# exits with its argc, 1.)  Twice on one cache: units compiled, then units
# loaded from the cache (which run where they lie in its file).
for pass in cold warm; do
    sh -c 'echo $$ > "$1/pid"; exec "$2" --cache-dir "$1/c1" --perf-map "$3"' \
        sh "$tmp" "$r386" "$prog" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 1 ] || { echo "FAIL: $pass: r386 exited $rc"; cat "$tmp/err"; exit 1; }
    map=/tmp/perf-$(cat "$tmp/pid").map
    [ -s "$map" ] || { echo "FAIL: $pass: no $map"; exit 1; }
    trap 'rm -rf "$tmp" "$map"' EXIT
    bad=$(grep -cvE '^[0-9a-f]+ [0-9a-f]+ guest_[0-9a-f]{8}(_opt)?$' "$map")
    [ "$bad" -eq 0 ] || { echo "FAIL: $pass: $bad malformed lines"; head -3 "$map"; exit 1; }
    # Every size came from the object file (1 is the fallback).
    ones=$(awk '$2 == "1"' "$map" | wc -l)
    [ "$ones" -eq 0 ] || { echo "FAIL: $pass: $ones units without a size"; exit 1; }
    entry=$(od -An -tx4 -j24 -N4 "$prog" | tr -d ' ')
    grep -q " guest_$entry\$" "$map" || { echo "FAIL: $pass: no unit at the entry $entry"; exit 1; }
    echo "ok: $pass: $(wc -l <"$map") units named, entry guest_$entry among them"
    rm -f "$map"
done

# Units the optimising tier made, loaded from the persistent cache by a
# later run, are named guest_PC_opt too.
[ -n "${3:-}" ] || exit 0
opt=$3
export R386_JIT_HOT=50
"$r386" --cache-dir "$tmp/cache" "$opt" >/dev/null 2>&1
sh -c 'echo $$ > "$1/pid2"; exec "$2" --stats --perf-map --cache-dir "$1/cache" "$3"' \
    sh "$tmp" "$r386" "$opt" >/dev/null 2>"$tmp/stats"
map2=/tmp/perf-$(cat "$tmp/pid2").map
trap 'rm -rf "$tmp" "$map" "$map2"' EXIT
# (the tier may still optimise a few more units in this run: those are not
# the ones counted)
ones=$(awk '$2 == "1"' "$map2" | wc -l)
[ "$ones" -eq 0 ] || { echo "FAIL: $ones units without a size (optimised run)"; exit 1; }
hot=$(sed -n 's/.* \([0-9]*\) hot units optimised.*/\1/p' "$tmp/stats")
n=$(grep -c '_opt$' "$map2")
[ -n "$hot" ] && [ "$n" -gt "$hot" ] ||
    { echo "FAIL: $n units named _opt, $hot compiled by this run"; cat "$tmp/stats"; exit 1; }
echo "ok: $((n - hot)) optimised units from the cache named _opt"
