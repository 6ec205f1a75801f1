#pragma once
// A pool of threads, each with its own EntityStore connection, so that store calls made for
// clients (tool calls, resources/read and resources/list, the readiness probe) never block the
// HTTP / event-loop thread: QtSql blocks, and a paused or unreachable database would otherwise
// stall every stream, heartbeat and /healthz. The answer comes back on the caller's thread
// (queued). A call not answered within the timeout gets Failure::Timeout at once; its late
// answer is dropped, and a call that had not started by then is skipped. Writes by a worker
// connection reach the change bus on the caller's thread, before that call's answer.
//
// Order: calls start in the order submitted, on whichever connection is free, so calls without
// an ordering key run side by side and may finish (and answer) in any order. Calls with the same
// key (Queueing::key: a task's chunks, a session's writes) run one at a time, in the order
// submitted, each after the previous one's answer was posted. Writes on SQLite are serialised by
// SQLite itself; the pool's connections queue for it in this process (EntityStore's writer gate)
// instead of polling the file lock.
//
// SQLite files (WAL) and PostgreSQL take more connections; an in-memory SQLite database exists
// only in its one connection, so it has no worker (see docs/architecture.md).
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
    // How a call is queued (see the order above). `first`: ahead of every queued call, taken by the
    // first connection that is free (the readiness probe).
    struct Queueing {
        QString key;
        bool first = false;
    };

    // `timeoutMs`: how long a call may wait for its answer (McpServerOptions Store:TimeoutSeconds);
    // `connections`: the pool's size (Store:Connections), at least 1.
    explicit StoreWorker(int timeoutMs, int connections = 1, QObject *parent = nullptr);
    // Stops the threads; a call still blocked in the database (say, a paused server) is left to
    // finish on its own after a short wait, without touching anything of ours.
    ~StoreWorker() override;

    // Starts the threads and opens each one's store there with `open` (waits for them: at
    // startup). Fails, with no thread left running, when any connection cannot be opened.
    bool start(const Opener &open, QString *error);
    int timeoutMs() const { return m_timeoutMs; }
    int connections() const { return m_connections; }
    // The worker stores' commits are published here, on this object's thread. Not owned.
    void setChangeBus(ChangeBus *bus) { m_bus = bus; }

    // Runs `work` on a worker connection; then `done` with the result, or `failed`, on this
    // object's thread, unless `context` is gone by then. `timeoutMs` < 0: the worker's timeout.
    template<class T>
    void run(QObject *context, std::function<T(EntityStore &)> work, std::function<void(T)> done,
             std::function<void(Failure)> failed, int timeoutMs = -1)
    {
        run<T>(Queueing{}, context, std::move(work), std::move(done), std::move(failed), timeoutMs);
    }
    // The same, queued as `queueing` says.
    template<class T>
    void run(const Queueing &queueing, QObject *context, std::function<T(EntityStore &)> work,
             std::function<void(T)> done, std::function<void(Failure)> failed, int timeoutMs = -1)
    {
        submit(
            queueing, context, [work = std::move(work)](EntityStore &store) { return std::any(work(store)); },
            [done = std::move(done)](std::any &result) { done(std::any_cast<T>(std::move(result))); },
            std::move(failed), timeoutMs);
    }

    // Calls waiting for their answer now.
    int pending() const { return int(m_pending.size()); }
    QString backendName() const { return m_backendName; }
    // For a client whose call got no answer in time: what happened and what to do.
    QString timeoutMessage() const;
    // Its first clause alone: "the <backend> store did not answer within N s (Store:TimeoutSeconds)".
    QString noAnswer() const;

private:
    struct Shared;
    struct Pending {
        QPointer<QObject> context;
        std::function<void(std::any &)> done;
        std::function<void(Failure)> failed;
        qint64 deadlineMs = 0;
        std::shared_ptr<std::atomic_bool> expired;
    };
    void submit(const Queueing &queueing, QObject *context, std::function<std::any(EntityStore &)> work,
                std::function<void(std::any &)> done, std::function<void(Failure)> failed, int timeoutMs);
    void deliver(quint64 id, std::any result);
    void expire();
    void arm();

    int m_timeoutMs;
    int m_connections;
    QString m_backendName;
    std::shared_ptr<Shared> m_shared;
    ChangeBus *m_bus = nullptr;
    quint64 m_nextId = 1;
    std::map<quint64, Pending> m_pending; // this thread only
    QTimer m_timer;                       // the earliest deadline
    QElapsedTimer m_clock;
};

} // namespace koan
