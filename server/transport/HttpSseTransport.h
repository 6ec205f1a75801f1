#pragma once
// Legacy HTTP+SSE transport (MCP 2024-11-05): GET {route}/sse opens a session's stream and
// announces the POST endpoint; POST {route}/rpc?sessionId=... answers 202 and the JSON-RPC
// reply travels as an `event: message` on that session's stream. Can be switched off at runtime.
#include "core/Principal.h"
#include "http/HttpRequest.h"

#include <QHash>
#include <QObject>
#include <QDateTime>
#include <QPointer>
#include <QTimer>

namespace koan {

class HttpResponder;
class RpcBridge;
class SessionManager;
class SseStream;

class HttpSseTransport : public QObject
{
    Q_OBJECT
public:
    struct Settings {
        QString route = QStringLiteral("/mcp");
        qint64 maxBodyBytes = 4 * 1024 * 1024;
        qint64 maxQueuedBytes = 1024 * 1024;
    };
    HttpSseTransport(RpcBridge *bridge, SessionManager *sessions, Settings settings, QObject *parent = nullptr);

    void openStream(const HttpRequest &request, HttpResponder *responder, const Principal &principal);
    void submit(const HttpRequest &request, HttpResponder *responder, const Principal &principal);

    bool isEnabled() const { return m_enabled; }
    // Off ("cut"): every open stream gets a final `event: end` and closes; new requests get 503.
    // Either way a drain in progress ends.
    void setEnabled(bool enabled);
    // Off, gently: new streams get 503, open ones keep working (their POSTs too) for up to
    // `timeoutMs`; what is still open then ends with reason "transport_drained".
    void drain(int timeoutMs);
    bool isDraining() const { return m_draining; }
    QDateTime drainDeadline() const { return m_draining ? m_drainDeadline : QDateTime(); }
    int openStreams() const { return int(m_streams.size()); }

signals:
    void enabledChanged(bool enabled);
    void drainingChanged(bool draining);

private:
    void deliver(const QString &sessionId, const QJsonObject &message);
    void closeAll(const QString &reason);
    void finishDrain(bool closeRemaining);

    RpcBridge *m_bridge;
    SessionManager *m_sessions;
    Settings m_settings;
    bool m_enabled = true;
    bool m_draining = false;
    QDateTime m_drainDeadline;
    QTimer m_drainTimer;
    QHash<QString, QPointer<SseStream>> m_streams; // by session id
};

} // namespace koan
