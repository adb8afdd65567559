# bare-metal x86 guest programs (see tests/guests/x86/README)
