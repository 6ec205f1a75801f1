#include "EntityStore.h"
#include "config/McpServerOptions.h"
#include "protocol/JsonPatch.h"
#include "protocol/JsonWriter.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QCoreApplication>
#include <QSysInfo>
#include <QUrl>
#include <QUrlQuery>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <atomic>
#include <chrono>

namespace koan {

namespace {
QString jsonPath(const QString &field)
{
    return QStringLiteral("$.\"%1\"").arg(field);
}

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

// pg_advisory_lock keys (any constants, distinct from other applications' on the database).
constexpr qint64 kMigrationLock = 0x6b6f616e0001; // "koan" 1: schema migrations and entity tables
constexpr int kWriterGateWaitMs = 5000;           // as SQLite's busy timeout (QSQLITE's default)
constexpr qint64 kWriteLock = 0x6b6f616e0002;     // "koan" 2: the one writer at a time (see begin())
constexpr int kStatementTimeoutMs = 15000;        // PostgreSQL: no statement waits longer

// A field name as an SQL string literal.
QString literal(const QString &field)
{
    return QLatin1Char('\'') + QString(field).replace(QLatin1Char('\''), QLatin1String("''")) + QLatin1Char('\'');
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// What the PostgreSQL connections of this process (the store worker's pool among them) learn of
// the database, for the others: when one last found it gone (the others check theirs before
// their next statement, however recently used) and when one last reconnected (the others need
// not wait out their own backoff).
std::atomic<qint64> g_lostMs{0};
std::atomic<qint64> g_lastConnectedMs{0};
} // namespace

bool EntityStore::isDatabaseUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
}

int EntityStore::latestSchemaVersion()
{
    return 4;
}

QStringList EntityStore::stateTables()
{
    return {QStringLiteral("koan_meta"), QStringLiteral("koan_idempotency"), QStringLiteral("koan_audit"),
            QStringLiteral("koan_tasks"), QStringLiteral("koan_settings")};
}

QString EntityStore::jsonField(const QString &field) const
{
    if (m_backend == Backend::Postgres)
        return QStringLiteral("(doc::jsonb -> %1)").arg(literal(field));
    return QStringLiteral("json_extract(doc, '%1')").arg(jsonPath(field));
}

QString EntityStore::sortKey(const QString &field, bool descending) const
{
    const QString dir = descending ? QStringLiteral(" DESC") : QStringLiteral(" ASC");
    if (m_backend == Backend::Sqlite)
        return jsonField(field) + dir;
    // SQLite's order for json_extract values, spelled out: missing and null first, then numbers
    // (booleans as 0/1) by value, then text byte-wise (COLLATE "C" = SQLite's BINARY on UTF-8).
    const QString x = jsonField(field);
    const QString type = QStringLiteral("jsonb_typeof%1").arg(x);
    return QStringLiteral("CASE %1 WHEN 'number' THEN 1 WHEN 'boolean' THEN 1 WHEN 'string' THEN 2 WHEN 'object' "
                          "THEN 2 WHEN 'array' THEN 2 ELSE 0 END%3, "
                          "CASE %1 WHEN 'number' THEN (%2)::numeric WHEN 'boolean' THEN CASE WHEN (%2)::boolean THEN 1 "
                          "ELSE 0 END END%3, "
                          "CASE WHEN %1 IN ('string', 'object', 'array') THEN (doc::jsonb ->> %4) END COLLATE \"C\"%3")
        .arg(type, x, dir, literal(field));
}

EntityStore::EntityStore(QObject *parent)
    : QObject(parent), m_connection(QStringLiteral("koan-store-") + QUuid::createUuid().toString(QUuid::Id128))
{ }

EntityStore::~EntityStore()
{
    releaseWriterGate();
    m_audit.reset();
    m_statements.reset(); // before the connection goes
    m_tasks.reset();
    m_db = QSqlDatabase();
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

bool EntityStore::open(const QString &path, QString *error, Synchronous synchronous)
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
    m_audit.reset(); // it uses the statements
    m_statements.reset();
    m_records.clear();
    m_backend = Backend::Sqlite;
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(path);
    if (!m_db.open())
        return fail(error, QStringLiteral("cannot open database %1").arg(path), m_db.lastError());
    m_path = path;
    QSqlQuery q(m_db);
    // WAL keeps readers and the writer apart. synchronous=FULL syncs the WAL at every commit, so an
    // acknowledged write survives power loss or an OS crash; NORMAL syncs only at checkpoints and may
    // roll back commits made since the last one (SQLite's documentation says so); it is only offered
    // in Development (Koan:Mcp:Store:Synchronous), for measuring what FULL costs (bench/README.md).
    const char *sync = synchronous == Synchronous::Normal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL";
    for (const char *pragma : {"PRAGMA journal_mode=WAL", sync, "PRAGMA foreign_keys=ON"})
        q.exec(QString::fromLatin1(pragma));
    m_statements = std::make_unique<StatementCache>(m_db);
    m_audit = std::make_unique<AuditTrail>(m_db, m_statements.get());
    m_tasks = std::make_unique<TaskStore>(m_db, false);
    return migrate(error);
}

bool EntityStore::openUrl(const QString &url, QString *error)
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
        if (error)
            *error = QStringLiteral("the Qt PostgreSQL driver (QPSQL) is missing; install libqt6sql6-psql");
        return false;
    }
    if (const QString problem = McpServerOptions::databaseUrlProblem(url); !problem.isEmpty()) {
        if (error)
            *error = QStringLiteral("DatabaseUrl %1: %2").arg(McpServerOptions::redactDatabaseUrl(url), problem);
        return false;
    }
    m_audit.reset(); // it uses the statements
    m_statements.reset();
    m_records.clear();
    m_backend = Backend::Postgres;
    m_url = url;
    m_path = McpServerOptions::redactDatabaseUrl(url);
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
    m_statements = std::make_unique<StatementCache>(m_db);
    if (!connectPostgres(error))
        return false;
    m_audit = std::make_unique<AuditTrail>(m_db, m_statements.get(), true);
    m_tasks = std::make_unique<TaskStore>(m_db, true);
    return migrate(error);
}

bool EntityStore::connectPostgres(QString *error)
{
    configurePostgres(m_db, m_url);
    if (!m_db.open()) {
        const QSqlError e = m_db.lastError();
        m_db.close();
        return fail(error, QStringLiteral("cannot connect to the PostgreSQL database %1").arg(m_path), e);
    }
    QSqlQuery q(m_db);
    // UTC timestamps, UTF-8, and no statement (or lock wait) longer than kStatementTimeoutMs.
    for (const QString &sql : {QStringLiteral("SET TIME ZONE 'UTC'"), QStringLiteral("SET client_encoding = 'UTF8'"),
                               QStringLiteral("SET statement_timeout = %1").arg(kStatementTimeoutMs)})
        if (!q.exec(sql))
            return fail(error, QStringLiteral("cannot set up the connection to %1").arg(m_path), q.lastError());
    m_suspect = false;
    return true;
}

