#include "TaskManager.h"

#include "logging/LogSink.h"
#include "protocol/JsonRpc.h"
#include "store/EntityStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSysInfo>

Q_LOGGING_CATEGORY(lcTasks, "koan.tasks")

namespace koan {

namespace {
qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}
// 24 bytes = 192 bits from the system's CSPRNG: unguessable, and no two alike in practice.
QString newTaskId()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}
ToolFailure notFound(const QString &what = QStringLiteral("Task not found"))
{
    return ToolFailure{jsonrpc::InvalidParams, QStringLiteral("Failed to retrieve task: %1").arg(what)};
}
ToolFailure storeFailure(const QString &error)
{
    return ToolFailure{jsonrpc::InternalError, QStringLiteral("Task store error: %1").arg(error)};
}
constexpr int kHeartbeatMs = 500;
constexpr int kPurgeMs = 60000;
constexpr int kSweepMs = 2000;
} // namespace

struct TaskManager::Running {
    TaskRecord rec;
    CancelFlag cancelled = std::make_shared<std::atomic_bool>(false);
    QHash<QString, std::function<void(const QJsonObject &)>> pendingInput;
    int nextInputKey = 1;
    bool dirty = false; // progress not yet persisted
    qint64 persistedAt = 0;
};

TaskManager::TaskManager(EntityStore *store, TaskOptions options, QObject *parent)
    : QObject(parent), m_store(store), m_options(options), m_runner(QSysInfo::machineHostName())
{
    m_heartbeat.setInterval(kHeartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, &TaskManager::heartbeat);
    m_purge.setInterval(kPurgeMs);
    connect(&m_purge, &QTimer::timeout, this, &TaskManager::purge);
    m_sweep.setInterval(kSweepMs);
    connect(&m_sweep, &QTimer::timeout, this, &TaskManager::sweep);
}

TaskManager::~TaskManager()
{
    // The tools' callbacks may outlive us (a chunk queued on the event loop): they hold the
    // Running entry, not the manager, and find it marked as cancelled.
    for (const auto &r : std::as_const(m_running))
        r->cancelled->store(true);
}

void TaskManager::setReplica(const QString &replicaId, int expiryMs)
{
    m_runner = replicaId;
    m_replicated = true;
    m_expiryMs = expiryMs;
}

bool TaskManager::open(QString *error)
{
    if (m_replicated) {
        // Not "this host's": a pod that never comes back has a name no replica starts with again.
        sweep();
        m_sweep.start();
    } else {
        const int interrupted
            = m_store->tasks().markInterrupted(m_runner, nowMs(), m_options.resultTtlSeconds * 1000LL, error);
        if (interrupted < 0)
            return false;
        if (interrupted > 0)
            qCWarning(lcTasks).noquote() << interrupted
                                         << "task(s) were running when the server stopped: failed (interrupted)";
    }
    purge();
    m_purge.start();
    return true;
}

void TaskManager::stop()
{
    m_sweep.stop();
    m_heartbeat.stop();
    if (m_running.isEmpty())
        return;
    for (const auto &r : std::as_const(m_running))
        r->cancelled->store(true);
    QString error;
    const int interrupted
        = m_store->tasks().markInterrupted(m_runner, nowMs(), m_options.resultTtlSeconds * 1000LL, &error);
    if (interrupted < 0)
        qCWarning(lcTasks).noquote() << "running tasks not marked interrupted at shutdown:" << error;
    else if (interrupted > 0)
        qCWarning(lcTasks).noquote() << interrupted << "running task(s) failed (interrupted): the server stops";
    m_running.clear();
}

namespace {
struct Swept {
    QString error;
    int count = 0;
    QList<TaskRecord> tasks;
};
} // namespace

