/* The host verifier's per-record loops in C (issue 20), for CPython only: the
 * same checks as firmware/hcdaudit/hal/cpython.py's scan_entries and
 * _RecordChecker.many, which stay the reference and the fallback
 * (hcdaudit_host/fastverify.py installs these when this module is built).
 *
 *   scan_entries(data, offset, end, epoch, key, max_sealed, name, entries, make, mac_sink)
 *       -> (offset reached, last seq taken or None)
 *   open_many(key, entries, skip_event_item, max_sealed) -> [indices not proven]
 *
 * Everything read from `data` or an entry is bounds-checked here: the Python
 * callers frame entries, but this code does not rely on it. Anything it cannot
 * prove is left to the reader's exact path, never judged here.
 * Crypto: OpenSSL's libcrypto (SHA-256 states copied per entry, as the Python
 * scanner copies hashlib states; AES-256-CCM through one EVP context per call). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>

#define ENTRY_HEADER 14     /* seq u32 | epoch u32 | salt u32 | sealed length u16 (seal.py) */
#define AAD_SIZE 12
#define MAC_SIZE 16
#define TAG_SIZE 16
#define NONCE_SIZE 12

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* HMAC-SHA256 states under key with b"R" fed to the inner one (seal.mac_of). */
static void mac_states(const unsigned char *key, Py_ssize_t key_len, SHA256_CTX *inner, SHA256_CTX *outer)
{
    unsigned char pad[64];
    memset(pad, 0, sizeof pad);
    memcpy(pad, key, (size_t)key_len);
    for (int i = 0; i < 64; i++) pad[i] ^= 0x36;
    SHA256_Init(inner);
    SHA256_Update(inner, pad, 64);
    SHA256_Update(inner, "R", 1);
    for (int i = 0; i < 64; i++) pad[i] ^= 0x36 ^ 0x5C;
    SHA256_Init(outer);
    SHA256_Update(outer, pad, 64);
    OPENSSL_cleanse(pad, sizeof pad);
}

static PyObject *scan_entries(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *data, *epoch_obj, *key, *name, *entries, *make, *mac_sink;
    Py_ssize_t offset, end, max_sealed;
    if (!PyArg_ParseTuple(args, "OnnOOnOOOO", &data, &offset, &end, &epoch_obj, &key, &max_sealed, &name,
                          &entries, &make, &mac_sink))
        return NULL;
    PyObject *last = Py_None;
    Py_INCREF(last);
    /* What the Python scanner also declines (the exact loop reads it instead). */
    unsigned long long epoch = PyLong_Check(epoch_obj) ? PyLong_AsUnsignedLongLong(epoch_obj) : (unsigned long long)-1;
    if (epoch == (unsigned long long)-1 && PyErr_Occurred())
        PyErr_Clear();
    if (!PyBytes_CheckExact(data) || !PyBytes_Check(key) || PyBytes_GET_SIZE(key) > 64 || !PyList_Check(entries) ||
            epoch > 0xFFFFFFFFULL || offset < 0 || end > PyBytes_GET_SIZE(data))
        return Py_BuildValue("(nN)", offset, last);
    const unsigned char *buf = (const unsigned char *)PyBytes_AS_STRING(data);
    SHA256_CTX inner, outer, h;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    mac_states((const unsigned char *)PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key), &inner, &outer);
    PyObject *epoch_int = NULL, *zero = PyLong_FromLong(0);
    if (zero == NULL) goto fail;
    Py_INCREF(epoch_obj);
    epoch_int = epoch_obj;
    while (end - offset >= ENTRY_HEADER) {
        const unsigned char *p = buf + offset;
        uint32_t seq = be32(p);
        Py_ssize_t n = (Py_ssize_t)p[12] << 8 | p[13];
        if (be32(p + 4) != epoch || n < TAG_SIZE || n > max_sealed)
            break;
        Py_ssize_t sealed_end = offset + ENTRY_HEADER + n, stop = sealed_end + MAC_SIZE;
        if (stop > end)
            break;
        h = inner;
        SHA256_Update(&h, p, (size_t)(ENTRY_HEADER + n));
        SHA256_Final(digest, &h);
        h = outer;
        SHA256_Update(&h, digest, sizeof digest);
        SHA256_Final(digest, &h);
        if (CRYPTO_memcmp(digest, buf + sealed_end, MAC_SIZE) != 0)
            break;
        PyObject *entry = PyBytes_FromStringAndSize((const char *)p, stop - offset);
        PyObject *seq_obj = entry ? PyLong_FromUnsignedLong(seq) : NULL;
        PyObject *item = NULL;
        if (seq_obj != NULL) {
            PyObject *argv[5] = {seq_obj, epoch_int, entry, name, zero};
            item = PyObject_Vectorcall(make, argv, 5, NULL);
        }
        int failed = item == NULL || PyList_Append(entries, item) < 0;
        Py_XDECREF(item);
        Py_XDECREF(entry);
        if (!failed) {
            PyObject *mac = PyBytes_FromStringAndSize((const char *)buf + sealed_end, MAC_SIZE);
            PyObject *fed = mac ? PyObject_CallOneArg(mac_sink, mac) : NULL;
            failed = fed == NULL;
            Py_XDECREF(fed);
            Py_XDECREF(mac);
        }
        if (failed) {
            Py_XDECREF(seq_obj);
            goto fail;
        }
        Py_DECREF(last);
        last = seq_obj;
        offset = stop;
    }
    OPENSSL_cleanse(&inner, sizeof inner);
    OPENSSL_cleanse(&outer, sizeof outer);
    OPENSSL_cleanse(&h, sizeof h);
    Py_DECREF(zero);
    Py_DECREF(epoch_int);
    return Py_BuildValue("(nN)", offset, last);
