// Streamable HTTP transport: sessions, SSE/JSON answers, GET stream, DELETE, priming and
// Last-Event-ID resumption, protocol-version header, batches.
#include "fixtures/FixturePacks.h"
#include "support/HttpClient.h"
#include "support/ModernRpc.h"
#include "support/ServerFixture.h"
#include "transport/StreamableHttpTransport.h"

#include <QJsonArray>

using namespace koan;
using namespace koan::test;

namespace {
QList<QPair<QByteArray, QByteArray>> headers(const QByteArray &session = {}, const QByteArray &version = {})
{
    QList<QPair<QByteArray, QByteArray>> h{{"Content-Type", "application/json"},
                                           {"Accept", "application/json, text/event-stream"}};
    if (!session.isEmpty())
        h.append({"Mcp-Session-Id", session});
    if (!version.isEmpty())
        h.append({"MCP-Protocol-Version", version});
    return h;
}
QJsonObject messageIn(const HttpResponse &r)
{
    if (r.header("Content-Type").startsWith("application/json"))
        return r.json();
    for (const SseEvent &e : r.events()) {
        const QJsonObject o = QJsonDocument::fromJson(e.data).object();
        if (o.contains("id"))
            return o;
    }
    return {};
}
} // namespace

class TestHttpStreamable : public QObject
{
    Q_OBJECT

    QByteArray initialize(HttpClient &c, const QString &version = QStringLiteral("2025-06-18"))
    {
        const HttpResponse r = c.request("POST", "/mcp", headers(), rpc(1, "initialize", initParams(version)));
        if (r.status != 200)
            return {};
        c.request("POST", "/mcp", headers(r.header("Mcp-Session-Id"), version.toLatin1()),
                  rpc(QJsonValue::Undefined, "notifications/initialized"));
        return r.header("Mcp-Session-Id");
    }

private slots:
    void sessionLifecycle()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const HttpResponse init = c.request("POST", "/mcp", headers(), rpc(1, "initialize", initParams()));
        QCOMPARE(init.status, 200);
        const QByteArray sid = init.header("Mcp-Session-Id");
        QCOMPARE(sid.size(), 32);
        QCOMPARE(messageIn(init)["result"].toObject()["protocolVersion"].toString(), QStringLiteral("2025-06-18"));
        HttpResponse r
            = c.request("POST", "/mcp", headers(sid), rpc(QJsonValue::Undefined, "notifications/initialized"));
        QCOMPARE(r.status, 202);
        QVERIFY(r.body.isEmpty());
        r = c.request(
            "POST", "/mcp", headers(sid, "2025-06-18"),
            rpc(2, "tools/call", {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-osaka"}}}}));
        QCOMPARE(r.status, 200);
        // From the store worker, soon after the handler returned: one JSON body (storeAnswersAreOneJsonBody).
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(messageIn(r)["result"].toObject()["structuredContent"].toObject()["item"].toObject()["id"].toString(),
                 QStringLiteral("site-osaka"));
        r = c.request("POST", "/mcp", headers(sid, "2025-06-18"), rpc(3, "tools/list"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("text/event-stream")); // answered at once: an SSE response
        QVERIFY(!r.events().isEmpty() && !r.events().last().id.isEmpty());
        QCOMPARE(messageIn(r)["id"].toInt(), 3);
        // Second initialize on the session is refused by the protocol layer.
        QCOMPARE(messageIn(c.request("POST", "/mcp", headers(sid), rpc(3, "initialize", initParams())))["error"]
                     .toObject()["code"]
                     .toInt(),
                 -32600);
        // DELETE ends it; the id is gone afterwards.
        r = c.request("DELETE", "/mcp", {{"Mcp-Session-Id", sid}});
        QCOMPARE(r.status, 200);
        r = c.request("POST", "/mcp", headers(sid), rpc(4, "ping"));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.json()["error"].toObject()["code"].toInt(), -32001);
        QCOMPARE(f.sessions()->sessionCount(), 0);
    }

    void httpErrors()
    {
        ServerFixture f;
        HttpClient c(f.port);
        const QByteArray sid = initialize(c);
        HttpResponse r = c.request("POST", "/mcp", headers(), rpc(1, "tools/list"));
        QCOMPARE(r.status, 400);
        QVERIFY(r.json()["error"].toObject()["message"].toString().contains("Mcp-Session-Id"));
        r = c.request("POST", "/mcp", headers("ffffffffffffffffffffffffffffffff"), rpc(1, "ping"));
        QCOMPARE(r.status, 404);
        r = c.request("POST", "/mcp",
                      {{"Content-Type", "application/json"}, {"Accept", "application/json"}, {"Mcp-Session-Id", sid}},
                      rpc(1, "ping"));
        QCOMPARE(r.status, 406);
        r = c.request("POST", "/mcp",
                      {{"Content-Type", "text/plain"},
                       {"Accept", "application/json, text/event-stream"},
                       {"Mcp-Session-Id", sid}},
                      rpc(1, "ping"));
        QCOMPARE(r.status, 415);
        r = c.request("POST", "/mcp", headers(sid, "1999-01-01"), rpc(1, "ping"));
        QCOMPARE(r.status, 400);
        QVERIFY(r.json()["error"].toObject()["message"].toString().contains("Unsupported protocol version"));
        r = c.request("POST", "/mcp", headers(sid), "[1,");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json()["error"].toObject()["code"].toInt(), -32700);
        r = c.request("GET", "/mcp", {{"Accept", "application/json"}, {"Mcp-Session-Id", sid}});
        QCOMPARE(r.status, 406);
        r = c.request("PUT", "/mcp", {{"Mcp-Session-Id", sid}});
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("GET, POST, DELETE"));
    }

