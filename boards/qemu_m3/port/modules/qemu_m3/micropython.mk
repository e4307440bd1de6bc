# The emulated board's own module (boards/qemu_m3/README.md).
QEMU_M3_MOD_DIR := $(USERMOD_DIR)
SRC_USERMOD_C += $(QEMU_M3_MOD_DIR)/modqemu_m3.c
# axtls's AES (lib/axtls/crypto/aes.c, through a wrapper: see axtls_aes.c)
SRC_USERMOD_C += $(QEMU_M3_MOD_DIR)/../../axtls/axtls_aes.c
