#!/bin/bash
# bench/profile_overhead.sh BASE_R386 R386 [RUNS]: what the guest profiler
# costs (docs/PROFILING.md).  For each workload, mean wall time and CPU
# time (task-clock: all threads, the sampler's included) of RUNS runs
# (default 5, perf stat -r) of
#   base  BASE_R386: r386 without the profiler (main before it), no options
#   off   R386 without profiling options
#   on    R386 --profile --profile-folded --profile-svg
# and the ratios: wall, CPU, and host user-mode instructions (instructions:u,
# the steadiest measure on a noisy host; off/base is the claim that the
# profiler costs nothing when off).  Not part of CI.
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

# stat R386 [ARGS...]: "elapsed-s task-clock-ms instructions:u", means
# of $runs runs (perf stat -r).
stat() {
    perf stat -r "$runs" -e task-clock,instructions:u "$@" 2>&1 >/dev/null |
        awk '/task-clock/ {ms = $1; gsub(",", "", ms)}
             /instructions/ {ins = $1; gsub(",", "", ins)}
             /seconds time elapsed/ {print $1, ms, ins}'
}
ratio() { echo "$1 / $2" | bc -l; }
prof=(--profile="$W/p.txt" --profile-folded="$W/p.folded" --profile-svg="$W/p.svg")
printf '| workload | base s | off s | on s | on/off wall | on/off CPU | off/base instr | on/off instr |\n'
printf '|---|---|---|---|---|---|---|---|\n'
while IFS='|' read -r name args; do
    set -- $args
    read -r b _ bi < <(stat "$base" "$@")
    read -r o oc oi < <(stat "$r386" "$@")
    read -r p pc pi < <(stat "$r386" "${prof[@]}" "$@")
    printf '| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.4f | %.3f |\n' "$name" \
        "$b" "$o" "$p" "$(ratio "$p" "$o")" "$(ratio "$pc" "$oc")" \
        "$(ratio "$oi" "$bi")" "$(ratio "$pi" "$oi")"
done <<EOF2
hash 100|$W/hash 100
sort 1M|$W/sort 1000000
matmul 200|$W/matmul 200
search 20|$W/search 20
prof_shares 20M|$W/shares 20000000
prof_lua (liblua5.4)|-L $SYSROOT $W/lua
EOF2
