#!/bin/bash
# bench/run.sh [--quick] [--runs N] [--only NAME]
#
# Runs each workload three ways, side by side, on the same input:
#   native  the host's amd64 build (Debian's package, or the kernel built -O2)
#   (i386   the i386 build run by the host itself, where its kernel runs i386
#           programs (IA32 emulation, off on many hosts): the same code r386
#           runs, untranslated -- r386's own floor.  "-" where it cannot.)
#   qemu    qemu-i386 -L SYSROOT with the i386 build
#   r386    r386 -L SYSROOT with the i386 build, three times: cold (an
#           empty persistent cache before every run), warm (the cache
#           filled by one untimed run first) and settled (on the warm
#           cache, after untimed runs until one stores nothing new in it,
#           at most 8: the optimising tier keeps taking hot units run
#           after run -- the steady state); with --aot, a fourth time after
#           r386 --aot (one cache shared by all rows, so libc is compiled
#           once; the --aot time itself is not in the table)
# and prints a Markdown table of median wall times and the ratios r386/native,
# r386/qemu and r386/i386, then the geometric means of r386 warm and settled
# (or after --aot) over native and over i386.  Every run's output must be identical
# across the three (for Lua n-body, across qemu-i386 and r386: x87 vs SSE
# doubles); a workload whose outputs differ is marked DIFF.  Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
# (median_time reads bash's own clock, which bash has since 5.0.)
[ -n "${EPOCHREALTIME:-}" ] ||
    { echo "bench/run.sh: needs bash 5.0 or later (\$EPOCHREALTIME)" >&2; exit 2; }

quick=0
aot=0
runs=3
only=""
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1; runs=1; shift ;;
    --runs) runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --aot) aot=1; shift ;;
    *) echo "usage: $0 [--quick] [--aot] [--runs N] [--only NAME]" >&2; exit 2 ;;
    esac
done

BUILD=${BUILD:-build}
scripts/setup-deps.sh gzip bzip2 xz-utils lua5.4 sqlite3 gawk time >/dev/null
if [ ! -x "$BUILD/r386" ]; then
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$BUILD" -j"$(nproc)" --target r386 >/dev/null
fi
R386=$(cd "$BUILD" && pwd)/r386
W=$(pwd)/bench/.work
mkdir -p "$W"
rm -rf "$W/cache-aot" # this build's keys differ from an older one's
SYSROOT=$W/sysroot
scripts/fetch-sysroot.sh "$SYSROOT" libc6 gzip bzip2 xz-utils lua5.4 sqlite3 \
    busybox-static coreutils

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
# the last run goes to OUT.  Read from bash's own clock ($EPOCHREALTIME, in
# microseconds): a `date` process to read it took ~2 ms here, which each
# run's time included -- as much as a dynamic `true` itself.  Seconds with
# three decimals, four below 0.1 s (the start-up rows).
median_time() {
    local out=$1
    shift
    local times=()
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=${EPOCHREALTIME/[.,]/}
        "$@" >"$out" 2>/dev/null </dev/null || true
        t1=${EPOCHREALTIME/[.,]/}
        times+=("$((t1 - t0))")
    done
    printf '%s\n' "${times[@]}" | sort -n |
        awk '{ a[NR] = $1 } END { s = a[int((NR + 1) / 2)] / 1e6
                                  printf (s < 0.1 ? "%.4f" : "%.3f"), s }'
}

# peak_mib OUT CMD...: peak resident memory of one run, in MiB.
peak_mib() {
    local out=$1
    shift
    /usr/bin/time -f %M -o "$W/rss" "$@" >"$out" 2>/dev/null </dev/null || true
    awk '{ printf "%.0f", $1 / 1024 }' "$W/rss"
}

# The host runs i386 programs itself?  A dynamic one through the sysroot's
# dynamic linker (i386_prefix PROG: what goes before PROG's command line,
# decided before the runs are timed).
i386_ok=0
"$SYSROOT/bin/busybox" true >/dev/null 2>&1 && i386_ok=1
i386_prefix() {
    if readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'; then
        printf '%s\n' "$SYSROOT/lib/ld-linux.so.2" --library-path \
            "$SYSROOT/lib/i386-linux-gnu:$SYSROOT/usr/lib/i386-linux-gnu"
    fi
}
geo_native=()
geo_i386=()
geo_settled_native=()
geo_settled_i386=()

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

