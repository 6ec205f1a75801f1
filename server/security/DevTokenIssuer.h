#pragma once
// Local development token issuer: an EC P-256 key pair kept in the app-data dir, whose public
// JWKS the server trusts in Development. Never enabled in Production.
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <memory>

typedef struct evp_pkey_st EVP_PKEY;

namespace koan {

class DevTokenIssuer
{
public:
    static constexpr const char *kIssuer = "koan-mcp-dev";

    // Loads the key from `keyFile`, creating it (mode 0600) when missing.
    bool loadOrCreate(const QString &keyFile, QString *error);
    QString kid() const { return m_kid; }
    QJsonObject jwks() const;
    QByteArray issue(const QString &subject, const QStringList &scopes, qint64 ttlSeconds,
                     const QString &audience) const;

    static QString defaultKeyFile();

private:
    std::shared_ptr<EVP_PKEY> m_key;
    QString m_kid;
};

} // namespace koan
