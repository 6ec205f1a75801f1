#include "RpcBridge.h"

#include "protocol/JsonRpc.h"
#include "protocol/JsonSchemaValidator.h"
#include "protocol/ProtocolVersion.h"
#include "logging/LogSink.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QMetaMethod>
#include <utility>

Q_LOGGING_CATEGORY(lcRpc, "koan.rpc")

namespace koan {

namespace rpc = jsonrpc;

namespace {
const QStringList kLogLevels{QStringLiteral("debug"),   QStringLiteral("info"),     QStringLiteral("notice"),
                             QStringLiteral("warning"), QStringLiteral("error"),    QStringLiteral("critical"),
                             QStringLiteral("alert"),   QStringLiteral("emergency")};

QString encodeCursor(int offset)
{
    return QString::fromLatin1(QByteArray("o:" + QByteArray::number(offset)).toBase64());
}

// The requests that may answer input_required (SEP-2322); tasks/result is not served.
bool takesInput(const QString &method)
{
    return method == QLatin1String("tools/call") || method == QLatin1String("prompts/get")
           || method == QLatin1String("resources/read");
}

// The W3C trace id a request's params._meta.traceparent names (either era); empty if none or malformed.
QString traceIdOf(const QJsonObject &params)
{
    return traceIdFromTraceparent(params.value(QLatin1String("_meta")).toObject().value(QLatin1String("traceparent")));
}

// One line per finished tools/call (debug: `koan.rpc.debug=true`, so a busy server does not flood
// its log), with the call's session and trace id; never its arguments.
void logToolCall(const QString &sessionId, const QString &traceId, const QString &tool, const QString &outcome,
                 double durationMs)
{
    if (!lcRpc().isDebugEnabled())
        return;
    const LogSink::SessionScope session(sessionId);
    const LogSink::TraceScope trace(traceId);
    qCDebug(lcRpc).noquote() << "tools/call" << tool << outcome << "in" << QString::number(durationMs, 'f', 2) << "ms";
}

std::optional<int> decodeCursor(const QString &cursor)
{
    const QByteArray raw = QByteArray::fromBase64(cursor.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!raw.startsWith("o:"))
        return std::nullopt;
    bool ok = false;
    const int offset = raw.mid(2).toInt(&ok);
    if (!ok || offset < 0)
        return std::nullopt;
    return offset;
}

// The answers to one round of server-to-client requests (a task's or a 2025 session's): each
// client response is kept under its request's key, and the last one hands them all on.
struct PendingAnswers {
    InputAnswers answers;
    int outstanding = 0;
    std::function<void(const InputAnswers &)> onAnswers;

