#include "SettingsWriter.h"

#include "store/EntityStore.h"
#include "store/StoreWorker.h"

#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcSettingsWriter, "koan.admin")

namespace koan {

namespace {
// How long a queued setting waits for the database: long enough to outlast any pause an operator
// waits out (the write must land exactly once), short of the worker's int range.
constexpr int kWriteWaitMs = 24 * 3600 * 1000;

struct Written {
    bool ok = false;
    QString error;
};
} // namespace

SettingsWriter::SettingsWriter(EntityStore *store, QObject *parent) : QObject(parent), m_store(store) { }

SettingsWriter::~SettingsWriter()
{
    for (const Item &item : m_queue)
        qCWarning(lcSettingsWriter).noquote()
            << "the server stopped before" << item.key << "by" << item.who.principal << "was written to the store";
}

void SettingsWriter::write(const QString &key, const QJsonObject &before, const QJsonObject &after,
                           const WriteContext &who, Answered answered)
{
    m_queue.push_back(Item{key, before, after, who, {}, false});
    if (answered)
        wait(m_queue.back(), std::move(answered));
    next();
}

void SettingsWriter::settle(const QString &key, Answered answered)
{
    for (auto it = m_queue.rbegin(); it != m_queue.rend(); ++it)
        if (it->key == key)
            return wait(*it, std::move(answered));
    answered(Answer{});
}

bool SettingsWriter::isPending(const QString &key) const
{
    for (const Item &item : m_queue)
        if (item.key == key)
            return true;
    return false;
}

void SettingsWriter::wait(Item &item, Answered answered)
{
    auto waiter = std::make_shared<Waiter>(Waiter{std::move(answered), false});
    item.waiters.append(waiter);
    if (!m_worker)
        return; // written at once (next)
    const QString timedOut = m_worker->noAnswer();
    const QString key = item.key;
    QTimer::singleShot(m_worker->timeoutMs(), this, [this, waiter, timedOut, key] {
        if (waiter->done)
            return;
        waiter->done = true;
        for (Item &i : m_queue)
            if (i.key == key)
                i.pendingTold = true;
        waiter->answered(Answer{State::Pending, timedOut});
    });
}

void SettingsWriter::next()
{
    if (m_busy || m_queue.empty())
        return;
    if (m_stopped)
        return finish(false, QStringLiteral("the store is not running (the server is stopping)"));
    m_busy = true;
    const Item &item = m_queue.front();
    const auto work = [key = item.key, before = item.before, after = item.after, who = item.who](EntityStore &store) {
        Written w;
        w.ok = store.recordSetting(key, before, after, who, &w.error);
        return w;
    };
    if (!m_worker) {
        const Written w = work(*m_store);
        return finish(w.ok, w.error);
    }
    m_worker->run<Written>(
        this, work, [this](Written w) { finish(w.ok, w.error); },
        [this](StoreWorker::Failure failure) {
            if (failure == StoreWorker::Failure::Stopped)
                m_stopped = true;
            finish(false, failure == StoreWorker::Failure::Stopped
                              ? QStringLiteral("the store is not running (the server is stopping)")
                              : QStringLiteral("the store did not answer for %1 hours").arg(kWriteWaitMs / 3600000));
        },
        kWriteWaitMs);
}

void SettingsWriter::finish(bool ok, const QString &error)
{
    Item item = std::move(m_queue.front());
    m_queue.pop_front();
    m_busy = false;
    if (!ok)
        qCWarning(lcSettingsWriter).noquote()
            << item.key << "by" << item.who.principal
            << "is in force on this replica but could not be written to the store (nor audited):" << error;
    else if (item.pendingTold)
        qCInfo(lcSettingsWriter).noquote()
            << item.key << "by" << item.who.principal << "written to the store now that it answers";
    for (const auto &waiter : std::as_const(item.waiters))
        if (!waiter->done) {
            waiter->done = true;
            waiter->answered(Answer{ok ? State::Written : State::Failed, error});
        }
    emit settled(item.key, ok);
    next();
}

} // namespace koan
