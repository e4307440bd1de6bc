// axtls build configuration for the crypto files the board compiles (AES, SHA-1).
#ifndef QEMU_M3_AXTLS_CONFIG_H
#define QEMU_M3_AXTLS_CONFIG_H
#endif
