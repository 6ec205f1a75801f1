#include "ClusterRegistry.h"

#include "EntityStore.h"
#include "config/McpServerOptions.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTimer>
#include <QUuid>

Q_LOGGING_CATEGORY(lcRegistry, "koan.cluster")

namespace koan {

namespace {
constexpr int kMaxBackoffMs = 5000;

QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}
} // namespace

// Lives on the registry's thread: owns the connection and the heartbeat timer there.
class ClusterRegistry::Worker : public QObject
{
public:
    explicit Worker(ClusterRegistry *registry)
        : m_registry(registry),
          m_connection(QStringLiteral("koan-registry-%1").arg(QUuid::createUuid().toString(QUuid::Id128))),
          m_startedAt(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs))
    { }

    void begin()
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
        m_timer = new QTimer(this);
        m_timer->setInterval(m_registry->m_settings.heartbeatMs);
        connect(m_timer, &QTimer::timeout, this, [this] { heartbeat(); });
        m_timer->start();
        heartbeat();
    }

    // Best effort: the rows would expire anyway.
    void finish()
    {
        m_timer->stop();
        if (m_db.isOpen()) {
            QSqlQuery q(m_db);
            for (const char *table : {"koan_sessions WHERE replica = ?", "koan_replicas WHERE id = ?"}) {
                q.prepare(QStringLiteral("DELETE FROM ") + QLatin1String(table));
                q.addBindValue(m_registry->m_replicaId);
                q.exec();
            }
            m_db.close();
        }
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connection);
    }

private:
    bool connectIfNeeded()
    {
        if (m_db.isOpen())
            return true;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (now < m_nextConnectMs)
            return false;
        EntityStore::configurePostgres(m_db, m_registry->m_url);
        QSqlQuery q(m_db);
        if (!m_db.open() || !q.exec(QStringLiteral("SET statement_timeout = 5000"))) {
            if (!m_warned)
                // libpq's message names host and port, never the password; the URL only without it.
                qCWarning(lcRegistry).noquote()
                    << "session registry: cannot reach" << McpServerOptions::redactDatabaseUrl(m_registry->m_url) << "-"
                    << m_db.lastError().text();
            m_warned = true;
            m_db.close();
            m_backoffMs = qMin(qMax(m_backoffMs * 2, 250), kMaxBackoffMs);
            m_nextConnectMs = now + m_backoffMs;
            return false;
        }
        if (m_warned)
            qCInfo(lcRegistry).noquote() << "session registry: reconnected; this replica's sessions registered again";
        m_warned = false;
        m_backoffMs = 0;
        m_fullSync = true; // what happened meanwhile is not known: write every live session
        return true;
    }

    void heartbeat()
    {
        if (!connectIfNeeded())
            return markStale();
        ClusterRegistry *r = m_registry;
        QList<RegisteredSession> upserts;
        QStringList deletes;
        const bool full = m_fullSync;
        {
            QMutexLocker lock(&r->m_mutex);
            if (full) {
                upserts = r->m_live.values();
            } else {
                for (const QString &id : std::as_const(r->m_added))
                    if (const auto it = r->m_live.constFind(id); it != r->m_live.cend())
                        upserts << *it;
                deletes = QStringList(r->m_removed.begin(), r->m_removed.end());
            }
            r->m_added.clear();
            r->m_removed.clear();
        }
        QSqlQuery q(m_db);
        // The database's clock, not this host's: heartbeats and expiries of every replica are
        // compared on one clock, so a replica whose clock runs ahead cannot expire the others' rows.
        qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (q.exec(QStringLiteral("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")) && q.next())
            now = q.value(0).toLongLong();
        q.finish();
        const qint64 expires = now + r->m_settings.expiryMs;
        const auto run = [&](const QString &sql, const QVariantList &values) {
            q.prepare(sql);
            for (const QVariant &v : values)
                q.addBindValue(v);
            return q.exec();
        };
        const QString me = r->m_replicaId;
        bool ok
            = q.exec(QStringLiteral("BEGIN"))
              && run(QStringLiteral("INSERT INTO koan_replicas(id, host, version, started_at, heartbeat_at, "
                                    "expires_at) VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                                    "heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at"),
                     {me, QSysInfo::machineHostName(), QStringLiteral(KOAN_MCP_VERSION), m_startedAt, now, expires});
        if (ok && full)
            ok = run(QStringLiteral("DELETE FROM koan_sessions WHERE replica = ?"), {me});
        for (const QString &id : std::as_const(deletes))
            ok = ok && run(QStringLiteral("DELETE FROM koan_sessions WHERE id = ? AND replica = ?"), {id, me});
        for (const RegisteredSession &s : std::as_const(upserts))
            ok = ok
                 && run(QStringLiteral("INSERT INTO koan_sessions(id, replica, transport, subject, created_at, "
                                       "heartbeat_at, expires_at) VALUES(?, ?, ?, COALESCE(?, ''), ?, ?, ?) ON "
                                       "CONFLICT(id) DO UPDATE "
                                       "SET replica = excluded.replica, heartbeat_at = excluded.heartbeat_at, "
                                       "expires_at = excluded.expires_at"),
                        {s.id, me, s.transport, s.subject, s.createdAt, now, expires});
        // (COALESCE: an anonymous session's subject is a null QString, bound as NULL.)
        // The heartbeat of every live session of this replica, and the end of a dead replica's rows.
        ok = ok
             && run(QStringLiteral("UPDATE koan_sessions SET heartbeat_at = ?, expires_at = ? WHERE replica = ?"),
                    {now, expires, me})
             && run(QStringLiteral("DELETE FROM koan_sessions WHERE expires_at < ?"), {now})
             && run(QStringLiteral("DELETE FROM koan_replicas WHERE expires_at < ?"), {now})
             && q.exec(QStringLiteral("COMMIT"));
        if (!ok) {
            qCWarning(lcRegistry).noquote() << "session registry: heartbeat failed:" << q.lastError().text();
            QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
            m_fullSync = true;
            QSqlQuery probe(m_db);
            if (!probe.exec(QStringLiteral("SELECT 1")))
                m_db.close(); // reconnect at the next heartbeat
            return markStale();
        }
        m_fullSync = false;
        readView(now);
    }

    void readView(qint64 now)
    {
        ClusterView view;
        view.self = m_registry->m_replicaId;
        view.current = true;
        view.takenAt = iso(now);
        QSqlQuery q(m_db);
        QHash<QString, int> counts;
        if (q.exec(QStringLiteral("SELECT replica, COUNT(*) FROM koan_sessions GROUP BY replica")))
            while (q.next()) {
                counts.insert(q.value(0).toString(), q.value(1).toInt());
                view.totalSessions += q.value(1).toInt();
            }
        if (q.exec(QStringLiteral("SELECT id, host, version, started_at, heartbeat_at FROM koan_replicas ORDER BY "
                                  "started_at, id")))
            while (q.next()) {
                RegisteredReplica rr{q.value(0).toString(),
                                     q.value(1).toString(),
                                     q.value(2).toString(),
                                     q.value(3).toString(),
                                     iso(q.value(4).toLongLong()),
                                     0,
                                     false};
                rr.sessions = counts.value(rr.id);
                rr.self = rr.id == view.self;
                view.replicas << rr;
            }
        if (q.exec(QStringLiteral("SELECT id, replica, transport, subject, created_at, expires_at FROM koan_sessions "
                                  "ORDER BY created_at, id LIMIT %1")
                       .arg(kMaxListed)))
            while (q.next())
                view.sessions << RegisteredSession{q.value(0).toString(), q.value(1).toString(),
                                                   q.value(2).toString(), q.value(3).toString(),
                                                   q.value(4).toString(), iso(q.value(5).toLongLong())};
        QMutexLocker lock(&m_registry->m_mutex);
        m_registry->m_view = view;
    }

    void markStale()
    {
        QMutexLocker lock(&m_registry->m_mutex);
        m_registry->m_view.current = false;
    }

    ClusterRegistry *m_registry;
    QString m_connection;
    QString m_startedAt;
    QSqlDatabase m_db;
    QTimer *m_timer = nullptr;
    bool m_fullSync = true;
    bool m_warned = false;
    int m_backoffMs = 0;
    qint64 m_nextConnectMs = 0;
};

