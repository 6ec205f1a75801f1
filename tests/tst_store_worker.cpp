// Store calls run on the store worker's thread: a paused PostgreSQL server (SIGSTOP: connections
// open, no answer ever) or a locked SQLite file never stalls the event loop. While a tool call
// waits, /healthz answers at once and a legacy SSE stream keeps its heartbeats; the call then
// fails after Store:TimeoutSeconds with store_timeout, /readyz says the store is unresponsive
// (503), and once the database answers again everything works by itself.
#include "McpServer.h"
#include "core/RpcBridge.h"
#include "support/BridgeHarness.h"
#include "support/HttpClient.h"
#include "support/PostgresServer.h"
#include "support/ServerFixture.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

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

// /healthz while the store is blocked: every answer within 200 ms, for `forMs`.
void healthStaysQuick(quint16 port, int forMs, int *answers, qint64 *slowestMs)
{
    QElapsedTimer total;
    total.start();
    *answers = 0;
    *slowestMs = 0;
    while (total.elapsed() < forMs) {
        HttpClient c(port);
        QElapsedTimer t;
        t.start();
        const HttpResponse r = c.request("GET", "/healthz", {}, {}, 1000);
        *slowestMs = qMax(*slowestMs, t.elapsed());
        if (r.status == 200)
            ++*answers;
        QTest::qWait(50);
    }
}

} // namespace

class TstStoreWorker : public QObject
{
    Q_OBJECT
private slots:
    void pausedPostgresNeverStallsTheServer()
    {
        if (!PostgresServer::available())
            QSKIP(qPrintable(PostgresServer::missingReason()));
        QString why;
        PostgresServer *pg = PostgresServer::shared(&why);
        QVERIFY2(pg, qPrintable(why));
        McpServerOptions o;
        o.databaseUrl = pg->freshDatabaseUrl(&why);
        QVERIFY2(!o.databaseUrl.isEmpty(), qPrintable(why));
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
};

QTEST_MAIN(TstStoreWorker)
#include "tst_store_worker.moc"
