#!/bin/sh
# profile.sh MODE R386 ARGS...: the guest profiler's outputs.
#   shares R386 PROG      tests/guest/prof_shares: its three functions ranked 70/20/10
#                         (guest% within 5 points) in the report, under
#                         main in the collapsed stacks and named in the SVG
#   svg R386 PROG         the SVG flame graph opens in headless Chromium and
#                         its DOM holds the function names
#   stacks R386 PROG      tests/guest/prof_stacks: the stacks walked from
#                         .eh_frame are the program's -- 40 or more nested
#                         calls, a signal handler over the code it
#                         interrupted, nothing left by a longjmp, a
#                         second thread, a loop-free leaf's own time
#   lua R386 SYSROOT PROG prof_lua: Debian's stripped liblua5.4.so.0 is
#                         named by file and offset (+0x...) in the report
#   unwritable R386 PROG  an unwritable profile file: one warning, the run
#                         and its exit status unchanged
set -u
mode=$1
r386=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*"
    for f in "$tmp"/err "$tmp"/report; do
        [ -s "$f" ] && { echo "--- $f"; head -60 "$f"; }
    done
    exit 1
}

# The self-share table of a report: "self% incl% guest% samples name file"
# rows between its heading and the next blank line.
self_rows() {
    awk '/^guest functions by self share/ {on = 1; next}
         on && /^$/ {exit}
         on && $1 ~ /%$/ {print}' "$1"
}

# share NAME: the guest% column of NAME's row, without the %.
guest_share() {
    self_rows "$tmp/report" | awk -v n="$1" '$5 == n {sub(/%/, "", $3); print $3}'
}

near() { # near VALUE WANT: |VALUE - WANT| <= 5
    awk -v v="$1" -v w="$2" 'BEGIN {d = v - w; if (d < 0) d = -d; exit !(v != "" && d <= 5)}'
}

case $mode in
shares)
    prog=$1
    # The same code quality for the three functions all along: first-tier
    # code only and no persistent cache.  Otherwise the shares measure
    # when each function got optimised as well: a cache the other modes
    # left (tests share one; they run the same program for other lengths)
    # can hold optimised code for some of the three and not the others
    # (65.6/23.2/11.3 in a local run; 77.0/18.5/3.3 failed a CI run in
    # session 16), and cold runs optimise them at different times
    # (73.1/17.8/8.3).  With the first tier only: within 1.5 points.  And
    # no interpreter (another code quality, for each block's first runs:
    # 64.3/22.7/12.6 failed a CI run in session 23, the host loaded).
    # Up to three runs for the shares: on a loaded host (CI runs two tests
    # at once) the guest thread and the sampler share the CPUs, samples come
    # due in clumps, and 1.8 s of work is too few of them (78.7/14.8/6.5
    # with two busy loops beside it, 62.4/23.7/13.9 in a CI run of session
    # 24; idle, within 3 points).  An attribution that is wrong is wrong in
    # every run.
    tries=""
    for attempt in 1 2 3; do
        R386_JIT_HOT=0 R386_INTERP=0 "$r386" --no-cache --profile="$tmp/report" \
            --profile-folded="$tmp/folded" \
            --profile-svg="$tmp/svg" "$prog" 20000000 >"$tmp/out" 2>"$tmp/err" ||
            fail "r386 exited $?"
        grep -q '^done ' "$tmp/out" || fail "the program's output is missing"
        [ -s "$tmp/report" ] || fail "no report"
        grep -Eq '^samples: [0-9]+ .*run time [0-9.]+ s' "$tmp/report" ||
            fail "no totals line"
        for what in 'guest code' 'r386 compiling' 'r386 dispatcher' 'system calls'; do
            grep -q "% *[0-9]*  $what\$" "$tmp/report" || fail "no share for $what"
        done
        # The three in this order among the guest functions of the self table.
        order=$(self_rows "$tmp/report" | awk '$5 ~ /^work_/ {print $5}' | tr '\n' ' ')
        [ "$order" = "work_seventy work_twenty work_ten " ] ||
            fail "ranked '$order', want work_seventy work_twenty work_ten"
        s70=$(guest_share work_seventy)
        s20=$(guest_share work_twenty)
        s10=$(guest_share work_ten)
        tries="$tries $s70/$s20/$s10"
        near "$s70" 70 && near "$s20" 20 && near "$s10" 10 && break
        [ $attempt -lt 3 ] ||
            fail "guest shares$tries in three runs, want 70/20/10 within 5 points"
    done
    # Named by file, and the hottest block lies in work_seventy.
    self_rows "$tmp/report" | grep -q "work_seventy .*/$(basename "$prog")\$" ||
        fail "work_seventy not attributed to $(basename "$prog")"
    awk '/^hottest blocks/ {on = 1} on && /^ *[0-9.]+%/ {print; exit}' "$tmp/report" |
        grep -Eq '0x[0-9a-f]{8}  work_seventy\+0x[0-9a-f]+ ' ||
        fail "the hottest block is not in work_seventy"
    # Collapsed stacks: "a;b;c count", the three under main.
    bad=$(grep -cvE '^[^ ].* [0-9]+$' "$tmp/folded")
    [ "$bad" -eq 0 ] || fail "$bad malformed collapsed-stack lines"
    for f in work_seventy work_twenty work_ten; do
        grep -Eq "(^|;)main;$f [0-9]+\$" "$tmp/folded" ||
            fail "no stack main;$f in the collapsed stacks"
    done
    total=$(awk '{n += $NF} END {print n}' "$tmp/folded")
    grep -q "^samples: $total " "$tmp/report" ||
        fail "collapsed stacks hold $total samples, the report another count"
    for f in work_seventy work_twenty work_ten main; do
        grep -q "<title>$f (" "$tmp/svg" || fail "$f not in the SVG"
    done
    echo "ok: shares $s70/$s20/$s10 of guest time (runs:$tries), stacks under main"
    ;;