void EntityStore::configurePostgres(QSqlDatabase &db, const QString &url)
{
    const QUrl u(url, QUrl::StrictMode);
    const QUrlQuery query(u);
    QStringList options;
    bool hasTimeout = false;
    QString host = u.host(QUrl::FullyDecoded);
    for (const auto &item : query.queryItems(QUrl::FullyDecoded)) {
        if (item.first == QLatin1String("host")) {
            host = item.second; // a unix socket directory, or a host name
            continue;
        }
        hasTimeout = hasTimeout || item.first == QLatin1String("connect_timeout");
        if (item.first == QLatin1String("password"))
            db.setPassword(item.second);
        else
            options << item.first + QLatin1Char('=') + item.second;
    }
    // Never wait long for a server that does not answer (a tool call gets a clear error instead).
    if (!hasTimeout)
        options << QStringLiteral("connect_timeout=3");
    options << QStringLiteral("application_name=koan-mcp");
    db.setHostName(host);
    db.setPort(u.port(5432));
    db.setUserName(u.userName(QUrl::FullyDecoded));
    if (!u.password(QUrl::FullyDecoded).isEmpty())
        db.setPassword(u.password(QUrl::FullyDecoded));
    db.setDatabaseName(u.path(QUrl::FullyDecoded).mid(1));
    db.setConnectOptions(options.join(QLatin1Char(';')));
}

bool EntityStore::ensureConnected(QString *error)
{
    if (m_backend == Backend::Sqlite)
        return true;
    // After a second without use the connection is probed first: a database restarted meanwhile
    // is then reconnected transparently instead of failing the next call.
    const bool idle = nowMs() - m_lastUsedMs > 1000;
    const bool lostElsewhere = g_lostMs.load() >= m_lastUsedMs;
    if (m_db.isOpen() && !m_suspect && !idle && !lostElsewhere) {
        m_lastUsedMs = nowMs();
        return true;
    }
    if (m_db.isOpen()) {
        // A statement failed (a constraint, a conflict, or the server gone?), it sat idle, or
        // another connection found the server gone.
        QSqlQuery probe(m_db);
        if (probe.exec(QStringLiteral("SELECT 1"))) {
            m_suspect = false;
            m_lastUsedMs = nowMs();
            return true;
        }
    }
    // Whatever found it unusable (this probe, or a failed statement or ping that closed it), the
    // others must not trust theirs either.
    g_lostMs.store(nowMs());
    const qint64 now = nowMs();
    const bool anotherIsBack = g_lastConnectedMs.load() > m_nextConnectMs - m_backoffMs; // since our last attempt
    if (now < m_nextConnectMs && !anotherIsBack) {
        if (error)
            *error = QStringLiteral("the PostgreSQL database %1 is unreachable (next connection attempt in %2 ms)")
                         .arg(m_path)
                         .arg(m_nextConnectMs - now);
        return false;
    }
    m_statements->clear(); // prepared on the lost connection
    m_records.clear();
    m_db.close();
    QString why;
    if (connectPostgres(&why)) {
        m_backoffMs = 0;
        m_nextConnectMs = 0;
        m_lastUsedMs = nowMs();
        g_lastConnectedMs.store(m_lastUsedMs);
        return true;
    }
    // Retried with backoff: 250 ms, doubling, at most 5 s between attempts.
    m_backoffMs = qBound(250, m_backoffMs * 2, 5000);
    m_nextConnectMs = nowMs() + m_backoffMs;
    if (error)
        *error = QStringLiteral("the PostgreSQL database is unreachable: %1").arg(why);
    return false;
}

bool EntityStore::ping(QString *state, QString *error)
{
    const auto set = [state](const char *s) {
        if (state)
            *state = QString::fromLatin1(s);
    };
    if (m_backend == Backend::Sqlite) {
        set(m_db.isOpen() ? "up" : "closed");
        return m_db.isOpen();
    }
    if (m_db.isOpen() && !m_suspect) {
        QSqlQuery probe(m_db);
        if (probe.exec(QStringLiteral("SELECT 1"))) {
            set("up");
            return true;
        }
        m_suspect = true;
        if (error)
            *error = probe.lastError().text();
    }
    if (ensureConnected(error)) {
        set("up");
        return true;
    }
    set(m_nextConnectMs > 0 ? "unreachable" : "connecting");
    return false;
}

