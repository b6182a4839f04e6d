# stats.sh: sourced by the cli tests that read `r386 --stats` from
# "$tmp/NAME.err" (set tmp and fail() first).
units_of() { sed -n 's/^r386 stats: \([0-9]*\) units in.*/\1/p' "$tmp/$1.err"; }
bg_of() { sed -n 's/.*; \([0-9]*\) units compiled in the background.*/\1/p' "$tmp/$1.err"; }
interp_of() { sed -n 's/^r386 stats: interpreted \([0-9]*\) blocks.*/\1/p' "$tmp/$1.err"; }
# stored FIRST SECOND WHAT: run FIRST compiled units in the background
# (WHAT names them in the failure), and run SECOND, on the same cache, loaded
# them: it compiled none and interpreted fewer blocks.
stored() {
    [ "$(bg_of "$1")" -gt 0 ] || fail "no $3: $(grep interpreted "$tmp/$1.err")"
    [ "$(bg_of "$2")" = 0 ] || fail "the second run compiled $(bg_of "$2") units again"
    [ "$(interp_of "$2")" -lt "$(interp_of "$1")" ] ||
        fail "the second run interpreted $(interp_of "$2") blocks, the first $(interp_of "$1")"
}
