#include "TaskManager.h"

#include "logging/LogSink.h"
#include "protocol/JsonRpc.h"
#include "store/EntityStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSet>
#include <QSysInfo>
#include <algorithm>
#include <future>

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
// How long the operator's cancel waits for the database: it must land exactly once, however long
// an outage the operator waits out (short of the worker's int range); the answer comes in time.
constexpr int kOperatorWriteWaitMs = 24 * 3600 * 1000;
} // namespace

struct TaskManager::Running {
    TaskRecord rec;
    CancelFlag cancelled = std::make_shared<std::atomic_bool>(false);
    QHash<QString, std::function<void(const QJsonObject &)>> pendingInput;
    int nextInputKey = 1;
    // Its row is written by one write at a time (in order, whatever the worker does): a change made
    // while one is on the worker is written when that one answers (at once if `urgent`: a status
    // change), or by the heartbeat.
    bool dirty = false;   // newer in memory than in the row
    bool writing = false; // a write of the row is on the worker
    bool urgent = false;
    bool reading = false;    // a re-read of the row is on the worker
    bool ending = false;     // the tool returned: dropped once its last write is in the row
    bool cancelling = false; // the operator's cancel of its row is on the worker: writes wait for it
    QString lastWords;       // what the tool said it did, kept should a cancel have come first
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
    for (const auto &r : std::as_const(m_admitting))
        r->cancelled->store(true);
    m_admitting.clear();
    for (auto it = m_cancelsPending.cbegin(); it != m_cancelsPending.cend(); ++it)
        qCWarning(lcTasks).noquote() << "the server stopped before the cancel of task" << it.key() << "by" << it.value()
                                     << "was written to the store (nor audited)";
    m_cancelsPending.clear();
    if (m_running.isEmpty() && m_abandoned.isEmpty())
        return;
    m_abandoned.clear(); // their rows, if any, are this runner's: interrupted below
    for (const auto &r : std::as_const(m_running))
        r->cancelled->store(true);
    m_running.clear();
    struct Marked {
        int count = -1;
        QString error;
    };
    const auto mark
        = [runner = m_runner, now = nowMs(), ttl = m_options.resultTtlSeconds * 1000LL](EntityStore &store) {
              Marked m;
              m.count = store.tasks().markInterrupted(runner, now, ttl, &m.error);
              return m;
          };
    Marked marked;
    if (!m_worker) {
        marked = mark(*m_store);
    } else {
        // On the worker, waited for here (nothing else runs now): a paused database must not hold
        // the shutdown. The answer is taken from the worker's thread, not through this event loop.
        auto promise = std::make_shared<std::promise<Marked>>();
        std::future<Marked> answer = promise->get_future();
        m_worker->run<int>(
            this,
            [promise, mark](EntityStore &store) {
                promise->set_value(mark(store));
                return 0;
            },
            [](int) {},
            [promise](StoreWorker::Failure f) {
                if (f == StoreWorker::Failure::Stopped) // refused at once: the work never runs
                    promise->set_value(Marked{-1, QStringLiteral("the store is not running")});
            });
        if (answer.wait_for(std::chrono::milliseconds(m_worker->timeoutMs())) != std::future_status::ready) {
            qCWarning(lcTasks).noquote()
                << "running tasks not marked interrupted at shutdown:" << notAnswered()
                << "- unless it answers before the process ends, their rows stay running until another replica's "
                   "sweep (PostgreSQL) or this host's next start marks them interrupted";
            return;
        }
        marked = answer.get();
    }
    if (marked.count < 0)
        qCWarning(lcTasks).noquote() << "running tasks not marked interrupted at shutdown:" << marked.error;
    else if (marked.count > 0)
        qCWarning(lcTasks).noquote() << marked.count << "running task(s) failed (interrupted): the server stops";
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

ToolFailure TaskManager::unanswered(StoreWorker::Failure failure) const
{
    if (failure == StoreWorker::Failure::Timeout)
        return ToolFailure{jsonrpc::InternalError,
                           QStringLiteral("Task store error: %1").arg(m_worker->timeoutMessage()),
                           QJsonObject{{QStringLiteral("reason"), QStringLiteral("store_timeout")},
                                       {QStringLiteral("timeoutSeconds"), qMax(1, m_worker->timeoutMs() / 1000)}}};
    return ToolFailure{jsonrpc::InternalError,
                       QStringLiteral("Task store error: the store is not running (the server is stopping)"),
                       QJsonObject{{QStringLiteral("reason"), QStringLiteral("store_unavailable")}}};
}

QString TaskManager::notAnswered() const
{
    if (m_worker)
        return m_worker->noAnswer();
    return QStringLiteral("the %1 store did not answer within 0 s (Store:TimeoutSeconds)").arg(m_store->backendName());
}

template<class T>
void TaskManager::onStore(std::function<T(EntityStore &)> work, std::function<void(T)> done,
                          std::function<void(const ToolFailure &)> failed, const QString &taskId)
{
    if (!m_worker)
        return done(work(*m_store)); // an in-memory SQLite database: its one connection is here
    // A task's row statements run one at a time, in order (its insert, its writes, its re-reads).
    const StoreWorker::Queueing order{taskId.isEmpty() ? QString() : QStringLiteral("task\n") + taskId};
    m_worker->run<T>(order, this, std::move(work), std::move(done),
                     [this, failed = std::move(failed)](StoreWorker::Failure f) { failed(unanswered(f)); });
}

namespace {
// A statement that failed on a connection PostgreSQL dropped (a restart): reconnect and try once more.
template<class F> auto retried(EntityStore &store, QString *error, F statement)
{
    auto result = statement();
    if (!error->isEmpty() && store.ping()) {
        error->clear();
        result = statement();
    }
    return result;
}

struct Lookup {
    std::optional<TaskRecord> task;
    QString error;
};
} // namespace

void TaskManager::lookUp(const Principal &principal, const QString &taskId,
                         std::function<void(const std::optional<TaskRecord> &, const ToolFailure &)> done)
{
    onStore<Lookup>(
        [taskId](EntityStore &store) {
            Lookup l;
            l.task = retried(store, &l.error, [&] { return store.tasks().find(taskId, &l.error); });
            return l;
        },
        [owner = ownerKey(principal), done](Lookup l) {
            if (!l.error.isEmpty())
                return done(std::nullopt, storeFailure(l.error));
            if (!l.task || l.task->owner != owner)
                return done(std::nullopt, notFound());
            if (l.task->expiresAt > 0 && l.task->expiresAt <= nowMs())
                return done(std::nullopt, notFound(QStringLiteral("Task has expired")));
            done(l.task, {});
        },
        [done](const ToolFailure &f) { done(std::nullopt, f); });
}

void TaskManager::admit(const std::shared_ptr<Running> &r, Admitted admitted)
{
    const TaskRecord t = r->rec;
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
    // Tasks of this process that were cancelled but whose tool has not yet returned still take
    // their place; so do (on SQLite) those whose row is being inserted.
    int mine = 0, all = 0;
    for (const auto &other : std::as_const(m_running)) {
        if (m_replicated && !other->rec.terminal())
            continue; // counted in the database
        ++all;
        mine += other->rec.owner == t.owner ? 1 : 0;
    }
    if (!m_replicated)
        for (const auto &other : std::as_const(m_admitting))
            if (other != r) {
                ++all;
                mine += other->rec.owner == t.owner ? 1 : 0;
            }
    const auto refuse = [this, r, admitted](const ToolFailure &why) {
        m_admitting.remove(r->rec.id);
        r->cancelled->store(true);
        admitted(why);
    };
    if (!m_replicated) {
        if (mine >= m_options.maxRunningPerPrincipal)
            return refuse(limit(QStringLiteral("principal"), m_options.maxRunningPerPrincipal, mine));
        if (all >= m_options.maxRunning)
            return refuse(limit(QStringLiteral("server"), m_options.maxRunning, all));
    }
    struct Inserted {
        TaskStore::Admission admission = TaskStore::Admission::Failed;
        int mine = 0, all = 0;
        QString error;
    };
    const bool replicated = m_replicated;
    const int maxMine = m_options.maxRunningPerPrincipal, maxAll = m_options.maxRunning;
    onStore<Inserted>(
        [t, replicated, maxMine, maxAll, mine, all](EntityStore &store) {
            Inserted i;
            if (!replicated) {
                i.admission = retried(store, &i.error, [&] { return store.tasks().insert(t, &i.error); })
                                  ? TaskStore::Admission::Inserted
                                  : TaskStore::Admission::Failed;
                return i;
            }
            // Every replica's running tasks, counted and inserted under one lock.
            i.admission = store.tasks().insertWithinLimits(t, maxMine, maxAll, mine, all, &i.mine, &i.all, &i.error);
            if (i.admission == TaskStore::Admission::Failed && store.ping()) { // a connection dropped by a restart
                i.error.clear();
                i.admission
                    = store.tasks().insertWithinLimits(t, maxMine, maxAll, mine, all, &i.mine, &i.all, &i.error);
            }
            return i;
        },
        [this, r, admitted, refuse, limit, maxMine, maxAll](Inserted i) {
            switch (i.admission) {
            case TaskStore::Admission::Inserted:
                break;
            case TaskStore::Admission::OwnerFull:
                return refuse(limit(QStringLiteral("principal"), maxMine, i.mine));
            case TaskStore::Admission::AllFull:
                return refuse(limit(QStringLiteral("server"), maxAll, i.all));
            case TaskStore::Admission::Failed:
                return refuse(storeFailure(i.error));
            }
            m_admitting.remove(r->rec.id);
            r->persistedAt = nowMs();
            m_running.insert(r->rec.id, r);
            if (!m_heartbeat.isActive())
                m_heartbeat.start();
            emit taskChanged(r->rec, QStringLiteral("created"));
            admitted(std::nullopt);
        },
        [this, r, refuse](const ToolFailure &f) {
            // The insert may still commit once the database answers: the heartbeat marks that row
            // failed (after the insert: the worker runs calls in order), so it never reads "working".
            auto abandoned = std::make_shared<Running>();
            abandoned->rec = r->rec;
            m_abandoned.insert(r->rec.id, abandoned);
            if (!m_heartbeat.isActive())
                m_heartbeat.start();
            refuse(f);
        },
        t.id);
}

TaskService::Started TaskManager::start(const Principal &principal, const QString &tool, const QJsonObject &arguments,
                                        Admitted admitted)
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
        persist(r, false);
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
        persist(r, true);
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
    // Durable before the CreateTaskResult goes out: tasks/get resolves it at once, on any replica.
    m_admitting.insert(t.id, r);
    admit(r, std::move(admitted));
    return s;
}

