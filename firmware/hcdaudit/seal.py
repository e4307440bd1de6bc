# Sealing one record with AES-256-CCM. The nonce is (boot counter, per-boot
# random salt, seq): seq alone would repeat if an old NVRAM image were restored;
# the salt makes that impossible. The AAD binds the seq and the chain link, so a
# record cannot be moved, renumbered or spliced without its tag failing.
import struct

from hcdaudit import ccm

OVERHEAD = ccm.TAG_SIZE


def nonce(boot, salt, seq):
    return struct.pack(">III", boot, salt, seq)


def aad(seq, link):
    return struct.pack(">I", seq) + link


def seal(cipher, boot, salt, seq, link, plaintext):
    return ccm.seal(cipher, nonce(boot, salt, seq), aad(seq, link), plaintext)


def open(cipher, boot, salt, seq, link, sealed):
    return ccm.open(cipher, nonce(boot, salt, seq), aad(seq, link), sealed)
