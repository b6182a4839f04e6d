#!/bin/sh
# repeat_guest.sh R386 N PROG [ARG...]
#
# Runs PROG once under qemu-i386 (the reference) and N times under r386,
# and fails at the first run whose stdout or exit status differs: for
# programs whose outcome depends on when signals arrive, to catch races.
set -u
r386=$1
n=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {
    env -i PATH=/usr/bin:/bin HOME=/nonexistent LC_ALL=C TZ=UTC "$@" \
        </dev/null >"$tmp/out" 2>"$tmp/err"
    echo $? >"$tmp/rc"
}
run qemu-i386 "$@"
mv "$tmp/out" "$tmp/out.qemu"
mv "$tmp/rc" "$tmp/rc.qemu"
i=0
while [ $i -lt "$n" ]; do
    run "$r386" "$@"
    if ! cmp -s "$tmp/out.qemu" "$tmp/out" ||
        [ "$(cat "$tmp/rc")" != "$(cat "$tmp/rc.qemu")" ]; then
        echo "FAIL: run $i of $(basename "$1") $*: exit $(cat "$tmp/rc")," \
            "qemu-i386 says $(cat "$tmp/rc.qemu")"
        diff "$tmp/out.qemu" "$tmp/out" | head -20
        head -20 "$tmp/err"
        exit 1
    fi
    i=$((i + 1))
done
echo "ok: $(basename "$1") $* ($n runs, exit $(cat "$tmp/rc.qemu"))"
