#include "EntityStore.h"
#include "protocol/JsonWriter.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace koan {

namespace {
QString jsonPath(const QString &field) { return QStringLiteral("$.\"%1\"").arg(field); }

QVariant bindable(const QJsonValue &v)
{
    // json_extract yields 1/0 for booleans and numbers for numbers.
    if (v.isBool())
        return v.toBool() ? 1 : 0;
    if (v.isDouble())
        return v.toDouble();
    return v.toString();
}

bool fail(QString *error, const QString &what, const QSqlError &e)
{
    if (error)
        *error = QStringLiteral("%1: %2").arg(what, e.text());
    return false;
}
} // namespace

EntityStore::EntityStore(QObject *parent)
    : QObject(parent), m_connection(QStringLiteral("koan-store-") + QUuid::createUuid().toString(QUuid::Id128))
{}

EntityStore::~EntityStore()
{
    m_statements.clear(); // before the connection goes
    m_db = QSqlDatabase();
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

bool EntityStore::open(const QString &path, QString *error)
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
        if (error)
            *error = QStringLiteral("the Qt SQLite driver (QSQLITE) is missing; install libqt6sql6-sqlite");
        return false;
    }
    if (path != QLatin1String(":memory:")) {
        const QDir dir = QFileInfo(path).absoluteDir();
        if (!dir.exists() && !QDir().mkpath(dir.absolutePath())) {
            if (error)
                *error = QStringLiteral("cannot create directory %1").arg(dir.absolutePath());
            return false;
        }
    }
    m_statements.clear();
    m_records.clear();
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(path);
    if (!m_db.open())
        return fail(error, QStringLiteral("cannot open database %1").arg(path), m_db.lastError());
    m_path = path;
    QSqlQuery q(m_db);
    // WAL keeps readers and the writer apart. synchronous=FULL syncs the WAL at every commit, so an
    // acknowledged write survives power loss or an OS crash; NORMAL syncs only at checkpoints and may
    // roll back commits made since the last one (SQLite's documentation says so).
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"})
        q.exec(QString::fromLatin1(pragma));
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS koan_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")))
        return fail(error, QStringLiteral("cannot create koan_meta"), q.lastError());
    return true;
}

bool EntityStore::isOpen() const
{
    return m_db.isOpen();
}

std::shared_ptr<QSqlQuery> EntityStore::statement(const QString &sql, QString *error)
{
    if (auto cached = m_statements.value(sql))
        return cached;
    if (m_statements.size() >= 256) // dynamic filters/sorts: keep the cache bounded
        m_statements.clear();
    auto q = std::make_shared<QSqlQuery>(m_db);
    if (!q->prepare(sql)) {
        fail(error, QStringLiteral("cannot prepare query"), q->lastError());
        return nullptr;
    }
    m_statements.insert(sql, q);
    return q;
}

bool EntityStore::ensureTable(const QString &table, QString *error)
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS \"%1\" (id TEXT PRIMARY KEY, doc TEXT NOT NULL)").arg(table)))
        return fail(error, QStringLiteral("cannot create table %1").arg(table), q.lastError());
    return true;
}

std::optional<EntityStore::Page> EntityStore::collection(const QString &table, const Query &query, QString *error)
{
    QStringList where;
    for (const auto &eq : query.equals)
        where << QStringLiteral("json_extract(doc, '%1') = ?").arg(jsonPath(eq.first));
    const QString whereSql = where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where.join(QLatin1String(" AND "));

    const auto count = statement(QStringLiteral("SELECT COUNT(*) FROM \"%1\"%2").arg(table, whereSql), error);
    if (!count)
        return std::nullopt;
    int i = 0;
    for (const auto &eq : query.equals)
        count->bindValue(i++, bindable(eq.second));
    if (!count->exec() || !count->next()) {
        fail(error, QStringLiteral("query failed"), count->lastError());
        return std::nullopt;
    }
    Page page;
    page.total = count->value(0).toInt();
    count->finish();

    const QString order = query.sortField.isEmpty()
                              ? QStringLiteral("id")
                              : QStringLiteral("json_extract(doc, '%1') %2, id").arg(jsonPath(query.sortField),
                                                                                    query.descending ? QStringLiteral("DESC") : QStringLiteral("ASC"));
    const auto q = statement(QStringLiteral("SELECT doc FROM \"%1\"%2 ORDER BY %3 LIMIT ? OFFSET ?").arg(table, whereSql, order), error);
    if (!q)
        return std::nullopt;
    i = 0;
    for (const auto &eq : query.equals)
        q->bindValue(i++, bindable(eq.second));
    q->bindValue(i++, query.pageSize);
    q->bindValue(i++, qint64(query.page - 1) * query.pageSize);
    if (!q->exec()) {
        fail(error, QStringLiteral("query failed"), q->lastError());
        return std::nullopt;
    }
    while (q->next())
        page.items.append(QJsonDocument::fromJson(q->value(0).toByteArray()).object());
    q->finish();
    return page;
}