    void deliver(const QString &key, const QJsonObject &response)
    {
        answers.insert(key, response.contains(QLatin1String("error"))
                                ? QJsonObject{{QStringLiteral("error"), response.value("error")}}
                                : QJsonObject{{QStringLiteral("result"), response.value("result")}});
        if (--outstanding == 0)
            onAnswers(answers);
    }
};
} // namespace

RpcBridge::RpcBridge(ServerInfo info, QObject *parent) : QObject(parent), m_info(std::move(info)) { }

void RpcBridge::addToolProvider(ToolProvider *provider)
{
    m_providers.append(provider);
}

void RpcBridge::addMethod(const QString &method, MethodHandler handler)
{
    m_methods.insert(method, std::move(handler));
}

void RpcBridge::addCapabilities(const QJsonObject &capabilities)
{
    for (auto it = capabilities.begin(); it != capabilities.end(); ++it)
        m_extraCapabilities.insert(it.key(), it.value());
}

QJsonObject RpcBridge::capabilities() const
{
    // listChanged: entity overrides change the tool list at runtime (publish() announces it).
    QJsonObject caps{{QStringLiteral("tools"), QJsonObject{{QStringLiteral("listChanged"), true}}},
                     {QStringLiteral("logging"), QJsonObject{}}};
    if (m_content.hasResources())
        caps.insert(QStringLiteral("resources"),
                    QJsonObject{{QStringLiteral("subscribe"), true}, {QStringLiteral("listChanged"), true}});
    if (m_content.hasPrompts())
        caps.insert(QStringLiteral("prompts"), QJsonObject{{QStringLiteral("listChanged"), true}});
    if (m_content.hasPrompts() || m_content.hasResources())
        caps.insert(QStringLiteral("completions"), QJsonObject{});
    for (auto it = m_extraCapabilities.begin(); it != m_extraCapabilities.end(); ++it)
        caps.insert(it.key(), it.value());
    return caps;
}

QList<ToolDefinition> RpcBridge::visibleTools(const McpSession &session) const
{
    QList<ToolDefinition> all;
    for (const ToolProvider *p : m_providers)
        all += p->tools(session);
    return all;
}

void RpcBridge::handle(const QByteArray &body, const SessionPtr &session, Send related, Done done)
{
    const rpc::ParseResult parsed = rpc::parse(body);
    if (!parsed.ok) {
        done(rpc::makeError(parsed));
        return;
    }
    handleValue(parsed.value, session, std::move(related), std::move(done));
}

void RpcBridge::handleValue(const QJsonValue &message, const SessionPtr &session, Send related, Done done)
{
    if (!message.isArray()) {
        dispatchOne(message, session, related, std::move(done));
        return;
    }
    const QJsonArray batch = message.toArray();
    if (!protocol::allowsBatches(session->protocolVersion)) {
        done(rpc::makeError(QJsonValue::Null, rpc::InvalidRequest,
                            QStringLiteral("Invalid Request: JSON-RPC batches are not supported in protocol version %1 "
                                           "(only 2025-03-26 allows them)")
                                .arg(session->protocolVersion.isEmpty() ? QStringLiteral("(not negotiated)")
                                                                        : session->protocolVersion)));
        return;
    }
    if (batch.isEmpty()) {
        done(rpc::makeError(QJsonValue::Null, rpc::InvalidRequest, QStringLiteral("Invalid Request: empty batch")));
        return;
    }
    // Collect every member's reply, keep batch order, answer once all are in.
    struct Pending {
        QList<QJsonValue> replies;
        int outstanding;
        Done done;
    };
    auto pending
        = std::make_shared<Pending>(Pending{QList<QJsonValue>(batch.size()), int(batch.size()), std::move(done)});
    for (qsizetype i = 0; i < batch.size(); ++i) {
        dispatchOne(batch.at(i), session, related, [pending, i](const QJsonValue &reply) {
            pending->replies[i] = reply;
            if (--pending->outstanding > 0)
                return;
            QJsonArray out;
            for (const auto &r : std::as_const(pending->replies))
                if (!r.isUndefined())
                    out.append(r);
            pending->done(out.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(out));
        });
    }
}

void RpcBridge::requireClientCapabilities(const QString &tool, const QJsonObject &capabilities)
{
    m_requiredClientCapabilities.insert(tool, capabilities);
}

void RpcBridge::setTaskService(TaskService *tasks)
{
    m_tasks = tasks;
    if (m_tasks)
        m_tasks->setObserver([this](const QString &taskId, const QJsonObject &task) { publishTask(taskId, task); });
}

bool RpcBridge::declaresTasks(const McpSession &session)
{
    return session.clientCapabilities.value(QLatin1String("extensions"))
        .toObject()
        .value(TaskService::extensionId())
        .isObject();
}

QJsonObject RpcBridge::modernCapabilities() const
{
    QJsonObject caps = capabilities();
    if (tasksEnabled()) {
        // No settings are defined for the extension: an empty object says it is supported.
        QJsonObject extensions = caps.value(QLatin1String("extensions")).toObject();
        extensions.insert(TaskService::extensionId(), QJsonObject{});
        caps.insert(QStringLiteral("extensions"), extensions);
    }
    if (m_listenServed)
        return caps;
    // Without subscriptions/listen nothing could deliver a list change or a resource update.
    for (const char *key : {"tools", "prompts", "resources"}) {
        const QString k = QLatin1String(key);
        if (!caps.contains(k))
            continue;
        QJsonObject c = caps.value(k).toObject();
        c.remove(QStringLiteral("listChanged"));
        c.remove(QStringLiteral("subscribe"));
        caps.insert(k, c);
    }
    return caps;
}

QJsonObject RpcBridge::discoverResult() const
{
    QJsonObject serverInfo{{QStringLiteral("name"), m_info.name}, {QStringLiteral("version"), m_info.version}};
    if (!m_info.title.isEmpty())
        serverInfo.insert(QStringLiteral("title"), m_info.title);
    QJsonObject result{
        {QStringLiteral("supportedVersions"), QJsonArray::fromStringList(ModernEra::supportedVersions())},
        {QStringLiteral("capabilities"), modernCapabilities()},
        {QStringLiteral("_meta"), QJsonObject{{ModernEra::metaKey("serverInfo"), serverInfo}}}};
    if (!m_info.instructions.isEmpty())
        result.insert(QStringLiteral("instructions"), m_info.instructions);
    // The same for every caller; it changes only with the server's configuration.
    ModernEra::stampResult(QStringLiteral("server/discover"), result, false, 300000);
    return result;
}

void RpcBridge::startListen(const QJsonValue &id, const QJsonObject &params, const McpSession &caller,
                            const Send &related, const CancelFlag &closed, StatelessDone done)
{
    const QJsonObject caps = modernCapabilities();
    const QJsonObject asked = params.value(QLatin1String("notifications")).toObject();
    const auto wants = [&asked](const char *key) { return asked.value(QLatin1String(key)).toBool(); };
    Listener l;
    l.subscriptionId = id;
    l.tools = wants("toolsListChanged") && caps.value(QLatin1String("tools")).toObject().value("listChanged").toBool();
    l.prompts
        = wants("promptsListChanged") && caps.value(QLatin1String("prompts")).toObject().value("listChanged").toBool();
    const QJsonObject resources = caps.value(QLatin1String("resources")).toObject();
    l.resources = wants("resourcesListChanged") && resources.value(QLatin1String("listChanged")).toBool();
    if (resources.value(QLatin1String("subscribe")).toBool())
        for (const QJsonValue &uri : asked.value(QLatin1String("resourceSubscriptions")).toArray())
            // Only what the caller may read: an update must not tell others that a record changed.
            if (uri.isString() && m_content.access(uri.toString(), caller).verdict == ToolAccess::Allowed)
                l.resourceUris << uri.toString();
    l.send = related;
    l.closed = closed;
    l.done = std::move(done);
    QStringList taskIds;
    if (tasksEnabled())
        for (const QJsonValue &taskId : asked.value(QLatin1String("taskIds")).toArray())
            if (taskId.isString())
                taskIds << taskId.toString();
    if (taskIds.isEmpty())
        return acknowledgeListen(std::move(l));
    // Only the caller's own tasks: another's id is left out of the acknowledgement (read from the
    // store, off the event loop: the acknowledgement follows).
    m_tasks->owned(caller.principal, taskIds, [this, l](const QStringList &owned) mutable {
        l.taskIds = owned;
        if (!l.closed->load())
            acknowledgeListen(std::move(l));
    });
}

void RpcBridge::acknowledgeListen(Listener l)
{
    // The acknowledgement names the part of the filter that is honoured.
    QJsonObject honoured;
    if (l.tools)
        honoured.insert(QStringLiteral("toolsListChanged"), true);
    if (l.prompts)
        honoured.insert(QStringLiteral("promptsListChanged"), true);
    if (l.resources)
        honoured.insert(QStringLiteral("resourcesListChanged"), true);
    if (!l.resourceUris.isEmpty())
        honoured.insert(QStringLiteral("resourceSubscriptions"), QJsonArray::fromStringList(l.resourceUris));
    if (!l.taskIds.isEmpty())
        honoured.insert(QStringLiteral("taskIds"), QJsonArray::fromStringList(l.taskIds));
    l.send(rpc::makeNotification(
        QStringLiteral("notifications/subscriptions/acknowledged"),
        QJsonObject{{QStringLiteral("_meta"), QJsonObject{{ModernEra::metaKey("subscriptionId"), l.subscriptionId}}},
                    {QStringLiteral("notifications"), honoured}}));
    m_listeners.append(std::move(l));
}

bool RpcBridge::endListen(const CancelFlag &listen)
{
    const auto it = std::find_if(m_listeners.begin(), m_listeners.end(),
                                 [&listen](const Listener &l) { return l.closed == listen; });
    if (it == m_listeners.end() || it->closed->load())
        return false;
    const Listener l = *it;
    m_listeners.erase(it);
    l.closed->store(true);
    // basic/patterns/subscriptions.mdx, Graceful Closure: no data beyond resultType and the id.
    const QJsonObject result{
        {QStringLiteral("resultType"), QStringLiteral("complete")},
        {QStringLiteral("_meta"), QJsonObject{{ModernEra::metaKey("subscriptionId"), l.subscriptionId}}}};
    if (l.done)
        l.done(rpc::makeResult(l.subscriptionId, result), 200);
    return true;
}

void RpcBridge::publish(const QJsonObject &notification)
{
    m_listeners.erase(
        std::remove_if(m_listeners.begin(), m_listeners.end(), [](const Listener &l) { return l.closed->load(); }),
        m_listeners.end());
    const QString method = notification.value(QLatin1String("method")).toString();
    const QJsonObject params = notification.value(QLatin1String("params")).toObject();
    const QList<Listener> listeners = m_listeners; // a send may close a stream
    for (const Listener &l : listeners) {
        const bool wanted = (method == QLatin1String("notifications/tools/list_changed") && l.tools)
                            || (method == QLatin1String("notifications/prompts/list_changed") && l.prompts)
                            || (method == QLatin1String("notifications/resources/list_changed") && l.resources)
                            || (method == QLatin1String("notifications/resources/updated")
                                && l.resourceUris.contains(params.value(QLatin1String("uri")).toString()));
        if (!wanted || l.closed->load())
            continue;
        QJsonObject tagged = params;
        QJsonObject meta = tagged.value(QLatin1String("_meta")).toObject();
        meta.insert(ModernEra::metaKey("subscriptionId"), l.subscriptionId);
        tagged.insert(QStringLiteral("_meta"), meta);
        l.send(rpc::makeNotification(method, tagged));
    }
    pushToSessions(method, params);
}

int RpcBridge::listenStreams() const
{
    return int(
        std::count_if(m_listeners.begin(), m_listeners.end(), [](const Listener &l) { return !l.closed->load(); }));
}

QStringList RpcBridge::subscribedResources() const
{
    QSet<QString> uris;
    for (const auto &weak : m_sessions)
        if (const SessionPtr s = weak.lock())
            uris.unite(s->resourceSubscriptions);
    for (const Listener &l : m_listeners)
        if (!l.closed->load())
            for (const QString &u : l.resourceUris)
                uris.insert(u);
    QStringList out(uris.begin(), uris.end());
    out.sort();
    return out;
}

void RpcBridge::pushToSessions(const QString &method, const QJsonObject &params)
{
    const bool update = method == QLatin1String("notifications/resources/updated");
    const QString uri = params.value(QLatin1String("uri")).toString();
    QList<SessionPtr> targets;
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        SessionPtr s = it->lock();
        if (!s) {
            it = m_sessions.erase(it);
            continue;
        }
        if (s->push && (!update || s->resourceSubscriptions.contains(uri)))
            targets << s;
        ++it;
    }
    const QJsonObject message = rpc::makeNotification(method, params);
    for (const SessionPtr &s : std::as_const(targets))
        s->push(message); // may close the session: the list above holds it
}

