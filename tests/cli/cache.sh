#!/bin/sh
# cache.sh R386 GUEST_DIR SYSROOT: the persistent translation cache.
#   - a cold run fills it, a warm run loads from it, with the same output;
#   - r386's own object loader links every object (none falls to ORC);
#   - the optimising tier's code is stored, and the next run loads it;
#   - damaged files (flipped bytes in records or in the index, truncation,
#     another format version) are ignored and rebuilt, and the output
#     stays right;
#   - a binary changed on disk runs its new code, even when its path, size
#     and modification time are the old ones (the guest-byte check);
#   - 8 concurrent runs on one empty cache all succeed and leave it valid;
#   - --cache-max keeps the directory under its limit;
#   - an unusable cache directory gives one warning and a normal run;
#   - --cache-stats and --cache-clear.
# Expected outputs are the programs' own (intops_O2's is checked against
# qemu-i386 by its guest test; here r386 cold, warm and damaged must agree
# with qemu-i386 too).
set -u
# Every block compiled (no interpreter): the counts below are of units.
export R386_INTERP=0
r386=$1
guests=$2
sysroot=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cache=$tmp/cache
prog=$guests/intops_O2
qemu-i386 "$prog" >"$tmp/want" 2>&1 || fail "qemu-i386 $prog"

# stat FIELD FILE: a number from the last --stats line about the cache.
stat_of() {
    sed -n 's/.*persistent cache [^:]*: \([0-9]*\) units loaded in \([0-9]*\) objects ([^)]*), \([0-9]*\) stale, \([0-9]*\) damaged files or records; \([0-9]*\) units stored/\1 \2 \3 \4 \5/p' "$2" |
        tail -1 | cut -d' ' -f"$1"
}
run() { # run NAME ARGS...: r386 --stats with the test cache
    name=$1
    shift
    "$r386" --cache-dir "$cache" --stats "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    echo $? >"$tmp/$name.rc"
}
check_out() {
    grep -v '^r386 stats' "$tmp/$1.err" >>"$tmp/$1.out"
    cmp -s "$tmp/want" "$tmp/$1.out" || { diff "$tmp/want" "$tmp/$1.out" | head; fail "$1: output differs"; }
}

# Cold, then warm.
run cold "$prog"
check_out cold
[ "$(stat_of 5 "$tmp/cold.err")" -gt 100 ] || fail "cold run stored $(stat_of 5 "$tmp/cold.err") units"
run warm "$prog"
check_out warm
loaded=$(stat_of 1 "$tmp/warm.err")
[ "$loaded" -gt 100 ] || fail "warm run loaded $loaded units"
compiled=$(sed -n 's/^r386 stats: \([0-9]*\) units.*/\1/p' "$tmp/warm.err")
[ "$compiled" -le 5 ] || fail "warm run still compiled $compiled units"
# LLVM is set up only when something is compiled: a run that finds every
# unit in the cache never initialises it (jit_llvm).
llvm_of() { sed -n 's/.*; LLVM set up: \([a-z]*\)$/\1/p' "$1" | tail -1; }
[ "$(llvm_of "$tmp/cold.err")" = yes ] || fail "cold run: LLVM set up: $(llvm_of "$tmp/cold.err")"
run warm2 "$prog"
check_out warm2
compiled=$(sed -n 's/^r386 stats: \([0-9]*\) units.*/\1/p' "$tmp/warm2.err")
[ "$compiled" = 0 ] || fail "third run still compiled $compiled units"
[ "$(llvm_of "$tmp/warm2.err")" = no ] ||
    fail "a run that compiled nothing set LLVM up: $(llvm_of "$tmp/warm2.err")"