namespace {
struct Saved {
    int saved = -1;
    QString error;
    std::optional<TaskRecord> stored; // saved == 0: the row as it is
};
} // namespace

void TaskManager::persist(const std::shared_ptr<Running> &r, bool force)
{
    r->dirty = true;
    if (r->writing || r->cancelling) {
        r->urgent = r->urgent || force;
        return; // written when the write (or the operator's cancel) on the worker answers
    }
    const qint64 now = nowMs();
    if (!force && now - r->persistedAt < kHeartbeatMs)
        return; // the heartbeat writes it: at most two progress writes a second per task
    r->writing = true;
    r->urgent = false;
    r->dirty = false;
    r->persistedAt = now;
    const TaskRecord rec = r->rec;
    std::weak_ptr<Running> weak = r;
    onStore<Saved>(
        [rec](EntityStore &store) {
            Saved s;
            s.saved = retried(store, &s.error, [&] { return store.tasks().save(rec, &s.error); });
            if (s.saved == 0) {
                QString ignored;
                s.stored = store.tasks().find(rec.id, &ignored);
            }
            return s;
        },
        [this, weak, rec](Saved s) {
            if (const auto r = weak.lock())
                written(r, rec, s.saved, s.error, s.stored);
        },
        [weak, rec](const ToolFailure &f) {
            qCWarning(lcTasks).noquote() << "task" << rec.tool << "not saved (the heartbeat tries again):" << f.message;
            if (const auto r = weak.lock()) {
                r->writing = false;
                r->dirty = true;
            }
        },
        rec.id);
}

