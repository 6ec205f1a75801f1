#pragma once
// The requestState of MRTR (2026-07-28 input_required results, SEP-2322): what the server carries
// from one round to the next through the client, sealed with HMAC-SHA256 under a server key so a
// client can neither read-and-change it unnoticed nor replay it elsewhere. A state is bound to
// the caller (issuer and subject), the method, a digest of the params and an expiry; opening it
// under any other binding, after the expiry or with a changed byte is refused, never trusted.
#include "Principal.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace koan {

// What a state is valid for: one caller asking one method with the same params.
struct RequestStateBinding {
    QString principal;     // see bindingOf: authenticated flag, issuer and subject
    QString method;        // tools/call, prompts/get, resources/read
    QByteArray paramsHash; // RequestStateSeal::paramsDigest

    static RequestStateBinding of(const Principal &principal, const QString &method, const QJsonObject &params);
};

class RequestStateSeal
{
public:
    // An empty key draws a random 32-byte key: states then hold only within this process.
    explicit RequestStateSeal(QByteArray key = {});
    void setKey(QByteArray key); // empty: a new random key
    bool hasSharedKey() const { return m_shared; }
    void setLifetimeMs(qint64 ms) { m_lifetimeMs = ms; }
    qint64 lifetimeMs() const { return m_lifetimeMs; }

    // SHA-256 of the params without what changes from round to round: inputResponses,
    // requestState and _meta (traceparent, progressToken, capabilities are per request).
    static QByteArray paramsDigest(const QJsonObject &params);

    // "<base64url payload>.<base64url HMAC>"; `nowMs` < 0: the current time.
    QString seal(const RequestStateBinding &binding, const QJsonObject &data, qint64 nowMs = -1) const;

    struct Opened {
        bool ok = false;
        QJsonObject data;
        QString reason;  // malformed, tampered, expired, principal, method, params
        QString message; // what a client can act on
    };
    Opened open(const QString &state, const RequestStateBinding &binding, qint64 nowMs = -1) const;

private:
    QByteArray mac(const QByteArray &payload) const;
    QByteArray m_key;
    bool m_shared = false;
    qint64 m_lifetimeMs = 10 * 60 * 1000;
};

} // namespace koan
