#pragma once
// Public keys from a JWKS document (RFC 7517): RSA and EC P-256 keys, by kid, as OpenSSL keys.
#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <memory>

typedef struct evp_pkey_st EVP_PKEY;

namespace koan {

struct JsonWebKey {
    QString kid;
    QString kty; // "RSA" or "EC"
    QString alg; // optional pin from the JWK
    std::shared_ptr<EVP_PKEY> key;
};

class JsonWebKeySet
{
public:
    // Unusable keys (other types, curves, "use":"enc") are skipped and listed in `warnings`.
    static JsonWebKeySet fromJson(const QJsonObject &jwks, QString *error, QStringList *warnings = nullptr);
    static JsonWebKeySet fromFile(const QString &path, QString *error);

    const JsonWebKey *find(const QString &kid) const;
    // Without a kid in the token: the only key, if there is exactly one.
    const JsonWebKey *single() const { return m_keys.size() == 1 ? &*m_keys.cbegin() : nullptr; }
    int size() const { return int(m_keys.size()); }
    void merge(const JsonWebKeySet &other);

    // Exports a public key as a JWK (used to publish the dev issuer's JWKS).
    static QJsonObject toJwk(EVP_PKEY *key, const QString &kid, const QString &alg);

private:
    QHash<QString, JsonWebKey> m_keys;
};

QByteArray base64UrlDecode(const QByteArray &text, bool *ok = nullptr);
QByteArray base64UrlEncode(const QByteArray &data);

} // namespace koan
