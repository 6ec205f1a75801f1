#pragma once
// The store writes of the operator's run-time settings - the rollback switch and the entity
// overrides: EntityStore::recordSetting, the audit row and, on PostgreSQL, the cluster-wide value
// in one transaction - made off the server thread, on the store worker. The change is already in
// force on this replica when it is queued (the switch is an emergency lever: it must work while the
// database does not answer). Writes run one at a time in the order queued, so two flips are never
// reordered, and each waits as long as the database takes (a paused server: until it resumes), so
// it is written exactly once; whoever asked hears within the worker's timeout (Store:TimeoutSeconds)
// whether it was written, failed or is still pending. Without a worker (in-memory SQLite) it
// writes at once.
#include "store/AuditTrail.h"

#include <QJsonObject>
#include <QObject>
#include <deque>
#include <functional>
#include <memory>

namespace koan {

class EntityStore;
class StoreWorker;

class SettingsWriter : public QObject
{
    Q_OBJECT
public:
    enum class State { Written, Failed, Pending };
    struct Answer {
        State state = State::Written;
        QString error; // Failed: what the store said; Pending: what the worker said
    };
    using Answered = std::function<void(const Answer &)>;

    explicit SettingsWriter(EntityStore *store, QObject *parent = nullptr);
    ~SettingsWriter() override;
    // The writes run there from now on. Not owned.
    void setWorker(StoreWorker *worker) { m_worker = worker; }

    // Queues the write of `key`; `answered` (optional) once: Written or Failed when the store
    // answered, or Pending when it did not within the worker's timeout (the write stays queued).
    void write(const QString &key, const QJsonObject &before, const QJsonObject &after, const WriteContext &who,
               Answered answered = {});
    // `answered` once the writes of `key` queued so far are done (at once, Written, when none is
    // queued), or Pending after the timeout: what a repeated request answers while one is pending.
    void settle(const QString &key, Answered answered);
    // A write of `key` is queued and not yet answered by the store.
    bool isPending(const QString &key) const;

signals:
    // A write of `key` was answered by the store (ok: written), whether or not anyone still waits.
    void settled(const QString &key, bool ok);

private:
    struct Waiter {
        Answered answered;
        bool done = false;
    };
    struct Item {
        QString key;
        QJsonObject before, after;
        WriteContext who;
        QList<std::shared_ptr<Waiter>> waiters;
        bool pendingTold = false; // someone heard "pending": log the outcome
    };
    void wait(Item &item, Answered answered);
    void next();
    void finish(bool ok, const QString &error);

    EntityStore *m_store;
    StoreWorker *m_worker = nullptr;
    std::deque<Item> m_queue; // the front one is being written when m_busy
    bool m_busy = false;
    bool m_stopped = false; // the worker stopped: nothing more is written
};

} // namespace koan
