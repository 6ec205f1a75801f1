#pragma once
// The persisted state of the tasks of the tasks extension (table koan_tasks, schema version 2),
// on the entity store's database: with PostgreSQL every replica reads the same rows, so any of
// them can answer tasks/get. Rows are small: the task's status, its final result or error, and
// the input requests outstanding. TaskManager (tasks/) decides; this class only reads and writes.
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <optional>

namespace koan {

struct TaskRecord {
    QString id;
    QString owner;      // Principal::identityKey() of the creator
    QString ownerLabel; // for the console: the subject, "anonymous", "stdio"
    QString tool;
    QString status; // working, input_required, completed, failed, cancelled
    QString statusMessage;
    double progress = -1; // 0..1, -1 unknown
    qint64 createdAt = 0; // ms since the epoch
    qint64 updatedAt = 0;
    qint64 expiresAt = 0; // ms since the epoch; 0 while the task runs
    qint64 ttlMs = 0;
    int pollIntervalMs = 1000;
    QJsonObject result;        // completed
    QJsonObject error;         // failed: the JSON-RPC error
    QJsonObject inputRequests; // input_required
    bool cancelRequested = false;
    // Who runs it: the replica id (ClusterRegistry) on PostgreSQL, the host name on SQLite.
    QString runner;

    bool terminal() const
    {
        return status == QLatin1String("completed") || status == QLatin1String("failed")
               || status == QLatin1String("cancelled");
    }
};

class TaskStore
{
public:
    TaskStore(QSqlDatabase db, bool postgres) : m_db(std::move(db)), m_postgres(postgres) { }

    // Schema version 2: koan_tasks, inside the caller's migration transaction.
    bool ensureSchema(QString *error);

    bool insert(const TaskRecord &task, QString *error);
    // PostgreSQL, for the running limits across replicas: counts the running tasks (working or
    // input_required, every replica's) in all and of `task.owner` and inserts `task` only if both
    // stay under their maximum, under a transaction-scoped advisory lock, so two replicas starting
    // tasks at once cannot both take the last place. `extraAll`/`extraOwner`: tasks this process
    // still unwinds after a cancel (cancelled in the row, their tool not yet returned).
    enum class Admission { Inserted, OwnerFull, AllFull, Failed };
    Admission insertWithinLimits(const TaskRecord &task, int maxPerOwner, int maxAll, int extraOwner, int extraAll,
                                 int *runningOwner, int *runningAll, QString *error);
    // The runner's write of the row's mutable columns (status, message, progress, result, ...).
    // Applied only while the stored task still runs, or to amend its own terminal status (a
    // cancelled task's last words): a cancel from another replica or a sweep is never overwritten.
    // 1 applied, 0 not (the stored row decided otherwise: re-read it), -1 error.
    int save(const TaskRecord &task, QString *error);
    std::optional<TaskRecord> find(const QString &id, QString *error) const;
    // Newest first; `owner` empty: every principal's.
    QList<TaskRecord> list(const QString &owner, int limit, QString *error) const;
    // Cancels a running task in the row itself (status cancelled, `message`, cancel_requested),
    // whichever replica runs it: its runner sees it at its next heartbeat and stops the tool.
    // Atomic: of a cancel, a completion and a sweep racing, the first write wins. 1 cancelled,
    // 0 not running (finished, or no such task), -1 error.
    int requestCancel(const QString &id, const QString &message, qint64 now, qint64 resultTtlMs, QString *error);
    // Tasks still working or waiting for input that `runner` started: it restarted or stops, so
    // they failed with reason "interrupted" (their results are kept for `resultTtlMs`).
    int markInterrupted(const QString &runner, qint64 now, qint64 resultTtlMs, QString *error);
    // PostgreSQL: running tasks whose runner is not a live replica (no unexpired row in
    // koan_replicas, on the database's clock) and that were not updated since `staleBefore` fail
    // with reason "interrupted". Several replicas sweeping at once: each task is taken by exactly
    // one (the UPDATE's row lock; the others re-check and skip it); *ids: the ones this call took.
    int sweepInterrupted(qint64 staleBefore, qint64 now, qint64 resultTtlMs, QStringList *ids, QString *error);
    // Finished tasks whose results are past their expiry.
    int purgeExpired(qint64 now, QString *error);

private:
    QSqlDatabase m_db;
    bool m_postgres = false;
};

} // namespace koan