# Every object loaded runs where it lies in the mapped file (prelinked as
# it was written), none is copied into the code arena.
in_place_of() { sed -n 's/.* objects ([^,]*, \([0-9]*\) run in place).*/\1/p' "$1" | tail -1; }
[ "$(in_place_of "$tmp/warm.err")" = "$(stat_of 2 "$tmp/warm.err")" ] ||
    fail "warm run: $(in_place_of "$tmp/warm.err") of $(stat_of 2 "$tmp/warm.err") objects run in place"
# Where a file cannot be mapped that way (a noexec mount, say), the same
# prelinked records are copied into the arena and linked there: their
# relaxed GOT loads must read right that way too.
R386_CACHE_NO_IN_PLACE=1 run copied "$prog"
check_out copied
[ "$(in_place_of "$tmp/copied.err")" = 0 ] && [ "$(stat_of 2 "$tmp/copied.err")" -gt 100 ] ||
    fail "R386_CACHE_NO_IN_PLACE: $(in_place_of "$tmp/copied.err") of $(stat_of 2 "$tmp/copied.err") objects run in place"

# Every object r386 makes is linked by its own loader (jit/objload.c),
# not declined to ORC: first tier, optimising tier (helpers, libc calls,
# constant pools), fresh and from the cache.
orc_of() { sed -n 's/.* \([0-9]*\) objects linked by ORC$/\1/p' "$1" | tail -1; }
hot_of() { sed -n 's/.* \([0-9]*\) hot units optimised.*/\1/p' "$1" | tail -1; }
opt_loaded_of() { sed -n 's/.* \([0-9]*\) loaded optimised.*/\1/p' "$1" | tail -1; }
for name in cold warm; do
    [ "$(orc_of "$tmp/$name.err")" = 0 ] || fail "$name: $(orc_of "$tmp/$name.err") objects linked by ORC"
done
for p in fpu_O2 sse2_O2 simd_sse2; do
    qemu-i386 "$guests/$p" >"$tmp/want.$p" 2>&1 || fail "qemu-i386 $p"
    for pass in 1 2; do
        R386_JIT_HOT=50 "$r386" --cache-dir "$tmp/cache-$p" --stats "$guests/$p" \
            >"$tmp/$p.out" 2>"$tmp/$p.err" || fail "$p run $pass: exit status"
        cmp -s "$tmp/want.$p" "$tmp/$p.out" || fail "$p run $pass: output differs from qemu-i386"
        [ "$(orc_of "$tmp/$p.err")" = 0 ] || fail "$p run $pass: $(orc_of "$tmp/$p.err") objects linked by ORC"
        [ "$(in_place_of "$tmp/$p.err")" = "$(stat_of 2 "$tmp/$p.err")" ] ||
            fail "$p run $pass: $(in_place_of "$tmp/$p.err") of $(stat_of 2 "$tmp/$p.err") objects run in place"
        [ $pass = 1 ] && hot1=$(hot_of "$tmp/$p.err")
        [ $pass = 2 ] && loaded2=$(opt_loaded_of "$tmp/$p.err")
    done
    # The optimising tier's code is stored: the second run starts with it.
    [ "$hot1" -gt 0 ] || fail "$p: the optimising tier did not run"
    [ "$loaded2" -gt 0 ] || fail "$p: no optimised unit loaded from the cache ($hot1 made by run 1)"
done