void RpcBridge::publishTask(const QString &taskId, const QJsonObject &task)
{
    const QList<Listener> listeners = m_listeners; // a send may close a stream
    for (const Listener &l : listeners) {
        if (l.closed->load() || !l.taskIds.contains(taskId))
            continue;
        QJsonObject params = task;
        params.remove(QStringLiteral("resultType"));
        params.insert(QStringLiteral("_meta"), QJsonObject{{ModernEra::metaKey("subscriptionId"), l.subscriptionId}});
        l.send(rpc::makeNotification(QStringLiteral("notifications/tasks"), params));
    }
}

bool RpcBridge::servesModern(const QString &method) const
{
    if (method == QLatin1String("tasks/get") || method == QLatin1String("tasks/update")
        || method == QLatin1String("tasks/cancel"))
        return tasksEnabled();
    if (ModernEra::isRemovedMethod(method))
        return false;
    if (method == QLatin1String("subscriptions/listen"))
        return m_listenServed;
    return method == QLatin1String("server/discover") || method == QLatin1String("tools/list")
           || method == QLatin1String("tools/call") || m_content.serves(method) || m_methods.contains(method);
}

std::optional<ModernRejection> RpcBridge::paramHeaderRejection(const QJsonObject &params, const ModernHeaders &headers,
                                                               const McpSession &caller) const
{
    const QString name = params.value(QLatin1String("name")).toString();
    for (ToolProvider *p : std::as_const(m_providers)) {
        const ToolAccess access = p->access(name, caller);
        if (access.verdict == ToolAccess::Unknown)
            continue;
        // A tool the caller may not call keeps its usual answer (not found, -32003): its schema stays unseen.
        const ToolDefinition *def = p->definition(name);
        if (access.verdict != ToolAccess::Allowed || !def)
            return std::nullopt;
        return ModernEra::validateParamHeaders(def->inputSchema, params.value(QLatin1String("arguments")).toObject(),
                                               headers);
    }
    return std::nullopt;
}

