#!/bin/sh
# fetch-sysroot.sh SYSROOT PKG...
#
# Build an i386 sysroot from Debian's packages: download each PKG:i386 and
# the i386 libraries it depends on with apt-get download, unpack them with
# dpkg -x into SYSROOT and run ldconfig -r so the guest's dynamic linker
# finds its libraries.  A stamp file makes a second call with the same
# package list a no-op.
set -eu

[ $# -ge 2 ] || { echo "usage: $0 SYSROOT PKG..." >&2; exit 2; }
root=$1
shift
mkdir -p "$root"
root=$(cd "$root" && pwd)
stamp="$root/.r386-packages"
want=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

if ! dpkg --print-foreign-architectures | grep -qx i386; then
    dpkg --add-architecture i386
    apt-get update -qq || apt-get update -qq || true
fi

# The packages and, recursively, what they depend on or pre-depend on
# (bash pre-depends on libtinfo6), i386 ones only: Multi-Arch: foreign
# tools are not part of a sysroot.
deps() {
    apt-cache depends --recurse --no-recommends --no-suggests \
        --no-conflicts --no-breaks --no-replaces --no-enhances \
        "$@" 2>/dev/null |
        grep -E '^[a-z0-9][^ ]*:i386$' | sort -u
}
pkgs=$(for p in "$@"; do echo "$p:i386"; done)
all=$(deps $pkgs)
[ -n "$all" ] || {
    apt-get update -qq || true
    all=$(deps $pkgs)
}
[ -n "$all" ] || { echo "fetch-sysroot: cannot resolve $*" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# Some dependencies are virtual or not downloadable; fetch one by one.
for p in $all; do
    apt-get download -qq -o APT::Sandbox::User=root "$p" >/dev/null 2>&1 ||
        echo "fetch-sysroot: note: could not download $p" >&2
done
ls ./*.deb >/dev/null 2>&1 || { echo "fetch-sysroot: nothing downloaded" >&2; exit 1; }
for d in ./*.deb; do
    dpkg -x "$d" "$root"
done
mkdir -p "$root/etc"
echo 'include /etc/ld.so.conf.d/*.conf' > "$root/etc/ld.so.conf"
ldconfig -r "$root" 2>/dev/null || true
for p in "$@"; do
    ls "$tmp"/"${p}"_*.deb >/dev/null 2>&1 || {
        echo "fetch-sysroot: package $p:i386 was not fetched" >&2; exit 1; }
done
echo "$want" > "$stamp"
