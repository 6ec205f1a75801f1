// SessionManager alone: sessions, the connection limit, heartbeats, the idle sweep and the
// operator's disconnect, with a scripted SessionStream standing in for a transport's stream.
#include "sessions/SessionManager.h"
#include "sessions/SessionStream.h"
#include "sessions/StatelessCallers.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace koan;

namespace {

// A stream that only does what the test tells it.
class FakeStream : public SessionStream
{
    Q_OBJECT
public:
    using SessionStream::SessionStream;
    bool open = true;
    bool heartbeatOk = true;
    qint64 queued = 0;
    int heartbeats = 0;
    int closes = 0;

    bool isOpen() const override { return open; }
    qint64 queuedBytes() const override { return queued; }
    bool sendHeartbeat() override
    {
        ++heartbeats;
        return open && heartbeatOk;
    }
    void close(bool) override
    {
        ++closes;
        finish(QStringLiteral("server_closed"));
    }
    void finish(const QString &reason)
    {
        if (!open)
            return;
        open = false;
        emit closed(reason);
    }
};

SessionManager::Limits limits(int maxConnections = 500, int keepAliveMs = 60000, int idleMs = 60 * 60 * 1000,
                              int maxSessions = 10000)
{
    SessionManager::Limits l;
    l.maxConcurrentConnections = maxConnections;
    l.keepAliveIntervalMs = keepAliveMs;
    l.idleTimeoutMs = idleMs;
    l.maxSessions = maxSessions;
    return l;
}

Principal alice()
{
    Principal p;
    p.authenticated = true;
    p.subject = QStringLiteral("alice");
    p.issuer = QStringLiteral("https://issuer.test");
    return p;
}

struct CloserLog {
    QList<QPair<QString, QString>> calls; // (id, reason)
    SessionManager::Closer closer()
    {
        return [this](const QString &id, const QString &reason) { calls.append({id, reason}); };
    }
};

} // namespace

