# The STM32F7's 4 KiB backup SRAM (BKPSRAM, 0x40024000) as a writable buffer,
# with the backup regulator on so it keeps its contents on VBAT. MicroPython
# v1.29 does this in machine.mem_backup(); older firmware gets the register
# sequence of RM0410 through stm.mem32 (names from CMSIS, F7 first, F4 after).
BKPSRAM = 0x40024000
SIZE = 4096
_PWREN = 1 << 28        # RCC_APB1ENR: power interface clock
_DBP = 1 << 8           # PWR_CR1: backup domain write access
_BKPSRAMEN = 1 << 18    # RCC_AHB1ENR: backup SRAM clock
_BRE = 1 << 9           # PWR_CSR1: backup regulator enable
_BRR = 1 << 3           # PWR_CSR1: backup regulator ready
_READY_POLLS = 100000


class BackupSramError(OSError):
    pass


def _register(stm, *names):
    for name in names:
        if hasattr(stm, name):
            return getattr(stm, name)
    raise BackupSramError("the stm module has none of %s" % ", ".join(names))


def open_backup_sram(machine=None, stm=None, uctypes=None):
    """The whole backup SRAM, 4096 bytes. Modules may be passed (tests)."""
    if machine is None:
        import machine
    if hasattr(machine, "mem_backup"):
        mem = machine.mem_backup(0)          # region 0 = BKPSRAM ('B') on F4/F7
        if len(mem) < SIZE:
            raise BackupSramError("machine.mem_backup(0) is %d bytes, not the 4 KiB backup SRAM" % len(mem))
        return mem
    if stm is None:
        import stm
    if uctypes is None:
        import uctypes
    mem32 = stm.mem32
    rcc = stm.RCC
    pwr = stm.PWR
    cr = pwr + _register(stm, "PWR_CR1", "PWR_CR")
    csr = pwr + _register(stm, "PWR_CSR1", "PWR_CSR")
    mem32[rcc + stm.RCC_APB1ENR] |= _PWREN
    mem32[cr] |= _DBP
    mem32[rcc + stm.RCC_AHB1ENR] |= _BKPSRAMEN
    mem32[csr] |= _BRE
    for _ in range(_READY_POLLS):
        if mem32[csr] & _BRR:
            return uctypes.bytearray_at(BKPSRAM, SIZE)
    raise BackupSramError("the backup regulator did not come up (PWR_CSR.BRR)")