CancelFlag RpcBridge::handleStateless(const QJsonObject &message, const ModernHeaders *headers,
                                      const Principal &principal, TransportKind transport, Send related,
                                      StatelessDone answer)
{
    // Every answer passes here, so each refusal with the era's own codes is counted once.
    StatelessDone done = [this, answer = std::move(answer),
                          caller = principal.authenticated ? principal.identityKey()
                                                           : QString()](const QJsonValue &reply, int httpStatus) {
        emit statelessAnswered(caller);
        const int code = reply.toObject().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt();
        if (code == ModernEra::HeaderMismatch || code == ModernEra::MissingRequiredClientCapability
            || code == ModernEra::UnsupportedProtocolVersion)
            emit protocolRejected(ProtocolEra::Modern, code);
        answer(reply, httpStatus);
    };
    CancelFlag flag = std::make_shared<std::atomic_bool>(false);
    const rpc::Message m = rpc::classify(message);
    if (m.kind == rpc::Kind::Invalid) {
        done(rpc::makeError(m.id, rpc::InvalidRequest, QStringLiteral("Invalid Request: %1").arg(m.invalidReason)),
             400);
        return flag;
    }
    if (m.kind != rpc::Kind::Request) {
        // Notifications are accepted and owe nothing; on HTTP a closed stream is the cancellation.
        done(QJsonValue::Undefined, 202);
        return flag;
    }
    if (const auto rejected = ModernEra::validate(message, headers)) {
        done(rpc::makeError(m.id, rejected->code, rejected->message, rejected->data), rejected->httpStatus);
        return flag;
    }
    if (!servesModern(m.method)) {
        done(rpc::makeError(m.id, rpc::MethodNotFound,
                            ModernEra::isRemovedMethod(m.method)
                                ? QStringLiteral("Method not found: %1 is not part of protocol version %2")
                                      .arg(m.method, ModernEra::version())
                                : QStringLiteral("Method not found: %1").arg(m.method)),
             404);
        return flag;
    }
    const QJsonObject params = m.params.toObject();
    if (headers && m.method == QLatin1String("tools/call"))
        if (const auto rejected = paramHeaderRejection(params, *headers, McpSession(QString(), transport, principal))) {
            done(rpc::makeError(m.id, rejected->code, rejected->message, rejected->data), rejected->httpStatus);
            return flag;
        }
    const QJsonObject meta = params.value(QLatin1String("_meta")).toObject();
    const QJsonObject declared = meta.value(ModernEra::metaKey("clientCapabilities")).toObject();
    const QJsonObject tasksCapability{
        {QStringLiteral("extensions"), QJsonObject{{TaskService::extensionId(), QJsonObject{}}}}};
    const bool taskMethod = m.method.startsWith(QLatin1String("tasks/"));
    const bool tasksListen
        = m.method == QLatin1String("subscriptions/listen")
          && params.value(QLatin1String("notifications")).toObject().contains(QLatin1String("taskIds"));
    if (taskMethod || tasksListen || m.method == QLatin1String("tools/call")) {
        QJsonObject required;
        if (taskMethod || tasksListen)
            required = tasksCapability;
        else if (const auto it = m_requiredClientCapabilities.constFind(params.value(QLatin1String("name")).toString());
                 it != m_requiredClientCapabilities.constEnd())
            required = *it;
        if (!taskMethod && !tasksListen) {
            // A tool that only runs as a task needs the extension like any other capability.
            const QString tool = params.value(QLatin1String("name")).toString();
            for (ToolProvider *p : std::as_const(m_providers))
                if (const ToolDefinition *def = p->definition(tool)) {
                    if (def->taskSupport == TaskSupport::Required)
                        required.insert(QStringLiteral("extensions"), tasksCapability.value("extensions"));
                    break;
                }
        }
        if (!required.isEmpty()) {
            const QJsonObject missing = ModernEra::missingCapabilities(required, declared);
            if (!missing.isEmpty()) {
                QStringList names = missing.keys();
                if (missing.contains(QLatin1String("extensions"))) {
                    names.removeAll(QStringLiteral("extensions"));
                    names += missing.value(QLatin1String("extensions")).toObject().keys();
                }
                done(rpc::makeError(
                         m.id, ModernEra::MissingRequiredClientCapability,
                         QStringLiteral("Missing required client capability: %1").arg(names.join(QLatin1String(", "))),
                         QJsonObject{{QStringLiteral("requiredCapabilities"), missing}}),
                     400);
                return flag;
            }
        }
    }
    if (taskMethod) {
        handleTaskMethod(m.method, m.id, params, principal, [flag, done](const QJsonValue &reply) {
            if (flag->load())
                return done(QJsonValue::Undefined, 202);
            done(reply, ModernEra::httpStatusFor(reply));
        });
        return flag;
    }
    if (m.method == QLatin1String("server/discover")) {
        done(rpc::makeResult(m.id, discoverResult()), 200);
        return flag;
    }
    if (m.method == QLatin1String("subscriptions/listen")) {
        // A long-lived answer: the acknowledgement now, changes later; `done` only if refused.
        McpSession caller(QString(), transport, principal);
        caller.era = ProtocolEra::Modern;
        startListen(m.id, params, caller, related, flag, done);
        return flag;
    }

    // MRTR: a retry of tools/call, prompts/get or resources/read brings answers (and a state).
    QJsonObject answers;
    if (takesInput(m.method))
        if (const auto refused = openInputRound(m.method, params, principal, &answers)) {
            done(rpc::makeError(m.id, refused->code, refused->message, refused->data), 200);
            return flag;
        }

    // The request's own session: what _meta declares, for this request only.
    auto session = std::make_shared<McpSession>(QString(), transport, principal);
    session->inputAnswers = answers;
    session->era = ProtocolEra::Modern;
    session->initialized = session->ready = true;
    session->protocolVersion = ModernEra::version();
    session->clientCapabilities = meta.value(ModernEra::metaKey("clientCapabilities")).toObject();
    session->clientInfo = meta.value(ModernEra::metaKey("clientInfo")).toObject();
    const QString logLevel = meta.value(ModernEra::metaKey("logLevel")).toString();
    // No logLevel: no notifications/message at all (a level no message reaches, and the filter below).
    session->logLevel = kLogLevels.contains(logLevel) ? logLevel : QString();
    session->inflight.insert(McpSession::idKey(m.id), flag);

    // Only notifications, and log messages only at or above the requested level.
    const int threshold = kLogLevels.indexOf(session->logLevel);
    Send filtered = [related, threshold](const QJsonObject &out) {
        if (out.contains(QLatin1String("id")))
            return; // the modern era has no server-to-client requests
        if (out.value(QLatin1String("method")).toString() == QLatin1String("notifications/message")) {
            const int level = kLogLevels.indexOf(
                out.value(QLatin1String("params")).toObject().value(QLatin1String("level")).toString());
            if (threshold < 0 || level < threshold)
                return;
        }
        related(out);
    };
    const QString method = m.method;
    const bool privateScope = principal.authenticated; // scope-filtered answers differ per token
    const int ttlMs = method == QLatin1String("resources/read") ? 0 : 60000;
    Done finish = [session, method, privateScope, ttlMs, flag, done = std::move(done)](const QJsonValue &reply) {
        if (flag->load())
            return done(QJsonValue::Undefined, 202); // the client went away
        QJsonObject out = reply.toObject();
        if (out.value(QLatin1String("result")).isObject()) {
            QJsonObject result = out.value(QLatin1String("result")).toObject();
            ModernEra::stampResult(method, result, privateScope, ttlMs);
            out.insert(QStringLiteral("result"), result);
        }
        done(out, ModernEra::httpStatusFor(out));
    };
    dispatchRequest(method, m.id, params, session, filtered, std::move(finish));
    return flag;
}

void RpcBridge::dispatchOne(const QJsonValue &message, const SessionPtr &session, const Send &related, Done done)
{
    const rpc::Message m = rpc::classify(message);
    switch (m.kind) {
    case rpc::Kind::Invalid:
        done(rpc::makeError(m.id, rpc::InvalidRequest, QStringLiteral("Invalid Request: %1").arg(m.invalidReason)));
        return;
    case rpc::Kind::Response:
        handleResponse(m.object, session);
        done(QJsonValue::Undefined);
        return;
    case rpc::Kind::Notification: {
        if (m.method == QLatin1String("notifications/initialized")) {
            session->ready = true;
        } else if (m.method == QLatin1String("notifications/cancelled")) {
            const QJsonValue requestId = m.params.toObject().value(QLatin1String("requestId"));
            if (rpc::isValidId(requestId))
                if (CancelFlag flag = session->inflight.value(McpSession::idKey(requestId)))
                    flag->store(true);
        }
        done(QJsonValue::Undefined); // never answer a notification
        return;
    }
    case rpc::Kind::Request:
        break;
    }

    if (!m.params.isUndefined() && !m.params.isObject()) {
        done(rpc::makeError(m.id, rpc::InvalidParams, QStringLiteral("Invalid params: 'params' must be an object")));
        return;
    }
    if (!session->initialized && m.method != QLatin1String("initialize") && m.method != QLatin1String("ping")) {
        done(rpc::makeError(m.id, rpc::InvalidRequest,
                            QStringLiteral("Invalid Request: session not initialized; send 'initialize' first")));
        return;
    }

    // Track the request so notifications/cancelled can suppress its response.
    const QString key = McpSession::idKey(m.id);
    CancelFlag flag = std::make_shared<std::atomic_bool>(false);
    session->inflight.insert(key, flag);
    std::weak_ptr<McpSession> weak = session;
    Done finish = [weak, key, flag, done = std::move(done)](const QJsonValue &reply) {
        if (auto s = weak.lock())
            if (s->inflight.value(key) == flag)
                s->inflight.remove(key);
        done(flag->load() ? QJsonValue(QJsonValue::Undefined) : reply);
    };
    dispatchRequest(m.method, m.id, m.params.toObject(), session, related, std::move(finish));
}