void TaskManager::written(const std::shared_ptr<Running> &r, const TaskRecord &sent, int saved, const QString &error,
                          const std::optional<TaskRecord> &stored)
{
    r->writing = false;
    if (saved < 0) {
        qCWarning(lcTasks).noquote() << "task" << sent.tool << "not saved (the heartbeat tries again):" << error;
        r->dirty = true;
        return;
    }
    if (saved == 0 && stored && stored->terminal() && stored->status != r->rec.status) {
        // Cancelled from another replica or swept meanwhile: the row is what counts.
        adopt(r, *stored);
        if (r->ending)
            amendWithLastWords(r);
    } else if (saved > 0 && (sent.terminal() || !r->rec.terminal())) {
        // (A progress write that lands after the operator's cancel here is no news: not reported.)
        emit taskChanged(sent, sent.terminal() ? QStringLiteral("finished") : QStringLiteral("progress"));
        if (m_observer)
            m_observer(sent.id, toJson(sent));
    }
    settle(r);
}

void TaskManager::settle(const std::shared_ptr<Running> &r)
{
    if (r->dirty && (r->urgent || r->ending))
        persist(r, true);
    else if (r->ending && !r->writing && !r->dirty && !r->cancelling)
        m_running.remove(r->rec.id);
}

bool TaskManager::amendWithLastWords(const std::shared_ptr<Running> &r)
{
    // Cancelled first: keep what the tool says it did (e.g. the chunks it had committed).
    if (r->rec.status != QLatin1String("cancelled") || r->lastWords.isEmpty())
        return false;
    r->rec.statusMessage = QStringLiteral("%1; %2").arg(r->rec.statusMessage, std::exchange(r->lastWords, {}));
    persist(r, true);
    return true;
}

