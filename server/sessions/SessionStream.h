#pragma once
// What SessionManager needs of a session's open stream (an SSE response today): whether it is
// open, what it has queued, a heartbeat, and closing it. Transports implement it.
#include <QObject>

namespace koan {

class SessionStream : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual bool isOpen() const = 0;
    virtual qint64 queuedBytes() const = 0;
    // Writes a keep-alive; false when the stream is gone (or was just closed as a slow reader).
    virtual bool sendHeartbeat() = 0;
    // Ends the stream; the TCP connection is dropped too unless keepConnection.
    virtual void close(bool keepConnection = false) = 0;

signals:
    // Once: "client_disconnected", "slow_reader" or "server_closed".
    void closed(const QString &reason);
};

} // namespace koan
