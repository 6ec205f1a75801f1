#include "AuthAuditLog.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAudit, "koan.auth")

namespace koan {

AuthAuditLog::AuthAuditLog(int capacity, QObject *parent) : QObject(parent), m_capacity(capacity)
{
    qRegisterMetaType<koan::AuthFailure>();
}

void AuthAuditLog::record(AuthFailure failure)
{
    if (!failure.time.isValid())
        failure.time = QDateTime::currentDateTimeUtc();
    qCWarning(lcAudit).noquote() << "auth failure:" << failure.reason << "from" << failure.remote << "on" << failure.path
                                 << (failure.subject.isEmpty() ? QString() : QStringLiteral("subject ") + failure.subject);
    m_ring.append(failure);
    if (m_ring.size() > m_capacity)
        m_ring.removeFirst();
    ++m_total;
    emit failureRecorded(failure);
}

} // namespace koan
