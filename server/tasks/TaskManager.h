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
// The rows are read and written on the store worker (a paused database never stalls this thread):
// tasks/* answer once the row has been read, a running task's writes go one at a time per task;
// so are the operator's (the console's and the admin API's) task list and cancel.
#include "config/McpServerOptions.h"
#include "core/TaskService.h"
#include "store/AuditTrail.h"
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
    // From now on every store call made for a client, a running task or the operator (and the
    // purge, the sweep and stop()) runs on `worker`; open() stays on this thread's store (startup,
    // before the port listens). Not owned.
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
    // The server stops (store still open): the tasks it runs fail ("interrupted") now. On the
    // worker, waiting at most Store:TimeoutSeconds: a database that does not answer leaves their
    // rows running until another replica's sweep or this host's next start marks them.
    void stop();

    bool enabled() const override { return m_options.enabled; }
    Started start(const Principal &principal, const QString &tool, const QJsonObject &arguments,
                  Admitted admitted) override;
    void get(const Principal &principal, const QString &taskId, Found done) override;
    void owned(const Principal &principal, const QStringList &taskIds,
               std::function<void(const QStringList &owned)> done) override;
    void cancel(const Principal &principal, const QString &taskId, Acked done) override;
    void update(const Principal &principal, const QString &taskId, const QJsonObject &inputResponses,
                Acked done) override;
    void setObserver(Observer observer) override { m_observer = std::move(observer); }

    // Why an operator's call has no answer from the store: it did not answer within
    // Store:TimeoutSeconds (`timedOut`), or it failed; `message` says so.
    struct StoreProblem {
        bool timedOut = false;
        QString message;
    };
    // The operator's view (console, admin API): every principal's tasks, newest first (at most
    // `limit`), read on the worker (one listing at a time), with the latest progress of the tasks
    // running here; `done` or `failed` on this thread, within Store:TimeoutSeconds.
    void listForOperator(int limit, std::function<void(const QList<TaskRecord> &)> done,
                         std::function<void(const StoreProblem &)> failed);
    // The operator (`who`: named in the status message and the audit row) cancels any principal's task.
    enum class OperatorCancel {
        Cancelled, // it ran here: cancelled now
        Requested, // another replica runs it: it sees the request within its heartbeat
        NotFound,
        AlreadyFinished,
        StoreFailed, // `error` says why
        Pending      // no answer within Store:TimeoutSeconds: written when the database answers
    };
    struct OperatorCancelAnswer {
        OperatorCancel outcome = OperatorCancel::StoreFailed;
        QString status;           // the status it had (AlreadyFinished: the one it has)
        QString error;            // StoreFailed, Pending: why
        bool appliedHere = false; // it ran here: its tool stopped now, whatever the store says
    };
    // A task running here is cancelled at once (its tool stops before its next unit of work); the
    // row's cancel and the audit row (entity "_tasks", operation "cancel", `who` as its actor) are
    // written in one visit on the worker, in order with the task's other writes, waiting as long
    // as the database takes, so they land exactly once. `answered` once: when the store answered,
    // or Pending after Store:TimeoutSeconds.
    void cancelAsOperator(const QString &taskId, const WriteContext &who,
                          std::function<void(const OperatorCancelAnswer &)> answered);
    int runningHere() const { return int(m_running.size()); }
    // Of those, the ones whose tool has not returned (a cancelled one's returns at its next unit of work).
    int toolsRunningHere() const;
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
    // `work` on the store worker (`done` back here, or `failed` with store_timeout), or at once
    // without one (an in-memory SQLite database).
    template<class T>
    void onStore(std::function<T(EntityStore &)> work, std::function<void(T)> done,
                 std::function<void(const ToolFailure &)> failed, const QString &taskId = {});
    ToolFailure unanswered(StoreWorker::Failure failure) const;
    // "the <backend> store did not answer within N s (Store:TimeoutSeconds)", for the operator.
    QString notAnswered() const;
    // The caller's task row (not found: another principal's, or expired), or why not.
    void lookUp(const Principal &principal, const QString &taskId,
                std::function<void(const std::optional<TaskRecord> &, const ToolFailure &)> done);
    // Writes the task's row (one write at a time per task; `force`: now, else at most twice a second).
    void persist(const std::shared_ptr<Running> &r, bool force);
    void written(const std::shared_ptr<Running> &r, const TaskRecord &sent, int saved, const QString &error,
                 const std::optional<TaskRecord> &stored);
    void finish(const std::shared_ptr<Running> &r, const QString &status, const QJsonObject &result,
                const QJsonObject &error, const QString &message);
    // A task cancelled before its tool returned keeps what the tool said it did (false: nothing to add).
    bool amendWithLastWords(const std::shared_ptr<Running> &r);
    // The cancel is in the row: stop the tool and report the task cancelled.
    void applyCancel(const std::shared_ptr<Running> &r, const QString &message, qint64 now);
    // The row's answer to the operator's cancel of a task running here (cancelled here already).
    void operatorCancelWritten(const std::shared_ptr<Running> &r, int cancelled, const QString &error,
                               const std::optional<TaskRecord> &stored);
    // After a write of the row answered: the next one, or the task is done with once the tool returned.
    void settle(const std::shared_ptr<Running> &r);
    // The stored row decided otherwise (a cancel from another replica, a sweep): adopt it and stop the tool.
    void adopt(const std::shared_ptr<Running> &r, const TaskRecord &stored);
    // Re-reads the row (on the worker) and adopts it if it ended there.
    void adoptStored(const std::shared_ptr<Running> &r);
    // Inserts the task unless a running limit is reached; `admitted` says how it went.
    void admit(const std::shared_ptr<Running> &r, Admitted admitted);
    // A task whose insert got no answer in time: its row, should the insert commit late, is marked failed.
    void failAbandoned(const std::shared_ptr<Running> &abandoned);
    void heartbeat();
    void sweep();
    void purge();

    EntityStore *m_store;
    StoreWorker *m_worker = nullptr; // the task rows are read and written there (a paused database never blocks us)
    TaskOptions m_options;
    QString m_runner;
    bool m_replicated = false; // setReplica: PostgreSQL with the cluster registry
    int m_expiryMs = 5000;
    Observer m_observer;
    QHash<QString, std::shared_ptr<Running>> m_running;   // tasks this process runs
    QHash<QString, std::shared_ptr<Running>> m_admitting; // their rows being inserted
    QHash<QString, std::shared_ptr<Running>> m_abandoned; // inserts that got no answer in time
    QHash<QString, QString> m_cancelsPending;             // the operator's cancels not yet written: by whom
    QTimer m_heartbeat;
    QTimer m_purge;
    QTimer m_sweep;
};

} // namespace koan
