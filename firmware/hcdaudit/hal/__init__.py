# The hardware abstraction layer: the only code that touches the runtime.
# A board picks one module here and hands its pieces to the core:
#   Aes(key)      .ecb(src, dst), .cbc(src, dst): AES-256 over whole blocks into dst
#                 (cbc from the zero IV every call; a writable src may be used in
#                 place during the call and is restored before it returns);
#                 optionally .ccm_seal(nonce, aad, pt) -> bytes and .ccm_open(nonce, aad, sealed)
#                 -> bytes or None: a native AES-CCM that ccm.Ccm then uses (same bytes);
#                 optionally .xor_into(dst, a, b, n): dst[i] = a[i] ^ b[i] for i < n, bounds
#                 checked (ccm.py's keystream XOR; MicroPython: viper where the port has it)
#   random(n)     n bytes from the platform RNG
#   now_us()      UTC microseconds since 1970-01-01 (epoch normalised)
