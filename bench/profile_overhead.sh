#!/bin/bash
# bench/profile_overhead.sh BASE_R386 R386 [RUNS]: what the guest profiler
# costs (docs/PROFILING.md).  For each workload:
#   - wall time, median of RUNS (default 7) runs of R386 without options
#     (off) and with --profile, --profile-folded and --profile-svg (on),
#     the two interleaved (a noisy host drifts: runs in blocks of one kind
#     would carry the drift into the ratio); cold (--no-cache: compiling
#     included) and warm (a persistent cache filled by one run of each);
#   - host user-mode instructions (perf stat, cold) of BASE_R386 (r386
#     without the profiler), off and on: the steadiest measure here, and
#     off/base is the claim that the profiler costs nothing when off.
# Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1
r386=$2
runs=${3:-7}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
for k in hash sort matmul search; do
    gcc -m32 -O2 -static -o "$W/$k" "bench/kernels/$k.c"
done
gcc -m32 -O2 -static -o "$W/shares" tests/guest/prof_shares.c
SYSROOT=${SYSROOT:-build/sysroot}
gcc -m32 -O2 -o "$W/lua" tests/guest/prof_lua.c -ldl
# A base from before the persistent cache has no --no-cache (nor a cache).
base_opts=()
"$base" --help | grep -q -- --no-cache && base_opts=(--no-cache)
prof=(--profile="$W/p.txt" --profile-folded="$W/p.folded" --profile-svg="$W/p.svg")

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
secs() { # secs CMD...: wall seconds of one run
    /usr/bin/time -f %e -o "$W/t" "$@" >/dev/null 2>&1 || true
    tail -1 "$W/t" # after "Command exited with non-zero status"
}
instr() { # instr CMD...: instructions:u of one run
    perf stat -x, -e instructions:u "$@" 2>&1 >/dev/null |
        awk -F, '/instructions/ {print $1}'
}
# a / b, or "n/a" when either is not a number (no hardware counters: a VM)
ratio() {
    case "$1$2" in
    *[!0-9.]* | "") echo n/a ;;
    *) echo "$1 / $2" | bc -l ;;
    esac
}
num() { case $1 in n/a) echo "$1" ;; *) printf "%.${2}f" "$1" ;; esac; }

printf '| workload | cold off s | cold on s | cold on/off | warm off s | warm on s | warm on/off | instr off/base | instr on/off |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
while IFS='|' read -r name args; do
    set -- $args
    cache=(--cache-dir "$W/cache")
    rm -rf "$W/cache"
    "$r386" "${cache[@]}" "$@" >/dev/null 2>&1 || true
    "$r386" "${cache[@]}" "${prof[@]}" "$@" >/dev/null 2>&1 || true
    : >"$W/co"; : >"$W/cp"; : >"$W/wo"; : >"$W/wp"
    for _ in $(seq "$runs"); do
        secs "$r386" --no-cache "$@" >>"$W/co"
        secs "$r386" --no-cache "${prof[@]}" "$@" >>"$W/cp"
        secs "$r386" "${cache[@]}" "$@" >>"$W/wo"
        secs "$r386" "${cache[@]}" "${prof[@]}" "$@" >>"$W/wp"
    done
    co=$(median <"$W/co"); cp=$(median <"$W/cp")
    wo=$(median <"$W/wo"); wp=$(median <"$W/wp")
    ib=$(instr "$base" "${base_opts[@]}" "$@")
    io=$(instr "$r386" --no-cache "$@")
    ip=$(instr "$r386" --no-cache "${prof[@]}" "$@")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
        "$co" "$cp" "$(num "$(ratio "$cp" "$co")" 3)" "$wo" "$wp" \
        "$(num "$(ratio "$wp" "$wo")" 3)" "$(num "$(ratio "$io" "$ib")" 4)" \
        "$(num "$(ratio "$ip" "$io")" 3)"
done <<EOF
hash 100|$W/hash 100
sort 1M|$W/sort 1000000
matmul 200|$W/matmul 200
search 20|$W/search 20
prof_shares 20M|$W/shares 20000000
prof_lua (liblua5.4)|-L $SYSROOT $W/lua
EOF