void TaskManager::finish(const std::shared_ptr<Running> &r, const QString &status, const QJsonObject &result,
                         const QJsonObject &error, const QString &message)
{
    if (std::exchange(r->ending, true))
        return;
    QStringList said;
    for (const QJsonValue &c : result.value(QLatin1String("content")).toArray())
        said << c.toObject().value(QLatin1String("text")).toString();
    said.removeAll(QString());
    r->lastWords = said.join(QLatin1String("; ")).left(1000);
    r->pendingInput.clear();
    TaskRecord &t = r->rec;
    if (t.terminal()) {
        // Cancelled (here, or adopted from the row) before the tool returned.
        if (!amendWithLastWords(r) && !r->writing && !r->dirty && !r->cancelling)
            m_running.remove(t.id);
        return;
    }
    // A cancel from another replica may have come first: the write applies only to a running
    // row, and otherwise the row decides (written()).
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
    persist(r, true);
}

void TaskManager::applyCancel(const std::shared_ptr<Running> &r, const QString &message, qint64 now)
{
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
}

void TaskManager::operatorCancelWritten(const std::shared_ptr<Running> &r, int cancelled, const QString &error,
                                        const std::optional<TaskRecord> &stored)
{
    r->cancelling = false;
    if (cancelled == 0 && stored && stored->terminal()) {
        // A cancel from another replica, a sweep or the task's own end came first: the row decides.
        adopt(r, *stored);
        if (r->ending)
            amendWithLastWords(r);
    } else if (cancelled < 0) {
        // Cancelled here all the same; the heartbeat writes it (a save applies to a running row).
        qCWarning(lcTasks).noquote() << "task cancel not saved:" << error;
        r->dirty = true;
        r->urgent = true;
    }
    settle(r);
}

