# Machine code for MicroPython's hot byte and limb loops (viper): CCM's
# keystream XOR and CBC restart copy (hal/micropython.py), and the Montgomery
# multiplication of the DSA signer (dsa.py). Viper loops allocate nothing and
# run ~30x faster than bytecode; they check their bounds themselves (a viper
# pointer has none).
#
# Compiled ahead of time where the firmware is built for one machine: frozen
# into a board's image (the port's mpy-cross -march), or into a test's ROMFS
# image (tests/romfs_image.py: x64 for the unix port, armv7m for the emulated
# Cortex-M3). Compiling at run time (exec, as before) left the compiler's
# garbage and a new qstr pool in the middle of the heap, where a board's
# smallest heap has no room for them. Installed as source (mip, deploy), the
# port compiles it at import. A port without the native emitter, or an image
# built for another machine, fails the import: the callers keep their
# bytecode loops (the same results). Never imported on CPython.
import micropython


@micropython.viper
def xor_into(dst, a, b, n: int):
    if n > int(len(dst)) or n > int(len(a)) or n > int(len(b)) or n < 0:
        raise ValueError("xor_into: buffer too short")
    d = ptr8(dst)
    x = ptr8(a)
    y = ptr8(b)
    i = 0
    while i < n:
        d[i] = x[i] ^ y[i]
        i += 1


@micropython.viper
def copy_at(dst, src, at: int, n: int):
    if at < 0 or n < 0 or n > int(len(dst)) or at + n > int(len(src)):
        raise ValueError("copy_at: buffer too short")
    d = ptr8(dst)
    s = ptr8(src)
    i = 0
    while i < n:
        d[i] = s[at + i]
        i += 1


# out = a * b / R mod n (CIOS); t: size + 2 limbs of scratch; out may be a or b.
# Limbs are 32-bit where the machine word is 64-bit (montmul32), else 16-bit
# (montmul16), so a limb product plus two carries always fits a word:
# (2^L - 1)^2 + 2 (2^L - 1) = 2^2L - 1. The two differ only in L (a word's
# x >> 32 needs no mask). Both are compiled; dsa.py picks the one of the word.
@micropython.viper
def montmul32(out: ptr32, a: ptr32, b: ptr32, n: ptr32, t: ptr32, size: int, ninv: uint):
    i = 0
    while i < size + 2:
        t[i] = 0
        i += 1
    i = 0
    while i < size:
        bi = uint(b[i])
        c = uint(0)
        j = 0
        while j < size:
            x = uint(t[j]) + uint(a[j]) * bi + c
            t[j] = x
            c = x >> 32
            j += 1
        x = uint(t[size]) + c
        t[size] = x
        t[size + 1] = x >> 32
        m = uint(t[0]) * ninv
        m = (m << 32) >> 32            # its low limb (no 32-bit mask literal: not a small int everywhere)
        x = uint(t[0]) + m * uint(n[0])
        c = x >> 32
        j = 1
        while j < size:
            x = uint(t[j]) + m * uint(n[j]) + c
            t[j - 1] = x
            c = x >> 32
            j += 1
        x = uint(t[size]) + c
        t[size - 1] = x
        t[size] = uint(t[size + 1]) + (x >> 32)
        i += 1
    greater = 1
    if t[size] == 0:
        j = size - 1
        while j >= 0:
            if uint(t[j]) != uint(n[j]):
                greater = 1 if uint(t[j]) > uint(n[j]) else 0
                break
            j -= 1
    if greater:
        borrow = uint(0)
        j = 0
        while j < size:
            x = uint(t[j]) - uint(n[j]) - borrow
            out[j] = x
            borrow = (x >> 32) & 1
            j += 1
    else:
        j = 0
        while j < size:
            out[j] = t[j]
            j += 1


@micropython.viper
def montmul16(out: ptr16, a: ptr16, b: ptr16, n: ptr16, t: ptr16, size: int, ninv: uint):
    i = 0
    while i < size + 2:
        t[i] = 0
        i += 1
    i = 0
    while i < size:
        bi = uint(b[i])
        c = uint(0)
        j = 0
        while j < size:
            x = uint(t[j]) + uint(a[j]) * bi + c
            t[j] = x
            c = (x >> 16) & 0xFFFF
            j += 1
        x = uint(t[size]) + c
        t[size] = x
        t[size + 1] = (x >> 16) & 0xFFFF
        m = (uint(t[0]) * ninv) & 0xFFFF
        x = uint(t[0]) + m * uint(n[0])
        c = (x >> 16) & 0xFFFF
        j = 1
        while j < size:
            x = uint(t[j]) + m * uint(n[j]) + c
            t[j - 1] = x
            c = (x >> 16) & 0xFFFF
            j += 1
        x = uint(t[size]) + c
        t[size - 1] = x
        t[size] = uint(t[size + 1]) + ((x >> 16) & 0xFFFF)
        i += 1
    greater = 1
    if t[size] == 0:
        j = size - 1
        while j >= 0:
            if uint(t[j]) != uint(n[j]):
                greater = 1 if uint(t[j]) > uint(n[j]) else 0
                break
            j -= 1
    if greater:
        borrow = uint(0)
        j = 0
        while j < size:
            x = uint(t[j]) - uint(n[j]) - borrow
            out[j] = x
            borrow = (x >> 16) & 1
            j += 1
    else:
        j = 0
        while j < size:
            out[j] = t[j]
            j += 1
