#pragma once
// The change bus of replicas sharing one PostgreSQL database: every replica LISTENs on
// koan_changes, where each committed write, delete and setting is notified inside its transaction
// (EntityStore::notifyChange: ids only), so a change made through any replica - this one included
// - reaches every replica's listeners once, and only if it committed. Tool-list changes (entity
// overrides, per process today) are delivered locally. A lost listen connection is reopened with
// backoff; after a reconnect the listeners get "everything may have changed" (Change::record with
// `all` and no entity) and re-read, since notifications sent meanwhile are gone.
// The listen connection lives on a thread of its own: its liveness probe is a query, which a
// paused database would never answer, and the server thread must not wait for it.
#include "core/ChangeBus.h"

#include <QObject>
#include <memory>

class QThread;

namespace koan {

class PostgresChangeBus : public QObject, public ChangeBus
{
    Q_OBJECT
public:
    // `local`: the process's hub its listeners hang on (not owned); changes from the database are
    // published there, on this object's thread.
    PostgresChangeBus(QString url, ChangeBus *local, QObject *parent = nullptr);
    ~PostgresChangeBus() override;

    // Starts the listener thread, which opens the listen connection and LISTENs; false (with
    // *error, no password) if it cannot.
    bool start(QString *error);
    // Record and setting changes arrive through the database (already notified by the store's
    // transaction); other kinds go to the local listeners at once.
    void publish(const Change &change) override;
    void listen(Listener listener) override { m_local->listen(std::move(listener)); }

private:
    class Connection; // on m_thread: the listen connection, its probe and reconnects
    struct Relay;
    QString m_url;
    ChangeBus *m_local;
    std::shared_ptr<Relay> m_relay;
    QThread *m_thread = nullptr;
    Connection *m_connection = nullptr;
};

} // namespace koan
