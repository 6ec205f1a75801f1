#pragma once
// A thread of its own with its own EntityStore connection, so that store calls made for clients
// (tool calls, resources/read and resources/list, the readiness probe) never block the HTTP /
// event-loop thread: QtSql blocks, and a paused or unreachable database would otherwise stall
// every stream, heartbeat and /healthz. Calls run one at a time, in order, on the worker; the
// answer comes back on the caller's thread (queued). A call not answered within the timeout gets
// Failure::Timeout at once; its late answer is dropped, and a call that had not started by then
// is skipped. Writes by the worker's store reach the change bus on the caller's thread, before
// the call's answer. SQLite files (WAL) and PostgreSQL take a second connection; an in-memory
// SQLite database exists only in its one connection, so it has no worker (see docs/architecture.md).
#include "EntityStore.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <any>
#include <functional>
#include <map>
#include <memory>

namespace koan {

class StoreWorker : public QObject
{
    Q_OBJECT
public:
    enum class Failure { Timeout, Stopped };
    using Opener = std::function<bool(EntityStore &store, QString *error)>;

    // `timeoutMs`: how long a call may wait for its answer (McpServerOptions Store:TimeoutSeconds).
    explicit StoreWorker(int timeoutMs, QObject *parent = nullptr);
    // Stops the thread; a call still blocked in the database (say, a paused server) is left to
    // finish on its own after a short wait, without touching anything of ours.
    ~StoreWorker() override;

    // Starts the thread and opens its store there with `open` (waits for it: at startup).
    bool start(const Opener &open, QString *error);
    int timeoutMs() const { return m_timeoutMs; }
    // The worker's store commits are published here, on this object's thread. Not owned.
    void setChangeBus(ChangeBus *bus) { m_bus = bus; }

    // Runs `work` on the worker with its store; then `done` with the result, or `failed`, on this
    // object's thread, unless `context` is gone by then. `timeoutMs` < 0: the worker's timeout.
    template<class T>
    void run(QObject *context, std::function<T(EntityStore &)> work, std::function<void(T)> done,
             std::function<void(Failure)> failed, int timeoutMs = -1)
    {
        submit(
            context, [work = std::move(work)](EntityStore &store) { return std::any(work(store)); },
            [done = std::move(done)](std::any &result) { done(std::any_cast<T>(std::move(result))); },
            std::move(failed), timeoutMs);
    }

    // Calls waiting for their answer now.
    int pending() const { return int(m_pending.size()); }
    QString backendName() const { return m_backendName; }
    // For a client whose call got no answer in time: what happened and what to do.
    QString timeoutMessage() const;

private:
    struct Shared;
    struct Pending {
        QPointer<QObject> context;
        std::function<void(std::any &)> done;
        std::function<void(Failure)> failed;
        qint64 deadlineMs = 0;
        std::shared_ptr<std::atomic_bool> expired;
    };
    void submit(QObject *context, std::function<std::any(EntityStore &)> work, std::function<void(std::any &)> done,
                std::function<void(Failure)> failed, int timeoutMs);
    void deliver(quint64 id, std::any result);
    void expire();
    void arm();

    int m_timeoutMs;
    QString m_backendName;
    std::shared_ptr<Shared> m_shared;
    ChangeBus *m_bus = nullptr;
    quint64 m_nextId = 1;
    std::map<quint64, Pending> m_pending; // this thread only
    QTimer m_timer;                       // the earliest deadline
    QElapsedTimer m_clock;
};

} // namespace koan
