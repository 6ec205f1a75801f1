#include "AuthAuditLog.h"

#include "logging/LogSink.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAudit, "koan.auth")

namespace koan {

AuthAuditLog::AuthAuditLog(int capacity, QObject *parent) : QObject(parent), m_capacity(capacity)
{
    qRegisterMetaType<koan::AuthFailure>();
}

namespace {
// Subject (unverified), path (percent-decoded) and description (kid, alg) come from the request:
// control characters are escaped and the length capped before the record is kept, shown or logged.
QString clean(const QString &s)
{
    constexpr int kMax = 256;
    const QString escaped = LogSink::escapeControl(s.left(kMax + 1));
    return escaped.size() > kMax ? escaped.left(kMax) + QStringLiteral("...") : escaped;
}
} // namespace

void AuthAuditLog::record(AuthFailure failure)
{
    if (!failure.time.isValid())
        failure.time = QDateTime::currentDateTimeUtc();
    for (QString *field :
         {&failure.remote, &failure.reason, &failure.subject, &failure.issuer, &failure.path, &failure.description})
        *field = clean(*field);
    qCWarning(lcAudit).noquote() << "auth failure:" << failure.reason << "from" << failure.remote << "on"
                                 << failure.path
                                 << (failure.subject.isEmpty() ? QString()
                                                               : QStringLiteral("subject ") + failure.subject)
                                 << (failure.issuer.isEmpty() ? QString() : QStringLiteral("issuer ") + failure.issuer);
    m_ring.append(failure);
    if (m_ring.size() > m_capacity)
        m_ring.removeFirst();
    ++m_total;
    emit failureRecorded(failure);
}

} // namespace koan
