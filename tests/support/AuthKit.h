#pragma once
// Keys, certificates and JWTs made with the openssl command line, so the server's validator
// is checked against a signer it does not share code with.
#include "security/JsonWebKeySet.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace koan::test {

inline QByteArray runOpenssl(const QStringList &args, const QByteArray &input = {}, bool *ok = nullptr)
{
    QProcess p;
    p.start(QStringLiteral("openssl"), args);
    p.waitForStarted();
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(30000);
    if (ok)
        *ok = p.exitCode() == 0;
    return p.readAllStandardOutput();
}

struct KeyPair {
    QString privatePem; // file path
    QString kid;
    bool rsa = true;
    std::shared_ptr<EVP_PKEY> publicKey;
    QJsonObject jwk() const
    {
        return JsonWebKeySet::toJwk(publicKey.get(), kid, rsa ? QStringLiteral("RS256") : QStringLiteral("ES256"));
    }
};

inline KeyPair makeKey(const QDir &dir, const QString &kid, bool rsa)
{
    static int serial = 0;
    KeyPair k;
    k.kid = kid;
    k.rsa = rsa;
    k.privatePem = dir.filePath(QStringLiteral("%1-%2.pem").arg(kid).arg(++serial)); // kids may repeat on purpose
    const QStringList gen
        = rsa ? QStringList{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", k.privatePem}
              : QStringList{"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", k.privatePem};
    runOpenssl(gen);
    const QByteArray pub = runOpenssl({"pkey", "-in", k.privatePem, "-pubout"});
    BIO *bio = BIO_new_mem_buf(pub.constData(), int(pub.size()));
    k.publicKey.reset(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr), EVP_PKEY_free);
    BIO_free(bio);
    return k;
}

inline QJsonObject jwks(const QList<KeyPair> &keys)
{
    QJsonArray arr;
    for (const auto &k : keys)
        arr.append(k.jwk());
    return QJsonObject{{"keys", arr}};
}

inline QByteArray b64(const QByteArray &d)
{
    return d.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Signs header.claims with `openssl dgst -sha256 -sign`; ES256 DER signatures become raw r||s.
inline QByteArray signWithOpenssl(const QJsonObject &header, const QJsonObject &claims, const KeyPair &key)
{
    const QByteArray input = b64(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
                             + b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    QByteArray sig = runOpenssl({"dgst", "-sha256", "-sign", key.privatePem}, input);
    if (!key.rsa) {
        const unsigned char *p = reinterpret_cast<const unsigned char *>(sig.constData());
        ECDSA_SIG *s = d2i_ECDSA_SIG(nullptr, &p, long(sig.size()));
        QByteArray raw(64, 0);
        BN_bn2binpad(ECDSA_SIG_get0_r(s), reinterpret_cast<unsigned char *>(raw.data()), 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(s), reinterpret_cast<unsigned char *>(raw.data()) + 32, 32);
        ECDSA_SIG_free(s);
        sig = raw;
    }
    return input + '.' + b64(sig);
}

inline QJsonObject claims(const QString &sub, const QString &scope, const QString &aud,
                          const QString &iss = QStringLiteral("https://issuer.test"), qint64 ttl = 600)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return {{"iss", iss},
            {"sub", sub},
            {"aud", aud},
            {"scope", scope},
            {"iat", double(now)},
            {"nbf", double(now - 5)},
            {"exp", double(now + ttl)}};
}

inline QByteArray token(const KeyPair &key, const QJsonObject &c)
{
    return signWithOpenssl(QJsonObject{{"alg", key.rsa ? "RS256" : "ES256"}, {"typ", "JWT"}, {"kid", key.kid}}, c, key);
}

// A suite's signing key (RS256, kid "k1") and the JWKS file that publishes it (what the servers'
// Auth:JwksFile points at), in a folder of its own.
struct JwksFile {
    QTemporaryDir dir;
    KeyPair key;
    QString path;
    // Makes the key and writes the file; false when it cannot be written.
    bool create()
    {
        key = makeKey(QDir(dir.path()), QStringLiteral("k1"), true);
        path = dir.filePath(QStringLiteral("jwks.json"));
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(QJsonDocument(jwks({key})).toJson()) > 0;
    }
};

// Self-signed certificate for 127.0.0.1/localhost.
inline bool makeCertificate(const QDir &dir, QString *cert, QString *keyFile)
{
    *cert = dir.filePath("tls.crt");
    *keyFile = dir.filePath("tls.key");
    bool ok = false;
    runOpenssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", *keyFile, "-out", *cert, "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"},
               {}, &ok);
    return ok;
}

} // namespace koan::test
