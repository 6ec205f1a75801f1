#include "AdminController.h"

#include "ClusterSettings.h"
#include "config/OptionsLoader.h"
#include "core/RpcBridge.h"
#include "security/AuthAuditLog.h"
#include "entities/EntityRegistry.h"
#include "protocol/JsonRpc.h"
#include "sessions/SessionManager.h"
#include "store/EntityStore.h"
#include "tasks/TaskManager.h"
#include "transport/HttpSseTransport.h"
#include "transport/StreamableHttpTransport.h"

#include <QDir>
#include <QLoggingCategory>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaMethod>
#include <QSaveFile>
#include <QUuid>
#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcAdmin, "koan.admin")

namespace koan {

AdminController::AdminController(Parts parts, QObject *parent)
    : QObject(parent), m_parts(std::move(parts)),
      m_operator(
          std::make_shared<McpSession>(QStringLiteral("operator-") + QUuid::createUuid().toString(QUuid::Id128).left(8),
                                       TransportKind::Operator, Principal::localOwner())),
      m_writer(new SettingsWriter(m_parts.store, this)),
      m_overview(new OverviewSampler({m_parts.sessions, m_parts.bridge, m_parts.authLog}, 900, 1000, this)),
      m_clusterTimer(new QTimer(this))
{
    m_clusterTimer->setInterval(kClusterIntervalMs);
    connect(m_clusterTimer, &QTimer::timeout, this, [this] { emit clusterChanged(clusterOrSingle()); });
    qRegisterMetaType<koan::EntityOptions>();
    qRegisterMetaType<koan::EntitySnapshot>();
    qRegisterMetaType<QList<koan::EntitySnapshot>>();
    qRegisterMetaType<koan::ToolSnapshot>();
    qRegisterMetaType<QList<koan::ToolSnapshot>>();
    qRegisterMetaType<koan::ServerStatus>();
    qRegisterMetaType<koan::HttpSseSwitch>();
    qRegisterMetaType<koan::TaskSnapshot>();
    qRegisterMetaType<koan::ToolCallRecord>();
    qRegisterMetaType<QList<koan::TaskSnapshot>>();
    qRegisterMetaType<koan::ClusterView>();
    // The operator session is initialized once, like any client.
    m_operator->protocolVersion = QStringLiteral("2025-11-25");
    m_operator->initialized = m_operator->ready = true;
    m_operator->clientInfo = QJsonObject{{QStringLiteral("name"), QStringLiteral("koan-console")},
                                         {QStringLiteral("version"), QStringLiteral(KOAN_MCP_VERSION)}};
    TrafficRecorder *traffic = m_parts.sessions->traffic();
    connect(traffic, &TrafficRecorder::frameRecorded, this, [this](const QString &target, const TrafficFrame &frame) {
        emit trafficFrameRecorded(target, frame.toJson());
    });
    connect(traffic, &TrafficRecorder::recordingChanged, this, &AdminController::trafficRecordingChanged);
    connect(traffic, &TrafficRecorder::recordNewSessionsChanged, this, &AdminController::recordNewSessionsChanged);
    connect(m_parts.registry, &EntityRegistry::changed, this, [this] {
        emit entitiesChanged(entities());
        emit toolsChanged(tools());
    });
    connect(m_parts.httpSse, &HttpSseTransport::enabledChanged, this, [this](bool enabled) {
        emit httpSseEnabledChanged(enabled);
        emit statusChanged(status());
    });
    connect(m_parts.httpSse, &HttpSseTransport::drainingChanged, this, [this] { emit statusChanged(status()); });
    connect(m_parts.streamable, &StreamableHttpTransport::drainingChanged, this,
            [this] { emit statusChanged(status()); });
}

AdminController::~AdminController() = default;

std::optional<ClusterView> AdminController::cluster() const
{
    if (!m_registry)
        return std::nullopt;
    return m_registry->view();
}

void AdminController::setClusterRegistry(ClusterRegistry *registry)
{
    m_registry = registry;
    watchCluster();
}

void AdminController::watchCluster()
{
    // The registry's view changes with every heartbeat; a single node has nothing to watch. The
    // timer is this thread's (connectNotify runs on the connecting one).
    QMetaObject::invokeMethod(this, [this] {
        if (m_registry && !m_clusterTimer->isActive()
            && isSignalConnected(QMetaMethod::fromSignal(&AdminController::clusterChanged)))
            m_clusterTimer->start();
    });
}

void AdminController::setStoreWorker(StoreWorker *worker)
{
    m_worker = worker;
    m_writer->setWorker(worker);
    if (m_cluster)
        m_cluster->setWorker(worker);
}

bool AdminController::startClusterSettings(QString *error)
{
    if (!m_cluster) {
        m_cluster = std::make_unique<ClusterSettings>(ClusterSettings::Parts{
            m_parts.options, m_parts.store, m_parts.registry, m_parts.changes,
            [this](const HttpSseSwitch &request, int drainMs) { applyHttpSse(request, drainMs); }, m_writer});
        m_cluster->setWorker(m_worker);
    }
    return m_cluster->start(error);
}

QString AdminController::notWritten(const QString &what, const SettingsWriter::Answer &answer) const
{
    const bool shared = m_parts.store->backend() == EntityStore::Backend::Postgres;
    const QString row
        = shared ? QStringLiteral("the cluster-wide value and its audit row") : QStringLiteral("its audit row");
    if (answer.state == SettingsWriter::State::Pending)
        return QStringLiteral("%1 is in force on this replica, but %2 are not written yet: %3. They are written when "
                              "the database answers%4.")
            .arg(what, row, answer.error, shared ? QStringLiteral(", and the other replicas follow then") : QString());
    return QStringLiteral("%1 is in force on this replica, but %2 could not be written: %3")
        .arg(what, row, answer.error);
}

void AdminController::connectNotify(const QMetaMethod &signal)
{
    // Only the console connects to these; the forwarding costs nothing until it does.
    static const QList<QMetaMethod> forwarded{QMetaMethod::fromSignal(&AdminController::sessionOpened),
                                              QMetaMethod::fromSignal(&AdminController::sessionUpdated),
                                              QMetaMethod::fromSignal(&AdminController::sessionClosed),
                                              QMetaMethod::fromSignal(&AdminController::sessionEnded),
                                              QMetaMethod::fromSignal(&AdminController::overviewSampled),
                                              QMetaMethod::fromSignal(&AdminController::toolLatencyChanged),
                                              QMetaMethod::fromSignal(&AdminController::heartbeatSent),
                                              QMetaMethod::fromSignal(&AdminController::messageReceived),
                                              QMetaMethod::fromSignal(&AdminController::messageSent),
                                              QMetaMethod::fromSignal(&AdminController::authFailureRecorded),
                                              QMetaMethod::fromSignal(&AdminController::toolCallFinished),
                                              QMetaMethod::fromSignal(&AdminController::logRecorded),
                                              QMetaMethod::fromSignal(&AdminController::taskUpdated)};
    if (forwarded.contains(signal))
        std::call_once(m_forwarding, [this] { forwardServerEvents(); });
    if (signal == QMetaMethod::fromSignal(&AdminController::clusterChanged))
        watchCluster();
}

void AdminController::forwardServerEvents()
{
    SessionManager *sm = m_parts.sessions;
    connect(sm, &SessionManager::sessionOpened, this, &AdminController::sessionOpened);
    connect(sm, &SessionManager::sessionUpdated, this, &AdminController::sessionUpdated);
    connect(sm, &SessionManager::sessionClosed, this, &AdminController::sessionClosed);
    connect(sm, &SessionManager::sessionEnded, this, &AdminController::sessionEnded);
    connect(m_overview, &OverviewSampler::sampled, this, &AdminController::overviewSampled);
    connect(m_overview, &OverviewSampler::toolLatencyChanged, this, &AdminController::toolLatencyChanged);
    connect(sm, &SessionManager::heartbeatSent, this, &AdminController::heartbeatSent);
    connect(sm, &SessionManager::messageReceived, this, &AdminController::messageReceived);
    connect(sm, &SessionManager::messageSent, this, &AdminController::messageSent);
    connect(m_parts.authLog, &AuthAuditLog::failureRecorded, this, &AdminController::authFailureRecorded);
    connect(m_parts.bridge, &RpcBridge::toolCallRecorded, this, &AdminController::toolCallFinished);
    // From whichever thread logged: queued to this one, so a log line never waits for a receiver.
    connect(LogFeed::instance(), &LogFeed::recorded, this, &AdminController::logRecorded, Qt::QueuedConnection);
    if (m_parts.tasks)
        connect(m_parts.tasks, &TaskManager::taskChanged, this, [this](const TaskRecord &t, const QString &change) {
            emit taskUpdated(TaskSnapshot::from(t), change);
        });
}

TaskSnapshot TaskSnapshot::from(const TaskRecord &t)
{
    TaskSnapshot s;
    s.id = t.id;
    s.tool = t.tool;
    s.status = t.status;
    s.statusMessage = t.statusMessage;
    if (t.status == QLatin1String("failed")) {
        const QString reason
            = t.error.value(QLatin1String("data")).toObject().value(QLatin1String("reason")).toString();
        s.reason = reason.isEmpty() ? t.error.value(QLatin1String("message")).toString() : reason;
    }
    s.owner = t.ownerLabel;
    s.progress = t.progress;
    s.createdAt = QDateTime::fromMSecsSinceEpoch(t.createdAt, Qt::UTC);
    s.updatedAt = QDateTime::fromMSecsSinceEpoch(t.updatedAt, Qt::UTC);
    return s;
}

void AdminController::listTasks(TasksListed answered)
{
    if (!m_parts.tasks)
        return answered(TaskListAnswer{}); // no tasks: an empty list
    m_parts.tasks->listForOperator(
        kTaskListLimit,
        [answered](const QList<TaskRecord> &records) {
            TaskListAnswer a;
            for (const TaskRecord &t : records)
                a.tasks.append(TaskSnapshot::from(t));
            answered(a);
        },
        [answered](const TaskManager::StoreProblem &p) {
            answered(TaskListAnswer{
                p.timedOut ? TaskListAnswer::State::Pending : TaskListAnswer::State::Failed, {}, p.message});
        });
}

void AdminController::whenTasksListed(QObject *context, std::function<void(const QList<TaskSnapshot> &)> done)
{
    m_taskListWaiters.append(TaskListWaiter{context, std::move(done)});
    askTaskList();
}

void AdminController::askTaskList()
{
    if (m_taskListAsking)
        return;
    m_taskListAsking = true;
    listTasks([this](const TaskListAnswer &a) {
        m_taskListAsking = false;
        m_taskListWaiters.erase(std::remove_if(m_taskListWaiters.begin(), m_taskListWaiters.end(),
                                               [](const TaskListWaiter &w) { return !w.context; }),
                                m_taskListWaiters.end());
        if (a.state != TaskListAnswer::State::Listed) {
            // Asked again: the waiters (a console's first list) must get it once the store answers.
            if (!m_taskListWaiters.isEmpty())
                QTimer::singleShot(kTaskListRetryMs, this, [this] { askTaskList(); });
            return;
        }
        const QList<TaskListWaiter> waiters = std::exchange(m_taskListWaiters, {});
        for (const TaskListWaiter &w : waiters)
            if (w.context)
                w.done(a.tasks);
    });
}

void AdminController::cancelTask(const QString &taskId, const WriteContext &who, TaskCancelAnswered answered)
{
    if (!m_parts.tasks)
        return answered(TaskCancelAnswer{TaskCancelOutcome::Failed, QStringLiteral("tasks are off on this server")});
    m_parts.tasks->cancelAsOperator(taskId, who, [taskId, who, answered](const TaskManager::OperatorCancelAnswer &a) {
        TaskCancelAnswer out;
        out.appliedOnThisReplica = a.appliedHere;
        const QString inForce = QStringLiteral("The cancel of task %1 took effect on this replica (its tool stops "
                                               "before its next unit of work), but")
                                    .arg(taskId);
        switch (a.outcome) {
        case TaskManager::OperatorCancel::Cancelled:
        case TaskManager::OperatorCancel::Requested:
            out.outcome = a.outcome == TaskManager::OperatorCancel::Cancelled ? TaskCancelOutcome::Cancelled
                                                                              : TaskCancelOutcome::Requested;
            qCInfo(lcAdmin).noquote() << "task" << taskId << "cancelled by" << who.principal;
            break;
        case TaskManager::OperatorCancel::NotFound:
            out.outcome = TaskCancelOutcome::NotFound;
            out.error = QStringLiteral("no task has id '%1'").arg(taskId);
            break;
        case TaskManager::OperatorCancel::AlreadyFinished:
            out.outcome = TaskCancelOutcome::AlreadyFinished;
            out.error = QStringLiteral("task '%1' has already finished (%2)").arg(taskId, a.status);
            break;
        case TaskManager::OperatorCancel::Pending:
            out.outcome = TaskCancelOutcome::Pending;
            out.error = a.appliedHere
                            ? QStringLiteral("%1 the task's row and its audit record are not written yet: %2. They "
                                             "are written when the database answers.")
                                  .arg(inForce, a.error)
                            : QStringLiteral("The cancel of task %1 is not written yet: %2. It is written when the "
                                             "database answers (unless the task has finished by then), and the "
                                             "replica running the task stops it then.")
                                  .arg(taskId, a.error);
            break;
        case TaskManager::OperatorCancel::StoreFailed:
            out.outcome = TaskCancelOutcome::Failed;
            out.error = a.appliedHere
                            ? QStringLiteral("%1 the task's row and its audit record could not be written: %2")
                                  .arg(inForce, a.error)
                            : a.error;
            break;
        }
        answered(out);
    });
}

void AdminController::cancelTask(const QString &taskId)
{
    cancelTask(taskId, WriteContext::localOperator(), [this, taskId](const TaskCancelAnswer &a) {
        emit taskCancelAnswered(taskId,
                                a.outcome == TaskCancelOutcome::Cancelled || a.outcome == TaskCancelOutcome::Requested
                                    || a.appliedOnThisReplica,
                                a.error);
    });
}

QList<AuthFailure> AdminController::authFailures() const
{
    return m_parts.authLog->recent();
}

QList<LogRecord> AdminController::logRecords() const
{
    return LogFeed::instance()->recent();
}

QList<EntitySnapshot> AdminController::entities() const
{
    QList<EntitySnapshot> out;
    const EntityRegistry *reg = m_parts.registry;
    for (const auto &e : reg->entities()) {
        EntitySnapshot s;
        s.entity = e.name;
        s.options = reg->options(e.name);
        s.defaults.name = e.toolPrefix;
        s.defaults.description = e.description;
        s.defaults.requiredScopes = e.requiredScopes;
        out.append(s);
    }
    return out;
}

QList<ToolSnapshot> AdminController::tools() const
{
    QList<ToolSnapshot> out;
    for (const auto &t : m_parts.bridge->visibleTools(*m_operator)) {
        const EntityRegistry::Tool *et = m_parts.registry->tool(t.name);
        out.append(ToolSnapshot{t.name, et ? et->entity->name : QString(), t.description, t.inputSchema});
    }
    return out;
}

ServerStatus AdminController::status() const
{
    const McpServerOptions &o = *m_parts.options;
    const TransportState t = transportState();
    ServerStatus s;
    s.environment = o.environment;
    s.authenticationRequired = o.effectiveRequireAuthentication();
    s.httpSseEnabled = t.httpSse;
    s.httpSseDraining = t.httpSseDraining;
    s.drainDeadline = drainDeadline();
    s.httpSseStreams = t.httpSseStreams;
    s.streamableEnabled = t.streamableHttp;
    s.stdioEnabled = t.stdio;
    s.baseUrl = m_parts.listeningUrl ? m_parts.listeningUrl() : QString();
    s.route = o.httpSseRoute;
    s.bindAddress = o.bindAddress;
    s.maxConnections = o.maxConcurrentConnections;
    s.keepAliveMs = o.sseKeepAliveIntervalMs;
    return s;
}

TransportState AdminController::transportState() const
{
    TransportState t;
    t.httpSse = m_parts.httpSse->isEnabled();
    t.streamableHttp = m_parts.streamable->isEnabled();
    t.stdio = m_parts.options->enableStdioTransport;
    t.openStreams = m_parts.sessions->longLivedStreams();
    t.httpSseStreams = m_parts.httpSse->openStreams();
    t.httpSseDraining = switchDraining();
    if (t.httpSseDraining)
        t.drainDeadline = drainDeadline().toString(Qt::ISODateWithMs);
    return t;
}

bool AdminController::switchDraining() const
{
    return m_parts.httpSse->isDraining()
           || (m_parts.options->streamableFollowsHttpSseSwitch && m_parts.streamable->isDraining());
}

QDateTime AdminController::drainDeadline() const
{
    const QDateTime legacy = m_parts.httpSse->drainDeadline();
    const QDateTime streamable
        = m_parts.options->streamableFollowsHttpSseSwitch ? m_parts.streamable->drainDeadline() : QDateTime();
    return legacy.isValid() && (!streamable.isValid() || legacy >= streamable) ? legacy : streamable;
}

void AdminController::switchHttpSse(bool enabled, const WriteContext &who)
{
    HttpSseSwitch request;
    request.enabled = enabled;
    switchHttpSse(request, who);
}

void AdminController::switchHttpSse(const HttpSseSwitch &request, const WriteContext &who,
                                    SettingsWriter::Answered written)
{
    HttpSseTransport *legacy = m_parts.httpSse;
    const bool wasEnabled = legacy->isEnabled(), wasDraining = switchDraining();
    const QString key = QString::fromLatin1(ClusterSettings::kHttpSseKey);
    // A cut during a drain changes what happens to the open streams: recorded too.
    const bool cutsDrain = !request.enabled && wasDraining && request.mode == HttpSseSwitch::Mode::Cut;
    if (request.enabled != wasEnabled || cutsDrain) {
        QJsonObject before{{QStringLiteral("enabled"), wasEnabled}};
        if (wasDraining)
            before.insert(QStringLiteral("mode"), QStringLiteral("drain"));
        QJsonObject after = request.toJson();
        if (!request.enabled && request.mode == HttpSseSwitch::Mode::Drain)
            // One deadline for every replica (PostgreSQL keeps the value for all of them).
            after.insert(QStringLiteral("drainUntil"),
                         QDateTime::currentDateTimeUtc().addSecs(request.drainSeconds).toString(Qt::ISODateWithMs));
        // In force here first: the lever must work while the database does not answer.
        applyHttpSse(request, request.drainSeconds * 1000);
        m_writer->write(key, before, after, who, std::move(written));
        qCWarning(lcAdmin).noquote() << "rollback switch" << (request.enabled ? "ON" : "OFF")
                                     << (request.enabled ? QString()
                                                         : request.toJson().value(QLatin1String("mode")).toString())
                                     << "by" << who.principal << "reason:"
                                     << (request.reason.isEmpty() ? QStringLiteral("(none given)") : request.reason);
        return;
    }
    applyHttpSse(request, request.drainSeconds * 1000);
    // Nothing to write; a repeated request hears about the write still pending, if any.
    if (written)
        m_writer->settle(key, std::move(written));
}

void AdminController::applyHttpSse(const HttpSseSwitch &request, int drainMs)
{
    HttpSseTransport *legacy = m_parts.httpSse;
    if (!request.enabled && request.mode == HttpSseSwitch::Mode::Drain)
        legacy->drain(drainMs);
    else
        legacy->setEnabled(request.enabled);
    if (m_parts.options->streamableFollowsHttpSseSwitch) {
        // The same intent for Streamable HTTP: its sessions and listen streams drain or are cut too.
        const bool streamable = request.enabled && m_parts.options->enableStreamableHttpTransport;
        if (!streamable && request.mode == HttpSseSwitch::Mode::Drain)
            m_parts.streamable->drain(drainMs);
        else
            m_parts.streamable->setEnabled(streamable);
    }
}

QJsonObject HttpSseSwitch::toJson() const
{
    QJsonObject o{{QStringLiteral("enabled"), enabled}};
    if (!enabled) {
        o.insert(QStringLiteral("mode"), mode == Mode::Drain ? QStringLiteral("drain") : QStringLiteral("cut"));
        if (mode == Mode::Drain)
            o.insert(QStringLiteral("drainSeconds"), drainSeconds);
    }
    if (!reason.isEmpty())
        o.insert(QStringLiteral("reason"), reason);
    return o;
}

std::optional<HttpSseSwitch> HttpSseSwitch::fromJson(const QJsonObject &body, QString *error)
{
    HttpSseSwitch s;
    const QJsonValue enabled = body.value(QLatin1String("enabled"));
    if (!enabled.isBool()) {
        *error = QStringLiteral("\"enabled\" must be true or false");
        return std::nullopt;
    }
    s.enabled = enabled.toBool();
    const QJsonValue mode = body.value(QLatin1String("mode"));
    if (mode.isString() && mode.toString() == QLatin1String("drain"))
        s.mode = Mode::Drain;
    else if (!mode.isUndefined() && !(mode.isString() && mode.toString() == QLatin1String("cut"))) {
        *error = QStringLiteral("\"mode\" must be \"drain\" or \"cut\"");
        return std::nullopt;
    }
    const QJsonValue reason = body.value(QLatin1String("reason"));
    if (!reason.isUndefined() && !reason.isString()) {
        *error = QStringLiteral("\"reason\" must be a string");
        return std::nullopt;
    }
    s.reason = reason.toString().trimmed().left(500);
    const QJsonValue seconds = body.value(QLatin1String("drainSeconds"));
    if (!seconds.isUndefined()) {
        const double d = seconds.toDouble(-1);
        if (!seconds.isDouble() || d != std::floor(d) || d < 1 || d > kMaxDrainSeconds) {
            *error = QStringLiteral("\"drainSeconds\" must be a whole number from 1 to %1").arg(kMaxDrainSeconds);
            return std::nullopt;
        }
        s.drainSeconds = int(d);
    }
    return s;
}

QList<SessionInfo> AdminController::sessions() const
{
    return m_parts.sessions->snapshot();
}

QList<EndedSession> AdminController::sessionHistory() const
{
    return m_parts.sessions->history();
}

void AdminController::refresh()
{
    emit entitiesChanged(entities());
    emit toolsChanged(tools());
    emit statusChanged(status());
    emit sessionsChanged(sessions());
    emit sessionHistoryChanged(sessionHistory());
    emit overviewChanged(overview());
    emit toolLatencyChanged(toolLatency());
    emit clusterChanged(clusterOrSingle());
    emit authFailuresChanged(authFailures());
    emit logsChanged(logRecords());
    // Once the store answers (a paused database must not hold this thread); one wait at a time.
    if (!std::exchange(m_refreshWantsTasks, true))
        whenTasksListed(this, [this](const QList<TaskSnapshot> &tasks) {
            m_refreshWantsTasks = false;
            emit tasksChanged(tasks);
        });
}

void AdminController::applyEntityOptions(const QString &entity, const EntityOptions &options)
{
    QString error;
    const bool ok = applyEntityOptions(
        entity, options, WriteContext::localOperator(), &error, [this, entity](const SettingsWriter::Answer &a) {
            if (a.state == SettingsWriter::State::Written)
                return emit entityOptionsApplied(entity, true, QString());
            emit entityOptionsApplied(entity, false, notWritten(QStringLiteral("The override"), a));
        });
    if (!ok) {
        emit entitiesChanged(entities()); // let the editor show the values in force
        emit entityOptionsApplied(entity, false, error);
    }
}

bool AdminController::applyEntityOptions(const QString &entity, const EntityOptions &options, const WriteContext &who,
                                         QString *error, SettingsWriter::Answered written)
{
    const EntityOptions previous = m_parts.registry->options(entity);
    const QJsonObject before = m_parts.registry->overrideFor(entity).toJson();
    if (!m_parts.registry->setOptions(entity, options, error))
        return false;
    if (!persist(entity, error)) {
        QString ignored;
        m_parts.registry->setOptions(entity, previous, &ignored);
        return false;
    }
    const QString key = QString::fromLatin1(ClusterSettings::kOverridePrefix) + entity;
    if (const QJsonObject after = m_parts.registry->overrideFor(entity).toJson(); after != before)
        m_writer->write(key, before, after, who, std::move(written));
    else if (written)
        m_writer->settle(key, std::move(written));
    return true;
}

void AdminController::resetEntityOptions(const QString &entity)
{
    for (const auto &s : entities())
        if (s.entity == entity)
            return applyEntityOptions(entity, s.defaults);
}

bool AdminController::resetEntityOptions(const QString &entity, const WriteContext &who, QString *error,
                                         SettingsWriter::Answered written)
{
    for (const auto &s : entities())
        if (s.entity == entity)
            return applyEntityOptions(entity, s.defaults, who, error, std::move(written));
    *error = QStringLiteral("unknown entity '%1'").arg(entity);
    return false;
}

bool AdminController::persist(const QString &entity, QString *error) const
{
    if (m_userOverrideFile.isEmpty())
        return true;
    QJsonObject root;
    QFile in(m_userOverrideFile);
    if (in.open(QIODevice::ReadOnly))
        root = QJsonDocument::fromJson(in.readAll()).object();
    in.close();
    const QJsonObject ov = m_parts.registry->overrideFor(entity).toJson();
    OptionsLoader::setPath(
        root, {QStringLiteral("Koan"), QStringLiteral("Mcp"), QStringLiteral("EntityOverrides"), entity}, ov);
    QDir().mkpath(QFileInfo(m_userOverrideFile).absolutePath());
    QSaveFile out(m_userOverrideFile);
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(root).toJson()) < 0 || !out.commit()) {
        *error = QStringLiteral("cannot save %1: %2").arg(m_userOverrideFile, out.errorString());
        return false;
    }
    return true;
}

