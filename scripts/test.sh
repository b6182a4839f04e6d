#!/bin/sh
# Build r386 and run its whole test suite (installing what it needs first).
set -eu
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
BUILD=${BUILD:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
cd "$BUILD"
ctest --output-on-failure -j"$(nproc)" "$@"
