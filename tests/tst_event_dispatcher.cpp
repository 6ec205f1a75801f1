// EpollEventDispatcher: the whole test runs on it (set before QCoreApplication), so every Qt
// facility used here (QTimer, QTcpSocket, queued calls, deleteLater) exercises it for real.
#include "ServerHost.h"
#include "s12/S12MedTrials.h"
#include "runtime/EpollEventDispatcher.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>

#include <memory>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using koan::EpollEventDispatcher;

class TestEventDispatcher : public QObject
{
    Q_OBJECT

    static EpollEventDispatcher *dispatcher()
    {
        return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
    }

    // Runs the loop until `done` or 5 s; false on timeout.
    static bool runUntil(const std::function<bool()> &done)
    {
        QElapsedTimer t;
        t.start();
        while (!done() && t.elapsed() < 5000)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        return done();
    }

private slots:
    void installedOnThisThread()
    {
        QVERIFY(dispatcher());
        QVERIFY(dispatcher()->isValid());
    }

    void singleShotWaitsForItsDeadline()
    {
        QElapsedTimer t;
        t.start();
        qint64 firedAt = -1;
        QTimer::singleShot(80, this, [&] { firedAt = t.elapsed(); });
        QVERIFY(runUntil([&] { return firedAt >= 0; }));
        QVERIFY2(firedAt >= 79, qPrintable(QString::number(firedAt)));
    }

    void repeatingTimerAndRemainingTime()
    {
        QTimer timer;
        int ticks = 0;
        connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
        timer.start(20);
        const int remaining = timer.remainingTime();
        QVERIFY2(remaining > 0 && remaining <= 20, qPrintable(QString::number(remaining)));
        QCOMPARE(dispatcher()->registeredTimers(&timer).size(), 1);
        QVERIFY(runUntil([&] { return ticks >= 5; }));
        timer.stop();
        QVERIFY(dispatcher()->registeredTimers(&timer).isEmpty());
        QCOMPARE(timer.remainingTime(), -1);
        const int before = ticks;
        QTest::qWait(60);
        QCOMPARE(ticks, before);
    }

    void timerKilledByAnotherTimersHandlerDoesNotFire()
    {
        QTimer a, b;
        bool bFired = false;
        a.setSingleShot(true);
        b.setSingleShot(true);
        connect(&a, &QTimer::timeout, this, [&] { b.stop(); });
        connect(&b, &QTimer::timeout, this, [&] { bFired = true; });
        a.start(10);
        b.start(10);
        QTest::qWait(80);
        QVERIFY(!a.isActive());
        // Qt orders equal deadlines by registration: a (earlier) fires first and stops b.
        QVERIFY(!bFired);
    }

    void zeroTimerFiresEveryPass()
    {
        QTimer timer;
        int ticks = 0;
        connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
        timer.start(0);
        QVERIFY(runUntil([&] { return ticks >= 100; }));
    }