void TaskManager::sweep()
{
    // Tasks of replicas no longer in the registry: its rows expire after m_expiryMs without a
    // heartbeat, and a task not updated for as long cannot belong to a replica that just started
    // and has not registered yet. On the store worker when there is one (a paused database never
    // blocks this thread).
    const qint64 now = nowMs();
    const qint64 before = now - m_expiryMs;
    const qint64 ttl = m_options.resultTtlSeconds * 1000LL;
    const std::function<Swept(EntityStore &)> sweepOn = [before, now, ttl](EntityStore &store) {
        Swept s;
        QStringList ids;
        if (store.tasks().sweepInterrupted(before, now, ttl, &ids, &s.error) < 0)
            return s;
        s.error.clear();
        s.count = int(ids.size());
        QString ignored;
        for (const QString &id : std::as_const(ids))
            if (const auto t = store.tasks().find(id, &ignored))
                s.tasks.append(*t);
        return s;
    };
    const std::function<void(Swept)> report = [this](Swept s) {
        if (!s.error.isEmpty()) {
            qCWarning(lcTasks).noquote() << "interrupted tasks not swept:" << s.error;
            return;
        }
        if (s.count == 0)
            return;
        qCWarning(lcTasks).noquote() << s.count << "task(s) of a replica that is gone failed (interrupted); swept by"
                                     << m_runner;
        for (const TaskRecord &t : std::as_const(s.tasks)) {
            emit taskChanged(t, QStringLiteral("finished"));
            if (m_observer)
                m_observer(t.id, toJson(t));
        }
    };
    if (!m_worker)
        return report(sweepOn(*m_store));
    // One sweep at a time: one stuck in the database holds one connection, not all of them.
    m_worker->run<Swept>(
        StoreWorker::Queueing{QStringLiteral("tasks-sweep")}, this, sweepOn, report, [](StoreWorker::Failure) {
            qCWarning(lcTasks).noquote() << "interrupted tasks not swept: the store did not answer in time";
        });
}

QString TaskManager::ownerKey(const Principal &principal)
{
    if (principal.authenticated)
        return QStringLiteral("token\n") + principal.identityKey();
    return principal.trustedLocal ? QStringLiteral("local\n") + principal.subject : QStringLiteral("anonymous");
}

QString TaskManager::ownerLabel(const Principal &principal)
{
    if (principal.authenticated)
        return principal.subject;
    return principal.trustedLocal ? principal.subject : QStringLiteral("anonymous");
}

QJsonObject TaskManager::toJson(const TaskRecord &t)
{
    QJsonObject o{{QStringLiteral("taskId"), t.id},
                  {QStringLiteral("status"), t.status},
                  {QStringLiteral("createdAt"), iso(t.createdAt)},
                  {QStringLiteral("lastUpdatedAt"), iso(t.updatedAt)},
                  // From creation: while it runs nothing is discarded (null), once finished the
                  // result is kept until expiresAt.
                  {QStringLiteral("ttlMs"), t.expiresAt > 0 ? QJsonValue(t.expiresAt - t.createdAt) : QJsonValue()},
                  {QStringLiteral("pollIntervalMs"), t.pollIntervalMs}};
    if (!t.statusMessage.isEmpty())
        o.insert(QStringLiteral("statusMessage"), t.statusMessage);
    if (t.status == QLatin1String("completed"))
        o.insert(QStringLiteral("result"), t.result);
    else if (t.status == QLatin1String("failed"))
        o.insert(QStringLiteral("error"), t.error);
    else if (t.status == QLatin1String("input_required"))
        o.insert(QStringLiteral("inputRequests"), t.inputRequests);
    return o;
}

