/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/cpu_features.c — the option tail of -cpu MODEL,+feat,-feat,feat=on|off,vendor=V:
 * CPUID feature names and how they change a model's feature words.
 *
 * The names are QEMU's (and mostly /proc/cpuinfo's) for the bits of CPUID leaf 1 EDX/ECX,
 * leaf 7.0 EBX/ECX, leaf 0x80000001 EDX/ECX and 0x80000007 EDX (Intel SDM vol. 2A, CPUID;
 * AMD APM vol. 3, appendix E); '_' and '.' in a name are the same as '-'. A feature can be
 * added only when tandem implements it, i.e. when the "max" model reports it: adding any
 * other known feature prints a warning and leaves the bit clear (QEMU's TCG does the same),
 * so that a guest probing CPUID sees only what works. Removing a feature always works.
 * Unknown names and properties are errors.
 *
 * Not modelled: QEMU's other properties (family, model, level, phys-bits, ...), leaf 7 EDX,
 * and leaf 0xD's XSAVE sub-features (xsaveopt is reported as fixed).
 */
#include "cpu/x86/cpu.h"

enum { W_1_EDX, W_1_ECX, W_7_EBX, W_7_ECX, W_E1_EDX, W_E1_ECX, W_E7_EDX, W_NONE };

typedef struct FeatName {
    const char *name;
    uint8_t word, bit;
} FeatName;

static const FeatName feat_names[] = {
    /* CPUID.01H:EDX */
    { "fpu", W_1_EDX, 0 }, { "vme", W_1_EDX, 1 }, { "de", W_1_EDX, 2 },
    { "pse", W_1_EDX, 3 }, { "tsc", W_1_EDX, 4 }, { "msr", W_1_EDX, 5 },
    { "pae", W_1_EDX, 6 }, { "mce", W_1_EDX, 7 }, { "cx8", W_1_EDX, 8 },
    { "apic", W_1_EDX, 9 }, { "sep", W_1_EDX, 11 }, { "mtrr", W_1_EDX, 12 },
    { "pge", W_1_EDX, 13 }, { "mca", W_1_EDX, 14 }, { "cmov", W_1_EDX, 15 },
    { "pat", W_1_EDX, 16 }, { "pse36", W_1_EDX, 17 }, { "pn", W_1_EDX, 18 },
    { "clflush", W_1_EDX, 19 }, { "ds", W_1_EDX, 21 }, { "acpi", W_1_EDX, 22 },
    { "mmx", W_1_EDX, 23 }, { "fxsr", W_1_EDX, 24 }, { "sse", W_1_EDX, 25 },
    { "sse2", W_1_EDX, 26 }, { "ss", W_1_EDX, 27 }, { "ht", W_1_EDX, 28 },
    { "tm", W_1_EDX, 29 }, { "ia64", W_1_EDX, 30 }, { "pbe", W_1_EDX, 31 },
    /* CPUID.01H:ECX */
    { "pni", W_1_ECX, 0 }, { "sse3", W_1_ECX, 0 }, { "pclmulqdq", W_1_ECX, 1 },
    { "pclmuldq", W_1_ECX, 1 }, { "dtes64", W_1_ECX, 2 }, { "monitor", W_1_ECX, 3 },
    { "ds-cpl", W_1_ECX, 4 }, { "vmx", W_1_ECX, 5 }, { "smx", W_1_ECX, 6 },
    { "est", W_1_ECX, 7 }, { "tm2", W_1_ECX, 8 }, { "ssse3", W_1_ECX, 9 },
    { "cid", W_1_ECX, 10 }, { "fma", W_1_ECX, 12 }, { "cx16", W_1_ECX, 13 },
    { "xtpr", W_1_ECX, 14 }, { "pdcm", W_1_ECX, 15 }, { "pcid", W_1_ECX, 17 },
    { "dca", W_1_ECX, 18 }, { "sse4.1", W_1_ECX, 19 }, { "sse41", W_1_ECX, 19 },
    { "sse4.2", W_1_ECX, 20 }, { "sse42", W_1_ECX, 20 }, { "x2apic", W_1_ECX, 21 },
    { "movbe", W_1_ECX, 22 }, { "popcnt", W_1_ECX, 23 }, { "tsc-deadline", W_1_ECX, 24 },
    { "aes", W_1_ECX, 25 }, { "xsave", W_1_ECX, 26 }, { "osxsave", W_1_ECX, 27 },
    { "avx", W_1_ECX, 28 }, { "f16c", W_1_ECX, 29 }, { "rdrand", W_1_ECX, 30 },
    { "hypervisor", W_1_ECX, 31 },
    /* CPUID.(EAX=07H,ECX=0):EBX */
    { "fsgsbase", W_7_EBX, 0 }, { "tsc-adjust", W_7_EBX, 1 }, { "sgx", W_7_EBX, 2 },
    { "bmi1", W_7_EBX, 3 }, { "hle", W_7_EBX, 4 }, { "avx2", W_7_EBX, 5 },
    { "smep", W_7_EBX, 7 }, { "bmi2", W_7_EBX, 8 }, { "erms", W_7_EBX, 9 },
    { "invpcid", W_7_EBX, 10 }, { "rtm", W_7_EBX, 11 }, { "mpx", W_7_EBX, 14 },
    { "avx512f", W_7_EBX, 16 }, { "avx512dq", W_7_EBX, 17 }, { "rdseed", W_7_EBX, 18 },
    { "adx", W_7_EBX, 19 }, { "smap", W_7_EBX, 20 }, { "avx512ifma", W_7_EBX, 21 },
    { "pcommit", W_7_EBX, 22 }, { "clflushopt", W_7_EBX, 23 }, { "clwb", W_7_EBX, 24 },
    { "intel-pt", W_7_EBX, 25 }, { "avx512pf", W_7_EBX, 26 }, { "avx512er", W_7_EBX, 27 },
    { "avx512cd", W_7_EBX, 28 }, { "sha-ni", W_7_EBX, 29 }, { "avx512bw", W_7_EBX, 30 },
    { "avx512vl", W_7_EBX, 31 },
    /* CPUID.(EAX=07H,ECX=0):ECX */
    { "avx512vbmi", W_7_ECX, 1 }, { "umip", W_7_ECX, 2 }, { "pku", W_7_ECX, 3 },
    { "ospke", W_7_ECX, 4 }, { "waitpkg", W_7_ECX, 5 }, { "avx512vbmi2", W_7_ECX, 6 },
    { "gfni", W_7_ECX, 8 }, { "vaes", W_7_ECX, 9 }, { "vpclmulqdq", W_7_ECX, 10 },
    { "avx512vnni", W_7_ECX, 11 }, { "avx512bitalg", W_7_ECX, 12 },
    { "avx512-vpopcntdq", W_7_ECX, 14 }, { "la57", W_7_ECX, 16 }, { "rdpid", W_7_ECX, 22 },
    { "cldemote", W_7_ECX, 25 }, { "movdiri", W_7_ECX, 27 }, { "movdir64b", W_7_ECX, 28 },
    { "sgxlc", W_7_ECX, 30 }, { "pks", W_7_ECX, 31 },
    /* CPUID.80000001H:EDX */
    { "syscall", W_E1_EDX, 11 }, { "nx", W_E1_EDX, 20 }, { "xd", W_E1_EDX, 20 },
    { "mmxext", W_E1_EDX, 22 }, { "fxsr-opt", W_E1_EDX, 25 }, { "ffxsr", W_E1_EDX, 25 },
    { "pdpe1gb", W_E1_EDX, 26 }, { "rdtscp", W_E1_EDX, 27 }, { "lm", W_E1_EDX, 29 },
    { "i64", W_E1_EDX, 29 }, { "3dnowext", W_E1_EDX, 30 }, { "3dnow", W_E1_EDX, 31 },
    /* CPUID.80000001H:ECX */
    { "lahf-lm", W_E1_ECX, 0 }, { "cmp-legacy", W_E1_ECX, 1 }, { "svm", W_E1_ECX, 2 },
    { "extapic", W_E1_ECX, 3 }, { "cr8legacy", W_E1_ECX, 4 }, { "abm", W_E1_ECX, 5 },
    { "sse4a", W_E1_ECX, 6 }, { "misalignsse", W_E1_ECX, 7 },
    { "3dnowprefetch", W_E1_ECX, 8 }, { "osvw", W_E1_ECX, 9 }, { "ibs", W_E1_ECX, 10 },
    { "xop", W_E1_ECX, 11 }, { "skinit", W_E1_ECX, 12 }, { "wdt", W_E1_ECX, 13 },
    { "lwp", W_E1_ECX, 15 }, { "fma4", W_E1_ECX, 16 }, { "tce", W_E1_ECX, 17 },
    { "nodeid-msr", W_E1_ECX, 19 }, { "tbm", W_E1_ECX, 21 }, { "topoext", W_E1_ECX, 22 },
    { "perfctr-core", W_E1_ECX, 23 }, { "perfctr-nb", W_E1_ECX, 24 },
    /* CPUID.80000007H:EDX */
    { "invtsc", W_E7_EDX, 8 },
    /* features of other leaves and MSRs (SVM, XSAVE sub-leaf, speculation controls):
     * known names, never implemented */
    { "npt", W_NONE, 0 }, { "nrip-save", W_NONE, 0 }, { "lbrv", W_NONE, 0 },
    { "svm-lock", W_NONE, 0 }, { "tsc-scale", W_NONE, 0 }, { "vmcb-clean", W_NONE, 0 },
    { "flushbyasid", W_NONE, 0 }, { "decodeassists", W_NONE, 0 },
    { "pause-filter", W_NONE, 0 }, { "pfthreshold", W_NONE, 0 }, { "avic", W_NONE, 0 },
    { "vgif", W_NONE, 0 }, { "xsaveopt", W_NONE, 0 }, { "xsavec", W_NONE, 0 },
    { "xgetbv1", W_NONE, 0 }, { "xsaves", W_NONE, 0 }, { "spec-ctrl", W_NONE, 0 },
    { "stibp", W_NONE, 0 }, { "ssbd", W_NONE, 0 }, { "md-clear", W_NONE, 0 },
    { "arch-capabilities", W_NONE, 0 }, { "tsx-ctrl", W_NONE, 0 },
};

static const char *const word_names[] = {
    "CPUID.01H:EDX", "CPUID.01H:ECX", "CPUID.07H:EBX", "CPUID.07H:ECX",
    "CPUID.80000001H:EDX", "CPUID.80000001H:ECX", "CPUID.80000007H:EDX",
};

static uint32_t *feat_word(X86Features *f, int w)
{
    switch (w) {
    case W_1_EDX: return &f->f1_edx;
    case W_1_ECX: return &f->f1_ecx;
    case W_7_EBX: return &f->f7_ebx;
    case W_7_ECX: return &f->f7_ecx;
    case W_E1_EDX: return &f->e1_edx;
    case W_E1_ECX: return &f->e1_ecx;
    default: return &f->e7_edx;
    }
}

/* '_' and '.' spell '-' (QEMU accepts sse4_1, sse4.1 and sse4-1) */
static bool name_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = (*a == '_' || *a == '.') ? '-' : *a;
        char cb = (*b == '_' || *b == '.') ? '-' : *b;
        if (ca != cb) {
            return false;
        }
        if (!ca) {
            return true;
        }
    }
}

