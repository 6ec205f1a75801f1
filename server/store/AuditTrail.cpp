#include "AuditTrail.h"
#include "StatementCache.h"
#include "protocol/JsonWriter.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>
#include <chrono>

namespace koan {

namespace {
const QString kGenesis = QString(64, QLatin1Char('0'));
constexpr const char *kColumns = "seq, at, principal, transport, era, session, trace_id, entity, record_id, operation, "
                                 "operation_id, version_before, version_after, change, prev_hash, hash";

bool fail(QString *error, const QString &what, const QSqlError &e)
{
    if (error)
        *error = QStringLiteral("%1: %2").arg(what, e.text());
    return false;
}
QVariant nullable(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType(QMetaType::LongLong));
}
QJsonValue jsonNullable(const std::optional<qint64> &v)
{
    return v ? QJsonValue(double(*v)) : QJsonValue(QJsonValue::Null);
}
QString changeText(const QJsonValue &change)
{
    return QString::fromUtf8(json::compact(change));
}
} // namespace

WriteContext WriteContext::localOperator()
{
    const QByteArray user = qgetenv("USER");
    WriteContext c;
    c.principal
        = QStringLiteral("operator:") + (user.isEmpty() ? QStringLiteral("local") : QString::fromLocal8Bit(user));
    c.transport = QStringLiteral("Operator");
    c.operationId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    return c;
}

QJsonObject AuditRow::toJson() const
{
    return {{QStringLiteral("seq"), double(seq)},
            {QStringLiteral("at"), at},
            {QStringLiteral("principal"), context.principal},
            {QStringLiteral("transport"), context.transport},
            {QStringLiteral("era"), context.era},
            {QStringLiteral("session"), context.session},
            {QStringLiteral("traceId"), context.traceId},
            {QStringLiteral("operationId"), context.operationId},
            {QStringLiteral("entity"), entity},
            {QStringLiteral("id"), recordId},
            {QStringLiteral("operation"), operation},
            {QStringLiteral("versionBefore"), jsonNullable(versionBefore)},
            {QStringLiteral("versionAfter"), jsonNullable(versionAfter)},
            {QStringLiteral("change"), change},
            {QStringLiteral("hash"), hash}};
}