svg)
    prog=$1
    command -v chromium >/dev/null ||
        fail "chromium is not installed (scripts/setup-deps.sh installs it)"
    "$r386" --profile-svg="$tmp/flame.svg" "$prog" 2000000 >"$tmp/out" \
        2>"$tmp/err" || fail "r386 exited $?"
    # Chromium's own profile directory, and no wait for a GPU or sandbox.
    HOME=$tmp timeout 120 chromium --headless --disable-gpu --no-sandbox \
        --user-data-dir="$tmp/chrome" --dump-dom "file://$tmp/flame.svg" \
        >"$tmp/dom" 2>"$tmp/chrome.err" || fail "chromium failed: $(tail -3 "$tmp/chrome.err")"
    grep -q '<svg' "$tmp/dom" || fail "no <svg> in the DOM Chromium built"
    ! grep -qi 'parsererror\|This page contains the following errors' "$tmp/dom" ||
        fail "Chromium could not parse the SVG"
    for f in work_seventy work_twenty work_ten main; do
        grep -q "<title>$f (" "$tmp/dom" || fail "$f not in the DOM"
    done
    grep -Eq '<title>work_seventy \([^)]*\): [0-9]+ samples, [0-9.]+%</title>' \
        "$tmp/dom" || fail "no share on hover for work_seventy"
    echo "ok: Chromium opened the flame graph, $(grep -c '<g>' "$tmp/dom") frames"
    ;;