# Damage: each kind, then the run after it finds a good file again.
for kind in flip index truncate version; do
    for f in "$cache"/*.r386c; do
        size=$(stat -c %s "$f")
        case $kind in
        index) # a byte of the index (where the header's offset 40 says)
            ioff=$(od -An -tu8 -j40 -N8 "$f" | tr -d ' ')
            printf '\377' | dd of="$f" bs=1 seek=$((ioff + 4)) conv=notrunc 2>/dev/null ;;
        flip) # a byte every 16 KB of the records (checked when used)
            ioff=$(od -An -tu8 -j40 -N8 "$f" | tr -d ' ')
            off=$((64 + 100))
            while [ $off -lt "$ioff" ]; do
                printf '\125' | dd of="$f" bs=1 seek=$off conv=notrunc 2>/dev/null
                off=$((off + 16384))
            done ;;
        truncate) truncate -s $((size * 2 / 3)) "$f" ;;
        version) printf '\143' | dd of="$f" bs=1 seek=8 conv=notrunc 2>/dev/null ;;
        esac
    done
    run "damaged_$kind" "$prog"
    check_out "damaged_$kind"
    [ "$(stat_of 4 "$tmp/damaged_$kind.err")" -ge 1 ] || fail "$kind: no bad file seen"
    run "after_$kind" "$prog"
    check_out "after_$kind"
    [ "$(stat_of 1 "$tmp/after_$kind.err")" -gt 100 ] || fail "$kind: cache not rebuilt"
    [ "$(stat_of 4 "$tmp/after_$kind.err")" -eq 0 ] || fail "$kind: still bad after the rebuild"
done

# A changed binary: same path, size and modification time, other code.
. "$(dirname "$0")/variants.sh"
variants
install_variant 3
run v_old "$tmp/v"
[ "$(cat "$tmp/v_old.out")" = 124 ] || fail "v3 printed $(cat "$tmp/v_old.out")"
install_variant 5
run v_new "$tmp/v"
[ "$(cat "$tmp/v_new.out")" = 206 ] || fail "changed binary printed $(cat "$tmp/v_new.out"), not 206"
[ "$(stat_of 3 "$tmp/v_new.err")" -ge 1 ] || fail "no stale unit seen for the changed binary"

# Segments: a warm run that adds a few units writes them to a file of
# their own beside the main one, which it leaves alone (a large program's
# main file was rewritten whole for a few units); the 8th file of a key
# merges them all into the main file again.
cat >"$tmp/s.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#define F(n) __attribute__((noinline)) static int f##n(int x) \
    { int s = 0; for (int i = 0; i < x; i++) s += (i ^ n) * (n + 3); return s; }
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8)
int main(int argc, char **argv)
{
    static int (*const f[])(int) = {f0, f1, f2, f3, f4, f5, f6, f7, f8};
    int k = argc > 1 ? atoi(argv[1]) % 9 : 0;
    printf("%d\n", f[k](100 + k));
    return 0;
}
EOF
gcc -m32 -O1 -static -o "$tmp/s" "$tmp/s.c" || fail "gcc -m32 s.c"
cache=$tmp/seg
files() { ls "$cache" | grep -c '\.r386c$'; }
for k in 0 1 2 3 4 5 6 7 8; do
    qemu-i386 "$tmp/s" $k >"$tmp/want.s" || fail "qemu-i386 s $k"
    [ $k = 1 ] && main=$(ls "$cache"/*.r386c) && inode=$(stat -c %i "$main")
    run "seg$k" "$tmp/s" $k
    cmp -s "$tmp/want.s" "$tmp/seg$k.out" || fail "s $k: output differs from qemu-i386"
    [ "$(stat_of 5 "$tmp/seg$k.err")" -gt 0 ] || fail "s $k stored nothing"
    want=$((k + 1))
    [ $k = 8 ] && want=1
    [ "$(files)" = $want ] || fail "after s $k: $(files) cache files, not $want"
    if [ $k -ge 1 ] && [ $k -le 7 ]; then
        [ "$(stat -c %i "$main")" = "$inode" ] || fail "s $k rewrote the main file"
    fi
done
for k in 3 8; do # from a segment (merged since), from the merged file
    qemu-i386 "$tmp/s" $k >"$tmp/want.s" || fail "qemu-i386 s $k"
    run "seg_again$k" "$tmp/s" $k
    cmp -s "$tmp/want.s" "$tmp/seg_again$k.out" || fail "s $k again: output differs from qemu-i386"
    [ "$(stat_of 5 "$tmp/seg_again$k.err")" = 0 ] || fail "s $k again stored $(stat_of 5 "$tmp/seg_again$k.err") units"
    [ "$(sed -n 's/^r386 stats: \([0-9]*\) units.*/\1/p' "$tmp/seg_again$k.err")" = 0 ] || fail "s $k again compiled units"
    # The merge kept the main file's records where they were (their
    # links hold) and linked the segments' for their new place.
    [ "$(in_place_of "$tmp/seg_again$k.err")" = "$(stat_of 2 "$tmp/seg_again$k.err")" ] ||
        fail "s $k again: $(in_place_of "$tmp/seg_again$k.err") of $(stat_of 2 "$tmp/seg_again$k.err") objects run in place"