bool EntityStore::migrate(QString *error)
{
    const bool pg = m_backend == Backend::Postgres;
    QSqlQuery q(m_db);
    // Several replicas may start at once: one migrates, the others wait here and find it done.
    // SQLite: the write lock of BEGIN IMMEDIATE; PostgreSQL: a session advisory lock.
    if (!q.exec(pg ? QStringLiteral("SELECT pg_advisory_lock(%1)").arg(kMigrationLock)
                   : QStringLiteral("BEGIN IMMEDIATE")))
        return fail(error, QStringLiteral("cannot lock the schema for migration"), q.lastError());
    const auto finish = [&](bool ok) {
        QSqlQuery end(m_db);
        if (pg)
            end.exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(kMigrationLock));
        else
            end.exec(ok ? QStringLiteral("COMMIT") : QStringLiteral("ROLLBACK"));
        return ok;
    };
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS koan_schema (version INTEGER PRIMARY KEY, applied_at TEXT "
                               "NOT NULL, applied_by TEXT NOT NULL)"))
        || !q.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM koan_schema")) || !q.next()) {
        fail(error, QStringLiteral("cannot read the schema version"), q.lastError());
        return finish(false);
    }
    int version = q.value(0).toInt();
    q.finish();
    if (version > latestSchemaVersion()) {
        if (error)
            *error = QStringLiteral("the store has schema version %1, newer than this koan-mcp knows (%2); upgrade "
                                    "koan-mcp")
                         .arg(version)
                         .arg(latestSchemaVersion());
        return finish(false);
    }
    const QString by = QStringLiteral("%1:%2").arg(QSysInfo::machineHostName()).arg(QCoreApplication::applicationPid());
    while (version < latestSchemaVersion()) {
        const int next = version + 1;
        if (pg && !q.exec(QStringLiteral("BEGIN"))) {
            fail(error, QStringLiteral("cannot migrate"), q.lastError());
            return finish(false);
        }
        bool ok = true;
        if (next == 1) {
            // Version 1: the store as 0.2 knew it (stores written before koan_schema have all of it).
            const QString bigint = pg ? QStringLiteral("BIGINT") : QStringLiteral("INTEGER");
            ok = q.exec(
                     QStringLiteral("CREATE TABLE IF NOT EXISTS koan_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"))
                 && q.exec(QStringLiteral(
                               "CREATE TABLE IF NOT EXISTS koan_idempotency (principal TEXT NOT NULL, key TEXT NOT "
                               "NULL, args_hash TEXT NOT NULL, result TEXT NOT NULL, created_at %1 NOT NULL, "
                               "PRIMARY KEY(principal, key))")
                               .arg(bigint))
                 && q.exec(
                     QStringLiteral("CREATE INDEX IF NOT EXISTS koan_idempotency_age ON koan_idempotency(created_at)"));
            if (!ok)
                fail(error, QStringLiteral("cannot create koan_idempotency"), q.lastError());
            ok = ok && m_audit->ensureSchema(error);
        } else if (next == 2) {
            // Version 2: the tasks of the tasks extension (koan_tasks).
            ok = m_tasks->ensureSchema(error);
        } else if (next == 3) {
            // Version 3: what replicas share besides records (#17): the cluster-wide settings'
            // values (koan_settings) and the registry of replicas and their live sessions.
            const QString bigint = pg ? QStringLiteral("BIGINT") : QStringLiteral("INTEGER");
            ok = q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS koan_settings (key TEXT PRIMARY KEY, value TEXT NOT "
                                       "NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)"))
                 && q.exec(
                     QStringLiteral("CREATE TABLE IF NOT EXISTS koan_replicas (id TEXT PRIMARY KEY, host TEXT NOT "
                                    "NULL, version TEXT NOT NULL, started_at TEXT NOT NULL, heartbeat_at %1 NOT "
                                    "NULL, expires_at %1 NOT NULL)")
                         .arg(bigint))
                 && q.exec(
                     QStringLiteral("CREATE TABLE IF NOT EXISTS koan_sessions (id TEXT PRIMARY KEY, replica TEXT "
                                    "NOT NULL, transport TEXT NOT NULL, subject TEXT NOT NULL, created_at TEXT NOT "
                                    "NULL, heartbeat_at %1 NOT NULL, expires_at %1 NOT NULL)")
                         .arg(bigint))
                 && q.exec(
                     QStringLiteral("CREATE INDEX IF NOT EXISTS koan_sessions_replica ON koan_sessions(replica)"));
            if (!ok)
                fail(error, QStringLiteral("cannot create the cluster tables"), q.lastError());
        } else if (next == 4) {
            // Version 4: a batch task's idempotency key is reserved before its first chunk, by the
            // replica or process that runs it (empty: a kept answer).
            ok = q.exec(QStringLiteral("ALTER TABLE koan_idempotency ADD COLUMN holder TEXT NOT NULL DEFAULT ''"));
            if (!ok)
                fail(error, QStringLiteral("cannot add koan_idempotency.holder"), q.lastError());
        }
        if (ok) {
            q.prepare(QStringLiteral("INSERT INTO koan_schema(version, applied_at, applied_by) VALUES(?, ?, ?)"));
            q.addBindValue(next);
            q.addBindValue(AuditTrail::nowMicros());
            q.addBindValue(by);
            ok = q.exec();
            if (!ok)
                fail(error, QStringLiteral("cannot record schema version %1").arg(next), q.lastError());
        }
        if (pg && !(ok ? q.exec(QStringLiteral("COMMIT")) : q.exec(QStringLiteral("ROLLBACK"))) && ok) {
            fail(error, QStringLiteral("cannot migrate"), q.lastError());
            ok = false;
        }
        if (!ok)
            return finish(false);
        version = next;
    }
    m_schemaVersion = version;
    return finish(true);
}

bool EntityStore::isOpen() const
{
    return m_db.isOpen();
}

std::shared_ptr<QSqlQuery> EntityStore::statement(const QString &sql, QString *error)
{
    if (!m_statements) {
        if (error)
            *error = QStringLiteral("the store is not open");
        return nullptr;
    }
    return m_statements->get(sql, error);
}