QJsonObject AdminController::toolCallRequest(const QString &tool, const QJsonObject &arguments)
{
    return {{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), QStringLiteral("console-%1").arg(m_nextId++)},
            {QStringLiteral("method"), QStringLiteral("tools/call")},
            {QStringLiteral("params"),
             QJsonObject{{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), arguments}}}};
}

void AdminController::invokeTool(const QString &requestId, const QString &tool, const QJsonObject &arguments)
{
    runCall(m_operator, toolCallRequest(tool, arguments), requestId,
            [this, requestId](const QJsonObject &request, const QJsonObject &response, double ms) {
                emit toolInvoked(requestId, request, response, ms);
            });
}

void AdminController::cancelInvocation(const QString &requestId)
{
    cancelToolCallAs(m_operator->principal, requestId);
}

static QString runningKey(const Principal &caller, const QString &callId)
{
    return caller.identityKey() + QLatin1Char('\n') + callId;
}

void AdminController::runCall(const SessionPtr &session, const QJsonObject &request, const QString &callId,
                              InvokeDone done)
{
    const QString key = runningKey(session->principal, callId);
    if (!callId.isEmpty())
        m_running.insert(key, RunningCall{session, request.value(QLatin1String("id"))});
    QElapsedTimer timer;
    timer.start();
    m_parts.bridge->handleValue(
        request, session, [](const QJsonObject &) {},
        [this, key, callId, session, request, timer, done = std::move(done)](const QJsonValue &reply) {
            const auto it = m_running.constFind(key);
            if (!callId.isEmpty() && it != m_running.constEnd() && it->session == session)
                m_running.erase(it);
            done(request, reply.toObject(), timer.nsecsElapsed() / 1e6);
        });
}

