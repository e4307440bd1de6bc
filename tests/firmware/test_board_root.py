# The integrity root on the reference boards (issue 14's gap): `hcdaudit deploy`
# installs the escrow's root into the board's NVRAM (boards/common/root_install,
# through the board's own open_nvram); a board whose NVRAM holds none refuses
# to log rather than derive a root from the master key it keeps; with the root
# installed, a master-key holder cannot re-seal a record of a flushed epoch.
import board_scenarios
import sim_peripherals
import support
from fakes import MASTER_KEY

from boards.common import root_install
from boards.common.bundle import DeviceError
from hcdaudit import kdf, ring, seal, segment

BOARDS = ("esp32s3", "rp2040", "stm32")
ROOT = sim_peripherals.INTEGRITY_ROOT


def bundled(name):
    """A board with its bundle copied but deploy's NVRAM step not run."""
    board = board_scenarios.board_module(name)
    folder = support.tmpdir()
    sim_peripherals.write_bundle(folder, name, MASTER_KEY)
    p = sim_peripherals.peripherals_for(name, key_dir=support.tmpdir() if name == "stm32" else None)
    sim_peripherals.install_bundle(board, p, folder)
    return board, p


def header(board, p):
    b, _ = board.open_board(p)
    return ring.Ring(b.nvram, b.slot_count, b.slot_size, None).read_header()


def nvram_bytes(board, p):
    nv = board.open_nvram(p)
    buf = bytearray(nv.size)
    nv.read_into(0, buf)
    return bytes(buf)


def test_the_install_leaves_epoch_0_with_the_escrows_root_in_both_copies():
    for name in BOARDS:
        board, p = bundled(name)
        assert not root_install.installed(board, p)
        message = sim_peripherals.install_root(board, p)
        assert "installed" in message, message
        _best, bad, good = header(board, p)
        assert bad == [] and len(good) == 2, name
        for h in good:
            assert h.epoch == 0 and h.key == ROOT and h.ident == kdf.device_id(sim_peripherals.SIM_UUID), name
        p.power_off()


def test_a_first_boot_without_an_installed_root_refuses_to_log():
    from boards.common.app import App
    for name in BOARDS:
        board, p = bundled(name)
        exc = support.raises(ring.RootNotInstalled, board_scenarios.boot, board, p)
        assert "integrity root not installed" in str(exc) and "hcdaudit deploy" in str(exc), exc
        assert nvram_bytes(board, p)[:ring.HEADERS_SIZE] == bytes(ring.HEADERS_SIZE)     # nothing derived, nothing written
        p.power_off()
    board, p = bundled("rp2040")
    out = []
    support.raises(ring.RootNotInstalled, App(board, p, out=out.append).start)
    assert any("run hcdaudit deploy" in line for line in out), out
    p.power_off()


def test_with_the_root_installed_the_device_never_holds_an_earlier_epochs_key():
    for name in BOARDS:
        board, p = board_scenarios.provisioned(name)
        log = board_scenarios.boot(board, p)
        board_scenarios.log_jobs(log, 120)
        assert log.epoch == 2, (name, log.epoch)
        p = p.reboot()
        nv = nvram_bytes(board, p)
        assert nv.find(ROOT) < 0 and nv.find(kdf.epoch_key(ROOT, 1)) < 0, name
        assert nv.find(kdf.epoch_key(ROOT, 2)) > 0, name
        records, report = board_scenarios.read_back(board, p)
        assert report.intact() and len(records) == 121, (name, [f.as_dict() for f in report.faults()])
        p.power_off()


def _entry(data, wanted):
    offset = segment.HEADER_SIZE
    while True:
        seq, epoch, salt, n = seal.parse_header(data, offset)
        size = seal.HEADER_SIZE + n + seal.MAC_SIZE
        if seq == wanted:
            return offset, size, epoch, salt
        offset += size


def test_a_master_key_holder_cannot_reseal_a_record_of_a_flushed_epoch():
    for name in BOARDS:
        board, p = board_scenarios.provisioned(name)
        log = board_scenarios.boot(board, p)
        board_scenarios.log_jobs(log, 120)
        sealer = log.store_sealer
        current = log.ring.read_header()[0]
        p = p.reboot()
        b, _ = board.open_board(p)
        seg = segment.name_for(1)
        f = b.fs.open(seg, "rb")
        original = f.read()
        f.close()
        offset, size, epoch, salt = _entry(original, 10)
        assert epoch == 0
        plaintext = sealer.open_entry(original[offset:offset + size])
        i = plaintext.find(b".pdf") - 1 if b".pdf" in plaintext else len(plaintext) - 1
        edited = plaintext[:i] + b"x" + plaintext[i + 1:]
        ident = kdf.device_id(sim_peripherals.SIM_UUID)
        attempts = ((kdf.integrity_root(MASTER_KEY, ident), 0, "modified"),   # the master key's root
                    (current.key, current.epoch, "forged"))                   # the NVRAM's current key
        for key, as_epoch, verdict in attempts:
            buf = bytearray(b.slot_size)
            m = sealer.seal_entry_into(kdf.HmacKey(key), 10, as_epoch, salt, edited, buf)
            out = b.fs.open(seg, "wb")
            out.write(original[:offset] + bytes(buf[:m]) + original[offset + size:])
            b.fs.commit(out)
            records, report = board_scenarios.read_back(board, p)
            found = [(f.verdict, f.first_seq, f.last_seq) for f in report.findings]
            assert (verdict, 10, 10) in found, (name, verdict, found)
            assert 10 not in [r["seq"] for r in records], name
        p.power_off()


def test_a_redeploy_leaves_the_evolved_key_and_another_root_is_refused_unless_forced():
    board, p = board_scenarios.provisioned("esp32s3")
    log = board_scenarios.boot(board, p)
    board_scenarios.log_jobs(log, 60)
    assert log.epoch == 1
    p = p.reboot()
    before = nvram_bytes(board, p)
    message = sim_peripherals.install_root(board, p)             # the same device deployed again
    assert "left alone" in message and nvram_bytes(board, p) == before, message
    other = bytes(range(200, 232))
    exc = support.raises(DeviceError, sim_peripherals.install_root, board, p, other)
    assert "epoch 1" in str(exc) and "--force" in str(exc), exc
    exc = support.raises(DeviceError, sim_peripherals.install_root, board, p, other,
                         "urn:uuid:11111111-2222-4333-8444-555555555555")
    assert "another device" in str(exc), exc
    assert nvram_bytes(board, p) == before
    message = sim_peripherals.install_root(board, p, other, force=True)      # re-provisioning
    assert "installed" in message
    best, _bad, good = header(board, p)
    assert best.epoch == 0 and best.key == other and len(good) == 2 and best.generation > 2
    nv = nvram_bytes(board, p)
    assert nv[ring.HEADERS_SIZE:] == bytes(len(nv) - ring.HEADERS_SIZE)        # the old ring cleared
    p.power_off()


def test_the_install_refuses_a_root_of_the_wrong_size():
    board, p = bundled("rp2040")
    exc = support.raises(DeviceError, sim_peripherals.install_root, board, p, b"short")
    assert "32 bytes" in str(exc), exc
    assert not root_install.installed(board, p)
    p.power_off()
