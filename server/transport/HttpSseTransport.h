#pragma once
// Legacy HTTP+SSE transport (MCP 2024-11-05): GET {route}/sse opens a session's stream and
// announces the POST endpoint; POST {route}/rpc?sessionId=... answers 202 and the JSON-RPC
// reply travels as an `event: message` on that session's stream. Can be switched off at runtime.
#include "core/Principal.h"
#include "http/HttpRequest.h"

#include <QHash>
#include <QObject>
#include <QPointer>

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
    // Off: every open stream gets a final `event: end` and closes; new requests get 503.
    void setEnabled(bool enabled);
    int openStreams() const { return int(m_streams.size()); }

signals:
    void enabledChanged(bool enabled);

private:
    void deliver(const QString &sessionId, const QJsonObject &message);

    RpcBridge *m_bridge;
    SessionManager *m_sessions;
    Settings m_settings;
    bool m_enabled = true;
    QHash<QString, QPointer<SseStream>> m_streams; // by session id
};

} // namespace koan
