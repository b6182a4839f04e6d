#!/bin/sh
# wrap_mapped.sh R386 PROG: PROG (tests/guest/wrap_mapped) makes a load hot,
# then gives it an address that wraps around 4 GiB into the stack's top
# page.  The optimising tier adds the displacement to the host address
# (lifter_fold_displacements), so the access lands beside the guest window;
# the page the i386 would read is mapped, which r386 does not emulate: it
# must stop with a one-line error and a non-zero status, not go on.
set -u
r386=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$r386" --no-cache "$prog" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] || fail "r386 exited 0"
grep -qx 'hot' "$tmp/out" || fail "the program did not run: $(cat "$tmp/out")"
grep -q 'read past the wrap' "$tmp/out" && fail "the wrapped load went on"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "not one line"; }
grep -q '^r386: the guest access to 0xffffd010 at eip 0x[0-9a-f]* wraps around the 4 GiB address space' \
    "$tmp/err" || { cat "$tmp/err"; fail "no wrap error"; }
echo "ok: $(cat "$tmp/err") (status $rc)"
