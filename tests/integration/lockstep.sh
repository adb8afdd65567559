#!/bin/sh
# SPDX-License-Identifier: MIT
# tandem --lockstep: one guest under two accelerators, compared after every instruction.
#   tcg,tcg agrees on the hello guest (exit 0, the count printed, the guest's output once);
#   on a guest taking three timer interrupts (the same vector at the same step on both);
#   on a guest reading its TSC with RDTSC (the other run takes the reference's value); on a
#   triple fault with -no-reboot. A guest reading the TSC through RDMSR (not a recorded
#   device access) differs: exit 1 naming RDMSR and RAX. Bad input: one line, exit 2.
#   tcg,kvm (only with /dev/kvm and a tandem built with KVM; skipped with a message
#   otherwise) agrees on hello and stops at hvsig's CPUID (exit 1, naming CPUID and the
#   registers that differ).
# Usage: lockstep.sh TANDEM GUEST_DIR
emu=${1:?usage: lockstep.sh TANDEM GUEST_DIR}
guests=${2:?usage: lockstep.sh TANDEM GUEST_DIR}
. "$(dirname "$0")/lib.sh"
dbg="-device isa-debug-exit,iobase=0xf4,iosize=0x4"

# ls NAME ARGS...: tandem ARGS with a timeout; status in $rc, $tmp/NAME.out and .err
ls_run() {
    name=$1; shift
    timeout 120 "$emu" -M pc -display none -serial stdio "$@" </dev/null \
        >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
}
err_has() { grep -q -- "$2" "$tmp/$1.err"; }
show() { sed 's/^/    | /' "$tmp/$1.err" "$tmp/$1.out" | head -50; }

le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"; }
# a Multiboot header loading the file at 1 MiB and entering at 0x100020
mbhdr() {
    le32 0x1BADB002; le32 0x00010000; le32 $(( (0x100000000 - 0x1BADB002 - 0x00010000) & 0xFFFFFFFF ))
    le32 0x100000; le32 0x100000; le32 0; le32 0; le32 0x100020
}
# pad FILE SIZE: zero-fill FILE up to SIZE bytes
pad() { n=$(($2 - $(wc -c <"$1"))); [ "$n" -gt 0 ] && head -c "$n" /dev/zero >>"$1"; return 0; }

# --- tcg against tcg ---------------------------------------------------------------------
ls_run hello -kernel "$guests/hello.elf" $dbg --lockstep tcg,tcg
n=$(sed -n 's/.*agree on all \([0-9]*\) instructions.*/\1/p' "$tmp/hello.err")
if [ "$rc" -eq 0 ] && [ "${n:-0}" -gt 10000 ] && err_has hello "exit status 1" &&
   [ "$(grep -c "hello from the tandem" "$tmp/hello.out")" -eq 1 ]; then
    ok "tcg,tcg on hello agrees on $n instructions (exit 0, the guest's output once)"
else
    bad "tcg,tcg on hello: exit $rc"; show hello
fi

# three PIT interrupts (IRQ 0 at vector 8, the PIC base a BIOS leaves), each acknowledged
# at the PIC, then exit:
#   0x20: mov esp,0x100400; mov ax,cs; mov [0x100142],ax; lidt [0x100180]; sti
#   0x36: hlt; cmp dword [0x100190],3; jb 0x36; cli; xor eax,eax; out 0xf4,al; jmp $
#   0x80: inc dword [0x100190]; push eax; mov al,0x20; out 0x20,al; pop eax; iret
#   0x140: IDT entry 8; 0x180: IDTR (limit 0x47, base 0x100100); 0x190: the tick count
irq=$tmp/irq.bin
{
    mbhdr
    printf '\274\000\004\020\000\146\214\310\146\243\102\001\020\000\017\001\035\200\001\020\000\373'
    printf '\364\203\075\220\001\020\000\003\162\366\372\061\300\346\364\353\376'
} >"$irq"
pad "$irq" 128
printf '\377\005\220\001\020\000\120\260\040\346\040\130\317' >>"$irq"
pad "$irq" 320
printf '\200\000\000\000\000\216\020\000' >>"$irq"
pad "$irq" 384
printf '\107\000\000\001\020\000' >>"$irq"
pad "$irq" 416
ls_run irq -kernel "$irq" $dbg --lockstep tcg,tcg
if [ "$rc" -eq 0 ] && err_has irq "agree on all [0-9]* instructions (3 interrupts)"; then
    ok "tcg,tcg on a guest taking 3 timer interrupts agrees: $(grep -o 'all [0-9]* instructions (3 interrupts)' "$tmp/irq.err")"
else
    bad "tcg,tcg with interrupts: exit $rc"; show irq
fi

