// axtls's aes.c keeps its block functions static; extmod/modcryptolib.c calls
// them by name. Declared here (forced into modcryptolib.c), defined in axtls_aes.c.
#include <stddef.h>
#include <stdint.h>
#include "crypto.h"
void AES_encrypt(const AES_CTX *ctx, uint32_t *data);
void AES_decrypt(const AES_CTX *ctx, uint32_t *data);
