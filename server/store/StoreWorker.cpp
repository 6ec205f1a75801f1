#include "StoreWorker.h"

#include <QLoggingCategory>
#include <QMetaObject>
#include <QSet>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

Q_LOGGING_CATEGORY(lcStoreWorker, "koan.store")

namespace koan {

namespace {
constexpr int kStopWaitMs = 3000; // a call still running at shutdown gets this long
} // namespace

// What the worker threads and the owner share. The owner pointer is cleared (under the mutex) as
// the owner goes, so nothing is posted to it afterwards; Qt drops events already posted to it.
struct StoreWorker::Shared : ChangeBus {
    struct Job {
        quint64 id = 0;
        QString key; // empty: no order with other calls
        std::function<std::any(EntityStore &)> work;
        std::shared_ptr<std::atomic_bool> expired;
    };
    std::mutex mutex;
    std::condition_variable wake;    // a job, or stop
    std::condition_variable settled; // a connection opened (or failed to), or a thread finished
    std::deque<Job> jobs;
    QSet<QString> runningKeys; // ordering keys of the calls running now
    StoreWorker *owner = nullptr;
    bool stopping = false;
    bool started = false;
    int opening = 0; // threads still opening their connection
    int running = 0; // threads not finished
    QStringList openErrors;
    QString backendName;
    std::vector<std::thread> threads;
    // SQLite: the pool's writers wait for each other here (EntityStore::shareWriterGate).
    std::shared_ptr<std::timed_mutex> writerGate = std::make_shared<std::timed_mutex>();

    // Runs on a worker thread: hands f(owner) to the owner's thread, if the owner is still there.
    template<class F> void post(F f)
    {
        const std::lock_guard<std::mutex> lock(mutex);
        postLocked(std::move(f));
    }
    template<class F> void postLocked(F f)
    {
        if (owner)
            QMetaObject::invokeMethod(
                owner, [o = owner, f = std::move(f)]() mutable { f(o); }, Qt::QueuedConnection);
    }
    // A worker store's change bus: relayed to the owner's bus, on its thread.
    void publish(const Change &change) override
    {
        post([change](StoreWorker *o) {
            if (o->m_bus)
                o->m_bus->publish(change);
        });
    }
    void listen(Listener) override { } // nobody listens on the worker

    // Under the mutex: the oldest queued call that may start now (its key, if any, not running),
    // dropping on the way those whose caller has had its answer (a timeout).
    bool takeNext(Job *job, std::vector<Job> *dropped)
    {
        for (auto it = jobs.begin(); it != jobs.end();) {
            if (it->expired->load()) {
                dropped->push_back(std::move(*it)); // nothing of it was done
                it = jobs.erase(it);
                continue;
            }
            if (!it->key.isEmpty() && runningKeys.contains(it->key)) {
                ++it; // after the call of its key that runs now
                continue;
            }
            if (!it->key.isEmpty())
                runningKeys.insert(it->key);
            *job = std::move(*it);
            jobs.erase(it);
            return true;
        }
        return false;
    }

    void loop(const Opener &open)
    {
        auto store = std::make_unique<EntityStore>();
        QString error;
        const bool ok = open(*store, &error);
        {
            const std::lock_guard<std::mutex> lock(mutex);
            --opening;
            if (ok)
                backendName = store->backendName();
            else
                openErrors << error;
        }
        settled.notify_all();
        if (ok) {
            store->setChangeBus(this);
            if (store->backend() == EntityStore::Backend::Sqlite)
                store->shareWriterGate(writerGate);
            serve(*store);
        }
        store.reset(); // its connection is this thread's
        {
            const std::lock_guard<std::mutex> lock(mutex);
            --running;
        }
        settled.notify_all();
    }