void RpcBridge::dispatchRequest(const QString &method, const QJsonValue &id, const QJsonObject &params,
                                const SessionPtr &session, const Send &related, Done done)
{
    // Whatever the request logs while it runs names its trace (the tool_forbidden warning, ...).
    const LogSink::TraceScope trace(traceIdOf(params));
    if (method == QLatin1String("initialize"))
        return handleInitialize(id, params, session, std::move(done));
    if (method == QLatin1String("ping"))
        return done(rpc::makeResult(id, QJsonObject{}));
    if (method == QLatin1String("tools/list"))
        return handleToolsList(id, params, session, std::move(done));
    if (method == QLatin1String("tools/call"))
        return handleToolsCall(id, params, session, related, std::move(done));
    if (method == QLatin1String("logging/setLevel")) {
        const QString level = params.value(QLatin1String("level")).toString();
        if (!kLogLevels.contains(level))
            return done(rpc::makeError(
                id, rpc::InvalidParams,
                QStringLiteral("Invalid params: 'level' must be one of %1").arg(kLogLevels.join(QLatin1String(", ")))));
        session->logLevel = level;
        return done(rpc::makeResult(id, QJsonObject{}));
    }
    if (m_content.serves(method) && !m_methods.contains(method)) {
        // Answered once: an input_required round may end the request before the prompt would.
        auto settled = std::make_shared<bool>(false);
        // Holds the session: a provider may answer later (resources from the store worker).
        ContentDispatcher::Done reply = [id, done, settled, session](const QJsonValue &result,
                                                                     const std::optional<RpcError> &error) {
            if (std::exchange(*settled, true))
                return;
            done(error ? rpc::makeError(id, error->code, error->message, error->data) : rpc::makeResult(id, result));
        };
        return m_content.dispatch(
            method, params, *session, reply,
            inputAskFor(session, method, params, related,
                        [reply](const QJsonObject &inputRequired) { reply(inputRequired, std::nullopt); }));
    }
    const auto custom = m_methods.constFind(method);
    if (custom == m_methods.constEnd())
        return done(rpc::makeError(id, rpc::MethodNotFound, QStringLiteral("Method not found: %1").arg(method)));

    // Answered once: an input_required round may end the request before the handler would.
    auto settled = std::make_shared<bool>(false);
    MethodResult reply = [id, done, settled](const QJsonValue &result, const std::optional<RpcError> &error) {
        if (std::exchange(*settled, true))
            return;
        done(error ? rpc::makeError(id, error->code, error->message, error->data) : rpc::makeResult(id, result));
    };
    RequestContext ctx{session,
                       id,
                       params,
                       session->inflight.value(McpSession::idKey(id)),
                       related,
                       inputAskFor(session, method, params, related,
                                   [reply](const QJsonObject &inputRequired) { reply(inputRequired, std::nullopt); })};
    (*custom)(ctx, reply);
}

void RpcBridge::handleInitialize(const QJsonValue &id, const QJsonObject &params, const SessionPtr &session, Done done)
{
    if (session->initialized)
        return done(
            rpc::makeError(id, rpc::InvalidRequest, QStringLiteral("Invalid Request: Server already initialized")));
    const QJsonValue requested = params.value(QLatin1String("protocolVersion"));
    if (!requested.isString())
        return done(rpc::makeError(id, rpc::InvalidParams,
                                   QStringLiteral("Invalid params: 'protocolVersion' must be a string")));
    session->protocolVersion = protocol::negotiate(requested.toString());
    session->clientInfo = params.value(QLatin1String("clientInfo")).toObject();
    session->clientCapabilities = params.value(QLatin1String("capabilities")).toObject();
    session->initialized = true;

    QJsonObject serverInfo{{QStringLiteral("name"), m_info.name}, {QStringLiteral("version"), m_info.version}};
    if (!m_info.title.isEmpty())
        serverInfo.insert(QStringLiteral("title"), m_info.title);
    QJsonObject result{{QStringLiteral("protocolVersion"), session->protocolVersion},
                       {QStringLiteral("capabilities"), capabilities()},
                       {QStringLiteral("serverInfo"), serverInfo}};
    if (!m_info.instructions.isEmpty())
        result.insert(QStringLiteral("instructions"), m_info.instructions);
    // List changes and resource updates reach it through its push channel. Ended sessions are
    // dropped here too: a weak_ptr keeps a make_shared session's memory until it goes.
    m_sessions.erase(std::remove_if(m_sessions.begin(), m_sessions.end(),
                                    [](const std::weak_ptr<McpSession> &w) { return w.expired(); }),
                     m_sessions.end());
    m_sessions.append(session);
    emit sessionInitialized(session->id, session->clientInfo, session->protocolVersion);
    done(rpc::makeResult(id, result));
}

void RpcBridge::handleToolsList(const QJsonValue &id, const QJsonObject &params, const SessionPtr &session, Done done)
{
    int offset = 0;
    const QJsonValue cursor = params.value(QLatin1String("cursor"));
    if (!cursor.isUndefined() && !cursor.isNull()) {
        const auto decoded = cursor.isString() ? decodeCursor(cursor.toString()) : std::nullopt;
        if (!decoded)
            return done(rpc::makeError(id, rpc::InvalidParams, QStringLiteral("Invalid params: unknown cursor")));
        offset = *decoded;
    }
    const QList<ToolDefinition> all = visibleTools(*session);
    QJsonArray tools;
    for (int i = offset; i < all.size() && i < offset + m_pageSize; ++i)
        tools.append(all.at(i).toJson());
    QJsonObject result{{QStringLiteral("tools"), tools}};
    if (offset + m_pageSize < all.size())
        result.insert(QStringLiteral("nextCursor"), encodeCursor(offset + m_pageSize));
    done(rpc::makeResult(id, result));
}

