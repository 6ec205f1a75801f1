#include "Jwt.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <cmath>

namespace koan {

namespace {
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

QJsonObject decodeJsonPart(const QByteArray &part, bool *ok)
{
    const QByteArray raw = base64UrlDecode(part, ok);
    if (!*ok)
        return {};
    const QJsonDocument doc = QJsonDocument::fromJson(raw);
    *ok = doc.isObject();
    return doc.object();
}

bool verifyDigest(EVP_PKEY *key, const QByteArray &data, const QByteArray &sig)
{
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1
           && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(sig.constData()), size_t(sig.size()),
                               reinterpret_cast<const unsigned char *>(data.constData()), size_t(data.size()))
                  == 1;
}

// JWS ES256 signatures are r||s (32 bytes each); OpenSSL wants DER.
QByteArray rawToDer(const QByteArray &raw)
{
    if (raw.size() != 64)
        return {};
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()), 32, nullptr);
    BIGNUM *s = BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()) + 32, 32, nullptr);
    ECDSA_SIG_set0(sig, r, s);
    unsigned char *der = nullptr;
    const int len = i2d_ECDSA_SIG(sig, &der);
    QByteArray out = len > 0 ? QByteArray(reinterpret_cast<char *>(der), len) : QByteArray();
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

QByteArray derToRaw(const QByteArray &der)
{
    const unsigned char *p = reinterpret_cast<const unsigned char *>(der.constData());
    ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, long(der.size()));
    if (!sig)
        return {};
    QByteArray raw(64, 0);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char *>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char *>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return raw;
}

QByteArray hmacSha256(const QByteArray &secret, const QByteArray &data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.constData(), int(secret.size()),
         reinterpret_cast<const unsigned char *>(data.constData()), size_t(data.size()), out, &len);
    return QByteArray(reinterpret_cast<char *>(out), int(len));
}

// 0 .. 9999-12-31T23:59:59Z: every instant a token can sensibly name, and far inside qint64.
bool isNumericDate(const QJsonValue &v)
{
    constexpr double kMax = 253402300799.0;
    return v.isDouble() && std::isfinite(v.toDouble()) && v.toDouble() >= 0 && v.toDouble() <= kMax;
}

JwtResult fail(JwtResult r, const QString &reason, const QString &description)
{
    r.ok = false;
    r.reason = reason;
    r.description = description;
    return r;
}

bool audienceMatches(const QJsonValue &aud, const QStringList &accepted)
{
    QStringList values;
    if (aud.isString())
        values << aud.toString();
    for (const auto &v : aud.toArray())
        values << v.toString();
    for (const QString &v : values) {
        QString norm = v;
        while (norm.endsWith(QLatin1Char('/')))
            norm.chop(1);
        for (QString a : accepted) {
            while (a.endsWith(QLatin1Char('/')))
                a.chop(1);
            if (norm == a)
                return true;
        }
    }
    return false;
}
} // namespace

QJsonObject JwtValidator::unverifiedClaims(const QByteArray &token)
{
    const QList<QByteArray> parts = token.split('.');
    bool ok = false;
    return parts.size() == 3 ? decodeJsonPart(parts.at(1), &ok) : QJsonObject();
}

