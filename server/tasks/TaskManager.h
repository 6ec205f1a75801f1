#pragma once
// The task engine of the tasks extension (SEP-2663): creates tasks for tools/calls RpcBridge hands
// it, keeps their state in the store (TaskStore: koan_tasks, both backends), binds each to the
// principal that created it, enforces the running limits, keeps results for Tasks:ResultTtlSeconds,
// and reports a task that was running when this server stopped as failed ("interrupted").
// Several replicas on one PostgreSQL database (setReplica): the limits count every replica's
// running tasks in the database, a task's runner is its replica id, a cancel from any replica is
// written into the task's row (its runner stops the tool at its next heartbeat), and a task whose
// replica is no longer live in the cluster registry is swept to "interrupted" by one of the others.
//
// Ids: 192 random bits (QRandomGenerator::system), base64url. A task of another principal is
// "not found", exactly like an id nobody issued, so ids cannot be probed through the errors.
// A task does not depend on the request that created it: a client may disconnect and poll later.
// The tool runs on this (the server's) thread; tools that take long work in chunks on the event
// loop and look at the cancel flag between them (EntityToolProvider's batch and export tools).
#include "config/McpServerOptions.h"
#include "core/TaskService.h"
#include "store/StoreWorker.h"
#include "store/TaskStore.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <memory>

namespace koan {

class EntityStore;

class TaskManager : public QObject, public TaskService
{
    Q_OBJECT
public:
    // The periodic purge of expired tasks runs on `worker` from now on. Not owned.
    void setWorker(StoreWorker *worker) { m_worker = worker; }
    TaskManager(EntityStore *store, TaskOptions options, QObject *parent = nullptr);
    ~TaskManager() override;

    // PostgreSQL with the cluster registry, before open(): this process runs tasks as `replicaId`,
    // and tasks of replicas gone from the registry (not updated for `expiryMs`) are swept.
    void setReplica(const QString &replicaId, int expiryMs);
    // After the store is open: tasks this host was running when it stopped become failed
    // ("interrupted") - on PostgreSQL with a replica id, those of every replica not live -,
    // expired ones are removed, and the housekeeping timers start.
    bool open(QString *error);
    // The server stops (store still open): the tasks it runs fail ("interrupted") now.
    void stop();

    bool enabled() const override { return m_options.enabled; }
    std::optional<Started> start(const Principal &principal, const QString &tool, const QJsonObject &arguments,
                                 ToolFailure *refused) override;
    std::optional<QJsonObject> get(const Principal &principal, const QString &taskId, ToolFailure *error) override;
    std::optional<ToolFailure> cancel(const Principal &principal, const QString &taskId) override;
    std::optional<ToolFailure> update(const Principal &principal, const QString &taskId,
                                      const QJsonObject &inputResponses) override;
    void setObserver(Observer observer) override { m_observer = std::move(observer); }

    // The operator's view (console, admin API): every principal's tasks, newest first.
    QList<TaskRecord> tasks(int limit = 200, QString *error = nullptr) const;
    // The operator (`by`: who, for the status message) cancels any principal's task.
    enum class OperatorCancel {
        Cancelled, // it ran here: cancelled now
        Requested, // another replica runs it: it sees the request within its heartbeat
        NotFound,
        AlreadyFinished,
        StoreFailed // *error says why
    };
    // *previous: the status it had (for the audit trail).
    OperatorCancel cancelAsOperator(const QString &taskId, const QString &by, QString *previous, QString *error);
    int runningHere() const { return int(m_running.size()); }
    // The rows of these tasks changed elsewhere (the change bus: a cancel through another
    // replica); those running here re-read them and stop if they were cancelled. Empty: all.
    void rowsChanged(const QStringList &ids);

    static QString ownerKey(const Principal &principal);
    static QString ownerLabel(const Principal &principal);
    // The wire form (DetailedTask without resultType).
    static QJsonObject toJson(const TaskRecord &task);

signals:
    // A task of this process was created ("created"), progressed or changed status ("progress": at
    // most two a second per task) or finished ("finished"), for the console.
    void taskChanged(const koan::TaskRecord &task, const QString &change);

private:
    struct Running;
    std::optional<TaskRecord> owned(const Principal &principal, const QString &taskId, ToolFailure *error);
    void persist(Running &r, bool force);
    void finish(const std::shared_ptr<Running> &r, const QString &status, const QJsonObject &result,
                const QJsonObject &error, const QString &message);
    // In the row first (atomic): false when it had finished or was cancelled elsewhere first.
    bool cancelRunning(const std::shared_ptr<Running> &r, const QString &by);
    // The stored row decided otherwise (a cancel from another replica, a sweep): adopt it and stop the tool.
    void adoptStored(const std::shared_ptr<Running> &r);
    // Inserts `task` unless a running limit is reached (then the refusal).
    std::optional<ToolFailure> admit(const TaskRecord &task);
    void heartbeat();
    void sweep();
    void purge();

    EntityStore *m_store;
    StoreWorker *m_worker = nullptr; // the periodic purge runs there (a paused database never blocks it)
    TaskOptions m_options;
    QString m_runner;
    bool m_replicated = false; // setReplica: PostgreSQL with the cluster registry
    int m_expiryMs = 5000;
    Observer m_observer;
    QHash<QString, std::shared_ptr<Running>> m_running; // tasks this process runs
    QTimer m_heartbeat;
    QTimer m_purge;
    QTimer m_sweep;
};

} // namespace koan