QString AuditTrail::nowMicros()
{
    const qint64 us
        = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    return QDateTime::fromMSecsSinceEpoch(us / 1000, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz"))
           + QStringLiteral("%1Z").arg(us % 1000, 3, 10, QLatin1Char('0'));
}

bool AuditTrail::ensureSchema(QString *error)
{
    QSqlQuery q(m_db);
    // The same columns on both backends; seq and versions are 64-bit on PostgreSQL too.
    const QString table
        = QStringLiteral(
              "CREATE TABLE IF NOT EXISTS koan_audit (seq %1 PRIMARY KEY, at TEXT NOT NULL, principal TEXT NOT NULL, "
              "transport TEXT NOT NULL, era TEXT NOT NULL, session TEXT NOT NULL, trace_id TEXT NOT NULL, entity TEXT "
              "NOT "
              "NULL, record_id TEXT NOT NULL, operation TEXT NOT NULL, operation_id TEXT NOT NULL, version_before %1, "
              "version_after %1, change TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)")
              .arg(m_postgres ? QStringLiteral("BIGINT") : QStringLiteral("INTEGER"));
    QStringList statements{
        table,
        QStringLiteral("CREATE INDEX IF NOT EXISTS koan_audit_record ON koan_audit(entity, record_id, seq)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS koan_audit_at ON koan_audit(at)"),
    };
    // Append-only, whoever holds the file or a database login: the database itself refuses edits
    // and removals (on PostgreSQL TRUNCATE too; only the table's owner can drop the triggers).
    if (m_postgres)
        statements << QStringLiteral("CREATE OR REPLACE FUNCTION koan_audit_append_only() RETURNS trigger "
                                     "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'koan_audit is append-only'; END $$")
                   << QStringLiteral("CREATE OR REPLACE TRIGGER koan_audit_no_update BEFORE UPDATE ON koan_audit "
                                     "FOR EACH ROW EXECUTE FUNCTION koan_audit_append_only()")
                   << QStringLiteral("CREATE OR REPLACE TRIGGER koan_audit_no_delete BEFORE DELETE ON koan_audit "
                                     "FOR EACH ROW EXECUTE FUNCTION koan_audit_append_only()")
                   << QStringLiteral("CREATE OR REPLACE TRIGGER koan_audit_no_truncate BEFORE TRUNCATE ON koan_audit "
                                     "FOR EACH STATEMENT EXECUTE FUNCTION koan_audit_append_only()");
    else
        statements << QStringLiteral("CREATE TRIGGER IF NOT EXISTS koan_audit_no_update BEFORE UPDATE ON koan_audit "
                                     "BEGIN SELECT RAISE(ABORT, 'koan_audit is append-only'); END")
                   << QStringLiteral("CREATE TRIGGER IF NOT EXISTS koan_audit_no_delete BEFORE DELETE ON koan_audit "
                                     "BEGIN SELECT RAISE(ABORT, 'koan_audit is append-only'); END");
    for (const QString &sql : std::as_const(statements))
        if (!q.exec(sql))
            return fail(error, QStringLiteral("cannot create the audit trail"), q.lastError());
    return true;
}

QString AuditTrail::hashOf(const AuditRow &r)
{
    // Every field, the sequence number and the previous hash of the record's chain, in a fixed
    // order; the change as the exact stored text (a reparse could format numbers differently).
    const QJsonArray content{double(r.seq),
                             r.at,
                             r.context.principal,
                             r.context.transport,
                             r.context.era,
                             r.context.session,
                             r.context.traceId,
                             r.entity,
                             r.recordId,
                             r.operation,
                             r.context.operationId,
                             jsonNullable(r.versionBefore),
                             jsonNullable(r.versionAfter),
                             changeText(r.change),
                             r.prevHash};
    return QString::fromLatin1(QCryptographicHash::hash(json::compact(content), QCryptographicHash::Sha256).toHex());
}

bool AuditTrail::append(const WriteContext &context, const QString &entity, const QString &recordId,
                        const QString &operation, std::optional<qint64> versionBefore,
                        std::optional<qint64> versionAfter, const QJsonValue &change, QString *error)
{
    AuditRow r;
    r.at = nowMicros();
    r.context = context;
    r.entity = entity;
    r.recordId = recordId;
    r.operation = operation;
    r.versionBefore = versionBefore;
    r.versionAfter = versionAfter;
    r.change = change;
    // Inside the writer's transaction (one writer at a time: SQLite's BEGIN IMMEDIATE, PostgreSQL's
    // transaction-scoped write lock taken by EntityStore): the next number has no gap.
    const auto next = m_statements->get(QStringLiteral("SELECT COALESCE(MAX(seq), 0) + 1 FROM koan_audit"), error);
    if (!next)
        return false;
    if (!next->exec() || !next->next())
        return fail(error, QStringLiteral("audit sequence"), next->lastError());
    r.seq = next->value(0).toLongLong();
    next->finish();
    const auto head = m_statements->get(
        QStringLiteral("SELECT hash FROM koan_audit WHERE entity = ? AND record_id = ? ORDER BY seq DESC LIMIT 1"),
        error);
    if (!head)
        return false;
    head->bindValue(0, entity);
    head->bindValue(1, recordId);
    if (!head->exec())
        return fail(error, QStringLiteral("audit chain"), head->lastError());
    r.prevHash = head->next() ? head->value(0).toString() : kGenesis;
    head->finish();
    r.hash = hashOf(r);
    const auto insert
        = m_statements->get(QStringLiteral("INSERT INTO koan_audit(%1) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                                .arg(QLatin1String(kColumns)),
                            error);
    if (!insert)
        return false;
    // A null QString binds as SQL NULL: every text column holds '' instead.
    const auto text = [](const QString &v) { return QVariant(v.isNull() ? QStringLiteral("") : v); };
    int column = 0;
    for (const QVariant &v :
         {QVariant(r.seq), text(r.at), text(context.principal), text(context.transport), text(context.era),
          text(context.session), text(context.traceId), text(entity), text(recordId), text(operation),
          text(context.operationId), nullable(versionBefore), nullable(versionAfter), QVariant(changeText(change)),
          QVariant(r.prevHash), QVariant(r.hash)})
        insert->bindValue(column++, v);
    if (!insert->exec())
        return fail(error, QStringLiteral("cannot append to the audit trail"), insert->lastError());
    return true;
}

AuditRow AuditTrail::rowFrom(const QSqlQuery &q)
{
    AuditRow r;
    r.seq = q.value(0).toLongLong();
    r.at = q.value(1).toString();
    r.context = {q.value(2).toString(), q.value(3).toString(), q.value(4).toString(),
                 q.value(5).toString(), q.value(6).toString(), q.value(10).toString()};
    r.entity = q.value(7).toString();
    r.recordId = q.value(8).toString();
    r.operation = q.value(9).toString();
    if (!q.value(11).isNull())
        r.versionBefore = q.value(11).toLongLong();
    if (!q.value(12).isNull())
        r.versionAfter = q.value(12).toLongLong();
    const QJsonDocument change = QJsonDocument::fromJson(q.value(13).toByteArray());
    r.change = change.isArray()    ? QJsonValue(change.array())
               : change.isObject() ? QJsonValue(change.object())
                                   : QJsonValue();
    r.prevHash = q.value(14).toString();
    r.hash = q.value(15).toString();
    return r;
}

QList<AuditRow> AuditTrail::recordHistory(const QString &entity, const QString &recordId, int offset, int limit,
                                          int *total, QString *error) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM koan_audit WHERE entity = ? AND record_id = ?"));
    q.addBindValue(entity);
    q.addBindValue(recordId);
    if (!q.exec() || !q.next()) {
        fail(error, QStringLiteral("audit query"), q.lastError());
        return {};
    }
    *total = q.value(0).toInt();
    return select(QStringLiteral("WHERE entity = ? AND record_id = ? ORDER BY seq LIMIT ? OFFSET ?"),
                  {entity, recordId, limit, offset}, error);
}

QList<AuditRow> AuditTrail::since(const QString &sinceIso, QString *error) const
{
    return select(QStringLiteral("WHERE at >= ? ORDER BY seq"), {sinceIso}, error);
}

QList<AuditRow> AuditTrail::page(const QString &sinceIso, qint64 afterSeq, qint64 upToSeq, int limit,
                                 QString *error) const
{
    return select(QStringLiteral("WHERE at >= ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?"),
                  {sinceIso, afterSeq, upToSeq, limit}, error);
}

int AuditTrail::count(const QString &sinceIso, qint64 upToSeq, QString *error) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM koan_audit WHERE at >= ? AND seq <= ?"));
    q.addBindValue(sinceIso);
    q.addBindValue(upToSeq);
    if (!q.exec() || !q.next()) {
        fail(error, QStringLiteral("audit count"), q.lastError());
        return -1;
    }
    return q.value(0).toInt();
}

