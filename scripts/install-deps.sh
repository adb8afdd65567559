#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs every build and test dependency of tandem from Debian's archive.
# Runs apt-get as root (or through sudo). Safe to run again: installs only what is missing.
set -e
# the line before the last: what scripts/build-guest.sh needs besides apt and dpkg (always
# installed); the last: what make check-xen needs (tests/xen: build-host.sh, run.sh)
PKGS="gcc make pkg-config binutils libc6-dev libglib2.0-dev libcapstone-dev check libsubunit-dev
libsdl2-dev libslirp-dev libfdt-dev linux-libc-dev libxen-dev
cpio tar findutils
debootstrap qemu-system-x86"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps: all dependencies are installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root (or sudo) to install:$missing" >&2; exit 1; }
    SUDO=sudo
fi
echo "install-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
