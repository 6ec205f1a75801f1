#include "ExportSnapshot.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace koan {

namespace {
QJsonObject record(const QSqlQuery &q)
{
    QJsonObject doc = QJsonDocument::fromJson(q.value(1).toByteArray()).object();
    doc.insert(QStringLiteral("version"), q.value(2).toLongLong());
    return doc;
}
} // namespace

std::unique_ptr<ExportSnapshot> ExportSnapshot::open(const QSqlDatabase &main, bool postgres, const QString &table,
                                                     QString *error)
{
    std::unique_ptr<ExportSnapshot> s(new ExportSnapshot);
    s->m_table = table;
    if (!postgres && main.databaseName() == QLatin1String(":memory:")) {
        QSqlQuery q(main);
        if (!q.exec(QStringLiteral("SELECT id, doc, version FROM \"%1\" ORDER BY id").arg(table))) {
            *error = QStringLiteral("cannot read %1: %2").arg(table, q.lastError().text());
            return nullptr;
        }
        while (q.next())
            s->m_preloaded.append(record(q));
        s->m_total = int(s->m_preloaded.size());
        return s;
    }
    s->m_db = QSqlDatabase::cloneDatabase(main,
                                          QStringLiteral("koan-export-") + QUuid::createUuid().toString(QUuid::Id128));
    if (!s->m_db.open()) {
        *error = QStringLiteral("cannot open a connection for the export: %1").arg(s->m_db.lastError().text());
        return nullptr;
    }
    if (!s->begin(postgres, error))
        return nullptr;
    return s;
}

bool ExportSnapshot::begin(bool postgres, QString *error)
{
    QSqlQuery q(m_db);
    const QStringList statements = postgres
                                       ? QStringList{QStringLiteral("SET client_encoding = 'UTF8'"),
                                                     QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")}
                                       : QStringList{QStringLiteral("BEGIN DEFERRED")};
    for (const QString &sql : statements)
        if (!q.exec(sql)) {
            *error = QStringLiteral("cannot start the export's snapshot: %1").arg(q.lastError().text());
            return false;
        }
    m_started = true;
    // The first read fixes the snapshot (both backends): from here on the export sees only it.
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM \"%1\"").arg(m_table)) || !q.next()) {
        *error = QStringLiteral("cannot count %1: %2").arg(m_table, q.lastError().text());
        return false;
    }
    m_total = q.value(0).toInt();
    return true;
}

std::optional<QList<QJsonObject>> ExportSnapshot::next(int limit, QString *error)
{
    if (!m_db.isValid()) {
        QList<QJsonObject> page = m_preloaded.mid(0, limit);
        m_preloaded.remove(0, qMin<qsizetype>(limit, m_preloaded.size()));
        return page;
    }
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, doc, version FROM \"%1\" WHERE id > ? ORDER BY id LIMIT ?").arg(m_table));
    q.addBindValue(m_afterId);
    q.addBindValue(limit);
    if (!q.exec()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_table, q.lastError().text());
        return std::nullopt;
    }
    QList<QJsonObject> page;
    while (q.next()) {
        m_afterId = q.value(0).toString();
        page.append(record(q));
    }
    return page;
}

ExportSnapshot::~ExportSnapshot()
{
    if (!m_db.isValid())
        return;
    const QString name = m_db.connectionName();
    if (m_started)
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK")); // read only: nothing to keep
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(name);
}

} // namespace koan