    void postFromAnotherThreadWakesABlockedLoop()
    {
        QEventLoop loop;
        QElapsedTimer t;
        t.start();
        std::thread poster([&loop] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            QMetaObject::invokeMethod(
                &loop, [&loop] { loop.exit(7); }, Qt::QueuedConnection);
        });
        QTimer::singleShot(5000, &loop, [&loop] { loop.exit(1); }); // guard only
        const int code = loop.exec();
        poster.join();
        QCOMPARE(code, 7);
        QVERIFY(t.elapsed() < 2000);
    }

    void deleteLaterRuns()
    {
        // Deferred deletes belong to a running loop (processEvents() alone leaves them queued).
        QEventLoop loop;
        QPointer<QObject> o = new QObject;
        connect(o, &QObject::destroyed, &loop, &QEventLoop::quit);
        QTimer::singleShot(0, o, &QObject::deleteLater);
        QTimer::singleShot(5000, &loop, &QEventLoop::quit); // guard only
        loop.exec();
        QVERIFY(o.isNull());
    }

    void tcpEchoOfAMegabyteAndPeerClose()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(runUntil([&] { return server.hasPendingConnections(); }));
        std::unique_ptr<QTcpSocket> peer(server.nextPendingConnection());
        connect(peer.get(), &QTcpSocket::readyRead, this, [&] { peer->write(peer->readAll()); });
        QVERIFY(runUntil([&] { return client.state() == QAbstractSocket::ConnectedState; }));

        QByteArray payload(1 << 20, Qt::Uninitialized);
        for (int i = 0; i < payload.size(); ++i)
            payload[i] = char(i * 31);
        client.write(payload); // larger than the socket buffers: needs write notifiers too
        QByteArray echoed;
        connect(&client, &QTcpSocket::readyRead, this, [&] { echoed += client.readAll(); });
        QVERIFY(runUntil([&] { return echoed.size() >= payload.size(); }));
        QVERIFY(echoed == payload);

        bool disconnected = false;
        connect(&client, &QTcpSocket::disconnected, this, [&] { disconnected = true; });
        peer->close();
        QVERIFY(runUntil([&] { return disconnected; }));
    }

    void onlyReadySocketsOutOfManyAreActivated()
    {
        // 1000 idle pairs and one busy one; every notifier stays registered.
        std::vector<std::pair<int, int>> pairs;
        std::vector<std::unique_ptr<QSocketNotifier>> notifiers;
        int idleActivations = 0;
        for (int i = 0; i < 1000; ++i) {
            int fds[2];
            QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
            pairs.emplace_back(fds[0], fds[1]);
            notifiers.emplace_back(new QSocketNotifier(fds[0], QSocketNotifier::Read));
            connect(notifiers.back().get(), &QSocketNotifier::activated, this, [&] { ++idleActivations; });
        }
        int busy[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, busy), 0);
        QSocketNotifier reader(busy[0], QSocketNotifier::Read);
        int received = 0;
        connect(&reader, &QSocketNotifier::activated, this, [&] {
            char c;
            while (::read(busy[0], &c, 1) == 1)
                ++received;
        });
        for (int i = 0; i < 50; ++i)
            QCOMPARE(::write(busy[1], "x", 1), 1);
        QVERIFY(runUntil([&] { return received == 50; }));
        QCOMPARE(idleActivations, 0);

        // Level-triggered: unread data keeps activating; a disabled notifier stops.
        QCOMPARE(::write(pairs[3].second, "y", 1), 1);
        QVERIFY(runUntil([&] { return idleActivations >= 3; }));
        notifiers[3]->setEnabled(false);
        const int seen = idleActivations;
        QTest::qWait(50);
        QCOMPARE(idleActivations, seen);

        notifiers.clear();
        for (auto [a, b] : pairs) {
            ::close(a);
            ::close(b);
        }
        ::close(busy[0]);
        ::close(busy[1]);
    }

    void notifierOnAReusedDescriptorIsWatched()
    {
        // A library (QPSQL on a dropped database connection) may leave its notifier registered
        // after the descriptor closed; the kernel hands the number to the next socket, whose
        // new notifier must be watched, not taken for the one already installed.
        int stale[2], fresh[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, stale), 0);
        auto leftover = std::make_unique<QSocketNotifier>(stale[0], QSocketNotifier::Read);
        QTest::qWait(10); // installed in epoll
        const int reused = stale[0];
        ::close(stale[0]);
        ::close(stale[1]);
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fresh), 0);
        if (fresh[0] != reused) {
            QVERIFY(::dup2(fresh[0], reused) == reused);
            ::close(fresh[0]);
            fresh[0] = reused;
        }
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("multiple socket notifiers"));
        QSocketNotifier reader(fresh[0], QSocketNotifier::Read);
        int activations = 0;
        connect(&reader, &QSocketNotifier::activated, this, [&] {
            char buf[8];
            while (::read(fresh[0], buf, sizeof buf) > 0) { }
            ++activations;
        });
        QCOMPARE(::write(fresh[1], "x", 1), ssize_t(1));
        QVERIFY(QTest::qWaitFor([&] { return activations > 0; }, 2000));
        leftover.reset(); // its late unregistration leaves the new watch alone
        QCOMPARE(::write(fresh[1], "y", 1), ssize_t(1));
        QVERIFY(QTest::qWaitFor([&] { return activations > 1; }, 2000));
        ::close(fresh[0]);
        ::close(fresh[1]);
    }

    void regularFilesAreAlwaysReady()
    {
        // epoll refuses regular files; poll() reports them ready, and so must we.
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("data");
        file.flush();
        QSocketNotifier notifier(file.handle(), QSocketNotifier::Read);
        int activations = 0;
        connect(&notifier, &QSocketNotifier::activated, this, [&] { ++activations; });
        QVERIFY(runUntil([&] { return activations > 0; }));
        notifier.setEnabled(false);
        const int seen = activations;
        QTest::qWait(30);
        QCOMPARE(activations, seen);
    }

    void serverThreadRunsOnEpollUnlessAskedForPoll()
    {
        koan::McpServerOptions options;
        options.databasePath = QStringLiteral(":memory:");
        for (const QByteArray mode : {QByteArray(), QByteArray("poll")}) {
            qputenv("KOAN_EVENT_LOOP", mode);
            koan::ServerHost host(options, koan::s12::catalog());
            QStringList errors;
            QVERIFY2(host.start(false, &errors), qPrintable(errors.join('\n')));
            bool epoll = false;
            host.invoke([&] { epoll = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()); });
            QCOMPARE(epoll, mode.isEmpty());
        }
        qunsetenv("KOAN_EVENT_LOOP");
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_event_dispatcher.moc"
