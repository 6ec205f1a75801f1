#include "AdminEndpoints.h"

#include "AdminEventStream.h"
#include "ClientIdentity.h"
#include "admin/AdminController.h"
#include "admin/AdminJson.h"
#include "http/HttpErrors.h"
#include "sessions/SessionManager.h"

#include <QJsonDocument>
#include <QRegularExpression>

namespace koan {

using namespace adminjson;

namespace {
// The name an attached console gives its call to cancel it by: safe in a path as it is.
bool isCallId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return pattern.match(id).hasMatch();
}
} // namespace

AdminEndpoints::AdminEndpoints(AdminController *admin, Settings settings)
    : m_admin(admin), m_settings(std::move(settings)),
      m_events(std::make_unique<AdminEventStream>(admin, m_settings.keepAliveMs, m_settings.maxQueuedBytes))
{ }

AdminEndpoints::~AdminEndpoints() = default;

void AdminEndpoints::closeStreams()
{
    m_events->closeAll();
}

void AdminEndpoints::snapshot(std::function<void(const QJsonObject &, bool)> done) const
{
    // The task list is read on the store worker; the rest is this thread's, taken when it answered.
    m_admin->listTasks([this, done](const TaskListAnswer &tasks) {
        done(snapshotOf(tasks), tasks.state == TaskListAnswer::State::Listed);
    });
}

QJsonObject AdminEndpoints::snapshotOf(const TaskListAnswer &tasks) const
{
    QJsonObject out{
        {QStringLiteral("server"), QJsonObject{{QStringLiteral("name"), QStringLiteral("koan-mcp")},
                                               {QStringLiteral("version"), QStringLiteral(KOAN_MCP_VERSION)}}},
        {QStringLiteral("status"), toJson(m_admin->status())},
        {QStringLiteral("transports"), m_admin->transportState().toJson()},
        {QStringLiteral("sessions"), toArray(m_admin->sessions())},
        {QStringLiteral("history"), toArray(m_admin->sessionHistory())},
        {QStringLiteral("entities"), toArray(m_admin->entities())},
        {QStringLiteral("tools"), toArray(m_admin->tools())},
        {QStringLiteral("overview"), toArray(m_admin->overview())},
        {QStringLiteral("toolLatency"), toArray(m_admin->toolLatency())},
        {QStringLiteral("authFailures"), toArray(m_admin->authFailures())},
        {QStringLiteral("logs"), toArray(m_admin->logRecords())},
        {QStringLiteral("tasks"), toArray(tasks.tasks)},
        {QStringLiteral("traffic"), m_admin->trafficState()}};
    if (tasks.state != TaskListAnswer::State::Listed)
        out.insert(QStringLiteral("tasksError"),
                   QStringLiteral("The task list could not be read: %1").arg(tasks.error));
    // Several replicas on one PostgreSQL database: every replica and its sessions.
    if (const std::optional<ClusterView> cluster = m_admin->cluster())
        out.insert(QStringLiteral("cluster"), toJson(*cluster));
    return out;
}

