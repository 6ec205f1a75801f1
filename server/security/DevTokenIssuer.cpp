#include "DevTokenIssuer.h"

#include "JsonWebKeySet.h"
#include "Jwt.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QStandardPaths>
#include <QUuid>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace koan {

QString DevTokenIssuer::defaultKeyFile()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir.isEmpty() ? QDir::homePath() : dir).filePath(QStringLiteral("dev-issuer-key.pem"));
}

bool DevTokenIssuer::loadOrCreate(const QString &keyFile, QString *error)
{
    const QString path = keyFile.isEmpty() ? defaultKeyFile() : keyFile;
    EVP_PKEY *key = nullptr;
    if (QFile::exists(path)) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
            return false;
        }
        const QByteArray pem = f.readAll();
        BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
        key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (!key) {
            *error = QStringLiteral("%1 is not a PEM private key").arg(path);
            return false;
        }
    } else {
        key = EVP_EC_gen("P-256");
        if (!key) {
            *error = QStringLiteral("cannot generate an EC P-256 key");
            return false;
        }
        BIO *bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
        char *data = nullptr;
        const long len = BIO_get_mem_data(bio, &data);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        const bool written = f.open(QIODevice::WriteOnly)
                             && f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
                             && f.write(data, len) == len;
        BIO_free(bio);
        if (!written) {
            EVP_PKEY_free(key);
            *error = QStringLiteral("cannot write %1").arg(path);
            return false;
        }
    }
    m_key.reset(key, EVP_PKEY_free);
    // kid: a short fingerprint of the public key, so a regenerated key gets a new kid.
    const QJsonObject jwk = JsonWebKeySet::toJwk(key, QString(), QStringLiteral("ES256"));
    m_kid = QStringLiteral("koan-dev-")
            + QString::fromLatin1(
                QCryptographicHash::hash(
                    (jwk.value(QLatin1String("x")).toString() + jwk.value(QLatin1String("y")).toString()).toLatin1(),
                    QCryptographicHash::Sha256)
                    .toHex()
                    .left(12));
    return true;
}

QJsonObject DevTokenIssuer::jwks() const
{
    return QJsonObject{
        {QStringLiteral("keys"), QJsonArray{JsonWebKeySet::toJwk(m_key.get(), m_kid, QStringLiteral("ES256"))}}};
}

QByteArray DevTokenIssuer::issue(const QString &subject, const QStringList &scopes, qint64 ttlSeconds,
                                 const QString &audience) const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return JwtSigner::sign(QJsonObject{{QStringLiteral("iss"), QString::fromLatin1(kIssuer)},
                                       {QStringLiteral("sub"), subject},
                                       {QStringLiteral("aud"), audience},
                                       {QStringLiteral("scope"), scopes.join(QLatin1Char(' '))},
                                       {QStringLiteral("iat"), double(now)},
                                       {QStringLiteral("nbf"), double(now)},
                                       {QStringLiteral("exp"), double(now + ttlSeconds)},
                                       {QStringLiteral("jti"), QUuid::createUuid().toString(QUuid::WithoutBraces)}},
                           m_key.get(), m_kid);
}

} // namespace koan