void RpcBridge::handleToolsCall(const QJsonValue &id, const QJsonObject &params, const SessionPtr &session,
                                const Send &related, Done done)
{
    const QJsonValue nameValue = params.value(QLatin1String("name"));
    if (!nameValue.isString() || nameValue.toString().isEmpty())
        return done(rpc::makeError(id, rpc::InvalidParams,
                                   QStringLiteral("Invalid params: 'name' must be a non-empty string")));
    const QString name = nameValue.toString();
    const QJsonValue args = params.value(QLatin1String("arguments"));
    if (!args.isUndefined() && !args.isNull() && !args.isObject())
        return done(
            rpc::makeError(id, rpc::InvalidParams, QStringLiteral("Invalid params: 'arguments' must be an object")));

    QElapsedTimer checkTimer;
    checkTimer.start();
    ToolProvider *provider = nullptr;
    ToolAccess access;
    for (ToolProvider *p : std::as_const(m_providers)) {
        access = p->access(name, *session);
        if (access.verdict != ToolAccess::Unknown) {
            provider = p;
            break;
        }
    }
    if (!provider) {
        emit toolCallRejected(session->id, QString(), QStringLiteral("not_found"), checkTimer.nsecsElapsed() / 1e6);
        return done(rpc::makeError(id, rpc::InvalidParams, QStringLiteral("Unknown tool: %1").arg(name)));
    }
    if (access.verdict == ToolAccess::Hidden) {
        emit toolCallRejected(session->id, name, QStringLiteral("not_found"), checkTimer.nsecsElapsed() / 1e6);
        return done(rpc::makeError(id, rpc::InvalidParams,
                                   QStringLiteral("Tool '%1' is not available: %2").arg(name, access.reason)));
    }
    if (access.verdict == ToolAccess::Denied) {
        emit toolCallDenied(session->id, session->transport,
                            session->principal.authenticated ? session->principal.subject : QString(), name,
                            access.reason);
        emit toolCallRejected(session->id, name, QStringLiteral("denied"), checkTimer.nsecsElapsed() / 1e6);
        return done(rpc::makeError(id, rpc::Forbidden, QStringLiteral("Forbidden: %1").arg(access.reason),
                                   QJsonObject{{QStringLiteral("tool"), name}}));
    }

    if (isSignalConnected(QMetaMethod::fromSignal(&RpcBridge::toolCallRecorded)))
        done = recording(id, params, *session, name, std::move(done));
    const ToolDefinition *def = provider->definition(name);
    const QJsonObject arguments = args.toObject();
    const QString sessionId = session->id;
    const QString traceId = traceIdOf(params);
    QElapsedTimer timer;
    timer.start();
    emit toolCallStarted(sessionId, name, arguments);
    // Settled once: an input_required round ends the call while the tool waits for its answers.
    auto settled = std::make_shared<bool>(false);
    auto finish = [this, id, done, sessionId, traceId, name, arguments, timer, settled](const QJsonObject &result) {
        if (std::exchange(*settled, true))
            return;
        const bool isError = result.value(QLatin1String("isError")).toBool();
        const bool inputRequired
            = result.value(QLatin1String("resultType")).toString() == QLatin1String("input_required");
        const QString outcome = inputRequired ? QStringLiteral("input_required")
                                : isError     ? QStringLiteral("error")
                                              : QStringLiteral("ok");
        const double ms = timer.nsecsElapsed() / 1e6;
        logToolCall(sessionId, traceId, name, outcome, ms);
        emit toolCallFinished(sessionId, name, arguments, result, ms, outcome);
        done(rpc::makeResult(id, result));
    };

    if (def && def->validateArguments) {
        const QStringList problems = protocol::JsonSchemaValidator::validate(arguments, def->inputSchema);
        if (!problems.isEmpty())
            return finish(toolErrorResult(
                QStringLiteral("invalid_arguments"),
                QStringLiteral("Invalid arguments for %1: %2").arg(name, problems.join(QLatin1String("; "))),
                QJsonArray::fromStringList(problems)));
    }

    ToolCall call;
    call.name = name;
    call.arguments = arguments;
    call.session = session;
    call.requestId = id;
    const QJsonObject meta = params.value(QLatin1String("_meta")).toObject();
    call.progressToken = meta.value(QLatin1String("progressToken"));
    call.traceId = traceId;
    call.cancelled = session->inflight.value(McpSession::idKey(id));
    call.notify = [related](const QString &method, const QJsonObject &p) { related(rpc::makeNotification(method, p)); };
    call.input = inputAskFor(session, QStringLiteral("tools/call"), params, related, finish);
    std::weak_ptr<McpSession> weak = session;
    // The server decides: a tool that may run as a task does so whenever the request declared the
    // extension (a legacy `task` parameter is ignored; 2025-11-25 sessions never get tasks).
    if (session->era == ProtocolEra::Modern && def && def->taskSupport != TaskSupport::Forbidden && tasksEnabled()
        && declaresTasks(*session)) {
        if (!def->taskAfterInput) {
            logToolCall(sessionId, traceId, name, QStringLiteral("task"), timer.nsecsElapsed() / 1e6);
            emit toolCallFinished(sessionId, name, arguments, QJsonObject{}, timer.nsecsElapsed() / 1e6,
                                  QStringLiteral("task"));
            return startTask(id, provider, std::move(call), session, std::move(done));
        }
        // The tool asks first (input_required rounds through call.input, below) and turns into a
        // task on the round that has its answers: this request then gets the CreateTaskResult.
        call.toTask = [this, id, done, session, sessionId, traceId, name, arguments, timer,
                       settled](ToolCall &c, std::function<void(const QJsonObject &)> &toolDone) {
            if (std::exchange(*settled, true))
                return false;
            // Refused at once only without a store worker; a later refusal sets the task's cancel
            // flag (and its answer goes nowhere) while the request gets the error.
            auto refusedNow = std::make_shared<bool>(false);
            createTask(c, session, &toolDone,
                       [this, id, done, sessionId, traceId, name, arguments, timer,
                        refusedNow](const std::optional<ToolFailure> &refused, const QJsonObject &created) {
                           if (refused) {
                               *refusedNow = true;
                               return done(rpc::makeError(id, refused->code, refused->message, refused->data));
                           }
                           logToolCall(sessionId, traceId, name, QStringLiteral("task"), timer.nsecsElapsed() / 1e6);
                           emit toolCallFinished(sessionId, name, arguments, QJsonObject{}, timer.nsecsElapsed() / 1e6,
                                                 QStringLiteral("task"));
                           done(rpc::makeResult(id, created));
                       });
            return !*refusedNow;
        };
    }
    call.fail = [id, done](const ToolFailure &f) { done(rpc::makeError(id, f.code, f.message, f.data)); };
    if (session->era == ProtocolEra::Modern) {
        // 2026-07-28 has no server-to-client requests (input_required rounds through call.input
        // instead): a raw request gets a refusal at once rather than a question nobody can answer.
        call.request
            = [id](const QString &method, const QJsonObject &, std::function<void(const QJsonObject &)> onResponse) {
                  onResponse(rpc::makeError(
                      id, rpc::MethodNotFound,
                      QStringLiteral("%1 cannot be sent in protocol version %2").arg(method, ModernEra::version())));
              };
        return provider->call(call, finish);
    }
    call.request = [weak, related](const QString &method, const QJsonObject &p,
                                   std::function<void(const QJsonObject &)> onResponse) {
        auto s = weak.lock();
        if (!s)
            return;
        const QJsonValue outId = QStringLiteral("koan-%1").arg(s->nextOutboundId++);
        s->pendingOutbound.insert(McpSession::idKey(outId), std::move(onResponse));
        related(rpc::makeRequest(outId, method, p));
    };
    provider->call(call, finish);
}

