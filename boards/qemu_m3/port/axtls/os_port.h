// What axtls's crypto/aes.c and crypto/sha1.c need from the missing ssl/os_port.h
// (only its crypto/ directory is vendored): fixed-width types and byte order.
#ifndef QEMU_M3_AXTLS_OS_PORT_H
#define QEMU_M3_AXTLS_OS_PORT_H
#include <stdint.h>
#include <string.h>
#include "os_int.h"
#define STDCALL
#define EXP_FUNC
static inline uint32_t qemu_m3_swap32(uint32_t x) {
    return __builtin_bswap32(x);
}
#define ntohl(x) qemu_m3_swap32(x)
#define htonl(x) qemu_m3_swap32(x)
#endif
