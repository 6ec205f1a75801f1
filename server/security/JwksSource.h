#pragma once
// One source of token-signing keys and the issuers it may vouch for: a JWKS file, a JWKS URL
// (fetched at start, refetched at most once per interval when a token names an unknown kid),
// or the dev issuer's own key. A key of one source never validates a token whose "iss" belongs
// to another (Auth:Issuers binds each issuer to its keys).
#include "JsonWebKeySet.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <functional>

class QNetworkAccessManager;

namespace koan {

class JwksSource : public QObject
{
    Q_OBJECT
public:
    // `issuers` empty: any issuer not bound to another source (Auth:Issuer left empty).
    JwksSource(QStringList issuers, JsonWebKeySet keys, QObject *parent = nullptr);
    JwksSource(QStringList issuers, QString url, int refreshMinIntervalMs, QObject *parent = nullptr);

    const QStringList &issuers() const { return m_issuers; }
    bool acceptsAnyIssuer() const { return m_issuers.isEmpty(); }
    const JsonWebKeySet &keys() const { return m_keys; }
    QString url() const { return m_url; }

    // True when a refetch may bring the unknown kid (a URL source, outside the rate limit);
    // `resume` runs once the fetch finished, with or without new keys.
    bool refreshFor(std::function<void()> resume);
    void fetch();

    static constexpr qint64 kMaxBytes = 1024 * 1024; // a larger JWKS answer is refused

signals:
    void keysRefreshed(int keyCount);

private:
    QStringList m_issuers;
    JsonWebKeySet m_keys;
    QString m_url;
    int m_refreshMinIntervalMs = 60000;
    QNetworkAccessManager *m_network = nullptr;
    QElapsedTimer m_sinceFetch;
    bool m_fetching = false;
    QList<std::function<void()>> m_waiting; // validations waiting for the fetch in flight
};

} // namespace koan
