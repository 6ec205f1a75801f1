#pragma once
// A received HTTP request, copied out of Qt's per-connection request object (which is reused).
#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QRegularExpression>
#include <QString>
#include <QUrlQuery>

namespace koan {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// Header names compare case-insensitively (RFC 9110 5.1); the first field of a name wins.
inline const QByteArray *findHeader(const HttpHeaders &headers, const QByteArray &name)
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return &h.second;
    return nullptr;
}

struct HttpRequest {
    QByteArray method; // "GET", "POST", ...
    QString path;      // percent-decoded
    QUrlQuery query;
    HttpHeaders headers;
    QByteArray body;
    QHostAddress remoteAddress;
    quint16 remotePort = 0;
    bool secure = false; // arrived over TLS

    QByteArray header(const QByteArray &name) const
    {
        const QByteArray *value = findHeader(headers, name);
        return value ? *value : QByteArray();
    }
    bool hasHeader(const QByteArray &name) const { return findHeader(headers, name); }
    QString remote() const { return QStringLiteral("%1:%2").arg(remoteAddress.toString()).arg(remotePort); }
    // X-Forwarded-Prefix from a reverse proxy ("/tenant-a"), accepted only when it is a plain path.
    QString forwardedPrefix() const
    {
        static const QRegularExpression valid(QStringLiteral("^(/[A-Za-z0-9._~\\-]+)*$"));
        QString prefix = QString::fromLatin1(header("X-Forwarded-Prefix")).trimmed();
        while (prefix.endsWith(QLatin1Char('/')))
            prefix.chop(1);
        return valid.match(prefix).hasMatch() ? prefix : QString();
    }
};

} // namespace koan
