#pragma once
// Turns SIGTERM/SIGINT into a Qt signal (self-pipe), so shutdown runs on the event loop.
#include <QObject>

class QSocketNotifier;

namespace koan {

class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

signals:
    void terminationRequested(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace koan
