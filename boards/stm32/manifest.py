# The audit firmware frozen into a NUCLEO-F767ZI image:
#   make -C ports/stm32 BOARD=NUCLEO_F767ZI FROZEN_MANIFEST=$HCDAUDIT/boards/stm32/manifest.py
include("$(PORT_DIR)/boards/manifest.py")
include("../manifest_common.py", board="stm32")