void AdminEndpoints::mount(RequestRouter &router)
{
    const auto route
        = [this, &router](const QByteArray &method, const char *path, std::function<void(HttpExchange &)> handler) {
              router.add(method, QString::fromLatin1(path), RouteAccess::Authenticated,
                         [this, handler = std::move(handler)](HttpExchange &c) {
                             if (allowed(c))
                                 handler(c);
                         });
          };
    route("GET", "/admin/transports",
          [this](HttpExchange &c) { c.responder->sendJson(200, m_admin->transportState().toJson()); });
    route("PUT", "/admin/transports/http-sse", [this](HttpExchange &c) {
        QString problem;
        const std::optional<HttpSseSwitch> request
            = HttpSseSwitch::fromJson(QJsonDocument::fromJson(c.request.body).object(), &problem);
        if (!request)
            return sendHttpError(c.responder, 400, QStringLiteral("invalid_body"),
                                 QStringLiteral("Send {\"enabled\": true|false, \"mode\": \"drain\"|\"cut\", "
                                                "\"reason\": \"...\", \"drainSeconds\": n}: %1")
                                     .arg(problem));
        // In force here at once; the answer waits for the store write (at most Store:TimeoutSeconds).
        QPointer<HttpResponder> responder = c.responder;
        m_admin->switchHttpSse(*request, author(c), [this, responder](const SettingsWriter::Answer &a) {
            if (responder)
                answerWrite(responder, a, QStringLiteral("The switch"), m_admin->transportState().toJson(),
                            "transports");
        });
    });
    route("GET", "/admin/snapshot", [this](HttpExchange &c) {
        QPointer<HttpResponder> responder = c.responder;
        snapshot([responder](const QJsonObject &s, bool) {
            if (responder)
                responder->sendJson(200, s);
        });
    });
    route("GET", "/admin/events", [this](HttpExchange &c) {
        // The stream's headers now; its first event once the task list is read (or could not be).
        if (!m_events->start(c.responder))
            return;
        QPointer<HttpResponder> responder = c.responder;
        QPointer<AdminEventStream> events = m_events.get();
        snapshot([responder, events](const QJsonObject &s, bool tasksListed) {
            if (responder && events)
                events->open(responder, s, tasksListed);
        });
    });
    route("POST", "/admin/sessions/disconnect", [this](HttpExchange &c) {
        const std::optional<QJsonObject> b = body(c);
        if (!b)
            return;
        const QString id = b->value(QLatin1String("sessionId")).toString();
        if (id.isEmpty())
            return sendHttpError(c.responder, 400, QStringLiteral("invalid_body"),
                                 QStringLiteral("Send {\"sessionId\": \"...\"}"));
        bool known = false;
        for (const SessionInfo &s : m_admin->sessions())
            known = known || s.id == id;
        if (!known)
            return sendHttpError(c.responder, 404, QStringLiteral("unknown_session"),
                                 QStringLiteral("No open session has id '%1'").arg(id));
        m_admin->disconnectSession(id);
        c.responder->sendJson(200, QJsonObject{{QStringLiteral("disconnected"), id}});
    });
    route("GET", "/admin/traffic", [this](HttpExchange &c) { c.responder->sendJson(200, m_admin->trafficState()); });
    route("POST", "/admin/traffic", [this](HttpExchange &c) {
        const std::optional<QJsonObject> b = body(c);
        if (!b)
            return;
        if (!b->value(QLatin1String("recordNewSessions")).isBool())
            return sendHttpError(c.responder, 400, QStringLiteral("invalid_body"),
                                 QStringLiteral("Send {\"recordNewSessions\": true|false}"));
        m_admin->setRecordNewSessions(b->value(QLatin1String("recordNewSessions")).toBool());
        c.responder->sendJson(200, m_admin->trafficState());
    });
    route("GET", "/admin/sessions/{}/traffic", [this](HttpExchange &c) {
        const QString id = c.route.segments.value(0);
        const std::optional<QJsonObject> document = m_admin->trafficExport(id);
        if (!document)
            return sendHttpError(c.responder, 404, QStringLiteral("unknown_session"),
                                 QStringLiteral("No open session, caller or recording has id '%1'")
                                     .arg(SessionManager::isWellFormedId(id) || isStatelessRowId(id)
                                              ? id
                                              : QStringLiteral("(malformed id)")));
        c.responder->sendJson(200, *document);
    });
    route("POST", "/admin/sessions/{}/traffic", [this](HttpExchange &c) {
        const QString id = c.route.segments.value(0);
        const std::optional<QJsonObject> b = body(c);
        if (!b)
            return;
        if (!b->value(QLatin1String("enabled")).isBool())
            return sendHttpError(c.responder, 400, QStringLiteral("invalid_body"),
                                 QStringLiteral("Send {\"enabled\": true|false}"));
        const bool on = b->value(QLatin1String("enabled")).toBool();
        switch (m_admin->setTrafficRecording(id, on)) {
        case TrafficCommandOutcome::Done:
            return c.responder->sendJson(
                200, QJsonObject{{QStringLiteral("target"), id}, {QStringLiteral("recording"), on}});
        case TrafficCommandOutcome::UnknownTarget:
            return sendHttpError(c.responder, 404, QStringLiteral("unknown_session"),
                                 QStringLiteral("No open session or caller has id '%1'")
                                     .arg(SessionManager::isWellFormedId(id) || isStatelessRowId(id)
                                              ? id
                                              : QStringLiteral("(malformed id)")));
        case TrafficCommandOutcome::TooManyRecordings:
            return sendHttpError(c.responder, 409, QStringLiteral("too_many_recordings"),
                                 QStringLiteral("Already recording the most sessions this server keeps; stop one "
                                                "first"));
        }
    });
    route("POST", "/admin/entities/options", [this](HttpExchange &c) {
        const std::optional<QJsonObject> b = body(c);
        if (!b)
            return;
        const QString entity = b->value(QLatin1String("entity")).toString();
        const QJsonValue options = b->value(QLatin1String("options"));
        if (entity.isEmpty() || !options.isObject())
            return sendHttpError(c.responder, 400, QStringLiteral("invalid_body"),
                                 QStringLiteral("Send {\"entity\": \"...\", \"options\": {...}}"));
        QString error;
        if (!m_admin->applyEntityOptions(entity, optionsFromJson(options.toObject()), author(c), &error,
                                         entitiesWritten(c.responder)))
            return sendHttpError(c.responder, 400, QStringLiteral("invalid_options"), error);
    });
    route("POST", "/admin/entities/reset", [this](HttpExchange &c) {
        const std::optional<QJsonObject> b = body(c);
        if (!b)
            return;
        QString error;
        if (!m_admin->resetEntityOptions(b->value(QLatin1String("entity")).toString(), author(c), &error,
                                         entitiesWritten(c.responder)))
            return sendHttpError(c.responder, 400, QStringLiteral("invalid_options"), error);
    });
    route("GET", "/admin/tasks", [this](HttpExchange &c) {
        QPointer<HttpResponder> responder = c.responder;
        m_admin->listTasks([responder](const TaskListAnswer &a) {
            if (!responder)
                return;
            switch (a.state) {
            case TaskListAnswer::State::Listed:
                return responder->sendJson(200, QJsonObject{{QStringLiteral("tasks"), toArray(a.tasks)}});
            case TaskListAnswer::State::Pending:
                return sendHttpError(responder, 503, QStringLiteral("store_timeout"),
                                     QStringLiteral("The task list could not be read: %1. Try again once the "
                                                    "database answers (/readyz).")
                                         .arg(a.error));
            case TaskListAnswer::State::Failed:
                return sendHttpError(responder, 500, QStringLiteral("store_error"), a.error);
            }
        });
    });
    route("POST", "/admin/tasks/{}/cancel", [this](HttpExchange &c) {
        const QString id = c.route.segments.value(0); // task ids are base64url: nothing to decode
        QPointer<HttpResponder> responder = c.responder;
        m_admin->cancelTask(id, author(c), [this, responder, id](const TaskCancelAnswer &a) {
            if (responder)
                answerCancel(responder, id, a);
        });
    });
    route("POST", "/admin/tools/call", [this](HttpExchange &c) {
        const std::optional<QJsonObject> b = body(c);
        if (!b)
            return;
        const QString tool = b->value(QLatin1String("tool")).toString();
        const QJsonValue arguments = b->value(QLatin1String("arguments"));
        const QJsonValue callId = b->value(QLatin1String("callId"));
        if (tool.isEmpty() || !(arguments.isObject() || arguments.isUndefined())
            || !(callId.isUndefined() || isCallId(callId.toString())))
            return sendHttpError(c.responder, 400, QStringLiteral("invalid_body"),
                                 QStringLiteral("Send {\"tool\": \"...\", \"arguments\": {...}} and optionally "
                                                "\"callId\" (1 to 64 of A-Z a-z 0-9 . _ -) to cancel it by"));
        // As the caller, with exactly the token's scopes: never the trusted local operator.
        QPointer<HttpResponder> responder = c.responder;
        m_admin->invokeToolAs(
            c.caller, tool, arguments.toObject(),
            [responder](const QJsonObject &request, const QJsonObject &response, double ms) {
                if (responder)
                    responder->sendJson(200, QJsonObject{{QStringLiteral("request"), request},
                                                         {QStringLiteral("response"), response},
                                                         {QStringLiteral("cancelled"), response.isEmpty()},
                                                         {QStringLiteral("durationMs"), ms}});
            },
            callId.toString());
    });
    // Cancels the caller's own running call (its callId); only its own, like a client's notifications/cancelled.
    route("POST", "/admin/tool-calls/{}/cancel", [this](HttpExchange &c) {
        const QString callId = c.route.segments.value(0);
        if (!isCallId(callId) || !m_admin->cancelToolCallAs(c.caller, callId))
            return sendHttpError(c.responder, 404, QStringLiteral("unknown_call"),
                                 QStringLiteral("No call %1 of yours is running").arg(callId.left(64)));
        c.responder->sendJson(200, QJsonObject{{QStringLiteral("cancelled"), callId}});
    });
}

