#pragma once
// Sessions that ended, newest last, bounded (the last `capacity`): what they were, when and why
// they ended. SessionManager records every close here; the console shows it through AdminController.
#include "SessionInfo.h"

#include <QList>
#include <QMetaType>
#include <deque>

namespace koan {

// Why a session ended, from the reason strings the transports and SessionManager pass to close().
enum class EndReason {
    ClientClosed,      // "client_disconnected": the client dropped its stream
    Deleted,           // "deleted_by_client": DELETE on the Streamable session
    IdleTimeout,       // "idle_timeout": no client activity for SseConnectionTimeoutMs
    SlowReader,        // "slow_reader": a heartbeat or message write found the socket full
    TokenExpired,      // "token_expired": the bearer token's exp passed while the session was open
    Operator,          // "disconnected_by_operator": console or admin API
    TransportDisabled, // "transport_disabled": the rollback switch cut the legacy streams
    Drained,           // "transport_drained": the drain's timeout ended the stream
    Shutdown,          // "server_shutdown": the server stopped listening
    InitializeFailed,  // "initialize_failed"
    Other,
};

struct EndedSession {
    SessionInfo info; // as it was last (counters, client, subject)
    QDateTime ended;
    QString reason; // the raw reason string
    EndReason kind = EndReason::Other;
    qint64 durationMs() const { return info.created.isValid() ? info.created.msecsTo(ended) : 0; }
};

class SessionHistory
{
public:
    explicit SessionHistory(int capacity = 1000) : m_capacity(capacity) { }
    static EndReason classify(const QString &reason);
    static QString reasonKey(EndReason kind); // stable names: "client_closed", "deleted", ...

    const EndedSession &record(const SessionInfo &info, const QString &reason,
                               const QDateTime &ended = QDateTime::currentDateTimeUtc());
    QList<EndedSession> snapshot() const { return {m_ended.begin(), m_ended.end()}; }
    int size() const { return int(m_ended.size()); }
    int capacity() const { return m_capacity; }
    qint64 total() const { return m_total; } // ever recorded, including those dropped off the end

private:
    int m_capacity;
    std::deque<EndedSession> m_ended;
    qint64 m_total = 0;
};

} // namespace koan

Q_DECLARE_METATYPE(koan::EndedSession)
