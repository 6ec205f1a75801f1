#pragma once
// The append-only, hash-chained audit trail of every change to records and settings
// (21 CFR Part 11 §11.10(e), EU GMP Annex 11 §9): table koan_audit, written in the same
// transaction as the change it records; UPDATE and DELETE on it are refused by triggers.
//
// Chain scope: one chain per record (entity, record id) plus a global sequence number that every
// row's hash also covers. Writers of different records never wait for each other's chain head
// (several replicas on one PostgreSQL database keep it without serialising every write), while
// writes to one record are already serialised by its version check. An edited row breaks its own
// hash, a removed row breaks its record's chain or leaves a gap in the sequence, reordered rows
// break the sequence their hashes cover.
#include <QJsonObject>
#include <QJsonValue>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <optional>

namespace koan {

class StatementCache;

// Who changed something and how it reached us.
struct WriteContext {
    QString principal;   // "iss|sub", "operator:<user>", "stdio", "system:seed", "system:migration"
    QString transport;   // StreamableHttp, HttpSse, Stdio, Operator, system
    QString era;         // negotiated protocol version, if any
    QString session;     // session or client id
    QString traceId;     // W3C trace id when the request carried one
    QString operationId; // groups the rows of one call (a batch, delete-all)

    // The person at this machine's console ("operator:<login>").
    static WriteContext localOperator();
};

struct AuditRow {
    qint64 seq = 0;
    QString at; // UTC, microseconds, ISO 8601
    WriteContext context;
    QString entity;
    QString recordId;
    QString operation; // create, update, patch, delete, migrated, setting
    std::optional<qint64> versionBefore;
    std::optional<qint64> versionAfter;
    QJsonValue change; // JSON Patch old -> new; for a delete {"deleted": last document}
    QString prevHash;
    QString hash;

    QJsonObject toJson() const;
};

class AuditTrail
{
public:
    // `postgres`: the database is PostgreSQL (its DDL differs; the rows and hashes do not).
    // `statements`: the connection's prepared statements, which append() reuses (not owned).
    AuditTrail(QSqlDatabase db, StatementCache *statements, bool postgres = false)
        : m_db(std::move(db)), m_statements(statements), m_postgres(postgres)
    { }

    // Schema version 1 of koan_audit, inside the caller's migration transaction.
    bool ensureSchema(QString *error);
    // Appends one row inside the caller's open transaction.
    bool append(const WriteContext &context, const QString &entity, const QString &recordId, const QString &operation,
                std::optional<qint64> versionBefore, std::optional<qint64> versionAfter, const QJsonValue &change,
                QString *error);

    // Rows of one record, oldest first (paged), and all rows from `sinceIso` on.
    QList<AuditRow> recordHistory(const QString &entity, const QString &recordId, int offset, int limit, int *total,
                                  QString *error) const;
    QList<AuditRow> since(const QString &sinceIso, QString *error) const;
    // For an export (append-only rows make `upToSeq` an exact snapshot): the rows from `sinceIso` on
    // with afterSeq < seq <= upToSeq, oldest first, at most `limit`; how many there are; the last seq.
    QList<AuditRow> page(const QString &sinceIso, qint64 afterSeq, qint64 upToSeq, int limit, QString *error) const;
    int count(const QString &sinceIso, qint64 upToSeq, QString *error) const;
    qint64 lastSeq(QString *error) const;

    // Recomputes every hash and chain link; each problem names the row (seq) or record.
    // `currentVersions`: entity -> (record id -> version) of the live tables, to catch a removed
    // last row of a record.
    QStringList verify(const QHash<QString, QHash<QString, qint64>> &currentVersions, qint64 *rowsChecked) const;

    static QString hashOf(const AuditRow &row);
    static QString nowMicros();

private:
    static AuditRow rowFrom(const class QSqlQuery &q);
    QList<AuditRow> select(const QString &where, const QVariantList &values, QString *error) const;
    QSqlDatabase m_db;
    StatementCache *m_statements;
    bool m_postgres = false;
};

} // namespace koan
