#include "JsonWebKeySet.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace koan {

QByteArray base64UrlDecode(const QByteArray &text, bool *ok)
{
    const auto r = QByteArray::fromBase64Encoding(text, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals
                                                            | QByteArray::AbortOnBase64DecodingErrors);
    if (ok)
        *ok = bool(r);
    return r ? *r : QByteArray();
}

QByteArray base64UrlEncode(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

namespace {
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>;
using Params = std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using Bn = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

std::shared_ptr<EVP_PKEY> fromParams(const char *type, OSSL_PARAM_BLD *bld)
{
    Params params(OSSL_PARAM_BLD_to_param(bld), OSSL_PARAM_free);
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
    EVP_PKEY *key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0
        || EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
        return nullptr;
    return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

std::shared_ptr<EVP_PKEY> rsaKey(const QJsonObject &jwk, QString *why)
{
    bool okN = false, okE = false;
    const QByteArray n = base64UrlDecode(jwk.value(QLatin1String("n")).toString().toLatin1(), &okN);
    const QByteArray e = base64UrlDecode(jwk.value(QLatin1String("e")).toString().toLatin1(), &okE);
    if (!okN || !okE || n.size() < 256) { // RSA below 2048 bits is refused
        *why = QStringLiteral("RSA key needs base64url 'n' (>= 2048 bits) and 'e'");
        return nullptr;
    }
    Bn bn(BN_bin2bn(reinterpret_cast<const unsigned char *>(n.constData()), int(n.size()), nullptr), BN_free);
    Bn be(BN_bin2bn(reinterpret_cast<const unsigned char *>(e.constData()), int(e.size()), nullptr), BN_free);
    ParamBld bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn.get())
        || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, be.get()))
        return nullptr;
    auto key = fromParams("RSA", bld.get());
    if (!key)
        *why = QStringLiteral("OpenSSL rejected the RSA key");
    return key;
}

std::shared_ptr<EVP_PKEY> ecKey(const QJsonObject &jwk, QString *why)
{
    if (jwk.value(QLatin1String("crv")).toString() != QLatin1String("P-256")) {
        *why = QStringLiteral("only EC keys on P-256 are supported");
        return nullptr;
    }
    bool okX = false, okY = false;
    const QByteArray x = base64UrlDecode(jwk.value(QLatin1String("x")).toString().toLatin1(), &okX);
    const QByteArray y = base64UrlDecode(jwk.value(QLatin1String("y")).toString().toLatin1(), &okY);
    if (!okX || !okY || x.size() != 32 || y.size() != 32) {
        *why = QStringLiteral("EC key needs 32-byte base64url 'x' and 'y'");
        return nullptr;
    }
    const QByteArray point = QByteArray(1, '\x04') + x + y;
    ParamBld bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)
        || !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                             size_t(point.size())))
        return nullptr;
    auto key = fromParams("EC", bld.get());
    if (!key)
        *why = QStringLiteral("OpenSSL rejected the EC key (not on the curve?)");
    return key;
}
} // namespace

JsonWebKeySet JsonWebKeySet::fromJson(const QJsonObject &jwks, QString *error, QStringList *warnings)
{
    JsonWebKeySet set;
    const QJsonValue keys = jwks.value(QLatin1String("keys"));
    if (!keys.isArray()) {
        *error = QStringLiteral("a JWKS needs a 'keys' array");
        return set;
    }
    int index = 0;
    for (const auto &v : keys.toArray()) {
        const QJsonObject jwk = v.toObject();
        JsonWebKey k;
        k.kid = jwk.value(QLatin1String("kid")).toString();
        k.kty = jwk.value(QLatin1String("kty")).toString();
        k.alg = jwk.value(QLatin1String("alg")).toString();
        QString why;
        if (jwk.value(QLatin1String("use")).toString() == QLatin1String("enc"))
            why = QStringLiteral("encryption key");
        else if (k.kty == QLatin1String("RSA"))
            k.key = rsaKey(jwk, &why);
        else if (k.kty == QLatin1String("EC"))
            k.key = ecKey(jwk, &why);
        else
            why = QStringLiteral("unsupported kty '%1'").arg(k.kty);
        if (!k.key) {
            if (warnings)
                warnings->append(QStringLiteral("keys[%1] (kid '%2') skipped: %3").arg(index).arg(k.kid, why));
        } else {
            set.m_keys.insert(k.kid, k);
        }
        ++index;
    }
    return set;
}

JsonWebKeySet JsonWebKeySet::fromFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read JWKS file %1: %2").arg(path, f.errorString());
        return {};
    }
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (!doc.isObject()) {
        *error = QStringLiteral("JWKS file %1 is not a JSON object (%2)").arg(path, pe.errorString());
        return {};
    }
    return fromJson(doc.object(), error);
}

const JsonWebKey *JsonWebKeySet::find(const QString &kid) const
{
    const auto it = m_keys.constFind(kid);
    return it == m_keys.constEnd() ? nullptr : &*it;
}

void JsonWebKeySet::merge(const JsonWebKeySet &other)
{
    for (auto it = other.m_keys.cbegin(); it != other.m_keys.cend(); ++it)
        m_keys.insert(it.key(), it.value());
}

QJsonObject JsonWebKeySet::toJwk(EVP_PKEY *key, const QString &kid, const QString &alg)
{
    QJsonObject jwk{
        {QStringLiteral("kid"), kid}, {QStringLiteral("alg"), alg}, {QStringLiteral("use"), QStringLiteral("sig")}};
    if (EVP_PKEY_is_a(key, "RSA")) {
        BIGNUM *n = nullptr, *e = nullptr;
        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
        QByteArray nb(BN_num_bytes(n), 0), eb(BN_num_bytes(e), 0);
        BN_bn2bin(n, reinterpret_cast<unsigned char *>(nb.data()));
        BN_bn2bin(e, reinterpret_cast<unsigned char *>(eb.data()));
        BN_free(n);
        BN_free(e);
        jwk.insert(QStringLiteral("kty"), QStringLiteral("RSA"));
        jwk.insert(QStringLiteral("n"), QString::fromLatin1(base64UrlEncode(nb)));
        jwk.insert(QStringLiteral("e"), QString::fromLatin1(base64UrlEncode(eb)));
    } else if (EVP_PKEY_is_a(key, "EC")) {
        unsigned char point[65];
        size_t len = 0;
        EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
        jwk.insert(QStringLiteral("kty"), QStringLiteral("EC"));
        jwk.insert(QStringLiteral("crv"), QStringLiteral("P-256"));
        jwk.insert(QStringLiteral("x"),
                   QString::fromLatin1(base64UrlEncode(QByteArray(reinterpret_cast<char *>(point) + 1, 32))));
        jwk.insert(QStringLiteral("y"),
                   QString::fromLatin1(base64UrlEncode(QByteArray(reinterpret_cast<char *>(point) + 33, 32))));
    }
    return jwk;
}

} // namespace koan