static const FeatName *feat_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(feat_names); i++) {
        if (name_eq(feat_names[i].name, name)) {
            return &feat_names[i];
        }
    }
    /* QEMU's VMX capability and KVM/Hyper-V paravirtual feature families */
    if (!strncmp(name, "vmx-", 4) || !strncmp(name, "kvm", 3) || !strncmp(name, "hv-", 3)) {
        static const FeatName other = { "", W_NONE, 0 };
        return &other;
    }
    return NULL;
}

/* on/off values of feat=VALUE, as QEMU spells booleans */
static int parse_bool(const char *v)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes")) {
        return 1;
    }
    if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no")) {
        return 0;
    }
    return -1;
}

int x86_features_apply(X86Features *f, const X86Features *impl, char vendor[13],
                       const char *opts, bool warn)
{
    char *copy = xstrdup(opts), *save = NULL;
    X86Features im = *impl;
    int ret = 0;

    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        const char *name = tok;
        int on = 1;

        if (tok[0] == '+' || tok[0] == '-') {
            on = tok[0] == '+';
            name = tok + 1;
        } else if (eq) {
            *eq = '\0';
            if (!strcmp(tok, "vendor")) {
                if (strlen(eq + 1) != 12) {
                    error_report("-cpu vendor=%s: the vendor string must be 12 characters",
                                 eq + 1);
                    ret = -EINVAL;
                    break;
                }
                memcpy(vendor, eq + 1, 13);
                continue;
            }
        }
        const FeatName *fn = feat_find(name);
        if (!fn) {
            error_report("-cpu: unknown CPU feature or property '%s'", name);
            ret = -EINVAL;
            break;
        }
        if (eq && (on = parse_bool(eq + 1)) < 0) {
            error_report("-cpu %s=%s: expected on or off", tok, eq + 1);
            ret = -EINVAL;
            break;
        }
        if (fn->word == W_NONE) {
            if (on && warn) {
                error_report("warning: CPU feature '%s' is not implemented; not reported",
                             name);
            }
            continue;
        }
        uint32_t bit = 1u << fn->bit, *w = feat_word(f, fn->word);
        if (!on) {
            *w &= ~bit;
        } else if (*feat_word(&im, fn->word) & bit) {
            *w |= bit;
        } else if (warn) {
            error_report("warning: CPU feature '%s' (%s[bit %d]) is not implemented; "
                         "not reported", name, word_names[fn->word], fn->bit);
        }
    }
    free(copy);
    return ret;
}
