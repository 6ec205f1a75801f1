#include "PostgresChangeBus.h"

#include "EntityStore.h"
#include "config/McpServerOptions.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QThread>
#include <QTimer>
#include <QUuid>
#include <QMetaObject>
#include <mutex>

Q_LOGGING_CATEGORY(lcChanges, "koan.changes")

namespace koan {

namespace {
constexpr int kProbeMs = 1000;
constexpr int kMaxBackoffMs = 5000;
} // namespace

// Lives on the bus's thread; hands changes to the bus's thread through `deliver`.
class PostgresChangeBus::Connection : public QObject
{
public:
    Connection(QString url, std::function<void(const Change &)> deliver)
        : m_url(std::move(url)), m_deliver(std::move(deliver)),
          m_name(QStringLiteral("koan-changes-%1").arg(QUuid::createUuid().toString(QUuid::Id128))), m_probe(this)
    {
        m_probe.setInterval(kProbeMs);
        connect(&m_probe, &QTimer::timeout, this, &Connection::check);
    }
    ~Connection() override
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    bool start(QString *error)
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
        const bool ok = connectAndListen(error);
        m_probe.start();
        return ok;
    }

private:
    bool connectAndListen(QString *error)
    {
        EntityStore::configurePostgres(m_db, m_url);
        const QString where = McpServerOptions::redactDatabaseUrl(m_url);
        if (!m_db.open()) {
            *error = QStringLiteral("cannot open the change listener's connection to %1: %2")
                         .arg(where, m_db.lastError().text()); // libpq's text never holds the password
            m_db.close();
            return false;
        }
        QSqlDriver *driver = m_db.driver();
        disconnect(driver, nullptr, this, nullptr);
        connect(driver, &QSqlDriver::notification, this, &Connection::notified);
        if (!driver->subscribeToNotification(QString::fromLatin1(EntityStore::kChangeChannel))) {
            *error = QStringLiteral("cannot LISTEN %1 on %2").arg(QLatin1String(EntityStore::kChangeChannel), where);
            m_db.close();
            return false;
        }
        return true;
    }

    void notified(const QString &name, QSqlDriver::NotificationSource, const QVariant &payload)
    {
        if (name != QLatin1String(EntityStore::kChangeChannel))
            return;
        const QJsonObject o = QJsonDocument::fromJson(payload.toString().toUtf8()).object();
        const QString entity = o.value(QLatin1String("entity")).toString();
        if (entity.isEmpty())
            return; // not ours
        if (entity == QLatin1String(EntityStore::kSettingsEntity)) {
            for (const QJsonValue key : o.value(QLatin1String("ids")).toArray())
                m_deliver(Change::setting(key.toString()));
            return;
        }
        Change c = Change::record(entity, {});
        c.all = o.value(QLatin1String("all")).toBool();
        c.listed = o.value(QLatin1String("listed")).toBool();
        for (const QJsonValue id : o.value(QLatin1String("ids")).toArray())
            c.ids << id.toString();
        m_deliver(c);
    }

    void check() // probes the connection; reconnects after a loss
    {
        if (!m_lost && m_db.isOpen()) {
            QSqlQuery probe(m_db);
            if (probe.exec(QStringLiteral("SELECT 1")))
                return;
            m_lost = true;
            m_backoffMs = 250;
            qCWarning(lcChanges).noquote() << "change listener lost its connection; reconnecting";
        }
        m_lost = true;
        m_db.close();
        QString error;
        if (!connectAndListen(&error)) {
            // Retry with a growing interval while the database stays away.
            m_backoffMs = qMin(m_backoffMs * 2, kMaxBackoffMs);
            m_probe.setInterval(m_backoffMs);
            return;
        }
        m_lost = false;
        m_probe.setInterval(kProbeMs);
        qCInfo(lcChanges).noquote() << "change listener reconnected; listeners re-read";
        // Whatever was notified while the connection was down is lost: everything may have changed.
        Change everything = Change::record(QString(), {});
        everything.all = true;
        m_deliver(everything);
    }

    QString m_url;
    std::function<void(const Change &)> m_deliver;
    QString m_name;
    QSqlDatabase m_db;
    QTimer m_probe;
    bool m_lost = false;
    int m_backoffMs = 250;
};

// The owner as the listener's thread sees it: cleared (under the mutex) as the owner goes.
struct PostgresChangeBus::Relay {
    std::mutex mutex;
    PostgresChangeBus *owner = nullptr;
};

PostgresChangeBus::PostgresChangeBus(QString url, ChangeBus *local, QObject *parent)
    : QObject(parent), m_url(std::move(url)), m_local(local), m_relay(std::make_shared<Relay>())
{
    m_relay->owner = this;
}

PostgresChangeBus::~PostgresChangeBus()
{
    {
        const std::lock_guard<std::mutex> lock(m_relay->mutex);
        m_relay->owner = nullptr;
    }
    if (!m_thread)
        return;
    m_thread->quit(); // the connection goes with the thread's end (deleteLater there)
    if (m_thread->wait(3000)) {
        delete m_thread;
        return;
    }
    // Blocked in its probe on a database that does not answer: left to the process's end (a
    // running QThread cannot be destroyed).
    qCWarning(lcChanges) << "change listener still waiting for the database at shutdown; left to the process's end";
}

bool PostgresChangeBus::start(QString *error)
{
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("koan-changes"));
    m_connection = new Connection(m_url, [relay = m_relay](const Change &change) {
        // On the listener's thread: published on the owner's, unless it is gone.
        const std::lock_guard<std::mutex> lock(relay->mutex);
        if (PostgresChangeBus *owner = relay->owner)
            QMetaObject::invokeMethod(
                owner, [owner, change] { owner->m_local->publish(change); }, Qt::QueuedConnection);
    });
    m_connection->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_connection, &QObject::deleteLater);
    m_thread->start();
    bool ok = false;
    Connection *c = m_connection;
    QMetaObject::invokeMethod(
        c, [c, &ok, error] { ok = c->start(error); }, Qt::BlockingQueuedConnection);
    return ok;
}

void PostgresChangeBus::publish(const Change &change)
{
    if (change.kind == Change::Kind::Record || change.kind == Change::Kind::Setting)
        return; // its transaction notified koan_changes: it comes back through notified()
    m_local->publish(change);
}

} // namespace koan
