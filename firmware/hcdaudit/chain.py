# The hash chain: each record's link is a keyed hash of the link before it and
# of the record itself. Keyed (HMAC) so a public link reveals nothing about a
# low-entropy record; truncated to 128 bits, which is all a MAC needs here.
import struct

LINK_SIZE = 16
GENESIS = bytes(LINK_SIZE)  # the link "before" seq 1


def next_link(mac_key, link, seq, plaintext):
    return mac_key.digest(b"C", link, struct.pack(">I", seq), plaintext)[:LINK_SIZE]
