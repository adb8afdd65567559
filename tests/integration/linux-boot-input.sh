#!/bin/sh
# SPDX-License-Identifier: MIT
# The Linux boot protocol loader (hw/x86/linux_boot.c) as a user meets it: bad input gives
# one clear line on stderr and a non-zero exit (a bzImage with protocol 2.00, a zImage, a
# command line longer than the kernel accepts, an initrd larger than guest RAM, a missing
# initrd, too little RAM for the kernel, a truncated image); and a good synthetic bzImage
# is entered as the 32-bit boot protocol says.
# The images are synthetic bzImages built here: 4 setup sectors after the boot sector, a
# setup header (boot.rst) with the fields the loader reads, then the "kernel": 32-bit code
# that checks its entry state (CS 0x10, DS/SS 0x18, ESI = the zero page, EBX/EBP/EDI 0,
# protected mode without paging, interrupts off) and a few zero page fields (type_of_loader,
# the command line, the initrd, the e820 entry count) without branching, and writes the
# result to isa-debug-exit: tandem exits 1 when every check held.
# Usage: linux-boot-input.sh TANDEM
set -u
emu=${1:?usage: linux-boot-input.sh TANDEM}
. "$(dirname "$0")/lib.sh"

oct() { printf "\\$(printf %03o "$1")"; }
le16() { oct $(($1 & 255)); oct $((($1 >> 8) & 255)); }
le32() { le16 $(($1 & 0xFFFF)); le16 $((($1 >> 16) & 0xFFFF)); }
# poke FILE OFFSET: write stdin's bytes into FILE at OFFSET
poke() { dd of="$1" bs=1 seek=$(($2)) conv=notrunc 2>/dev/null; }

# bz FILE VERSION LOADFLAGS CMDLINE_SIZE [SYSSIZE]: a bzImage whose kernel is the check code
bz() {
    f=$1
    head -c $((5 * 512 + 512)) /dev/zero > "$f"
    oct 4 | poke "$f" 0x1f1                            # setup_sects
    le32 "${5:-32}" | poke "$f" 0x1f4                  # syssize: 512 bytes of kernel
    le16 0xAA55 | poke "$f" 0x1fe
    { oct 0xeb; oct 0x6a; printf 'HdrS'; le16 "$2"; } | poke "$f" 0x200
    oct "$3" | poke "$f" 0x211                         # loadflags
    le32 0x100000 | poke "$f" 0x214                    # code32_start
    le32 0x7fffffff | poke "$f" 0x22c                  # initrd_addr_max
    { le32 0x200000; oct 1; oct 21; le16 3; le32 "$4"; } | poke "$f" 0x230
    { le32 0x1000000; le32 0; le32 0x400000; } | poke "$f" 0x258   # pref_address, init_size
    {
        printf '\061\322'                                   # xor edx, edx
        printf '\214\310\146\065\020\000\146\011\302'       # mov eax, cs; xor ax, 0x10; or dx, ax
        printf '\214\330\146\065\030\000\146\011\302'       # ds == 0x18
        printf '\214\320\146\065\030\000\146\011\302'       # ss == 0x18
        printf '\211\360\065\000\160\000\000\011\302'       # esi == 0x7000
        printf '\011\332\011\352\011\372'                   # or edx, ebx / ebp / edi
        printf '\017\266\206\020\002\000\000\065\377\000\000\000\011\302'  # type_of_loader 0xff
        printf '\213\206\050\002\000\000\213\000'           # mov eax, [esi+0x228]; mov eax, [eax]
        printf '\065\157\153\075\061\011\302'               # the command line starts "ok=1"
        printf '\017\266\206\350\001\000\000\065\007\000\000\000\011\302'  # 7 e820 entries
        printf '\213\206\034\002\000\000\065\000\020\000\000\011\302'      # ramdisk_size 4096
        printf '\213\206\030\002\000\000\213\000'           # the initrd's first dword
        printf '\065\111\116\122\104\011\302'               # is "INRD"
        printf '\017\040\300\045\001\000\000\200\065\001\000\000\000\011\302'  # PE=1, PG=0
        printf '\274\000\000\011\000\234\130\045\000\002\000\000\011\302'  # IF=0
        printf '\061\300\205\322\017\225\300\346\364'       # out 0xf4, (edx != 0)
        printf '\364\353\375'                               # hlt; jmp .-1
    } | poke "$f" $((5 * 512))
}

bz "$tmp/good" 0x020f 1 255
bz "$tmp/old" 0x0200 1 255
bz "$tmp/zimage" 0x020f 0 255
bz "$tmp/truncated" 0x020f 1 255 4096
{ printf 'INRD'; head -c 4092 /dev/zero; } > "$tmp/initrd"
truncate -s 200M "$tmp/huge-initrd"
long=$(printf '%0300d' 0)

# check NAME EXPECTED-REGEX ARGS...
check() {
    name=$1; want=$2; shift 2
    timeout 20 "$emu" -M pc -nographic "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l < "$tmp/err")
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ] && [ "$lines" -eq 1 ] &&
       grep -Eq "$want" "$tmp/err"; then
        ok "$name: $(cat "$tmp/err")"
    else
        bad "$name: exit $rc, $lines line(s) on stderr:"; cat "$tmp/err"
    fi
}
check "protocol 2.00" "bzImage with boot protocol 2\.00: tandem needs 2\.06" -kernel "$tmp/old"
check "zImage" "is a zImage" -kernel "$tmp/zimage"
check "truncated bzImage" "is truncated" -kernel "$tmp/truncated"
check "command line too long" "command line is 300 bytes, the kernel accepts at most 255" \
    -kernel "$tmp/good" -append "$long"
check "initrd larger than RAM" "initrd .*\(209715200 bytes\) does not fit in guest RAM" \
    -m 64 -kernel "$tmp/good" -initrd "$tmp/huge-initrd"
check "missing initrd" "cannot open initrd '$tmp/nonexistent'" \
    -kernel "$tmp/good" -initrd "$tmp/nonexistent"
check "too little RAM" "needs RAM up to 20 MiB" -m 16 -kernel "$tmp/good"

# the good image: entered as boot.rst says (exit 1 = every check held, 3 = one failed)
timeout 20 "$emu" -M pc -m 64 -nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
    -kernel "$tmp/good" -initrd "$tmp/initrd" -append "ok=1 console=ttyS0" \
    </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ]; then
    ok "32-bit entry state and zero page as seen by the kernel"
else
    bad "32-bit entry: exit $rc (1 = passed, 3 = a check failed)"; cat "$tmp/err"
fi
summary