stacks)
    prog=$1
    "$r386" --profile="$tmp/report" --profile-folded="$tmp/folded" \
        "$prog" 1000000 >"$tmp/out" 2>"$tmp/err" || fail "r386 exited $?"
    grep -q '^stacks done ' "$tmp/out" || fail "the program's output is missing"
    # stack WHAT: the collapsed stacks ending in WHAT (a regex), counts
    # dropped.
    stack() { grep -E "$1 [0-9]+\$" "$tmp/folded" | sed 's/ [0-9]*$//'; }
    # 40 nested calls of descend (41 at -O0: at -O2 the last one
    # tail-calls at_bottom), under main.
    stack ';at_bottom' | grep -Eq '(^|;)main(;descend){40,41};at_bottom$' ||
        fail "no main;descend x40;at_bottom stack: $(stack ';at_bottom' | head -3)"
    # The handler over what it interrupted: raise() in signal_phase().
    stack ';in_handler' | grep -Eq '(^|;)main;signal_phase;.*;on_usr1;in_handler$' ||
        fail "no main;signal_phase;...;on_usr1;in_handler stack: $(stack ';in_handler' | head -3)"
    # After a longjmp out of 30 calls, none of them.
    [ -n "$(stack ';after_jump')" ] || fail "no stack ends in after_jump"
    bad=$(stack ';after_jump' | grep -Ev '(^|;)main;after_jump$')
    [ -z "$bad" ] || fail "after_jump not right under main: $bad"
    stack ';thread_work' | grep -Eq '(^|;)start_thread;thread_main;thread_work$' ||
        fail "no start_thread;thread_main;thread_work stack: $(stack ';thread_work' | head -3)"
    # A function without a loop keeps its own time: the sampler saw it
    # running, the stack was walked after it returned.
    leaf=$(self_rows "$tmp/report" | awk '$5 == "tiny_leaf" {print $4}')
    caller=$(self_rows "$tmp/report" | awk '$5 == "leaf_caller" {print $4}')
    [ "${leaf:-0}" -ge 10 ] && [ "${leaf:-0}" -ge $((3 * ${caller:-0})) ] ||
        fail "tiny_leaf has ${leaf:-0} samples of its own, leaf_caller ${caller:-0}"
    stack ';tiny_leaf' | grep -Eq '(^|;)main;leaf_caller;tiny_leaf$' ||
        fail "no main;leaf_caller;tiny_leaf stack"
    echo "ok: deep, signal, longjmp, thread and leaf stacks ($leaf/${caller:-0} leaf/caller samples)"
    ;;
lua)
    sysroot=$1
    prog=$2
    "$r386" -L "$sysroot" --profile="$tmp/report" --profile-folded="$tmp/folded" \
        "$prog" >"$tmp/out" 2>"$tmp/err" || fail "r386 exited $?"
    grep -q '^lua says [0-9]' "$tmp/out" || fail "lua printed '$(cat "$tmp/out")'"
    # The stripped library's code by file, and by offset or eh_frame start.
    rows=$(self_rows "$tmp/report" | grep -c '/liblua5\.4\.so\.0[^ /]*$')
    [ "$rows" -gt 0 ] || fail "no function attributed to liblua5.4.so.0"
    self_rows "$tmp/report" | grep -Eq ' liblua5\.4\.so\.0[.0-9]*\+0x[0-9a-f]+ ' ||
        fail "no liblua5.4.so.0+0x... function in the report"
    grep -Eq '(^|;)liblua5\.4\.so\.0[.0-9]*\+0x[0-9a-f]+[; ]' "$tmp/folded" ||
        fail "liblua5.4.so.0 not in the collapsed stacks"
    # Exported functions keep their .dynsym names.
    grep -q 'lua_pcallk' "$tmp/folded" || fail "lua_pcallk (.dynsym) not named"
    # A pc in a function without a symbol is FILE+0xADDR, not
    # FILE+0xSTART+0xOFF.
    ! grep -Eq '\+0x[0-9a-f]+\+0x' "$tmp/report" ||
        fail "a pc named twice over: $(grep -Em1 '\+0x[0-9a-f]+\+0x' "$tmp/report")"
    echo "ok: $rows of the top functions in liblua5.4.so.0"
    ;;
unwritable)
    prog=$1
    "$r386" --profile="$tmp/no/such/dir/report" "$prog" 200000 \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] || fail "r386 exited $rc"
    grep -q '^done ' "$tmp/out" || fail "the program's output is missing"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'cannot write the profile' "$tmp/err" ||
        fail "expected one warning, got: $(cat "$tmp/err")"
    echo "ok: one warning"
    ;;
*)
    fail "unknown mode $mode"
    ;;
esac
