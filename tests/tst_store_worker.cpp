// Store calls run on the store worker's thread: a paused PostgreSQL server (SIGSTOP: connections
// open, no answer ever) or a locked SQLite file never stalls the event loop. While a tool call
// waits, /healthz answers at once and a legacy SSE stream keeps its heartbeats; the call then
// fails after Store:TimeoutSeconds with store_timeout, /readyz says the store is unresponsive
// (503), and once the database answers again everything works by itself. The worker is a pool
// of connections (Store:Connections): slow calls run side by side, calls of one ordering key one
// at a time in order, and each keeps the single worker's guarantees (timeout at once, late answer
// dropped, a call not started skipped, nothing after its context is gone, commits before answers).
// The same for prompts/get and completion/complete, and for the admin API: the console's record
// browser (its tool calls) and the rollback switch, which takes effect at once and is written when
// the database answers.
#include "McpServer.h"
#include "core/RpcBridge.h"
#include "store/EntityStore.h"
#include "support/BridgeHarness.h"
#include "support/HealthProbe.h"
#include "support/HttpClient.h"
#include "support/PostgresServer.h"
#include "support/ResumeWatchdog.h"
#include "support/ServerFixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace koan;
using namespace koan::test;

namespace {

// A tools/call or resources/read through the bridge that the test does not wait for.
struct PendingCall {
    std::shared_ptr<Exchange> ex = std::make_shared<Exchange>();
    QElapsedTimer since;
};

PendingCall start(RpcBridge *bridge, const SessionPtr &s, const QByteArray &body)
{
    PendingCall call;
    call.since.start();
    auto ex = call.ex;
    bridge->handle(
        body, s, [ex](const QJsonObject &m) { ex->related.append(m); },
        [ex](const QJsonValue &reply) {
            ex->reply = reply;
            ex->done = true;
        });
    return call;
}

QByteArray getSite(int id)
{
    return request(id, "tools/call",
                   {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-boston"}}}});
}

QByteArray upsertSite(int id, const QString &siteId)
{
    return request(id, "tools/call",
                   {{"name", "trial-site.upsert"},
                    {"arguments", QJsonObject{{"model", QJsonObject{{"id", siteId},
                                                                    {"name", "Worker site"},
                                                                    {"location", "Basel"},
                                                                    {"principalInvestigator", "Dr. A"}}}}}});
}

QString textOf(const Exchange &ex)
{
    return ex.reply.toObject()["result"].toObject()["content"].toArray().first().toObject()["text"].toString();
}

// A call that holds its connection for `ms` in the database (PostgreSQL) or on its thread (SQLite).
bool holdConnection(EntityStore &store, int ms)
{
    if (store.backend() == EntityStore::Backend::Postgres)
        return QSqlQuery(store.connection()).exec(QStringLiteral("SELECT pg_sleep(%1)").arg(ms / 1000.0));
    QThread::msleep(ms);
    return true;
}

// A pool of its own on a SQLite file (migrated by its first connection).
std::unique_ptr<StoreWorker> sqlitePool(const QString &path, int connections, int timeoutMs = 5000)
{
    auto worker = std::make_unique<StoreWorker>(timeoutMs, connections);
    QString error;
    if (!worker->start([path](EntityStore &store, QString *e) { return store.open(path, e); }, &error))
        return nullptr;
    return worker;
}

// When each call ran, on the worker threads.
struct Timeline {
    std::mutex mutex;
    QElapsedTimer clock;
    QList<QPair<qint64, qint64>> spans; // by call index: start, end (ms)
    std::atomic_int inFlight{0};
    std::atomic_int mostInFlight{0};
    explicit Timeline(int calls) : spans(calls, {-1, -1}) { clock.start(); }
    void run(int index, int ms)
    {
        const qint64 start = clock.elapsed();
        const int now = ++inFlight;
        for (int seen = mostInFlight.load(); now > seen && !mostInFlight.compare_exchange_weak(seen, now);) { }
        QThread::msleep(ms);
        --inFlight;
        const std::lock_guard<std::mutex> lock(mutex);
        spans[index] = {start, clock.elapsed()};
    }
};

// A server on a fresh PostgreSQL database with Store:TimeoutSeconds=2.
McpServerOptions onPostgres(PostgresServer *pg)
{
    McpServerOptions o;
    QString why;
    o.databaseUrl = pg->freshDatabaseUrl(&why);
    o.store.timeoutSeconds = 2;
    return o;
}

QList<AuditRow> switchRows(McpServer &server)
{
    QString error;
    QList<AuditRow> out;
    for (const AuditRow &r : server.store()->audit().since("2000-01-01T00:00:00.000000Z", &error))
        if (r.entity == QLatin1String(EntityStore::kSettingsEntity) && r.recordId == "EnableHttpSseTransport")
            out << r;
    return out;
}

} // namespace

class TstStoreWorker : public QObject
{
    Q_OBJECT
private slots:
    void pausedPostgresNeverStallsTheServer()
    {
        KOAN_FRESH_POSTGRES_ON(pg, url);
        McpServerOptions o;
        o.databaseUrl = url;
        o.store.timeoutSeconds = 2;
        o.sseKeepAliveIntervalMs = 200;
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        auto s = std::make_shared<McpSession>("paused", TransportKind::Stdio, Principal::localOwner());
        send(f.server->bridge(), s, initializeRequest());
        send(f.server->bridge(), s, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
        QVERIFY(!at(send(f.server->bridge(), s, getSite(1)).reply, "result.isError").toBool());
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse");
        QVERIFY(stream.waitEvent("endpoint"));

        QVERIFY(pg->pause());
        const auto resumeAtExit = qScopeGuard([pg] { pg->resume(); });
        PendingCall call = start(f.server->bridge(), s, getSite(2));
        PendingCall read
            = start(f.server->bridge(), s, request(3, "resources/read", {{"uri", "s12://trial-site/site-boston"}}));
        const int heartbeatsBefore = stream.comments().count("keepalive");
        int answers = 0;
        qint64 slowest = 0;
        healthStaysQuick(f.port, 1500, &answers, &slowest);
        QVERIFY2(!call.ex->done, "the call cannot have an answer: the database is paused");
        QVERIFY2(answers >= 10 && slowest < 200,
                 qPrintable(QStringLiteral("%1 /healthz answers, slowest %2 ms").arg(answers).arg(slowest)));
        QVERIFY2(stream.comments().count("keepalive") >= heartbeatsBefore + 4,
                 qPrintable(QString::number(stream.comments().count("keepalive") - heartbeatsBefore)));

        // The timeout's clear error, not a hang: about Store:TimeoutSeconds after the call.
        QVERIFY(QTest::qWaitFor([&] { return call.ex->done && read.ex->done; }, 4000));
        QVERIFY2(call.since.elapsed() >= 1900 && call.since.elapsed() < 4000,
                 qPrintable(QString::number(call.since.elapsed())));
        const QJsonObject result = call.ex->reply.toObject()["result"].toObject();
        QCOMPARE(result["isError"].toBool(), true);
        const QJsonObject error = QJsonDocument::fromJson(textOf(*call.ex).toUtf8()).object();
        QCOMPARE(error["error"].toString(), QStringLiteral("store_timeout"));
        QCOMPARE(at(error, "details.reason").toString(), QStringLiteral("store_timeout"));
        QVERIFY2(error["message"].toString().contains("did not answer within 2 s"), qPrintable(textOf(*call.ex)));
        QVERIFY(!textOf(*call.ex).contains(PostgresServer::kPassword));
        const QJsonObject readError = read.ex->reply.toObject()["error"].toObject();
        QCOMPARE(readError["code"].toInt(), -32603);
        QCOMPARE(at(readError, "data.reason").toString(), QStringLiteral("store_timeout"));

        // /readyz: answered (within its own 2 s), 503, the backend and why.
        HttpClient probe(f.port);
        QElapsedTimer t;
        t.start();
        const HttpResponse notReady = probe.request("GET", "/readyz", {}, {}, 5000);
        QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(notReady.status, 503);
        QCOMPARE(at(notReady.json(), "store.backend").toString(), QStringLiteral("postgres"));
        QCOMPARE(at(notReady.json(), "store.state").toString(), QStringLiteral("unresponsive"));
        QCOMPARE(at(notReady.json(), "checks.store").toBool(true), false);

        // SIGCONT: the late answers are dropped, and the next calls work.
        QVERIFY(pg->resume());
        t.restart();
        int status = 0;
        while (t.elapsed() < 10000 && (status = HttpClient(f.port).request("GET", "/readyz").status) != 200)
            QTest::qWait(100);
        QCOMPARE(status, 200);
        const Exchange again = send(f.server->bridge(), s, getSite(4), 5000);
        QVERIFY(again.done);
        QVERIFY2(!at(again.reply, "result.isError").toBool(), qPrintable(textOf(again)));
        const Exchange written = send(f.server->bridge(), s, upsertSite(5, "site-after-pause"), 5000);
        QVERIFY2(written.done && !at(written.reply, "result.isError").toBool(), qPrintable(textOf(written)));
        QVERIFY(!stream.closed());
    }

    void lockedSqliteNeverStallsTheServer()
    {
        McpServerOptions o;
        o.store.timeoutSeconds = 1;
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        auto s = std::make_shared<McpSession>("locked", TransportKind::Stdio, Principal::localOwner());
        send(f.server->bridge(), s, initializeRequest());
        send(f.server->bridge(), s, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
        {
            // Another process's writer holds the write lock (as `sqlite3 file 'BEGIN IMMEDIATE'` would).
            QSqlDatabase other = QSqlDatabase::addDatabase("QSQLITE", "other-writer");
            other.setDatabaseName(f.server->store()->path());
            other.setConnectOptions("QSQLITE_BUSY_TIMEOUT=0");
            QVERIFY(other.open());
            QSqlQuery lock(other);
            QVERIFY2(lock.exec("BEGIN IMMEDIATE"), qPrintable(lock.lastError().text()));
            PendingCall write = start(f.server->bridge(), s, upsertSite(1, "site-locked"));
            int answers = 0;
            qint64 slowest = 0;
            healthStaysQuick(f.port, 800, &answers, &slowest);
            QVERIFY2(answers >= 5 && slowest < 200,
                     qPrintable(QStringLiteral("%1 /healthz answers, slowest %2 ms").arg(answers).arg(slowest)));
            QVERIFY(QTest::qWaitFor([&] { return write.ex->done; }, 3000));
            QVERIFY2(write.since.elapsed() < 2500, qPrintable(QString::number(write.since.elapsed())));
            const QJsonObject error = QJsonDocument::fromJson(textOf(*write.ex).toUtf8()).object();
            QCOMPARE(error["error"].toString(), QStringLiteral("store_timeout"));
            // Reads are not blocked by a writer (WAL); they wait behind the worker's blocked write.
            QVERIFY(lock.exec("ROLLBACK"));
            lock = QSqlQuery();
            other.close();
        }
        QSqlDatabase::removeDatabase("other-writer");
        const Exchange written = send(f.server->bridge(), s, upsertSite(2, "site-unlocked"), 8000);
        QVERIFY(written.done);
        QVERIFY2(!at(written.reply, "result.isError").toBool(), qPrintable(textOf(written)));
        const Exchange read
            = send(f.server->bridge(), s,
                   request(3, "tools/call",
                           {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-unlocked"}}}}));
        QVERIFY2(!at(read.reply, "result.isError").toBool(), qPrintable(textOf(read)));
    }

    // Store:Connections=4 on PostgreSQL: four calls that each take 1 s in the database finish
    // together, in about 1 s (one connection: 4 s, as the control with one shows for two calls).
    void slowCallsRunSideBySideOnPostgres()
    {
        KOAN_FRESH_POSTGRES(url);
        McpServerOptions o;
        o.databaseUrl = url;
        o.store.connections = 4;
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        StoreWorker *worker = f.server->storeWorker();
        QVERIFY(worker);
        QCOMPARE(worker->connections(), 4);
        const auto sleepAll = [](StoreWorker *w, int calls, int ms) {
            QElapsedTimer t;
            t.start();
            auto answered = std::make_shared<int>(0);
            QObject context;
            for (int i = 0; i < calls; ++i)
                w->run<bool>(
                    &context, [ms](EntityStore &store) { return holdConnection(store, ms); },
                    [answered](bool slept) { *answered += slept ? 1 : 0; }, [](StoreWorker::Failure) {});
            return QTest::qWaitFor([&] { return *answered == calls; }, 4 * calls * ms) ? t.elapsed() : -1;
        };
        const qint64 four = sleepAll(worker, 4, 1000);
        QVERIFY2(four >= 950 && four < 2000, qPrintable(QString::number(four)));

        QString why;
        StoreWorker single(10000, 1);
        QVERIFY2(
            single.start([url = o.databaseUrl](EntityStore &store, QString *e) { return store.openUrl(url, e); }, &why),
            qPrintable(why));
        const qint64 two = sleepAll(&single, 2, 1000);
        QVERIFY2(two >= 1900, qPrintable(QString::number(two)));
    }

    // /readyz is "unresponsive" only when no connection answers: three of four busy still answer.
    void readinessNeedsOneFreeConnection()
    {
        KOAN_FRESH_POSTGRES(url);
        McpServerOptions o;
        o.databaseUrl = url;
        o.store.connections = 4;
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        QObject context;
        auto answered = std::make_shared<int>(0);
        const auto hold = [&] {
            f.server->storeWorker()->run<bool>(
                &context, [](EntityStore &store) { return holdConnection(store, 4000); },
                [answered](bool) { ++*answered; }, [](StoreWorker::Failure) {});
        };
        for (int i = 0; i < 3; ++i)
            hold();
        QTest::qWait(300);
        QElapsedTimer t;
        t.start();
        HttpResponse ready = HttpClient(f.port).request("GET", "/readyz", {}, {}, 5000);
        QCOMPARE(ready.status, 200);
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
        hold(); // now every connection sleeps
        QTest::qWait(200);
        t.restart();
        const HttpResponse notReady = HttpClient(f.port).request("GET", "/readyz", {}, {}, 5000);
        QCOMPARE(notReady.status, 503);
        QCOMPARE(at(notReady.json(), "store.state").toString(), QStringLiteral("unresponsive"));
        QVERIFY2(t.elapsed() >= 1900 && t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
        QVERIFY(QTest::qWaitFor([&] { return *answered == 4; }, 6000));
        QCOMPARE(HttpClient(f.port).request("GET", "/readyz").status, 200);
    }

    // Calls of one key run one at a time in the order submitted, and answer in that order; calls
    // without a key run side by side.
    void orderingKeysSerialiseTheirCalls()
    {
        QTemporaryDir dir;
        const auto worker = sqlitePool(dir.filePath("order.sqlite"), 4);
        QVERIFY(worker);
        QCOMPARE(worker->connections(), 4);
        QObject context;
        constexpr int kKeyed = 8;
        Timeline keyed(kKeyed);
        QList<int> answers;
        for (int i = 0; i < kKeyed; ++i)
            worker->run<int>(
                StoreWorker::Queueing{QStringLiteral("chunks")}, &context,
                [&keyed, i](EntityStore &) {
                    keyed.run(i, 30);
                    return i;
                },
                [&answers](int i) { answers << i; }, [](StoreWorker::Failure) {});
        QVERIFY(QTest::qWaitFor([&] { return answers.size() == kKeyed; }, 5000));
        QCOMPARE(answers, (QList<int>{0, 1, 2, 3, 4, 5, 6, 7}));
        QCOMPARE(keyed.mostInFlight.load(), 1);
        for (int i = 1; i < kKeyed; ++i)
            QVERIFY2(keyed.spans[i].first >= keyed.spans[i - 1].second,
                     qPrintable(QStringLiteral("call %1 started at %2 ms, before %3 ended at %4 ms")
                                    .arg(i)
                                    .arg(keyed.spans[i].first)
                                    .arg(i - 1)
                                    .arg(keyed.spans[i - 1].second)));

        Timeline free(4);
        int done = 0;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 4; ++i)
            worker->run<int>(
                &context,
                [&free, i](EntityStore &) {
                    free.run(i, 300);
                    return i;
                },
                [&done](int) { ++done; }, [](StoreWorker::Failure) {});
        QVERIFY(QTest::qWaitFor([&] { return done == 4; }, 5000));
        QVERIFY2(free.mostInFlight.load() >= 2, qPrintable(QString::number(free.mostInFlight.load())));
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    }

    // The single worker's guarantees, with every connection busy: a call that cannot start in time
    // gets Failure::Timeout at once and never runs; a running one's late answer is dropped;
    // nothing reaches a caller whose context is gone.
    void poolKeepsTheWorkersGuarantees()
    {
        QTemporaryDir dir;
        const auto worker = sqlitePool(dir.filePath("guarantees.sqlite"), 2);
        QVERIFY(worker);
        QObject context;
        std::atomic_bool skippedRan{false};
        std::atomic_int slowRan{0};
        int slowAnswers = 0;
        QList<StoreWorker::Failure> failures;
        // Both connections busy for 600 ms; the first call gives up after 200 ms.
        const auto slow = [&slowRan](EntityStore &) {
            QThread::msleep(600);
            return ++slowRan;
        };
        worker->run<int>(
            &context, slow, [&slowAnswers](int) { ++slowAnswers; },
            [&failures](StoreWorker::Failure f) { failures << f; }, 200);
        worker->run<int>(
            &context, slow, [&slowAnswers](int) { ++slowAnswers; },
            [&failures](StoreWorker::Failure f) { failures << f; });
        QTest::qWait(50);
        QElapsedTimer t;
        t.start();
        qint64 skippedFailedAt = -1;
        worker->run<bool>(
            &context, [&skippedRan](EntityStore &) { return skippedRan = true; }, [](bool) {},
            [&](StoreWorker::Failure f) {
                failures << f;
                skippedFailedAt = t.elapsed();
            },
            100);
        auto gone = std::make_unique<QObject>();
        bool goneCalled = false;
        worker->run<bool>(
            gone.get(), [](EntityStore &) { return true; }, [&goneCalled](bool) { goneCalled = true; },
            [&goneCalled](StoreWorker::Failure) { goneCalled = true; });
        gone.reset();
        QVERIFY(QTest::qWaitFor([&] { return skippedFailedAt >= 0; }, 2000));
        QVERIFY2(skippedFailedAt >= 90 && skippedFailedAt < 300, qPrintable(QString::number(skippedFailedAt)));
        QVERIFY(QTest::qWaitFor([&] { return slowAnswers == 1 && slowRan == 2; }, 3000));
        QTest::qWait(200); // what could still arrive late
        QCOMPARE(failures, (QList<StoreWorker::Failure>{StoreWorker::Failure::Timeout, StoreWorker::Failure::Timeout}));
        QCOMPARE(slowAnswers, 1); // the timed-out call's late answer was dropped
        QVERIFY2(!skippedRan, "a call whose time ran out before it started must not run");
        QVERIFY(!goneCalled);
        QCOMPARE(worker->pending(), 0);
    }

    // Writes of many sessions at once on the pool: each commit is on the change bus, on this
    // thread, before its call's answer; one session's writes run in the order it sent them.
    void commitsReachTheBusBeforeTheirAnswers()
    {
        ServerFixture f; // a SQLite file: the pool of two
        QVERIFY2(f.ok, qPrintable(f.problems));
        QCOMPARE(f.server->storeWorker()->connections(), 2);
        QSet<QString> published;
        f.server->changes()->listen([&published](const Change &c) {
            for (const QString &id : c.ids)
                published.insert(id);
        });
        constexpr int kSessions = 12;
        QList<SessionPtr> sessions;
        for (int i = 0; i < kSessions; ++i) {
            auto s = std::make_shared<McpSession>(QStringLiteral("bus-%1").arg(i), TransportKind::Stdio,
                                                  Principal::localOwner());
            send(f.server->bridge(), s, initializeRequest());
            send(f.server->bridge(), s, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
            sessions << s;
        }
        int answered = 0;
        QStringList answeredBeforeTheirChange;
        for (int i = 0; i < kSessions; ++i) {
            const QString site = QStringLiteral("site-bus-%1").arg(i);
            f.server->bridge()->handle(
                upsertSite(10 + i, site), sessions[i], [](const QJsonObject &) {},
                [&, site](const QJsonValue &reply) {
                    ++answered;
                    if (at(reply, "result.isError").toBool() || !published.contains(site))
                        answeredBeforeTheirChange << site;
                });
        }
        QVERIFY(QTest::qWaitFor([&] { return answered == kSessions; }, 10000));
        QVERIFY2(answeredBeforeTheirChange.isEmpty(), qPrintable(answeredBeforeTheirChange.join(", ")));

        // One session sends ten versions of one record without waiting, each naming the version
        // before it: applied in that order (out of order, one would meet a version conflict).
        QList<qint64> versions;
        for (int i = 0; i < 10; ++i) {
            QJsonObject arguments{{"model", QJsonObject{{"id", "site-ordered"},
                                                        {"name", QStringLiteral("Edit %1").arg(i)},
                                                        {"location", "Basel"},
                                                        {"principalInvestigator", "Dr. A"}}}};
            if (i > 0)
                arguments.insert("expectedVersion", i);
            const QByteArray body
                = request(100 + i, "tools/call", {{"name", "trial-site.upsert"}, {"arguments", arguments}});
            f.server->bridge()->handle(
                body, sessions[0], [](const QJsonObject &) {},
                [&versions](const QJsonValue &reply) {
                    versions << qint64(at(reply, "result.structuredContent.item.version").toDouble());
                });
        }
        QVERIFY(QTest::qWaitFor([&] { return versions.size() == 10; }, 10000));
        QCOMPARE(versions, (QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
        const Exchange last
            = send(f.server->bridge(), sessions[1],
                   request(200, "tools/call",
                           {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-ordered"}}}}));
        QCOMPARE(at(last.reply, "result.structuredContent.item.name").toString(), QStringLiteral("Edit 9"));
    }

    void promptsAndCompletionNeverStallTheServer()
    {
        if (!PostgresServer::available())
            QSKIP(qPrintable(PostgresServer::missingReason()));
        QString why;
        PostgresServer *pg = PostgresServer::shared(&why);
        QVERIFY2(pg, qPrintable(why));
        ServerFixture f(onPostgres(pg));
        QVERIFY2(f.ok, qPrintable(f.problems));
        auto s = std::make_shared<McpSession>("prompts", TransportKind::Stdio, Principal::localOwner());
        send(f.server->bridge(), s, initializeRequest());
        send(f.server->bridge(), s, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
        const QByteArray summary
            = request(1, "prompts/get",
                      {{"name", "site-monitoring-summary"}, {"arguments", QJsonObject{{"siteId", "site-boston"}}}});
        QVERIFY(at(send(f.server->bridge(), s, summary).reply, "result.messages").toArray().size() > 2);

        QVERIFY(pg->pause());
        const auto resumeAtExit = qScopeGuard([pg] { pg->resume(); });
        const ResumeWatchdog watchdog(pg, 9000);
        PendingCall prompt = start(f.server->bridge(), s, summary);
        PendingCall ids = start(f.server->bridge(), s,
                                request(2, "completion/complete",
                                        {{"ref", QJsonObject{{"type", "ref/prompt"}, {"name", "adverse-event-triage"}}},
                                         {"argument", QJsonObject{{"name", "reportId"}, {"value", "ae"}}}}));
        PendingCall uris
            = start(f.server->bridge(), s,
                    request(3, "completion/complete",
                            {{"ref", QJsonObject{{"type", "ref/resource"}, {"uri", "s12://trial-site/{id}"}}},
                             {"argument", QJsonObject{{"name", "id"}, {"value", "site-"}}}}));
        int answers = 0;
        qint64 slowest = 0;
        healthStaysQuick(f.port, 1500, &answers, &slowest);
        QVERIFY2(!prompt.ex->done && !ids.ex->done && !uris.ex->done, "no answer can come from a paused database");
        QVERIFY2(answers >= 10 && slowest < 200,
                 qPrintable(QStringLiteral("%1 /healthz answers, slowest %2 ms").arg(answers).arg(slowest)));

        // -32603 with data.reason store_timeout, about Store:TimeoutSeconds after each request.
        QVERIFY(QTest::qWaitFor([&] { return prompt.ex->done && ids.ex->done && uris.ex->done; }, 4000));
        for (const PendingCall *call : {&prompt, &ids, &uris}) {
            QVERIFY2(call->since.elapsed() >= 1900 && call->since.elapsed() < 4500,
                     qPrintable(QString::number(call->since.elapsed())));
            const QJsonObject error = call->ex->reply.toObject()["error"].toObject();
            QCOMPARE(error["code"].toInt(), -32603);
            QCOMPARE(at(error, "data.reason").toString(), QStringLiteral("store_timeout"));
            QVERIFY2(error["message"].toString().contains("did not answer within 2 s"),
                     qPrintable(error["message"].toString()));
            QVERIFY(!error["message"].toString().contains(PostgresServer::kPassword));
        }

        // SIGCONT: the same requests are answered again.
        QVERIFY(pg->resume());
        const Exchange again = send(f.server->bridge(), s, summary, 8000);
        QVERIFY(again.done);
        QVERIFY2(at(again.reply, "result.messages").toArray().size() > 2,
                 qPrintable(QJsonDocument(again.reply.toObject()).toJson()));
        const Exchange completed
            = send(f.server->bridge(), s,
                   request(5, "completion/complete",
                           {{"ref", QJsonObject{{"type", "ref/prompt"}, {"name", "adverse-event-triage"}}},
                            {"argument", QJsonObject{{"name", "reportId"}, {"value", "ae-000"}}}}),
                   5000);
        QVERIFY(at(completed.reply, "result.completion.values").toArray().contains(QJsonValue("ae-0001")));
    }

    void adminCommandsNeverStallTheServer()
    {
        if (!PostgresServer::available())
            QSKIP(qPrintable(PostgresServer::missingReason()));
        QString why;
        PostgresServer *pg = PostgresServer::shared(&why);
        QVERIFY2(pg, qPrintable(why));
        ServerFixture f(onPostgres(pg));
        QVERIFY2(f.ok, qPrintable(f.problems));
        QCOMPARE(switchRows(*f.server).size(), 1); // the settings file's seed
        const QByteArray browse = R"({"tool": "trial-site.collection", "arguments": {"page": 1, "pageSize": 50}})";
        QCOMPARE(HttpClient(f.port).request("POST", "/admin/tools/call", jsonHeaders(), browse).status, 200);

        QVERIFY(pg->pause());
        const auto resumeAtExit = qScopeGuard([pg] { pg->resume(); });
        const ResumeWatchdog watchdog(pg, 9000);
        // The console's record browser (its tool calls) and the rollback switch, attached.
        QElapsedTimer since;
        since.start();
        HttpClient records(f.port), flip(f.port);
        records.send("POST", "/admin/tools/call", jsonHeaders(), browse);
        flip.send("PUT", "/admin/transports/http-sse", jsonHeaders(),
                  R"({"enabled": false, "mode": "cut", "reason": "database paused"})");
        QVERIFY(QTest::qWaitFor([&] { return !f.server->isHttpSseEnabled(); }, 1000)); // in force at once
        int answers = 0;
        qint64 slowest = 0;
        healthStaysQuick(f.port, 1500, &answers, &slowest);
        QVERIFY2(answers >= 10 && slowest < 200,
                 qPrintable(QStringLiteral("%1 /healthz answers, slowest %2 ms").arg(answers).arg(slowest)));
        HttpClient refused(f.port);
        QCOMPARE(refused.request("GET", "/mcp/sse", {{"Accept", "text/event-stream"}}, {}, 1000).status, 503);

        // The clear answers, about Store:TimeoutSeconds after the requests.
        QVERIFY(records.waitComplete(4000) && flip.waitComplete(4000));
        QVERIFY2(since.elapsed() >= 1900 && since.elapsed() < 4500, qPrintable(QString::number(since.elapsed())));
        const QJsonObject browsed = records.response().json();
        QCOMPARE(records.response().status, 200);
        QCOMPARE(at(browsed, "response.result.isError").toBool(), true);
        QVERIFY2(at(browsed, "response.result.content").toArray().first()["text"].toString().contains("store_timeout"),
                 qPrintable(records.response().body));
        QCOMPARE(flip.response().status, 503);
        const QJsonObject pending = flip.response().json();
        QCOMPARE(pending["error"].toString(), QStringLiteral("store_timeout"));
        QCOMPARE(pending["appliedOnThisReplica"].toBool(), true);
        QCOMPARE(pending["stored"].toString(), QStringLiteral("pending"));
        QCOMPARE(at(pending, "transports.httpSse").toBool(true), false);
        QVERIFY2(pending["message"].toString().contains("in force on this replica")
                     && pending["message"].toString().contains("written when the database answers"),
                 qPrintable(pending["message"].toString()));
        // The same request again while it is pending: the same answer, nothing queued twice.
        const HttpResponse repeated = HttpClient(f.port).request("PUT", "/admin/transports/http-sse", jsonHeaders(),
                                                                 R"({"enabled": false, "mode": "cut"})", 5000);
        QCOMPARE(repeated.status, 503);
        QCOMPARE(repeated.json()["stored"].toString(), QStringLiteral("pending"));

        // SIGCONT: the flip is written once, and the switch stays off.
        QVERIFY(pg->resume());
        QVERIFY(QTest::qWaitFor([&] { return switchRows(*f.server).size() >= 2; }, 8000));
        QTest::qWait(500);
        const QList<AuditRow> rows = switchRows(*f.server);
        QCOMPARE(rows.size(), 2);
        QVERIFY(rows[1].context.principal.startsWith("operator:loopback"));
        QCOMPARE(rows[1].change.toArray().at(1)["value"]["reason"].toString(), QStringLiteral("database paused"));
        QCOMPARE(f.server->store()->sharedSetting("EnableHttpSseTransport", nullptr)->value["enabled"].toBool(true),
                 false);
        QVERIFY(!f.server->isHttpSseEnabled());
        const HttpResponse settled = HttpClient(f.port).request("PUT", "/admin/transports/http-sse", jsonHeaders(),
                                                                R"({"enabled": false, "mode": "cut"})", 5000);
        QCOMPARE(settled.status, 200);
        QCOMPARE(settled.json()["httpSse"].toBool(true), false);
        QCOMPARE(switchRows(*f.server).size(), 2);
        const HttpResponse browsedAgain
            = HttpClient(f.port).request("POST", "/admin/tools/call", jsonHeaders(), browse, 5000);
        QVERIFY2(!at(browsedAgain.json(), "response.result.isError").toBool()
                     && at(browsedAgain.json(), "response.result.structuredContent.items").toArray().size() > 0,
                 qPrintable(browsedAgain.body.left(300)));
    }
};

QTEST_MAIN(TstStoreWorker)
#include "tst_store_worker.moc"
