#include "TaskStore.h"

#include "EntityStore.h"
#include "protocol/JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace koan {

namespace {
bool fail(QString *error, const QString &what, const QSqlError &e)
{
    if (error)
        *error = QStringLiteral("%1: %2").arg(what, e.text());
    return false;
}
// Never NULL: the columns are NOT NULL, and Qt binds a null QString as NULL.
QString nn(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}
QString text(const QJsonObject &o)
{
    return o.isEmpty() ? QStringLiteral("") : QString::fromUtf8(json::compact(o));
}
QJsonObject object(const QVariant &v)
{
    return QJsonDocument::fromJson(v.toString().toUtf8()).object();
}
const QString kColumns = QStringLiteral(
    "task_id, owner, owner_label, tool, status, status_message, progress, created_at, updated_at, expires_at, "
    "ttl_ms, poll_ms, result, error, input_requests, cancel_requested, runner");

// pg_advisory_xact_lock key of the running limits ("koan" 0x10; EntityStore holds 1 and 2).
constexpr qint64 kLimitLock = 0x6b6f616e0010LL;

TaskRecord rowFrom(const QSqlQuery &q)
{
    TaskRecord t;
    t.id = q.value(0).toString();
    t.owner = q.value(1).toString();
    t.ownerLabel = q.value(2).toString();
    t.tool = q.value(3).toString();
    t.status = q.value(4).toString();
    t.statusMessage = q.value(5).toString();
    t.progress = q.value(6).toDouble();
    t.createdAt = q.value(7).toLongLong();
    t.updatedAt = q.value(8).toLongLong();
    t.expiresAt = q.value(9).toLongLong();
    t.ttlMs = q.value(10).toLongLong();
    t.pollIntervalMs = q.value(11).toInt();
    t.result = object(q.value(12));
    t.error = object(q.value(13));
    t.inputRequests = object(q.value(14));
    t.cancelRequested = q.value(15).toInt() != 0;
    t.runner = q.value(16).toString();
    return t;
}
} // namespace

bool TaskStore::ensureSchema(QString *error)
{
    const QString bigint = m_postgres ? QStringLiteral("BIGINT") : QStringLiteral("INTEGER");
    const QString real = m_postgres ? QStringLiteral("DOUBLE PRECISION") : QStringLiteral("REAL");
    QSqlQuery q(m_db);
    const QStringList statements{
        QStringLiteral("CREATE TABLE IF NOT EXISTS koan_tasks (task_id TEXT PRIMARY KEY, owner TEXT NOT NULL, "
                       "owner_label TEXT NOT NULL, tool TEXT NOT NULL, status TEXT NOT NULL, status_message TEXT NOT "
                       "NULL, progress %2 NOT NULL, created_at %1 NOT NULL, updated_at %1 NOT NULL, expires_at %1 NOT "
                       "NULL, ttl_ms %1 NOT NULL, poll_ms INTEGER NOT NULL, result TEXT NOT NULL, error TEXT NOT NULL, "
                       "input_requests TEXT NOT NULL, cancel_requested INTEGER NOT NULL, runner TEXT NOT NULL)")
            .arg(bigint, real),
        QStringLiteral("CREATE INDEX IF NOT EXISTS koan_tasks_owner ON koan_tasks(owner, created_at)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS koan_tasks_status ON koan_tasks(status, expires_at)"),
    };
    for (const QString &sql : statements)
        if (!q.exec(sql))
            return fail(error, QStringLiteral("cannot create koan_tasks"), q.lastError());
    return true;
}

bool TaskStore::insert(const TaskRecord &t, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO koan_tasks(%1) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                  .arg(kColumns));
    for (const QVariant &v :
         QVariantList{t.id, nn(t.owner), nn(t.ownerLabel), t.tool, t.status, nn(t.statusMessage), t.progress,
                      t.createdAt, t.updatedAt, t.expiresAt, t.ttlMs, t.pollIntervalMs, text(t.result), text(t.error),
                      text(t.inputRequests), int(t.cancelRequested), nn(t.runner)})
        q.addBindValue(v);
    if (!q.exec())
        return fail(error, QStringLiteral("cannot create the task"), q.lastError());
    return true;
}

TaskStore::Admission TaskStore::insertWithinLimits(const TaskRecord &t, int maxPerOwner, int maxAll, int extraOwner,
                                                   int extraAll, int *runningOwner, int *runningAll, QString *error)
{
    QSqlQuery q(m_db);
    const auto abort = [&](const QString &what) {
        fail(error, what, q.lastError());
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
        return Admission::Failed;
    };
    if (!q.exec(QStringLiteral("BEGIN")) || !q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kLimitLock)))
        return abort(QStringLiteral("cannot lock the task limits"));
    q.prepare(QStringLiteral("SELECT COUNT(*), COALESCE(SUM(CASE WHEN owner = ? THEN 1 ELSE 0 END), 0) FROM koan_tasks "
                             "WHERE status IN ('working', 'input_required')"));
    q.addBindValue(nn(t.owner));
    if (!q.exec() || !q.next())
        return abort(QStringLiteral("cannot count the running tasks"));
    *runningAll = q.value(0).toInt() + extraAll;
    *runningOwner = q.value(1).toInt() + extraOwner;
    q.finish();
    const Admission refused = *runningOwner >= maxPerOwner ? Admission::OwnerFull
                              : *runningAll >= maxAll      ? Admission::AllFull
                                                           : Admission::Inserted;
    if (refused != Admission::Inserted) {
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
        return refused;
    }
    if (!insert(t, error)) {
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
        return Admission::Failed;
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        return abort(QStringLiteral("cannot create the task"));
    return Admission::Inserted;
}

