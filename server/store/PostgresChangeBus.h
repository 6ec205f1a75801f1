#pragma once
// The change bus of replicas sharing one PostgreSQL database: every replica LISTENs on
// koan_changes, where each committed write, delete and setting is notified inside its transaction
// (EntityStore::notifyChange: ids only), so a change made through any replica - this one included
// - reaches every replica's listeners once, and only if it committed. Tool-list changes (entity
// overrides, per process today) are delivered locally. A lost listen connection is reopened with
// backoff; after a reconnect the listeners get "everything may have changed" (Change::record with
// `all` and no entity) and re-read, since notifications sent meanwhile are gone.
#include "core/ChangeBus.h"

#include <QObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QTimer>

namespace koan {

class PostgresChangeBus : public QObject, public ChangeBus
{
    Q_OBJECT
public:
    // `local`: the process's hub its listeners hang on (not owned); changes from the database are
    // published there.
    PostgresChangeBus(QString url, ChangeBus *local, QObject *parent = nullptr);
    ~PostgresChangeBus() override;

    // Opens the listen connection and LISTENs; false (with *error, no password) if it cannot.
    bool start(QString *error);
    // Record and setting changes arrive through the database (already notified by the store's
    // transaction); other kinds go to the local listeners at once.
    void publish(const Change &change) override;
    void listen(Listener listener) override { m_local->listen(std::move(listener)); }
    bool isListening() const;

private:
    bool connectAndListen(QString *error);
    void notified(const QString &name, QSqlDriver::NotificationSource source, const QVariant &payload);
    void check(); // probes the connection; reconnects after a loss

    QString m_url;
    ChangeBus *m_local;
    QString m_connection;
    QSqlDatabase m_db;
    QTimer m_probe;
    bool m_lost = false;
    int m_backoffMs = 250;
};

} // namespace koan
