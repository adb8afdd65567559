#!/bin/sh
# SPDX-License-Identifier: MIT
# The KVM accelerator as a user meets it: choosing it and the messages when it cannot be
# used (TANDEM_KVM_DEVICE points tandem at another device path), falling back with
# -accel kvm:tcg, -enable-kvm, the note on a PVM-based host, a guest that crashes under
# kvm with -no-reboot (report with the CPU state, status 1), machine resets under kvm, and
# -smp 2 in both irqchip modes. The parts that need a usable /dev/kvm are skipped, saying
# why, when there is none.
# Usage: kvm.sh TANDEM GUEST_DIR
emu=${1:?usage: kvm.sh TANDEM GUEST_DIR}
guests=${2:?usage: kvm.sh TANDEM GUEST_DIR}
. "$(dirname "$0")/lib.sh"
show_err=1
hello=$guests/hello.elf
exit_dev="-device isa-debug-exit,iobase=0xf4,iosize=0x4"

# run DEVICE TIMEOUT ARGS...: tandem with TANDEM_KVM_DEVICE=DEVICE ("" = the default),
# stdout to $tmp/out, stderr to $tmp/err, the status in $rc
run() {
    dev=$1 t=$2
    shift 2
    if [ -n "$dev" ]; then
        TANDEM_KVM_DEVICE=$dev timeout "$t" "$emu" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    else
        timeout "$t" "$emu" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    fi
    rc=$?
}
# one_line: exactly one line on stderr
one_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ]; }

