#!/bin/bash
# bench/profile_overhead.sh BASE_R386 R386 [RUNS]: what the guest profiler
# costs (docs/PROFILING.md).  For each workload, mean wall time and CPU
# time (task-clock: all threads, the sampler's included) of RUNS runs
# (default 5, perf stat -r) of
#   base  BASE_R386: r386 without the profiler (main before it), no options
#   off   R386 without profiling options
#   on    R386 --profile --profile-folded --profile-svg
# and the ratios; then host user-mode instructions (perf stat) of base and
# off, the claim that the profiler costs nothing when off.  Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1
r386=$2
runs=${3:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
for k in hash sort matmul search; do
    gcc -m32 -O2 -static -o "$W/$k" "bench/kernels/$k.c"
done
gcc -m32 -O2 -static -o "$W/shares" tests/guest/prof_shares.c
SYSROOT=${SYSROOT:-build/sysroot}
gcc -m32 -O2 -o "$W/lua" tests/guest/prof_lua.c -ldl

# stat R386 [ARGS...]: "elapsed-seconds task-clock-ms" from perf stat -r,
# means of $runs runs (perf also prints their spread).
stat() {
    perf stat -r "$runs" -e task-clock "$@" 2>&1 >/dev/null |
        awk '/task-clock/ {ms = $1; gsub(",", "", ms)}
             /seconds time elapsed/ {print $1, ms}'
}
prof=(--profile="$W/p.txt" --profile-folded="$W/p.folded" --profile-svg="$W/p.svg")
printf '| workload | base s | off s | on s | on/off wall | off CPU ms | on CPU ms | on/off CPU |\n'
printf '|---|---|---|---|---|---|---|---|\n'
while IFS='|' read -r name args; do
    set -- $args
    read -r b _ < <(stat "$base" "$@")
    read -r o oc < <(stat "$r386" "$@")
    read -r p pc < <(stat "$r386" "${prof[@]}" "$@")
    printf '| %s | %.3f | %.3f | %.3f | %.3f | %.0f | %.0f | %.3f |\n' "$name" \
        "$b" "$o" "$p" "$(echo "$p / $o" | bc -l)" "$oc" "$pc" \
        "$(echo "$pc / $oc" | bc -l)"
done <<EOF2
hash 100|$W/hash 100
sort 1M|$W/sort 1000000
matmul 200|$W/matmul 200
search 20|$W/search 20
prof_shares 20M|$W/shares 20000000
prof_lua (liblua5.4)|-L $SYSROOT $W/lua
EOF2
{
    printf '\n| workload | base instructions:u | off instructions:u | off/base |\n|---|---|---|---|\n'
    for k in hash sort; do
        arg=100; [ $k = sort ] && arg=1000000
        ib=$(perf stat -x, -e instructions:u "$base" "$W/$k" $arg 2>&1 >/dev/null | awk -F, '/instructions/ {print $1}')
        io=$(perf stat -x, -e instructions:u "$r386" "$W/$k" $arg 2>&1 >/dev/null | awk -F, '/instructions/ {print $1}')
        printf '| %s | %s | %s | %.4f |\n' "$k" "$ib" "$io" "$(echo "$io / $ib" | bc -l)"
    done
}