bool EntityStore::ensureTable(const QString &table, const QString &entity, const QHash<QString, QString> &renamedFields,
                              const QStringList &indexedFields, QString *error)
{
    if (!ensureConnected(error))
        return false;
    QSqlQuery q(m_db);
    if (m_backend == Backend::Postgres) {
        // Under the migration lock: CREATE ... IF NOT EXISTS is not safe against a concurrent
        // creator on PostgreSQL. `id` compares byte-wise (COLLATE "C"), as SQLite's TEXT does.
        if (!q.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(kMigrationLock)))
            return fail(error, QStringLiteral("cannot lock the schema"), q.lastError());
        bool ok = q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS \"%1\" (id TEXT COLLATE \"C\" PRIMARY KEY, doc "
                                        "TEXT NOT NULL, version BIGINT NOT NULL DEFAULT 1)")
                             .arg(table));
        for (const QString &field : indexedFields)
            ok = ok
                 && q.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS \"%1_%2\" ON \"%1\" (%3)")
                               .arg(table, field, jsonField(field)));
        const QSqlError e = q.lastError();
        QSqlQuery(m_db).exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(kMigrationLock));
        return ok || fail(error, QStringLiteral("cannot create table %1").arg(table), e);
    }
    // Backup and reporting scripts read `id` and `doc`; the version sits beside them.
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS \"%1\" (id TEXT PRIMARY KEY, doc TEXT NOT NULL, "
                               "version INTEGER NOT NULL DEFAULT 1)")
                    .arg(table)))
        return fail(error, QStringLiteral("cannot create table %1").arg(table), q.lastError());
    bool versioned = false;
    if (!q.exec(QStringLiteral("PRAGMA table_info(\"%1\")").arg(table)))
        return fail(error, QStringLiteral("cannot inspect table %1").arg(table), q.lastError());
    while (q.next())
        versioned = versioned || q.value(1).toString() == QLatin1String("version");
    // The fields the tools filter and sort on (the same expression the queries use).
    for (const QString &field : indexedFields)
        if (!q.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS \"%1_%2\" ON \"%1\" (%3)")
                        .arg(table, field, jsonField(field))))
            return fail(error, QStringLiteral("cannot index %1.%2").arg(table, field), q.lastError());
    if (versioned)
        return true;
    // A store written before versions existed: every record starts at version 1, and its audit
    // trail with one `migrated` row holding the document as found.
    if (!begin(error))
        return false;
    const WriteContext migration{QStringLiteral("system:migration"),
                                 QStringLiteral("system"),
                                 {},
                                 {},
                                 {},
                                 QStringLiteral("migrate-") + QUuid::createUuid().toString(QUuid::WithoutBraces)};
    if (!q.exec(QStringLiteral("ALTER TABLE \"%1\" ADD COLUMN version INTEGER NOT NULL DEFAULT 1").arg(table))
        || !q.exec(QStringLiteral("SELECT id, doc FROM \"%1\" ORDER BY id").arg(table))) {
        const QSqlError e = q.lastError();
        m_db.rollback();
        return fail(error, QStringLiteral("cannot upgrade table %1").arg(table), e);
    }
    QList<QPair<QString, QJsonObject>> rows;
    while (q.next())
        rows.append({q.value(0).toString(), QJsonDocument::fromJson(q.value(1).toByteArray()).object()});
    const auto update = statement(QStringLiteral("UPDATE \"%1\" SET doc = ? WHERE id = ?").arg(table), error);
    if (!update) {
        m_db.rollback();
        return false;
    }
    for (auto &row : rows) {
        bool renamed = false;
        for (auto it = renamedFields.begin(); it != renamedFields.end(); ++it)
            if (row.second.contains(it.key())) {
                row.second.insert(it.value(), row.second.take(it.key()));
                renamed = true;
            }
        if (renamed) {
            update->bindValue(0, QString::fromUtf8(json::compact(row.second)));
            update->bindValue(1, row.first);
            if (!update->exec()) {
                const QSqlError e = update->lastError();
                m_db.rollback();
                return fail(error, QStringLiteral("cannot upgrade table %1").arg(table), e);
            }
        }
    }
    for (const auto &row : std::as_const(rows)) {
        const QJsonArray change{QJsonObject{{QStringLiteral("op"), QStringLiteral("add")},
                                            {QStringLiteral("path"), QString()},
                                            {QStringLiteral("value"), row.second}}};
        if (!m_audit->append(migration, entity, row.first, QStringLiteral("migrated"), std::nullopt, 1, change,
                             error)) {
            m_db.rollback();
            return false;
        }
    }
    if (!m_db.commit()) {
        const QSqlError e = m_db.lastError();
        m_db.rollback();
        return fail(error, QStringLiteral("cannot upgrade table %1").arg(table), e);
    }
    m_records.clear();
    return true;
}

std::unique_ptr<ExportSnapshot> EntityStore::exportSnapshot(const QString &table, QString *error)
{
    if (!ensureConnected(error))
        return nullptr;
    return ExportSnapshot::open(m_db, m_backend == Backend::Postgres, table, error);
}

std::optional<EntityStore::Page> EntityStore::collection(const QString &table, const Query &query, QString *error)
{
    if (!ensureConnected(error))
        return std::nullopt;
    const bool pg = m_backend == Backend::Postgres;
    // PostgreSQL compares JSON values (a string never equals a number, as in SQLite).
    const auto bind
        = [pg](const QJsonValue &v) { return pg ? QVariant(QString::fromUtf8(json::compact(v))) : bindable(v); };
    QStringList where;
    for (const auto &eq : query.equals)
        where << jsonField(eq.first) + (pg ? QStringLiteral(" = ?::jsonb") : QStringLiteral(" = ?"));
    const QString whereSql
        = where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where.join(QLatin1String(" AND "));

    const auto count = statement(QStringLiteral("SELECT COUNT(*) FROM \"%1\"%2").arg(table, whereSql), error);
    if (!count)
        return std::nullopt;
    int i = 0;
    for (const auto &eq : query.equals)
        count->bindValue(i++, bind(eq.second));
    if (!count->exec() || !count->next()) {
        noteFailure();
        fail(error, QStringLiteral("query failed"), count->lastError());
        return std::nullopt;
    }
    Page page;
    page.total = count->value(0).toInt();
    count->finish();

    const QString order = query.sortField.isEmpty()
                              ? QStringLiteral("id")
                              : sortKey(query.sortField, query.descending) + QStringLiteral(", id");
    const auto q = statement(
        QStringLiteral("SELECT doc, version FROM \"%1\"%2 ORDER BY %3 LIMIT ? OFFSET ?").arg(table, whereSql, order),
        error);
    if (!q)
        return std::nullopt;
    i = 0;
    for (const auto &eq : query.equals)
        q->bindValue(i++, bind(eq.second));
    q->bindValue(i++, query.pageSize);
    q->bindValue(i++, qint64(query.page - 1) * query.pageSize);
    if (!q->exec()) {
        noteFailure();
        fail(error, QStringLiteral("query failed"), q->lastError());
        return std::nullopt;
    }
    while (q->next()) {
        QJsonObject doc = QJsonDocument::fromJson(q->value(0).toByteArray()).object();
        doc.insert(QStringLiteral("version"), q->value(1).toLongLong());
        page.items.append(doc);
    }
    q->finish();
    return page;
}

void EntityStore::revalidateRecords()
{
    if (m_backend == Backend::Postgres) {
        // No PRAGMA data_version there: other replicas write too, so nothing is kept (the change
        // bus will invalidate a cache across replicas, issue #17).
        m_records.clear();
        return;
    }
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
    if (!ensureConnected(error))
        return std::nullopt;
    revalidateRecords();
    const QString key = table + QChar(0x1f) + id;
    if (const auto it = m_records.constFind(key); it != m_records.cend())
        return *it;
    const auto found = current(table, id, error);
    std::optional<QJsonObject> doc;
    if (found) {
        doc = found->first;
        doc->insert(QStringLiteral("version"), found->second);
    }
    if (doc && m_backend == Backend::Sqlite) {
        if (m_records.size() >= 4096)
            m_records.clear();
        m_records.insert(key, *doc);
    }
    return doc;
}

std::optional<QPair<QJsonObject, qint64>> EntityStore::current(const QString &table, const QString &id, QString *error)
{
    const auto q = statement(QStringLiteral("SELECT doc, version FROM \"%1\" WHERE id = ?").arg(table), error);
    if (!q)
        return std::nullopt;
    q->bindValue(0, id);
    if (!q->exec()) {
        noteFailure();
        fail(error, QStringLiteral("query failed"), q->lastError());
        return std::nullopt;
    }
    std::optional<QPair<QJsonObject, qint64>> found;
    if (q->next())
        found = qMakePair(QJsonDocument::fromJson(q->value(0).toByteArray()).object(), q->value(1).toLongLong());
    q->finish(); // releases the read snapshot
    return found;
}

