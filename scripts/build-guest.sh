#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds tandem's default Linux guest from Debian's archive only:
#   OUTDIR/vmlinuz          Debian's stock kernel: the package that linux-image-amd64 depends
#                           on (linux-image-6.1.0-NN-amd64 on bookworm; its -unsigned twin
#                           when the archive has one: the same kernel without the signature)
#   OUTDIR/initramfs.cpio   an uncompressed newc initramfs (the kernel's gunzip is slow on an
#                           emulated CPU): busybox-static as /bin/busybox, /bin/sh, the init
#                           script scripts/guest-init as /init, and a dev/console node
# Usage: scripts/build-guest.sh [OUTDIR]   (default build/guest)
# Cached: nothing is done when both outputs exist and are newer than this script and
# guest-init; the downloaded packages are kept in OUTDIR/debs and reused.
# Needs apt-get, apt-cache, dpkg-deb, tar and cpio (scripts/install-deps.sh installs them);
# root (or sudo) only when the package lists are empty and apt-get update must run.
set -eu

out=${1:-build/guest}
scripts=$(cd "$(dirname "$0")" && pwd)
init_src=$scripts/guest-init
self=$scripts/build-guest.sh
say() { echo "guest: $*"; }
die() { echo "guest: error: $*" >&2; exit 1; }
# is file $1 newer than file $2?
newer() { [ -e "$1" ] && [ -n "$(find "$1" -prune -newer "$2" 2>/dev/null)" ]; }

if newer "$out/vmlinuz" "$self" && newer "$out/vmlinuz" "$init_src" &&
   newer "$out/initramfs.cpio" "$self" && newer "$out/initramfs.cpio" "$init_src"; then
    say "$out/vmlinuz and $out/initramfs.cpio are up to date"
    exit 0
fi

for tool in apt-get apt-cache dpkg-deb tar cpio find; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (run scripts/install-deps.sh)"
done

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
fi

# the package lists: apt-get update once when they are empty
if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
    say "the package lists do not know linux-image-amd64: running apt-get update"
    if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
        die "apt-get update needs root (or sudo)"
    fi
    $SUDO apt-get update -qq || die "apt-get update failed (is the Debian archive reachable?)"
fi

# the kernel package: what the linux-image-amd64 metapackage depends on, else the newest
# linux-image-6.1*-amd64; its -unsigned twin when the archive has one
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-[0-9][^ <>]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
    kpkg=$(apt-cache pkgnames linux-image-6.1 2>/dev/null |
           grep -E '^linux-image-6\.1[0-9.+a-z-]*-amd64$' | grep -v -e '-rt-' -e '-cloud-' |
           sort -V | tail -n 1)
fi
[ -n "$kpkg" ] || die "no linux-image-amd64 kernel package in the package lists"
if apt-cache show "$kpkg-unsigned" >/dev/null 2>&1; then
    kpkg=$kpkg-unsigned
fi
say "kernel package $kpkg, busybox package busybox-static"

mkdir -p "$out/debs"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# download what is not in the cache yet (apt-get download writes into the current folder)
for pkg in "$kpkg" busybox-static; do
    set -- "$out"/debs/"${pkg}"_*.deb
    if [ -f "$1" ]; then
        say "using the cached $(basename "$1")"
        continue
    fi
    say "downloading $pkg"
    # apt's sandbox user cannot write into a root-owned temporary folder
    sandbox=""
    [ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
    # shellcheck disable=SC2086
    if ! (cd "$tmp" && apt-get download -qq $sandbox "$pkg"); then
        die "apt-get download $pkg failed (is the Debian archive reachable? try apt-get update)"
    fi
    mv "$tmp"/"${pkg}"_*.deb "$out/debs/"
done
kdeb=$(ls "$out"/debs/"${kpkg}"_*.deb | sort -V | tail -n 1)
bdeb=$(ls "$out"/debs/busybox-static_*.deb | sort -V | tail -n 1)

# the kernel: only boot/vmlinuz-* (dpkg-deb -x would also unpack ~400 MB of modules)
say "extracting the kernel from $(basename "$kdeb")"
mkdir -p "$tmp/kernel"
dpkg-deb --fsys-tarfile "$kdeb" | (cd "$tmp/kernel" && tar -xf - --wildcards './boot/vmlinuz-*') ||
    die "cannot extract boot/vmlinuz-* from $kdeb"
set -- "$tmp"/kernel/boot/vmlinuz-*
[ -f "$1" ] || die "$kdeb has no boot/vmlinuz-*"
cp "$1" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
say "$out/vmlinuz: $(basename "$1"), $(wc -c < "$out/vmlinuz") bytes"

# the initramfs
say "extracting busybox from $(basename "$bdeb")"
dpkg-deb -x "$bdeb" "$tmp/bb"
bb=""
for f in "$tmp/bb/bin/busybox" "$tmp/bb/usr/bin/busybox"; do
    [ -f "$f" ] && bb=$f && break
done
[ -n "$bb" ] || die "$bdeb has no bin/busybox"
root=$tmp/root
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/dev" "$root/proc" \
         "$root/sys" "$root/tmp" "$root/root" "$root/etc"
cp "$bb" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$init_src" "$root/init"
chmod 755 "$root/init"
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"

say "building $out/initramfs.cpio"
# dev/console (char 5,1): the kernel opens it before it runs /init. A hand-written newc
# entry, so that no mknod (root) is needed; the kernel reads concatenated archives.
newc() { # name mode(hex) rdevmajor rdevminor
    namesize=$((${#1} + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        0 "0x$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
    printf '%s\000' "$1"
    pad=$(( (4 - (110 + namesize) % 4) % 4 ))
    while [ "$pad" -gt 0 ]; do printf '\000'; pad=$((pad - 1)); done
}
# reproducible: fixed times, owners and inode numbers, sorted names
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort |
    cpio -o -H newc --owner 0:0 --reproducible --quiet) > "$tmp/initramfs.cpio" ||
    die "cpio failed"
{
    newc dev/console 2180 5 1
    newc TRAILER!!! 0 0 0
} >> "$tmp/initramfs.cpio"
mv "$tmp/initramfs.cpio" "$out/initramfs.cpio"
say "$out/initramfs.cpio: $(wc -c < "$out/initramfs.cpio") bytes"
say "boot it: tandem -M pc -m 512 -nographic -kernel $out/vmlinuz" \
    "-initrd $out/initramfs.cpio -append console=ttyS0"
