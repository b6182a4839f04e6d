#!/bin/sh
# Cross-check the instruction cases against qemu-i386: the expected values
# in tests/insn/*.cases must be what an i386 CPU does, not what r386 does.
#
# Usage: qemu_check.sh [DIR]   (DIR: the cases directory, default: here)
#
# casegen (a host C program) turns the cases into C data; qemu_runner.c,
# built with it as one static i386 program without libc, runs each case in
# a child process at 0x00400000 and prints the registers, flags, signal
# and memory the case ends with; casegen compares that with the cases and
# prints one line per mismatch and "qemu-check: N passed, M failed".
set -eu

dir=${1:-$(dirname "$0")}
here=$(cd "$(dirname "$0")" && pwd)
QEMU=${QEMU_I386:-qemu-i386}
HOSTCC=${HOSTCC:-cc}
GUESTCC=${GUESTCC:-gcc}

if ! command -v "$QEMU" >/dev/null 2>&1; then
    echo "qemu-check: $QEMU not found (Debian package qemu-user)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/r386-qemu-check.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

"$HOSTCC" -O1 -std=gnu17 -D_GNU_SOURCE -I"$here" -o "$work/casegen" \
    "$here/casegen.c" "$here/insn_case.c"
"$work/casegen" table "$dir" "$work/cases.inc"
"$GUESTCC" -m32 -nostdlib -static -fno-pie -no-pie -ffreestanding \
    -fno-stack-protector -fno-builtin -fno-asynchronous-unwind-tables -O1 \
    -I"$work" -o "$work/runner" "$here/qemu_runner.c"

status=0
"$QEMU" "$work/runner" > "$work/results" || status=$?
if [ "$status" -ne 0 ]; then
    echo "qemu-check: the runner failed under $QEMU (status $status)" >&2
    cat "$work/results" >&2
    exit 1
fi
"$work/casegen" compare "$dir" "$work/results"