bool EntityStore::begin(QString *error)
{
    m_records.clear();
    if (!ensureConnected(error))
        return false;
    QSqlQuery q(m_db);
    if (m_backend == Backend::Sqlite) {
        if (m_writerGate && !m_holdsWriterGate) {
            if (!m_writerGate->try_lock_for(std::chrono::milliseconds(kWriterGateWaitMs))) {
                if (error)
                    *error = QStringLiteral("cannot begin transaction: the database is locked (another write of "
                                            "this server held it for %1 s)")
                                 .arg(kWriterGateWaitMs / 1000);
                return false;
            }
            m_holdsWriterGate = true;
        }
        if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
            return fail(error, QStringLiteral("cannot begin transaction"), q.lastError());
        return true;
    }
    // One writer at a time, as SQLite's BEGIN IMMEDIATE: the version checks, the audit chain and
    // its gap-free sequence see no other writer in between (readers are never blocked). The
    // lock is released by COMMIT or ROLLBACK; statement_timeout bounds the wait.
    if (!q.exec(QStringLiteral("BEGIN"))
        || !q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kWriteLock))) {
        const QSqlError e = q.lastError();
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
        noteFailure();
        return fail(error, QStringLiteral("cannot begin transaction"), e);
    }
    return true;
}

bool EntityStore::notifyChange(const QString &entity, const QStringList &ids, bool listed, QString *error)
{
    if (m_backend != Backend::Postgres)
        return true;
    // Inside the write transaction: delivered to listeners at commit, never for a rollback. Ids
    // only (a listener re-reads what it needs); over NOTIFY's 8000-byte limit, "the entity changed".
    QJsonObject payload{{QStringLiteral("entity"), entity}, {QStringLiteral("ids"), QJsonArray::fromStringList(ids)}};
    if (listed)
        payload.insert(QStringLiteral("listed"), true); // created or deleted: the resource list changed
    QByteArray text = json::compact(payload);
    if (text.size() > 7000)
        text = json::compact(QJsonObject{
            {QStringLiteral("entity"), entity}, {QStringLiteral("all"), true}, {QStringLiteral("listed"), listed}});
    const auto q = statement(QStringLiteral("SELECT pg_notify('%1', ?)").arg(QLatin1String(kChangeChannel)), error);
    if (!q)
        return false;
    q->bindValue(0, QString::fromUtf8(text));
    if (!q->exec())
        return fail(error, QStringLiteral("cannot publish the change"), q->lastError());
    q->finish();
    return true;
}

void EntityStore::releaseWriterGate()
{
    if (!m_holdsWriterGate)
        return;
    m_holdsWriterGate = false;
    m_writerGate->unlock();
}

namespace {
// A COMMIT the server answered with an error rolled back. One whose connection broke may have
// been applied (its answer was lost, not necessarily the commit), so the caller is not told
// "nothing": it reads the record back or retries with its idempotency key.
QString commitFailure(QSqlDatabase &db, bool postgres, const QString &nothingDone)
{
    const QString why = db.lastError().text();
    if (postgres) {
        QSqlQuery probe(db);
        if (!db.isOpen() || !probe.exec(QStringLiteral("SELECT 1")))
            return QStringLiteral("the connection to the database broke during the commit, so it may or may not have "
                                  "been applied: read the record back, or retry with the same idempotencyKey (%1)")
                .arg(why);
    }
    return QStringLiteral("commit failed, %1: %2").arg(nothingDone, why);
}
} // namespace

EntityStore::Outcome EntityStore::rollback(Outcome o)
{
    QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
    m_records.clear();
    if (o.code == QLatin1String("store_error") || o.code == QLatin1String("idempotency_conflict"))
        noteFailure();
    o.ok = false;
    o.records.clear();
    o.created.clear();
    return o;
}

QJsonObject EntityStore::Outcome::errorJson() const
{
    QJsonObject e{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (!id.isEmpty())
        e.insert(QStringLiteral("id"), id);
    if (code == QLatin1String("version_conflict") || code == QLatin1String("version_required")) {
        if (code == QLatin1String("version_conflict"))
            e.insert(QStringLiteral("expectedVersion"), expectedVersion);
        e.insert(QStringLiteral("currentVersion"), currentVersion);
    }
    return e;
}

namespace {
EntityStore::Outcome storeFailure(const QString &message)
{
    EntityStore::Outcome o;
    o.code = QStringLiteral("store_error");
    o.message = message;
    return o;
}
EntityStore::Outcome versionConflict(const QString &id, qint64 expected, qint64 current)
{
    EntityStore::Outcome o;
    o.code = QStringLiteral("version_conflict");
    o.id = id;
    o.expectedVersion = expected;
    o.currentVersion = current;
    o.message
        = current == 0
              ? QStringLiteral("'%1' does not exist (expected version %2); nothing was written").arg(id).arg(expected)
              : QStringLiteral("'%1' is at version %2, not the expected %3 - someone changed it since it was read; "
                               "read it again, reapply the change and pass the new version. Nothing was written")
                    .arg(id)
                    .arg(current)
                    .arg(expected);
    return o;
}
} // namespace

namespace {
// The row of a retry key: its arguments' hash, its answer (so far) and its holder (empty: kept).
struct KeyRow {
    QByteArray argsHash;
    QString result;
    QString holder;
};
// On failure *why is the query's error (QSqlDatabase::lastError() does not hold a query's).
std::optional<KeyRow> keyRow(QSqlDatabase &db, const EntityStore::Idempotency &idem, qint64 youngerThan, bool *ok,
                             QSqlError *why)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral(
        "SELECT args_hash, result, holder FROM koan_idempotency WHERE principal = ? AND key = ? AND created_at > ?"));
    q.addBindValue(idem.principal);
    q.addBindValue(idem.key);
    q.addBindValue(youngerThan);
    *ok = q.exec();
    if (!*ok)
        *why = q.lastError();
    if (!*ok || !q.next())
        return std::nullopt;
    return KeyRow{q.value(0).toByteArray(), q.value(1).toString(), q.value(2).toString()};
}
// Conditional on the holder: of two callers settling or taking over the same reservation, one wins.
int updateKey(QSqlDatabase &db, const QString &sql, const QVariantList &values, const EntityStore::Idempotency &idem,
              const QString &holder, QSqlError *why = nullptr)
{
    QSqlQuery q(db);
    q.prepare(sql + QStringLiteral(" WHERE principal = ? AND key = ? AND holder = ?"));
    for (const QVariant &v : values + QVariantList{idem.principal, idem.key, holder})
        q.addBindValue(v);
    if (q.exec())
        return q.numRowsAffected();
    if (why)
        *why = q.lastError();
    return -1;
}
} // namespace

