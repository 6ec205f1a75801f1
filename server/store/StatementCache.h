#pragma once
// The prepared statements of one store connection, reused by their SQL text. Preparing costs more
// than running a lookup by id, and on PostgreSQL a query prepared for one use is three round trips
// (QPSQL sends PREPARE, EXECUTE and DEALLOCATE) where a reused one is one: inside the store's write
// lock, those round trips were most of what a write held it for (bench/README.md).
#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <memory>

class QSqlQuery;

namespace koan {

class StatementCache
{
public:
    explicit StatementCache(QSqlDatabase db) : m_db(std::move(db)) { }

    // The statement for `sql`, prepared on first use; null when it cannot be prepared (*error says
    // why). Shared: the cache may be cleared while a caller still holds one.
    std::shared_ptr<QSqlQuery> get(const QString &sql, QString *error);
    // The connection was (or is about to be) closed or reopened: its statements died with it.
    void clear() { m_statements.clear(); }

private:
    QSqlDatabase m_db;
    QHash<QString, std::shared_ptr<QSqlQuery>> m_statements;
};

} // namespace koan