void TaskManager::adopt(const std::shared_ptr<Running> &r, const TaskRecord &stored)
{
    // Cancelled on another replica, or swept as interrupted while this replica was away from the
    // registry: the tool stops at its next unit of work and nothing it does later is kept.
    r->cancelled->store(true);
    r->rec = stored;
    r->dirty = false;
    emit taskChanged(r->rec, QStringLiteral("finished"));
    if (m_observer)
        m_observer(r->rec.id, toJson(r->rec));
    if (!r->pendingInput.isEmpty()) {
        r->pendingInput.clear();
        m_running.remove(r->rec.id);
    }
}

void TaskManager::adoptStored(const std::shared_ptr<Running> &r)
{
    if (r->reading || r->rec.terminal())
        return; // one re-read at a time: a paused database does not pile them up
    r->reading = true;
    std::weak_ptr<Running> weak = r;
    onStore<Lookup>(
        [id = r->rec.id](EntityStore &store) {
            Lookup l;
            l.task = store.tasks().find(id, &l.error);
            return l;
        },
        [this, weak](Lookup l) {
            const auto r = weak.lock();
            if (!r)
                return;
            r->reading = false;
            if (l.task && l.task->terminal() && !r->rec.terminal())
                adopt(r, *l.task);
        },
        [weak](const ToolFailure &) {
            if (const auto r = weak.lock())
                r->reading = false; // the heartbeat reads again
        },
        r->rec.id);
}

void TaskManager::get(const Principal &principal, const QString &taskId, Found done)
{
    lookUp(principal, taskId, [this, taskId, done](const std::optional<TaskRecord> &t, const ToolFailure &error) {
        if (!t)
            return done(std::nullopt, error);
        // A task running here may have progressed since the last write.
        if (const auto r = m_running.value(taskId); r && (r->dirty || r->writing))
            return done(toJson(r->rec), {});
        done(toJson(*t), {});
    });
}

void TaskManager::owned(const Principal &principal, const QStringList &taskIds,
                        std::function<void(const QStringList &)> done)
{
    onStore<QList<TaskRecord>>(
        [taskIds](EntityStore &store) {
            QList<TaskRecord> found;
            QString ignored;
            for (const QString &id : taskIds)
                if (const auto t = store.tasks().find(id, &ignored))
                    found.append(*t);
            return found;
        },
        [owner = ownerKey(principal), done](QList<TaskRecord> found) {
            QStringList mine;
            const qint64 now = nowMs();
            for (const TaskRecord &t : std::as_const(found))
                if (t.owner == owner && (t.expiresAt == 0 || t.expiresAt > now))
                    mine << t.id;
            done(mine);
        },
        [done](const ToolFailure &f) {
            qCWarning(lcTasks).noquote() << "a listen's task ids were not looked up:" << f.message;
            done({});
        });
}

