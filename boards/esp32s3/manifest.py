# The audit firmware frozen into an ESP32-S3 image (octal-PSRAM N8R8 module):
#   make -C ports/esp32 BOARD=ESP32_GENERIC_S3 BOARD_VARIANT=SPIRAM_OCT \
#        FROZEN_MANIFEST=$HCDAUDIT/boards/esp32s3/manifest.py
include("$(PORT_DIR)/boards/manifest.py")
include("../manifest_common.py", board="esp32s3")
