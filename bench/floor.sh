#!/bin/bash
# bench/floor.sh [--runs N]
#
# How much of r386's distance to native amd64 code is the i386 code itself?
# An i386 program has 8 general registers and does its floating point on
# the x87; an amd64 build has 16 and SSE2.  This builds each workload a
# second time for amd64 with the i386's limits -- `-mfpmath=387` and
# r8-r15 kept from the register allocator (`-ffixed-r8` ... `-ffixed-r15`):
# the "i386-like" build -- and times, interleaved, on the same input:
#   native     the amd64 build (the kernels -O2; Debian's lua5.4)
#   plain      lua only: upstream's source of Debian's version, built -O2
#              here the way i386-like is (so that the two differ only by
#              the flags)
#   i386-like  the same source with the i386's limits
#   r386       the i386 build under r386, warm (cache filled first)
# and prints medians with r386/i386-like, the part of the gap that is
# r386's own, and i386-like/native, the part a translation of i386 code
# cannot remove.  (A proxy: pointers stay 64-bit, calls pass arguments in
# registers, i386 PIC code also loses %ebx to the GOT, and the kernels'
# library calls -- search's strstr -- are amd64 glibc's, SSE2, where the
# i386 glibc's strstr is generic C.)  Not part of CI; needs network access
# for Lua's source (Debian's mirror).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N]" >&2; exit 2 ;;
    esac
done

BUILD=${BUILD:-build}
scripts/setup-deps.sh lua5.4 curl make gcc time >/dev/null
if [ ! -x "$BUILD/r386" ]; then
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$BUILD" -j"$(nproc)" --target r386 >/dev/null
fi
R386=$(cd "$BUILD" && pwd)/r386
W=$(pwd)/bench/.work/floor
mkdir -p "$W"
SYSROOT=$(pwd)/bench/.work/sysroot
scripts/fetch-sysroot.sh "$SYSROOT" libc6 lua5.4 >/dev/null
LIMITS="-mfpmath=387"
for r in 8 9 10 11 12 13 14 15; do LIMITS="$LIMITS -ffixed-r$r"; done

# The C kernels of bench/run.sh.
for k in bench/kernels/*.c; do
    n=$(basename "$k" .c)
    [ "$W/k32_$n" -nt "$k" ] || gcc -m32 -O2 -static -o "$W/k32_$n" "$k"
    [ "$W/k64_$n" -nt "$k" ] || gcc -O2 -o "$W/k64_$n" "$k"
    # shellcheck disable=SC2086
    [ "$W/like_$n" -nt "$k" ] || gcc -O2 $LIMITS -o "$W/like_$n" "$k"
done

# Lua: upstream's source of the version Debian ships (its .orig tarball,
# checked against the .dsc's SHA-256).
ver=$(dpkg-query -W -f '${Version}' lua5.4)
up=${ver%%-*}
if [ ! -x "$W/lua_like" ]; then
    mirror=http://deb.debian.org/debian/pool/main/l/lua5.4
    curl -fsSL -o "$W/lua.dsc" "$mirror/lua5.4_${ver}.dsc"
    curl -fsSL -o "$W/lua.tar.gz" "$mirror/lua5.4_${up}.orig.tar.gz"
    want=$(awk '/^Checksums-Sha256:/ {s = 1; next} /^[^ ]/ {s = 0}
                s && $3 ~ /orig\.tar\.gz$/ {print $1}' "$W/lua.dsc")
    have=$(sha256sum "$W/lua.tar.gz" | cut -d' ' -f1)
    if [ -z "$want" ] || [ "$want" != "$have" ]; then
        echo "floor.sh: lua5.4_${up}.orig.tar.gz does not match its .dsc" >&2
        exit 1
    fi
    rm -rf "$W/lua-src" && mkdir "$W/lua-src"
    tar -xzf "$W/lua.tar.gz" -C "$W/lua-src" --strip-components=1
    for v in plain like; do
        flags=""
        if [ $v = like ]; then flags=$LIMITS; fi
        make -s -C "$W/lua-src/src" clean >/dev/null
        make -s -C "$W/lua-src/src" linux MYCFLAGS="$flags" >/dev/null 2>&1
        cp "$W/lua-src/src/lua" "$W/lua_$v"
    done
fi

declare -A arg=([hash]=200 [sort]=2000000 [matmul]=600 [search]=40)
nbody=$(pwd)/tests/integration/lua/nbody.lua
work=$(pwd)/tests/integration/lua/work.lua
cd "$W" # (work.lua writes a file where it runs)

# time_of CMD...: wall seconds of one run (output discarded).
time_of() {
    /usr/bin/time -f %e -o "$W/t" "$@" >/dev/null 2>&1
    cat "$W/t"
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "| workload | native s | plain s | i386-like s | r386 warm s | r386/i386-like | i386-like/native |"
echo "|---|---:|---:|---:|---:|---:|---:|"
row() { # name native plain like r386-args...
    local name=$1 nat=$2 plain=$3 like=$4
    shift 4
    local cache=$W/cache-$RANDOM
    "$R386" --cache-dir "$cache" -L "$SYSROOT" "$@" >/dev/null 2>&1
    "$R386" --cache-dir "$cache" -L "$SYSROOT" "$@" >/dev/null 2>&1
    : >"$W/n"; : >"$W/p"; : >"$W/l"; : >"$W/r"
    for _ in $(seq "$runs"); do
        # shellcheck disable=SC2086
        time_of $nat >>"$W/n"
        # shellcheck disable=SC2086
        [ "$plain" = - ] || time_of $plain >>"$W/p"
        # shellcheck disable=SC2086
        time_of $like >>"$W/l"
        time_of "$R386" --cache-dir "$cache" -L "$SYSROOT" "$@" >>"$W/r"
    done
    rm -rf "$cache"
    local n p l r
    n=$(median <"$W/n"); l=$(median <"$W/l"); r=$(median <"$W/r")
    p=-
    if [ "$plain" != - ]; then p=$(median <"$W/p"); fi
    awk -v name="$name" -v n="$n" -v p="$p" -v l="$l" -v r="$r" 'BEGIN {
        printf "| %s | %.3f | %s | %.3f | %.3f | %.2f | %.2f |\n",
               name, n, p == "-" ? "-" : sprintf("%.3f", p), l, r,
               (l > 0 ? r / l : 0), (n > 0 ? l / n : 0) }'
}
for k in hash sort matmul search; do
    row "$k (gcc -O2)" "$W/k64_$k ${arg[$k]}" - "$W/like_$k ${arg[$k]}" \
        "$W/k32_$k" "${arg[$k]}"
done
row "lua n-body 200000" "lua5.4 $nbody 200000" "$W/lua_plain $nbody 200000" \
    "$W/lua_like $nbody 200000" "$SYSROOT/usr/bin/lua5.4" "$nbody" 200000
row "lua tables/strings 4000" "lua5.4 $work 4000" "$W/lua_plain $work 4000" \
    "$W/lua_like $work 4000" "$SYSROOT/usr/bin/lua5.4" "$work" 4000
echo
echo "Machine: $(nproc) cores, $(uname -r), $(date -u +%F); runs per cell: $runs (median)"
