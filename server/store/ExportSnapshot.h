#pragma once
// A consistent read of one entity table for an export ({entity}.export): on a connection of its
// own, inside one read transaction (SQLite in WAL mode: the snapshot of its first read;
// PostgreSQL: REPEATABLE READ READ ONLY), paged by id (keyset, never OFFSET). Every record present
// when it opened comes out exactly once, as it was then; records written meanwhile are neither
// skipped nor repeated, and writers are never blocked by it. An in-memory SQLite database has no
// second connection: there the records are read at once when it opens (the server's one thread
// writes nothing in between). Ends its transaction and closes its connection when destroyed.
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <memory>
#include <optional>

namespace koan {

class ExportSnapshot
{
public:
    // `main`: the store's own connection, whose settings the snapshot's connection copies.
    static std::unique_ptr<ExportSnapshot> open(const QSqlDatabase &main, bool postgres, const QString &table,
                                                QString *error);
    ~ExportSnapshot();
    ExportSnapshot(const ExportSnapshot &) = delete;
    ExportSnapshot &operator=(const ExportSnapshot &) = delete;

    int total() const { return m_total; } // records in the snapshot
    // The next `limit` records (with their "version") in id order; empty at the end.
    std::optional<QList<QJsonObject>> next(int limit, QString *error);

private:
    ExportSnapshot() = default;
    bool begin(bool postgres, QString *error);

    QSqlDatabase m_db; // invalid for an in-memory database
    QString m_table;
    QString m_afterId = QStringLiteral(""); // keyset: the last id returned (never NULL when bound)
    bool m_started = false;
    int m_total = 0;
    QList<QJsonObject> m_preloaded; // in-memory SQLite
};

} // namespace koan