void TaskManager::cancel(const Principal &principal, const QString &taskId, Acked done)
{
    // Read and cancelled in one visit to the store; the task's runner (here or on another replica:
    // it re-reads the row within its heartbeat) stops the tool.
    struct Cancelling {
        Lookup found;
        int cancelled = 0;
    };
    const qint64 now = nowMs();
    const qint64 ttl = m_options.resultTtlSeconds * 1000LL;
    const QString message = QStringLiteral("cancelled by the client");
    onStore<Cancelling>(
        [taskId, owner = ownerKey(principal), message, now, ttl](EntityStore &store) {
            Cancelling c;
            c.found.task = retried(store, &c.found.error, [&] { return store.tasks().find(taskId, &c.found.error); });
            const auto &t = c.found.task;
            if (!c.found.error.isEmpty() || !t || t->owner != owner || (t->expiresAt > 0 && t->expiresAt <= now)
                || t->terminal())
                return c;
            c.cancelled = store.tasks().requestCancel(taskId, message, now, ttl, &c.found.error);
            return c;
        },
        [this, taskId, owner = ownerKey(principal), message, now, done](Cancelling c) {
            const auto &t = c.found.task;
            if (!c.found.error.isEmpty())
                return done(storeFailure(c.found.error));
            if (!t || t->owner != owner)
                return done(notFound());
            if (t->expiresAt > 0 && t->expiresAt <= now)
                return done(notFound(QStringLiteral("Task has expired")));
            if (const auto r = m_running.value(taskId); r && !r->rec.terminal()) {
                if (c.cancelled > 0)
                    applyCancel(r, message, now);
                else
                    adoptStored(r); // it ended first (here, or a sweep)
            }
            done(std::nullopt); // idempotent: finished meanwhile or before, the same ack
        },
        [done](const ToolFailure &f) { done(f); }, taskId);
}

namespace {
struct OperatorCancelled {
    bool found = false;
    QString status;                   // before the cancel, or the one it has
    int cancelled = -1;               // requestCancel: 1, 0 (it ended first), -1 (error)
    std::optional<TaskRecord> stored; // cancelled == 0: the row as it is
    QString error;
    QString auditError;
};
} // namespace

