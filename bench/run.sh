#!/bin/bash
# bench/run.sh [--quick] [--runs N] [--only NAME]
#
# Runs each workload three ways, side by side, on the same input:
#   native  the host's amd64 build (Debian's package, or the kernel built -O2)
#   qemu    qemu-i386 -L SYSROOT with the i386 build
#   r386    r386 -L SYSROOT with the i386 build (cold: nothing cached yet)
# and prints a Markdown table of median wall times and the ratios r386/native
# and r386/qemu.  Every run's output must be identical across the three;
# a workload whose outputs differ is marked DIFF.  Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
runs=3
only=""
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1; runs=1; shift ;;
    --runs) runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "usage: $0 [--quick] [--runs N] [--only NAME]" >&2; exit 2 ;;
    esac
done

BUILD=${BUILD:-build}
scripts/setup-deps.sh gzip bzip2 gawk time >/dev/null
if [ ! -x "$BUILD/r386" ]; then
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$BUILD" -j"$(nproc)" --target r386 >/dev/null
fi
R386=$(cd "$BUILD" && pwd)/r386
W=bench/.work
mkdir -p "$W"
SYSROOT=$W/sysroot
scripts/fetch-sysroot.sh "$SYSROOT" libc6 gzip bzip2 busybox-static coreutils

# Inputs: deterministic text.
mb=$([ $quick = 1 ] && echo 2 || echo 16)
text=$W/text-${mb}M.txt
if [ ! -f "$text" ]; then
    awk -v bytes=$((mb << 20)) 'BEGIN {
        srand(1); n = 0
        while (n < bytes) {
            line = sprintf("%d %s %x word%d\n", NR++, "lorem ipsum dolor",
                           int(rand() * 1e9), int(rand() * 1000))
            printf "%s", line; n += length(line)
        } }' >"$text"
fi

# C kernels, built for i386 (static) and for the host.
for k in bench/kernels/*.c; do
    n=$(basename "$k" .c)
    [ "$W/k32_$n" -nt "$k" ] || gcc -m32 -O2 -static -o "$W/k32_$n" "$k"
    [ "$W/k64_$n" -nt "$k" ] || gcc -O2 -o "$W/k64_$n" "$k"
done
if [ $quick = 1 ]; then
    karg_hash=20 karg_sort=300000 karg_matmul=120 karg_search=4
else
    karg_hash=200 karg_sort=2000000 karg_matmul=300 karg_search=40
fi

# median_time OUT CMD...: median wall seconds over $runs runs; the output of
# the last run goes to OUT.
median_time() {
    local out=$1
    shift
    local times=()
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >"$out" 2>/dev/null </dev/null || true
        t1=$(date +%s%N)
        times+=("$(( (t1 - t0) / 1000000 ))")
    done
    printf '%s\n' "${times[@]}" | sort -n |
        awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1000 }'
}

# peak_mib OUT CMD...: peak resident memory of one run, in MiB.
peak_mib() {
    local out=$1
    shift
    /usr/bin/time -f %M -o "$W/rss" "$@" >"$out" 2>/dev/null </dev/null || true
    awk '{ printf "%.0f", $1 / 1024 }' "$W/rss"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

printf '| workload | native s | qemu-i386 s | r386 s | r386/native | r386/qemu | qemu MiB | r386 MiB | outputs |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---|\n'

# row NAME NATIVE-CMD -- I386-CMD: time the three ways and print a row.
row() {
    local name=$1
    shift
    [ -z "$only" ] || [ "$only" = "$name" ] || return 0
    local native=() i386=()
    while [ "$1" != "--" ]; do native+=("$1"); shift; done
    shift
    i386=("$@")
    local tn tq tr same=same
    if [ "${native[0]}" = "-" ]; then
        tn="-"
    else
        tn=$(median_time "$W/out.native" "${native[@]}")
    fi
    tq=$(median_time "$W/out.qemu" qemu-i386 -L "$SYSROOT" "${i386[@]}")
    tr=$(median_time "$W/out.r386" "$R386" -L "$SYSROOT" "${i386[@]}")
    local mq mr
    mq=$(peak_mib "$W/out.qemu" qemu-i386 -L "$SYSROOT" "${i386[@]}")
    mr=$(peak_mib "$W/out.r386" "$R386" -L "$SYSROOT" "${i386[@]}")
    cmp -s "$W/out.qemu" "$W/out.r386" || same=DIFF
    if [ "$tn" != "-" ] && ! cmp -s "$W/out.native" "$W/out.r386"; then
        same=DIFF
    fi
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$tn" \
        "$tq" "$tr" "$( [ "$tn" = "-" ] && echo - || ratio "$tr" "$tn")" \
        "$(ratio "$tr" "$tq")" "$mq" "$mr" "$same"
}

for k in hash sort matmul search; do
    eval "arg=\$karg_$k"
    row "$k (gcc -O2)" "$W/k64_$k" "$arg" -- "$W/k32_$k" "$arg"
done
row "gzip -9 ${mb} MB" gzip -9 -c "$text" -- "$SYSROOT/bin/gzip" -9 -c "$text"
row "bzip2 -9 ${mb} MB" bzip2 -9 -c "$text" -- "$SYSROOT/bin/bzip2" -9 -c "$text"
row "startup: busybox true (static)" - -- "$SYSROOT/bin/busybox" true
row "startup: true (dynamic)" /bin/true -- "$SYSROOT/bin/true"
echo
echo "Machine: $(nproc) cores, $(uname -r), $(date -u +%F); runs per cell: $runs (median)"