qint64 AuditTrail::lastSeq(QString *error) const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM koan_audit")) || !q.next()) {
        fail(error, QStringLiteral("audit sequence"), q.lastError());
        return -1;
    }
    return q.value(0).toLongLong();
}

QList<AuditRow> AuditTrail::select(const QString &where, const QVariantList &values, QString *error) const
{
    QList<AuditRow> rows;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM koan_audit %2").arg(QLatin1String(kColumns), where));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec()) {
        fail(error, QStringLiteral("audit query"), q.lastError());
        return rows;
    }
    while (q.next())
        rows.append(rowFrom(q));
    return rows;
}

QStringList AuditTrail::verify(const QHash<QString, QHash<QString, qint64>> &currentVersions, qint64 *rowsChecked) const
{
    QStringList problems;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT %1 FROM koan_audit ORDER BY seq").arg(QLatin1String(kColumns))))
        return {QStringLiteral("cannot read koan_audit: %1").arg(q.lastError().text())};
    struct Head {
        QString hash;
        QString operation;
        std::optional<qint64> version;
    };
    QHash<QString, Head> heads; // "entity\x1fid" -> last row of that record's chain
    qint64 expectedSeq = 1, rows = 0;
    while (q.next()) {
        const AuditRow r = rowFrom(q);
        ++rows;
        const QString where
            = QStringLiteral("row seq %1 (%2 '%3', %4)").arg(r.seq).arg(r.entity, r.recordId, r.operation);
        if (r.seq != expectedSeq)
            problems << QStringLiteral("%1: expected seq %2 - a row was removed or the rows were reordered")
                            .arg(where)
                            .arg(expectedSeq);
        expectedSeq = r.seq + 1;
        if (hashOf(r) != r.hash)
            problems << QStringLiteral("%1: its content does not match its hash - the row was edited").arg(where);
        const QString key = r.entity + QChar(0x1f) + r.recordId;
        const QString expectedPrev = heads.contains(key) ? heads.value(key).hash : kGenesis;
        if (r.prevHash != expectedPrev)
            problems
                << QStringLiteral(
                       "%1: does not follow the previous row of its record - a row was removed, inserted or reordered")
                       .arg(where);
        heads.insert(key, Head{r.hash, r.operation, r.versionAfter});
    }
    if (rowsChecked)
        *rowsChecked = rows;
    // The live tables must agree with where each record's chain ends.
    for (auto e = currentVersions.begin(); e != currentVersions.end(); ++e)
        for (auto it = e.value().begin(); it != e.value().end(); ++it) {
            const QString key = e.key() + QChar(0x1f) + it.key();
            const auto head = heads.constFind(key);
            if (head == heads.cend())
                problems
                    << QStringLiteral("%1 '%2' (version %3) has no audit trail").arg(e.key(), it.key()).arg(it.value());
            else if (head->operation == QLatin1String("delete") || head->version != it.value())
                problems << QStringLiteral("%1 '%2' is at version %3 but its audit trail ends at %4 - rows are missing")
                                .arg(e.key(), it.key())
                                .arg(it.value())
                                .arg(head->version ? QString::number(*head->version) : QStringLiteral("a delete"));
        }
    for (auto it = heads.cbegin(); it != heads.cend(); ++it) {
        const QString entity = it.key().section(QChar(0x1f), 0, 0);
        const QString id = it.key().section(QChar(0x1f), 1);
        if (!currentVersions.contains(entity) || it->operation == QLatin1String("delete"))
            continue; // settings and deleted records have no live row
        if (!currentVersions.value(entity).contains(id))
            problems << QStringLiteral("%1 '%2' is missing from its table but its audit trail ends with '%3'")
                            .arg(entity, id, it->operation);
    }
    return problems;
}

} // namespace koan