void EntityStore::revalidateRecords()
{
    const auto q = statement(QStringLiteral("PRAGMA data_version"), nullptr);
    const qint64 version = q && q->exec() && q->next() ? q->value(0).toLongLong() : -1;
    if (q)
        q->finish();
    if (version != m_dataVersion || version < 0)
        m_records.clear();
    m_dataVersion = version;
}

std::optional<QJsonObject> EntityStore::get(const QString &table, const QString &id, QString *error)
{
    revalidateRecords();
    const QString key = table + QChar(0x1f) + id;
    if (const auto it = m_records.constFind(key); it != m_records.cend())
        return *it;
    const auto q = statement(QStringLiteral("SELECT doc FROM \"%1\" WHERE id = ?").arg(table), error);
    if (!q)
        return std::nullopt;
    q->bindValue(0, id);
    if (!q->exec()) {
        fail(error, QStringLiteral("query failed"), q->lastError());
        return std::nullopt;
    }
    std::optional<QJsonObject> doc;
    if (q->next())
        doc = QJsonDocument::fromJson(q->value(0).toByteArray()).object();
    q->finish(); // releases the read snapshot
    if (doc) {
        if (m_records.size() >= 4096)
            m_records.clear();
        m_records.insert(key, *doc);
    }
    return doc;
}

bool EntityStore::upsertMany(const QString &table, const QList<QJsonObject> &docs, QList<bool> *created, QString *error)
{
    const auto exists = statement(QStringLiteral("SELECT 1 FROM \"%1\" WHERE id = ?").arg(table), error);
    const auto write = statement(QStringLiteral("INSERT INTO \"%1\"(id, doc) VALUES(?, ?) "
                                                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc").arg(table), error);
    if (!exists || !write)
        return false;
    m_records.clear();
    if (!m_db.transaction())
        return fail(error, QStringLiteral("cannot begin transaction"), m_db.lastError());
    QList<bool> isNew;
    for (const QJsonObject &doc : docs) {
        const QString id = doc.value(QLatin1String("id")).toString();
        exists->bindValue(0, id);
        if (!exists->exec()) {
            const QSqlError e = exists->lastError();
            m_db.rollback();
            return fail(error, QStringLiteral("upsert failed"), e);
        }
        isNew.append(!exists->next());
        exists->finish();
        write->bindValue(0, id);
        write->bindValue(1, QString::fromUtf8(json::compact(doc)));
        if (!write->exec()) {
            const QSqlError e = write->lastError();
            m_db.rollback();
            return fail(error, QStringLiteral("upsert of '%1' failed, nothing was written").arg(id), e);
        }
    }
    if (!m_db.commit()) {
        const QSqlError e = m_db.lastError();
        m_db.rollback();
        return fail(error, QStringLiteral("commit failed, nothing was written"), e);
    }
    if (created)
        *created = isNew;
    return true;
}

int EntityStore::remove(const QString &table, const QStringList &ids, QString *error)
{
    const auto q = statement(QStringLiteral("DELETE FROM \"%1\" WHERE id = ?").arg(table), error);
    if (!q)
        return -1;
    m_records.clear();
    if (!m_db.transaction()) {
        fail(error, QStringLiteral("cannot begin transaction"), m_db.lastError());
        return -1;
    }
    int removed = 0;
    for (const QString &id : ids) {
        q->bindValue(0, id);
        if (!q->exec()) {
            fail(error, QStringLiteral("delete failed"), q->lastError());
            m_db.rollback();
            return -1;
        }
        removed += q->numRowsAffected();
    }
    if (!m_db.commit()) {
        fail(error, QStringLiteral("commit failed"), m_db.lastError());
        m_db.rollback();
        return -1;
    }
    return removed;
}

int EntityStore::removeAll(const QString &table, QString *error)
{
    m_records.clear();
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("DELETE FROM \"%1\"").arg(table))) {
        fail(error, QStringLiteral("delete failed"), q.lastError());
        return -1;
    }
    return q.numRowsAffected();
}

QString EntityStore::meta(const QString &key)
{
    const auto q = statement(QStringLiteral("SELECT value FROM koan_meta WHERE key = ?"), nullptr);
    if (!q)
        return {};
    q->bindValue(0, key);
    const QString value = q->exec() && q->next() ? q->value(0).toString() : QString();
    q->finish();
    return value;
}

bool EntityStore::setMeta(const QString &key, const QString &value, QString *error)
{
    const auto q = statement(QStringLiteral("INSERT INTO koan_meta(key, value) VALUES(?, ?) "
                                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value"), error);
    if (!q)
        return false;
    q->bindValue(0, key);
    q->bindValue(1, value);
    if (!q->exec())
        return fail(error, QStringLiteral("cannot write meta"), q->lastError());
    return true;
}

} // namespace koan
