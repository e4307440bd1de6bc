# The audit firmware frozen into a Pico W image:
#   make -C ports/rp2 BOARD=RPI_PICO_W FROZEN_MANIFEST=$HCDAUDIT/boards/rp2040/manifest.py
# This replaces the Pico W's own manifest (the port's plus micropython-lib's networking bundle:
# mip, ntptime, requests); the firmware needs none of those (network and tls are built in).
include("$(PORT_DIR)/boards/manifest.py")
include("../manifest_common.py", board="rp2040")
