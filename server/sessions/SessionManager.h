#pragma once
// Tracks every MCP session over every transport: identity, activity, streams, heartbeats,
// idle timeout and the connection limit. Transports register sessions and streams here;
// the console and metrics observe the signals.
#include "SessionHistory.h"
#include "SessionInfo.h"
#include "StatelessCallers.h"
#include "TrafficRecorder.h"
#include "core/McpSession.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>
#include <optional>

namespace koan {

class SessionStream;

class SessionManager : public QObject
{
    Q_OBJECT
public:
    struct Limits {
        int maxConcurrentConnections = 500;
        int keepAliveIntervalMs = 15000;
        int idleTimeoutMs = 30 * 60 * 1000;
        int maxSessions = 10000;
    };
    explicit SessionManager(Limits limits, QObject *parent = nullptr);
    // How many ended sessions history() keeps (default 1000).
    void setHistoryCapacity(int capacity) { m_history = SessionHistory(capacity); }

    // How a transport tears a session down (streams, state) when the manager ends it.
    using Closer = std::function<void(const QString &sessionId, const QString &reason)>;
    // Registers a new session with a fresh random id.
    SessionPtr open(TransportKind transport, const Principal &principal, const QString &remote,
                    const QString &userAgent, Closer closer);
    SessionPtr find(const QString &id) const;
    // The shape of every id this server hands out: 32-128 URL-safe characters ([A-Za-z0-9_-]),
    // at least 128 bits from the system CSPRNG. Anything else names no session and is not echoed.
    static bool isWellFormedId(QStringView id);
    bool contains(const QString &id) const { return m_entries.contains(id); }
    // Ends a session (or a listen stream's row): runs its closer, forgets it, emits sessionClosed.
    // Safe to call twice.
    void close(const QString &id, const QString &reason);
    // Every session and every listen stream (shutdown).
    void closeAll(const QString &reason);

    // Long-lived streams count against MaxConcurrentConnections; short POST streams do not.
    void addStream(const QString &sessionId, SessionStream *stream, bool longLived);
    // A long-lived stream of no session (a 2026-07-28 subscriptions/listen stream): it counts against
    // MaxConcurrentConnections and gets the heartbeat like a session's stream until it closes. With
    // a `listener` (from statelessCaller) it is a row of the session list until then, whose id
    // (returned) close() takes like a session's: the operator's disconnect, the rollback switch and
    // closeAll run `closer` with the reason, which ends the stream the way its transport ends it.
    QString addDetachedStream(SessionStream *stream, const std::optional<SessionInfo> &listener = std::nullopt,
                              Closer closer = {});
    // The identity of a 2026-07-28 request's caller: principal, _meta clientInfo, address, agent.
    static SessionInfo statelessCaller(const Principal &principal, const QJsonObject &message, const QString &remote,
                                       const QString &userAgent, TransportKind transport);
    // One 2026-07-28 request: its caller's row (StatelessCallers) is added or refreshed; returns its id.
    QString recordStatelessRequest(const SessionInfo &caller, const QString &method);
    int detachedStreams() const { return int(m_detached.size()); }
    bool atConnectionLimit() const { return m_longLivedStreams >= m_limits.maxConcurrentConnections; }
    // Streamable sessions need no open stream, so streams alone do not bound them.
    bool atSessionLimit() const { return m_entries.size() >= m_limits.maxSessions; }
    int maxSessions() const { return m_limits.maxSessions; }
    int longLivedStreams() const { return m_longLivedStreams; }
    int maxConcurrentConnections() const { return m_limits.maxConcurrentConnections; }
    int sessionCount() const { return int(m_entries.size()); }

    void recordInbound(const QString &sessionId, const QString &method = {});
    void recordOutbound(const QString &sessionId);
    void updateClient(const QString &sessionId); // after initialize: client name/version/protocol

    QList<SessionInfo> snapshot() const;
    QHash<TransportKind, int> countByTransport() const;
    qint64 queuedBytes() const; // across every open stream
    // A transport wrote the answer to a request, `seconds` after the request arrived.
    void recordServed(TransportKind transport, double seconds) { emit requestServed(transport, seconds); }
    // A transport refused a new session or stream at a limit ("max_sessions", "max_connections").
    void rejectConnection(const QString &reason) { emit connectionRejected(reason); }
    SessionInfo info(const QString &sessionId) const;
    // Sessions that ended (the last 1000), oldest first.
    QList<EndedSession> history() const { return m_history.snapshot(); }
    qint64 endedTotal() const { return m_history.total(); }
    // The wire traffic of the sessions and callers an operator records (off by default).
    TrafficRecorder *traffic() { return &m_traffic; }
    // An open session or a listed 2026-07-28 caller has this id (what traffic may be recorded for).
    bool isLiveTarget(const QString &id) const { return m_entries.contains(id) || m_callers.contains(id); }

public slots:
    // Operator action: drop a session by id.
    bool disconnectSession(const QString &sessionId);

signals:
    void sessionOpened(const koan::SessionInfo &info);
    void sessionUpdated(const koan::SessionInfo &info);
    void sessionClosed(const QString &sessionId, const QString &reason);
    // With the session as it was when it ended (emitted right after sessionClosed).
    void sessionEnded(const koan::EndedSession &ended);
    void heartbeatSent(const QString &sessionId, const QDateTime &at, qint64 bytesQueued);
    void heartbeatRoundFinished(int streams, double durationMs);
    void messageReceived(const QString &sessionId, const QString &method);
    void messageSent(const QString &sessionId);
    void connectionRejected(const QString &reason);
    void requestServed(koan::TransportKind transport, double seconds);

private:
    struct Entry {
        SessionPtr session;
        SessionInfo info;
        Closer closer;
        QList<QPointer<SessionStream>> streams;
        QList<bool> longLived;
    };
    void sendHeartbeats();
    void sweepIdle();
    void streamClosed(const QString &sessionId, SessionStream *stream);
    SessionInfo refreshed(const Entry &e) const;

    Limits m_limits;
    SessionHistory m_history;
    QHash<QString, Entry> m_entries;
    int m_longLivedStreams = 0;
    QList<QPointer<SessionStream>> m_detached;
    struct ListenRow {
        SessionInfo info;
        Closer closer;
    };
    QHash<const SessionStream *, ListenRow> m_listenRows; // detached streams listed in the console
    bool closeListenRow(const QString &id, const QString &reason);
    StatelessCallers m_callers;
    TrafficRecorder m_traffic;
    QTimer m_heartbeat;
    QTimer m_sweep;
};

} // namespace koan