EntityStore::Replay EntityStore::findIdempotent(const Idempotency &idem, QJsonObject *result, QString *error,
                                                const HolderAlive &alive)
{
    if (!ensureConnected(error))
        return Replay::None;
    for (int attempt = 0; attempt < 3; ++attempt) {
        bool ok = false;
        QSqlError why;
        const auto row = keyRow(m_db, idem, QDateTime::currentSecsSinceEpoch() - kIdempotencyTtlSeconds, &ok, &why);
        if (!ok) {
            noteFailure();
            fail(error, QStringLiteral("idempotency lookup"), why);
            return Replay::None;
        }
        if (!row)
            return Replay::None;
        *result = QJsonDocument::fromJson(row->result.toUtf8()).object();
        if (row->argsHash != idem.argsHash)
            return Replay::Mismatch;
        if (row->holder.isEmpty())
            return Replay::Same;
        if (!alive || alive(row->holder))
            return Replay::InUse;
        // Its batch is gone: what it committed is the answer; with nothing committed, the key is free.
        const int settled
            = row->result.isEmpty()
                  ? updateKey(m_db, QStringLiteral("DELETE FROM koan_idempotency"), {}, idem, row->holder, &why)
                  : updateKey(m_db, QStringLiteral("UPDATE koan_idempotency SET holder = ''"), {}, idem, row->holder,
                              &why);
        if (settled < 0) {
            noteFailure();
            fail(error, QStringLiteral("idempotency lookup"), why);
            return Replay::None;
        }
        if (settled > 0)
            return row->result.isEmpty() ? Replay::None : Replay::Same;
    }
    return Replay::InUse; // settled by another caller each time: say busy, a retry sees the outcome
}

EntityStore::Replay EntityStore::reserveIdempotent(const Idempotency &idem, const QString &holder,
                                                   const HolderAlive &alive, QJsonObject *result, QString *error)
{
    if (!ensureConnected(error))
        return Replay::InUse; // *error says why
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (int attempt = 0; attempt < 3; ++attempt) {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("DELETE FROM koan_idempotency WHERE principal = ? AND key = ? AND created_at <= ?"));
        q.addBindValue(idem.principal);
        q.addBindValue(idem.key);
        q.addBindValue(now - kIdempotencyTtlSeconds);
        bool ok = q.exec();
        // One row per (principal, key): the database lets exactly one reservation in.
        q.prepare(QStringLiteral("INSERT INTO koan_idempotency(principal, key, args_hash, result, created_at, holder) "
                                 "VALUES(?, ?, ?, '', ?, ?) ON CONFLICT(principal, key) DO NOTHING"));
        for (const QVariant &v : {QVariant(idem.principal), QVariant(idem.key),
                                  QVariant(QString::fromLatin1(idem.argsHash)), QVariant(now), QVariant(holder)})
            q.addBindValue(v);
        ok = ok && q.exec();
        if (!ok) {
            noteFailure();
            fail(error, QStringLiteral("idempotency reservation"), q.lastError());
            return Replay::InUse;
        }
        if (q.numRowsAffected() > 0)
            return Replay::None;
        QSqlError why;
        const auto row = keyRow(m_db, idem, now - kIdempotencyTtlSeconds, &ok, &why);
        if (!ok) {
            noteFailure();
            fail(error, QStringLiteral("idempotency reservation"), why);
            return Replay::InUse;
        }
        if (!row)
            continue; // gone meanwhile: reserve again
        *result = QJsonDocument::fromJson(row->result.toUtf8()).object();
        if (row->argsHash != idem.argsHash)
            return Replay::Mismatch;
        if (row->holder.isEmpty())
            return Replay::Same;
        if (alive(row->holder))
            return Replay::InUse;
        // Its holder is gone: keep what it committed as the answer, or take the key over.
        const int taken
            = row->result.isEmpty()
                  ? updateKey(m_db, QStringLiteral("UPDATE koan_idempotency SET holder = ?, created_at = ?"),
                              {holder, now}, idem, row->holder, &why)
                  : updateKey(m_db, QStringLiteral("UPDATE koan_idempotency SET holder = ''"), {}, idem, row->holder,
                              &why);
        if (taken < 0) {
            noteFailure();
            fail(error, QStringLiteral("idempotency reservation"), why);
            return Replay::InUse;
        }
        if (taken > 0)
            return row->result.isEmpty() ? Replay::None : Replay::Same;
    }
    return Replay::InUse;
}

bool EntityStore::settleIdempotent(const Idempotency &idem, const QString &holder,
                                   const std::optional<QJsonObject> &result, QString *error)
{
    if (!ensureConnected(error))
        return false;
    QSqlError why;
    const int n = result ? updateKey(m_db, QStringLiteral("UPDATE koan_idempotency SET result = ?, holder = ''"),
                                     {QString::fromUtf8(json::compact(*result))}, idem, holder, &why)
                         : updateKey(m_db, QStringLiteral("DELETE FROM koan_idempotency"), {}, idem, holder, &why);
    if (n < 0) {
        noteFailure();
        return fail(error, QStringLiteral("cannot keep the batch's answer"), why);
    }
    return true;
}

bool EntityStore::replicaLive(const QString &replicaId, QString *error)
{
    if (m_backend != Backend::Postgres || !ensureConnected(error))
        return false;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT 1 FROM koan_replicas WHERE id = ? AND expires_at >= CAST(EXTRACT(EPOCH FROM "
                             "clock_timestamp()) * 1000 AS BIGINT)"));
    q.addBindValue(replicaId);
    if (!q.exec()) {
        fail(error, QStringLiteral("cannot read the replica registry"), q.lastError());
        return true; // unknown: never take over a batch that may still run
    }
    return q.next();
}