# RDTSC (host time): the other run takes the reference's EDX:EAX, so the runs agree; the
# guest prints the TSC's low 32 bits as 8 letters (as compare.sh's guest does)
{
    mbhdr
    printf '\017\061\211\306\211\303\271\010\000\000\000\146\272\370\003'
    printf '\211\330\203\340\017\004\101\356\301\353\004\342\363'
    printf '\260\012\356\061\300\346\364\353\376'
} >"$tmp/tsc.bin"
ls_run tsc -kernel "$tmp/tsc.bin" $dbg --lockstep tcg,tcg
if [ "$rc" -eq 0 ] && err_has tsc "agree on all" && grep -q "^[A-P]\{8\}" "$tmp/tsc.out"; then
    ok "tcg,tcg on a guest using RDTSC agrees (the reference's TSC is replayed)"
else
    bad "tcg,tcg with RDTSC: exit $rc"; show tsc
fi

# RDMSR of IA32_TSC is an ordinary instruction to lockstep: the runs' TSCs differ
#   mov ecx,0x10; rdmsr; xor eax,eax; out 0xf4,al; jmp $
{
    mbhdr
    printf '\271\020\000\000\000\017\062\061\300\346\364\353\376'
} >"$tmp/msr.bin"
ls_run msr -kernel "$tmp/msr.bin" $dbg --lockstep tcg,tcg
if [ "$rc" -eq 1 ] && err_has msr "differ after step 2: registers differ" &&
   err_has msr "rdmsr" && err_has msr "^difference: RAX" && err_has msr "RAX .*<- differs"; then
    ok "tcg,tcg on RDMSR of the TSC differs: exit 1 naming rdmsr and RAX"
else
    bad "RDMSR of the TSC: exit $rc"; show msr
fi

# a triple fault with -no-reboot ends the guest (INT3 with no IDT, as triple-fault.sh)
{ mbhdr; printf '\314\353\376'; } >"$tmp/tf.bin"
ls_run tf -no-reboot -kernel "$tmp/tf.bin" --lockstep tcg,tcg
if [ "$rc" -eq 0 ] && err_has tf "agree on all"; then
    ok "tcg,tcg on a triple fault with -no-reboot agrees to the end"
else
    bad "triple fault: exit $rc"; show tf
fi

"$emu" --help | grep -q -- "--lockstep tcg,ACCEL" && ok "--help documents --lockstep" ||
    bad "--help lacks --lockstep"

# --- bad input: one line on stderr, exit 2 ---------------------------------------------------
badcase "one accelerator" --lockstep tcg -kernel "$guests/hello.elf" $dbg
badcase "kvm as the reference" --lockstep kvm,tcg -kernel "$guests/hello.elf" $dbg
badcase "unknown accelerator" --lockstep tcg,foo -kernel "$guests/hello.elf" $dbg
badcase "-smp 2" --lockstep tcg,tcg -smp 2 -kernel "$guests/hello.elf" $dbg
badcase "-accel with --lockstep" --lockstep tcg,tcg -accel tcg -kernel "$guests/hello.elf" $dbg

# --- tcg against kvm ---------------------------------------------------------------------
kvm_skip=""
if [ ! -e /dev/kvm ]; then
    kvm_skip="/dev/kvm is absent"
else
    timeout 20 "$emu" -M pc -display none -serial stdio --lockstep tcg,kvm -kernel "$guests/hello.elf" $dbg \
        </dev/null >"$tmp/probe.out" 2>"$tmp/probe.err"
    if grep -q "not built into this tandem" "$tmp/probe.err"; then
        kvm_skip="this tandem is built without KVM"
    elif grep -q "cannot run here" "$tmp/probe.err"; then
        kvm_skip="KVM cannot run here: $(sed 's/.*cannot run here: //' "$tmp/probe.err")"
    fi
fi
if [ -n "$kvm_skip" ]; then
    echo "skip tcg,kvm lockstep: $kvm_skip"
else
    ls_run kvm-hello -kernel "$guests/hello.elf" $dbg --lockstep tcg,kvm
    n=$(sed -n 's/.*agree on all \([0-9]*\) instructions.*/\1/p' "$tmp/kvm-hello.err")
    if [ "$rc" -eq 0 ] && [ "${n:-0}" -gt 10000 ]; then
        ok "tcg,kvm on hello agrees on $n instructions (exit 0)"
    else
        bad "tcg,kvm on hello: exit $rc"; show kvm-hello
    fi
    ls_run kvm-hvsig -kernel "$guests/hvsig.elf" $dbg --lockstep tcg,kvm
    if [ "$rc" -eq 1 ] && err_has kvm-hvsig "registers differ" && err_has kvm-hvsig "cpuid" &&
       err_has kvm-hvsig "^difference: .*R[BCD]X"; then
        ok "tcg,kvm on hvsig stops at CPUID: $(grep '^difference:' "$tmp/kvm-hvsig.err") (exit 1)"
    else
        bad "tcg,kvm on hvsig: exit $rc"; show kvm-hvsig
    fi
fi
summary
