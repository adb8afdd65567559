#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds a Xen host image, from Debian's archive only, for the Xen tests (tests/xen/run.sh):
#   OUTDIR/xen          Debian's Xen hypervisor (xen-hypervisor-4.17-amd64, the bookworm-security
#                       build): its xen-4.17-amd64.gz unpacked, an ELF32 multiboot image that
#                       qemu-system-x86_64 -kernel loads as is
#   OUTDIR/vmlinuz      dom0's kernel: Debian's stock linux-image (the package linux-image-amd64
#                       depends on)
#   OUTDIR/dom0.cpio    dom0's root file system, an uncompressed newc cpio: debootstrap
#                       --variant=minbase of bookworm plus kmod, iproute2, procps, the Xen tools
#                       (xen-utils-4.17, xenstore-utils) and Debian's device model
#                       (qemu-system-xen), all from bookworm-security where it has them so that
#                       the tools match the hypervisor; the kernel's Xen modules; and
#                       tests/xen/dom0-init as /init
# It does not build the guests or the scenario: run.sh appends those as a second cpio.
# Usage: tests/xen/build-host.sh [OUTDIR]   (default build/xen)
# Cached: nothing is done when the three outputs exist and are newer than this script and
# dom0-init; the downloaded packages (OUTDIR/debs) and the debootstrap tree (OUTDIR/root.stamp)
# are reused. Needs root (debootstrap and chroot), apt-get, dpkg-deb, debootstrap, cpio
# and access to deb.debian.org. Exit status 77: cannot be built here (reason on stderr).
set -eu

