#include "JwksSource.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>

Q_LOGGING_CATEGORY(lcJwks, "koan.auth")

namespace koan {

JwksSource::JwksSource(QStringList issuers, JsonWebKeySet keys, QObject *parent)
    : QObject(parent), m_issuers(std::move(issuers)), m_keys(std::move(keys))
{ }

JwksSource::JwksSource(QStringList issuers, QString url, int refreshMinIntervalMs, QObject *parent)
    : QObject(parent), m_issuers(std::move(issuers)), m_url(std::move(url)),
      m_refreshMinIntervalMs(refreshMinIntervalMs), m_network(new QNetworkAccessManager(this))
{ }

bool JwksSource::refreshFor(std::function<void()> resume)
{
    if (!m_network || (!m_fetching && m_sinceFetch.isValid() && m_sinceFetch.elapsed() < m_refreshMinIntervalMs))
        return false;
    m_waiting.append(std::move(resume));
    if (!m_fetching)
        fetch();
    return true;
}

void JwksSource::fetch()
{
    if (!m_network)
        return;
    m_fetching = true;
    m_sinceFetch.start();
    QNetworkRequest request{QUrl(m_url)};
    request.setTransferTimeout(5000);
    QNetworkReply *reply = m_network->get(request);
    // A key set is a few kB: a huge answer is refused as it arrives, never buffered whole.
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64 total) {
        if (received > kMaxBytes || total > kMaxBytes) {
            reply->setProperty("koanTooLarge", true);
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        m_fetching = false;
        const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll());
        QString error;
        QStringList warnings;
        const JsonWebKeySet keys = reply->error() == QNetworkReply::NoError && doc.isObject()
                                       ? JsonWebKeySet::fromJson(doc.object(), &error, &warnings)
                                       : JsonWebKeySet();
        if (reply->property("koanTooLarge").toBool())
            qCWarning(lcJwks).noquote() << "JWKS fetch from" << m_url << "failed: the answer exceeds" << kMaxBytes
                                        << "bytes; keys kept";
        else if (reply->error() != QNetworkReply::NoError || !error.isEmpty())
            qCWarning(lcJwks).noquote() << "JWKS fetch from" << m_url
                                        << "failed:" << (error.isEmpty() ? reply->errorString() : error);
        else {
            m_keys = keys;
            qCInfo(lcJwks).noquote() << "JWKS refreshed:" << keys.size() << "key(s) from" << m_url;
            emit keysRefreshed(keys.size());
        }
        const auto waiting = std::exchange(m_waiting, {});
        for (const auto &resume : waiting)
            resume();
    });
}

} // namespace koan
