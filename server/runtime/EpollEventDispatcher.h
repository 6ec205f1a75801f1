#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>

#include <atomic>
#include <chrono>

class QSocketNotifier;

namespace koan {

// A Linux epoll event dispatcher for the server's thread. Qt 6.4's UNIX dispatcher (and glib's)
// poll() every registered socket on every pass, so with thousands of open SSE streams each pass
// costs O(streams) and one core is spent at ~1000 calls/s; epoll costs O(ready sockets).
// Semantics follow Qt's dispatcher: level-triggered notifiers, posted events first, each due
// timer fires at most once per pass.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool isValid() const { return m_epoll >= 0 && m_wake >= 0; }
    // A new dispatcher, or null to keep Qt's: with KOAN_EVENT_LOOP=poll (for comparison) or if
    // the kernel refused the epoll/eventfd descriptors.
    static EpollEventDispatcher *createUnlessDisabled();

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

private:
    using Clock = std::chrono::steady_clock;
    struct Watch {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr}; // by QSocketNotifier::Type
        quint32 registered = 0;                                      // the epoll mask currently installed
        bool pollable = true; // false for regular files: epoll refuses them, they are always ready
    };
    struct Timer {
        qint64 interval;
        Qt::TimerType type;
        QObject *object;
        Clock::time_point deadline;
    };

    void updateWatch(int fd);
    int activateNotifiers(int fd, quint32 events);
    int activateTimers();
    int waitTimeoutMs() const;
    void drainWakeUps();

    int m_epoll = -1;
    int m_wake = -1; // eventfd written by wakeUp() from any thread
    std::atomic<bool> m_wakePending{false};
    std::atomic<bool> m_interrupted{false};
    QHash<int, Watch> m_watches;
    int m_unpollable = 0;
    // Few timers live on the server thread (heartbeat, sweep, a retry), so a hash scanned per pass
    // is cheaper than keeping a heap ordered.
    QHash<int, Timer> m_timers;
};

} // namespace koan
