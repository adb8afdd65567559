LIB_SRCS += $(wildcard cpu/*.c cpu/x86/*.c)
