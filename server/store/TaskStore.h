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
    QString runner; // the process that runs it (interrupted tasks are found by it)

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
    // Replaces the row's mutable columns (status, message, progress, result, ...).
    bool save(const TaskRecord &task, QString *error);
    std::optional<TaskRecord> find(const QString &id, QString *error) const;
    // Newest first; `owner` empty: every principal's.
    QList<TaskRecord> list(const QString &owner, int limit, QString *error) const;
    bool requestCancel(const QString &id, QString *error);
    // Tasks still working or waiting for input that `runner` started: it restarted, so they
    // failed with reason "interrupted" (their results are kept for `resultTtlMs`).
    int markInterrupted(const QString &runner, qint64 now, qint64 resultTtlMs, QString *error);
    // Finished tasks whose results are past their expiry.
    int purgeExpired(qint64 now, QString *error);

private:
    QSqlDatabase m_db;
    bool m_postgres = false;
};

} // namespace koan
