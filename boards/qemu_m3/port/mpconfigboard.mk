# hcdaudit's emulated board: MicroPython's qemu port (third_party/micropython,
# untouched) for MPS2-AN385 (a Cortex-M3 under qemu-system-arm), plus what the
# stock port lacks (boards/qemu_m3/README.md). Built by tests/mcu/build.py:
#   make -C third_party/micropython/ports/qemu BOARD=QEMU_M3 BOARD_DIR=<this folder> BUILD=<build dir>
QEMU_ARCH = arm
QEMU_MACHINE = mps2-an385

CFLAGS += -mthumb -mcpu=cortex-m3 -mfloat-abi=soft
CFLAGS += -DQEMU_SOC_MPS2
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M3"'

# The firmware's ROMFS partition: QEMU's loader puts the image here.
MICROPY_HW_ROMFS_PART0_START = 0x21000000
MICROPY_HW_ROMFS_PART0_SIZE = 0x00400000

LDSCRIPT = mcu/arm/mps2.ld
SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb2.o
MPY_CROSS_FLAGS += -march=armv7m

# Nothing frozen: the firmware ships as the ROMFS image. The frozen variant
# (tests/mcu/build.py frozen_firmware) sets FROZEN_MANIFEST on make's command line.
FROZEN_MANIFEST =

# SSRAM1 is 4 MiB: code and stack take under 400 KiB.
MICROPY_HEAP_SIZE = 3407872

# littlefs (vfs.VfsLfs2) for the store.
MICROPY_VFS_LFS2 = 1

# cryptolib (AES) and hashlib.sha1 from axtls's crypto files; no ssl/tls.
AXTLS_CRYPTO = lib/axtls/crypto
CFLAGS += -DMICROPY_PY_CRYPTOLIB=1 -DMICROPY_SSL_AXTLS=1 -DMICROPY_PY_HASHLIB_SHA1=1
CFLAGS += -I$(BOARD_DIR)/axtls -I$(TOP)/$(AXTLS_CRYPTO)
SRC_THIRDPARTY_C += $(AXTLS_CRYPTO)/sha1.c
$(BUILD)/$(AXTLS_CRYPTO)/%.o: CFLAGS += -Wno-all -Wno-unused-parameter -Wno-sign-compare
$(BUILD)/extmod/modcryptolib.o: CFLAGS += -include $(BOARD_DIR)/axtls/aes_public.h

# A wall clock (time.time_ns, gmtime) with the 1970 epoch, and os.urandom.
CFLAGS += -DMICROPY_EPOCH_IS_1970=1 -DMICROPY_PY_TIME_TIME_TIME_NS=1 -DMICROPY_PY_TIME_GMTIME_LOCALTIME_MKTIME=1
CFLAGS += -DMICROPY_PY_TIME_INCLUDEFILE='"$(BOARD_DIR)/modtime_board.c"'
SRC_C += shared/timeutils/timeutils.c
CFLAGS += -DMICROPY_PY_OS_URANDOM=1
LDFLAGS += --wrap=mp_hal_get_random

# The board's module (instruction clock, power cut, flash and NV memory).
USER_C_MODULES = $(BOARD_DIR)/modules