bool AdminController::cancelToolCallAs(const Principal &caller, const QString &callId)
{
    const auto it = m_running.constFind(runningKey(caller, callId));
    if (callId.isEmpty() || it == m_running.constEnd())
        return false;
    const RunningCall running = *it;
    qCInfo(lcAdmin).noquote() << "operator call" << callId << "cancelled by" << caller.subject;
    m_parts.bridge->handleValue(
        jsonrpc::makeNotification(QStringLiteral("notifications/cancelled"),
                                  {{QStringLiteral("requestId"), running.rpcId},
                                   {QStringLiteral("reason"), QStringLiteral("cancelled by the operator")}}),
        running.session, [](const QJsonObject &) {}, [](const QJsonValue &) {});
    return true;
}

void AdminController::invokeToolAs(const Principal &caller, const QString &tool, const QJsonObject &arguments,
                                   InvokeDone done, const QString &callId)
{
    // A session of its own for the call, never registered: the caller's identity and scopes, the
    // operator transport (an entity's EnabledTransports decides whether operators may call it).
    auto session = std::make_shared<McpSession>(QStringLiteral("admin-api-")
                                                    + QUuid::createUuid().toString(QUuid::Id128).left(8),
                                                TransportKind::Operator, caller);
    session->protocolVersion = m_operator->protocolVersion;
    session->initialized = session->ready = true;
    session->clientInfo = QJsonObject{{QStringLiteral("name"), QStringLiteral("koan-console (attached)")},
                                      {QStringLiteral("version"), QStringLiteral(KOAN_MCP_VERSION)}};
    runCall(session, toolCallRequest(tool, arguments), callId, std::move(done));
}

