// libFuzzer target: JwtValidator and JsonWebKeySet, as BearerAuthenticator uses them. The first
// byte picks the mode:
//   'C' + alg ('R' RS256, 'E' ES256, else HS256) + claims JSON: the harness signs the claims with
//       the trusted test key, validates, and checks the outcome against the claim rules written
//       out independently below; the same token with one signature byte changed must fail.
//   'K' + JWKS JSON: fromJson never yields a key it cannot use, and each key survives toJwk/fromJson.
//   'P' + header JSON + '\n' + claims JSON + '\n' + signature bytes: assembled into a token (each
//       part base64url-encoded), so the mutator works on alg/kid/crit, claims and the signature
//       directly; then checked as a token from the wire:
//   anything else: the rest is a token from the wire. Whenever it is accepted, its signature is
//       verified again here with OpenSSL directly (no alg confusion, no "none"), and the claims
//       obey the same rules.
// Keys: test-only keys in tests/fuzz/keys (seeds: make-jwt-seeds.sh). Time is fixed at kNow.
#include "FuzzSupport.h"
#include "security/JsonWebKeySet.h"
#include "security/Jwt.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

using namespace koan;

namespace {

constexpr qint64 kNow = 1700000000;
const QByteArray kHmacSecret = "fuzz-hmac-secret-0123456789abcdef"; // = make-jwt-seeds.sh
const QString kIssuer = QStringLiteral("https://issuer.test");
const QString kAudience = QStringLiteral("https://koan.test/mcp");

EVP_PKEY *g_rsa = nullptr;
EVP_PKEY *g_ec = nullptr;
JsonWebKeySet *g_keys = nullptr;
JwtSettings *g_settings = nullptr;

EVP_PKEY *loadKey(const char *name)
{
    const QString path = QStringLiteral(KOAN_FUZZ_KEYS_DIR "/%1").arg(QLatin1String(name));
    QFile f(path);
    FUZZ_CHECK(f.open(QIODevice::ReadOnly));
    const QByteArray pem = f.readAll();
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    FUZZ_CHECK(key);
    return key;
}

// --- the claim rules, written out again (RFC 7519 NumericDate, skew, iss, aud, sub). A change to
// JwtValidator's rules must be made here too: that keeps every change deliberate. ---
constexpr double kMaxNumericDate = 253402300799.0; // 9999-12-31T23:59:59Z

bool numericDate(const QJsonObject &c, const char *name)
{
    const QJsonValue v = c.value(QLatin1String(name));
    return v.isUndefined()
           || (v.isDouble() && std::isfinite(v.toDouble()) && v.toDouble() >= 0 && v.toDouble() <= kMaxNumericDate);
}

bool audienceOk(const QJsonValue &aud)
{
    const auto norm = [](QString s) {
        while (s.endsWith(QLatin1Char('/')))
            s.chop(1);
        return s;
    };
    QJsonArray values = aud.isString() ? QJsonArray{aud} : aud.toArray();
    for (const QJsonValue &v : values)
        if (norm(v.toString()) == norm(kAudience))
            return true;
    return false;
}

// Whole seconds: a NumericDate's fraction is dropped, then compared exactly (in long double, so
// the oracle itself cannot overflow).
long double seconds(const QJsonObject &c, const char *name)
{
    return std::trunc(static_cast<long double>(c.value(QLatin1String(name)).toDouble()));
}

bool claimsAcceptable(const QJsonObject &c, const JwtSettings &s)
{
    if (!c.contains(QLatin1String("exp")) || !numericDate(c, "exp") || !numericDate(c, "nbf") || !numericDate(c, "iat"))
        return false;
    const long double now = kNow, skew = s.clockSkewSeconds;
    if (now >= seconds(c, "exp") + skew)
        return false; // expired
    if (c.contains(QLatin1String("nbf")) && now + skew < seconds(c, "nbf"))
        return false; // not yet valid
    if (c.contains(QLatin1String("iat")) && now + skew < seconds(c, "iat"))
        return false; // issued in the future
    return c.value(QLatin1String("iss")).toString() == kIssuer && audienceOk(c.value(QLatin1String("aud")))
           && !c.value(QLatin1String("sub")).toString().isEmpty();
}

// --- signatures, checked with OpenSSL directly ---
bool verifyWith(EVP_PKEY *key, const QByteArray &input, const QByteArray &sig)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const bool ok
        = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1
          && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(sig.constData()), size_t(sig.size()),
                              reinterpret_cast<const unsigned char *>(input.constData()), size_t(input.size()))
                 == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

QByteArray esRawToDer(const QByteArray &raw)
{
    if (raw.size() != 64)
        return {};
    ECDSA_SIG *sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()), 32, nullptr),
                   BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()) + 32, 32, nullptr));
    unsigned char *der = nullptr;
    const int len = i2d_ECDSA_SIG(sig, &der);
    const QByteArray out = len > 0 ? QByteArray(reinterpret_cast<char *>(der), len) : QByteArray();
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

bool signatureGenuine(const QByteArray &token, const QString &alg)
{
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3)
        return false;
    const QByteArray input = parts.at(0) + '.' + parts.at(1);
    bool ok = false;
    const QByteArray sig = base64UrlDecode(parts.at(2), &ok);
    if (!ok)
        return false;
    if (alg == QLatin1String("HS256")) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        HMAC(EVP_sha256(), kHmacSecret.constData(), int(kHmacSecret.size()),
             reinterpret_cast<const unsigned char *>(input.constData()), size_t(input.size()), mac, &len);
        return sig.size() == qsizetype(len) && CRYPTO_memcmp(mac, sig.constData(), len) == 0;
    }
    if (alg == QLatin1String("RS256"))
        return verifyWith(g_rsa, input, sig);
    if (alg == QLatin1String("ES256")) {
        const QByteArray der = esRawToDer(sig);
        return !der.isEmpty() && verifyWith(g_ec, input, der);
    }
    return false;
}

