#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - the Xen test bed: boots a real Xen host (tests/xen/build-host.sh builds it from
# Debian's archive) under qemu-system-x86_64 -accel tcg, and inside dom0 creates HVM guests
# with xl, each with a device model, then judges each guest by the markers it prints on its
# COM1 (the device model's -serial file, copied to dom0's console by the scenario).
# Guests:
#   tiny-qemu    tests/xen/tiny.c as `firmware=`, Debian's qemu-system-xen as device model:
#                proves the test bed itself
#                (passes when its COM1 shows the runtime's DONE line with 0 failed)
#   bios-qemu    Xen's hvmloader and SeaBIOS, no disk, Debian's qemu-system-xen: passes when
#                SeaBIOS reports its boot attempt on Xen's debug port 0xe9 ("Booting from" or
#                "No bootable device", read with xl dmesg)
#   tiny-tandem, bios-tandem  the same guests with device_model_override = TANDEM (the tandem
#                under test, appended to dom0 in a small cpio, with the shared libraries dom0
#                lacks). Expected to fail while TANDEM has no Xen accelerator (reported as
#                XFAIL); a failure with the accelerator present is a FAIL
#   The tiny guest also checks pc-testdev's scratch MMIO at 0xFF000000, which only tandem's
#   xenfv board has: tiny-qemu must say SKIP for it, tiny-tandem must run it.
#   Both tiny guests get QEMU's edu device at 05.0 (device_model_args_hvm) and check it:
#   INTx through Xen's 8259, MSI through Xen's local APIC, DMA both ways; and the Xen
#   platform device at 02.0. tiny-tandem must run those checks (its DONE line says 0
#   failed); tiny-qemu runs the same code against qemu-xen's own edu, the oracle (a SKIP
#   line there, if qemu-xen lacks edu, is reported but not a failure).
#   tandem's request statistics (printed when xl destroy stops it, DMSTATS lines) are shown
#   for the tandem guests; for tiny-tandem they must count COM1's writes and pc-testdev's
#   MMIO reads and writes, as ioreqs of both kinds, edu's MMIO, its DMA (accesses of the
#   guest-memory window), the MSIs and the PCI link route sent to Xen; and the tiny guest's
#   RTC write must come back as Xen's buffered time-offset request (about a year).
#   linux-tandem Debian's Linux as an HVM guest with 2 vCPUs booted directly (kernel=,
#                ramdisk=, extra=: tandem's default guest, GUEST_DIR/vmlinuz and
#                initramfs.cpio; /init must report both CPUs), tandem as
#                device model: libxl's -kernel/-initrd/-append become fw_cfg items, SeaBIOS
#                runs tandem's option ROM (pc-bios/linuxboot.S), which copies them by fw_cfg
#                DMA into the guest and enters the kernel. COM1 is tandem's pipe back end
#                (serial = "pipe:/tmp/linux-tandem"); when the guest's /init prints
#                TANDEM-GUEST-READY the scenario types `echo XEN-SHELL-$((6*7))` into it.
#                Passes when the shell answers XEN-SHELL-42 and the ROM announced itself on
#                Xen's debug port; the time to READY is printed, and tandem's statistics
#                must show fw_cfg DMA.
#   linux-qemu   the same guest with Debian's qemu-xen (its own linuxboot ROM), the oracle
#                for times; only with XEN_LINUX_QEMU=1 (it costs about a minute).
# Usage: tests/xen/run.sh TANDEM TINY_ELF [OUTDIR [GUEST_DIR]]
#   (OUTDIR default build/xen, GUEST_DIR default build/guest; make guest builds it)
# Exit status: 0 all passed (XFAIL counts as passed), 1 a failure, 77 skipped (the host image
# cannot be built here, or no qemu-system-x86_64). Logs: OUTDIR/run/.
set -eu