RpcBridge::Done RpcBridge::recording(const QJsonValue &id, const QJsonObject &params, const McpSession &session,
                                     const QString &tool, Done done)
{
    ToolCallRecord r;
    r.time = QDateTime::currentDateTimeUtc();
    r.sessionId = session.id;
    r.caller = session.clientInfo.value(QLatin1String("name")).toString();
    r.transport = session.transport;
    r.era = session.era;
    r.protocolVersion = session.protocolVersion;
    r.subject = session.principal.authenticated ? session.principal.subject : QString();
    r.tool = tool;
    r.arguments = params.value(QLatin1String("arguments")).toObject();
    r.traceId
        = traceIdFromTraceparent(params.value(QLatin1String("_meta")).toObject().value(QLatin1String("traceparent")));
    r.requestId = id;
    r.request = rpc::makeRequest(id, QStringLiteral("tools/call"), params);
    const CancelFlag cancelled = session.inflight.value(McpSession::idKey(id));
    QElapsedTimer timer;
    timer.start();
    return [this, r = std::move(r), cancelled, timer, done = std::move(done)](const QJsonValue &reply) mutable {
        r.durationMs = timer.nsecsElapsed() / 1e6;
        r.response = reply.toObject();
        r.result = r.response.value(QLatin1String("result")).toObject();
        const QString resultType = r.result.value(QLatin1String("resultType")).toString();
        if (cancelled && cancelled->load())
            r.outcome = QStringLiteral("cancelled");
        else if (r.response.contains(QLatin1String("error")))
            r.outcome = QStringLiteral("rpc_error");
        else if (resultType == QLatin1String("input_required") || resultType == QLatin1String("task"))
            r.outcome = resultType;
        else
            r.outcome = r.result.value(QLatin1String("isError")).toBool() ? QStringLiteral("tool_error")
                                                                          : QStringLiteral("ok");
        emit toolCallRecorded(r);
        done(reply);
    };
}

void RpcBridge::startTask(const QJsonValue &id, ToolProvider *provider, ToolCall call, const SessionPtr &session,
                          Done done)
{
    auto bound = std::make_shared<ToolCall>(std::move(call));
    auto complete = std::make_shared<std::function<void(const QJsonObject &)>>();
    // Durable before the answer and before the tool starts; the tool may even finish inside
    // call() (it then reads as completed on the first tasks/get).
    createTask(
        *bound, session, complete.get(),
        [id, provider, bound, complete, done](const std::optional<ToolFailure> &refused, const QJsonObject &created) {
            if (refused)
                return done(rpc::makeError(id, refused->code, refused->message, refused->data));
            provider->call(*bound, [complete](const QJsonObject &result) { (*complete)(result); });
            done(rpc::makeResult(id, created));
        });
}

void RpcBridge::createTask(ToolCall &call, const SessionPtr &session,
                           std::function<void(const QJsonObject &)> *complete, Admitted admitted)
{
    // `admitted` may come back inside start() (no store worker): it waits until the call is bound.
    struct Admission {
        bool bound = false;
        std::optional<std::optional<ToolFailure>> early;
        QJsonObject created;
    };
    auto admission = std::make_shared<Admission>();
    const auto started = m_tasks->start(session->principal, call.name, call.arguments,
                                        [admission, admitted](const std::optional<ToolFailure> &refused) {
                                            if (!admission->bound)
                                                return void(admission->early = refused);
                                            admitted(refused, admission->created);
                                        });
    call.asTask = true;
    call.cancelled = started.cancelled; // the task's own flag: it outlives this request
    call.notify = started.notify;
    call.fail = started.fail;
    // The request is (or is being) answered with the task: the task's questions are its
    // inputRequests, answered through tasks/update, never another input_required round.
    call.input = taskInputAsk(started);
    call.request = [](const QString &method, const QJsonObject &, std::function<void(const QJsonObject &)> onResponse) {
        onResponse(
            rpc::makeError(QJsonValue(), rpc::MethodNotFound,
                           QStringLiteral("%1 cannot be sent from a task: ask through the call's input").arg(method)));
    };
    call.progressToken = QJsonValue::Undefined;
    *complete = started.complete;
    admission->created = started.created;
    admission->created.insert(QStringLiteral("resultType"), QStringLiteral("task"));
    admission->bound = true;
    if (admission->early)
        admitted(*admission->early, admission->created);
}

InputAsk RpcBridge::taskInputAsk(const TaskService::Started &started)
{
    InputAsk input;
    // A task keeps its questions until the client answers them (tasks/update) or cancels it.
    input.can = [](const QString &method) { return !InputAsk::capabilityFor(method).isEmpty(); };
    input.ask = [request = started.request](const QList<InputRequest> &requests,
                                            std::function<void(const InputAnswers &)> onAnswers) {
        auto pending = std::make_shared<PendingAnswers>();
        pending->onAnswers = std::move(onAnswers);
        pending->outstanding = int(requests.size());
        if (requests.isEmpty())
            return pending->onAnswers(pending->answers);
        for (const InputRequest &r : requests)
            request(r.method, r.params,
                    [pending, key = r.key](const QJsonObject &response) { pending->deliver(key, response); });
    };
    return input;
}

void RpcBridge::handleTaskMethod(const QString &method, const QJsonValue &id, const QJsonObject &params,
                                 const Principal &principal, Done done)
{
    const QJsonValue taskId = params.value(QLatin1String("taskId"));
    if (!taskId.isString() || taskId.toString().isEmpty())
        return done(rpc::makeError(id, rpc::InvalidParams,
                                   QStringLiteral("Invalid params: 'taskId' must be a non-empty string")));
    const auto acked = [id, done](const std::optional<ToolFailure> &error) {
        if (error)
            return done(rpc::makeError(id, error->code, error->message, error->data));
        done(rpc::makeResult(id, QJsonObject{{QStringLiteral("resultType"), QStringLiteral("complete")}}));
    };
    if (method == QLatin1String("tasks/get"))
        return m_tasks->get(principal, taskId.toString(),
                            [id, done](const std::optional<QJsonObject> &task, const ToolFailure &error) {
                                if (!task)
                                    return done(rpc::makeError(id, error.code, error.message, error.data));
                                QJsonObject answer = *task;
                                answer.insert(QStringLiteral("resultType"), QStringLiteral("complete"));
                                done(rpc::makeResult(id, answer));
                            });
    if (method == QLatin1String("tasks/cancel"))
        return m_tasks->cancel(principal, taskId.toString(), acked);
    // tasks/update
    const QJsonValue responses = params.value(QLatin1String("inputResponses"));
    if (!responses.isObject())
        return done(rpc::makeError(id, rpc::InvalidParams,
                                   QStringLiteral("Invalid params: 'inputResponses' must be an object")));
    m_tasks->update(principal, taskId.toString(), responses.toObject(), acked);
}