void checkResult(const QByteArray &token, const JwtResult &r)
{
    if (!r.ok) {
        FUZZ_CHECK(!r.reason.isEmpty() && !r.description.isEmpty());
        return;
    }
    FUZZ_CHECK(r.reason.isEmpty());
    const QString alg = r.header.value(QLatin1String("alg")).toString();
    FUZZ_CHECK(g_settings->allowedAlgorithms.contains(alg));
    FUZZ_CHECK(!r.header.contains(QLatin1String("crit"))); // no extension is understood (RFC 7515 4.1.11)
    FUZZ_CHECK(signatureGenuine(token, alg));
    FUZZ_CHECK(claimsAcceptable(r.claims, *g_settings));
    FUZZ_CHECK(JwtValidator::unverifiedClaims(token) == r.claims);
}

void fuzzSignedClaims(char algByte, const QByteArray &json)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (!doc.isObject())
        return;
    const QJsonObject claims = doc.object();
    const QByteArray token = algByte == 'R'   ? JwtSigner::sign(claims, g_rsa, QStringLiteral("rsa-1"))
                             : algByte == 'E' ? JwtSigner::sign(claims, g_ec, QStringLiteral("ec-1"))
                                              : JwtSigner::signHs256(claims, kHmacSecret);
    FUZZ_CHECK(!token.isEmpty());
    const JwtResult r = JwtValidator::validate(token, *g_settings, *g_keys, kNow);
    checkResult(token, r);
    // A genuine signature: the outcome is decided by the claims alone.
    FUZZ_CHECK(r.ok == claimsAcceptable(claims, *g_settings));
    FUZZ_CHECK(r.claims == claims);

    // One flipped signature bit is always refused as a bad signature.
    const QList<QByteArray> parts = token.split('.');
    QByteArray sig = base64UrlDecode(parts.at(2));
    FUZZ_CHECK(!sig.isEmpty());
    sig[json.size() % sig.size()] = char(sig.at(json.size() % sig.size()) ^ 0x01);
    const QByteArray forged = parts.at(0) + '.' + parts.at(1) + '.' + base64UrlEncode(sig);
    const JwtResult bad = JwtValidator::validate(forged, *g_settings, *g_keys, kNow);
    FUZZ_CHECK(!bad.ok && bad.reason == QLatin1String("bad_signature"));
}

void fuzzJwks(const QByteArray &json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    if (!doc.isObject())
        return;
    QString error;
    QStringList warnings;
    const JsonWebKeySet set = JsonWebKeySet::fromJson(doc.object(), &error, &warnings);
    const QJsonArray entries = doc.object().value(QLatin1String("keys")).toArray();
    FUZZ_CHECK(set.size() + warnings.size() <= entries.size()); // each entry is a key or a warning
    for (const QJsonValue &entry : entries) {
        const QString kid = entry.toObject().value(QLatin1String("kid")).toString();
        const JsonWebKey *key = set.find(kid);
        if (!key)
            continue;
        FUZZ_CHECK(key->key && key->kid == kid);
        FUZZ_CHECK(key->kty == QLatin1String("RSA") || key->kty == QLatin1String("EC"));
        // What we loaded we can publish and load again.
        const QJsonObject jwk = JsonWebKeySet::toJwk(key->key.get(), kid, key->alg);
        QString again;
        FUZZ_CHECK(JsonWebKeySet::fromJson(QJsonObject{{QStringLiteral("keys"), QJsonArray{jwk}}}, &again).size() == 1);
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    g_rsa = loadKey("rsa.pem");
    g_ec = loadKey("ec.pem");
    QString error;
    const QJsonObject jwks{{QStringLiteral("keys"),
                            QJsonArray{JsonWebKeySet::toJwk(g_rsa, QStringLiteral("rsa-1"), QStringLiteral("RS256")),
                                       JsonWebKeySet::toJwk(g_ec, QStringLiteral("ec-1"), QStringLiteral("ES256"))}}};
    g_keys = new JsonWebKeySet(JsonWebKeySet::fromJson(jwks, &error));
    FUZZ_CHECK(g_keys->size() == 2);
    g_settings = new JwtSettings;
    g_settings->allowedAlgorithms = {QStringLiteral("RS256"), QStringLiteral("ES256"), QStringLiteral("HS256")};
    g_settings->issuers = {kIssuer};
    g_settings->audiences = {kAudience};
    g_settings->hmacSecret = kHmacSecret;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray rest = fuzz::bytes(data + 1, size - 1);
    if (data[0] == 'C' && !rest.isEmpty())
        fuzzSignedClaims(rest.at(0), rest.mid(1));
    else if (data[0] == 'K')
        fuzzJwks(rest);
    else {
        QByteArray token = rest;
        if (data[0] == 'P') {
            const QList<QByteArray> parts = rest.split('\n');
            if (parts.size() < 3)
                return 0;
            token = base64UrlEncode(parts.at(0)) + '.' + base64UrlEncode(parts.at(1)) + '.'
                    + base64UrlEncode(rest.mid(parts.at(0).size() + parts.at(1).size() + 2));
        }
        const JwtResult r = JwtValidator::validate(token, *g_settings, *g_keys, kNow);
        checkResult(token, r);
        if (getenv("KOAN_FUZZ_VERBOSE"))
            std::fprintf(stderr, "token: ok=%d reason=%s\n", r.ok, qPrintable(r.reason));
    }
    return 0;
}