fail:
    OPENSSL_cleanse(&inner, sizeof inner);
    OPENSSL_cleanse(&outer, sizeof outer);
    Py_XDECREF(zero);
    Py_XDECREF(epoch_int);
    Py_DECREF(last);
    return NULL;
}

/* One CBOR integer item as cbor.py decodes it (major type 0 or 1, the shortest
 * head) at *pos: advances past it and returns 1, or returns 0. */
static int int_item(const unsigned char *p, size_t len, size_t *pos)
{
    if (*pos >= len) return 0;
    unsigned char first = p[*pos];
    unsigned major = first >> 5, info = first & 0x1F;
    if (major > 1 || info > 27) return 0;
    if (info < 24) {
        *pos += 1;
        return 1;
    }
    size_t width = (size_t)1 << (info - 24);
    if (*pos + 1 + width > len) return 0;
    const unsigned char *arg = p + *pos + 1;
    int shortest = width == 1 ? arg[0] >= 24 :
                   width == 2 ? arg[0] != 0 :
                   width == 4 ? (arg[0] | arg[1]) != 0 :
                   (arg[0] | arg[1] | arg[2] | arg[3]) != 0;
    if (!shortest) return 0;
    *pos += 1 + width;
    return 1;
}

/* hal/cpython.py's _seq_bound_prefix(skip) match on aad + plaintext: a map head of
 * 5 to 8 entries, key 0 and the shortest item of the entry's seq, key 1 and an
 * integer item, key 2 and an integer item that does not start with skip's bytes. */
static int prefix_proven(const unsigned char *aad, const unsigned char *pt, size_t len,
                         const unsigned char *skip, size_t skip_len)
{
    unsigned char seq_item[5];
    size_t seq_len;
    uint32_t seq = be32(aad);
    if (seq < 24) {
        seq_item[0] = (unsigned char)seq;
        seq_len = 1;
    } else if (seq < 0x100) {
        seq_item[0] = 0x18;
        seq_item[1] = (unsigned char)seq;
        seq_len = 2;
    } else if (seq < 0x10000) {
        seq_item[0] = 0x19;
        memcpy(seq_item + 1, aad + 2, 2);
        seq_len = 3;
    } else {
        seq_item[0] = 0x1A;
        memcpy(seq_item + 1, aad, 4);
        seq_len = 5;
    }
    if (len < 2 + seq_len || pt[0] < 0xA5 || pt[0] > 0xA8 || pt[1] != 0 || memcmp(pt + 2, seq_item, seq_len) != 0)
        return 0;
    size_t pos = 2 + seq_len;
    if (pos >= len || pt[pos++] != 1 || !int_item(pt, len, &pos))
        return 0;
    if (pos >= len || pt[pos++] != 2)
        return 0;
    size_t event_at = pos;
    if (!int_item(pt, len, &pos))
        return 0;
    return !(event_at + skip_len <= len && memcmp(pt + event_at, skip, skip_len) == 0);
}

