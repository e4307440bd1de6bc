// axtls's crypto/aes.c (vendored untouched), with its static block functions
// made reachable under the names extmod/modcryptolib.c uses.
#define AES_encrypt axtls_aes_encrypt_block
#define AES_decrypt axtls_aes_decrypt_block
#include "aes.c"
#undef AES_encrypt
#undef AES_decrypt

void AES_encrypt(const AES_CTX *ctx, uint32_t *data) {
    axtls_aes_encrypt_block(ctx, data);
}

void AES_decrypt(const AES_CTX *ctx, uint32_t *data) {
    axtls_aes_decrypt_block(ctx, data);
}