# r386 with nothing cached: the cache is emptied before each run.
r386_cold() {
    rm -rf "$W/cache-cold"
    "$R386" --cache-dir "$W/cache-cold" "$@"
}
r386_warm() {
    "$R386" --cache-dir "$W/cache-warm" "$@"
}
# settle CMD...: untimed runs on the warm cache until one stores no unit
# in it (--stats), at most 8.
settle() {
    local st
    for _ in $(seq 8); do
        st=$(r386_warm --stats "$@" 2>&1 >/dev/null </dev/null || true)
        case $st in *"; 0 units stored"*) return 0 ;; esac
    done
}
r386_aot() {
    "$R386" --cache-dir "$W/cache-aot" "$@"
}

if [ $aot = 1 ]; then
    printf '| workload | native s | i386 s | qemu-i386 s | r386 cold s | r386 warm s | r386 after --aot s | cold/qemu | warm/qemu | aot/qemu | aot/native | aot/i386 | qemu MiB | r386 MiB | outputs |\n'
    printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n'
else
    printf '| workload | native s | i386 s | qemu-i386 s | r386 cold s | r386 warm s | r386 settled s | cold/qemu | warm/qemu | warm/native | warm/i386 | settled/native | settled/i386 | qemu MiB | r386 MiB | outputs |\n'
    printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n'
fi

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
    local ti=-
    if [ $i386_ok = 1 ]; then
        local prefix=()
        mapfile -t prefix < <(i386_prefix "${i386[0]}")
        ti=$(median_time "$W/out.i386" "${prefix[@]}" "${i386[@]}")
        cmp -s "$W/out.qemu" "$W/out.i386" || same=DIFF
    fi
    tr=$(median_time "$W/out.r386" r386_cold -L "$SYSROOT" "${i386[@]}")
    cmp -s "$W/out.qemu" "$W/out.r386" || same=DIFF
    rm -rf "$W/cache-warm"
    r386_warm -L "$SYSROOT" "${i386[@]}" >/dev/null 2>&1 </dev/null || true
    local tw
    tw=$(median_time "$W/out.r386" r386_warm -L "$SYSROOT" "${i386[@]}")
    local ts=-
    if [ $aot = 0 ]; then
        settle -L "$SYSROOT" "${i386[@]}"
        ts=$(median_time "$W/out.r386" r386_warm -L "$SYSROOT" "${i386[@]}")
        cmp -s "$W/out.qemu" "$W/out.r386" || same=DIFF
    fi
    local ta=-
    if [ $aot = 1 ]; then
        r386_aot -L "$SYSROOT" --aot "${i386[@]}" >/dev/null 2>&1 </dev/null || true
        ta=$(median_time "$W/out.r386" r386_aot -L "$SYSROOT" "${i386[@]}")
        cmp -s "$W/out.qemu" "$W/out.r386" || same=DIFF
    fi
    local mq mr
    mq=$(peak_mib "$W/out.qemu" qemu-i386 -L "$SYSROOT" "${i386[@]}")
    mr=$(peak_mib "$W/out.r386" "$R386" --cache-dir "$W/cache-warm" -L "$SYSROOT" "${i386[@]}")
    cmp -s "$W/out.qemu" "$W/out.r386" || same=DIFF
    if [ "$tn" != "-" ] && [ -z "${native_may_differ:-}" ] &&
        ! cmp -s "$W/out.native" "$W/out.r386"; then
        same=DIFF
    fi
    # (the geometric means: warm, or after --aot, against native and i386)
    local tx=$tw
    [ $aot = 0 ] || tx=$ta
    local rn=- ri=-
    [ "$tn" = "-" ] || { rn=$(ratio "$tx" "$tn"); geo_native+=("$rn"); }
    [ "$ti" = "-" ] || { ri=$(ratio "$tx" "$ti"); geo_i386+=("$ri"); }
    if [ $aot = 1 ]; then
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
            "$name" "$tn" "$ti" "$tq" "$tr" "$tw" "$ta" "$(ratio "$tr" "$tq")" \
            "$(ratio "$tw" "$tq")" "$(ratio "$ta" "$tq")" "$rn" "$ri" \
            "$mq" "$mr" "$same"
        return
    fi
    local sn=- si=-
    [ "$tn" = "-" ] || { sn=$(ratio "$ts" "$tn"); geo_settled_native+=("$sn"); }
    [ "$ti" = "-" ] || { si=$(ratio "$ts" "$ti"); geo_settled_i386+=("$si"); }
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$name" "$tn" "$ti" "$tq" "$tr" "$tw" "$ts" "$(ratio "$tr" "$tq")" \
        "$(ratio "$tw" "$tq")" "$rn" "$ri" "$sn" "$si" "$mq" "$mr" "$same"
}