int TaskStore::save(const TaskRecord &t, QString *error)
{
    QSqlQuery q(m_db);
    // cancel_requested is only ever raised (requestCancel), never lowered by a save.
    q.prepare(QStringLiteral("UPDATE koan_tasks SET status = ?, status_message = ?, progress = ?, updated_at = ?, "
                             "expires_at = ?, ttl_ms = ?, result = ?, error = ?, input_requests = ? WHERE task_id = ? "
                             "AND (status IN ('working', 'input_required') OR status = ?)"));
    for (const QVariant &v : QVariantList{t.status, nn(t.statusMessage), t.progress, t.updatedAt, t.expiresAt, t.ttlMs,
                                          text(t.result), text(t.error), text(t.inputRequests), t.id, t.status})
        q.addBindValue(v);
    if (!q.exec()) {
        fail(error, QStringLiteral("cannot save the task"), q.lastError());
        return -1;
    }
    return q.numRowsAffected() > 0 ? 1 : 0;
}

std::optional<TaskRecord> TaskStore::find(const QString &id, QString *error) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT %1 FROM koan_tasks WHERE task_id = ?").arg(kColumns));
    q.addBindValue(id);
    if (!q.exec()) {
        fail(error, QStringLiteral("cannot read the task"), q.lastError());
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    return rowFrom(q);
}

QList<TaskRecord> TaskStore::list(const QString &owner, int limit, QString *error) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT %1 FROM koan_tasks%2 ORDER BY created_at DESC, task_id LIMIT ?")
                  .arg(kColumns, owner.isEmpty() ? QString() : QStringLiteral(" WHERE owner = ?")));
    if (!owner.isEmpty())
        q.addBindValue(owner);
    q.addBindValue(limit);
    QList<TaskRecord> out;
    if (!q.exec()) {
        fail(error, QStringLiteral("cannot list tasks"), q.lastError());
        return out;
    }
    while (q.next())
        out.append(rowFrom(q));
    return out;
}

int TaskStore::requestCancel(const QString &id, const QString &message, qint64 now, qint64 resultTtlMs, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE koan_tasks SET cancel_requested = 1, status = 'cancelled', status_message = ?, "
                             "input_requests = '', updated_at = ?, expires_at = ?, ttl_ms = ? - created_at WHERE "
                             "task_id = ? AND status IN ('working', 'input_required')"));
    for (const QVariant &v : QVariantList{message, now, now + resultTtlMs, now + resultTtlMs, id})
        q.addBindValue(v);
    if (!q.exec()) {
        fail(error, QStringLiteral("cannot cancel the task"), q.lastError());
        return -1;
    }
    if (q.numRowsAffected() == 0)
        return 0;
    if (m_postgres) {
        // Its runner, on whichever replica, hears it at once on the change bus (the heartbeat
        // re-reads the row anyway, should the notification be lost).
        q.prepare(QStringLiteral("SELECT pg_notify('%1', ?)").arg(QLatin1String(EntityStore::kChangeChannel)));
        q.addBindValue(QString::fromUtf8(
            json::compact(QJsonObject{{QStringLiteral("entity"), QLatin1String(EntityStore::kTasksEntity)},
                                      {QStringLiteral("ids"), QJsonArray{id}}})));
        q.exec();
    }
    return 1;
}

namespace {
const QString kInterrupt = QStringLiteral(
    "UPDATE koan_tasks SET status = 'failed', status_message = 'interrupted', input_requests = '', error = ?, "
    "updated_at = ?, expires_at = ?, ttl_ms = ? - created_at WHERE status IN ('working', 'input_required') AND ");
QString interruptedError()
{
    return text(QJsonObject{
        {QStringLiteral("code"), -32603},
        {QStringLiteral("message"), QStringLiteral("interrupted: the server running the task stopped before it "
                                                   "finished")},
        {QStringLiteral("data"), QJsonObject{{QStringLiteral("reason"), QStringLiteral("interrupted")}}}});
}
} // namespace

int TaskStore::markInterrupted(const QString &runner, qint64 now, qint64 resultTtlMs, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(kInterrupt + QStringLiteral("runner = ?"));
    for (const QVariant &v : QVariantList{interruptedError(), now, now + resultTtlMs, now + resultTtlMs, runner})
        q.addBindValue(v);
    if (!q.exec()) {
        fail(error, QStringLiteral("cannot mark interrupted tasks"), q.lastError());
        return -1;
    }
    return q.numRowsAffected();
}

int TaskStore::sweepInterrupted(qint64 staleBefore, qint64 now, qint64 resultTtlMs, QStringList *ids, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(kInterrupt
              + QStringLiteral("updated_at < ? AND runner NOT IN (SELECT id FROM koan_replicas WHERE expires_at >= "
                               "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)) RETURNING task_id"));
    for (const QVariant &v : QVariantList{interruptedError(), now, now + resultTtlMs, now + resultTtlMs, staleBefore})
        q.addBindValue(v);
    if (!q.exec()) {
        fail(error, QStringLiteral("cannot sweep interrupted tasks"), q.lastError());
        return -1;
    }
    while (q.next())
        ids->append(q.value(0).toString());
    return int(ids->size());
}

int TaskStore::purgeExpired(qint64 now, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM koan_tasks WHERE expires_at > 0 AND expires_at <= ?"));
    q.addBindValue(now);
    if (!q.exec()) {
        fail(error, QStringLiteral("cannot purge expired tasks"), q.lastError());
        return -1;
    }
    return q.numRowsAffected();
}

} // namespace koan
