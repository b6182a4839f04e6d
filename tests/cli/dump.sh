#!/bin/sh
# dump.sh R386 PROG: --dump-ir=PC and --dump-asm=PC show the unit at PC --
# the program's entry point -- and no other; a malformed PC is a usage
# error.  (hello_static exits with its argc, 1.)
set -u
r386=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
entry=$(od -An -tx4 -j24 -N4 "$prog" | tr -d ' ')
"$r386" --no-cache --dump-ir=0x$entry --dump-asm=$entry "$prog" \
    >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "r386 exited $? (stderr: $(head -3 "$tmp/err"))"
grep -q "^define .*i64 @u_${entry}_" "$tmp/err" || fail "no IR for the unit at $entry"
grep -q "^u_${entry}_.*:" "$tmp/err" || fail "no assembly for the unit at $entry"
grep -q 'ret' "$tmp/err" || fail "no return in the assembly"
other=$(grep -E '^define .*i64 @[uh]_' "$tmp/err" | grep -cv "@[uh]_${entry}_")
[ "$other" -eq 0 ] || fail "$other other units dumped"
# The assembly is what the first tier's code generator makes (-O0 by
# default): asked for at -O2 (R386_JIT_CODEGEN=2) it differs.  (Until
# session 16 it came from -O2 whatever ran.)  Names carry a nonce.
"$r386" --no-cache --dump-asm=$entry "$prog" >/dev/null 2>"$tmp/o0"
R386_JIT_CODEGEN=2 "$r386" --no-cache --dump-asm=$entry "$prog" \
    >/dev/null 2>"$tmp/o2"
for f in o0 o2; do
    sed 's/[0-9a-f]\{16\}_[0-9]*//g' "$tmp/$f" >"$tmp/$f.n"
done
grep -q '^u_' "$tmp/o0.n" || fail "no assembly at -O0"
cmp -s "$tmp/o0.n" "$tmp/o2.n" &&
    fail "the same assembly at -O0 and -O2: not the first tier's own"
# FastISel is for -O0 only: at -O2 (the optimising tier's level) the code
# is SelectionDAG's whether or not FastISel is turned off.  (Until session
# 17 an explicit -fast-isel option forced FastISel at every level.)
R386_JIT_CODEGEN=2 R386_JIT_NO_FASTISEL=1 "$r386" --no-cache \
    --dump-asm=$entry "$prog" >/dev/null 2>"$tmp/dag"
sed 's/[0-9a-f]\{16\}_[0-9]*//g' "$tmp/dag" >"$tmp/dag.n"
cmp -s "$tmp/o2.n" "$tmp/dag.n" ||
    fail "-O2 code differs with FastISel off: FastISel ran at -O2"
# Without PC, every unit compiled (more than one).
"$r386" --no-cache --dump-ir "$prog" >/dev/null 2>"$tmp/all"
n=$(grep -c '^define .*i64 @u_' "$tmp/all")
[ "$n" -gt 1 ] || fail "--dump-ir showed $n units"
for bad in --dump-ir=xyz --dump-asm= --dump-ir=0x100000000 --dump-irx; do
    "$r386" $bad "$prog" >/dev/null 2>"$tmp/bad"
    rc=$?
    [ $rc -eq 2 ] || fail "$bad: exit $rc, expected 2"
    [ "$(wc -l <"$tmp/bad")" -eq 1 ] || fail "$bad: not one line of error"
done
echo "ok: unit $entry dumped alone (IR and assembly), $n units without PC"
