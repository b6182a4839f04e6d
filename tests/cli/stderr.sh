#!/bin/sh
# stderr.sh R386 BUSYBOX: r386's own messages survive the guest closing its
# stderr (xz closes it before it exits, to check for write errors):
# --stats' lines and --strace's still reach the stderr r386 was given,
# while the guest's own writes to fd 2 go where the guest says.
set -u
r386=$1
bb=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$r386" --no-cache --stats "$bb" sh -c 'echo guest-err >&2; exec 2>&-; echo out' \
    >"$tmp/out" 2>"$tmp/err" || fail "r386 exited $?: $(cat "$tmp/err")"
[ "$(cat "$tmp/out")" = out ] || fail "stdout: $(cat "$tmp/out")"
grep -q '^guest-err$' "$tmp/err" || fail "the guest's stderr: $(cat "$tmp/err")"
grep -q '^r386 stats: [0-9]* units' "$tmp/err" ||
    fail "--stats lost with the guest's stderr: $(cat "$tmp/err")"

"$r386" --no-cache --strace "$bb" sh -c 'exec 2>&-; echo out' \
    >"$tmp/out" 2>"$tmp/err" || fail "r386 --strace exited $?"
grep -q '^write(1, "out\\n", 4) = 4' "$tmp/err" ||
    grep -q 'write(1, .* = 4' "$tmp/err" ||
    fail "--strace lost after the guest closed fd 2: $(tail -3 "$tmp/err")"

# The guest's own redirection of fd 2 still takes its writes.
"$r386" --no-cache "$bb" sh -c 'exec 2>"$1"; echo to-file >&2' sh "$tmp/f" \
    2>"$tmp/err" || fail "redirect: r386 exited $?"
[ "$(cat "$tmp/f")" = to-file ] || fail "the guest's fd 2 redirect: $(cat "$tmp/f")"
[ -s "$tmp/err" ] && fail "redirected guest output on r386's stderr: $(cat "$tmp/err")"
echo "ok: --stats and --strace outlive the guest's stderr"
