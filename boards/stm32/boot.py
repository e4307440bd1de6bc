# /flash/boot.py on the NUCLEO-F767ZI: mount the SPI NOR store at / before
# main.py runs and before mpremote copies a bundle to /hcdaudit-data.
try:
    from boards.stm32 import board
    board.open_volume()
except Exception as exc:  # noqa: BLE001  (the REPL must stay usable to fix the wiring)
    print("hcdaudit: the SPI NOR store is not mounted:", exc)
