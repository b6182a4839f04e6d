#!/bin/sh
# repeat.sh R386 N [--expected FILE] PROG [ARG...]
#
# Races show up only sometimes: run PROG under qemu-i386 once for the
# reference (stdout and exit status), then N times under r386; every run
# must match it.  With --expected, FILE is the reference stdout (exit
# status 0) instead, for programs qemu-i386 cannot run right.
set -u
r386=$1
n=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$1" = --expected ]; then
    cp "$2" "$tmp/ref"
    ref_rc=0
    shift 2
else
    qemu-i386 "$@" >"$tmp/ref" 2>/dev/null </dev/null
    ref_rc=$?
fi
i=0
while [ $i -lt "$n" ]; do
    i=$((i + 1))
    timeout 60 "$r386" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ $rc -ne $ref_rc ] || ! cmp -s "$tmp/ref" "$tmp/out"; then
        echo "FAIL: run $i of $n: exit $rc (qemu-i386: $ref_rc)"
        diff "$tmp/ref" "$tmp/out" | head -10
        head -5 "$tmp/err"
        exit 1
    fi
done
echo "ok: $n runs of $(basename "$1") (exit $ref_rc)"