std::optional<RpcError> RpcBridge::openInputRound(const QString &method, const QJsonObject &params,
                                                  const Principal &principal, QJsonObject *answers)
{
    const auto invalid = [this](const QString &message, const QString &reason) {
        emit requestStateRefused(reason);
        return RpcError{rpc::InvalidParams, QStringLiteral("Invalid params: %1").arg(message),
                        QJsonObject{{QStringLiteral("reason"), reason}}};
    };
    const QJsonValue responses = params.value(QLatin1String("inputResponses"));
    if (!responses.isUndefined() && !responses.isObject())
        return invalid(QStringLiteral("'inputResponses' must be an object of answers by key"),
                       QStringLiteral("malformed_input_responses"));
    const QJsonObject given = responses.toObject();
    for (auto it = given.begin(); it != given.end(); ++it)
        if (!it.value().isObject())
            return invalid(
                QStringLiteral("inputResponses.%1 must be an object (the result of that input request)").arg(it.key()),
                QStringLiteral("malformed_input_responses"));
    const QJsonValue state = params.value(QLatin1String("requestState"));
    if (!state.isUndefined()) {
        if (!state.isString())
            return invalid(QStringLiteral("'requestState' must be the string the server returned"),
                           QStringLiteral("malformed"));
        const RequestStateSeal::Opened opened
            = m_stateSeal.open(state.toString(), RequestStateBinding::of(principal, method, params));
        if (!opened.ok)
            return invalid(opened.message, opened.reason);
        *answers = opened.data.value(QLatin1String("answers")).toObject();
    }
    // What earlier rounds answered stays answered; this round adds the rest.
    for (auto it = given.begin(); it != given.end(); ++it)
        if (!answers->contains(it.key()))
            answers->insert(it.key(), it.value());
    return std::nullopt;
}

InputAsk RpcBridge::inputAskFor(const SessionPtr &session, const QString &method, const QJsonObject &params,
                                const Send &related, std::function<void(const QJsonObject &inputRequired)> endRound)
{
    std::weak_ptr<McpSession> weak = session;
    InputAsk input;
    input.can = [weak](const QString &asked) {
        auto s = weak.lock();
        const QString capability = InputAsk::capabilityFor(asked);
        if (!s || capability.isEmpty() || !s->clientCapabilities.contains(capability))
            return false;
        if (s->era == ProtocolEra::Modern)
            return true; // an input_required result needs no stream
        if (!s->serverRequests)
            return false;
        return asked != QLatin1String("elicitation/create") || s->protocolVersion >= QLatin1String("2025-06-18");
    };
    const auto refusal = [](const InputRequest &r) {
        const QString capability = InputAsk::capabilityFor(r.method);
        return InputAsk::error(
            ModernEra::MissingRequiredClientCapability,
            capability.isEmpty()
                ? QStringLiteral("%1 is not an input request a server can make").arg(r.method)
                : QStringLiteral("%1 cannot be asked: the client did not declare '%2', or this transport cannot "
                                 "carry the request")
                      .arg(r.method, capability));
    };
    if (session->era == ProtocolEra::Modern) {
        input.ask = [this, weak, method, params, can = input.can, refusal, endRound](
                        const QList<InputRequest> &requests, std::function<void(const InputAnswers &)> onAnswers) {
            auto s = weak.lock();
            if (!s || s->inputRoundEnded)
                return;
            InputAnswers out;
            QJsonObject open;
            for (const InputRequest &r : requests) {
                if (!can(r.method))
                    out.insert(r.key, refusal(r));
                else if (const QJsonValue a = s->inputAnswers.value(r.key); a.isObject()) {
                    out.insert(r.key, QJsonObject{{QStringLiteral("result"), a}});
                    s->inputUsed.insert(r.key, a);
                } else
                    open.insert(
                        r.key, QJsonObject{{QStringLiteral("method"), r.method}, {QStringLiteral("params"), r.params}});
            }
            if (open.isEmpty())
                return onAnswers(out);
            // This round ends here; the retry runs the handler again with the answers.
            s->inputRoundEnded = true;
            const QString state = m_stateSeal.seal(RequestStateBinding::of(s->principal, method, params),
                                                   QJsonObject{{QStringLiteral("answers"), s->inputUsed}});
            emit inputRoundAsked(ProtocolEra::Modern, method);
            endRound(QJsonObject{{QStringLiteral("resultType"), QStringLiteral("input_required")},
                                 {QStringLiteral("inputRequests"), open},
                                 {QStringLiteral("requestState"), state}});
        };
        return input;
    }
    input.ask = [this, weak, method, related, can = input.can,
                 refusal](const QList<InputRequest> &requests, std::function<void(const InputAnswers &)> onAnswers) {
        auto s = weak.lock();
        if (!s)
            return;
        auto pending = std::make_shared<PendingAnswers>();
        pending->onAnswers = std::move(onAnswers);
        QList<InputRequest> sendable;
        for (const InputRequest &r : requests)
            can(r.method) ? sendable.append(r) : void(pending->answers.insert(r.key, refusal(r)));
        if (sendable.isEmpty())
            return pending->onAnswers(pending->answers);
        pending->outstanding = int(sendable.size());
        emit inputRoundAsked(ProtocolEra::Legacy, method);
        for (const InputRequest &r : std::as_const(sendable)) {
            const QJsonValue outId = QStringLiteral("koan-%1").arg(s->nextOutboundId++);
            s->pendingOutbound.insert(McpSession::idKey(outId), [pending, key = r.key](const QJsonObject &response) {
                pending->deliver(key, response);
            });
            related(rpc::makeRequest(outId, r.method, r.params));
        }
    };
    return input;
}

void RpcBridge::handleResponse(const QJsonObject &response, const SessionPtr &session)
{
    const QString key = McpSession::idKey(response.value(QLatin1String("id")));
    auto handler = session->pendingOutbound.take(key);
    if (handler)
        handler(response);
    else {
        const LogSink::SessionScope scope(session->id);
        qCDebug(lcRpc) << "response for unknown request id ignored";
    }
}

} // namespace koan
