#include "SessionHistory.h"

#include <QHash>

namespace koan {

EndReason SessionHistory::classify(const QString &reason)
{
    static const QHash<QString, EndReason> kinds{
        {QStringLiteral("client_disconnected"), EndReason::ClientClosed},
        {QStringLiteral("deleted_by_client"), EndReason::Deleted},
        {QStringLiteral("idle_timeout"), EndReason::IdleTimeout},
        {QStringLiteral("slow_reader"), EndReason::SlowReader},
        {QStringLiteral("token_expired"), EndReason::TokenExpired},
        {QStringLiteral("disconnected_by_operator"), EndReason::Operator},
        {QStringLiteral("transport_disabled"), EndReason::TransportDisabled},
        {QStringLiteral("transport_drained"), EndReason::Drained},
        {QStringLiteral("server_shutdown"), EndReason::Shutdown},
        {QStringLiteral("initialize_failed"), EndReason::InitializeFailed},
    };
    return kinds.value(reason, EndReason::Other);
}

QString SessionHistory::reasonKey(EndReason kind)
{
    switch (kind) {
    case EndReason::ClientClosed:
        return QStringLiteral("client_closed");
    case EndReason::Deleted:
        return QStringLiteral("deleted");
    case EndReason::IdleTimeout:
        return QStringLiteral("idle_timeout");
    case EndReason::SlowReader:
        return QStringLiteral("slow_reader");
    case EndReason::TokenExpired:
        return QStringLiteral("token_expired");
    case EndReason::Operator:
        return QStringLiteral("operator");
    case EndReason::TransportDisabled:
        return QStringLiteral("transport_disabled");
    case EndReason::Drained:
        return QStringLiteral("drained");
    case EndReason::Shutdown:
        return QStringLiteral("shutdown");
    case EndReason::InitializeFailed:
        return QStringLiteral("initialize_failed");
    case EndReason::Other:
        break;
    }
    return QStringLiteral("other");
}

const EndedSession &SessionHistory::record(const SessionInfo &info, const QString &reason, const QDateTime &ended)
{
    EndedSession e;
    e.info = info;
    e.ended = ended;
    e.reason = reason;
    e.kind = classify(reason);
    m_ended.push_back(std::move(e));
    ++m_total;
    while (int(m_ended.size()) > m_capacity)
        m_ended.pop_front();
    return m_ended.back();
}

} // namespace koan