done

# 8 concurrent runs of a dynamic program on one empty cache.
cache=$tmp/shared
dyn=$guests/hello_dyn
i=0
while [ $i -lt 8 ]; do
    "$r386" -L "$sysroot" --cache-dir "$cache" "$dyn" a$i >"$tmp/c$i.out" 2>"$tmp/c$i.err" &
    i=$((i + 1))
done
wait
i=0
while [ $i -lt 8 ]; do
    [ "$(cat "$tmp/c$i.out")" = "hello from i386 a$i" ] || fail "concurrent run $i: $(cat "$tmp/c$i.out" "$tmp/c$i.err")"
    [ -s "$tmp/c$i.err" ] && fail "concurrent run $i wrote: $(cat "$tmp/c$i.err")"
    i=$((i + 1))
done
"$r386" -L "$sysroot" --cache-dir "$cache" --stats "$dyn" after >"$tmp/c.out" 2>"$tmp/c.err"
[ "$(cat "$tmp/c.out")" = "hello from i386 after" ] || fail "run after the concurrent ones"
[ "$(stat_of 4 "$tmp/c.err")" -eq 0 ] || fail "the shared cache holds bad files"
[ "$(stat_of 1 "$tmp/c.err")" -gt 100 ] || fail "the shared cache was not filled"
ls "$cache" | grep -q '\.tmp\.' && fail "temporary files left behind"

# The size limit.
cache=$tmp/small
for p in intops_O2 control_O2 memory_O2 fpu_O2; do
    "$r386" --cache-dir "$cache" --cache-max 300K "$guests/$p" >/dev/null 2>"$tmp/small.err"
    total=$(cat "$cache"/*.r386c 2>/dev/null | wc -c)
    [ "$total" -le 307200 ] || fail "cache holds $total bytes, over 300K"
done
[ -s "$tmp/small.err" ] && fail "limited cache: $(cat "$tmp/small.err")"

# An unusable directory: one warning, and the program runs.
: >"$tmp/file"
"$r386" --cache-dir "$tmp/file/sub" "$prog" >"$tmp/bad.out" 2>"$tmp/bad.err"
cat "$tmp/bad.err" >>"$tmp/bad.out"
grep -v '^r386: warning' "$tmp/bad.out" | cmp -s - "$tmp/want" || fail "run with an unusable cache directory"
[ "$(grep -c '^r386: warning' "$tmp/bad.err")" -eq 1 ] || fail "expected one warning: $(cat "$tmp/bad.err")"

# --cache-stats, --cache-clear.
"$r386" --cache-dir "$tmp/shared" --cache-stats >"$tmp/st" || fail "--cache-stats"
grep -q '^files: [1-9]' "$tmp/st" || fail "--cache-stats: $(cat "$tmp/st")"
"$r386" --cache-dir "$tmp/shared" --cache-clear || fail "--cache-clear"
ls "$tmp/shared" | grep -q r386c && fail "--cache-clear left files"
"$r386" --cache-max 12Q "$prog" 2>"$tmp/e" && fail "--cache-max 12Q accepted"
grep -q "expected a size" "$tmp/e" || fail "--cache-max error: $(cat "$tmp/e")"
echo "ok: cold $compiled/warm loaded $loaded units; damage, changed binary, concurrency, limit, errors"
