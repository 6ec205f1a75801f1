#include "StoreWorker.h"

#include <QLoggingCategory>
#include <QMetaObject>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

Q_LOGGING_CATEGORY(lcStoreWorker, "koan.store")

namespace koan {

namespace {
constexpr int kStopWaitMs = 3000; // a call still running at shutdown gets this long
} // namespace

// What the worker thread and the owner share. The owner pointer is cleared (under the mutex) as
// the owner goes, so nothing is posted to it afterwards; Qt drops events already posted to it.
struct StoreWorker::Shared : ChangeBus {
    struct Job {
        quint64 id = 0;
        std::function<std::any(EntityStore &)> work;
        std::shared_ptr<std::atomic_bool> expired;
    };
    std::mutex mutex;
    std::condition_variable wake;    // a job, or stop
    std::condition_variable settled; // opened (or failed to), or finished
    std::deque<Job> jobs;
    StoreWorker *owner = nullptr;
    bool stopping = false;
    bool opened = false;
    bool finished = false;
    QString openError;
    QString backendName;
    std::thread thread;

    // Runs on the worker thread: hands f(owner) to the owner's thread, if the owner is still there.
    template<class F> void post(F f)
    {
        const std::lock_guard<std::mutex> lock(mutex);
        if (owner)
            QMetaObject::invokeMethod(
                owner, [o = owner, f = std::move(f)]() mutable { f(o); }, Qt::QueuedConnection);
    }
    // The worker store's change bus: relayed to the owner's bus, on its thread.
    void publish(const Change &change) override
    {
        post([change](StoreWorker *o) {
            if (o->m_bus)
                o->m_bus->publish(change);
        });
    }
    void listen(Listener) override { } // nobody listens on the worker

    void loop(const Opener &open)
    {
        auto store = std::make_unique<EntityStore>();
        QString error;
        const bool ok = open(*store, &error);
        {
            const std::lock_guard<std::mutex> lock(mutex);
            opened = ok;
            openError = error;
            backendName = store->backendName();
            finished = !ok;
        }
        settled.notify_all();
        if (!ok)
            return;
        store->setChangeBus(this);
        for (;;) {
            Job job;
            {
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait(lock, [this] { return stopping || !jobs.empty(); });
                if (stopping)
                    break;
                job = std::move(jobs.front());
                jobs.pop_front();
            }
            if (job.expired->load())
                continue; // its caller has had its answer (a timeout): nothing of it was done
            std::any result = job.work(*store);
            job.work = nullptr; // what it captured goes here, not on the owner's thread
            post([id = job.id, result = std::move(result)](StoreWorker *o) mutable {
                o->deliver(id, std::move(result));
            });
        }
        store.reset(); // its connection is this thread's
        {
            const std::lock_guard<std::mutex> lock(mutex);
            finished = true;
        }
        settled.notify_all();
    }
};

StoreWorker::StoreWorker(int timeoutMs, QObject *parent)
    : QObject(parent), m_timeoutMs(timeoutMs), m_shared(std::make_shared<Shared>())
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &StoreWorker::expire);
    m_clock.start();
}

StoreWorker::~StoreWorker()
{
    std::deque<Shared::Job> dropped; // destroyed here, outside the lock
    bool finished = true;
    {
        std::unique_lock<std::mutex> lock(m_shared->mutex);
        m_shared->owner = nullptr;
        m_shared->stopping = true;
        dropped.swap(m_shared->jobs);
        m_shared->wake.notify_all();
        if (m_shared->thread.joinable())
            finished = m_shared->settled.wait_for(lock, std::chrono::milliseconds(kStopWaitMs),
                                                  [this] { return m_shared->finished; });
    }
    if (!m_shared->thread.joinable())
        return;
    if (finished) {
        m_shared->thread.join();
    } else {
        // Blocked in the database (a paused server never answers): it keeps the shared state
        // and its store alive and ends with the process.
        qCWarning(lcStoreWorker)
            << "a store call was still waiting for the database at shutdown; left to the process's end";
        m_shared->thread.detach();
    }
}

bool StoreWorker::start(const Opener &open, QString *error)
{
    std::unique_lock<std::mutex> lock(m_shared->mutex);
    m_shared->owner = this;
    Shared *shared = m_shared.get();
    m_shared->thread = std::thread([keep = m_shared, shared, open] { shared->loop(open); });
    m_shared->settled.wait(lock, [this] { return m_shared->opened || m_shared->finished; });
    m_backendName = m_shared->backendName;
    if (m_shared->opened)
        return true;
    if (error)
        *error = m_shared->openError;
    m_shared->owner = nullptr;
    lock.unlock();
    m_shared->thread.join();
    return false;
}

QString StoreWorker::timeoutMessage() const
{
    return QStringLiteral("The %1 store did not answer within %2 s (Store:TimeoutSeconds); the database may be "
                          "paused, overloaded or unreachable. A write may or may not have been applied: read the "
                          "record, or retry with the same idempotencyKey.")
        .arg(m_backendName)
        .arg(m_timeoutMs / 1000.0);
}

void StoreWorker::submit(QObject *context, std::function<std::any(EntityStore &)> work,
                         std::function<void(std::any &)> done, std::function<void(Failure)> failed, int timeoutMs)
{
    const quint64 id = m_nextId++;
    auto expired = std::make_shared<std::atomic_bool>(false);
    const qint64 deadline = m_clock.elapsed() + (timeoutMs < 0 ? m_timeoutMs : timeoutMs);
    {
        const std::lock_guard<std::mutex> lock(m_shared->mutex);
        if (m_shared->finished || !m_shared->thread.joinable()) {
            if (failed)
                failed(Failure::Stopped);
            return;
        }
        m_shared->jobs.push_back({id, std::move(work), expired});
    }
    m_shared->wake.notify_one();
    m_pending.emplace(id, Pending{context, std::move(done), std::move(failed), deadline, std::move(expired)});
    if (!m_timer.isActive() || m_timer.remainingTime() > deadline - m_clock.elapsed())
        m_timer.start(int(qMax<qint64>(0, deadline - m_clock.elapsed())));
}

void StoreWorker::deliver(quint64 id, std::any result)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return; // timed out: its caller had its answer
    Pending p = std::move(it->second);
    m_pending.erase(it);
    if (p.context && p.done)
        p.done(result);
}

void StoreWorker::expire()
{
    const qint64 now = m_clock.elapsed();
    std::vector<Pending> late;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->second.deadlineMs > now) {
            ++it;
            continue;
        }
        it->second.expired->store(true);
        late.push_back(std::move(it->second));
        it = m_pending.erase(it);
    }
    arm();
    for (Pending &p : late) // may submit again
        if (p.context && p.failed)
            p.failed(Failure::Timeout);
}

void StoreWorker::arm()
{
    if (m_pending.empty())
        return;
    qint64 next = m_pending.begin()->second.deadlineMs;
    for (const auto &[id, p] : m_pending)
        next = qMin(next, p.deadlineMs);
    m_timer.start(int(qMax<qint64>(0, next - m_clock.elapsed())));
}

} // namespace koan