void TaskManager::cancelAsOperator(const QString &taskId, const WriteContext &who,
                                   std::function<void(const OperatorCancelAnswer &)> answered)
{
    // Answered once: by the store, or by the timer below (then the outcome is logged when it comes).
    struct Waiter {
        std::function<void(const OperatorCancelAnswer &)> answered;
        bool toldPending = false;
    };
    auto waiter = std::make_shared<Waiter>(Waiter{std::move(answered), false});
    const auto answer = [waiter](const OperatorCancelAnswer &a) {
        if (const auto f = std::exchange(waiter->answered, {}))
            f(a);
    };
    const auto r = m_running.value(taskId);
    if (r && r->rec.terminal()) // e.g. cancelled, its tool not yet returned
        return answer(OperatorCancelAnswer{OperatorCancel::AlreadyFinished, r->rec.status, {}, false});
    const qint64 now = nowMs();
    const qint64 ttl = m_options.resultTtlSeconds * 1000LL;
    const QString message = QStringLiteral("cancelled by the operator %1").arg(who.principal);
    const bool here = bool(r);
    const QString previous = here ? r->rec.status : QString();
    if (here) {
        // Its tool stops now, whatever the database does; the row follows (first write wins there).
        applyCancel(r, message, now);
        r->cancelling = true;
    }
    const std::function<OperatorCancelled(EntityStore &)> work = [taskId, here, previous, message, now, ttl,
                                                                  who](EntityStore &store) {
        OperatorCancelled c;
        if (here) {
            c.found = true;
            c.status = previous;
        } else {
            const auto t = retried(store, &c.error, [&] { return store.tasks().find(taskId, &c.error); });
            if (!c.error.isEmpty() || !t)
                return c;
            c.found = true;
            c.status = t->status;
            if (t->terminal())
                return c;
        }
        c.cancelled = store.tasks().requestCancel(taskId, message, now, ttl, &c.error);
        if (c.cancelled == 0) {
            QString ignored;
            c.stored = store.tasks().find(taskId, &ignored);
        } else if (c.cancelled > 0) {
            // The same visit: the audit row exists once the cancel is in the row.
            store.recordTaskAction(taskId, QStringLiteral("cancel"), QJsonObject{{QStringLiteral("status"), c.status}},
                                   QJsonObject{{QStringLiteral("status"), QStringLiteral("cancelled")}}, who,
                                   &c.auditError);
        }
        return c;
    };
    const auto written = [this, r, here, taskId, who, waiter, answer](const OperatorCancelled &c) {
        m_cancelsPending.remove(taskId);
        if (here)
            operatorCancelWritten(r, c.cancelled, c.error, c.stored);
        if (!c.auditError.isEmpty())
            qCWarning(lcTasks).noquote() << "the task cancel could not be audited:" << c.auditError;
        OperatorCancelAnswer a{OperatorCancel::StoreFailed, c.status, c.error, here};
        if (!c.found && c.error.isEmpty())
            a.outcome = OperatorCancel::NotFound;
        else if (c.cancelled > 0)
            a.outcome = here ? OperatorCancel::Cancelled : OperatorCancel::Requested;
        else if (c.cancelled == 0 || (c.found && c.error.isEmpty())) {
            a.outcome = OperatorCancel::AlreadyFinished;
            a.appliedHere = false; // the row decided otherwise (its tool stopped all the same)
            if (c.stored)
                a.status = c.stored->status;
        }
        if (waiter->toldPending)
            qCInfo(lcTasks).noquote() << "the cancel of task" << taskId << "by" << who.principal
                                      << (c.cancelled > 0 ? "written to the store now that it answers"
                                                          : "answered by the store now: not written")
                                      << c.error;
        answer(a);
    };
    if (!m_worker)
        return written(work(*m_store)); // an in-memory SQLite database: its one connection is here
    m_cancelsPending.insert(taskId, who.principal);
    // In order with the task's own row statements (its key); one stuck in the database holds one connection.
    m_worker->run<OperatorCancelled>(
        StoreWorker::Queueing{QStringLiteral("task\n") + taskId}, this, work,
        [written](OperatorCancelled c) { written(c); },
        [this, r, here, taskId, answer](StoreWorker::Failure f) {
            m_cancelsPending.remove(taskId);
            const QString why
                = f == StoreWorker::Failure::Stopped
                      ? QStringLiteral("the store is not running (the server is stopping)")
                      : QStringLiteral("the store did not answer for %1 hours").arg(kOperatorWriteWaitMs / 3600000);
            if (here)
                operatorCancelWritten(r, -1, why, std::nullopt);
            answer(OperatorCancelAnswer{OperatorCancel::StoreFailed, QString(), why, here});
        },
        kOperatorWriteWaitMs);
    QTimer::singleShot(m_worker->timeoutMs(), this, [waiter, answer, here, previous, why = notAnswered()] {
        if (!waiter->answered)
            return;
        waiter->toldPending = true;
        answer(OperatorCancelAnswer{OperatorCancel::Pending, previous, why, here});
    });
}

void TaskManager::update(const Principal &principal, const QString &taskId, const QJsonObject &inputResponses,
                         Acked done)
{
    lookUp(principal, taskId,
           [this, taskId, inputResponses, done](const std::optional<TaskRecord> &t, const ToolFailure &error) {
               if (!t)
                   return done(error);
               const auto r = m_running.value(taskId);
               if (!r || r->rec.terminal())
                   return done(std::nullopt); // nothing outstanding here: responses are ignored (SEP-2663)
               QList<QPair<std::function<void(const QJsonObject &)>, QJsonObject>> answered;
               for (auto it = inputResponses.begin(); it != inputResponses.end(); ++it) {
                   auto handler = r->pendingInput.take(it.key());
                   if (!handler)
                       continue; // unknown or already answered
                   r->rec.inputRequests.remove(it.key());
                   answered.append({std::move(handler), jsonrpc::makeResult(it.key(), it.value())});
               }
               if (answered.isEmpty())
                   return done(std::nullopt);
               if (r->rec.inputRequests.isEmpty())
                   r->rec.status = QStringLiteral("working");
               r->rec.updatedAt = nowMs();
               persist(r, true);
               for (const auto &a : answered)
                   a.first(a.second);
               done(std::nullopt);
           });
}