void AdminEndpoints::answerWrite(HttpResponder *responder, const SettingsWriter::Answer &a, const QString &what,
                                 const QJsonObject &answer, const char *nestAs) const
{
    if (a.state == SettingsWriter::State::Written)
        return responder->sendJson(200, answer);
    // In force on this replica either way: say so, and what of it the store does not have (yet).
    const bool pending = a.state == SettingsWriter::State::Pending;
    QJsonObject body = nestAs ? QJsonObject{{QLatin1String(nestAs), answer}} : answer;
    body.insert(QStringLiteral("appliedOnThisReplica"), true);
    body.insert(QStringLiteral("stored"), pending ? QStringLiteral("pending") : QStringLiteral("failed"));
    sendHttpError(responder, pending ? 503 : 500,
                  pending ? QStringLiteral("store_timeout") : QStringLiteral("store_error"),
                  m_admin->notWritten(what, a), {}, body);
}

void AdminEndpoints::answerCancel(HttpResponder *responder, const QString &id, const TaskCancelAnswer &a) const
{
    // Whether the cancel already holds here (its tool stopped) however the store answered.
    const QJsonObject state{{QStringLiteral("taskId"), id},
                            {QStringLiteral("appliedOnThisReplica"), a.appliedOnThisReplica}};
    switch (a.outcome) {
    case TaskCancelOutcome::Cancelled:
    case TaskCancelOutcome::Requested:
        return responder->sendJson(200, QJsonObject{{QStringLiteral("cancelled"), id}});
    case TaskCancelOutcome::NotFound:
        return sendHttpError(responder, 404, QStringLiteral("unknown_task"), a.error);
    case TaskCancelOutcome::AlreadyFinished:
        return sendHttpError(responder, 409, QStringLiteral("task_finished"), a.error);
    case TaskCancelOutcome::Pending: {
        QJsonObject body = state;
        body.insert(QStringLiteral("stored"), QStringLiteral("pending"));
        return sendHttpError(responder, 503, QStringLiteral("store_timeout"), a.error, {}, body);
    }
    case TaskCancelOutcome::Failed: {
        QJsonObject body = state;
        body.insert(QStringLiteral("stored"), QStringLiteral("failed"));
        return sendHttpError(responder, 500, QStringLiteral("store_error"), a.error, {}, body);
    }
    }
}

