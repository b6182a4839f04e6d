#!/bin/sh
# interp_saved.sh R386 SYSROOT: the interpreter's decoded blocks across runs
# (interp/saved.c), on a dynamic coreutils `seq` and a static program:
#   - a first run decodes its blocks and leaves a file of them in the cache
#     directory; the next run takes them from it and decodes (nearly)
#     nothing;
#   - damaged files (flipped bytes in the blocks, a bad header, truncation)
#     are ignored -- the damage counted, the blocks decoded again -- and
#     written anew, which the run after finds sound;
#   - a binary changed on disk with its path, size and modification time
#     kept (so the same file of blocks) runs its new code: a saved block is
#     used only where guest memory holds the bytes it was decoded from;
#   - --cache-stats counts the file, --cache-clear removes it;
# and every run's output and exit status are qemu-i386's.
set -u
r386=$1
sysroot=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cache=$tmp/cache
prog=$sysroot/usr/bin/seq
qemu-i386 -L "$sysroot" "$prog" 3 >"$tmp/want" 2>&1
want_rc=$?
[ "$(cat "$tmp/want")" = "$(printf '1\n2\n3')" ] || fail "qemu-i386 seq 3: $(cat "$tmp/want")"

run() { # run NAME PROG ARGS...: r386 --stats with the test cache
    name=$1
    shift
    "$r386" --cache-dir "$cache" --stats -L "$sysroot" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    echo $? >"$tmp/$name.rc"
    grep -v '^r386 stats' "$tmp/$name.err" >>"$tmp/$name.out"
}
check() { # check NAME: seq's output and status
    [ "$(cat "$tmp/$1.rc")" = "$want_rc" ] || fail "$1: exit status $(cat "$tmp/$1.rc")"
    cmp -s "$tmp/want" "$tmp/$1.out" || fail "$1: output differs: $(head -3 "$tmp/$1.out")"
}
# chunks FIELD NAME: decoded (1), saved ones used (2), damaged (3)
chunks() {
    sed -n 's/.*; \([0-9]*\) chunks decoded, \([0-9]*\) saved ones used, \([0-9]*\) damaged$/\1 \2 \3/p' \
        "$tmp/$2.err" | cut -d' ' -f"$1"
}
saved_file() { ls "$cache"/*.i.r386c 2>/dev/null; }

run cold "$prog" 3
check cold
[ "$(chunks 1 cold)" -gt 200 ] || fail "cold run decoded $(chunks 1 cold) chunks"
[ "$(chunks 2 cold)" = 0 ] || fail "cold run used $(chunks 2 cold) saved chunks"
file=$(saved_file)
[ -n "$file" ] && [ -s "$file" ] || fail "no file of saved blocks in $(ls "$cache")"
run warm "$prog" 3
check warm
[ "$(chunks 2 warm)" -gt 200 ] || fail "warm run used $(chunks 2 warm) saved chunks"
[ "$(chunks 1 warm)" -le $(($(chunks 1 cold) / 20)) ] ||
    fail "warm run still decoded $(chunks 1 warm) chunks (cold: $(chunks 1 cold))"
[ "$(chunks 3 warm)" = 0 ] || fail "warm run found $(chunks 3 warm) damaged"
cp "$file" "$tmp/good"

# Damage: every 97th byte of the blocks flipped (after the 48-byte header
# and the index, 24 bytes a block), one byte of the index, the magic, the
# file cut short.
for kind in blocks index magic truncated; do
    cp "$tmp/good" "$file"
    case $kind in
    blocks|index) python3 - "$file" "$kind" <<'EOF'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
n = struct.unpack_from('<I', b, 24)[0]
records = 48 + 24 * n
if sys.argv[2] == 'index':
    b[48 + 24 * (n // 2) + 8] ^= 0x10  # a record's offset
else:
    for i in range(records, len(b), 97):
        b[i] ^= 0x5a
open(p, 'wb').write(b)
EOF
        ;;
    magic) printf 'XXXX' | dd of="$file" conv=notrunc 2>/dev/null ;;
    truncated) head -c 3000 "$tmp/good" >"$file" ;;
    esac
    run "damaged_$kind" "$prog" 3
    check "damaged_$kind"
    [ "$(chunks 3 "damaged_$kind")" -ge 1 ] || fail "$kind: no damage seen"
    [ "$(chunks 1 "damaged_$kind")" -gt 0 ] || fail "$kind: nothing decoded again"
    run "after_$kind" "$prog" 3
    check "after_$kind"
    [ "$(chunks 3 "after_$kind")" = 0 ] || fail "$kind: still damaged after the rewrite"
    [ "$(chunks 2 "after_$kind")" -gt 200 ] || fail "$kind: file not written again"
done

# A changed binary: same path, size and modification time, other code in
# a function that runs once (so it is interpreted, not compiled).
. "$(dirname "$0")/variants.sh"
variants
install_variant 3
run v_old "$tmp/v"
[ "$(cat "$tmp/v_old.out")" = 124 ] || fail "v3 printed $(cat "$tmp/v_old.out")"
run v_old2 "$tmp/v"
[ "$(cat "$tmp/v_old2.out")" = 124 ] || fail "v3 again printed $(cat "$tmp/v_old2.out")"
[ "$(chunks 2 v_old2)" -gt 50 ] || fail "v3 again used $(chunks 2 v_old2) saved chunks"
install_variant 5
run v_new "$tmp/v"
[ "$(cat "$tmp/v_new.out")" = 206 ] || fail "changed binary printed $(cat "$tmp/v_new.out"), not 206"
[ "$(chunks 2 v_new)" -gt 50 ] || fail "the changed binary used $(chunks 2 v_new) saved chunks"
[ "$(chunks 1 v_new)" -ge 1 ] || fail "the changed binary decoded nothing"

"$r386" --cache-dir "$cache" --cache-stats >"$tmp/st" || fail "--cache-stats"
grep -q "^files: [0-9]* ([1-9][0-9]* of the interpreter's saved blocks" "$tmp/st" ||
    fail "--cache-stats: $(cat "$tmp/st")"
"$r386" --cache-dir "$cache" --cache-clear || fail "--cache-clear"
[ -z "$(saved_file)" ] || fail "--cache-clear left $(saved_file)"
echo "ok: seq decoded $(chunks 1 cold) chunks cold, $(chunks 1 warm) warm" \
     "($(chunks 2 warm) saved ones used); damage ignored and rewritten; a changed binary's new code ran"
