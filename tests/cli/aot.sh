#!/bin/sh
# aot.sh R386 GUEST_DIR: --aot translates a program into the persistent
# cache ahead of its first run.
#   - it prints one summary line when stderr is not a terminal, exits 0;
#   - the run after it gives qemu-i386's output and compiles under 5% of
#     the units it executes (sig_fault: so faults in the optimised code
#     of the cache's files must name their instruction, jit/pcmap.c, from
#     line tables made at the fault, jit/lines.c);
#   - a second --aot finds everything cached; one after a run compiles
#     the units that run recorded, so the next run compiles nothing;
#   - --aot without a cache is refused.
set -u
r386=$1
guests=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
prog=$guests/sig_fault
qemu-i386 "$prog" >"$tmp/want" 2>&1 || fail "qemu-i386 $prog"

"$r386" --cache-dir "$tmp/c" --aot "$prog" >"$tmp/aot.out" 2>"$tmp/aot.err" ||
    fail "--aot exited $?: $(cat "$tmp/aot.err")"
[ -s "$tmp/aot.out" ] && fail "--aot ran the program: $(head -3 "$tmp/aot.out")"
[ "$(wc -l <"$tmp/aot.err")" -eq 1 ] || fail "--aot printed: $(cat "$tmp/aot.err")"
compiled=$(sed -n 's/^r386 --aot: 1 files, \([0-9]*\) units compiled.*/\1/p' "$tmp/aot.err")
[ -n "$compiled" ] && [ "$compiled" -gt 1000 ] || fail "--aot: $(cat "$tmp/aot.err")"

"$r386" --cache-dir "$tmp/c" --aot "$prog" 2>"$tmp/again.err" || fail "second --aot"
grep -q '^r386 --aot: 1 files, 0 units compiled' "$tmp/again.err" ||
    fail "second --aot: $(cat "$tmp/again.err")"

"$r386" --cache-dir "$tmp/c" --stats "$prog" >"$tmp/run.out" 2>"$tmp/run.err"
grep -v '^r386 stats' "$tmp/run.err" >>"$tmp/run.out"
cmp -s "$tmp/want" "$tmp/run.out" || { diff "$tmp/want" "$tmp/run.out" | head; fail "output after --aot differs"; }
# Its faults were in units compiled without line tables: each got its
# table by being compiled again (jit/lines.c), the same code.
made=$(sed -n 's/^r386 stats: line tables made for faults: \([0-9]*\) (\([0-9]*\) .*/\1 \2/p' "$tmp/run.err")
[ "${made% *}" -ge 1 ] 2>/dev/null && [ "${made#* }" = 0 ] ||
    fail "line tables at faults (made, unmatched): '$made'"
fresh=$(sed -n 's/^r386 stats: \([0-9]*\) units in.*/\1/p' "$tmp/run.err")
loaded=$(sed -n 's/.*persistent cache [^:]*: \([0-9]*\) units loaded.*/\1/p' "$tmp/run.err")
[ $((fresh * 100)) -lt $((5 * (fresh + loaded))) ] ||
    fail "after --aot the run compiled $fresh units and loaded $loaded"
# --aot's objects (32 optimised units each) are linked by r386's own
# loader too: none has a jump table addressed absolutely.
orc=$(sed -n 's/.* \([0-9]*\) objects linked by ORC$/\1/p' "$tmp/run.err")
[ "$orc" = 0 ] || fail "after --aot $orc objects were linked by ORC"

"$r386" --cache-dir "$tmp/c" --aot "$prog" 2>"$tmp/third.err" || fail "third --aot"
"$r386" --cache-dir "$tmp/c" --stats "$prog" >"$tmp/run2.out" 2>"$tmp/run2.err"
fresh2=$(sed -n 's/^r386 stats: \([0-9]*\) units in.*/\1/p' "$tmp/run2.err")
[ "$fresh2" -eq 0 ] || fail "the run after --aot took in its units compiled $fresh2"

"$r386" --no-cache --aot "$prog" 2>"$tmp/nc.err" && fail "--aot --no-cache accepted"
grep -q "needs the persistent cache" "$tmp/nc.err" || fail "--aot --no-cache: $(cat "$tmp/nc.err")"
echo "ok: --aot compiled $compiled units; the run then compiled $fresh and loaded $loaded"
