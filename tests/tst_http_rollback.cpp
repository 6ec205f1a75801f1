// The EnableHttpSseTransport rollback switch flipped at runtime with streams open.
#include "support/ChildProcess.h"
#include "support/HttpClient.h"
#include "support/ListenStream.h"
#include "support/ServerFixture.h"
#include "admin/AdminController.h"
#include "store/EntityStore.h"
#include "transport/StdioTransport.h"

#include <QProcess>
#include <QSignalSpy>
#include <unistd.h>

using namespace koan;
using namespace koan::test;

namespace {

// The listen rows of /admin/snapshot.
int listenRows(HttpClient &admin)
{
    int rows = 0;
    for (const QJsonValue &s : admin.request("GET", "/admin/snapshot").json()["sessions"].toArray())
        rows += s["kind"].toString() == QLatin1String("listen");
    return rows;
}

void checkGracefulEnd(HttpClient &listen, const QJsonValue &id, const QString &reason)
{
    QVERIFY(listen.waitClosed());
    const ListenEnd end = listenEnd(listen);
    QVERIFY2(isGracefulEnd(end.finalMessage, id), QJsonDocument(end.finalMessage).toJson().constData());
    QVERIFY(end.resultIsLast);
    QVERIFY2(end.bodyComplete, "the chunked body did not end with its last chunk");
    QCOMPARE(end.reason, reason);
}
} // namespace