JwtResult JwtValidator::validate(const QByteArray &token, const JwtSettings &settings, const JsonWebKeySet &keys,
                                 qint64 now)
{
    JwtResult r;
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3)
        return fail(r, QStringLiteral("malformed"), QStringLiteral("The token is not a JWS compact serialization"));
    bool okHeader = false, okClaims = false, okSig = false;
    r.header = decodeJsonPart(parts.at(0), &okHeader);
    r.claims = decodeJsonPart(parts.at(1), &okClaims);
    const QByteArray signature = base64UrlDecode(parts.at(2), &okSig);
    if (!okHeader || !okClaims || !okSig)
        return fail(r, QStringLiteral("malformed"),
                    QStringLiteral("The token header, claims or signature is not valid base64url JSON"));

    // RFC 7515 4.1.11: "crit" names extensions the recipient must understand; none is here.
    if (r.header.contains(QLatin1String("crit")))
        return fail(r, QStringLiteral("unsupported_crit"),
                    QStringLiteral("The token requires extensions this server does not understand (crit)"));
    const QString alg = r.header.value(QLatin1String("alg")).toString();
    r.kid = r.header.value(QLatin1String("kid")).toString();
    // Pinned algorithms: "none" and anything not configured is refused before touching keys.
    if (alg.isEmpty() || alg.compare(QLatin1String("none"), Qt::CaseInsensitive) == 0
        || !settings.allowedAlgorithms.contains(alg))
        return fail(r, QStringLiteral("alg_not_allowed"), QStringLiteral("Algorithm '%1' is not allowed").arg(alg));

    const QByteArray signingInput = parts.at(0) + '.' + parts.at(1);
    bool verified = false;
    if (alg == QLatin1String("HS256")) {
        if (settings.hmacSecret.isEmpty())
            return fail(r, QStringLiteral("alg_not_allowed"), QStringLiteral("HS256 needs a configured shared secret"));
        const QByteArray expected = hmacSha256(settings.hmacSecret, signingInput);
        verified = expected.size() == signature.size()
                   && CRYPTO_memcmp(expected.constData(), signature.constData(), size_t(expected.size())) == 0;
    } else {
        const JsonWebKey *jwk = r.kid.isEmpty() ? keys.single() : keys.find(r.kid);
        if (!jwk)
            return fail(r, QStringLiteral("unknown_kid"), QStringLiteral("No trusted key with kid '%1'").arg(r.kid));
        // The key type decides which algorithm may use it: no RSA key for ES256, no key as an HMAC secret.
        const bool rsa = jwk->kty == QLatin1String("RSA");
        if ((alg == QLatin1String("RS256") && !rsa) || (alg == QLatin1String("ES256") && rsa)
            || (!jwk->alg.isEmpty() && jwk->alg != alg))
            return fail(r, QStringLiteral("alg_key_mismatch"),
                        QStringLiteral("Key '%1' cannot be used with %2").arg(r.kid, alg));
        if (alg == QLatin1String("RS256"))
            verified = verifyDigest(jwk->key.get(), signingInput, signature);
        else if (alg == QLatin1String("ES256")) {
            const QByteArray der = rawToDer(signature);
            verified = !der.isEmpty() && verifyDigest(jwk->key.get(), signingInput, der);
        }
    }
    if (!verified)
        return fail(r, QStringLiteral("bad_signature"), QStringLiteral("The token signature is invalid"));

    const QJsonValue exp = r.claims.value(QLatin1String("exp"));
    if (exp.isUndefined())
        return fail(r, QStringLiteral("missing_exp"), QStringLiteral("The token has no 'exp' claim"));
    // RFC 7519 NumericDate: a time claim of another type must not be skipped (that would turn a
    // string "nbf" into "valid now"), and it is range-checked before any conversion to an
    // integer (1e300 or 9.3e18 would overflow it: undefined behaviour that skipped the check).
    for (const char *claim : {"exp", "nbf", "iat"}) {
        const QJsonValue v = r.claims.value(QLatin1String(claim));
        if (!v.isUndefined() && !isNumericDate(v))
            return fail(
                r, QStringLiteral("invalid_claim"),
                QStringLiteral("The '%1' claim is not a NumericDate between 1970 and 9999").arg(QLatin1String(claim)));
    }
    // RFC 7519: the token must be used before "exp" (plus the allowed skew), not at it.
    if (now >= qint64(exp.toDouble()) + settings.clockSkewSeconds)
        return fail(r, QStringLiteral("expired"), QStringLiteral("The token expired"));
    const QJsonValue nbf = r.claims.value(QLatin1String("nbf"));
    if (nbf.isDouble() && now + settings.clockSkewSeconds < qint64(nbf.toDouble()))
        return fail(r, QStringLiteral("not_yet_valid"), QStringLiteral("The token is not valid yet (nbf)"));
    const QJsonValue iat = r.claims.value(QLatin1String("iat"));
    if (iat.isDouble() && now + settings.clockSkewSeconds < qint64(iat.toDouble()))
        return fail(r, QStringLiteral("iat_in_future"), QStringLiteral("The token was issued in the future (iat)"));
    if (!settings.issuers.isEmpty() && !settings.issuers.contains(r.claims.value(QLatin1String("iss")).toString()))
        return fail(r, QStringLiteral("wrong_issuer"),
                    QStringLiteral("Issuer '%1' is not trusted").arg(r.claims.value(QLatin1String("iss")).toString()));
    if (!settings.audiences.isEmpty() && !audienceMatches(r.claims.value(QLatin1String("aud")), settings.audiences))
        return fail(r, QStringLiteral("wrong_audience"),
                    QStringLiteral("The token was not issued for this resource (aud)"));
    if (r.claims.value(QLatin1String("sub")).toString().isEmpty())
        return fail(r, QStringLiteral("missing_sub"), QStringLiteral("The token has no 'sub' claim"));
    r.ok = true;
    return r;
}

QByteArray JwtSigner::sign(const QJsonObject &claims, EVP_PKEY *key, const QString &kid)
{
    const bool rsa = EVP_PKEY_is_a(key, "RSA");
    QJsonObject header{{QStringLiteral("alg"), rsa ? QStringLiteral("RS256") : QStringLiteral("ES256")},
                       {QStringLiteral("typ"), QStringLiteral("JWT")}};
    if (!kid.isEmpty())
        header.insert(QStringLiteral("kid"), kid);
    const QByteArray input = base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
                             + base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1
        || EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char *>(input.constData()),
                          size_t(input.size()))
               != 1)
        return {};
    QByteArray sig(int(len), 0);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &len,
                       reinterpret_cast<const unsigned char *>(input.constData()), size_t(input.size()))
        != 1)
        return {};
    sig.resize(int(len));
    if (!rsa)
        sig = derToRaw(sig);
    return sig.isEmpty() ? QByteArray() : input + '.' + base64UrlEncode(sig);
}

QByteArray JwtSigner::signHs256(const QJsonObject &claims, const QByteArray &secret)
{
    const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("HS256")},
                             {QStringLiteral("typ"), QStringLiteral("JWT")}};
    const QByteArray input = base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
                             + base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return input + '.' + base64UrlEncode(hmacSha256(secret, input));
}

} // namespace koan
