#include "StatementCache.h"

#include <QSqlError>
#include <QSqlQuery>

namespace koan {

std::shared_ptr<QSqlQuery> StatementCache::get(const QString &sql, QString *error)
{
    if (auto cached = m_statements.value(sql))
        return cached;
    if (m_statements.size() >= 256) // dynamic filters and sorts: keep the cache bounded
        m_statements.clear();
    auto q = std::make_shared<QSqlQuery>(m_db);
    if (!q->prepare(sql)) {
        if (error)
            *error = QStringLiteral("cannot prepare query: %1").arg(q->lastError().text());
        return nullptr;
    }
    m_statements.insert(sql, q);
    return q;
}

} // namespace koan