void TaskManager::listForOperator(int limit, std::function<void(const QList<TaskRecord> &)> done,
                                  std::function<void(const StoreProblem &)> failed)
{
    struct Listed {
        QList<TaskRecord> tasks;
        QString error;
    };
    const std::function<Listed(EntityStore &)> work = [limit](EntityStore &store) {
        Listed l;
        l.tasks = retried(store, &l.error, [&] { return store.tasks().list(QString(), limit, &l.error); });
        return l;
    };
    const auto listed = [this, limit, done, failed](const Listed &l) {
        if (!l.error.isEmpty())
            return failed(StoreProblem{false, l.error});
        // What this replica knows of the tasks it runs: their latest progress, and those created
        // after the listing read the rows.
        QList<TaskRecord> out = l.tasks;
        QSet<QString> listedIds;
        for (TaskRecord &t : out) {
            listedIds.insert(t.id);
            if (const auto r = m_running.value(t.id))
                t = r->rec;
        }
        bool added = false;
        for (const auto &r : std::as_const(m_running))
            if (!listedIds.contains(r->rec.id)) {
                out.append(r->rec);
                added = true;
            }
        if (added) {
            std::stable_sort(out.begin(), out.end(), [](const TaskRecord &a, const TaskRecord &b) {
                return a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.id < b.id;
            });
            out = out.mid(0, limit);
        }
        done(out);
    };
    if (!m_worker)
        return listed(work(*m_store));
    // One listing at a time: one stuck in the database holds one connection, and those queued
    // behind it answer at their timeout.
    m_worker->run<Listed>(StoreWorker::Queueing{QStringLiteral("tasks-operator-list")}, this, work, listed,
                          [this, failed](StoreWorker::Failure f) {
                              failed(f == StoreWorker::Failure::Timeout
                                         ? StoreProblem{true, notAnswered()}
                                         : StoreProblem{false, QStringLiteral("the store is not running (the "
                                                                              "server is stopping)")});
                          });
}

int TaskManager::toolsRunningHere() const
{
    int n = 0;
    for (const auto &r : m_running)
        n += r->ending ? 0 : 1;
    return n;
}

void TaskManager::heartbeat()
{
    if (m_running.isEmpty() && m_abandoned.isEmpty()) {
        m_heartbeat.stop();
        return;
    }
    const auto running = m_running; // a cancel may finish one
    for (const auto &r : running) {
        if (r->dirty)
            persist(r, true);
        // A cancel that reached another replica (or a sweep) wrote the row: stop the tool.
        adoptStored(r);
    }
    for (const auto &a : std::as_const(m_abandoned))
        failAbandoned(a);
}

void TaskManager::failAbandoned(const std::shared_ptr<Running> &a)
{
    if (std::exchange(a->writing, true))
        return;
    TaskRecord t = a->rec;
    const qint64 now = nowMs();
    t.status = QStringLiteral("failed");
    t.statusMessage = QStringLiteral("not started: the store did not answer in time");
    t.error = QJsonObject{
        {QStringLiteral("code"), jsonrpc::InternalError},
        {QStringLiteral("message"), t.statusMessage},
        {QStringLiteral("data"), QJsonObject{{QStringLiteral("reason"), QStringLiteral("store_timeout")}}}};
    t.updatedAt = now;
    t.expiresAt = now + m_options.resultTtlSeconds * 1000LL;
    onStore<int>(
        [t](EntityStore &store) {
            QString ignored;
            return store.tasks().save(t, &ignored);
        },
        [this, id = t.id](int saved) {
            if (saved >= 0)
                m_abandoned.remove(id); // failed now, or its insert never ran
            else if (const auto a = m_abandoned.value(id))
                a->writing = false;
        },
        [this, id = t.id](const ToolFailure &) {
            if (const auto a = m_abandoned.value(id))
                a->writing = false;
        },
        t.id);
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
