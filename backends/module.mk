LIB_SRCS += $(wildcard backends/*.c)
