#pragma once
// What the console and metrics see of a session (a value snapshot; safe to pass across threads).
#include "core/TransportKind.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace koan {

struct SessionInfo {
    QString id;
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
};

} // namespace koan

Q_DECLARE_METATYPE(koan::SessionInfo)
