#!/bin/sh
# Fuzz the loader (ELF parser, #! scripts, segment layout) with libFuzzer,
# AddressSanitizer and UBSan for SECONDS (default 60).
#
#   scripts/fuzz-elf.sh [SECONDS]
#
# Builds build-fuzz/fuzz_elf, seeds build-fuzz/corpus from the guest test
# programs (build/tests/guest/*) and fuzz/seeds/, runs, and exits non-zero
# when a crash was found (the input is left in build-fuzz/, crash-*).
# A crashing input belongs in fuzz/seeds/ once fixed: ctest replays it.
set -eu

SECONDS_TO_RUN=${1:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build-fuzz
CORPUS=$OUT/corpus
CC=${FUZZ_CC:-clang-14}

# clang and its fuzzer runtime, installed when missing (needs root).
if ! command -v "$CC" >/dev/null 2>&1 ||
        ! dpkg-query -W -f='${Status}\n' libclang-rt-14-dev 2>/dev/null |
            grep -q "install ok installed"; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "fuzz-elf: need clang-14 and libclang-rt-14-dev (run as root" \
             "to install them)" >&2
        exit 1
    fi
    echo "fuzz-elf: installing clang-14 libclang-rt-14-dev" >&2
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
fi

mkdir -p "$OUT" "$CORPUS"
cd "$ROOT"
# No -Werror: the sanitizers, not warnings, are what this build is for.
"$CC" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -g -O1 -std=c17 -D_GNU_SOURCE -I include -I loader \
    loader/elf.c loader/script.c loader/load.c loader/symbols.c \
    loader/cfi.c fuzz/fuzz_elf.c \
    -o "$OUT/fuzz_elf"
cc -std=c17 -O1 -o "$OUT/gen_seeds" fuzz/gen_seeds.c

# Seeds: the hand-made ones, the committed regressions, and the real guest
# programs cut to max_len (their headers are what matters).
"$OUT/gen_seeds" "$CORPUS"
cp fuzz/seeds/* "$CORPUS/" 2>/dev/null || true
for f in "$ROOT"/build/tests/guest/*; do
    [ -f "$f" ] || continue
    head -c 65536 "$f" >"$CORPUS/guest-$(basename "$f")"
done

echo "fuzz-elf: fuzzing for ${SECONDS_TO_RUN}s, corpus $CORPUS" \
     "($(find "$CORPUS" -type f | wc -l) files)" >&2
status=0
# Findings of this run only: older ones may have been fixed since.
touch "$OUT/.start"
# stdin from /dev/null: an input naming /proc/self/fd/0 must not wait on a
# terminal.  detect_leaks: the loader frees what it allocates on every
# path.
"$OUT/fuzz_elf" -max_len=65536 -max_total_time="$SECONDS_TO_RUN" \
    -print_final_stats=1 -detect_leaks=1 -artifact_prefix="$OUT/" \
    "$CORPUS" </dev/null || status=$?

found=$(find "$OUT" -maxdepth 1 -newer "$OUT/.start" \
        \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
           -o -name 'oom-*' \) | sort)
if [ -n "$found" ]; then
    echo "fuzz-elf: findings:" >&2
    echo "$found" >&2
    [ "$status" -ne 0 ] || status=1
fi
if [ "$status" -ne 0 ]; then
    echo "fuzz-elf: failed (status $status)" >&2
fi
exit "$status"
