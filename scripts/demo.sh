#!/bin/sh
# Build r386 and run a bundled i386 demo program under it.
set -eu
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
BUILD=${BUILD:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
echo "== file $BUILD/tests/guest/hello_static"
file "$BUILD/tests/guest/hello_static" 2>/dev/null || true
echo "== r386 --dump-image $BUILD/tests/guest/hello_static"
"$BUILD/r386" --dump-image "$BUILD/tests/guest/hello_static" | head -20
echo "== r386 $BUILD/tests/guest/hello_static from r386"
status=0
"$BUILD/r386" "$BUILD/tests/guest/hello_static" from r386 || status=$?
# The demo program exits with its argument count, as r386 passes on.
echo "== exit status $status (the guest's: argc = 3)"
[ "$status" -eq 3 ]
