/* SPDX-License-Identifier: MIT */
/*
 * triplefault.c - a guest that ends in a triple fault from 64-bit mode (for the
 * integration tests of crash reports, triple-fault.sh and kvm.sh; not one of the
 * pass/fail guests that make check-guests runs). It enters IA-32e mode, prints a line,
 * then 64-bit code loads an IDT with a limit of 0 and executes INT3: #GP on the gate,
 * #GP on #GP's gate (a #DF), and the #DF's gate is beyond the limit too: shutdown.
 * 64-bit mode is chosen because a PVM-based KVM cannot deliver protected-mode exceptions.
 */
#include "guest.h"

extern char tf64_crash[];

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

int main(void)
{
    build_identity_4level(pml4, pdpt, pd);
    long_enter((uint32_t)pml4);
    printf("TRIPLEFAULT: in IA-32e mode, faulting now\n");
    call64(tf64_crash, 0);
    printf("FAIL: still running after the triple fault\n");
    finish();
}
