#pragma once
// What the console and metrics see of a session (a value snapshot; safe to pass across threads).
#include "core/TransportKind.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace koan {

// What a row of the console's session list is. The 2026-07-28 era has no sessions: its callers
// and its subscriptions/listen streams are listed beside the 2025-era sessions instead.
enum class SessionKind { Session, StatelessCaller, ListenStream };

struct SessionInfo {
    QString id;
    SessionKind kind = SessionKind::Session;
    TransportKind transport = TransportKind::None;
    QString clientName;
    QString clientVersion;
    QString protocolVersion;
    QString subject; // authenticated subject, empty when anonymous
    QString issuer;  // the subject's token issuer (subjects are unique per issuer only)
    QString remote;  // address:port
    QString userAgent;
    QDateTime created;
    QDateTime lastActivity;  // last message from the client (heartbeats do not count)
    QDateTime lastHeartbeat; // last keep-alive written by the server
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    qint64 bytesQueued = 0; // bytes waiting in socket buffers across the session's streams
    int openStreams = 0;    // long-lived SSE streams (legacy stream, Streamable GET stream)

    bool isStateless() const { return kind != SessionKind::Session; }
};

QString sessionKindName(SessionKind kind); // "session", "caller", "listen"
SessionKind parseSessionKind(const QString &name);
// Rows of the stateless era have ids of their own ("caller-…", "listen-…"; session ids are hex),
// so a listener that only sees an id (sessionClosed) can leave them out of session metrics.
inline bool isStatelessRowId(const QString &id)
{
    return id.startsWith(QLatin1String("caller-")) || id.startsWith(QLatin1String("listen-"));
}

} // namespace koan

Q_DECLARE_METATYPE(koan::SessionInfo)
