#include "EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace koan {

namespace {
constexpr quint32 kMaskFor[3] = {EPOLLIN, EPOLLOUT, EPOLLPRI}; // Read, Write, Exception
// Like Qt's poll dispatcher: hang-up and error wake readers (they then see EOF or the error).
constexpr quint32 kWakesFor[3] = {EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP, EPOLLOUT | EPOLLERR, EPOLLPRI};

int toMs(std::chrono::steady_clock::duration d)
{
    using namespace std::chrono;
    // Round up so a timer is never woken for just before its deadline.
    return int(
        std::clamp<qint64>(duration_cast<milliseconds>(d + milliseconds(1) - nanoseconds(1)).count(), 0, INT_MAX));
}
} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent), m_epoll(epoll_create1(EPOLL_CLOEXEC)),
      m_wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = m_wake;
    if (m_epoll >= 0 && m_wake >= 0 && epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &ev) != 0) {
        ::close(m_wake);
        m_wake = -1;
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wake >= 0)
        ::close(m_wake);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

EpollEventDispatcher *EpollEventDispatcher::createUnlessDisabled()
{
    if (qgetenv("KOAN_EVENT_LOOP") == "poll")
        return nullptr;
    auto *dispatcher = new EpollEventDispatcher;
    if (dispatcher->isValid())
        return dispatcher;
    delete dispatcher;
    return nullptr;
}

void EpollEventDispatcher::wakeUp()
{
    // Any thread; one write per batch of posts is enough.
    if (!m_wakePending.exchange(true, std::memory_order_acq_rel)) {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_wake, &one, sizeof one);
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_release);
    wakeUp();
}

void EpollEventDispatcher::drainWakeUps()
{
    quint64 count;
    while (::read(m_wake, &count, sizeof count) > 0) { }
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    // Cleared before sending: a post from now on sets it again and keeps us from blocking.
    if (m_wakePending.exchange(false, std::memory_order_acq_rel))
        drainWakeUps();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.load(std::memory_order_acquire)
                         && !m_wakePending.load(std::memory_order_acquire);
    if (canWait)
        emit aboutToBlock();
    if (m_interrupted.load(std::memory_order_acquire))
        return false;

    int timeout = 0;
    if (canWait && !(includeNotifiers && m_unpollable > 0))
        timeout = includeTimers ? waitTimeoutMs() : -1;
    epoll_event events[512];
    int ready = epoll_wait(m_epoll, events, int(std::size(events)), timeout);
    if (ready < 0)
        ready = 0; // EINTR: a signal; its handler wakes us through a notifier

    int activated = 0;
    for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wake)
            drainWakeUps();
        else if (includeNotifiers)
            activated += activateNotifiers(fd, events[i].events);
    }
    if (includeNotifiers && m_unpollable > 0) {
        QList<int> files;
        for (auto it = m_watches.cbegin(); it != m_watches.cend(); ++it)
            if (!it->pollable)
                files << it.key();
        for (int fd : files)
            activated += activateNotifiers(fd, EPOLLIN | EPOLLOUT);
    }
    if (includeTimers)
        activated += activateTimers();
    return activated > 0;
}

int EpollEventDispatcher::activateNotifiers(int fd, quint32 events)
{
    int activated = 0;
    for (int type = 0; type < 3; ++type) {
        if (!(events & kWakesFor[type]))
            continue;
        // Looked up again for each type: the previous slot may have closed this socket.
        const auto it = m_watches.constFind(fd);
        if (it == m_watches.cend())
            break;
        if (QSocketNotifier *notifier = it->notifiers[type]) {
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            ++activated;
        }
    }
    return activated;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    Watch &w = m_watches[fd];
    if (w.notifiers[type] && w.notifiers[type] != notifier) {
        qWarning("EpollEventDispatcher: multiple socket notifiers for socket %d and type %d", fd, type);
        // Usually a stale one: its descriptor was closed (which left the epoll set) and the number
        // reused by a new socket. Install the watch again (ADD, or MOD if it is the same socket).
        if (w.pollable)
            w.registered = 0;
    }
    w.notifiers[type] = notifier;
    updateWatch(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end() || it->notifiers[int(notifier->type())] != notifier)
        return;
    it->notifiers[int(notifier->type())] = nullptr;
    updateWatch(fd);
}

void EpollEventDispatcher::updateWatch(int fd)
{
    const auto it = m_watches.find(fd);
    quint32 mask = 0;
    for (int type = 0; type < 3; ++type)
        if (it->notifiers[type])
            mask |= kMaskFor[type];
    if (!it->pollable) {
        if (mask == 0) {
            --m_unpollable;
            m_watches.erase(it);
        }
        return;
    }
    if (mask == it->registered)
        return;
    epoll_event ev{};
    ev.events = mask;
    ev.data.fd = fd;
    if (mask == 0) {
        // EBADF/ENOENT are fine: closing an fd already removed it from the epoll set.
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev);
        m_watches.erase(it);
        return;
    }
    int rc = epoll_ctl(m_epoll, it->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    if (rc != 0 && errno == ENOENT) // the fd was closed and reused behind our back
        rc = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    else if (rc != 0 && errno == EEXIST)
        rc = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
    if (rc == 0) {
        it->registered = mask;
    } else if (errno == EPERM) {
        // Regular files cannot be polled and are always ready, as poll() reports them.
        it->pollable = false;
        ++m_unpollable;
    } else {
        qWarning("EpollEventDispatcher: cannot watch socket %d (errno %d)", fd, errno);
    }
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    m_timers.insert(timerId, Timer{interval, timerType, object, Clock::now() + std::chrono::milliseconds(interval)});
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    return m_timers.remove(timerId) > 0;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    return m_timers.removeIf([object](const auto &it) { return it.value().object == object; }) > 0;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it)
        if (it->object == object)
            list.append(TimerInfo(it.key(), int(it->interval), it->type));
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    return it == m_timers.cend() ? -1 : toMs(std::max(it->deadline - Clock::now(), Clock::duration::zero()));
}

int EpollEventDispatcher::waitTimeoutMs() const
{
    if (m_timers.isEmpty())
        return -1;
    Clock::time_point next = Clock::time_point::max();
    for (const Timer &t : m_timers)
        next = std::min(next, t.deadline);
    return toMs(std::max(next - Clock::now(), Clock::duration::zero()));
}

int EpollEventDispatcher::activateTimers()
{
    if (m_timers.isEmpty())
        return 0;
    const Clock::time_point now = Clock::now();
    QList<std::pair<Clock::time_point, int>> due;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it)
        if (it->deadline <= now)
            due.append({it->deadline, it.key()});
    std::sort(due.begin(), due.end());
    int fired = 0;
    for (const auto &[deadline, id] : due) {
        // A previous timer's handler may have killed or restarted this one.
        const auto it = m_timers.find(id);
        if (it == m_timers.end() || it->deadline > now)
            continue;
        // Next deadline before firing, so a nested event loop in the handler does not fire it again;
        // a late timer is not fired in a burst to catch up.
        const auto interval = std::chrono::milliseconds(it->interval);
        it->deadline += interval;
        if (it->deadline <= now)
            it->deadline = now + interval;
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
    }
    return fired;
}

} // namespace koan