out=${1:-build/xen}
here=$(cd "$(dirname "$0")" && pwd)
self=$here/build-host.sh
init_src=$here/dom0-init
MIRROR=${XEN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${XEN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
XENVER=4.17
say() { echo "xen-host: $*"; }
die() { echo "xen-host: error: $*" >&2; exit 1; }
skip() { echo "xen-host: cannot build the Xen host image here: $*" >&2; exit 77; }
newer() { [ -e "$1" ] && [ -n "$(find "$1" -prune -newer "$2" 2>/dev/null)" ]; }

uptodate=1
for f in xen vmlinuz dom0.cpio; do
    newer "$out/$f" "$self" && newer "$out/$f" "$init_src" || uptodate=0
done
if [ $uptodate = 1 ]; then
    say "$out/xen, $out/vmlinuz and $out/dom0.cpio are up to date"
    exit 0
fi

[ "$(id -u)" = 0 ] || skip "debootstrap and chroot need root"
for tool in apt-get apt-cache dpkg-deb debootstrap chroot cpio tar find zcat; do
    command -v "$tool" >/dev/null 2>&1 || skip "'$tool' not found (run scripts/install-deps.sh)"
done
if ! apt-cache show "xen-hypervisor-$XENVER-amd64" >/dev/null 2>&1; then
    say "the package lists do not know xen-hypervisor-$XENVER-amd64: running apt-get update"
    apt-get update -qq || skip "apt-get update failed (is the Debian archive reachable?)"
    apt-cache show "xen-hypervisor-$XENVER-amd64" >/dev/null 2>&1 ||
        skip "no xen-hypervisor-$XENVER-amd64 in the package lists"
fi

mkdir -p "$out/debs"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# the kernel package, as scripts/build-guest.sh picks it
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-[0-9][^ <>]*-amd64\)$/\1/p' | head -n 1)
[ -n "$kpkg" ] || die "no linux-image-amd64 kernel package in the package lists"
if apt-cache show "$kpkg-unsigned" >/dev/null 2>&1; then
    kpkg=$kpkg-unsigned
fi
hpkg=xen-hypervisor-$XENVER-amd64
hver=$(apt-cache policy "$hpkg" | sed -n 's/^ *Candidate: //p')
say "hypervisor $hpkg $hver, dom0 kernel $kpkg"

for pkg in "$kpkg" "$hpkg"; do
    set -- "$out"/debs/"${pkg}"_*.deb
    if [ -f "$1" ]; then
        say "using the cached $(basename "$1")"
        continue
    fi
    say "downloading $pkg"
    (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$pkg") ||
        skip "apt-get download $pkg failed (is the Debian archive reachable?)"
    mv "$tmp"/"${pkg}"_*.deb "$out/debs/"
done
kdeb=$(ls "$out"/debs/"${kpkg}"_*.deb | sort -V | tail -n 1)
hdeb=$(ls "$out"/debs/"${hpkg}"_*.deb | sort -V | tail -n 1)

# the hypervisor
mkdir -p "$tmp/hv"
dpkg-deb -x "$hdeb" "$tmp/hv"
set -- "$tmp"/hv/boot/xen-$XENVER-amd64.gz
[ -f "$1" ] || die "$hdeb has no boot/xen-$XENVER-amd64.gz"
zcat "$1" > "$out/xen.tmp"
mv "$out/xen.tmp" "$out/xen"
say "$out/xen: $(wc -c < "$out/xen") bytes"

# the dom0 kernel and its Xen modules
mkdir -p "$tmp/k"
dpkg-deb --fsys-tarfile "$kdeb" |
    (cd "$tmp/k" && tar -xf - --wildcards './boot/vmlinuz-*' './lib/modules/*/kernel/drivers/xen/*' \
        './lib/modules/*/modules.order' './lib/modules/*/modules.builtin*') ||
    die "cannot extract the kernel and its Xen modules from $kdeb"
set -- "$tmp"/k/boot/vmlinuz-*
kver=${1##*/vmlinuz-}
cp "$1" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
say "$out/vmlinuz: $kver, $(wc -c < "$out/vmlinuz") bytes"

# dom0's root file system: debootstrap once (kept in OUTDIR/root), the Xen tools from
# bookworm-security on top
root=$out/root
if [ ! -f "$out/root.stamp" ] || ! newer "$out/root.stamp" "$self"; then
    rm -rf "$root" "$out/root.stamp"
    say "debootstrap --variant=minbase bookworm (about a minute)"
    debootstrap --variant=minbase --include=kmod,iproute2,procps bookworm "$root" "$MIRROR" \
        > "$out/debootstrap.log" 2>&1 ||
        skip "debootstrap failed (is $MIRROR reachable?); see $out/debootstrap.log"
    cat > "$root/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $SECURITY bookworm-security main
EOF
    say "installing xen-utils-$XENVER, xenstore-utils and qemu-system-xen from bookworm-security"
    {
        chroot "$root" apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq \
            --no-install-recommends "xen-utils-$XENVER" xenstore-utils qemu-system-xen &&
        DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get upgrade -y -qq &&
        chroot "$root" apt-get clean
    } >> "$out/debootstrap.log" 2>&1 || skip "installing the Xen tools failed; see $out/debootstrap.log"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc "$root"/usr/share/man \
           "$root"/usr/share/locale "$root"/usr/share/info
    touch "$out/root.stamp"
fi
tver=$(chroot "$root" dpkg-query -W -f='${Version}' "xen-utils-$XENVER")
say "dom0 tools xen-utils-$XENVER $tver (hypervisor $hver)"
[ "$tver" = "$hver" ] || say "warning: the tools' version differs from the hypervisor's"

# the image: the tree, then the kernel's modules and /init (a second archive in the same
# file: the kernel unpacks concatenated archives), so the debootstrap tree stays as it is
stage=$tmp/stage
mkdir -p "$stage/lib/modules"
cp -a "$tmp/k/lib/modules/$kver" "$stage/lib/modules/"
# the module index, by dom0's own depmod (kmod is in the tree; the build host may lack it)
rm -rf "$root/tmp/xen-stage"
mv "$stage" "$root/tmp/xen-stage"
chroot "$root" depmod -b /tmp/xen-stage "$kver" || die "depmod failed"
mv "$root/tmp/xen-stage" "$stage"
# bookworm's /lib is a link to usr/lib: put the modules where the link leads
mkdir -p "$stage/usr/lib"
mv "$stage/lib/modules" "$stage/usr/lib/modules"
rmdir "$stage/lib"
cp "$init_src" "$stage/init"
chmod 755 "$stage/init"
say "packing $out/dom0.cpio"
(cd "$root" && find . -path ./init -prune -o -path ./usr/lib/modules -prune -o -print |
    LC_ALL=C sort | cpio -o -H newc --owner 0:0 --quiet) > "$tmp/dom0.cpio" ||
    die "cpio of the root file system failed"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner 0:0 --quiet) \
    >> "$tmp/dom0.cpio" || die "cpio of the modules and /init failed"
mv "$tmp/dom0.cpio" "$out/dom0.cpio"
say "$out/dom0.cpio: $(wc -c < "$out/dom0.cpio") bytes"
