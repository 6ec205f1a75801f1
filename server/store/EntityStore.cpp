#include "EntityStore.h"

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
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(path);
    if (!db.open())
        return fail(error, QStringLiteral("cannot open database %1").arg(path), db.lastError());
    m_path = path;
    QSqlQuery q(db);
    // WAL keeps readers and the writer apart; synchronous=NORMAL is durable at transaction boundaries in WAL.
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"})
        q.exec(QString::fromLatin1(pragma));
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS koan_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")))
        return fail(error, QStringLiteral("cannot create koan_meta"), q.lastError());
    return true;
}

bool EntityStore::isOpen() const
{
    return QSqlDatabase::contains(m_connection) && QSqlDatabase::database(m_connection, false).isOpen();
}

bool EntityStore::ensureTable(const QString &table, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
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
    QSqlDatabase db = QSqlDatabase::database(m_connection);

    QSqlQuery count(db);
    count.prepare(QStringLiteral("SELECT COUNT(*) FROM \"%1\"%2").arg(table, whereSql));
    for (const auto &eq : query.equals)
        count.addBindValue(bindable(eq.second));
    if (!count.exec() || !count.next()) {
        fail(error, QStringLiteral("query failed"), count.lastError());
        return std::nullopt;
    }
    Page page;
    page.total = count.value(0).toInt();

    const QString order = query.sortField.isEmpty()
                              ? QStringLiteral("id")
                              : QStringLiteral("json_extract(doc, '%1') %2, id").arg(jsonPath(query.sortField),
                                                                                    query.descending ? QStringLiteral("DESC") : QStringLiteral("ASC"));
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT doc FROM \"%1\"%2 ORDER BY %3 LIMIT ? OFFSET ?").arg(table, whereSql, order));
    for (const auto &eq : query.equals)
        q.addBindValue(bindable(eq.second));
    q.addBindValue(query.pageSize);
    q.addBindValue(qint64(query.page - 1) * query.pageSize);
    if (!q.exec()) {
        fail(error, QStringLiteral("query failed"), q.lastError());
        return std::nullopt;
    }
    while (q.next())
        page.items.append(QJsonDocument::fromJson(q.value(0).toByteArray()).object());
    return page;
}

std::optional<QJsonObject> EntityStore::get(const QString &table, const QString &id, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("SELECT doc FROM \"%1\" WHERE id = ?").arg(table));
    q.addBindValue(id);
    if (!q.exec()) {
        fail(error, QStringLiteral("query failed"), q.lastError());
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    return QJsonDocument::fromJson(q.value(0).toByteArray()).object();
}

bool EntityStore::upsertMany(const QString &table, const QList<QJsonObject> &docs, QList<bool> *created, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    if (!db.transaction())
        return fail(error, QStringLiteral("cannot begin transaction"), db.lastError());
    QSqlQuery exists(db);
    exists.prepare(QStringLiteral("SELECT 1 FROM \"%1\" WHERE id = ?").arg(table));
    QSqlQuery write(db);
    write.prepare(QStringLiteral("INSERT INTO \"%1\"(id, doc) VALUES(?, ?) "
                                 "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc").arg(table));
    QList<bool> isNew;
    for (const QJsonObject &doc : docs) {
        const QString id = doc.value(QLatin1String("id")).toString();
        exists.addBindValue(id);
        if (!exists.exec()) {
            const QSqlError e = exists.lastError();
            db.rollback();
            return fail(error, QStringLiteral("upsert failed"), e);
        }
        isNew.append(!exists.next());
        exists.finish();
        write.addBindValue(id);
        write.addBindValue(QString::fromUtf8(QJsonDocument(doc).toJson(QJsonDocument::Compact)));
        if (!write.exec()) {
            const QSqlError e = write.lastError();
            db.rollback();
            return fail(error, QStringLiteral("upsert of '%1' failed, nothing was written").arg(id), e);
        }
    }
    if (!db.commit()) {
        const QSqlError e = db.lastError();
        db.rollback();
        return fail(error, QStringLiteral("commit failed, nothing was written"), e);
    }
    if (created)
        *created = isNew;
    return true;
}

int EntityStore::remove(const QString &table, const QStringList &ids, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    if (!db.transaction()) {
        fail(error, QStringLiteral("cannot begin transaction"), db.lastError());
        return -1;
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("DELETE FROM \"%1\" WHERE id = ?").arg(table));
    int removed = 0;
    for (const QString &id : ids) {
        q.addBindValue(id);
        if (!q.exec()) {
            fail(error, QStringLiteral("delete failed"), q.lastError());
            db.rollback();
            return -1;
        }
        removed += q.numRowsAffected();
    }
    if (!db.commit()) {
        fail(error, QStringLiteral("commit failed"), db.lastError());
        db.rollback();
        return -1;
    }
    return removed;
}

int EntityStore::removeAll(const QString &table, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(QStringLiteral("DELETE FROM \"%1\"").arg(table))) {
        fail(error, QStringLiteral("delete failed"), q.lastError());
        return -1;
    }
    return q.numRowsAffected();
}

QString EntityStore::meta(const QString &key) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("SELECT value FROM koan_meta WHERE key = ?"));
    q.addBindValue(key);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

bool EntityStore::setMeta(const QString &key, const QString &value, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("INSERT INTO koan_meta(key, value) VALUES(?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(key);
    q.addBindValue(value);
    if (!q.exec())
        return fail(error, QStringLiteral("cannot write meta"), q.lastError());
    return true;
}

} // namespace koan
