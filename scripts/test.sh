#!/bin/sh
# Build r386 and run its whole test suite (installing what it needs first).
set -eu
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
BUILD=${BUILD:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
cd "$BUILD"
# Tests share one persistent cache, emptied first: the first run of each
# program fills it and later ones load from it, so both paths are tested.
R386_CACHE_DIR=$(pwd)/test-cache
rm -rf "$R386_CACHE_DIR"
export R386_CACHE_DIR
ctest --output-on-failure -j"$(nproc)" "$@"