    void jsonAnswersWhenConfigured()
    {
        McpServerOptions o;
        o.streamableJsonResponse = true;
        ServerFixture f(o);
        HttpClient c(f.port);
        const QByteArray sid = initialize(c);
        const HttpResponse r = c.request("POST", "/mcp", headers(sid), rpc(5, "ping"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.json()["id"].toInt(), 5);
    }

    void getStreamAndResumption()
    {
        ServerFixture f;
        HttpClient c(f.port);
        const QByteArray sid = initialize(c, "2025-11-25");
        HttpClient get(f.port);
        get.send("GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}});
        QVERIFY(get.waitHead());
        QCOMPARE(get.response().status, 200);
        // Priming event (2025-11-25): an id and empty data, with a retry hint.
        QVERIFY(QTest::qWaitFor([&] { return get.response().body.contains("retry: 1000"); }, 3000));
        QVERIFY(QTest::qWaitFor([&] { return !get.events().isEmpty(); }, 3000));
        const QByteArray primingId = get.events().first().id;
        QVERIFY(!primingId.isEmpty());
        QVERIFY(get.events().first().data.isEmpty());
        // A second GET stream for the session is refused.
        HttpClient second(f.port);
        QCOMPARE(second.request("GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}}).status, 409);
        // Server-initiated messages reach the GET stream.
        f.server->streamable()->broadcast(
            QJsonObject{{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}});
        QVERIFY(get.waitEvent("message"));
        const QByteArray firstId = get.events().last().id;
        // Disconnect, miss two messages, resume with Last-Event-ID.
        get.socket()->abort();
        QTRY_VERIFY(!f.sessions()->info(QString::fromLatin1(sid)).openStreams);
        f.server->streamable()->broadcast(QJsonObject{{"jsonrpc", "2.0"}, {"method", "notifications/a"}});
        f.server->streamable()->broadcast(QJsonObject{{"jsonrpc", "2.0"}, {"method", "notifications/b"}});
        HttpClient resumed(f.port);
        resumed.send("GET", "/mcp",
                     {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}, {"Last-Event-ID", firstId}});
        QVERIFY(QTest::qWaitFor(
            [&] {
                int n = 0;
                for (const SseEvent &e : resumed.events())
                    n += e.event == "message" ? 1 : 0;
                return n >= 2;
            },
            3000));
        QStringList methods;
        for (const SseEvent &e : resumed.events())
            if (e.event == "message")
                methods << QJsonDocument::fromJson(e.data).object()["method"].toString();
        QCOMPARE(methods, (QStringList{"notifications/a", "notifications/b"}));
        // POST stream events of other streams are never replayed here.
        QVERIFY(!resumed.response().body.contains("\"result\""));
    }

    void promptAnswersAreOneResponseSlowOnesStreamAtOnce()
    {
        ServerFixture f({}, [](McpServer &s) { fixtures::install(QStringLiteral("conformance"), s.bridge(), &s); });
        HttpClient c(f.port);
        const QByteArray sid = initialize(c, "2025-11-25");
        // Answered before the handler returns: one complete SSE response (priming + answer), no chunking.
        // (A tool that needs no store: the entity tools answer from the store worker's thread, later.)
        const HttpResponse r = c.request("POST", "/mcp", headers(sid, "2025-11-25"),
                                         rpc(2, "tools/call", {{"name", "test_simple_text"}}));
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("Content-Type").startsWith("text/event-stream"));
        QVERIFY(r.header("Transfer-Encoding").isEmpty());
        QCOMPARE(r.header("Content-Length").toLongLong(), qint64(r.body.size()));
        const QList<SseEvent> events = r.events();
        QCOMPARE(events.size(), 2);
        QVERIFY(events[0].data.isEmpty() && !events[0].id.isEmpty()); // priming
        const QJsonObject answer = QJsonDocument::fromJson(events[1].data).object();
        QCOMPARE(answer["result"].toObject()["content"].toArray().first().toObject()["text"].toString(),
                 QStringLiteral("This is a simple text response for testing."));
        // A handler still working (100 ms) gets its stream, and priming event, before its answer.
        HttpClient slow(f.port);
        slow.send("POST", "/mcp", headers(sid, "2025-11-25"), rpc(3, "tools/call", {{"name", "test_reconnection"}}));
        QVERIFY(QTest::qWaitFor([&] { return !slow.events().isEmpty(); }, 3000));
        QCOMPARE(slow.events().size(), 1); // the priming event, 100 ms before the answer
        QVERIFY(slow.events().first().data.isEmpty());
        QVERIFY(QTest::qWaitFor([&] { return slow.events().size() >= 2; }, 3000));
        QCOMPARE(QJsonDocument::fromJson(slow.events().last().data).object()["id"].toInt(), 3);
    }

    // An entity tool answers from the store worker (a SQLite file has one), after its handler
    // returned: still one JSON body, not a stream, in a 2025-11-25 session and stateless alike.
    void storeAnswersAreOneJsonBody()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        QVERIFY(f.server->storeWorker());
        HttpClient c(f.port);
        const QByteArray sid = initialize(c, "2025-11-25");
        const QJsonObject getSite{{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-boston"}}}};
        const HttpResponse r = c.request("POST", "/mcp", headers(sid, "2025-11-25"), rpc(4, "tools/call", getSite));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.header("Mcp-Session-Id"), sid);
        QCOMPARE(r.json()["id"].toInt(), 4);
        QCOMPARE(r.json()["result"].toObject()["structuredContent"].toObject()["item"].toObject()["id"].toString(),
                 QStringLiteral("site-boston"));
        // resources/read is answered from the worker too.
        const HttpResponse read = c.request("POST", "/mcp", headers(sid, "2025-11-25"),
                                            rpc(5, "resources/read", {{"uri", "s12://trial-site/site-boston"}}));
        QCOMPARE(read.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(read.json()["id"].toInt(), 5);
        // 2026-07-28, stateless.
        HttpClient modern(f.port);
        const HttpResponse m = modern.request("POST", "/mcp", modernHeaders("tools/call", "trial-site.get-by-id"),
                                              modernRequest(6, "tools/call", getSite));
        QCOMPARE(m.status, 200);
        QCOMPARE(m.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(m.json()["result"].toObject()["structuredContent"].toObject()["item"].toObject()["id"].toString(),
                 QStringLiteral("site-boston"));
    }

    void resumedPostStreamKeepsIdsIncreasing()
    {
        // The client lost a POST stream's answer after the priming event: resuming replays the
        // answer first, and no event carries a lower id than one sent before it.
        ServerFixture f;
        HttpClient c(f.port);
        const QByteArray sid = initialize(c, "2025-11-25");
        const HttpResponse r = c.request("POST", "/mcp", headers(sid, "2025-11-25"), rpc(7, "ping"));
        QCOMPARE(r.status, 200);
        const QList<SseEvent> original = r.events();
        QVERIFY(original.size() >= 2);
        QVERIFY(original.first().data.isEmpty()); // priming
        HttpClient resumed(f.port);
        resumed.send(
            "GET", "/mcp",
            {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}, {"Last-Event-ID", original.first().id}});
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const SseEvent &e : resumed.events())
                    if (e.event == "message")
                        return true;
                return false;
            },
            3000));
        const QList<SseEvent> events = resumed.events();
        QCOMPARE(events.first().event, QByteArray("message"));
        QCOMPARE(QJsonDocument::fromJson(events.first().data).object()["id"].toInt(), 7);
        qint64 last = original.first().id.split('_').last().toLongLong();
        for (const SseEvent &e : events) {
            if (e.id.isEmpty())
                continue;
            const qint64 seq = e.id.split('_').last().toLongLong();
            QVERIFY2(seq > last, e.id.constData());
            last = seq;
        }
    }

    void failedInitializeLeavesNoSession()
    {
        ServerFixture f;
        HttpClient c(f.port);
        QJsonObject params = initParams();
        params["protocolVersion"] = 5; // wrong type
        const HttpResponse r = c.request("POST", "/mcp", headers(), rpc(1, "initialize", params));
        QCOMPARE(messageIn(r)["error"].toObject()["code"].toInt(), -32602);
        QVERIFY(r.header("Mcp-Session-Id").isEmpty());
        QTRY_COMPARE(f.sessions()->sessionCount(), 0);
        // A good initialize afterwards works as usual.
        QVERIFY(!initialize(c).isEmpty());
        QCOMPARE(f.sessions()->sessionCount(), 1);
    }

    void protocolVersionHeaderOfAnotherSupportedVersion()
    {
        // Accepted like the TS SDK server does (the conformance suite relies on it); unknown ones are not.
        ServerFixture f;
        HttpClient c(f.port);
        const QByteArray sid = initialize(c, "2025-11-25");
        QCOMPARE(c.request("POST", "/mcp", headers(sid, "2025-03-26"), rpc(2, "ping")).status, 200);
        const HttpResponse r = c.request("POST", "/mcp", headers(sid, "2099-01-01"), rpc(3, "ping"));
        QCOMPARE(r.status, 400);
        QVERIFY(r.json()["error"].toObject()["message"].toString().contains("Unsupported protocol version"));
    }

    void scalarBodyIsAnInvalidRequest()
    {
        ServerFixture f;
        HttpClient c(f.port);
        HttpResponse r = c.request("POST", "/mcp", headers(), "42");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json()["error"].toObject()["code"].toInt(), -32600); // valid JSON, not a message
        r = c.request("POST", "/mcp", headers(), "{\"jsonrpc\":");
        QCOMPARE(r.json()["error"].toObject()["code"].toInt(), -32700); // not JSON at all
    }

    void oversizedBodyOnStreamable()
    {
        McpServerOptions o;
        o.maxRequestBodyBytes = 1024;
        ServerFixture f(o);
        HttpClient c(f.port);
        const QByteArray sid = initialize(c);
        const HttpResponse r
            = c.request("POST", "/mcp", headers(sid),
                        rpc(2, "tools/call", {{"name", "x"}, {"arguments", QJsonObject{{"pad", QString(4096, 'x')}}}}));
        QCOMPARE(r.status, 413);
        QCOMPARE(r.json()["error"].toObject()["code"].toInt(), -32600);
        // Nothing lost: the session still answers.
        QCOMPARE(messageIn(c.request("POST", "/mcp", headers(sid), rpc(3, "ping")))["id"].toInt(), 3);
    }

    void sessionLimit()
    {
        // Sessions without any stream are bounded too (MaxSessions), and ending one frees a place.
        McpServerOptions o;
        o.maxSessions = 2;
        ServerFixture f(o);
        HttpClient c(f.port);
        const QByteArray first = initialize(c);
        QVERIFY(!first.isEmpty());
        QVERIFY(!initialize(c).isEmpty());
        const HttpResponse refused = c.request("POST", "/mcp", headers(), rpc(1, "initialize", initParams()));
        QCOMPARE(refused.status, 503);
        QVERIFY(!refused.header("Retry-After").isEmpty());
        QVERIFY(refused.json()["error"].toObject()["message"].toString().contains("MaxSessions"));
        HttpClient legacy(f.port);
        QCOMPARE(legacy.request("GET", "/mcp/sse").status, 503);
        QCOMPARE(c.request("DELETE", "/mcp", {{"Mcp-Session-Id", first}}).status, 200);
        QVERIFY(!initialize(c).isEmpty());
    }

    void noPrimingBefore20251125()
    {
        ServerFixture f;
        HttpClient c(f.port);
        const QByteArray sid = initialize(c, "2025-03-26");
        const HttpResponse r = c.request("POST", "/mcp", headers(sid, "2025-03-26"), rpc(8, "ping"));
        QVERIFY(!r.body.contains("retry:"));
        QCOMPARE(r.events().size(), 1);
        QCOMPARE(messageIn(r)["id"].toInt(), 8);
    }

    void batchesOnlyIn20250326()
    {
        ServerFixture f;
        HttpClient c(f.port);
        const QByteArray old = initialize(c, "2025-03-26");
        const QByteArray batch = "[" + rpc(1, "ping") + "," + rpc(2, "tools/list") + "]";
        HttpResponse r = c.request("POST", "/mcp", headers(old, "2025-03-26"), batch);
        QCOMPARE(r.status, 200);
        const QJsonArray replies = QJsonDocument::fromJson(r.events().first().data).array();
        QCOMPARE(replies.size(), 2);
        HttpClient d(f.port);
        const QByteArray modern = initialize(d, "2025-06-18");
        r = d.request("POST", "/mcp", headers(modern, "2025-06-18"), batch);
        QCOMPARE(messageIn(r).isEmpty()
                     ? QJsonDocument::fromJson(r.events().first().data).object()["error"].toObject()["code"].toInt()
                     : messageIn(r)["error"].toObject()["code"].toInt(),
                 -32600);
    }

    void concurrentPostsOnOneSession()
    {
        ServerFixture f;
        HttpClient c(f.port);
        const QByteArray sid = initialize(c);
        std::vector<std::unique_ptr<HttpClient>> clients;
        for (int i = 0; i < 10; ++i) {
            clients.push_back(std::make_unique<HttpClient>(f.port));
            clients.back()->send("POST", "/mcp", headers(sid), rpc(100 + i, "tools/list"));
        }
        for (int i = 0; i < 10; ++i) {
            QVERIFY(clients[i]->waitComplete());
            QCOMPARE(messageIn(clients[i]->response())["id"].toInt(), 100 + i);
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpStreamable)
#include "tst_http_streamable.moc"
