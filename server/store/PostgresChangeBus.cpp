#include "PostgresChangeBus.h"

#include "EntityStore.h"
#include "config/McpServerOptions.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcChanges, "koan.changes")

namespace koan {

namespace {
constexpr int kProbeMs = 1000;
constexpr int kMaxBackoffMs = 5000;
} // namespace

PostgresChangeBus::PostgresChangeBus(QString url, ChangeBus *local, QObject *parent)
    : QObject(parent), m_url(std::move(url)), m_local(local),
      m_connection(QStringLiteral("koan-changes-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
{
    m_probe.setInterval(kProbeMs);
    connect(&m_probe, &QTimer::timeout, this, &PostgresChangeBus::check);
}

PostgresChangeBus::~PostgresChangeBus()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
}

bool PostgresChangeBus::start(QString *error)
{
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
    const bool ok = connectAndListen(error);
    m_probe.start();
    return ok;
}

bool PostgresChangeBus::isListening() const
{
    return m_db.isOpen() && !m_lost;
}

bool PostgresChangeBus::connectAndListen(QString *error)
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
    connect(driver, &QSqlDriver::notification, this, &PostgresChangeBus::notified);
    if (!driver->subscribeToNotification(QString::fromLatin1(EntityStore::kChangeChannel))) {
        *error = QStringLiteral("cannot LISTEN %1 on %2").arg(QLatin1String(EntityStore::kChangeChannel), where);
        m_db.close();
        return false;
    }
    return true;
}

void PostgresChangeBus::publish(const Change &change)
{
    if (change.kind == Change::Kind::Record || change.kind == Change::Kind::Setting)
        return; // its transaction notified koan_changes: it comes back through notified()
    m_local->publish(change);
}

void PostgresChangeBus::notified(const QString &name, QSqlDriver::NotificationSource, const QVariant &payload)
{
    if (name != QLatin1String(EntityStore::kChangeChannel))
        return;
    const QJsonObject o = QJsonDocument::fromJson(payload.toString().toUtf8()).object();
    const QString entity = o.value(QLatin1String("entity")).toString();
    if (entity.isEmpty())
        return; // not ours
    if (entity == QLatin1String(EntityStore::kSettingsEntity)) {
        for (const QJsonValue key : o.value(QLatin1String("ids")).toArray())
            m_local->publish(Change::setting(key.toString()));
        return;
    }
    Change c = Change::record(entity, {});
    c.all = o.value(QLatin1String("all")).toBool();
    c.listed = o.value(QLatin1String("listed")).toBool();
    for (const QJsonValue id : o.value(QLatin1String("ids")).toArray())
        c.ids << id.toString();
    m_local->publish(c);
}

void PostgresChangeBus::check()
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
    m_local->publish(everything);
}

} // namespace koan
