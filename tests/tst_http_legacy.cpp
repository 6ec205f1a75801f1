// Legacy HTTP+SSE transport over loopback with raw sockets and a real SSE parser.
#include "support/HttpClient.h"
#include "support/ServerFixture.h"

#include <QJsonArray>
#include <QSignalSpy>

using namespace koan;
using namespace koan::test;

namespace {
QByteArray sessionOf(const HttpClient &stream)
{
    for (const SseEvent &e : stream.events())
        if (e.event == "endpoint")
            return e.data.mid(e.data.indexOf("sessionId=") + 10);
    return {};
}
} // namespace

class TestHttpLegacy : public QObject
{
    Q_OBJECT

    // Opens a stream and initializes the session; returns the session id.
    QByteArray openSession(ServerFixture &f, HttpClient &stream, HttpClient &post)
    {
        stream.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
        if (!stream.waitEvent("endpoint"))
            return {};
        const QByteArray sid = sessionOf(stream);
        post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(),
                     rpc("init", "initialize", initParams("2024-11-05")));
        stream.waitMessage("init");
        post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(),
                     rpc(QJsonValue::Undefined, "notifications/initialized"));
        Q_UNUSED(f);
        return sid;
    }

private slots:
    void streamEstablishment()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
        QVERIFY(stream.waitHead());
        const HttpResponse &r = stream.response();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("text/event-stream"));
        QVERIFY(r.header("Cache-Control").contains("no-cache"));
        QCOMPARE(r.header("X-Accel-Buffering"), QByteArray("no"));
        SseEvent endpoint;
        QVERIFY(stream.waitEvent("endpoint", 5000, &endpoint));
        const QByteArray sid = r.header("X-Mcp-Session");
        QCOMPARE(sid.size(), 32);
        QCOMPARE(endpoint.data, "/mcp/rpc?sessionId=" + sid);
        QCOMPARE(f.sessions()->sessionCount(), 1);
        QCOMPARE(f.sessions()->longLivedStreams(), 1);
    }

    void endpointHonoursForwardedPrefix()
    {
        ServerFixture f;
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse", {{"X-Forwarded-Prefix", "/proxy/"}});
        SseEvent endpoint;
        QVERIFY(stream.waitEvent("endpoint", 5000, &endpoint));
        QVERIFY2(endpoint.data.startsWith("/proxy/mcp/rpc?sessionId="), endpoint.data);
        HttpClient evil(f.port);
        evil.send("GET", "/mcp/sse", {{"X-Forwarded-Prefix", "https://evil.example/x"}});
        QVERIFY(evil.waitEvent("endpoint", 5000, &endpoint));
        QVERIFY(endpoint.data.startsWith("/mcp/rpc?")); // not a plain path: ignored
    }

    void requestsAnsweredOnTheStream()
    {
        ServerFixture f;
        HttpClient stream(f.port), post(f.port);
        const QByteArray sid = openSession(f, stream, post);
        QVERIFY(!sid.isEmpty());
        const HttpResponse accepted
            = post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(), rpc(2, "tools/list"));
        QCOMPARE(accepted.status, 202);
        const QJsonObject list = stream.waitMessage(2);
        QCOMPARE(list["result"].toObject()["tools"].toArray().size(), 51); // ten tools per entity and audit.export
        // Session id from the X-Mcp-Session header instead of the query.
        QCOMPARE(post.request("POST", "/mcp/rpc", {{"Content-Type", "application/json"}, {"X-Mcp-Session", sid}},
                              rpc(3, "tools/call",
                                  {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-lyon"}}}}))
                     .status,
                 202);
        const QJsonObject call = stream.waitMessage(3);
        QCOMPARE(call["result"].toObject()["structuredContent"].toObject()["item"].toObject()["location"].toString(),
                 QStringLiteral("Lyon, France"));
        // Every JSON-RPC message is an `event: message`.
        for (const SseEvent &e : stream.events())
            QVERIFY(e.event == "endpoint" || e.event == "message");
        const SessionInfo info = f.sessions()->info(QString::fromLatin1(sid));
        QCOMPARE(info.clientName, QStringLiteral("http-test"));
        QCOMPARE(info.messagesIn, 4);
    }

    void badRequests()
    {
        McpServerOptions o;
        o.maxRequestBodyBytes = 2048;
        ServerFixture f(o);
        HttpClient stream(f.port), post(f.port);
        const QByteArray sid = openSession(f, stream, post);
        HttpResponse r = post.request("POST", "/mcp/rpc?sessionId=0000", jsonHeaders(), rpc(1, "ping"));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("session_not_found"));
        r = post.request("POST", "/mcp/rpc", jsonHeaders(), rpc(1, "ping"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("missing_session"));
        r = post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(), "{\"jsonrpc\":");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json()["error"].toObject()["code"].toInt(), -32700);
        r = post.request("POST", "/mcp/rpc?sessionId=" + sid, {{"Content-Type", "text/plain"}}, rpc(1, "ping"));
        QCOMPARE(r.status, 415);
        r = post.request(
            "POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(),
            rpc(1, "tools/call", {{"name", "x"}, {"arguments", QJsonObject{{"pad", QString(4096, 'x')}}}}));
        QCOMPARE(r.status, 413);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("payload_too_large"));
        r = post.request("GET", "/mcp/rpc");
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("POST"));
        // Nothing was lost: the session still answers.
        QCOMPARE(post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(), rpc(9, "ping")).status, 202);
        QCOMPARE(stream.waitMessage(9)["result"].toObject(), QJsonObject{});
    }

    void heartbeatsAreNotActivity()
    {
        McpServerOptions o;
        o.sseKeepAliveIntervalMs = 150;
        ServerFixture f(o);
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse");
        QVERIFY(stream.waitEvent("endpoint"));
        const QString sid = QString::fromLatin1(sessionOf(stream));
        const QDateTime activity = f.sessions()->info(sid).lastActivity;
        QVERIFY(QTest::qWaitFor([&] { return stream.comments().count("keepalive") >= 3; }, 3000));
        QCOMPARE(f.sessions()->info(sid).lastActivity, activity);
        QVERIFY(f.sessions()->info(sid).lastHeartbeat > activity);
    }

    void idleSessionsTimeOut()
    {
        McpServerOptions o;
        o.sseKeepAliveIntervalMs = 100;
        o.sseConnectionTimeoutMs = 600;
        ServerFixture f(o);
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse");
        QVERIFY(stream.waitEvent("endpoint"));
        QSignalSpy closed(f.sessions(), &SessionManager::sessionClosed);
        SseEvent end;
        QVERIFY(stream.waitEvent("end", 4000, &end)); // heartbeats kept flowing, yet it timed out
        QVERIFY(end.data.contains("idle_timeout"));
        QVERIFY(stream.waitClosed());
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.first().at(1).toString(), QStringLiteral("idle_timeout"));
        QCOMPARE(f.sessions()->sessionCount(), 0);
        QCOMPARE(f.sessions()->longLivedStreams(), 0);
    }

    void disconnectCleansUpAtOnce()
    {
        ServerFixture f;
        HttpClient a(f.port), b(f.port);
        a.send("GET", "/mcp/sse");
        b.send("GET", "/mcp/sse");
        QVERIFY(a.waitEvent("endpoint") && b.waitEvent("endpoint"));
        const QByteArray sid = sessionOf(a);
        QCOMPARE(f.sessions()->sessionCount(), 2);
        a.socket()->abort(); // RST
        QTRY_COMPARE(f.sessions()->sessionCount(), 1);
        b.socket()->disconnectFromHost(); // FIN
        QTRY_COMPARE(f.sessions()->sessionCount(), 0);
        QCOMPARE(f.sessions()->longLivedStreams(), 0);
        HttpClient post(f.port);
        QCOMPARE(post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(), rpc(1, "ping")).status, 404);
    }

    void operatorDisconnect()
    {
        ServerFixture f;
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse");
        QVERIFY(stream.waitEvent("endpoint"));
        QVERIFY(f.sessions()->disconnectSession(QString::fromLatin1(sessionOf(stream))));
        SseEvent end;
        QVERIFY(stream.waitEvent("end", 3000, &end));
        QVERIFY(end.data.contains("disconnected_by_operator"));
        QVERIFY(stream.waitClosed());
        QVERIFY(!f.sessions()->disconnectSession("no-such-session"));
    }

    void sessionsAreIsolated()
    {
        ServerFixture f;
        constexpr int N = 50;
        std::vector<std::unique_ptr<HttpClient>> streams, posts;
        QList<QByteArray> ids;
        for (int i = 0; i < N; ++i) {
            streams.push_back(std::make_unique<HttpClient>(f.port));
            streams.back()->send("GET", "/mcp/sse");
        }
        for (int i = 0; i < N; ++i) {
            QVERIFY(streams[i]->waitEvent("endpoint"));
            ids << sessionOf(*streams[i]);
            posts.push_back(std::make_unique<HttpClient>(f.port));
        }
        // Every session asks for a different record with the same request id.
        const QStringList sites{"site-boston", "site-lyon", "site-osaka"};
        for (int i = 0; i < N; ++i)
            posts[i]->send("POST", "/mcp/rpc?sessionId=" + ids[i], jsonHeaders(),
                           rpc(1, "initialize", initParams("2024-11-05")));
        for (int i = 0; i < N; ++i) {
            QVERIFY(posts[i]->waitComplete());
            QVERIFY(!streams[i]->waitMessage(1).isEmpty());
            posts[i]->send("POST", "/mcp/rpc?sessionId=" + ids[i], jsonHeaders(),
                           rpc(7, "tools/call",
                               {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", sites[i % 3]}}}}));
        }
        for (int i = 0; i < N; ++i) {
            const QJsonObject answer = streams[i]->waitMessage(7);
            QCOMPARE(answer["result"].toObject()["structuredContent"].toObject()["item"].toObject()["id"].toString(),
                     sites[i % 3]);
            int messages = 0;
            for (const SseEvent &e : streams[i]->events())
                messages += e.event == "message" ? 1 : 0;
            QCOMPARE(messages, 2); // its initialize answer and its own call: nothing from other sessions
        }
    }

    void connectionLimit()
    {
        McpServerOptions o;
        o.maxConcurrentConnections = 3;
        ServerFixture f(o);
        std::vector<std::unique_ptr<HttpClient>> streams;
        for (int i = 0; i < 3; ++i) {
            streams.push_back(std::make_unique<HttpClient>(f.port));
            streams.back()->send("GET", "/mcp/sse");
            QVERIFY(streams.back()->waitEvent("endpoint"));
        }
        HttpClient refused(f.port);
        const HttpResponse r = refused.request("GET", "/mcp/sse");
        QCOMPARE(r.status, 503);
        QCOMPARE(r.header("Retry-After"), QByteArray("5"));
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("max_connections_exceeded"));
        QCOMPARE(r.json()["limit"].toInt(), 3);
        // Existing sessions keep working.
        HttpClient post(f.port);
        const QByteArray sid = sessionOf(*streams[0]);
        QCOMPARE(
            post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(), rpc(1, "initialize", initParams())).status,
            202);
        QVERIFY(!streams[0]->waitMessage(1).isEmpty());
        // A freed slot is usable again.
        streams[1]->socket()->abort();
        QTRY_COMPARE(f.sessions()->longLivedStreams(), 2);
        HttpClient again(f.port);
        again.send("GET", "/mcp/sse");
        QVERIFY(again.waitEvent("endpoint"));
    }

    void slowReaderIsDropped()
    {
        McpServerOptions o;
        o.maxQueuedBytesPerStream = 64 * 1024;
        ServerFixture f(o);
        HttpClient slow(f.port), post(f.port), healthy(f.port);
        slow.send("GET", "/mcp/sse");
        QVERIFY(slow.waitEvent("endpoint"));
        const QByteArray sid = sessionOf(slow);
        QCOMPARE(
            post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(), rpc(1, "initialize", initParams())).status,
            202);
        QVERIFY(!slow.waitMessage(1).isEmpty());
        // 200 sites with bulky metadata make every collection answer about 200 KiB.
        QJsonArray models;
        for (int i = 0; i < 200; ++i)
            models.append(QJsonObject{{"id", QStringLiteral("big-%1").arg(i)},
                                      {"name", "Big"},
                                      {"location", "L"},
                                      {"principalInvestigator", "P"},
                                      {"metadata", QJsonObject{{"notes", QString(1000, 'n')}}}});
        QCOMPARE(post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(),
                              rpc(2, "tools/call",
                                  {{"name", "trial-site.upsert-many"}, {"arguments", QJsonObject{{"models", models}}}}))
                     .status,
                 202);
        QVERIFY(!slow.waitMessage(2).isEmpty());
        // Stop reading: the client's buffer fills, then the kernel's, then the server's queue.
        slow.socket()->setReadBufferSize(1);
        slow.socket()->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        QSignalSpy closed(f.sessions(), &SessionManager::sessionClosed);
        for (int i = 0; i < 200 && closed.isEmpty(); ++i) {
            const HttpResponse r
                = post.request("POST", "/mcp/rpc?sessionId=" + sid, jsonHeaders(),
                               rpc(100 + i, "tools/call",
                                   {{"name", "trial-site.collection"}, {"arguments", QJsonObject{{"pageSize", 200}}}}));
            if (r.status != 202)
                break;
        }
        QTRY_VERIFY(!closed.isEmpty());
        QCOMPARE(closed.first().at(1).toString(), QStringLiteral("slow_reader"));
        // The server keeps serving others.
        healthy.send("GET", "/mcp/sse");
        QVERIFY(healthy.waitEvent("endpoint"));
    }

    void originAndHostChecks()
    {
        ServerFixture f;
        HttpClient c(f.port);
        for (const QByteArray path : {QByteArray("/mcp"), QByteArray("/mcp/sse"), QByteArray("/mcp/rpc")}) {
            const HttpResponse r
                = c.request(path == "/mcp/sse" ? "GET" : "POST", path,
                            {{"Origin", "http://evil.example"}, {"Content-Type", "application/json"}}, "{}");
            QCOMPARE(r.status, 403);
            QCOMPARE(r.json()["error"].toString(), QStringLiteral("forbidden_origin"));
        }
        QCOMPARE(c.request("GET", "/mcp/capabilities", {{"Host", "evil.example"}}).status, 403);
        QCOMPARE(
            c.request("GET", "/mcp/capabilities", {{"Host", "localhost:1234"}, {"Origin", "http://localhost:9999"}})
                .status,
            200);
        QCOMPARE(c.request("GET", "/mcp/capabilities", {{"Origin", "http://127.0.0.1:5114"}})
                     .header("Access-Control-Allow-Origin"),
                 QByteArray("http://127.0.0.1:5114"));
        const HttpResponse pre = c.request(
            "OPTIONS", "/mcp", {{"Origin", "http://localhost:5114"}, {"Access-Control-Request-Method", "POST"}});
        QCOMPARE(pre.status, 204);
        QVERIFY(pre.header("Access-Control-Allow-Methods").contains("POST"));
        QVERIFY(pre.header("Access-Control-Allow-Headers").contains("Mcp-Session-Id"));
        QVERIFY(pre.header("Access-Control-Expose-Headers").contains("Mcp-Session-Id"));
    }

    void operationalEndpoints()
    {
        ServerFixture f;
        HttpClient c(f.port);
        HttpResponse r = c.request("GET", "/healthz");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["status"].toString(), QStringLiteral("ok"));
        r = c.request("GET", "/readyz");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["checks"].toObject()["store"].toBool(), true);
        QCOMPARE(r.json()["transports"].toObject()["httpSse"].toBool(), true);
        r = c.request("GET", "/mcp/capabilities");
        QCOMPARE(r.status, 200);
        const QJsonArray transports = r.json()["transports"].toArray();
        QCOMPARE(transports.size(), 3);
        QVERIFY(transports[1].toObject()["streamEndpoint"].toString().endsWith("/mcp/sse"));
        QCOMPARE(transports[0].toObject()["tools"].toArray().size(), 51); // ten tools per entity and audit.export
        QCOMPARE(r.json()["entities"].toArray().size(), 5);
        // Behind a proxy the URLs carry its path prefix; its scheme only counts from a trusted proxy.
        r = c.request("GET", "/mcp/capabilities",
                      {{"X-Forwarded-Prefix", "/tenant-a"}, {"X-Forwarded-Proto", "https"}});
        const QString sse = r.json()["transports"].toArray()[1].toObject()["streamEndpoint"].toString();
        QVERIFY2(sse.startsWith("http://") && sse.endsWith("/tenant-a/mcp/sse"), qPrintable(sse));
        r = c.request("GET", "/nope");
        QCOMPARE(r.status, 404);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("not_found"));
        r = c.request("POST", "/healthz", jsonHeaders(), "{}");
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("GET"));
        r = c.request("GET", "/metrics");
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("koan_mcp_sse_connection_limit 500"));
    }
};

QTEST_GUILESS_MAIN(TestHttpLegacy)
#include "tst_http_legacy.moc"
