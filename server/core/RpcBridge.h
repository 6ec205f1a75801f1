#pragma once
// Transport-independent MCP dispatcher. Transports hand it raw messages with their session and
// get messages back through callbacks, so the same logic serves STDIO, HTTP and the console.
#include "ContentDispatcher.h"
#include "McpSession.h"
#include "ProtocolEra.h"
#include "RpcError.h"
#include "RequestState.h"
#include "TaskService.h"
#include "ToolCallRecord.h"
#include "ToolProvider.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <functional>
#include <optional>

namespace koan {

// Context for a custom method handler (resources/*, prompts/*, ... from fixture packs).
struct RequestContext {
    SessionPtr session;
    QJsonValue id;
    QJsonObject params;
    CancelFlag cancelled;
    std::function<void(const QJsonObject &message)> related; // notifications tied to this request
    InputAsk input;                                          // asks the client for input in either era: InputRequest.h
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
    // resources/* and prompts/*, completion/complete (see ContentDispatcher); not owned.
    void addResourceProvider(ResourceProvider *provider) { m_content.addResourceProvider(provider); }
    void addPromptProvider(PromptProvider *provider) { m_content.addPromptProvider(provider); }
    void addMethod(const QString &method, MethodHandler handler);
    void addCapabilities(const QJsonObject &capabilities);
    void setToolsPageSize(int size)
    {
        m_pageSize = qMax(1, size);
        m_content.setPageSize(m_pageSize);
    }
    const ServerInfo &serverInfo() const { return m_info; }

    // Parses `body` and dispatches it. Parse failures answer -32700.
    void handle(const QByteArray &body, const SessionPtr &session, Send related, Done done);
    void handleValue(const QJsonValue &message, const SessionPtr &session, Send related, Done done);

    // One modern (2026-07-28) request: validated by ModernEra (headers are null on STDIO), then
    // dispatched on a session of its own that lives only as long as the request. `done` gets the
    // reply (Undefined for notifications) and the HTTP status it takes (202, 200, 400, 404).
    // Returns the request's cancel flag: the transport sets it when the client goes away.
    using StatelessDone = std::function<void(const QJsonValue &reply, int httpStatus)>;
    CancelFlag handleStateless(const QJsonObject &message, const ModernHeaders *headers, const Principal &principal,
                               TransportKind transport, Send related, StatelessDone answer);
    // Client capabilities a tool needs (e.g. {"sampling":{}}): a modern call that did not declare
    // them is refused with -32021 before the tool runs.
    void requireClientCapabilities(const QString &tool, const QJsonObject &capabilities);
    // The key sealing MRTR requestStates (HMAC-SHA256). Replicas behind one load balancer need the
    // same key to accept each other's states; empty: a random key of this process.
    void setRequestStateKey(const QByteArray &key) { m_stateSeal.setKey(key); }
    RequestStateSeal &requestStateSeal() { return m_stateSeal; }
    // subscriptions/listen is served (on by default): otherwise the modern era may not advertise
    // listChanged and subscribe.
    void setListenServed(bool served) { m_listenServed = served; }
    // The tasks extension on the modern era (not owned; null or disabled: not advertised, every
    // tool runs synchronously). Sends notifications/tasks to the listen streams that asked.
    void setTaskService(TaskService *tasks);
    // Sends a change (notifications/{tools,prompts,resources}/list_changed, notifications/resources/
    // updated) to the open subscriptions/listen streams that asked for its kind, tagged with each
    // one's subscription id, and to the initialized legacy sessions through their push channel:
    // list changes to all of them, a resource update to those subscribed to its URI.
    void publish(const QJsonObject &notification);
    // Open subscriptions/listen streams (those the transport has not closed).
    int listenStreams() const;
    // Ends the open subscriptions/listen request whose cancel flag is `listen` on the server's own
    // initiative (shutdown, rollback switch, operator): its final result (resultType complete, the
    // subscription id in _meta: the spec's graceful end) goes to the request's done. False when no
    // such listen is open.
    bool endListen(const CancelFlag &listen);
    // Legacy sessions publish() may still reach (ended ones are dropped at the next initialize).
    int trackedSessions() const { return int(m_sessions.size()); }
    // Every resource URI a legacy session or an open listen stream is subscribed to.
    QStringList subscribedResources() const;
    // The capabilities server/discover names: those the modern era's handlers honour.
    QJsonObject modernCapabilities() const;
    // The server/discover result.
    QJsonObject discoverResult() const;

