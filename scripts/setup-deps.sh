#!/bin/sh
# Install, when missing, the Debian packages r386 needs to build and test.
# Safe to run again: it only calls apt-get when something is missing.
set -eu

PKGS="cmake make pkg-config gcc llvm-19-dev libzydis-dev check
      gcc-multilib libc6-dev-i386 qemu-user
      libzstd-dev zlib1g-dev libxml2-dev libedit-dev libffi-dev
      libmimalloc-dev libstdc++-12-dev chromium gawk"
# gawk: qemu-i386 (the reference) hands a guest's execve to the host
# kernel as it is, so under it the integration test's bash runs the host's
# amd64 builds of coreutils, perl, gawk... (the same Debian versions as the
# sysroot's, so the same output); gawk is the one a fresh host lacks.
[ $# -gt 0 ] && PKGS="$PKGS $*"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
            grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-deps: missing packages:$missing (run as root to install)" >&2
    exit 1
fi
echo "setup-deps: installing$missing" >&2
# apt-get update sometimes reports one failed index while everything needed
# is still installable: retry once, then let the install decide.
apt-get update -qq || apt-get update -qq || true
# --no-install-recommends keeps qemu-user-binfmt away: with it the kernel
# would run i386 binaries through qemu behind r386's tests' backs.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $missing >/dev/null