# ---- selection and its messages (no KVM needed) ----
run /nonexistent 20 -M pc -display none -serial stdio -kernel "$hello" $exit_dev -accel kvm
if grep -q "not built into this tandem" "$tmp/err"; then
    [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && one_line &&
        ok "-accel kvm without KVM built in: '$(cat "$tmp/err")', exit $rc" ||
        bad "-accel kvm without KVM built in: exit $rc"
    run "" 20 -M pc -display none -serial stdio -kernel "$hello" $exit_dev -accel kvm:tcg
    [ "$rc" -eq 1 ] && grep -q "using accelerator 'tcg' (kvm: not built into this tandem)" \
        "$tmp/err" && ok "-accel kvm:tcg falls back to tcg, saying why" ||
        bad "-accel kvm:tcg without KVM built in: exit $rc"
    echo "skip the rest: this tandem was built without KVM (configure: no <linux/kvm.h>, or --disable-kvm)"
    echo "$pass passed, $fail failed, 1 skipped"
    [ "$fail" -eq 0 ]
    exit
fi
[ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && one_line &&
    grep -q "no usable accelerator in 'kvm': kvm: no /nonexistent" "$tmp/err" &&
    ok "-accel kvm with no device: '$(cat "$tmp/err")', exit $rc" ||
    bad "-accel kvm with TANDEM_KVM_DEVICE=/nonexistent: exit $rc"

run /dev/null 20 -M pc -display none -serial stdio -kernel "$hello" $exit_dev -accel kvm
[ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && one_line &&
    grep -q "/dev/null is not a KVM device" "$tmp/err" &&
    ok "-accel kvm on a device that is not KVM: '$(cat "$tmp/err")'" ||
    bad "-accel kvm with TANDEM_KVM_DEVICE=/dev/null: exit $rc"

if [ "$(id -u)" -ne 0 ]; then
    : >"$tmp/noperm"
    chmod 000 "$tmp/noperm"
    run "$tmp/noperm" 20 -M pc -display none -serial stdio -kernel "$hello" $exit_dev -accel kvm
    [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && one_line && grep -q "permission denied" "$tmp/err" &&
        ok "-accel kvm on a device without permission: '$(cat "$tmp/err")'" ||
        bad "-accel kvm without permission: exit $rc"
else
    skipped "permission denied: running as root, who may open anything"
fi

run /nonexistent 20 -M pc -display none -serial stdio -kernel "$hello" $exit_dev -enable-kvm
[ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && one_line &&
    grep -q "no usable accelerator in 'kvm'" "$tmp/err" &&
    ok "-enable-kvm asks for kvm (and fails as -accel kvm does)" ||
    bad "-enable-kvm with no device: exit $rc"

run /nonexistent 60 -M pc -display none -serial stdio -kernel "$hello" $exit_dev -accel kvm:tcg
[ "$rc" -eq 1 ] && grep -q "^PASS:" "$tmp/out" && ! grep -q "^FAIL:" "$tmp/out" &&
    grep -q "using accelerator 'tcg' (kvm: no /nonexistent" "$tmp/err" &&
    ok "-accel kvm:tcg with no device: the reason on stderr, the guest ran on tcg" ||
    bad "-accel kvm:tcg with no device: exit $rc"
cp "$tmp/out" "$tmp/hello.tcg"

# ---- with the real device ----
run "" 60 -M pc -display none -serial stdio -kernel "$hello" $exit_dev -accel kvm
if grep -q "no usable accelerator" "$tmp/err"; then
    skipped "KVM itself: not usable here ($(sed -n 's/.*kvm: //p' "$tmp/err" | head -n 1))"
    echo "$pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ]
    exit
fi
[ "$rc" -eq 1 ] && cmp -s "$tmp/out" "$tmp/hello.tcg" &&
    ok "-accel kvm runs the hello guest (exit 1, the same serial output as tcg)" ||
    bad "-accel kvm hello: exit $rc"

pvm=no
if [ -e /sys/module/kvm_pvm ] && ! grep -qw -e vmx -e svm /proc/cpuinfo; then
    pvm=yes
fi
notes=$(grep -c "KVM on this host is PVM-based" "$tmp/err")
if [ "$pvm" = yes ]; then
    [ "$notes" -eq 1 ] &&
        grep -q "emulates guest instructions in the kernel instead of running them natively" \
            "$tmp/err" && ok "PVM host: the note is printed once at start" ||
        bad "PVM host: $notes PVM notes on stderr"
else
    [ "$notes" -eq 0 ] && ok "not a PVM host: no PVM note" || bad "PVM note on a non-PVM host"
fi

run "" 60 -M pc -display none -serial stdio -kernel "$hello" $exit_dev -enable-kvm
[ "$rc" -eq 1 ] && cmp -s "$tmp/out" "$tmp/hello.tcg" && ok "-enable-kvm runs the hello guest" ||
    bad "-enable-kvm hello: exit $rc"

# ---- a guest that crashes under kvm, with -no-reboot ----
run "" 30 -M pc -nographic -no-reboot -kernel "$guests/triplefault.elf" -accel kvm
if [ "$pvm" = yes ]; then
    # PVM emulates non-PVM guests in the kernel, which cannot deliver the exceptions that
    # lead to a triple fault: KVM reports an internal error instead
    [ "$rc" -eq 1 ] && grep -q "TRIPLEFAULT:" "$tmp/out" &&
        grep -q "KVM: internal error, suberror" "$tmp/err" && grep -q "RIP=" "$tmp/err" &&
        grep -q "int3" "$tmp/err" &&
        ok "PVM: the crashing guest gets one report (KVM internal error, CPU state, the instruction), exit 1" ||
        bad "PVM: crashing guest under kvm: exit $rc"
else
    [ "$rc" -eq 1 ] && grep -q "TRIPLEFAULT:" "$tmp/out" &&
        grep -q "guest triple fault on CPU 0" "$tmp/err" && grep -q "RIP=" "$tmp/err" &&
        ok "triple fault under kvm with -no-reboot: report with the CPU state, exit 1" ||
        bad "triple fault under kvm: exit $rc"
fi
[ "$(grep -c "stopping" "$tmp/err")" -eq 1 ] && ok "the crash is reported once" ||
    bad "the crash is reported $(grep -c "stopping" "$tmp/err") times"

# ---- machine reset under kvm: a firmware image that prints R and resets through port
# 0x92 (fast reset); the PC resets and runs it again until -no-reboot stops it ----
{
    head -c 4080 /dev/zero
    # F000:FFF0: mov dx,0x3f8; mov al,'R'; out dx,al; mov al,1; out 0x92,al; jmp $
    printf '\272\370\003\260R\356\260\001\346\222\353\376\000\000\000\000'
} >"$tmp/reset.bin"
for mode in on off; do
    run "" 3 -M pc -nographic -bios "$tmp/reset.bin" -accel kvm -machine kernel-irqchip=$mode
    n=$(tr -cd R <"$tmp/out" | wc -c)
    [ "$rc" -eq 124 ] && [ "$n" -ge 2 ] &&
        ok "kernel-irqchip=$mode: the machine resets under kvm ($n runs in 3 s)" ||
        bad "kernel-irqchip=$mode: resets under kvm: exit $rc, $n runs"
done
run "" 20 -M pc -nographic -no-reboot -bios "$tmp/reset.bin" -accel kvm
[ "$rc" -eq 0 ] && [ "$(tr -cd R <"$tmp/out" | wc -c)" -eq 1 ] &&
    ok "-no-reboot: a reset request ends tandem with status 0" ||
    bad "-no-reboot reset under kvm: exit $rc"

# ---- -smp 2 ----
run "" 60 -M pc -display none -serial stdio -kernel "$guests/smp.elf" $exit_dev -smp 2 -accel tcg
cp "$tmp/out" "$tmp/smp.tcg"
for mode in on off; do
    run "" 60 -M pc -display none -serial stdio -kernel "$guests/smp.elf" $exit_dev -smp 2 \
        -accel kvm -machine kernel-irqchip=$mode
    [ "$rc" -eq 1 ] && grep -q "^PASS:" "$tmp/out" && cmp -s "$tmp/out" "$tmp/smp.tcg" &&
        ok "-smp 2 under kvm, kernel-irqchip=$mode: the APs start (INIT/SIPI), same output as tcg" ||
        bad "-smp 2 under kvm, kernel-irqchip=$mode: exit $rc"
done

summary
