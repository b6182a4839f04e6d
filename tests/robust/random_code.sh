#!/bin/sh
# random_code.sh R386 GEN FIRST LAST
# Runs programs of random code (seeds FIRST..LAST) under r386 --strace.
# Each must end by a guest exit (an exit/exit_group line in the strace), or
# by a guest signal that r386 reports ("--- SIG... ---" on stderr) -- never
# by a crash of r386 itself, an r386 error, an LLVM error, or a hang.
set -u
r386=$1 gen=$2 first=$3 last=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
n=0
signals=0
seed=$first
while [ "$seed" -le "$last" ]; do
    "$gen" "$seed" >"$tmp/p" && chmod +x "$tmp/p"
    timeout 20 "$r386" --strace "$tmp/p" >/dev/null 2>"$tmp/err" </dev/null
    rc=$?
    # r386's own errors (a load failure, an internal fault) start with
    # "r386: " and are not notes.
    if [ $rc -eq 124 ] || grep -q "LLVM ERROR" "$tmp/err" ||
        grep "^r386: " "$tmp/err" | grep -qv "^r386: note:" ||
        ! grep -q -- "^--- \|^[0-9]* exit" "$tmp/err"; then
        echo "seed $seed: exit $rc: $(tail -c 300 "$tmp/err")"
        bad=$((bad + 1))
    fi
    grep -q -- "^--- " "$tmp/err" && signals=$((signals + 1))
    n=$((n + 1))
    seed=$((seed + 1))
done
echo "random-code: $signals of $n programs ended by a guest signal"
echo "random-code: $((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
