/*
 * ossl_bench measures OpenSSL 3 + gost-engine on the operations that
 * rekey's Go benchmarks measure, so that scripts/benchcmp can print the
 * ratio of the two in one run. Output: one line per operation,
 * "<name> <ns/op>" where name matches the Go side's keys.
 *
 * Built and run by scripts/benchcmp (go run ./scripts/benchcmp); needs
 * OPENSSL_CONF pointing at a configuration that loads the gost engine.
 */
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double seconds = 1.0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "ossl_bench: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static EVP_PKEY *keygen(const char *alg, const char *paramset)
{
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(OBJ_txt2nid(alg), NULL);
    if (c == NULL || EVP_PKEY_keygen_init(c) <= 0 ||
        EVP_PKEY_CTX_ctrl_str(c, "paramset", paramset) <= 0 ||
        EVP_PKEY_keygen(c, &k) <= 0)
        die("keygen");
    EVP_PKEY_CTX_free(c);
    return k;
}

/* Each bench_* runs its operation for about `seconds` and returns ns/op. */

static double bench_keygen(const char *alg, const char *ps)
{
    long n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 16; i++, n++)
            EVP_PKEY_free(keygen(alg, ps));
    } while ((t = now() - t0) < seconds);
    return t / n * 1e9;
}

static double bench_sign(EVP_PKEY *k, size_t dlen, unsigned char *sig, size_t *siglen)
{
    unsigned char dgst[64];
    memset(dgst, 0x5a, sizeof dgst);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    if (c == NULL || EVP_PKEY_sign_init(c) <= 0)
        die("sign_init");
    long n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 64; i++, n++) {
            size_t l = 128;
            if (EVP_PKEY_sign(c, sig, &l, dgst, dlen) <= 0)
                die("sign");
            *siglen = l;
        }
    } while ((t = now() - t0) < seconds);
    EVP_PKEY_CTX_free(c);
    return t / n * 1e9;
}

static double bench_verify(EVP_PKEY *k, size_t dlen, const unsigned char *sig, size_t siglen)
{
    unsigned char dgst[64];
    memset(dgst, 0x5a, sizeof dgst);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    if (c == NULL || EVP_PKEY_verify_init(c) <= 0)
        die("verify_init");
    long n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 16; i++, n++)
            if (EVP_PKEY_verify(c, sig, siglen, dgst, dlen) != 1)
                die("verify");
    } while ((t = now() - t0) < seconds);
    EVP_PKEY_CTX_free(c);
    return t / n * 1e9;
}

static double bench_derive(EVP_PKEY *a, EVP_PKEY *b)
{
    unsigned char out[64];
    long n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 16; i++, n++) {
            EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a, NULL);
            size_t l = sizeof out;
            if (c == NULL || EVP_PKEY_derive_init(c) <= 0 ||
                EVP_PKEY_CTX_ctrl_str(c, "ukmhex", "0102030405060708") <= 0 ||
                EVP_PKEY_derive_set_peer(c, b) <= 0 ||
                EVP_PKEY_derive(c, out, &l) <= 0)
                die("derive");
            EVP_PKEY_CTX_free(c);
        }
    } while ((t = now() - t0) < seconds);
    return t / n * 1e9;
}

static double bench_digest(const char *name, size_t len)
{
    static unsigned char buf[8192], md[64];
    const EVP_MD *m = EVP_get_digestbyname(name);
    if (m == NULL)
        die(name);
    long n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 64; i++, n++)
            if (EVP_Digest(buf, len, md, NULL, m, NULL) <= 0)
                die("digest");
    } while ((t = now() - t0) < seconds);
    return t / n * 1e9;
}

static double bench_cipher(const char *name, size_t len)
{
    static unsigned char in[8192], out[8192 + 64];
    unsigned char key[32] = {1}, iv[16] = {2};
    const EVP_CIPHER *ci = EVP_get_cipherbyname(name);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (ci == NULL || c == NULL || EVP_EncryptInit_ex(c, ci, NULL, key, iv) <= 0)
        die(name);
    long n = 0;
    int l;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 64; i++, n++)
            if (EVP_EncryptUpdate(c, out, &l, in, (int)len) <= 0)
                die("encrypt");
    } while ((t = now() - t0) < seconds);
    EVP_CIPHER_CTX_free(c);
    return t / n * 1e9;
}

struct curve {
    const char *name, *alg, *paramset;
    size_t dlen;
};

static const struct curve curves[] = {
    {"TC26-256-A", "gost2012_256", "TCA", 32},
    {"CryptoPro-A", "gost2012_256", "TCB", 32},
    {"CryptoPro-B", "gost2012_256", "TCC", 32},
    {"CryptoPro-C", "gost2012_256", "TCD", 32},
    {"TC26-512-A", "gost2012_512", "A", 64},
    {"TC26-512-B", "gost2012_512", "B", 64},
    {"TC26-512-C", "gost2012_512", "C", 64},
};

int main(int argc, char **argv)
{
    if (argc > 1)
        seconds = atof(argv[1]);
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
        const struct curve *cv = &curves[i];
        unsigned char sig[128];
        size_t siglen = 0;
        EVP_PKEY *a = keygen(cv->alg, cv->paramset), *b = keygen(cv->alg, cv->paramset);
        printf("keygen/%s %.0f\n", cv->name, bench_keygen(cv->alg, cv->paramset));
        printf("sign/%s %.0f\n", cv->name, bench_sign(a, cv->dlen, sig, &siglen));
        printf("verify/%s %.0f\n", cv->name, bench_verify(a, cv->dlen, sig, siglen));
        printf("vko/%s %.0f\n", cv->name, bench_derive(a, b));
        fflush(stdout);
        EVP_PKEY_free(a);
        EVP_PKEY_free(b);
    }
    printf("streebog256/8KiB %.0f\n", bench_digest("md_gost12_256", 8192));
    printf("streebog512/8KiB %.0f\n", bench_digest("md_gost12_512", 8192));
    printf("streebog512/64B %.0f\n", bench_digest("md_gost12_512", 64));
    printf("kuznyechik-ctr/8KiB %.0f\n", bench_cipher("kuznyechik-ctr", 8192));
    printf("magma-ctr/8KiB %.0f\n", bench_cipher("magma-ctr", 8192));
    return 0;
}