ClusterRegistry::ClusterRegistry(QString url, Settings settings, QObject *parent)
    : QObject(parent), m_url(std::move(url)), m_settings(settings), m_replicaId(newReplicaId())
{
    m_view.self = m_replicaId;
    m_thread.setObjectName(QStringLiteral("koan-registry"));
}

ClusterRegistry::~ClusterRegistry()
{
    stop();
}

QString ClusterRegistry::newReplicaId()
{
    QString host = QSysInfo::machineHostName();
    host.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9.-]")), QStringLiteral("-"));
    return QStringLiteral("%1-%2")
        .arg(host.isEmpty() ? QStringLiteral("replica") : host.left(63))
        .arg(QRandomGenerator::system()->generate(), 8, 16, QLatin1Char('0'));
}

void ClusterRegistry::start()
{
    if (m_worker)
        return;
    m_worker = new Worker(this);
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->begin(); }, Qt::QueuedConnection);
}

void ClusterRegistry::stop()
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(
        m_worker,
        [w = m_worker] {
            w->finish();
            delete w;
        },
        Qt::BlockingQueuedConnection);
    m_worker = nullptr;
    m_thread.quit();
    m_thread.wait();
}

void ClusterRegistry::sessionOpened(const RegisteredSession &session)
{
    QMutexLocker lock(&m_mutex);
    m_live.insert(session.id, session);
    m_added.insert(session.id);
    m_removed.remove(session.id);
}

void ClusterRegistry::sessionClosed(const QString &id)
{
    QMutexLocker lock(&m_mutex);
    if (m_live.remove(id) == 0)
        return;
    m_added.remove(id);
    m_removed.insert(id);
}

ClusterView ClusterRegistry::view() const
{
    QMutexLocker lock(&m_mutex);
    return m_view;
}

} // namespace koan
