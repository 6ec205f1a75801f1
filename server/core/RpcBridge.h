#pragma once
// Transport-independent MCP dispatcher. Transports hand it raw messages with their session and
// get messages back through callbacks, so the same logic serves STDIO, HTTP and the console.
#include "McpSession.h"
#include "ToolProvider.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <functional>
#include <optional>

namespace koan {

struct RpcError {
    int code;
    QString message;
    QJsonValue data = QJsonValue::Undefined;
};

// Context for a custom method handler (resources/*, prompts/*, ... from fixture packs).
struct RequestContext {
    SessionPtr session;
    QJsonValue id;
    QJsonObject params;
    CancelFlag cancelled;
    std::function<void(const QJsonObject &message)> related; // notifications tied to this request
};
using MethodResult = std::function<void(const QJsonValue &result, const std::optional<RpcError> &error)>;
using MethodHandler = std::function<void(const RequestContext &ctx, MethodResult done)>;

struct ServerInfo {
    QString name = QStringLiteral("koan-mcp");
    QString title = QStringLiteral("Koan MCP console");
    QString version = QStringLiteral(KOAN_MCP_VERSION);
    QString instructions;
};

class RpcBridge : public QObject
{
    Q_OBJECT
public:
    // Sends one message on the channel tied to the current request (its SSE stream, stdout...).
    using Send = std::function<void(const QJsonObject &message)>;
    // Called exactly once per handled body: a response object, a batch array, or Undefined
    // when nothing is owed (notifications, responses).
    using Done = std::function<void(const QJsonValue &reply)>;

    explicit RpcBridge(ServerInfo info = {}, QObject *parent = nullptr);

    void addToolProvider(ToolProvider *provider); // not owned
    void addMethod(const QString &method, MethodHandler handler);
    void addCapabilities(const QJsonObject &capabilities);
    void setToolsPageSize(int size) { m_pageSize = qMax(1, size); }
    const ServerInfo &serverInfo() const { return m_info; }

    // Parses `body` and dispatches it. Parse failures answer -32700.
    void handle(const QByteArray &body, const SessionPtr &session, Send related, Done done);
    void handleValue(const QJsonValue &message, const SessionPtr &session, Send related, Done done);

    // Tools visible to the session, across providers, in registration order.
    QList<ToolDefinition> visibleTools(const McpSession &session) const;
    QJsonObject capabilities() const;

signals:
    void sessionInitialized(const QString &sessionId, const QJsonObject &clientInfo, const QString &protocolVersion);
    void toolCallStarted(const QString &sessionId, const QString &tool, const QJsonObject &arguments);
    void toolCallFinished(const QString &sessionId, const QString &tool, const QJsonObject &arguments,
                          const QJsonObject &response, double durationMs, const QString &outcome);
    // A tools/call refused with -32003 (scopes, authentication): for the audit log.
    void toolCallDenied(const QString &sessionId, koan::TransportKind transport, const QString &subject,
                        const QString &tool, const QString &reason);
    // A tools/call that never reached a tool, for metrics: outcome "denied" (-32003) or "not_found"
    // (unknown or hidden tool; `tool` is empty for unknown names, which clients choose freely).
    void toolCallRejected(const QString &sessionId, const QString &tool, const QString &outcome, double durationMs);

private:
    void dispatchOne(const QJsonValue &message, const SessionPtr &session, const Send &related, Done done);
    void dispatchRequest(const QString &method, const QJsonValue &id, const QJsonObject &params,
                         const SessionPtr &session, const Send &related, Done done);
    void handleInitialize(const QJsonValue &id, const QJsonObject &params, const SessionPtr &session, Done done);
    void handleToolsList(const QJsonValue &id, const QJsonObject &params, const SessionPtr &session, Done done);
    void handleToolsCall(const QJsonValue &id, const QJsonObject &params, const SessionPtr &session,
                         const Send &related, Done done);
    void handleResponse(const QJsonObject &response, const SessionPtr &session);

    ServerInfo m_info;
    QList<ToolProvider *> m_providers;
    QHash<QString, MethodHandler> m_methods;
    QJsonObject m_extraCapabilities;
    int m_pageSize = 100;
};

} // namespace koan