[ $# -ge 2 ] || { echo "usage: $0 TANDEM TINY_ELF [OUTDIR [GUEST_DIR]]" >&2; exit 2; }
tandem=$1
tiny=$2
out=${3:-build/xen}
guest_dir=${4:-build/guest}
here=$(cd "$(dirname "$0")" && pwd)
say() { echo "xen-test: $*"; }
skip() { echo "xen-test: SKIP: $*"; exit 77; }
[ -x "$tandem" ] || { echo "xen-test: error: $tandem is not an executable" >&2; exit 2; }
[ -f "$tiny" ] || { echo "xen-test: error: no guest $tiny" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
    skip "no qemu-system-x86_64 (install qemu-system-x86: scripts/install-deps.sh)"
command -v cpio >/dev/null 2>&1 || skip "no cpio"

t0=$(date +%s)
rc=0
sh "$here/build-host.sh" "$out" || rc=$?
[ $rc = 77 ] && skip "the Xen host image cannot be built here (see above)"
[ $rc = 0 ] || { echo "xen-test: error: building the Xen host image failed" >&2; exit 1; }
t1=$(date +%s)
say "host image ready in $((t1 - t0)) s"

# Does this tandem have a Xen accelerator at all? (outside dom0 it must refuse with one line)
xen_built=1
if "$tandem" -accel xen -M pc -nographic -m 16 2>&1 |
    grep -q -e "unknown accelerator" -e "not built into"; then
    xen_built=0
fi

run=$out/run
rm -rf "$run"
mkdir -p "$run"
run=$(cd "$run" && pwd)
sc=$run/scenario
mkdir -p "$sc/scenario/lib"
cp "$tiny" "$sc/scenario/tiny.elf"
have_linux=0
if [ -f "$guest_dir/vmlinuz" ] && [ -f "$guest_dir/initramfs.cpio" ]; then
    cp "$guest_dir/vmlinuz" "$guest_dir/initramfs.cpio" "$sc/scenario/"
    have_linux=1
fi
cp "$tandem" "$sc/scenario/tandem"
# the shared libraries tandem needs that dom0's tree lacks
root=$out/root
ldd "$tandem" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | while read -r lib; do
    base=${lib##*/}
    if [ -z "$(find "$root/usr/lib" "$root/usr/lib64" -name "$base" 2>/dev/null | head -n 1)" ]; then
        cp -L "$lib" "$sc/scenario/lib/"
    fi
done
say "tandem for dom0: $(ls "$sc/scenario/lib" | wc -l) shared libraries added:" \
    "$(ls "$sc/scenario/lib" | tr '\n' ' ')"
cat > "$sc/scenario/tandem-dm" <<'EOF'
#!/bin/sh
LD_LIBRARY_PATH=/scenario/lib exec /scenario/tandem "$@"
EOF

guest_cfg() { # name firmware-line extra-line
    cat <<EOF
name = "$1"
type = "hvm"
memory = 64
vcpus = 1
$2
boot = "c"
serial = "file:/tmp/$1.serial"
vga = "none"
vnc = 0
sdl = 0
on_crash = "destroy"
on_poweroff = "destroy"
on_reboot = "destroy"
device_model_version = "qemu-xen"
$3
EOF
}
tiny_fw='firmware = "/scenario/tiny.elf"'
dm_tandem='device_model_override = "/scenario/tandem-dm"'
edu_dev='device_model_args_hvm = [ "-device", "edu,addr=05.0" ]'
bios_wait='xl dmesg | grep -q -e "Booting from" -e "No bootable device"'
guest_cfg tiny-qemu "$tiny_fw" "$edu_dev" > "$sc/scenario/tiny-qemu.cfg"
guest_cfg bios-qemu "" "" > "$sc/scenario/bios-qemu.cfg"
guest_cfg tiny-tandem "$tiny_fw" "$dm_tandem
$edu_dev" > "$sc/scenario/tiny-tandem.cfg"
guest_cfg bios-tandem "" "$dm_tandem" > "$sc/scenario/bios-tandem.cfg"
echo "$bios_wait" > "$sc/scenario/bios-qemu.wait"
echo "$bios_wait" > "$sc/scenario/bios-tandem.wait"
# the Linux guests: the default guest's kernel arguments (the Makefile's RUN_APPEND), COM1
# on a pipe the scenario types into, memory for the kernel's 64 MiB at 16 MiB and more
# tsc_mode "native": Xen emulates RDTSC/RDTSCP by default, but this test bed's CPU (QEMU's
# TCG emulating SVM) reports an intercepted RDTSCP as an RDTSC exit without the next RIP,
# so Xen cannot skip it and the guest loops on it (Linux's rdtsc_ordered is RDTSCP).
# vkb_device 0: no PV keyboard, whose backend lives in qemu-xen but not in tandem (Linux
# would wait 25 s for it to connect).
linux_append="console=ttyS0 earlyprintk=serial,ttyS0,115200 no_timer_check"
linux_cfg() { # name dm-line
    guest_cfg "$1" 'kernel = "/scenario/vmlinuz"
ramdisk = "/scenario/initramfs.cpio"
extra = "'"$linux_append"'"
tsc_mode = "native"
vkb_device = 0' "$2" |
        sed -e 's/^memory = .*/memory = 256/' -e 's/^vcpus = .*/vcpus = 2/' \
            -e "s|^serial = .*|serial = \"pipe:/tmp/$1\"|"
    echo "TANDEM-GUEST-READY" > "$sc/scenario/$1.ready"
    echo 'echo XEN-SHELL-$((6*7))' > "$sc/scenario/$1.type"
    echo "grep -q XEN-SHELL-42 /tmp/$1.serial" > "$sc/scenario/$1.wait"
    echo 300 > "$sc/scenario/$1.timeout"
}
linux_guests=""
if [ $have_linux = 1 ]; then
    linux_cfg linux-tandem "$dm_tandem" > "$sc/scenario/linux-tandem.cfg"
    linux_guests="linux-tandem"
    if [ "${XEN_LINUX_QEMU:-0}" = 1 ]; then
        linux_cfg linux-qemu "" > "$sc/scenario/linux-qemu.cfg"
        linux_guests="linux-qemu $linux_guests"
    fi
else
    say "no $guest_dir/vmlinuz and initramfs.cpio (make guest builds them): linux-tandem fails"
fi
cp "$here/scenario.sh" "$sc/scenario/run.sh"
chmod 755 "$sc/scenario/run.sh" "$sc/scenario/tandem-dm" "$sc/scenario/tandem"
echo "tiny-qemu bios-qemu tiny-tandem bios-tandem $linux_guests" > "$sc/scenario/guests"
(cd "$sc" && find scenario | LC_ALL=C sort | cpio -o -H newc --owner 0:0 --quiet) > "$run/scenario.cpio"
cat "$out/dom0.cpio" "$run/scenario.cpio" > "$run/initrd.cpio"

say "booting Xen under qemu-system-x86_64 -accel tcg (log: $run/host.log)"
t2=$(date +%s)
: > "$run/host.log"
timeout 900 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 1 -m 3072 \
    -display none -monitor none -serial "file:$run/host.log" -no-reboot \
    -kernel "$out/xen" \
    -append "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M smap=0 noreboot guest_loglvl=all" \
    -initrd "$out/vmlinuz console=hvc0 earlyprintk=xen quiet,$run/initrd.cpio" &
qpid=$!
trap 'kill $qpid 2>/dev/null' EXIT
trap 'exit 130' INT TERM
# the time to a working dom0, seen from here
until grep -q "DOM0-READY" "$run/host.log" 2>/dev/null || ! kill -0 $qpid 2>/dev/null; do
    sleep 0.5
done
grep -q "DOM0-READY" "$run/host.log" &&
    say "dom0 up (Xen tools running) $(($(date +%s) - t2)) s after QEMU started"
rc=0
wait $qpid || rc=$?
trap - EXIT
t3=$(date +%s)
say "qemu-system-x86_64 ended with status $rc after $((t3 - t2)) s"
rm -f "$run/initrd.cpio"
log=$run/host.log
tr -d '\r' < "$log" > "$log.txt" 2>/dev/null || : > "$log.txt"
log=$log.txt
grep -q "DOM0-READY" "$log" || {
    echo "xen-test: FAIL: dom0 did not come up; the last lines of $log:"
    tail -n 30 "$log"
    exit 1
}
ready=$(sed -n 's/^dom0: xen tools up \([0-9.]*\) s.*/\1/p' "$log" | head -n 1)
say "dom0 ready ${ready:-?} s after its kernel started"

fails=0
judge() { # guest kind(tiny|bios) expected(pass|xfail)
    g=$1
    res=$(sed -n "s/^GUEST-RESULT $g \([a-z-]* [0-9]* s\).*/\1/p" "$log" | head -n 1)
    if [ "$2" = tiny ]; then
        done_line=$(grep "^GUEST $g: DONE:" "$log" | head -n 1 | sed "s/^GUEST $g: //")
        if ! grep -q "^GUEST $g: XEN-TINY: hello" "$log" ||
           ! echo "$done_line" | grep -q ", 0 failed,"; then
            done_line=""
        fi
    else
        done_line=$(grep "^XEN $g: .*\(Booting from\|No bootable device\)" "$log" | head -n 1 |
                    sed "s/^XEN $g: /SeaBIOS: /")
    fi
    if [ -n "$done_line" ]; then
        say "PASS: $g: $done_line (${res:-?})"
        return
    fi
    if [ "$3" = xfail ]; then
        say "XFAIL: $g: not passed (${res:-no result}); expected until tandem has" \
            "a Xen accelerator (accel/xen, branch xena)"
        dm=$(sed -n "s/^DMLOG $g: //p" "$log" | head -n 1)
        [ -z "$dm" ] || say "       its device model said: $dm"
        return
    fi
    say "FAIL: $g: its marker is missing (${res:-no result}); its lines:"
    grep "^GUEST $g:\|^DMLOG $g:\|^XL $g:\|^XEN $g:" "$log" | tail -n 40
    fails=$((fails + 1))
}
judge tiny-qemu tiny pass
judge bios-qemu bios pass
expect=pass
[ $xen_built = 1 ] || expect=xfail
judge tiny-tandem tiny $expect
judge bios-tandem bios $expect

# the MMIO check: skipped by the device model without the device, run by tandem
if grep -q "^GUEST tiny-qemu: XEN-TINY: SKIP: no scratch MMIO" "$log"; then
    say "PASS: tiny-qemu: skipped the MMIO checks (no pc-testdev in qemu-xen)"
else
    say "FAIL: tiny-qemu: no SKIP line for the MMIO checks"
    fails=$((fails + 1))
fi
# the PCI checks: tandem must run them; qemu-xen's run is the oracle for the same code
g=tiny-tandem
if [ $expect = pass ]; then
    if grep -q "^GUEST $g: XEN-TINY: edu device present" "$log" &&
       grep -q "^GUEST $g: PASS: edu DMA round trip" "$log" &&
       grep -q "^GUEST $g: PASS: Xen platform device 5853:0001 at 02.0" "$log"; then
        say "PASS: $g: ran the Xen platform and edu checks (INTx, MSI, DMA):" \
            "$(grep -c "^GUEST $g: PASS: \(edu\|PIIX3\|Xen platform\|unplug\)" "$log") passed"
    else
        say "FAIL: $g: the Xen platform or edu checks did not run; its PCI lines:"
        grep "^GUEST $g: .*\(edu\|PIIX3\|platform\|unplug\|SKIP\)" "$log" | head -n 20
        fails=$((fails + 1))
    fi
fi
g=tiny-qemu
if grep -q "^GUEST $g: XEN-TINY: edu device present" "$log"; then
    say "PASS: $g: qemu-xen (the oracle) passed the same edu checks:" \
        "$(grep -c "^GUEST $g: PASS: \(edu\|PIIX3\)" "$log") passed"
elif grep -q "^GUEST $g: XEN-TINY: SKIP: no edu" "$log"; then
    say "note: $g: qemu-xen has no edu device: no oracle for the edu checks"
else
    say "FAIL: $g: neither ran nor skipped the edu checks"
    fails=$((fails + 1))
fi

stat_rw() { # guest label -> "reads writes" of that region's row, or nothing
    sed -n "s/^DMSTATS $1: *$2  *\([0-9]*\)\/\([0-9]*\)\$/\1 \2/p" "$log" | head -n 1
}
stat_n() { # guest counter -> its value
    sed -n "s/^DMSTATS $1: *ioreqs: $2  *\([0-9]*\)\$/\1/p" "$log" | head -n 1
}
stat_g() { # guest "group: counter" -> its value
    sed -n "s/^DMSTATS $1: *$2  *\([0-9]*\)\$/\1/p" "$log" | head -n 1
}
if [ $expect = pass ]; then
    for g in tiny-tandem bios-tandem; do
        if grep -q "^DMSTATS $g:" "$log"; then
            say "tandem's request statistics for $g (from /var/log/xen/qemu-dm-$g.log):"
            sed -n "s/^DMSTATS $g: /    /p" "$log"
        fi
    done
    g=tiny-tandem
    com1=$(stat_rw $g "io 0x3f8 com1")
    mmio=$(stat_rw $g "mem 0xff000000 pc-testdev-iomem")
    mr=$(stat_n $g mmio-read)
    mw=$(stat_n $g mmio-write)
    ptr=$(stat_n $g data-in-guest-ram)
    why=""
    grep -q "^GUEST $g: XEN-TINY: scratch MMIO at 0xff000000 present" "$log" ||
        why="$why; the guest did not find the scratch MMIO"
    [ -n "$com1" ] && [ "${com1#* }" -gt 0 ] || why="$why; no COM1 writes counted (${com1:-no row})"
    [ -n "$mmio" ] && [ "${mmio% *}" -gt 0 ] && [ "${mmio#* }" -gt 0 ] ||
        why="$why; no pc-testdev MMIO reads and writes counted (${mmio:-no row})"
    [ "${mr:-0}" -gt 0 ] && [ "${mw:-0}" -gt 0 ] ||
        why="$why; no MMIO ioreqs counted (read ${mr:-?}, write ${mw:-?})"
    [ "${ptr:-0}" -gt 0 ] || why="$why; no ioreq with its data in guest RAM (rep movsl)"
    edu=$(stat_rw $g "mem 0xe0000000 edu-mmio")
    dma=$(stat_rw $g "mem 0x0 xen.guest-memory")
    msi=$(stat_g $g "interrupts: msi")
    route=$(stat_g $g "interrupts: pci-link-route")
    [ -n "$edu" ] && [ "${edu% *}" -gt 0 ] && [ "${edu#* }" -gt 0 ] ||
        why="$why; no edu MMIO reads and writes counted (${edu:-no row})"
    [ -n "$dma" ] && [ "${dma% *}" -gt 0 ] && [ "${dma#* }" -gt 0 ] ||
        why="$why; no DMA reads and writes of guest memory counted (${dma:-no row})"
    [ "${msi:-0}" -ge 5 ] || why="$why; fewer than 5 MSIs sent to Xen (${msi:-no row})"
    [ "${route:-0}" -ge 1 ] || why="$why; no PCI link route sent to Xen (${route:-no row})"
    # the guest set Xen's RTC a year forward: Xen's buffered TIMEOFFSET request
    toff=$(sed -n "s/^DMLOG $g: tandem: xen: the guest set its RTC: time offset \(-*[0-9]*\) s\$/\1/p" \
           "$log" | tail -n 1)
    nbuf=$(stat_n $g buffered)
    [ "${nbuf:-0}" -ge 1 ] || why="$why; no buffered request served (${nbuf:-no row})"
    [ -n "$toff" ] && [ "$toff" -ge 28000000 ] && [ "$toff" -le 33000000 ] ||
        why="$why; no time offset of about a year from the RTC write (${toff:-none})"
    if [ -z "$why" ]; then
        say "PASS: $g statistics: COM1 reads/writes ${com1% *}/${com1#* }, pc-testdev MMIO" \
            "${mmio% *}/${mmio#* }, MMIO ioreqs $mr read $mw write, $ptr with data in RAM;" \
            "edu MMIO ${edu% *}/${edu#* }, DMA reads/writes of guest memory" \
            "${dma% *}/${dma#* }, $msi MSIs, $route link routes; $nbuf buffered" \
            "request(s), the RTC's time offset $toff s"
    else
        say "FAIL: $g statistics:${why#;}"
        fails=$((fails + 1))
    fi
fi
# ---- the Linux guests ----
judge_linux() { # guest expected(pass|xfail)
    g=$1
    res=$(sed -n "s/^GUEST-RESULT $g \([a-z-]* [0-9]* s\).*/\1/p" "$log" | head -n 1)
    rdy=$(sed -n "s/^GUEST-READY $g \([0-9]* s\).*/\1/p" "$log" | head -n 1)
    why=""
    grep -q "^GUEST $g: .*TANDEM-GUEST-READY" "$log" || why="$why; no TANDEM-GUEST-READY"
    grep -q "^GUEST $g: .*TANDEM-GUEST-READY (.*, 2 CPU(s))" "$log" ||
        why="$why; Linux did not bring up both vCPUs"
    grep -q "^GUEST $g: .*XEN-SHELL-42" "$log" ||
        why="$why; the shell did not answer XEN-SHELL-42 on COM1"
    if [ $g = linux-tandem ]; then
        grep -q "^XEN $g: .*tandem linuxboot: starting Linux" "$log" ||
            why="$why; tandem's option ROM did not announce itself on port 0xe9"
    fi
    if [ -z "$why" ]; then
        say "PASS: $g: $(grep "^GUEST $g: .*TANDEM-GUEST-READY" "$log" | head -n 1 |
            sed "s/^GUEST $g: //") after ${rdy:-?}; the shell on COM1 answered XEN-SHELL-42" \
            "(${res:-?})"
        return
    fi
    if [ "$2" = xfail ]; then
        say "XFAIL: $g: not passed (${res:-no result}):${why#;}"
        return
    fi
    say "FAIL: $g (${res:-no result}):${why#;}; its lines:"
    grep "^GUEST $g:\|^DMLOG $g:\|^XL $g:\|^XEN $g:" "$log" | tail -n 60
    fails=$((fails + 1))
}
if [ $have_linux = 0 ]; then
    say "FAIL: linux-tandem: no $guest_dir/vmlinuz and initramfs.cpio (make guest)"
    fails=$((fails + 1))
else
    [ "${XEN_LINUX_QEMU:-0}" = 1 ] && judge_linux linux-qemu pass
    judge_linux linux-tandem $expect
fi
if [ $have_linux = 1 ] && [ $expect = pass ]; then
    g=linux-tandem
    fwdma=$(stat_rw $g "io 0x514 fw_cfg-dma")
    gmem=$(stat_rw $g "mem 0x0 xen.guest-memory")
    com1=$(stat_rw $g "io 0x3f8 com1")
    v0=$(stat_n $g from-vcpu0)
    v1=$(stat_n $g from-vcpu1)
    if [ -n "$fwdma" ] && [ "${fwdma#* }" -gt 0 ] && [ -n "$gmem" ] && [ "${gmem#* }" -gt 0 ] &&
       [ "${v0:-0}" -gt 0 ] && [ "${v1:-0}" -gt 0 ]
    then
        say "PASS: $g statistics: fw_cfg DMA register writes ${fwdma#* }, guest memory" \
            "reads/writes ${gmem% *}/${gmem#* } (the DMA), COM1 reads/writes" \
            "${com1% *}/${com1#* }, requests from vCPU 0 $v0 and vCPU 1 $v1"
    else
        say "FAIL: $g statistics: no fw_cfg DMA into guest memory counted, or a vCPU" \
            "sent no request (fw_cfg-dma ${fwdma:-no row}, guest memory ${gmem:-no row}," \
            "vCPU 0 ${v0:-no row}, vCPU 1 ${v1:-no row})"
        sed -n "s/^DMSTATS $g: /    /p" "$log"
        fails=$((fails + 1))
    fi
fi
say "full cycle $(($(date +%s) - t0)) s"
[ $fails = 0 ]