    // Tools visible to the session, across providers, in registration order.
    QList<ToolDefinition> visibleTools(const McpSession &session) const;
    QJsonObject capabilities() const;

signals:
    void sessionInitialized(const QString &sessionId, const QJsonObject &clientInfo, const QString &protocolVersion);
    void toolCallStarted(const QString &sessionId, const QString &tool, const QJsonObject &arguments);
    void toolCallFinished(const QString &sessionId, const QString &tool, const QJsonObject &arguments,
                          const QJsonObject &response, double durationMs, const QString &outcome);
    // The same call as one record with its JSON-RPC request and response and every ending (a
    // JSON-RPC error and a cancelled call too), for the console; built only while connected.
    void toolCallRecorded(const koan::ToolCallRecord &record);
    // A tools/call refused with -32003 (scopes, authentication): for the audit log.
    void toolCallDenied(const QString &sessionId, koan::TransportKind transport, const QString &subject,
                        const QString &tool, const QString &reason);
    // A tools/call that never reached a tool, for metrics: outcome "denied" (-32003) or "not_found"
    // (unknown or hidden tool; `tool` is empty for unknown names, which clients choose freely).
    void toolCallRejected(const QString &sessionId, const QString &tool, const QString &outcome, double durationMs);
    // A handler asked the client for input: a 2026-07-28 input_required round, or 2025 server-to-
    // client requests. `method` is the client's request (tools/call, prompts/get, resources/read).
    void inputRoundAsked(koan::ProtocolEra era, const QString &method);
    // A request refused with one of the modern era's own codes (-32020 header mismatch, -32021
    // missing client capability, -32022 unsupported version), for metrics.
    void protocolRejected(koan::ProtocolEra era, int code);
    // A 2026-07-28 retry whose requestState was refused; `reason` as RequestStateSeal::Opened.
    void requestStateRefused(const QString &reason);
    // A stateless (2026-07-28) request answered, for the Overview's era chart; `caller` is the
    // principal's identity key, empty when anonymous.
    void statelessAnswered(const QString &caller);

private:
    void dispatchOne(const QJsonValue &message, const SessionPtr &session, const Send &related, Done done);
    void dispatchRequest(const QString &method, const QJsonValue &id, const QJsonObject &params,
                         const SessionPtr &session, const Send &related, Done done);
    void handleInitialize(const QJsonValue &id, const QJsonObject &params, const SessionPtr &session, Done done);
    void handleToolsList(const QJsonValue &id, const QJsonObject &params, const SessionPtr &session, Done done);
    void handleToolsCall(const QJsonValue &id, const QJsonObject &params, const SessionPtr &session,
                         const Send &related, Done done);
    void handleResponse(const QJsonObject &response, const SessionPtr &session);
    // `done` that also emits toolCallRecorded with the reply it passes on.
    Done recording(const QJsonValue &id, const QJsonObject &params, const McpSession &session, const QString &tool,
                   Done done);
    bool tasksEnabled() const { return m_tasks && m_tasks->enabled(); }
    static bool declaresTasks(const McpSession &session);
    // tasks/get, tasks/update, tasks/cancel of a request that declared the extension.
    void handleTaskMethod(const QString &method, const QJsonValue &id, const QJsonObject &params,
                          const Principal &principal, Done done);
    // Runs a tools/call as a task: the CreateTaskResult now, the tool's answer into the task.
    void startTask(const QJsonValue &id, ToolProvider *provider, ToolCall call, const SessionPtr &session, Done done);
    // Creates the task for `call` and binds the call to it (cancel flag, progress, input, failure);
    // *complete is where the tool's answer goes. `admitted`: once the task is durable, with the
    // CreateTaskResult, or with the refusal (a limit, the store failed or did not answer).
    using Admitted = std::function<void(const std::optional<ToolFailure> &refused, const QJsonObject &created)>;
    void createTask(ToolCall &call, const SessionPtr &session, std::function<void(const QJsonObject &)> *complete,
                    Admitted admitted);
    // A task's InputAsk: each question becomes one of its inputRequests; tasks/update answers.
    static InputAsk taskInputAsk(const TaskService::Started &started);
    // The InputAsk of one request; `endRound` ends it with an input_required result (2026-07-28).
    InputAsk inputAskFor(const SessionPtr &session, const QString &method, const QJsonObject &params,
                         const Send &related, std::function<void(const QJsonObject &inputRequired)> endRound);
    // 2026-07-28: the answers a retry brings (requestState's, then inputResponses); an error if
    // either is malformed or the state does not open for this caller, method and params.
    std::optional<RpcError> openInputRound(const QString &method, const QJsonObject &params, const Principal &principal,
                                           QJsonObject *answers);
    bool servesModern(const QString &method) const;
    // tools/call on HTTP: the Mcp-Param-* headers against the arguments of a tool the caller may call.
    std::optional<ModernRejection> paramHeaderRejection(const QJsonObject &params, const ModernHeaders &headers,
                                                        const McpSession &caller) const;

    ServerInfo m_info;
    QList<ToolProvider *> m_providers;
    ContentDispatcher m_content;
    QList<std::weak_ptr<McpSession>> m_sessions; // initialized legacy sessions, for publish()
    QHash<QString, MethodHandler> m_methods;
    QJsonObject m_extraCapabilities;
    int m_pageSize = 100;
    QHash<QString, QJsonObject> m_requiredClientCapabilities;
    TaskService *m_tasks = nullptr;
    bool m_listenServed = true;
    RequestStateSeal m_stateSeal;
    // One open subscriptions/listen request: what it asked for, where its messages go.
    struct Listener {
        QJsonValue subscriptionId;
        bool tools = false, prompts = false, resources = false;
        QStringList resourceUris;
        QStringList taskIds; // the caller's own tasks it asked about (notifications/tasks)
        Send send;
        CancelFlag closed;  // set by the transport when the stream ends
        StatelessDone done; // the listen request's answer: only its graceful end
    };
    QList<Listener> m_listeners;
    void startListen(const QJsonValue &id, const QJsonObject &params, const McpSession &caller, const Send &related,
                     const CancelFlag &closed, StatelessDone done);
    // Sends the listen's acknowledgement (what of its filter is honoured) and starts serving it.
    void acknowledgeListen(Listener l);
    void pushToSessions(const QString &method, const QJsonObject &params);
    void publishTask(const QString &taskId, const QJsonObject &task);
};

} // namespace koan
