MAIN_SRCS += system/main.c
LIB_SRCS += $(filter-out system/main.c,$(wildcard system/*.c))
