LIB_SRCS += $(wildcard tcg-lite/*.c tcg-lite/interp/*.c)
