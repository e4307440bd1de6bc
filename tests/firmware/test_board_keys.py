# Master key sealing: esp32s3 moves ROOT/master.key into NVS at first boot,
# stm32 into a checked file on its internal flash; a power cut at any write
# of that move leaves a board that still finds its key. The NVS model follows
# MicroPython's esp32.NVS contract (nothing durable before commit()).
import board_scenarios
import sim_peripherals
import support
from boards.common import keystore
from boards.common.bundle import DeviceError
from boards.host.dirfs import DirFs
from fakes import MASTER_KEY
from sim_nvs import ESP_ERR_NVS_INVALID_LENGTH, ESP_ERR_NVS_NOT_FOUND, Nvs, NvsPartition
from sim_power import Rail


def test_nvs_keeps_only_what_was_committed():
    part = NvsPartition()
    nvs = Nvs(part, "hcdaudit")
    nvs.set_blob("a", b"first")
    buf = bytearray(8)
    assert nvs.get_blob("a", buf) == 5 and bytes(buf[:5]) == b"first"    # the handle sees its own write
    support.raises(OSError, Nvs(part, "hcdaudit").get_blob, "a", buf)   # a power cycle would lose it
    nvs.commit()
    nvs.set_blob("a", b"second")                      # not committed: lost with the power
    again = Nvs(part, "hcdaudit")
    assert again.get_blob("a", buf) == 5 and bytes(buf[:5]) == b"first"
    exc = support.raises(OSError, again.get_blob, "b", buf)
    assert exc.args[0] == -ESP_ERR_NVS_NOT_FOUND
    exc = support.raises(OSError, again.get_blob, "a", bytearray(2))
    assert exc.args[0] == -ESP_ERR_NVS_INVALID_LENGTH
    support.raises(OSError, again.set_blob, "a-key-longer-than-15", b"x")
    again.erase_key("a")
    again.commit()
    assert ("hcdaudit", "a") not in part.entries
    support.raises(OSError, again.erase_key, "a")


def test_esp32s3_seals_the_key_in_nvs_and_deletes_the_file():
    board, p = board_scenarios.provisioned("esp32s3")
    folder = board.open_volume(p).dir(board.ROOT)
    assert "master.key" in folder.listdir()
    assert board.master_key(p) == MASTER_KEY
    assert "master.key" not in folder.listdir()
    assert p.memories.nvs.entries[("hcdaudit", "master_key")] == ("blob", MASTER_KEY)
    p = p.reboot()
    assert board.master_key(p) == MASTER_KEY
    p.power_off()


def test_a_power_cut_anywhere_in_the_sealing_leaves_the_key_findable():
    board, p = board_scenarios.provisioned("esp32s3")
    p.power_off()
    base = {}
    parts = p.memories.parts()
    for name in parts:
        base[name] = parts[name].image()

    def seal(rail):
        q = sim_peripherals.from_snapshot("esp32s3", base)
        q.memories.attach(rail)
        key = board.master_key(q)
        q.memories.detach()
        q.power_off()
        return key

    probe = Rail()
    assert seal(probe) == MASTER_KEY
    assert probe.events >= 2                      # the NVS commit, then the flash writes removing the file
    for cut_at in range(1, probe.events + 1):
        for torn in (False, True):
            rail = Rail(cut_at, torn)
            seal(rail)
            q = sim_peripherals.from_snapshot("esp32s3", rail.snapshot)
            assert board.master_key(q) == MASTER_KEY, (cut_at, torn)
            assert "master.key" not in board.open_volume(q).dir(board.ROOT).listdir()
            q.power_off()


def test_a_bundle_key_that_differs_from_the_sealed_one_is_refused():
    board, p = board_scenarios.provisioned("esp32s3")
    board.master_key(p)
    folder = board.open_volume(p).dir(board.ROOT)
    f = folder.open("master.key", "wb")
    f.write(bytes(32))
    folder.commit(f)
    exc = support.raises(DeviceError, board.master_key, p)
    assert "differs" in str(exc)
    assert "master.key" in folder.listdir()        # left for the operator to look at
    p.power_off()


def test_no_key_anywhere_is_a_clear_error():
    board, p = board_scenarios.provisioned("esp32s3")
    board.open_volume(p).dir(board.ROOT).remove("master.key")
    exc = support.raises(DeviceError, board.master_key, p)
    assert "no master key" in str(exc)
    p.power_off()


def test_stm32_seals_the_key_in_a_checked_file_and_detects_a_torn_one():
    board, p = board_scenarios.provisioned("stm32")
    assert board.master_key(p) == MASTER_KEY
    assert "master.key" not in board.open_volume(p).dir(board.ROOT).listdir()
    keys = p.key_dir
    assert sorted(keys.listdir()) == ["master.sealed"] and keys.size("master.sealed") == 40
    f = keys.open("master.sealed", "r+b")
    f.seek(3)
    f.write(b"\x00")                               # a torn or damaged sealed copy
    f.close()
    exc = support.raises(DeviceError, board.master_key, p)
    assert "damaged" in str(exc) and "deploy" in str(exc)
    p.power_off()


def test_a_damaged_sealed_copy_is_sealed_again_from_the_bundle():
    folder = DirFs(support.tmpdir())
    store = keystore.FileKeyStore(DirFs(support.tmpdir()))
    f = folder.open("master.key", "wb")
    f.write(MASTER_KEY)
    f.close()
    f = store._folder.open("master.sealed", "wb")
    f.write(b"\x01" * 17)                          # cut while writing
    f.close()
    assert keystore.seal_master_key(folder, store) == MASTER_KEY
    assert store.get() == MASTER_KEY and "master.key" not in folder.listdir()


def test_rp2040_keeps_the_key_in_its_bundle_file():
    board, p = board_scenarios.provisioned("rp2040")
    assert board.master_key(p) == MASTER_KEY
    folder = board.open_volume(p).dir(board.ROOT)
    assert "master.key" in folder.listdir()
    folder.remove("master.key")
    support.raises(DeviceError, board.master_key, p)
    p.power_off()