EntityStore::Outcome EntityStore::write(const QString &table, const QString &entity, const QList<WriteItem> &items,
                                        ReplaceRule rule, const WriteContext &context, const Idempotency *idem)
{
    QString error;
    if (!ensureConnected(&error))
        return storeFailure(error);
    const auto put
        = statement(QStringLiteral("INSERT INTO \"%1\"(id, doc, version) VALUES(?, ?, ?) "
                                   "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, version = excluded.version")
                        .arg(table),
                    &error);
    if (!put || !begin(&error))
        return storeFailure(error);
    Outcome o;
    for (const WriteItem &item : items) {
        QJsonObject doc = item.doc;
        doc.remove(QStringLiteral("version")); // server-assigned: never stored from a client
        const QString id = doc.value(QLatin1String("id")).toString();
        const auto existing = current(table, id, &error);
        if (!error.isEmpty())
            return rollback(storeFailure(error));
        const qint64 currentVersion = existing ? existing->second : 0;
        if (item.expectedVersion && *item.expectedVersion != currentVersion)
            return rollback(versionConflict(id, *item.expectedVersion, currentVersion));
        if (existing && !item.expectedVersion && rule == ReplaceRule::NeedsVersion) {
            Outcome refused;
            refused.code = QStringLiteral("version_required");
            refused.id = id;
            refused.currentVersion = currentVersion;
            refused.message
                = QStringLiteral("'%1' exists (version %2): pass expectedVersion to replace it, so that no one "
                                 "else's change is overwritten unseen. Nothing was written")
                      .arg(id)
                      .arg(currentVersion);
            return rollback(refused);
        }
        const qint64 version = currentVersion + 1;
        put->bindValue(0, id);
        put->bindValue(1, QString::fromUtf8(json::compact(doc)));
        put->bindValue(2, version);
        if (!put->exec())
            return rollback(storeFailure(
                QStringLiteral("write of '%1' failed, nothing was written: %2").arg(id, put->lastError().text())));
        const QJsonValue change = existing
                                      ? QJsonValue(jsonpatch::diff(existing->first, doc))
                                      : QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("op"), QStringLiteral("add")},
                                                                          {QStringLiteral("path"), QString()},
                                                                          {QStringLiteral("value"), doc}}});
        const QString operation = !existing                                  ? QStringLiteral("create")
                                  : item.operation == QLatin1String("patch") ? QStringLiteral("patch")
                                                                             : QStringLiteral("update");
        if (!m_audit->append(context, entity, id, operation,
                             existing ? std::optional<qint64>(currentVersion) : std::nullopt, version, change, &error))
            return rollback(storeFailure(error));
        doc.insert(QStringLiteral("version"), version);
        o.records.append(doc);
        o.created.append(!existing);
    }
    if (idem) {
        // With the write or not at all: an answer lost after the commit is still here for the retry.
        o.ok = true;
        QSqlQuery keep(m_db);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        keep.prepare(QStringLiteral("DELETE FROM koan_idempotency WHERE created_at <= ?"));
        keep.addBindValue(now - kIdempotencyTtlSeconds);
        keep.exec();
        const QString answer = QString::fromUtf8(json::compact(idem->resultOf(o)));
        bool kept = false;
        if (idem->holder.isEmpty()) {
            keep.prepare(QStringLiteral(
                "INSERT INTO koan_idempotency(principal, key, args_hash, result, created_at) VALUES(?, ?, ?, ?, ?)"));
            for (const QVariant &v : {QVariant(idem->principal), QVariant(idem->key),
                                      QVariant(QString::fromLatin1(idem->argsHash)), QVariant(answer), QVariant(now)})
                keep.addBindValue(v);
            kept = keep.exec();
        } else {
            // A batch task's reservation: the answer so far (or, with the last chunk, the whole
            // call's) commits with this chunk, so a retry after a crash never writes it again.
            kept = updateKey(m_db, QStringLiteral("UPDATE koan_idempotency SET result = ?, holder = ?"),
                             {answer, idem->final ? QStringLiteral("") : idem->holder}, *idem, idem->holder)
                   > 0;
        }
        if (!kept) {
            Outcome raced
                = storeFailure(QStringLiteral("idempotency key '%1' is being used by another call; nothing was written")
                                   .arg(idem->key));
            raced.code = QStringLiteral("idempotency_conflict");
            return rollback(raced);
        }
    }
    QStringList written;
    for (const QJsonObject &r : std::as_const(o.records))
        written << r.value(QLatin1String("id")).toString();
    const bool created = o.created.contains(true);
    if (!notifyChange(entity, written, created, &error))
        return rollback(storeFailure(error));
    if (!m_db.commit())
        return rollback(
            storeFailure(commitFailure(m_db, m_backend == Backend::Postgres, QStringLiteral("nothing was written"))));
    m_records.clear();
    o.ok = true;
    if (m_bus)
        m_bus->publish(Change::record(entity, written, created));
    return o;
}

EntityStore::Outcome EntityStore::remove(const QString &table, const QString &entity, const QStringList &ids,
                                         const QHash<QString, qint64> &expected, const WriteContext &context)
{
    QString error;
    if (!ensureConnected(&error))
        return storeFailure(error);
    const auto del = statement(QStringLiteral("DELETE FROM \"%1\" WHERE id = ?").arg(table), &error);
    if (!del || !begin(&error))
        return storeFailure(error);
    Outcome o;
    for (const QString &id : ids) {
        const auto existing = current(table, id, &error);
        if (!error.isEmpty())
            return rollback(storeFailure(error));
        if (expected.contains(id) && expected.value(id) != (existing ? existing->second : 0))
            return rollback(versionConflict(id, expected.value(id), existing ? existing->second : 0));
        if (!existing) {
            o.missing << id;
            continue;
        }
        del->bindValue(0, id);
        if (!del->exec())
            return rollback(
                storeFailure(QStringLiteral("delete failed, nothing was deleted: %1").arg(del->lastError().text())));
        // The deleted document is kept in the trail: nothing is lost by a delete.
        if (!m_audit->append(context, entity, id, QStringLiteral("delete"), existing->second, std::nullopt,
                             QJsonObject{{QStringLiteral("deleted"), existing->first}}, &error))
            return rollback(storeFailure(error));
        ++o.deleted;
    }
    if (o.deleted > 0 && !notifyChange(entity, ids, true, &error))
        return rollback(storeFailure(error));
    if (!m_db.commit())
        return rollback(
            storeFailure(commitFailure(m_db, m_backend == Backend::Postgres, QStringLiteral("nothing was deleted"))));
    m_records.clear();
    o.ok = true;
    if (m_bus && o.deleted > 0) {
        QStringList deleted = ids;
        for (const QString &id : std::as_const(o.missing))
            deleted.removeAll(id);
        m_bus->publish(Change::record(entity, deleted, true));
    }
    return o;
}

EntityStore::Outcome EntityStore::removeAll(const QString &table, const QString &entity, const WriteContext &context)
{
    QStringList ids;
    QString error;
    if (!ensureConnected(&error))
        return storeFailure(error);
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT id FROM \"%1\" ORDER BY id").arg(table))) {
        noteFailure();
        return storeFailure(q.lastError().text());
    }
    while (q.next())
        ids << q.value(0).toString();
    q.finish();
    // Another writer may add a record in between: it is simply not part of this delete.
    return remove(table, entity, ids, {}, context);
}

