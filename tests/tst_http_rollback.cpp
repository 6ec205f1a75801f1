// The EnableHttpSseTransport rollback switch flipped at runtime with streams open.
#include "support/ChildProcess.h"
#include "support/HttpClient.h"
#include "support/ServerFixture.h"
#include "transport/StdioTransport.h"

#include <QProcess>
#include <QSignalSpy>
#include <unistd.h>

using namespace koan;
using namespace koan::test;

namespace {
const QList<QPair<QByteArray, QByteArray>> kStreamable{{"Content-Type", "application/json"},
                                                       {"Accept", "application/json, text/event-stream"}};
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
        const HttpResponse init = streamable.request("POST", "/mcp", kStreamable, rpc(1, "initialize", initParams()));
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
        QList<QPair<QByteArray, QByteArray>> h = kStreamable;
        h.append({"Mcp-Session-Id", sid});
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
        const QByteArray sid
            = c.request("POST", "/mcp", kStreamable, rpc(1, "initialize", initParams())).header("Mcp-Session-Id");
        f.server->setHttpSseEnabled(false);
        QList<QPair<QByteArray, QByteArray>> h = kStreamable;
        h.append({"Mcp-Session-Id", sid});
        QCOMPARE(c.request("POST", "/mcp", h, rpc(2, "ping")).status, 503);
        f.server->setHttpSseEnabled(true);
        QCOMPARE(c.request("POST", "/mcp", kStreamable, rpc(1, "initialize", initParams())).status, 200);
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
};

QTEST_GUILESS_MAIN(TestHttpRollback)
#include "tst_http_rollback.moc"