void AdminController::setHttpSseEnabled(bool enabled)
{
    HttpSseSwitch request;
    request.enabled = enabled;
    setHttpSse(request);
}

void AdminController::setHttpSse(const HttpSseSwitch &request)
{
    switchHttpSse(request, WriteContext::localOperator(), [this](const SettingsWriter::Answer &a) {
        if (a.state != SettingsWriter::State::Written)
            emit settingNotWritten(QString::fromLatin1(ClusterSettings::kHttpSseKey),
                                   notWritten(QStringLiteral("The switch"), a));
    });
}

void AdminController::disconnectSession(const QString &sessionId)
{
    m_parts.sessions->disconnectSession(sessionId);
}

} // namespace koan

namespace koan {

TrafficCommandOutcome AdminController::setTrafficRecording(const QString &target, bool on)
{
    TrafficRecorder *traffic = m_parts.sessions->traffic();
    if (!m_parts.sessions->isLiveTarget(target) && !traffic->has(target))
        return TrafficCommandOutcome::UnknownTarget;
    if (on && !m_parts.sessions->isLiveTarget(target))
        return TrafficCommandOutcome::UnknownTarget; // an ended session sends nothing more
    if (!traffic->setRecording(target, on))
        return TrafficCommandOutcome::TooManyRecordings;
    qCInfo(lcAdmin).noquote() << "wire traffic recording" << (on ? "started" : "stopped") << "for" << target;
    return TrafficCommandOutcome::Done;
}

std::optional<QJsonObject> AdminController::trafficExport(const QString &target) const
{
    TrafficRecorder *traffic = m_parts.sessions->traffic();
    if (!m_parts.sessions->isLiveTarget(target) && !traffic->has(target))
        return std::nullopt;
    return traffic->exportJson(target);
}

void AdminController::setRecordNewSessions(bool on)
{
    qCInfo(lcAdmin).noquote() << "wire traffic recording of new sessions" << (on ? "on" : "off");
    m_parts.sessions->traffic()->setRecordNewSessions(on);
}

QJsonObject AdminController::trafficState() const
{
    const TrafficRecorder *traffic = m_parts.sessions->traffic();
    return {
        {QStringLiteral("recordsNewSessions"), traffic->recordsNewSessions()},
        {QStringLiteral("recording"), QJsonArray::fromStringList(traffic->recordingTargets())},
        {QStringLiteral("limits"), QJsonObject{{QStringLiteral("framesPerTarget"), traffic->limits().framesPerTarget},
                                               {QStringLiteral("bodyBytes"), traffic->limits().bodyBytes},
                                               {QStringLiteral("targets"), traffic->limits().targets}}}};
}

void AdminController::recordTraffic(const QString &target, bool on)
{
    switch (setTrafficRecording(target, on)) {
    case TrafficCommandOutcome::Done:
        emit trafficRecordingChanged(target, on); // also when nothing changed: the console's toggle follows
        return;
    case TrafficCommandOutcome::UnknownTarget:
        emit trafficCommandRefused(target, tr("No open session or caller has id '%1'").arg(target));
        return;
    case TrafficCommandOutcome::TooManyRecordings:
        emit trafficCommandRefused(
            target,
            tr("Already recording %1 sessions; stop one first").arg(m_parts.sessions->traffic()->limits().targets));
        return;
    }
}

void AdminController::exportTraffic(const QString &target)
{
    emit trafficExported(target, trafficExport(target).value_or(QJsonObject{}));
}

void AdminController::recordNewSessions(bool on)
{
    setRecordNewSessions(on); // the recorder's recordNewSessionsChanged answers (when it changed)
}

} // namespace koan