std::optional<ToolFailure> TaskManager::admit(const TaskRecord &t)
{
    const auto limit = [](const QString &scope, int max, int running) {
        return ToolFailure{
            jsonrpc::ServerError,
            scope == QLatin1String("principal")
                ? QStringLiteral("Too many running tasks: you already have %1 (limit %2, Koan:Mcp:Tasks:"
                                 "MaxRunningPerPrincipal); wait for one to finish or cancel one")
                      .arg(running)
                      .arg(max)
                : QStringLiteral("Too many running tasks on this server: %1 (limit %2, Koan:Mcp:Tasks:MaxRunning); "
                                 "try again later")
                      .arg(running)
                      .arg(max),
            QJsonObject{{QStringLiteral("reason"), QStringLiteral("task_limit")},
                        {QStringLiteral("scope"), scope},
                        {QStringLiteral("limit"), max},
                        {QStringLiteral("running"), running}}};
    };
    // Tasks of this process that were cancelled but whose tool has not yet returned still take their place.
    int mine = 0, all = 0;
    for (const auto &r : std::as_const(m_running)) {
        if (m_replicated && !r->rec.terminal())
            continue; // counted in the database
        ++all;
        mine += r->rec.owner == t.owner ? 1 : 0;
    }
    QString error;
    if (m_replicated) {
        // Every replica's running tasks, counted and inserted under one lock.
        switch (m_store->tasks().insertWithinLimits(t, m_options.maxRunningPerPrincipal, m_options.maxRunning, mine,
                                                    all, &mine, &all, &error)) {
        case TaskStore::Admission::Inserted:
            return std::nullopt;
        case TaskStore::Admission::OwnerFull:
            return limit(QStringLiteral("principal"), m_options.maxRunningPerPrincipal, mine);
        case TaskStore::Admission::AllFull:
            return limit(QStringLiteral("server"), m_options.maxRunning, all);
        case TaskStore::Admission::Failed:
            return storeFailure(error);
        }
    }
    if (mine >= m_options.maxRunningPerPrincipal)
        return limit(QStringLiteral("principal"), m_options.maxRunningPerPrincipal, mine);
    if (all >= m_options.maxRunning)
        return limit(QStringLiteral("server"), m_options.maxRunning, all);
    if (!m_store->tasks().insert(t, &error))
        return storeFailure(error);
    return std::nullopt;
}

std::optional<TaskService::Started> TaskManager::start(const Principal &principal, const QString &tool,
                                                       const QJsonObject &arguments, ToolFailure *refused)
{
    Q_UNUSED(arguments)
    auto r = std::make_shared<Running>();
    TaskRecord &t = r->rec;
    t.id = newTaskId();
    t.owner = ownerKey(principal);
    t.ownerLabel = ownerLabel(principal);
    t.tool = tool;
    t.status = QStringLiteral("working");
    t.createdAt = t.updatedAt = nowMs();
    t.pollIntervalMs = m_options.pollIntervalMs;
    t.runner = m_runner;
    // Durable before the CreateTaskResult goes out: tasks/get resolves it at once, on any replica.
    if (const auto refusal = admit(t)) {
        *refused = *refusal;
        return std::nullopt;
    }
    r->persistedAt = t.updatedAt;
    m_running.insert(t.id, r);
    if (!m_heartbeat.isActive())
        m_heartbeat.start();
    emit taskChanged(t, QStringLiteral("created"));

    Started s;
    s.created = toJson(t);
    s.cancelled = r->cancelled;
    std::weak_ptr<Running> weak = r;
    s.notify = [this, weak](const QString &method, const QJsonObject &params) {
        auto r = weak.lock();
        if (!r || r->rec.terminal() || method != QLatin1String("notifications/progress"))
            return; // tasks carry no log messages; progress becomes the status message
        const double total = params.value(QLatin1String("total")).toDouble();
        const double done = params.value(QLatin1String("progress")).toDouble();
        if (total > 0)
            r->rec.progress = qBound(0.0, done / total, 1.0);
        const QString message = params.value(QLatin1String("message")).toString();
        r->rec.statusMessage = !message.isEmpty() ? message
                               : total > 0        ? QStringLiteral("%1 of %2").arg(done).arg(total)
                                                  : QString();
        r->rec.updatedAt = nowMs();
        r->dirty = true;
        persist(*r, false);
    };
    s.request = [this, weak](const QString &method, const QJsonObject &params,
                             std::function<void(const QJsonObject &)> onResponse) {
        auto r = weak.lock();
        if (!r || r->rec.terminal())
            return;
        // Keys are never reused within a task (SEP-2663).
        const QString key = QStringLiteral("input-%1").arg(r->nextInputKey++);
        r->rec.inputRequests.insert(
            key, QJsonObject{{QStringLiteral("method"), method}, {QStringLiteral("params"), params}});
        r->pendingInput.insert(key, std::move(onResponse));
        r->rec.status = QStringLiteral("input_required");
        r->rec.updatedAt = nowMs();
        persist(*r, true);
    };
    s.complete = [this, weak](const QJsonObject &result) {
        if (auto r = weak.lock())
            finish(r, QStringLiteral("completed"), result, {}, {});
    };
    s.fail = [this, weak](const ToolFailure &f) {
        if (auto r = weak.lock()) {
            QJsonObject e{{QStringLiteral("code"), f.code}, {QStringLiteral("message"), f.message}};
            if (!f.data.isUndefined())
                e.insert(QStringLiteral("data"), f.data);
            finish(r, QStringLiteral("failed"), {}, e, f.message);
        }
    };
    return s;
}

