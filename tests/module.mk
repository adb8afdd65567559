UNIT_TESTS += $(wildcard tests/unit/test_*.c)
include tests/guests/x86/module.mk