static PyObject *open_many(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer key, skip;
    PyObject *entries_obj;
    Py_ssize_t max_sealed;
    if (!PyArg_ParseTuple(args, "y*Oy*n", &key, &entries_obj, &skip, &max_sealed))
        return NULL;
    PyObject *result = NULL, *entries = NULL;
    unsigned char *plain = NULL;
    EVP_CIPHER_CTX *ctx = NULL;
    if (key.len != 32 || max_sealed < TAG_SIZE || max_sealed > 0xFFFF) {
        PyErr_SetString(PyExc_ValueError, "open_many: a 32-byte key and 16 <= max_sealed <= 65535");
        goto done;
    }
    entries = PySequence_Fast(entries_obj, "open_many: entries must be a sequence");
    if (entries == NULL) goto done;
    result = PyList_New(0);
    plain = PyMem_Malloc((size_t)max_sealed);
    ctx = EVP_CIPHER_CTX_new();
    if (result == NULL || plain == NULL || ctx == NULL ||
            EVP_DecryptInit_ex(ctx, EVP_aes_256_ccm(), NULL, NULL, NULL) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, NONCE_SIZE, NULL) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_SIZE, NULL) != 1 ||
            EVP_DecryptInit_ex(ctx, NULL, NULL, key.buf, NULL) != 1) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "open_many: OpenSSL's AES-256-CCM could not be set up");
        Py_CLEAR(result);
        goto done;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(entries);
    PyObject **items = PySequence_Fast_ITEMS(entries);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *e = items[i];
        int proven = 0;
        if (PyBytes_CheckExact(e)) {
            const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(e);
            Py_ssize_t size = PyBytes_GET_SIZE(e);
            Py_ssize_t n = size >= ENTRY_HEADER ? ((Py_ssize_t)p[12] << 8 | p[13]) : -1;
            /* Framed as the reader holds entries; a record shorter than a prefix is not proven here. */
            if (n >= TAG_SIZE + 7 && n <= max_sealed && size == ENTRY_HEADER + n + MAC_SIZE) {
                int ct_len = (int)(n - TAG_SIZE), out_len;
                unsigned char nonce[NONCE_SIZE];     /* (epoch, salt, seq): seal.py */
                memcpy(nonce, p + 4, 8);
                memcpy(nonce + 8, p, 4);
                proven = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_SIZE,
                                             (void *)(p + ENTRY_HEADER + ct_len)) == 1 &&
                         EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) == 1 &&
                         EVP_DecryptUpdate(ctx, NULL, &out_len, NULL, ct_len) == 1 &&
                         EVP_DecryptUpdate(ctx, NULL, &out_len, p, AAD_SIZE) == 1 &&
                         EVP_DecryptUpdate(ctx, plain, &out_len, p + ENTRY_HEADER, ct_len) > 0 &&
                         out_len == ct_len &&
                         prefix_proven(p, plain, (size_t)ct_len, skip.buf, (size_t)skip.len);
                /* (a record that did not open leaves the context mid-message: the key set again) */
                if (!proven && EVP_DecryptInit_ex(ctx, NULL, NULL, key.buf, NULL) != 1) {
                    PyErr_SetString(PyExc_RuntimeError, "open_many: OpenSSL's AES-256-CCM could not be reset");
                    Py_CLEAR(result);
                    goto done;
                }
            }
        }
        if (!proven) {
            PyObject *index = PyLong_FromSsize_t(i);
            if (index == NULL || PyList_Append(result, index) < 0) {
                Py_XDECREF(index);
                Py_CLEAR(result);
                goto done;
            }
            Py_DECREF(index);
        }
    }
done:
    if (plain != NULL) {
        OPENSSL_cleanse(plain, (size_t)max_sealed);
        PyMem_Free(plain);
    }
    EVP_CIPHER_CTX_free(ctx);
    Py_XDECREF(entries);
    PyBuffer_Release(&key);
    PyBuffer_Release(&skip);
    return result;
}

static PyMethodDef methods[] = {
    {"scan_entries", scan_entries, METH_VARARGS,
     "hal/cpython.py scan_entries's checks and results, in C."},
    {"open_many", open_many, METH_VARARGS,
     "open_many(key, entries, skip_event_item, max_sealed): the indices of the entries whose record "
     "hal/cpython.py _RecordChecker.many would name (not opened, or prefix not proven)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastverify_module = {
    .m_base = PyModuleDef_HEAD_INIT, .m_name = "_fastverify", .m_size = -1, .m_methods = methods,
};

PyMODINIT_FUNC PyInit__fastverify(void)
{
    return PyModule_Create(&fastverify_module);
}