void TaskManager::persist(Running &r, bool force)
{
    const qint64 now = nowMs();
    if (!force && now - r.persistedAt < kHeartbeatMs)
        return; // the heartbeat writes it: at most two progress writes a second per task
    QString error;
    const int saved = m_store->tasks().save(r.rec, &error);
    if (saved < 0)
        qCWarning(lcTasks).noquote() << "task" << r.rec.tool << "not saved:" << error;
    r.persistedAt = now;
    r.dirty = false;
    if (saved == 0) {
        // Cancelled from another replica or swept meanwhile: the row is what counts.
        if (const auto self = m_running.value(r.rec.id); self && !r.rec.terminal())
            return adoptStored(self);
        if (const auto stored = m_store->tasks().find(r.rec.id, &error); stored && stored->status != r.rec.status)
            r.rec = *stored;
    }
    emit taskChanged(r.rec, r.rec.terminal() ? QStringLiteral("finished") : QStringLiteral("progress"));
    if (m_observer)
        m_observer(r.rec.id, toJson(r.rec));
}

void TaskManager::finish(const std::shared_ptr<Running> &r, const QString &status, const QJsonObject &result,
                         const QJsonObject &error, const QString &message)
{
    TaskRecord &t = r->rec;
    if (!t.terminal()) {
        // A cancel from another replica may have come first: the row decides.
        QString storeError;
        if (const auto stored = m_store->tasks().find(t.id, &storeError); stored && stored->terminal())
            t = *stored;
    }
    if (t.terminal()) {
        // Cancelled first: keep what the tool says it did (e.g. the chunks it had committed).
        if (t.status == QLatin1String("cancelled")) {
            QStringList said;
            for (const QJsonValue &c : result.value(QLatin1String("content")).toArray())
                said << c.toObject().value(QLatin1String("text")).toString();
            said.removeAll(QString());
            if (!said.isEmpty()) {
                t.statusMessage
                    = QStringLiteral("%1; %2").arg(t.statusMessage, said.join(QLatin1String("; ")).left(1000));
                persist(*r, true);
            }
        }
        m_running.remove(t.id);
        return;
    }
    const qint64 now = nowMs();
    t.status = status;
    t.result = result;
    t.error = error;
    t.inputRequests = {};
    if (!message.isEmpty())
        t.statusMessage = message;
    else if (status == QLatin1String("completed"))
        t.statusMessage = result.value(QLatin1String("isError")).toBool()
                              ? QStringLiteral("completed with a tool error")
                              : QStringLiteral("completed");
    if (status == QLatin1String("completed"))
        t.progress = 1;
    t.updatedAt = now;
    t.expiresAt = now + m_options.resultTtlSeconds * 1000LL;
    r->pendingInput.clear();
    persist(*r, true);
    m_running.remove(t.id);
}

