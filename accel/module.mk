LIB_SRCS += $(wildcard accel/*.c accel/tcg/*.c)
