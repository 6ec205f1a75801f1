#pragma once
// JWS compact tokens (RFC 7515/7519): validation with pinned algorithms, and signing for the
// dev token issuer. RS256 and ES256 use public keys from a JWKS; HS256 only a configured secret.
#include "JsonWebKeySet.h"

#include <QJsonObject>
#include <QStringList>

namespace koan {

struct JwtSettings {
    QStringList allowedAlgorithms{QStringLiteral("RS256"), QStringLiteral("ES256")};
    QStringList issuers;   // accepted "iss" values; empty: any
    QStringList audiences; // accepted "aud" values (resource indicators); empty: any
    int clockSkewSeconds = 60;
    QByteArray hmacSecret; // enables HS256 when also allowed
};

struct JwtResult {
    bool ok = false;
    QString reason;      // machine code: malformed, alg_not_allowed, unknown_kid, bad_signature, expired, ...
    QString description; // for error_description and the audit log (never the token)
    QJsonObject header;
    QJsonObject claims;
    QString kid;
};

class JwtValidator
{
public:
    static JwtResult validate(const QByteArray &token, const JwtSettings &settings, const JsonWebKeySet &keys,
                              qint64 nowSeconds);
    // Reads header and claims without verifying (for audit: the subject of a rejected token).
    static QJsonObject unverifiedClaims(const QByteArray &token);
};

class JwtSigner
{
public:
    // Signs `claims` with `key` (RS256 for RSA keys, ES256 for P-256 keys). Empty on failure.
    static QByteArray sign(const QJsonObject &claims, EVP_PKEY *key, const QString &kid);
    static QByteArray signHs256(const QJsonObject &claims, const QByteArray &secret);
};

} // namespace koan
