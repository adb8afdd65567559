#!/bin/sh
# SPDX-License-Identifier: MIT
# The xenfv board's direct kernel boot (-kernel/-initrd/-append, which libxl passes for an
# HVM domain's kernel=, ramdisk=, extra=) as a user meets it outside dom0: TANDEM_XEN_PRIVCMD
# points at a stand-in file, so the board is built and the accelerator's start-up fails
# afterwards. A good bzImage (synthetic: setup header, 512 bytes of "kernel") with an initrd
# passes the board (the only error is the Xen one); bad input gives one line and exit 1: a
# missing kernel, a Multiboot image, an initrd larger than -m, too little RAM for the kernel,
# -append without -kernel, -bios. Booting it for real: make check-xen (linux-tandem).
# Skipped when tandem is built without Xen.
# Usage: xenfv-kernel.sh TANDEM GUEST_DIR
emu=${1:?usage: xenfv-kernel.sh TANDEM GUEST_DIR}
guests=${2:?usage: xenfv-kernel.sh TANDEM GUEST_DIR}
. "$(dirname "$0")/lib.sh"
show_err=1
: > "$tmp/fake"
xenfv() { # timeout args...: tandem -M xenfv under the stand-in privcmd
    t=$1
    shift
    TANDEM_XEN_PRIVCMD=$tmp/fake timeout "$t" "$emu" -M xenfv -xen-domid 3 -display none \
        -nodefaults "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
xen_error="xen: cannot open the Xen device model"

xenfv 20
if grep -q "not built into this tandem" "$tmp/err"; then
    skipped "tandem is built without Xen"
    summary
    exit $?
fi

oct() { printf "\\$(printf %03o "$1")"; }
le16() { oct $(($1 & 255)); oct $((($1 >> 8) & 255)); }
le32() { le16 $(($1 & 0xFFFF)); le16 $((($1 >> 16) & 0xFFFF)); }
poke() { dd of="$1" bs=1 seek=$(($2)) conv=notrunc 2>/dev/null; }
# a relocatable bzImage, protocol 2.15: 4 setup sectors, then 512 bytes of kernel; it runs
# at 16 MiB and needs 4 MiB there
bz=$tmp/bzImage
head -c $((5 * 512 + 512)) /dev/zero > "$bz"
oct 4 | poke "$bz" 0x1f1
le32 32 | poke "$bz" 0x1f4
le16 0xAA55 | poke "$bz" 0x1fe
{ oct 0xeb; oct 0x6a; printf 'HdrS'; le16 0x020f; } | poke "$bz" 0x200
oct 1 | poke "$bz" 0x211
le32 0x100000 | poke "$bz" 0x214
le32 0x7fffffff | poke "$bz" 0x22c
{ le32 0x200000; oct 1; oct 21; le16 3; le32 2047; } | poke "$bz" 0x230
{ le32 0x1000000; le32 0; le32 0x400000; } | poke "$bz" 0x258
printf 'initrd' > "$tmp/initrd"

# one_error WHAT WANT ARGS...: exit 1, one line on stderr, saying WANT
one_error() {
    what=$1 want=$2
    shift 2
    xenfv 20 "$@"
    if [ "$rc" -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q -- "$want" "$tmp/err"; then
        ok "$what: $(cat "$tmp/err")"
    else
        bad "$what: exit $rc, not one line saying '$want'"
    fi
}

xenfv 20 -m 64 -kernel "$bz" -initrd "$tmp/initrd" -append "console=ttyS0"
if [ "$rc" -eq 1 ] && grep -q "$xen_error" "$tmp/err" && ! grep -qi "kernel\|initrd" "$tmp/err"
then
    ok "a bzImage with an initrd and a command line: the board takes them (then: $xen_error)"
else
    bad "a bzImage with an initrd: exit $rc"
fi
one_error "a missing kernel" "cannot open kernel" -m 64 -kernel "$tmp/none"
one_error "a Multiboot kernel" "boots Linux kernels only" -m 64 -kernel "$guests/hello.elf"
truncate -s 60M "$tmp/big"
one_error "an initrd larger than RAM" "does not fit in guest RAM" -m 64 -kernel "$bz" \
    -initrd "$tmp/big"
one_error "too little RAM for the kernel" "needs RAM up to 20 MiB" -m 16 -kernel "$bz"
one_error "-append without -kernel" "need -kernel" -m 64 -append "quiet"
one_error "-bios" "takes no -bios" -m 64 -bios "$tmp/initrd"
summary