bool TaskManager::cancelRunning(const std::shared_ptr<Running> &r, const QString &by)
{
    if (r->rec.terminal())
        return false;
    // In the row first: of this cancel, one from another replica and the task's own end, the
    // first write wins, and the status message names who cancelled.
    const qint64 now = nowMs();
    const QString message = QStringLiteral("cancelled by %1").arg(by);
    QString error;
    const int cancelled
        = m_store->tasks().requestCancel(r->rec.id, message, now, m_options.resultTtlSeconds * 1000LL, &error);
    if (cancelled < 0)
        qCWarning(lcTasks).noquote() << "task cancel not saved:" << error;
    if (cancelled == 0) {
        adoptStored(r);
        return false;
    }
    // The tool sees the flag before its next unit of work; nothing after this point is written.
    r->cancelled->store(true);
    r->rec.status = QStringLiteral("cancelled");
    r->rec.statusMessage = message;
    r->rec.inputRequests = {};
    r->rec.updatedAt = now;
    r->rec.expiresAt = now + m_options.resultTtlSeconds * 1000LL;
    r->rec.ttlMs = r->rec.expiresAt - r->rec.createdAt;
    r->rec.cancelRequested = true;
    const bool parked = !r->pendingInput.isEmpty();
    r->pendingInput.clear();
    r->dirty = false;
    emit taskChanged(r->rec, QStringLiteral("finished"));
    if (m_observer)
        m_observer(r->rec.id, toJson(r->rec));
    // A tool waiting for input never returns now; any other stays in m_running (and counts against
    // the limits) until it notices the flag and returns.
    if (parked)
        m_running.remove(r->rec.id);
    return true;
}

void TaskManager::adoptStored(const std::shared_ptr<Running> &r)
{
    QString error;
    const auto stored = m_store->tasks().find(r->rec.id, &error);
    if (!stored || !stored->terminal())
        return;
    // Cancelled on another replica, or swept as interrupted while this replica was away from the
    // registry: the tool stops at its next unit of work and nothing it does later is kept.
    r->cancelled->store(true);
    r->rec = *stored;
    r->dirty = false;
    emit taskChanged(r->rec, QStringLiteral("finished"));
    if (m_observer)
        m_observer(r->rec.id, toJson(r->rec));
    if (!r->pendingInput.isEmpty()) {
        r->pendingInput.clear();
        m_running.remove(r->rec.id);
    }
}

std::optional<TaskRecord> TaskManager::owned(const Principal &principal, const QString &taskId, ToolFailure *error)
{
    QString storeError;
    auto t = m_store->tasks().find(taskId, &storeError);
    if (!storeError.isEmpty()) {
        *error = storeFailure(storeError);
        return std::nullopt;
    }
    if (!t || t->owner != ownerKey(principal)) {
        *error = notFound();
        return std::nullopt;
    }
    if (t->expiresAt > 0 && t->expiresAt <= nowMs()) {
        *error = notFound(QStringLiteral("Task has expired"));
        return std::nullopt;
    }
    return t;
}

std::optional<QJsonObject> TaskManager::get(const Principal &principal, const QString &taskId, ToolFailure *error)
{
    const auto t = owned(principal, taskId, error);
    if (!t)
        return std::nullopt;
    // A task running here may have progressed since the last write.
    if (const auto r = m_running.value(taskId); r && r->dirty)
        return toJson(r->rec);
    return toJson(*t);
}

std::optional<ToolFailure> TaskManager::cancel(const Principal &principal, const QString &taskId)
{
    ToolFailure error;
    const auto t = owned(principal, taskId, &error);
    if (!t)
        return error;
    if (t->terminal())
        return std::nullopt; // idempotent: the ack, and nothing changes
    if (const auto r = m_running.value(taskId)) {
        cancelRunning(r, QStringLiteral("the client"));
        return std::nullopt;
    }
    // Another replica runs it: cancelled in the row now, its runner stops the tool within its heartbeat.
    QString storeError;
    if (m_store->tasks().requestCancel(taskId, QStringLiteral("cancelled by the client"), nowMs(),
                                       m_options.resultTtlSeconds * 1000LL, &storeError)
        < 0)
        return storeFailure(storeError);
    return std::nullopt; // 0: it finished meanwhile - the same ack
}

