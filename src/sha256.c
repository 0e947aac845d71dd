/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for the on-disk kernel
 * cache: entry names are SHA-256 of the full key, and every entry carries an
 * HMAC under a per-user secret so that nobody else can forge one. Checked
 * against the FIPS and RFC 4231 test vectors in tests/test_cache.c. */
#include <string.h>

#include "internal.h"

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(uint32_t s[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    s[0] += a, s[1] += b, s[2] += c, s[3] += d, s[4] += e, s[5] += f, s[6] += g, s[7] += h;
}

void clrs__sha256_init(clrs_sha256 *c)
{
    static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->s, H0, sizeof H0);
    c->len = 0;
    c->fill = 0;
}

void clrs__sha256_update(clrs_sha256 *c, const void *data, size_t len)
{
    const unsigned char *p = data;
    c->len += len;
    if (c->fill > 0) {
        size_t take = 64 - c->fill < len ? 64 - c->fill : len;
        memcpy(c->buf + c->fill, p, take);
        c->fill += take, p += take, len -= take;
        if (c->fill < 64) return;
        compress(c->s, c->buf);
        c->fill = 0;
    }
    for (; len >= 64; p += 64, len -= 64) compress(c->s, p);
    memcpy(c->buf, p, len);
    c->fill = len;
}

void clrs__sha256_final(clrs_sha256 *c, unsigned char out[32])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, zero = 0, lenb[8];
    clrs__sha256_update(c, &pad, 1);
    while (c->fill != 56) clrs__sha256_update(c, &zero, 1);
    for (int i = 0; i < 8; i++) lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    clrs__sha256_update(c, lenb, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(c->s[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->s[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->s[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->s[i];
    }
}

void clrs__sha256(const void *data, size_t len, unsigned char out[32])
{
    clrs_sha256 c;
    clrs__sha256_init(&c);
    clrs__sha256_update(&c, data, len);
    clrs__sha256_final(&c, out);
}

void clrs__hmac_sha256_init(clrs_hmac_sha256 *h, const void *key, size_t klen)
{
    unsigned char k[64] = {0}, pad[64];
    if (klen > 64)
        clrs__sha256(key, klen, k);
    else
        memcpy(k, key, klen);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
    clrs__sha256_init(&h->inner);
    clrs__sha256_update(&h->inner, pad, 64);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
    clrs__sha256_init(&h->outer);
    clrs__sha256_update(&h->outer, pad, 64);
}

void clrs__hmac_sha256_update(clrs_hmac_sha256 *h, const void *data, size_t len)
{
    clrs__sha256_update(&h->inner, data, len);
}

void clrs__hmac_sha256_final(clrs_hmac_sha256 *h, unsigned char out[32])
{
    unsigned char ih[32];
    clrs__sha256_final(&h->inner, ih);
    clrs__sha256_update(&h->outer, ih, 32);
    clrs__sha256_final(&h->outer, out);
}

void clrs__hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

int clrs__ct_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}