bool EntityStore::recordSetting(const QString &key, const QJsonValue &before, const QJsonValue &after,
                                const WriteContext &context, QString *error)
{
    if (!recordChange(QString::fromLatin1(kSettingsEntity), key, QStringLiteral("setting"), before, after, context,
                      true, error))
        return false;
    if (m_bus)
        m_bus->publish(Change::setting(key));
    return true;
}

bool EntityStore::recordTaskAction(const QString &taskId, const QString &operation, const QJsonValue &before,
                                   const QJsonValue &after, const WriteContext &context, QString *error)
{
    // Not a change of anything a client reads: no notification.
    return recordChange(QString::fromLatin1(kTasksEntity), taskId, operation, before, after, context, false, error);
}

bool EntityStore::recordChange(const QString &entity, const QString &key, const QString &operation,
                               const QJsonValue &before, const QJsonValue &after, const WriteContext &context,
                               bool notify, QString *error)
{
    if (!m_audit || !begin(error))
        return false;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT MAX(version_after) FROM koan_audit WHERE entity = ? AND record_id = ?"));
    q.addBindValue(entity);
    q.addBindValue(key);
    const qint64 previous = q.exec() && q.next() ? q.value(0).toLongLong() : 0;
    const QJsonArray change{QJsonObject{{QStringLiteral("op"), QStringLiteral("test")},
                                        {QStringLiteral("path"), QStringLiteral("/value")},
                                        {QStringLiteral("value"), before.isUndefined() ? QJsonValue() : before}},
                            QJsonObject{{QStringLiteral("op"), QStringLiteral("replace")},
                                        {QStringLiteral("path"), QStringLiteral("/value")},
                                        {QStringLiteral("value"), after.isUndefined() ? QJsonValue() : after}}};
    // A setting's value is kept for every replica on PostgreSQL (koan_settings, this transaction).
    const bool keep = m_backend == Backend::Postgres && entity == QLatin1String(kSettingsEntity);
    if (!m_audit->append(context, entity, key, operation, previous > 0 ? std::optional<qint64>(previous) : std::nullopt,
                         previous + 1, change, error)
        || (keep && !keepSetting(key, after, context, false, nullptr, error))
        || (notify && !notifyChange(entity, {key}, false, error))) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        const QSqlError e = m_db.lastError();
        m_db.rollback();
        return fail(error, QStringLiteral("cannot record the %1").arg(operation), e);
    }
    return true;
}

bool EntityStore::keepSetting(const QString &key, const QJsonValue &value, const WriteContext &context,
                              bool onlyIfAbsent, bool *written, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO koan_settings(key, value, updated_at, updated_by) VALUES(?, ?, ?, ?) ON "
                             "CONFLICT(key) DO ")
              + (onlyIfAbsent ? QStringLiteral("NOTHING")
                              : QStringLiteral("UPDATE SET value = excluded.value, updated_at = excluded.updated_at, "
                                               "updated_by = excluded.updated_by")));
    q.addBindValue(key);
    q.addBindValue(QString::fromUtf8(json::compact(value)));
    q.addBindValue(AuditTrail::nowMicros());
    q.addBindValue(context.principal);
    if (!q.exec())
        return fail(error, QStringLiteral("cannot keep the setting %1").arg(key), q.lastError());
    if (written)
        *written = q.numRowsAffected() > 0;
    return true;
}

std::optional<EntityStore::SharedSetting> EntityStore::sharedSetting(const QString &key, QString *error)
{
    if (error)
        error->clear();
    if (!ensureConnected(error))
        return std::nullopt;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT value, updated_at, updated_by FROM koan_settings WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec()) {
        noteFailure();
        fail(error, QStringLiteral("cannot read the setting %1").arg(key), q.lastError());
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + q.value(0).toString().toUtf8() + "]");
    return SharedSetting{doc.array().at(0), q.value(1).toString(), q.value(2).toString()};
}

bool EntityStore::seedSetting(const QString &key, const QJsonValue &value, const WriteContext &context, bool *seeded,
                              QString *error)
{
    *seeded = false;
    if (!m_audit || !begin(error))
        return false;
    // ON CONFLICT DO NOTHING under the write lock: of replicas starting at once, one seeds.
    bool written = false;
    if (!keepSetting(key, value, context, true, &written, error)) {
        m_db.rollback();
        return false;
    }
    if (!written) {
        m_db.rollback();
        return true;
    }
    const QJsonArray change{QJsonObject{{QStringLiteral("op"), QStringLiteral("add")},
                                        {QStringLiteral("path"), QStringLiteral("/value")},
                                        {QStringLiteral("value"), value}}};
    if (!m_audit->append(context, QString::fromLatin1(kSettingsEntity), key, QStringLiteral("setting"), std::nullopt, 1,
                         change, error)
        || !notifyChange(QString::fromLatin1(kSettingsEntity), {key}, false, error)) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        const QSqlError e = m_db.lastError();
        m_db.rollback();
        return fail(error, QStringLiteral("cannot seed the setting"), e);
    }
    *seeded = true;
    if (m_bus)
        m_bus->publish(Change::setting(key));
    return true;
}

QHash<QString, QHash<QString, qint64>> EntityStore::currentVersions(const QHash<QString, QString> &entityByTable,
                                                                    QString *error)
{
    QHash<QString, QHash<QString, qint64>> out;
    if (!ensureConnected(error))
        return {};
    for (auto it = entityByTable.begin(); it != entityByTable.end(); ++it) {
        QSqlQuery q(m_db);
        if (!q.exec(QStringLiteral("SELECT id, version FROM \"%1\"").arg(it.key()))) {
            fail(error, QStringLiteral("cannot read %1").arg(it.key()), q.lastError());
            return {};
        }
        QHash<QString, qint64> &versions = out[it.value()];
        while (q.next())
            versions.insert(q.value(0).toString(), q.value(1).toLongLong());
    }
    return out;
}

QString EntityStore::meta(const QString &key)
{
    if (!ensureConnected(nullptr))
        return {};
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
    if (!ensureConnected(error))
        return false;
    const auto q = statement(QStringLiteral("INSERT INTO koan_meta(key, value) VALUES(?, ?) "
                                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
                             error);
    if (!q)
        return false;
    q->bindValue(0, key);
    q->bindValue(1, value);
    if (!q->exec())
        return fail(error, QStringLiteral("cannot write meta"), q->lastError());
    return true;
}

} // namespace koan