# geomean RATIO...: their geometric mean ("-" for none).
geomean() {
    [ $# -gt 0 ] || { echo -; return; }
    printf '%s\n' "$@" | awk '$1 > 0 { s += log($1); n++ }
        END { if (n) printf "%.2f", exp(s / n); else print "-" }'
}

for k in hash sort matmul search; do
    eval "arg=\$karg_$k"
    row "$k (gcc -O2)" "$W/k64_$k" "$arg" -- "$W/k32_$k" "$arg"
done
row "gzip -9 ${mb} MB" gzip -9 -c "$text" -- "$SYSROOT/bin/gzip" -9 -c "$text"
row "bzip2 -9 ${mb} MB" bzip2 -9 -c "$text" -- "$SYSROOT/bin/bzip2" -9 -c "$text"
# xz -6 on a quarter of the text (4 MB in the full run), single-threaded.
xmb=$((mb / 4 > 0 ? mb / 4 : 1))
xtext=$W/text-${xmb}M-xz.txt
[ -f "$xtext" ] || head -c $((xmb << 20)) "$text" >"$xtext"
row "xz -6 ${xmb} MB" xz -6 -T1 -c "$xtext" -- "$SYSROOT/usr/bin/xz" -6 -T1 -c "$xtext"
# Lua: floating point (the integration suite's n-body) and tables/strings.
nbody=$(pwd)/tests/integration/lua/nbody.lua
work=$(pwd)/tests/integration/lua/work.lua
cd "$W" # work.lua writes a file
lsteps=$([ $quick = 1 ] && echo 20000 || echo 500000)
lwork=$([ $quick = 1 ] && echo 200 || echo 4000)
# (i386 Lua computes in x87 extended precision, amd64 Lua in SSE doubles: the
# last digits differ from native, so only qemu-i386 and r386 are compared.)
native_may_differ=1 row "lua n-body $lsteps" lua5.4 "$nbody" "$lsteps" -- \
    "$SYSROOT/usr/bin/lua5.4" "$nbody" "$lsteps"
row "lua tables/strings $lwork" lua5.4 "$work" "$lwork" -- "$SYSROOT/usr/bin/lua5.4" "$work" "$lwork"
# SQLite: build and query a table of rows (300k in the full run).
rows=$([ $quick = 1 ] && echo 30000 || echo 300000)
sql=$W/bench-$rows.sql
cat >"$sql" <<SQL
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, name TEXT, x REAL);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $rows)
INSERT INTO t SELECT i, (i * 7919) % 1000, printf('n%07d', (i * 31) % $rows), i * 0.5 FROM c;
CREATE INDEX t_k ON t(k);
SELECT count(*), sum(k), round(avg(x), 3), min(name), max(name) FROM t;
SELECT k, count(*), round(sum(x), 2) FROM t WHERE k < 5 GROUP BY k ORDER BY k;
SELECT count(*) FROM t a JOIN t b ON a.id = b.id + 1 WHERE a.k > b.k;
SQL
row "sqlite $rows rows" sqlite3 :memory: ".read $sql" -- "$SYSROOT/usr/bin/sqlite3" :memory: ".read $sql"
cd - >/dev/null
row "startup: busybox true (static)" - -- "$SYSROOT/bin/busybox" true
row "startup: true (dynamic)" /bin/true -- "$SYSROOT/bin/true"
echo
which=warm
[ $aot = 0 ] || which="after --aot"
echo "Geometric means, r386 $which: over native $(geomean "${geo_native[@]}"), over i386 $(geomean "${geo_i386[@]}")"
[ $aot = 1 ] ||
    echo "Geometric means, r386 settled: over native $(geomean "${geo_settled_native[@]}"), over i386 $(geomean "${geo_settled_i386[@]}")"
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(uname -r), $(date -u +%F); runs per cell: $runs (median)"