class TestSessionManager : public QObject
{
    Q_OBJECT

private slots:
    void openFindClose()
    {
        SessionManager manager(limits());
        QSignalSpy opened(&manager, &SessionManager::sessionOpened);
        QSignalSpy closed(&manager, &SessionManager::sessionClosed);
        CloserLog log;
        const SessionPtr s = manager.open(TransportKind::StreamableHttp, alice(), QStringLiteral("192.0.2.4:5000"),
                                          QStringLiteral("test-agent/1"), log.closer());
        QVERIFY(s);
        QVERIFY(SessionManager::isWellFormedId(s->id));
        QCOMPARE(s->transport, TransportKind::StreamableHttp);
        QCOMPARE(s->principal.subject, QStringLiteral("alice"));
        QCOMPARE(manager.find(s->id), s);
        QVERIFY(manager.contains(s->id));
        QCOMPARE(manager.sessionCount(), 1);
        QCOMPARE(opened.count(), 1);
        const SessionInfo info = opened.at(0).at(0).value<SessionInfo>();
        QCOMPARE(info.id, s->id);
        QCOMPARE(info.remote, QStringLiteral("192.0.2.4:5000"));
        QCOMPARE(info.userAgent, QStringLiteral("test-agent/1"));
        QCOMPARE(info.subject, QStringLiteral("alice"));
        QCOMPARE(info.issuer, QStringLiteral("https://issuer.test"));
        QCOMPARE(manager.info(s->id).transport, TransportKind::StreamableHttp);

        // A second session gets another id.
        const SessionPtr other = manager.open(TransportKind::HttpSse, Principal{}, {}, {}, {});
        QVERIFY(other->id != s->id);
        QVERIFY(manager.info(other->id).subject.isEmpty()); // anonymous
        QCOMPARE(manager.countByTransport().value(TransportKind::HttpSse), 1);
        QVERIFY(!manager.find(QStringLiteral("no-such-session")));

        manager.close(s->id, QStringLiteral("client_deleted"));
        QCOMPARE(log.calls, (QList<QPair<QString, QString>>{{s->id, QStringLiteral("client_deleted")}}));
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(0).toString(), s->id);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("client_deleted"));
        QVERIFY(!manager.find(s->id));
        QVERIFY(!manager.contains(s->id));
        QCOMPARE(manager.sessionCount(), 1);
        // Safe to call twice: the closer ran once, one signal.
        manager.close(s->id, QStringLiteral("again"));
        QCOMPARE(log.calls.size(), 1);
        QCOMPARE(closed.count(), 1);

        manager.closeAll(QStringLiteral("shutdown"));
        QCOMPARE(manager.sessionCount(), 0);
        QCOMPARE(closed.count(), 2);
        QCOMPARE(closed.at(1).at(1).toString(), QStringLiteral("shutdown"));
    }

    void wellFormedIds()
    {
        QVERIFY(SessionManager::isWellFormedId(QString(32, QLatin1Char('a'))));
        QVERIFY(SessionManager::isWellFormedId(QString(128, QLatin1Char('Z'))));
        QVERIFY(SessionManager::isWellFormedId(QStringLiteral("0123456789abcdefABCDEF-_0123456789")));
        QVERIFY(!SessionManager::isWellFormedId(QString(31, QLatin1Char('a'))));
        QVERIFY(!SessionManager::isWellFormedId(QString(129, QLatin1Char('a'))));
        QVERIFY(!SessionManager::isWellFormedId(QString()));
        const QString base(40, QLatin1Char('a'));
        for (const QChar bad : {QChar(u'.'), QChar(u' '), QChar(u'/'), QChar(u'%'), QChar(u'\n'), QChar(u'\0'),
                                QChar(0x00e9) /* é */, QChar(0xff41) /* fullwidth a */})
            QVERIFY2(!SessionManager::isWellFormedId(QString(base).replace(20, 1, bad)),
                     qPrintable(QString::number(bad.unicode(), 16)));
        // Every id the manager hands out has the shape.
        SessionManager manager(limits());
        for (int i = 0; i < 20; ++i)
            QVERIFY(SessionManager::isWellFormedId(manager.open(TransportKind::StreamableHttp, {}, {}, {}, {})->id));
    }

    void longLivedStreamsCountAgainstTheLimit()
    {
        SessionManager manager(limits(/*maxConnections*/ 2));
        const SessionPtr s = manager.open(TransportKind::HttpSse, {}, {}, {}, {});
        FakeStream a, b, shortPost;
        QVERIFY(!manager.atConnectionLimit());
        manager.addStream(s->id, &a, true);
        QCOMPARE(manager.longLivedStreams(), 1);
        QVERIFY(!manager.atConnectionLimit());
        manager.addStream(s->id, &shortPost, false); // POST streams do not count
        QCOMPARE(manager.longLivedStreams(), 1);
        manager.addStream(s->id, &b, true);
        QCOMPARE(manager.longLivedStreams(), 2);
        QVERIFY(manager.atConnectionLimit());
        QCOMPARE(manager.info(s->id).openStreams, 2);

        FakeStream stray;
        manager.addStream(QStringLiteral("unknown-session"), &stray, true); // ignored
        QCOMPARE(manager.longLivedStreams(), 2);

        QSignalSpy updated(&manager, &SessionManager::sessionUpdated);
        shortPost.finish(QStringLiteral("client_disconnected"));
        QCOMPARE(manager.longLivedStreams(), 2);
        QCOMPARE(updated.count(), 1); // observers see its bytes gone
        a.finish(QStringLiteral("client_disconnected"));
        QCOMPARE(manager.longLivedStreams(), 1);
        QVERIFY(!manager.atConnectionLimit());
        QCOMPARE(manager.info(s->id).openStreams, 1);
        // A second closed() of the same stream changes nothing.
        emit a.closed(QStringLiteral("client_disconnected"));
        QCOMPARE(manager.longLivedStreams(), 1);
    }

    void closingASessionReleasesItsStreamsOnce()
    {
        SessionManager manager(limits(/*maxConnections*/ 1));
        QList<FakeStream *> streams;
        // The transport's closer closes the streams, whose closed() then arrives for a gone session.
        const SessionPtr s
            = manager.open(TransportKind::HttpSse, {}, {}, {}, [&streams](const QString &, const QString &) {
                  for (FakeStream *st : std::as_const(streams))
                      st->close(false);
              });
        FakeStream a, shortPost;
        streams = {&a, &shortPost};
        manager.addStream(s->id, &a, true);
        manager.addStream(s->id, &shortPost, false);
        QVERIFY(manager.atConnectionLimit());
        manager.close(s->id, QStringLiteral("client_deleted"));
        QCOMPARE(a.closes, 1);
        QCOMPARE(manager.longLivedStreams(), 0); // not -1
        QVERIFY(!manager.atConnectionLimit());
    }

    void sessionLimit()
    {
        SessionManager manager(limits(500, 60000, 3600000, /*maxSessions*/ 2));
        QCOMPARE(manager.maxSessions(), 2);
        manager.open(TransportKind::StreamableHttp, {}, {}, {}, {});
        QVERIFY(!manager.atSessionLimit());
        const SessionPtr second = manager.open(TransportKind::StreamableHttp, {}, {}, {}, {});
        QVERIFY(manager.atSessionLimit());
        manager.close(second->id, QStringLiteral("client_deleted"));
        QVERIFY(!manager.atSessionLimit());
    }

    void heartbeats()
    {
        SessionManager manager(limits(500, /*keepAliveMs*/ 20));
        QSignalSpy sent(&manager, &SessionManager::heartbeatSent);
        QSignalSpy rounds(&manager, &SessionManager::heartbeatRoundFinished);
        const SessionPtr live = manager.open(TransportKind::HttpSse, {}, {}, {}, {});
        const SessionPtr dead = manager.open(TransportKind::HttpSse, {}, {}, {}, {});
        const SessionPtr streamless = manager.open(TransportKind::StreamableHttp, {}, {}, {}, {});
        FakeStream a, b, gone;
        a.queued = 100;
        b.queued = 23;
        gone.heartbeatOk = false; // a slow reader, closed by its heartbeat
        manager.addStream(live->id, &a, true);
        manager.addStream(live->id, &b, false);
        manager.addStream(dead->id, &gone, true);
        const QDateTime before = QDateTime::currentDateTimeUtc();
        const QDateTime activity = manager.info(live->id).lastActivity;

        QTRY_VERIFY_WITH_TIMEOUT(rounds.count() >= 2, 2000);
        QVERIFY(a.heartbeats >= 2);
        QVERIFY(b.heartbeats >= 2);
        QVERIFY(gone.heartbeats >= 2); // tried, but it reports itself gone
        // Per round: two streams reached (a and b), the failed one not counted.
        QCOMPARE(rounds.at(0).at(0).toInt(), 2);
        QVERIFY(rounds.at(0).at(1).toDouble() >= 0);
        // heartbeatSent only for the session whose stream took it, with the bytes its streams queue.
        QVERIFY(sent.count() >= 2);
        for (const QList<QVariant> &args : std::as_const(sent)) {
            QCOMPARE(args.at(0).toString(), live->id);
            QVERIFY(args.at(1).toDateTime() >= before.addMSecs(-1));
            QCOMPARE(args.at(2).toLongLong(), qint64(123));
        }
        const SessionInfo info = manager.info(live->id);
        QVERIFY(info.lastHeartbeat.isValid());
        QCOMPARE(info.lastActivity, activity); // heartbeats are not client activity
        QVERIFY(!manager.info(dead->id).lastHeartbeat.isValid());
        QVERIFY(!manager.info(streamless->id).lastHeartbeat.isValid());
    }

    void idleSweep()
    {
        SessionManager manager(limits(500, 60000, /*idleMs*/ 200)); // swept every 50 ms
        QSignalSpy closed(&manager, &SessionManager::sessionClosed);
        CloserLog idleLog, activeLog;
        const SessionPtr idle = manager.open(TransportKind::StreamableHttp, {}, {}, {}, idleLog.closer());
        const SessionPtr active = manager.open(TransportKind::StreamableHttp, {}, {}, {}, activeLog.closer());
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 500) {
            manager.recordInbound(active->id, QStringLiteral("ping"));
            QTest::qWait(20);
        }
        QVERIFY(!manager.contains(idle->id));
        QVERIFY(manager.contains(active->id));
        QCOMPARE(idleLog.calls, (QList<QPair<QString, QString>>{{idle->id, QStringLiteral("idle_timeout")}}));
        QVERIFY(activeLog.calls.isEmpty());
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("idle_timeout"));
        QVERIFY(manager.info(active->id).messagesIn > 0);
    }

    void expiredTokenEndsTheSession()
    {
        SessionManager manager(limits(500, 60000, /*idleMs*/ 3600000)); // swept every second
        QSignalSpy closed(&manager, &SessionManager::sessionClosed);
        Principal expired = alice();
        expired.expiresAt = QDateTime::currentSecsSinceEpoch() - 1;
        Principal valid = alice();
        valid.expiresAt = QDateTime::currentSecsSinceEpoch() + 3600;
        const SessionPtr a = manager.open(TransportKind::StreamableHttp, expired, {}, {}, {});
        const SessionPtr b = manager.open(TransportKind::StreamableHttp, valid, {}, {}, {});
        QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 1, 3000);
        QCOMPARE(closed.at(0).at(0).toString(), a->id);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("token_expired"));
        QVERIFY(manager.contains(b->id));
    }

    void rejectConnectionIsSignalled()
    {
        SessionManager manager(limits());
        QSignalSpy rejected(&manager, &SessionManager::connectionRejected);
        manager.rejectConnection(QStringLiteral("max_sessions"));
        manager.rejectConnection(QStringLiteral("max_connections"));
        QCOMPARE(rejected.count(), 2);
        QCOMPARE(rejected.at(0).at(0).toString(), QStringLiteral("max_sessions"));
        QCOMPARE(rejected.at(1).at(0).toString(), QStringLiteral("max_connections"));
        QCOMPARE(manager.sessionCount(), 0);
    }

    void operatorDisconnect()
    {
        SessionManager manager(limits());
        QSignalSpy closed(&manager, &SessionManager::sessionClosed);
        CloserLog log;
        const SessionPtr s = manager.open(TransportKind::HttpSse, {}, {}, {}, log.closer());
        QVERIFY(!manager.disconnectSession(QStringLiteral("not-a-session")));
        QCOMPARE(closed.count(), 0);
        QVERIFY(manager.disconnectSession(s->id));
        QCOMPARE(log.calls, (QList<QPair<QString, QString>>{{s->id, QStringLiteral("disconnected_by_operator")}}));
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("disconnected_by_operator"));
        QVERIFY(!manager.disconnectSession(s->id)); // gone now
    }

    void queuedBytesSumsTheStreams()
    {
        SessionManager manager(limits());
        const SessionPtr one = manager.open(TransportKind::HttpSse, {}, {}, {}, {});
        const SessionPtr two = manager.open(TransportKind::StreamableHttp, {}, {}, {}, {});
        QCOMPARE(manager.queuedBytes(), qint64(0));
        FakeStream a, b, c;
        a.queued = 100;
        b.queued = 250;
        c.queued = 7;
        manager.addStream(one->id, &a, true);
        manager.addStream(one->id, &b, false);
        manager.addStream(two->id, &c, true);
        QCOMPARE(manager.queuedBytes(), qint64(357));
        QCOMPARE(manager.info(one->id).bytesQueued, qint64(350));
        b.queued = 1000;
        QCOMPARE(manager.queuedBytes(), qint64(1107)); // read live, not cached
        b.finish(QStringLiteral("client_disconnected"));
        QCOMPARE(manager.queuedBytes(), qint64(107));
        {
            // A stream deleted without a word is no longer counted.
            auto *doomed = new FakeStream;
            doomed->queued = 5000;
            manager.addStream(two->id, doomed, false);
            QCOMPARE(manager.queuedBytes(), qint64(5107));
            delete doomed; // destroyed silently: no closed()
        }
        QCOMPARE(manager.queuedBytes(), qint64(107));
        manager.close(two->id, QStringLiteral("client_deleted"));
        QCOMPARE(manager.queuedBytes(), qint64(100));
    }

    void historyKeepsEndedSessionsWithTheirReason()
    {
        // Every way a session ends, as the transports and the sweep report it, lands in the history
        // with the session as it was (counters, client, subject), its duration and a classified reason.
        SessionManager manager(limits(500, 60000, 150));
        QSignalSpy ended(&manager, &SessionManager::sessionEnded);
        const SessionPtr a = manager.open(TransportKind::HttpSse, alice(), QStringLiteral("192.0.2.1:1"), {}, {});
        auto *stream = new FakeStream(&manager);
        stream->queued = 77;
        manager.addStream(a->id, stream, true);
        manager.recordInbound(a->id, QStringLiteral("tools/call"));
        manager.recordOutbound(a->id);
        manager.close(a->id, QStringLiteral("slow_reader"));
        QCOMPARE(ended.count(), 1);
        const EndedSession e = ended.at(0).at(0).value<EndedSession>();
        QCOMPARE(e.info.id, a->id);
        QCOMPARE(e.kind, EndReason::SlowReader);
        QCOMPARE(e.reason, QStringLiteral("slow_reader"));
        QCOMPARE(e.info.messagesIn, 1);
        QCOMPARE(e.info.messagesOut, 1);
        QCOMPARE(e.info.bytesQueued, 77); // as it was when it ended
        QCOMPARE(e.info.subject, QStringLiteral("alice"));
        QVERIFY(e.durationMs() >= 0 && e.ended >= e.info.created);
        // The idle sweep and an expired token.
        Principal expiring = alice();
        expiring.expiresAt = QDateTime::currentSecsSinceEpoch() - 1;
        const SessionPtr b = manager.open(TransportKind::StreamableHttp, expiring, {}, {}, {});
        const SessionPtr c = manager.open(TransportKind::StreamableHttp, Principal{}, {}, {}, {});
        QTRY_COMPARE(manager.sessionCount(), 0);
        QHash<QString, EndReason> kinds;
        for (const EndedSession &h : manager.history())
            kinds.insert(h.info.id, h.kind);
        QCOMPARE(kinds.value(b->id), EndReason::TokenExpired);
        QCOMPARE(kinds.value(c->id), EndReason::IdleTimeout);
        // Every reason string today's code passes maps to its kind.
        const QList<std::pair<const char *, EndReason>> reasons{{"client_disconnected", EndReason::ClientClosed},
                                                                {"deleted_by_client", EndReason::Deleted},
                                                                {"idle_timeout", EndReason::IdleTimeout},
                                                                {"slow_reader", EndReason::SlowReader},
                                                                {"token_expired", EndReason::TokenExpired},
                                                                {"disconnected_by_operator", EndReason::Operator},
                                                                {"transport_disabled", EndReason::TransportDisabled},
                                                                {"transport_drained", EndReason::Drained},
                                                                {"server_shutdown", EndReason::Shutdown},
                                                                {"initialize_failed", EndReason::InitializeFailed},
                                                                {"something new", EndReason::Other}};
        QSet<QString> keys;
        for (const auto &[reason, kind] : reasons) {
            QCOMPARE(SessionHistory::classify(QString::fromLatin1(reason)), kind);
            keys.insert(SessionHistory::reasonKey(kind));
        }
        QCOMPARE(keys.size(), reasons.size()); // distinct keys
    }

    void historyIsBounded()
    {
        SessionManager manager(limits());
        manager.setHistoryCapacity(1000);
        QString first, last;
        for (int i = 0; i < 1005; ++i) {
            const SessionPtr s = manager.open(TransportKind::StreamableHttp, Principal{}, {}, {}, {});
            if (i == 5)
                first = s->id;
            last = s->id;
            manager.close(s->id, QStringLiteral("deleted_by_client"));
        }
        const QList<EndedSession> h = manager.history();
        QCOMPARE(h.size(), 1000);
        QCOMPARE(h.first().info.id, first); // the oldest five dropped off
        QCOMPARE(h.last().info.id, last);
        QCOMPARE(manager.endedTotal(), 1005);
    }

    // Stateless callers keep one row per identity (the port does not count), the least recently
    // seen row makes room at the bound, an evicted or idle caller comes back as a new row with the
    // same id, and the id is the digest of the identity, never the subject itself.
    void statelessCallersKeepOneRowPerIdentity()
    {
        StatelessCallers callers(2);
        const auto caller = [](const QString &subject, const QString &remote) {
            SessionInfo c;
            c.issuer = QStringLiteral("https://issuer.test");
            c.subject = subject;
            c.clientName = QStringLiteral("agent");
            c.remote = remote;
            return c;
        };
        const auto a1 = callers.record(caller("alice", "192.0.2.4:5000"));
        QVERIFY(a1.isNew);
        QCOMPARE(a1.row.id, StatelessCallers::rowId(caller("alice", "192.0.2.4:1")));
        QVERIFY(!a1.row.id.contains(QLatin1String("alice")));
        const auto a2 = callers.record(caller("alice", "192.0.2.4:5001"));
        QVERIFY(!a2.isNew);
        QCOMPARE(a2.row.id, a1.row.id);
        QCOMPARE(a2.row.messagesIn, 2);
        QCOMPARE(a2.row.remote, QStringLiteral("192.0.2.4:5001"));

        QTest::qWait(5); // bob is seen later than alice
        const auto b = callers.record(caller("bob", "192.0.2.5:5000"));
        QVERIFY(b.isNew && b.row.id != a1.row.id);
        QTest::qWait(5);
        const auto c = callers.record(caller("carol", "192.0.2.6:5000"));
        QCOMPARE(c.evicted, a1.row.id); // alice was seen least recently
        QCOMPARE(callers.size(), 2);
        QVERIFY(!callers.contains(a1.row.id));

        const auto back = callers.record(caller("alice", "192.0.2.4:5002"));
        QVERIFY(back.isNew);
        QCOMPARE(back.row.id, a1.row.id);
        QCOMPARE(back.row.messagesIn, 1);
        QCOMPARE(back.evicted, b.row.id);

        QTest::qWait(5);
        const QStringList dropped = callers.dropIdle(QDateTime::currentDateTimeUtc());
        QCOMPARE(dropped.size(), 2);
        QCOMPARE(callers.size(), 0);
        QVERIFY(callers.record(caller("carol", "192.0.2.6:5000")).isNew);
    }
};

QTEST_GUILESS_MAIN(TestSessionManager)
#include "tst_session_manager.moc"
