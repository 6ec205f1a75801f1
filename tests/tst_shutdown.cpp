// Headless shutdown end to end: SIGTERM and SIGINT make the real binary close every open stream
// with a final event (legacy GET /mcp/sse and the Streamable GET /mcp stream), exit 0 with
// "stopped cleanly", and leave what a tool call wrote just before the signal in the SQLite file.
// 2026-07-28 subscriptions/listen streams end gracefully in the headless and the GUI host alike:
// the listen request's final result, then the end of the chunked body, a stalled reader included.
#include "support/HttpClient.h"
#include "support/KoanProcess.h"
#include "support/ListenStream.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <csignal>

using namespace koan::test;

namespace {
QByteArray endReason(const HttpClient &c)
{
    for (const SseEvent &e : c.events())
        if (e.event == "end")
            return QJsonDocument::fromJson(e.data).object().value("reason").toString().toUtf8();
    return {};
}
} // namespace

class TestShutdown : public QObject
{
    Q_OBJECT
private slots:
    void finalEventsAndStoreOnSignal_data()
    {
        QTest::addColumn<int>("sig");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }
    void finalEventsAndStoreOnSignal()
    {
        QFETCH(int, sig);
        KoanProcess koan;
        const QString db = koan.home.filePath("shutdown.sqlite");
        QVERIFY2(koan.start({"--db", db}), koan.stderrText.constData());

        // A legacy stream.
        HttpClient legacy(koan.port);
        legacy.send("GET", "/mcp/sse");
        QVERIFY(legacy.waitEvent("endpoint"));

        // A Streamable session with its standalone GET stream.
        HttpClient post(koan.port), get(koan.port);
        HttpResponse r = post.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams()));
        QCOMPARE(r.status, 200);
        const QByteArray sid = r.header("Mcp-Session-Id");
        post.request("POST", "/mcp", streamableHeaders(sid), rpc(QJsonValue(), "notifications/initialized"));
        get.send("GET", "/mcp",
                 {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "2025-06-18"}});
        QVERIFY(get.waitHead());
        QCOMPARE(get.response().status, 200);

        // A write just before the signal.
        const QString siteId = QStringLiteral("site-before-signal-%1").arg(sig);
        const QJsonObject model{
            {"id", siteId}, {"name", "Written before the signal"}, {"location", "L"}, {"principalInvestigator", "P"}};
        r = post.request(
            "POST", "/mcp", streamableHeaders(sid),
            rpc(2, "tools/call", {{"name", "trial-site.upsert"}, {"arguments", QJsonObject{{"model", model}}}}));
        const QJsonObject up = rpcAnswer(r);
        QVERIFY2(up.contains("result") && !up["result"].toObject()["isError"].toBool(), r.body.constData());

        koan.signal(sig);
        QVERIFY(koan.waitExit());
        QCOMPARE(koan.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(koan.process.exitCode(), 0);
        QVERIFY2(koan.stderrText.contains(QStringLiteral("signal %1 received").arg(sig).toUtf8()),
                 koan.stderrText.constData());
        QVERIFY2(koan.stderrText.contains("stopped cleanly"), koan.stderrText.constData());

        // Both kinds of stream got a final event naming the shutdown, then were closed.
        QVERIFY(legacy.waitClosed());
        QCOMPARE(endReason(legacy), QByteArray("server_shutdown"));
        QVERIFY(get.waitClosed());
        QCOMPARE(endReason(get), QByteArray("server_shutdown"));

        // The store was flushed and closed: the row is in the file.
        {
            QSqlDatabase sql = QSqlDatabase::addDatabase("QSQLITE", "after-exit");
            sql.setDatabaseName(db);
            QVERIFY(sql.open());
            QSqlQuery q(sql);
            QVERIFY(q.prepare("SELECT doc FROM trial_site WHERE id = ?"));
            q.addBindValue(siteId);
            QVERIFY(q.exec());
            QVERIFY2(q.next(), "the row written before the signal is not in the SQLite file");
            QCOMPARE(QJsonDocument::fromJson(q.value(0).toByteArray()).object().value("name").toString(),
                     QStringLiteral("Written before the signal"));
            sql.close();
        }
        QSqlDatabase::removeDatabase("after-exit");
        QVERIFY2(!QFile::exists(db + "-wal") || QFileInfo(db + "-wal").size() == 0, "WAL not checkpointed on shutdown");
    }

    void listenStreamsEndGracefully_data()
    {
        QTest::addColumn<bool>("headless");
        QTest::newRow("headless") << true;
        QTest::newRow("gui") << false; // the console window (offscreen) over the same server host
    }
    void listenStreamsEndGracefully()
    {
        QFETCH(bool, headless);
        KoanProcess koan;
        QVERIFY2(koan.start({"--db", ":memory:"}, {}, headless), koan.stderrText.constData());
        HttpClient first(koan.port), second(koan.port);
        openListen(first, "sub-1");
        openListen(second, 42, {{"resourceSubscriptions", QJsonArray{"s12://trial-site/site-osaka"}}});
        QVERIFY(waitAcknowledged(first));
        QVERIFY(waitAcknowledged(second));
        // A client that stops reading must not hold the shutdown up.
        HttpClient stalled(koan.port);
        openListen(stalled, "stalled");
        QVERIFY(waitAcknowledged(stalled));
        QObject::disconnect(stalled.socket(), &QTcpSocket::readyRead, nullptr, nullptr);
        stalled.socket()->setReadBufferSize(1); // what the kernel holds stays there

        QElapsedTimer took;
        took.start();
        koan.signal(SIGTERM);
        QVERIFY(koan.waitExit());
        QCOMPARE(koan.process.exitCode(), 0);
        QVERIFY2(koan.stderrText.contains("stopped cleanly"), koan.stderrText.constData());
        QVERIFY2(took.elapsed() < 5000, qPrintable(QString::number(took.elapsed())));

        for (auto [client, id] : {std::pair<HttpClient *, QJsonValue>{&first, "sub-1"}, {&second, 42}}) {
            QVERIFY(client->waitClosed());
            const ListenEnd end = listenEnd(*client);
            QVERIFY2(isGracefulEnd(end.finalMessage, id), QJsonDocument(end.finalMessage).toJson().constData());
            QVERIFY(end.resultIsLast);
            QVERIFY2(end.bodyComplete, "the chunked body did not end with its last chunk");
            QCOMPARE(end.reason, QStringLiteral("server_shutdown"));
        }
    }
};

QTEST_GUILESS_MAIN(TestShutdown)
#include "tst_shutdown.moc"