class TestHttpRollback : public QObject
{
    Q_OBJECT
private slots:
    void switchOffAndOnWithOpenStreams()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        std::vector<std::unique_ptr<HttpClient>> legacy;
        for (int i = 0; i < 3; ++i) {
            legacy.push_back(std::make_unique<HttpClient>(f.port));
            legacy.back()->send("GET", "/mcp/sse");
            QVERIFY(legacy.back()->waitEvent("endpoint"));
        }
        HttpClient streamable(f.port);
        const HttpResponse init
            = streamable.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams()));
        const QByteArray sid = init.header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        QSignalSpy changed(f.server.get(), &McpServer::httpSseEnabledChanged);

        f.server->setHttpSseEnabled(false);
        QCOMPARE(changed.count(), 1);
        for (auto &c : legacy) {
            SseEvent end;
            QVERIFY(c->waitEvent("end", 3000, &end));
            QCOMPARE(QJsonDocument::fromJson(end.data).object()["reason"].toString(),
                     QStringLiteral("transport_disabled"));
            QVERIFY(c->waitClosed());
        }
        QCOMPARE(f.sessions()->sessionCount(), 1); // only the Streamable session remains
        HttpClient probe(f.port);
        HttpResponse r = probe.request("GET", "/mcp/sse");
        QCOMPARE(r.status, 503);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("transport_disabled"));
        QVERIFY(!r.header("Retry-After").isEmpty());
        r = probe.request("POST", "/mcp/rpc?sessionId=x", {{"Content-Type", "application/json"}}, rpc(1, "ping"));
        QCOMPARE(r.status, 503);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("transport_disabled"));
        QCOMPARE(probe.request("GET", "/readyz").json()["transports"].toObject()["httpSse"].toBool(), false);
        // Streamable HTTP keeps working.
        QList<QPair<QByteArray, QByteArray>> h = streamableHeaders(sid);
        const QJsonObject call = rpcAnswer(streamable.request(
            "POST", "/mcp", h,
            rpc(2, "tools/call",
                {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-boston"}}}})));
        QCOMPARE(call["result"].toObject()["structuredContent"].toObject()["item"].toObject()["id"].toString(),
                 QStringLiteral("site-boston"));
        // STDIO keeps working: a STDIO transport on this very server, over pipes, while the switch is off.
        {
            int in[2], out[2];
            QVERIFY(pipe(in) == 0 && pipe(out) == 0);
            FILE *inRead = fdopen(in[0], "r"), *outWrite = fdopen(out[1], "w");
            auto *stdio
                = new StdioTransport(f.server->bridge(), 1 << 20, nullptr, Principal::localOwner(), inRead, outWrite);
            QSignalSpy finished(stdio, &StdioTransport::finished);
            stdio->start();
            const QByteArray lines
                = rpc(1, "initialize", initParams()) + "\n"
                  + rpc(2, "tools/call",
                        {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-boston"}}}})
                  + "\n";
            QCOMPARE(::write(in[1], lines.constData(), size_t(lines.size())), ssize_t(lines.size()));
            ::close(in[1]); // EOF: the transport finishes once both answers are written
            QTRY_COMPARE(finished.count(), 1);
            fclose(outWrite);
            QFile answers;
            QVERIFY(answers.open(out[0], QIODevice::ReadOnly, QFileDevice::AutoCloseHandle));
            const QByteArray all = answers.readAll();
            QVERIFY2(all.contains("\"id\":2") && all.contains("site-boston") && !all.contains("\"error\""),
                     all.constData());
            delete stdio;
            fclose(inRead);
        }
        // And a separate STDIO process, as agents start it, with the transport off in its settings.
        QProcess stdio;
        QProcessEnvironment env = isolatedEnvironment(f.dir.path());
        stdio.setProcessEnvironment(env);
        stdio.start(KOAN_MCP_BINARY, {"--stdio", "--db", ":memory:", "--set", "EnableHttpSseTransport=false"});
        QVERIFY(stdio.waitForStarted());
        stdio.write(rpc(1, "initialize", initParams()) + "\n" + rpc(2, "ping") + "\n");
        stdio.closeWriteChannel();
        QVERIFY(stdio.waitForFinished(10000));
        QVERIFY(stdio.readAllStandardOutput().contains("{\"id\":2,\"jsonrpc\":\"2.0\",\"result\":{}}"));

        f.server->setHttpSseEnabled(true);
        QCOMPARE(changed.count(), 2);
        HttpClient again(f.port);
        again.send("GET", "/mcp/sse");
        QVERIFY(again.waitEvent("endpoint"));
    }

    void streamableCanFollowTheSwitch()
    {
        McpServerOptions o;
        o.streamableFollowsHttpSseSwitch = true;
        ServerFixture f(o);
        HttpClient c(f.port);
        const QByteArray sid = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams()))
                                   .header("Mcp-Session-Id");
        f.server->setHttpSseEnabled(false);
        QList<QPair<QByteArray, QByteArray>> h = streamableHeaders(sid);
        QCOMPARE(c.request("POST", "/mcp", h, rpc(2, "ping")).status, 503);
        f.server->setHttpSseEnabled(true);
        QCOMPARE(c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams())).status, 200);
    }

    void listenStreamsFollowTheSwitch()
    {
        // StreamableFollowsHttpSseSwitch: a cut ends 2026-07-28 listen streams at once, a drain at
        // its timeout, each with the listen request's final result and the reason; meanwhile new
        // ones get the Streamable HTTP 503.
        McpServerOptions o;
        o.streamableFollowsHttpSseSwitch = true;
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient admin(f.port);
        HttpClient cut(f.port);
        openListen(cut, "cut-me");
        QVERIFY(waitAcknowledged(cut));
        QCOMPARE(listenRows(admin), 1);
        // The listen's end is no served request: it would put its whole life into the latency figures.
        QSignalSpy served(f.sessions(), &SessionManager::requestServed);
        HttpResponse r = admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(),
                                       R"({"enabled":false,"mode":"cut","reason":"incident 7"})");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["streamableHttp"].toBool(true), false);
        QCOMPARE(r.json()["openStreams"].toInt(), 0);
        checkGracefulEnd(cut, "cut-me", QStringLiteral("transport_disabled"));
        QCOMPARE(served.count(), 0);
        QCOMPARE(listenRows(admin), 0);
        HttpClient refused(f.port);
        openListen(refused, "late");
        QVERIFY(refused.waitComplete());
        QCOMPARE(refused.response().status, 503);
        QVERIFY(refused.response().json()["error"].toObject()["message"].toString().contains(
            "Streamable HTTP transport is disabled"));

        QCOMPARE(admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(), R"({"enabled":true})").status, 200);
        HttpClient drained(f.port), session(f.port);
        openListen(drained, 7);
        QVERIFY(waitAcknowledged(drained));
        // A 2025 session drains beside it: its requests keep working until the deadline.
        const QByteArray sid = session.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams()))
                                   .header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        QList<QPair<QByteArray, QByteArray>> inSession = streamableHeaders(sid);
        r = admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(),
                          R"({"enabled":false,"mode":"drain","drainSeconds":1,"reason":"CHG-9"})");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["httpSseDraining"].toBool(), true);
        QCOMPARE(r.json()["openStreams"].toInt(), 1);
        QVERIFY(QDateTime::fromString(r.json()["drainDeadline"].toString(), Qt::ISODateWithMs).isValid());
        QCOMPARE(listenRows(admin), 1);
        openListen(refused, "during-drain");
        QVERIFY(refused.waitComplete());
        QCOMPARE(refused.response().status, 503);
        QVERIFY(refused.response().json()["error"].toObject()["message"].toString().contains("draining"));
        QCOMPARE(rpcAnswer(session.request("POST", "/mcp", inSession, rpc(2, "ping")))["id"].toInt(), 2);
        QTest::qWait(300);
        QVERIFY(!drained.closed());
        checkGracefulEnd(drained, 7, QStringLiteral("transport_drained"));
        r = admin.request("GET", "/admin/transports");
        QCOMPARE(r.json()["openStreams"].toInt(), 0);
        QCOMPARE(r.json()["httpSseDraining"].toBool(), false);
        QCOMPARE(listenRows(admin), 0);
        QCOMPARE(session.request("POST", "/mcp", inSession, rpc(3, "ping")).status, 503); // the session ended too
        QCOMPARE(f.sessions()->sessionCount(), 0);
    }

    void adminEndpointFlipsTheSwitch()
    {
        ServerFixture f;
        HttpClient c(f.port);
        HttpResponse r = c.request("PUT", "/admin/transports/http-sse", {{"Content-Type", "application/json"}},
                                   R"({"enabled":false})");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["httpSse"].toBool(), false);
        QVERIFY(!f.server->isHttpSseEnabled());
        QCOMPARE(c.request("PUT", "/admin/transports/http-sse", {{"Content-Type", "application/json"}},
                           R"({"enabled":"no"})")
                     .status,
                 400);
        QCOMPARE(c.request("GET", "/admin/transports").json()["httpSse"].toBool(), false);
        QCOMPARE(c.request("PUT", "/admin/transports/http-sse", {{"Content-Type", "application/json"}},
                           R"({"enabled":true})")
                     .json()["httpSse"]
                     .toBool(),
                 true);
    }

    void adminEndpointDrainsWithIntent()
    {
        // PUT {"enabled": false, "mode": "drain", ...}: new legacy streams get 503 at once, the open
        // ones keep working until the timeout, then end with "transport_drained"; the reason and
        // the caller are in the audit trail.
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient open1(f.port), open2(f.port);
        SseEvent endpoint;
        open1.send("GET", "/mcp/sse");
        QVERIFY(open1.waitEvent("endpoint", 5000, &endpoint));
        open2.send("GET", "/mcp/sse");
        QVERIFY(open2.waitEvent("endpoint"));
        HttpClient admin(f.port);
        HttpResponse r = admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(),
                                       R"({"enabled":false,"mode":"drain","reason":"ticket 4711: legacy off",)"
                                       R"("drainSeconds":2})");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["httpSse"].toBool(), false);
        QCOMPARE(r.json()["httpSseDraining"].toBool(), true);
        QCOMPARE(r.json()["httpSseStreams"].toInt(), 2);
        QVERIFY(QDateTime::fromString(r.json()["drainDeadline"].toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(!f.server->isHttpSseEnabled());
        // New streams are refused.
        HttpClient late(f.port);
        r = late.request("GET", "/mcp/sse");
        QCOMPARE(r.status, 503);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("transport_disabled"));
        QVERIFY(r.json()["message"].toString().contains("draining"));
        // The open ones still work: a call on the first stream is answered on it.
        HttpClient post(f.port);
        QCOMPARE(post.request("POST", endpoint.data, jsonHeaders(), rpc(7, "ping")).status, 202);
        SseEvent answer;
        QVERIFY(open1.waitEvent("message", 3000, &answer));
        QCOMPARE(QJsonDocument::fromJson(answer.data).object()["id"].toInt(), 7);
        QVERIFY(!open1.closed());
        // A session that is not one of the draining streams is refused.
        QCOMPARE(post.request("POST", "/mcp/rpc?sessionId=nope", jsonHeaders(), rpc(8, "ping")).status, 503);
        // The client that finishes early is not cut; the rest are at the deadline.
        open2.socket()->abort();
        QTRY_COMPARE(f.sessions()->sessionCount(), 1);
        QVERIFY(f.server->admin()->transportState().httpSseDraining); // one left: still draining
        SseEvent end;
        QVERIFY(open1.waitEvent("end", 5000, &end));
        QCOMPARE(QJsonDocument::fromJson(end.data).object()["reason"].toString(), QStringLiteral("transport_drained"));
        QVERIFY(open1.waitClosed());
        r = admin.request("GET", "/admin/transports");
        QCOMPARE(r.json()["httpSseDraining"].toBool(), false);
        QCOMPARE(r.json()["httpSse"].toBool(), false);
        QCOMPARE(r.json()["httpSseStreams"].toInt(), 0);
        // The history tells how each ended.
        QStringList reasons;
        for (const EndedSession &e : f.sessions()->history())
            reasons << e.reason;
        QCOMPARE(reasons, (QStringList{"client_disconnected", "transport_drained"}));
        QCOMPARE(f.sessions()->history().last().kind, EndReason::Drained);
        QVERIFY(f.sessions()->history().last().info.messagesIn >= 1);
        // Audit: the intent and the caller.
        QString error;
        QList<AuditRow> settings;
        for (const AuditRow &row : f.server->store()->audit().since("2000-01-01T00:00:00.000000Z", &error))
            if (row.recordId == "EnableHttpSseTransport")
                settings << row;
        QCOMPARE(settings.size(), 1);
        const QJsonObject after = settings[0].change.toArray().at(1)["value"].toObject();
        QCOMPARE(after["enabled"].toBool(true), false);
        QCOMPARE(after["mode"].toString(), QStringLiteral("drain"));
        QCOMPARE(after["reason"].toString(), QStringLiteral("ticket 4711: legacy off"));
        QCOMPARE(after["drainSeconds"].toInt(), 2);
        QCOMPARE(settings[0].change.toArray().at(0)["value"]["enabled"].toBool(), true);
        QVERIFY(settings[0].context.principal.startsWith("operator:loopback"));
        QCOMPARE(settings[0].context.transport, QStringLiteral("AdminHttp"));
        // On again: streams open as before.
        QCOMPARE(
            admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(), R"({"enabled":true,"reason":"done"})")
                .json()["httpSse"]
                .toBool(),
            true);
        HttpClient again(f.port);
        again.send("GET", "/mcp/sse");
        QVERIFY(again.waitEvent("endpoint"));
    }

    void adminEndpointCutsWithIntentAndDuringADrain()
    {
        ServerFixture f;
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse");
        QVERIFY(stream.waitEvent("endpoint"));
        HttpClient admin(f.port);
        // A drain of an hour, cut short.
        HttpResponse r = admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(),
                                       R"({"enabled":false,"mode":"drain","drainSeconds":3600,"reason":"slow"})");
        QCOMPARE(r.json()["httpSseDraining"].toBool(), true);
        QTest::qWait(200);
        QVERIFY(!stream.closed());
        r = admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(),
                          R"({"enabled":false,"mode":"cut","reason":"incident 12: cut now"})");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["httpSseDraining"].toBool(), false);
        SseEvent end;
        QVERIFY(stream.waitEvent("end", 3000, &end));
        QCOMPARE(QJsonDocument::fromJson(end.data).object()["reason"].toString(), QStringLiteral("transport_disabled"));
        QString error;
        QList<AuditRow> settings;
        for (const AuditRow &row : f.server->store()->audit().since("2000-01-01T00:00:00.000000Z", &error))
            if (row.recordId == "EnableHttpSseTransport")
                settings << row;
        QCOMPARE(settings.size(), 2);
        QCOMPARE(settings[1].change.toArray().at(0)["value"]["mode"].toString(), QStringLiteral("drain"));
        QCOMPARE(settings[1].change.toArray().at(1)["value"]["mode"].toString(), QStringLiteral("cut"));
        QCOMPARE(settings[1].change.toArray().at(1)["value"]["reason"].toString(),
                 QStringLiteral("incident 12: cut now"));
        // Bad intents are refused with 400 and change nothing.
        QCOMPARE(admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(), R"({"enabled":true})").status, 200);
        for (const QByteArray body :
             {QByteArray(R"({"enabled":false,"mode":"gently"})"), QByteArray(R"({"enabled":false,"drainSeconds":0})"),
              QByteArray(R"({"enabled":false,"mode":"drain","drainSeconds":3601})"),
              QByteArray(R"({"enabled":false,"drainSeconds":1.5})"), QByteArray(R"({"enabled":false,"reason":42})"),
              QByteArray(R"({"mode":"cut"})")}) {
            r = admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(), body);
            QVERIFY2(r.status == 400, body.constData());
            QCOMPARE(r.json()["error"].toString(), QStringLiteral("invalid_body"));
        }
        QVERIFY(f.server->isHttpSseEnabled());
        // A drain with no stream open is over at once.
        r = admin.request("PUT", "/admin/transports/http-sse", jsonHeaders(), R"({"enabled":false,"mode":"drain"})");
        QCOMPARE(r.json()["httpSse"].toBool(), false);
        QCOMPARE(r.json()["httpSseDraining"].toBool(), false);
    }
};

QTEST_GUILESS_MAIN(TestHttpRollback)
#include "tst_http_rollback.moc"