TaskManager::OperatorCancel TaskManager::cancelAsOperator(const QString &taskId, const QString &by, QString *previous,
                                                          QString *error)
{
    if (const auto r = m_running.value(taskId)) {
        *previous = r->rec.status;
        if (!cancelRunning(r, by)) {
            *previous = r->rec.status;
            return OperatorCancel::AlreadyFinished; // e.g. cancelled, its tool not yet returned
        }
        return OperatorCancel::Cancelled;
    }
    QString storeError;
    const auto t = m_store->tasks().find(taskId, &storeError);
    if (!storeError.isEmpty()) {
        *error = storeError;
        return OperatorCancel::StoreFailed;
    }
    if (!t)
        return OperatorCancel::NotFound;
    *previous = t->status;
    if (t->terminal())
        return OperatorCancel::AlreadyFinished;
    const int cancelled = m_store->tasks().requestCancel(taskId, QStringLiteral("cancelled by %1").arg(by), nowMs(),
                                                         m_options.resultTtlSeconds * 1000LL, error);
    if (cancelled < 0)
        return OperatorCancel::StoreFailed;
    if (cancelled == 0) {
        const auto now = m_store->tasks().find(taskId, &storeError);
        *previous = now ? now->status : *previous;
        return OperatorCancel::AlreadyFinished;
    }
    return OperatorCancel::Requested;
}

std::optional<ToolFailure> TaskManager::update(const Principal &principal, const QString &taskId,
                                               const QJsonObject &inputResponses)
{
    ToolFailure error;
    if (!owned(principal, taskId, &error))
        return error;
    const auto r = m_running.value(taskId);
    if (!r || r->rec.terminal())
        return std::nullopt; // nothing outstanding here: responses are ignored (SEP-2663)
    QList<QPair<std::function<void(const QJsonObject &)>, QJsonObject>> answered;
    for (auto it = inputResponses.begin(); it != inputResponses.end(); ++it) {
        auto handler = r->pendingInput.take(it.key());
        if (!handler)
            continue; // unknown or already answered
        r->rec.inputRequests.remove(it.key());
        answered.append({std::move(handler), jsonrpc::makeResult(it.key(), it.value())});
    }
    if (answered.isEmpty())
        return std::nullopt;
    if (r->rec.inputRequests.isEmpty())
        r->rec.status = QStringLiteral("working");
    r->rec.updatedAt = nowMs();
    persist(*r, true);
    for (const auto &a : answered)
        a.first(a.second);
    return std::nullopt;
}

QList<TaskRecord> TaskManager::tasks(int limit, QString *error) const
{
    QList<TaskRecord> out = m_store->tasks().list(QString(), limit, error);
    for (TaskRecord &t : out)
        if (const auto r = m_running.value(t.id))
            t = r->rec; // the latest progress
    return out;
}

void TaskManager::heartbeat()
{
    if (m_running.isEmpty()) {
        m_heartbeat.stop();
        return;
    }
    const auto running = m_running; // a cancel may finish one
    for (const auto &r : running) {
        if (r->dirty)
            persist(*r, true);
        if (r->rec.terminal())
            continue;
        // A cancel that reached another replica (or a sweep) wrote the row: stop the tool.
        adoptStored(r);
    }
}

void TaskManager::rowsChanged(const QStringList &ids)
{
    const auto running = m_running; // adoptStored may remove one
    for (const auto &r : running)
        if (!r->rec.terminal() && (ids.isEmpty() || ids.contains(r->rec.id)))
            adoptStored(r);
}

void TaskManager::purge()
{
    const auto report = [](const QString &error) {
        if (!error.isEmpty())
            qCWarning(lcTasks).noquote() << "expired tasks not purged:" << error;
    };
    if (!m_worker) {
        QString error;
        if (m_store->tasks().purgeExpired(nowMs(), &error) < 0)
            report(error);
        return;
    }
    m_worker->run<QString>(
        StoreWorker::Queueing{QStringLiteral("tasks-purge")}, this,
        [now = nowMs()](EntityStore &store) {
            QString error;
            return store.tasks().purgeExpired(now, &error) < 0 ? error : QString();
        },
        report, [report](StoreWorker::Failure) { report(QStringLiteral("the store did not answer in time")); });
}

} // namespace koan
