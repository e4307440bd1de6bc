# Installing a device's integrity root (epoch 0's key, from the host's escrow)
# into its board's NVRAM region. `hcdaudit deploy` runs this on the board over
# the serial link (a generated script, tests/host: deploy_nvram.py), so the root
# travels through RAM and the link only, never through the board's littlefs,
# whose old blocks may outlive a delete. The firmware refuses to log on a board
# whose NVRAM holds no root (boards/common/mcu.py: root_required).
from boards import profiles
from boards.common.bundle import DeviceError
from hcdaudit import kdf, ring


def _same_chain(header, ident, root):
    """True when the header is this device's and its key evolved from `root`
    (a re-deploy of the same device: the root was installed before)."""
    if header.ident != ident:
        return False
    return kdf.equal(kdf.epoch_key(root, header.epoch), header.key)


def install(board_module, device_uuid, root, force=False, peripherals=None):
    """Write epoch 0 with `root` into both NVRAM header copies; a message saying
    what was done. Refuses (DeviceError) a header of another device or another
    root, or one that has evolved past epoch 0, unless `force` (re-provisioning:
    the ring's slots are then cleared too). A header already on this root's
    chain is left alone: writing the root back would revive an erased key."""
    if len(root) != 32:
        raise DeviceError("the integrity root must be 32 bytes, got %d" % len(root))
    profile = profiles.profile(board_module.PROFILE)
    nvram = board_module.open_nvram(peripherals)
    the_ring = ring.Ring(nvram, profile["slot_count"], profile["slot_size"], None)
    ident = kdf.device_id(device_uuid)
    try:
        best, bad, good = the_ring.read_header()
    except ring.RingError as exc:        # formatted for another geometry
        if not force:
            raise DeviceError("NVRAM: %s; re-provisioning? deploy with --force" % exc)
        best, bad, good = None, [0, 1], []
    if best is not None and _same_chain(best, ident, root) and len(good) == 2 and not bad:
        if all(_same_chain(h, ident, root) and h.epoch == best.epoch for h in good):
            return "integrity root already installed (NVRAM at epoch %d): left alone" % best.epoch
    if best is not None and not force:
        if best.ident != ident:
            raise DeviceError("NVRAM holds another device's log header (not %s): re-provisioning? "
                              "pull it first, then deploy with --force" % device_uuid)
        if best.epoch > 0:
            raise DeviceError("NVRAM is at epoch %d under another integrity root: the device has logged and "
                              "flushed; installing a root now would orphan its history. Re-provisioning? "
                              "pull it first, then deploy with --force" % best.epoch)
        if not _same_chain(best, ident, root):
            raise DeviceError("NVRAM holds epoch 0 under another integrity root (a first boot without an "
                              "installed root?): deploy with --force to replace it")
    generation = 0
    for header in good:
        generation = max(generation, header.generation)
    if force:
        blank = bytes(profile["slot_size"])
        for index in range(profile["slot_count"]):
            nvram.write(the_ring.slot_offset(index), blank)
    # Generations above any copy's: a cut between the two writes leaves the new copy the newest.
    the_ring.install_root(ident, root, generation)
    return "integrity root installed in NVRAM (epoch 0, header copies A and B)"


def installed(board_module, peripherals=None):
    """True when the board's NVRAM header holds a valid copy (a root was installed,
    or the device has booted since)."""
    profile = profiles.profile(board_module.PROFILE)
    the_ring = ring.Ring(board_module.open_nvram(peripherals), profile["slot_count"], profile["slot_size"], None)
    return the_ring.read_header()[0] is not None