    void serve(EntityStore &store)
    {
        for (;;) {
            Job job;
            std::vector<Job> dropped; // destroyed outside the lock
            {
                std::unique_lock<std::mutex> lock(mutex);
                while (!stopping && !takeNext(&job, &dropped))
                    wake.wait(lock);
                if (stopping)
                    return;
            }
            dropped.clear();
            std::any result = job.work(store);
            store.releaseWriterGate();
            job.work = nullptr; // what it captured goes here, not on the owner's thread
            const std::lock_guard<std::mutex> lock(mutex);
            // The answer is posted before the key is free: the next call of the key answers after it.
            postLocked([id = job.id, result = std::move(result)](StoreWorker *o) mutable {
                o->deliver(id, std::move(result));
            });
            if (!job.key.isEmpty() && runningKeys.remove(job.key) && !jobs.empty())
                wake.notify_one(); // one of that key may start now, here or on an idle thread
        }
    }
};

StoreWorker::StoreWorker(int timeoutMs, int connections, QObject *parent)
    : QObject(parent), m_timeoutMs(timeoutMs), m_connections(qMax(1, connections)), m_shared(std::make_shared<Shared>())
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
        finished = m_shared->settled.wait_for(lock, std::chrono::milliseconds(kStopWaitMs),
                                              [this] { return m_shared->running == 0; });
    }
    for (std::thread &thread : m_shared->threads) {
        if (finished) {
            thread.join();
            continue;
        }
        // One is blocked in the database (a paused server never answers): the threads keep the
        // shared state and their stores alive and end with the process.
        thread.detach();
    }
    if (!finished)
        qCWarning(lcStoreWorker)
            << "a store call was still waiting for the database at shutdown; left to the process's end";
}

bool StoreWorker::start(const Opener &open, QString *error)
{
    std::unique_lock<std::mutex> lock(m_shared->mutex);
    m_shared->owner = this;
    m_shared->opening = m_connections;
    m_shared->running = m_connections;
    Shared *shared = m_shared.get();
    for (int i = 0; i < m_connections; ++i)
        m_shared->threads.emplace_back([keep = m_shared, shared, open] { shared->loop(open); });
    m_shared->settled.wait(lock, [this] { return m_shared->opening == 0; });
    m_backendName = m_shared->backendName;
    if (m_shared->openErrors.isEmpty()) {
        m_shared->started = true;
        return true;
    }
    if (error)
        *error = m_shared->openErrors.first();
    m_shared->owner = nullptr;
    m_shared->stopping = true; // those that opened close again
    m_shared->wake.notify_all();
    lock.unlock();
    for (std::thread &thread : m_shared->threads)
        thread.join();
    m_shared->threads.clear();
    return false;
}

QString StoreWorker::noAnswer() const
{
    return QStringLiteral("the %1 store did not answer within %2 s (Store:TimeoutSeconds)")
        .arg(m_backendName)
        .arg(m_timeoutMs / 1000.0);
}

QString StoreWorker::timeoutMessage() const
{
    QString text = noAnswer();
    text[0] = text[0].toUpper();
    return text
           + QStringLiteral("; the database may be paused, overloaded or unreachable. A write may or may not have been "
                            "applied: read the record, or retry with the same idempotencyKey.");
}

void StoreWorker::submit(const Queueing &queueing, QObject *context, std::function<std::any(EntityStore &)> work,
                         std::function<void(std::any &)> done, std::function<void(Failure)> failed, int timeoutMs)
{
    const quint64 id = m_nextId++;
    auto expired = std::make_shared<std::atomic_bool>(false);
    const qint64 deadline = m_clock.elapsed() + (timeoutMs < 0 ? m_timeoutMs : timeoutMs);
    {
        const std::lock_guard<std::mutex> lock(m_shared->mutex);
        if (!m_shared->started || m_shared->stopping || m_shared->running == 0) {
            if (failed)
                failed(Failure::Stopped);
            return;
        }
        Shared::Job job{id, queueing.key, std::move(work), expired};
        if (queueing.first)
            m_shared->jobs.push_front(std::move(job));
        else
            m_shared->jobs.push_back(std::move(job));
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