SettingsWriter::Answered AdminEndpoints::entitiesWritten(HttpResponder *responder) const
{
    return [this, responder = QPointer<HttpResponder>(responder)](const SettingsWriter::Answer &a) {
        if (responder)
            answerWrite(responder, a, QStringLiteral("The override"),
                        {{QStringLiteral("entities"), toArray(m_admin->entities())}});
    };
}

std::optional<QJsonObject> AdminEndpoints::body(HttpExchange &c) const
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(c.request.body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        sendHttpError(c.responder, 400, QStringLiteral("invalid_body"),
                      QStringLiteral("The body must be a JSON object"));
        return std::nullopt;
    }
    return doc.object();
}

WriteContext AdminEndpoints::author(const HttpExchange &c)
{
    WriteContext who;
    who.principal = c.caller.authenticated ? c.caller.issuer + QLatin1Char('|') + c.caller.subject
                                           : QStringLiteral("operator:loopback ") + c.clientAddress;
    who.transport = QStringLiteral("AdminHttp");
    return who;
}

bool AdminEndpoints::allowed(HttpExchange &c) const
{
    const bool ok = c.caller.authenticated
                        ? c.caller.hasScopes({m_settings.requiredScope})
                        : !m_settings.requireAuthentication && ClientIdentity::isLoopbackCaller(c.request);
    if (!ok)
        sendHttpError(
            c.responder, 403, QStringLiteral("forbidden"),
            QStringLiteral("The admin endpoints need scope %1 (or a loopback caller when authentication is off)")
                .arg(m_settings.requiredScope));
    return ok;
}

} // namespace koan
