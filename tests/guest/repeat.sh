#!/bin/sh
# repeat.sh R386 N [--cold] [--expected FILE] PROG [ARG...]
#
# Races show up only sometimes: run PROG once under qemu-i386 (the
# reference: stdout and exit status), then N times under r386, and fail at
# the first run that differs.  With --expected, FILE is the reference
# stdout (exit status 0), for programs qemu-i386 cannot run right.  With
# --cold, every r386 run starts with an empty persistent cache (races in
# compiling, which a warm run skips).  The R386_* knobs set are passed on
# to r386 (tests of its tiers).
set -u
r386=$1
# The persistent cache of test runs: next to the r386 under test unless the
# caller chose one (scripts/test.sh starts CI with an empty one).
R386_CACHE_DIR=${R386_CACHE_DIR:-$(cd "$(dirname "$r386")" && pwd)/test-cache}
n=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The fixed environment of run_guest.sh (with the caller's R386_* knobs);
# a run that hangs fails.
knobs=$(env | grep '^R386_' | grep -v '^R386_CACHE_DIR=')
run() {
    # shellcheck disable=SC2086
    env -i PATH=/usr/bin:/bin HOME=/nonexistent LC_ALL=C TZ=UTC \
        R386_CACHE_DIR="$R386_CACHE_DIR" $knobs \
        timeout 120 "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    echo $? >"$tmp/rc"
}
cold=0
if [ "$1" = --cold ]; then
    cold=1
    shift
fi
if [ "$1" = --expected ]; then
    cp "$2" "$tmp/out.ref"
    echo 0 >"$tmp/rc.ref"
    shift 2
else
    run qemu-i386 "$@"
    mv "$tmp/out" "$tmp/out.ref"
    mv "$tmp/rc" "$tmp/rc.ref"
fi
i=0
while [ $i -lt "$n" ]; do
    i=$((i + 1))
    if [ $cold -eq 1 ]; then
        rm -rf "$tmp/cache"
        R386_CACHE_DIR=$tmp/cache
    fi
    run "$r386" "$@"
    if ! cmp -s "$tmp/out.ref" "$tmp/out" ||
        [ "$(cat "$tmp/rc")" != "$(cat "$tmp/rc.ref")" ]; then
        echo "FAIL: run $i of $n of $(basename "$1") $*: exit $(cat "$tmp/rc")," \
            "the reference says $(cat "$tmp/rc.ref")"
        diff "$tmp/out.ref" "$tmp/out" | head -20
        head -20 "$tmp/err"
        exit 1
    fi
done
echo "ok: $(basename "$1") $* ($n runs, exit $(cat "$tmp/rc.ref"))"
