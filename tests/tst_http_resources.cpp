// S12 records as MCP resources, the prompts built on them and subscriptions, over real loopback
// HTTP (Streamable 2025 sessions, legacy HTTP+SSE, stateless 2026-07-28) and koan-mcp --stdio:
// paging, read with the version, not found, scopes, overrides, updates after writes by another
// session and by the console's AdminController, list_changed on an override change, prompts and
// completion.
#include "admin/AdminController.h"
#include "core/RpcBridge.h"
#include "entities/EntityRegistry.h"
#include "support/AuthKit.h"
#include "support/ChildProcess.h"
#include "support/HttpClient.h"
#include "support/PostgresServer.h"
#include "support/ServerFixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>

using namespace koan;
using namespace koan::test;

namespace {
using Headers = QList<QPair<QByteArray, QByteArray>>;
const QByteArray kIss = "https://issuer.test";

QJsonObject modernMeta()
{
    return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
            {"io.modelcontextprotocol/clientCapabilities", QJsonObject{}},
            {"io.modelcontextprotocol/clientInfo", QJsonObject{{"name", "tst_http_resources"}, {"version", "1"}}}};
}
Headers modern(const QByteArray &method, const QByteArray &name = {}, const QByteArray &token = {})
{
    Headers h = streamableHeaders({}, token);
    h.append(qMakePair(QByteArray("MCP-Protocol-Version"), QByteArray("2026-07-28")));
    h.append(qMakePair(QByteArray("Mcp-Method"), method));
    if (!name.isEmpty())
        h.append(qMakePair(QByteArray("Mcp-Name"), name));
    return h;
}
QByteArray modernRpc(const QJsonValue &id, const QString &method, QJsonObject params = {})
{
    params.insert("_meta", modernMeta());
    return rpc(id, method, params);
}
QJsonObject errorOf(const QJsonValue &answer)
{
    return answer["error"].toObject();
}
QStringList uris(const QJsonObject &listResult)
{
    QStringList out;
    for (const QJsonValue r : listResult["resources"].toArray())
        out << r["uri"].toString();
    return out;
}
// Every notification with this method among a stream's events.
QList<QJsonObject> notifications(const HttpClient &stream, const QString &method)
{
    QList<QJsonObject> out;
    for (const SseEvent &e : stream.events())
        if (const QJsonObject o = QJsonDocument::fromJson(e.data).object(); o["method"].toString() == method)
            out << o;
    return out;
}
bool updatedFor(const HttpClient &stream, const QString &uri, int count = 1)
{
    int n = 0;
    for (const QJsonObject &o : notifications(stream, "notifications/resources/updated"))
        n += o["params"].toObject()["uri"].toString() == uri;
    return n >= count;
}
QJsonObject newReport(const QString &id)
{
    return {{"model", QJsonObject{{"id", id},
                                  {"trialSiteId", "site-boston"},
                                  {"participantId", "P-7"},
                                  {"severity", "Moderate"},
                                  {"description", "Rash"},
                                  {"onsetDate", "2026-11-20"}}}};
}
QJsonObject patchArgs(const QString &id, int enrollment)
{
    return {
        {"id", id},
        {"patch", QJsonArray{QJsonObject{{"op", "replace"}, {"path", "/currentEnrollment"}, {"value", enrollment}}}}};
}
} // namespace

class TestHttpResources : public QObject
{
    Q_OBJECT
    JwksFile m_jwks;

    // A 2025-11-25 Streamable session (initialized); its id.
    static QByteArray openSession(HttpClient &c, const QByteArray &token = {})
    {
        const HttpResponse r
            = c.request("POST", "/mcp", streamableHeaders({}, token), rpc(1, "initialize", initParams("2025-11-25")));
        const QByteArray sid = r.header("Mcp-Session-Id");
        c.request("POST", "/mcp", streamableHeaders(sid, token),
                  rpc(QJsonValue::Undefined, "notifications/initialized"));
        return sid;
    }
    static QJsonObject call(HttpClient &c, const QByteArray &sid, const QJsonValue &id, const QString &method,
                            const QJsonObject &params = {}, const QByteArray &token = {})
    {
        return rpcAnswer(c.request("POST", "/mcp", streamableHeaders(sid, token), rpc(id, method, params)));
    }
    McpServerOptions authOptions() const
    {
        McpServerOptions o;
        o.requireAuthentication = true;
        o.auth.jwksFile = m_jwks.path;
        o.auth.issuers = {QString::fromLatin1(kIss)};
        return o;
    }
    QByteArray tokenFor(const ServerFixture &f, const QString &scope)
    {
        return token(m_jwks.key, claims("alice", scope, f.server->baseUrl() + "/mcp", QString::fromLatin1(kIss), 600));
    }

private slots:
    void initTestCase() { QVERIFY(m_jwks.create()); }

    void capabilities()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const HttpResponse r
            = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams("2025-11-25")));
        const QJsonObject caps = r.events().isEmpty() ? r.json()["result"].toObject()["capabilities"].toObject()
                                                      : rpcAnswer(r)["result"].toObject()["capabilities"].toObject();
        QVERIFY(caps["tools"].toObject()["listChanged"].toBool());
        QVERIFY(caps["resources"].toObject()["subscribe"].toBool());
        QVERIFY(caps["resources"].toObject()["listChanged"].toBool());
        QVERIFY(caps["prompts"].toObject()["listChanged"].toBool());
        QVERIFY(caps.contains("completions"));
        const QJsonObject discover
            = c.request("POST", "/mcp", modern("server/discover"), modernRpc(2, "server/discover")).json();
        const QJsonObject modernCaps = discover["result"].toObject()["capabilities"].toObject();
        QVERIFY(modernCaps["tools"].toObject()["listChanged"].toBool());
        QVERIFY(modernCaps["resources"].toObject()["subscribe"].toBool());
        QVERIFY(modernCaps.contains("prompts") && modernCaps.contains("completions"));
        // /mcp/capabilities names both, beside its existing fields.
        const QJsonObject described = c.request("GET", "/mcp/capabilities").json();
        QCOMPARE(described["transports"].toArray().at(0)["kind"].toString(), QStringLiteral("streamable-http"));
        QVERIFY(described["authentication"].toObject().contains("caller"));
        QCOMPARE(described["serverCapabilities"]["2025-11-25"].toObject(), caps);
        QCOMPARE(described["serverCapabilities"]["2026-07-28"].toObject(), modernCaps);
    }

    void listPagesAndReadsWithVersion()
    {
        McpServerOptions o;
        o.toolsPageSize = 4; // the page size of every list
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const QByteArray sid = openSession(c);
        QStringList all;
        QJsonValue cursor;
        int pages = 0;
        do {
            QJsonObject params;
            if (!cursor.isUndefined())
                params.insert("cursor", cursor);
            const QJsonObject result = call(c, sid, 10 + pages, "resources/list", params)["result"].toObject();
            QVERIFY(result["resources"].toArray().size() <= 4);
            for (const QJsonValue r : result["resources"].toArray()) {
                QCOMPARE(r["mimeType"].toString(), QStringLiteral("application/json"));
                QVERIFY(!r["name"].toString().isEmpty());
            }
            all += uris(result);
            cursor = result.contains("nextCursor") ? result["nextCursor"] : QJsonValue(QJsonValue::Undefined);
            ++pages;
        } while (!cursor.isUndefined() && pages < 20);
        // 13 seed records (3 sites, 4 visits, 2 events, 2 notes, 2 documents), each once.
        QCOMPARE(all.size(), 13);
        QCOMPARE(QSet<QString>(all.begin(), all.end()).size(), 13);
        QCOMPARE(pages, 4);
        QVERIFY(all.contains("s12://adverse-event-report/ae-0001"));
        QVERIFY(all.contains("s12://trial-site/site-boston"));
        QCOMPARE(errorOf(call(c, sid, 30, "resources/list", {{"cursor", "bogus"}}))["code"].toInt(), -32602);

        const QJsonObject templates = call(c, sid, 31, "resources/templates/list")["result"].toObject();
        QStringList templateUris;
        for (const QJsonValue t : templates["resourceTemplates"].toArray())
            templateUris << t["uriTemplate"].toString();
        QVERIFY(templateUris.contains("s12://adverse-event-report/{id}"));
        QCOMPARE(templateUris.size(), 5);

        const QJsonObject read
            = call(c, sid, 32, "resources/read", {{"uri", "s12://adverse-event-report/ae-0001"}})["result"].toObject();
        const QJsonObject content = read["contents"].toArray()[0].toObject();
        QCOMPARE(content["uri"].toString(), QStringLiteral("s12://adverse-event-report/ae-0001"));
        QCOMPARE(content["mimeType"].toString(), QStringLiteral("application/json"));
        const QJsonObject record = QJsonDocument::fromJson(content["text"].toString().toUtf8()).object();
        QCOMPARE(record["id"].toString(), QStringLiteral("ae-0001"));
        QCOMPARE(record["severity"].toString(), QStringLiteral("Mild"));
        QCOMPARE(record["version"].toInt(), 1);
        QCOMPARE(read["_meta"].toObject()["version"].toInt(), 1);
        // A write moves the version in both places.
        const QJsonObject patched = call(c, sid, 33, "tools/call",
                                         {{"name", "trial-site.patch"}, {"arguments", patchArgs("site-boston", 90)}});
        QVERIFY(!patched["result"].toObject()["isError"].toBool());
        const QJsonObject again
            = call(c, sid, 34, "resources/read", {{"uri", "s12://trial-site/site-boston"}})["result"].toObject();
        QCOMPARE(again["_meta"].toObject()["version"].toInt(), 2);
        QCOMPARE(QJsonDocument::fromJson(again["contents"].toArray().at(0)["text"].toString().toUtf8())
                     .object()["currentEnrollment"]
                     .toInt(),
                 90);
    }

    void notFoundInBothEras()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const QByteArray sid = openSession(c);
        for (const char *uri : {"s12://adverse-event-report/ae-9999", "s12://no-such-entity/x", "other://x",
                                "s12://trial-site/", "s12://trial-site/a/b"}) {
            const QJsonObject e = errorOf(call(c, sid, 1, "resources/read", {{"uri", uri}}));
            QCOMPARE(e["code"].toInt(), -32002);
            QCOMPARE(e["data"].toObject()["uri"].toString(), QString::fromLatin1(uri));
        }
        QCOMPARE(errorOf(call(c, sid, 2, "resources/read", {}))["code"].toInt(), -32602);
        QCOMPARE(errorOf(call(c, sid, 3, "resources/read", {{"uri", 5}}))["code"].toInt(), -32602);

        const QByteArray missing = "s12://adverse-event-report/ae-9999";
        const HttpResponse r = c.request("POST", "/mcp", modern("resources/read", missing),
                                         modernRpc(4, "resources/read", {{"uri", QString::fromLatin1(missing)}}));
        QCOMPARE(r.status, 200);
        QCOMPARE(errorOf(r.json())["code"].toInt(), -32602);
        QCOMPARE(errorOf(r.json())["data"].toObject()["uri"].toString(), QString::fromLatin1(missing));
        // A found record: the 2026 stamps (no token here, so the answer is the same for all).
        const HttpResponse ok = c.request("POST", "/mcp", modern("resources/read", "s12://trial-site/site-boston"),
                                          modernRpc(5, "resources/read", {{"uri", "s12://trial-site/site-boston"}}));
        const QJsonObject result = ok.json()["result"].toObject();
        QCOMPARE(result["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(result["cacheScope"].toString(), QStringLiteral("public"));
        QVERIFY(result.contains("ttlMs"));
        QCOMPARE(result["_meta"].toObject()["version"].toInt(), 1);
        const HttpResponse list = c.request("POST", "/mcp", modern("resources/list"), modernRpc(6, "resources/list"));
        QCOMPARE(uris(list.json()["result"].toObject()).size(), 13);
    }

    void scopesApply()
    {
        ServerFixture f(authOptions());
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const QByteArray ops = tokenFor(f, "clinical:operations"); // no clinical:safety
        const QByteArray sid = openSession(c, ops);
        QVERIFY(!sid.isEmpty());
        const QStringList listed = uris(call(c, sid, 1, "resources/list", {}, ops)["result"].toObject());
        QVERIFY(listed.contains("s12://trial-site/site-boston"));
        for (const QString &u : listed)
            QVERIFY2(!u.startsWith("s12://adverse-event-report/") && !u.startsWith("s12://protocol-document/"),
                     qPrintable(u));
        const QJsonObject denied
            = errorOf(call(c, sid, 2, "resources/read", {{"uri", "s12://adverse-event-report/ae-0001"}}, ops));
        QCOMPARE(denied["code"].toInt(), -32003);
        QCOMPARE(denied["data"].toObject()["uri"].toString(), QStringLiteral("s12://adverse-event-report/ae-0001"));
        QCOMPARE(errorOf(call(c, sid, 3, "resources/subscribe", {{"uri", "s12://adverse-event-report/ae-0001"}},
                              ops))["code"]
                     .toInt(),
                 -32003);
        // The prompt on reports is not listed, refused, and completes nothing for this token.
        const QJsonArray prompts = call(c, sid, 4, "prompts/list", {}, ops)["result"].toObject()["prompts"].toArray();
        QCOMPARE(prompts.size(), 1);
        QCOMPARE(prompts[0]["name"].toString(), QStringLiteral("site-monitoring-summary"));
        QCOMPARE(errorOf(call(c, sid, 5, "prompts/get",
                              {{"name", "adverse-event-triage"}, {"arguments", QJsonObject{{"reportId", "ae-0001"}}}},
                              ops))["code"]
                     .toInt(),
                 -32003);
        const QJsonObject none = call(c, sid, 6, "completion/complete",
                                      {{"ref", QJsonObject{{"type", "ref/prompt"}, {"name", "adverse-event-triage"}}},
                                       {"argument", QJsonObject{{"name", "reportId"}, {"value", "ae"}}}},
                                      ops)["result"]
                                     .toObject();
        QCOMPARE(none["completion"].toObject()["values"].toArray().size(), 0);
        // The site summary leaves out the open events the token may not read, and says so.
        const QJsonObject summary
            = call(c, sid, 7, "prompts/get",
                   {{"name", "site-monitoring-summary"}, {"arguments", QJsonObject{{"siteId", "site-boston"}}}},
                   ops)["result"]
                  .toObject();
        const QByteArray text = QJsonDocument(summary).toJson();
        QVERIFY(!text.contains("s12://adverse-event-report/"));
        QVERIFY(text.contains("AdverseEventReport"));
        // 2026-07-28: the answer depends on the token, so it is private.
        const HttpResponse modernList
            = c.request("POST", "/mcp", modern("resources/list", {}, ops), modernRpc(8, "resources/list"));
        QCOMPARE(modernList.json()["result"].toObject()["cacheScope"].toString(), QStringLiteral("private"));
        QCOMPARE(uris(modernList.json()["result"].toObject()), listed);
        const HttpResponse modernDenied
            = c.request("POST", "/mcp", modern("resources/read", "s12://adverse-event-report/ae-0001", ops),
                        modernRpc(9, "resources/read", {{"uri", "s12://adverse-event-report/ae-0001"}}));
        QCOMPARE(errorOf(modernDenied.json())["code"].toInt(), -32003);
    }

    void subscriptionsSeeEveryWriter()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QString uri = "s12://trial-site/site-boston";
        // A 2025 Streamable session subscribed, with its GET stream open.
        HttpClient a(f.port);
        const QByteArray sid = openSession(a);
        QVERIFY(call(a, sid, 1, "resources/subscribe", {{"uri", uri}})["result"].isObject());
        HttpClient stream(f.port);
        stream.send("GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}});
        QVERIFY(stream.waitHead());
        QCOMPARE(stream.response().status, 200);
        // A legacy HTTP+SSE session subscribed to the same record.
        HttpClient sse(f.port);
        sse.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
        SseEvent endpoint;
        QVERIFY(sse.waitEvent("endpoint", 5000, &endpoint));
        HttpClient post(f.port);
        const auto ssePost = [&](const QJsonValue &id, const QString &method, const QJsonObject &params) {
            const HttpResponse r
                = post.request("POST", endpoint.data, {{"Content-Type", "application/json"}}, rpc(id, method, params));
            return r.status;
        };
        QCOMPARE(ssePost(1, "initialize", initParams("2024-11-05")), 202);
        QVERIFY(sse.waitMessage(1).contains("result"));
        QCOMPARE(ssePost(2, "resources/subscribe", {{"uri", uri}}), 202);
        QVERIFY(sse.waitMessage(2).contains("result"));
        // A 2026-07-28 listen stream asking for the same record (and one it may not name twice).
        HttpClient listen(f.port);
        listen.send("POST", "/mcp", modern("subscriptions/listen"),
                    modernRpc("L", "subscriptions/listen",
                              {{"notifications",
                                QJsonObject{{"resourceSubscriptions", QJsonArray{uri}}, {"toolsListChanged", true}}}}));
        QVERIFY(listen.waitEvent("message", 5000));
        QVERIFY(!notifications(listen, "notifications/subscriptions/acknowledged").isEmpty());

        // Writer 1: another Streamable session.
        HttpClient b(f.port);
        const QByteArray other = openSession(b);
        const QJsonObject written = call(b, other, 5, "tools/call",
                                         {{"name", "trial-site.patch"}, {"arguments", patchArgs("site-boston", 91)}});
        QVERIFY(!written["result"].toObject()["isError"].toBool());
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(stream, uri); }, 3000));
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(sse, uri); }, 3000));
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(listen, uri); }, 3000));
        const QJsonObject tagged = notifications(listen, "notifications/resources/updated").first();
        QCOMPARE(tagged["params"].toObject()["_meta"].toObject()["io.modelcontextprotocol/subscriptionId"].toString(),
                 QStringLiteral("L"));
        // Another record changing is not sent to those who did not ask for it.
        call(b, other, 6, "tools/call", {{"name", "trial-site.patch"}, {"arguments", patchArgs("site-lyon", 7)}});
        // Writer 2: the console, through the AdminController (the operator's tool calls).
        QSignalSpy invoked(f.server->admin(), &AdminController::toolInvoked);
        f.server->admin()->invokeTool("op-1", "trial-site.patch", patchArgs("site-boston", 92));
        QVERIFY(invoked.wait(3000) || invoked.count() == 1);
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(stream, uri, 2); }, 3000));
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(sse, uri, 2); }, 3000));
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(listen, uri, 2); }, 3000));
        for (const HttpClient *s : {&stream, &sse, &listen})
            for (const QJsonObject &n : notifications(*s, "notifications/resources/updated"))
                QCOMPARE(n["params"].toObject()["uri"].toString(), uri);
        // Unsubscribed: nothing more for that session.
        QVERIFY(call(a, sid, 7, "resources/unsubscribe", {{"uri", uri}})["result"].isObject());
        f.server->admin()->invokeTool("op-2", "trial-site.patch", patchArgs("site-boston", 93));
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(sse, uri, 3); }, 3000));
        QTest::qWait(100);
        QVERIFY(!updatedFor(stream, uri, 3));
        // A subscription to a URI nobody serves is refused.
        QCOMPARE(errorOf(call(a, sid, 8, "resources/subscribe", {{"uri", "nowhere://x"}}))["code"].toInt(), -32002);
    }

    void overrideHidesAndAnnouncesListChanged()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient a(f.port);
        const QByteArray sid = openSession(a);
        HttpClient stream(f.port);
        stream.send("GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}});
        QVERIFY(stream.waitHead());
        HttpClient listen(f.port);
        listen.send(
            "POST", "/mcp", modern("subscriptions/listen"),
            modernRpc("L2", "subscriptions/listen",
                      {{"notifications", QJsonObject{{"toolsListChanged", true}, {"resourcesListChanged", true}}}}));
        QVERIFY(listen.waitEvent("message", 5000));

        // The console turns AdverseEventReport off on Streamable HTTP.
        EntityOptions o = f.server->registry()->options("AdverseEventReport");
        o.enabledTransports = TransportSet(TransportKind::Stdio) | TransportKind::HttpSse | TransportKind::Operator;
        QSignalSpy applied(f.server->admin(), &AdminController::entityOptionsApplied);
        f.server->admin()->applyEntityOptions("AdverseEventReport", o);
        QTRY_COMPARE_WITH_TIMEOUT(applied.count(), 1, 5000); // once its audit row is written (store worker)
        QVERIFY(applied.first().at(1).toBool());
        QVERIFY(QTest::qWaitFor([&] { return !notifications(stream, "notifications/tools/list_changed").isEmpty(); },
                                3000));
        QVERIFY(!notifications(stream, "notifications/resources/list_changed").isEmpty());
        QVERIFY(QTest::qWaitFor([&] { return !notifications(listen, "notifications/tools/list_changed").isEmpty(); },
                                3000));
        QVERIFY(!notifications(listen, "notifications/resources/list_changed").isEmpty());

        // Hidden like its tools: not listed, not readable, no template, no prompt.
        const QStringList listed = uris(call(a, sid, 2, "resources/list")["result"].toObject());
        QCOMPARE(listed.size(), 11);
        const QJsonObject hidden
            = errorOf(call(a, sid, 3, "resources/read", {{"uri", "s12://adverse-event-report/ae-0001"}}));
        QCOMPARE(hidden["code"].toInt(), -32002);
        QVERIFY2(hidden["message"].toString().contains("not enabled on the"), qPrintable(hidden["message"].toString()));
        QCOMPARE(call(a, sid, 4, "resources/templates/list")["result"].toObject()["resourceTemplates"].toArray().size(),
                 4);
        const QJsonObject prompt
            = errorOf(call(a, sid, 5, "prompts/get",
                           {{"name", "adverse-event-triage"}, {"arguments", QJsonObject{{"reportId", "ae-0001"}}}}));
        QCOMPARE(prompt["code"].toInt(), -32602);
        // The legacy HTTP+SSE transport still reads it.
        HttpClient sse(f.port);
        sse.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
        SseEvent endpoint;
        QVERIFY(sse.waitEvent("endpoint", 5000, &endpoint));
        HttpClient post(f.port);
        post.request("POST", endpoint.data, {{"Content-Type", "application/json"}},
                     rpc(1, "initialize", initParams("2024-11-05")));
        post.request("POST", endpoint.data, {{"Content-Type", "application/json"}},
                     rpc(2, "resources/read", {{"uri", "s12://adverse-event-report/ae-0001"}}));
        QVERIFY(sse.waitMessage(2)["result"].toObject().contains("contents"));
        // Resetting announces the change again.
        const int before = int(notifications(stream, "notifications/tools/list_changed").size());
        f.server->admin()->resetEntityOptions("AdverseEventReport");
        QVERIFY(QTest::qWaitFor(
            [&] { return notifications(stream, "notifications/tools/list_changed").size() > before; }, 3000));
        QCOMPARE(uris(call(a, sid, 6, "resources/list")["result"].toObject()).size(), 13);
    }

    void createAndDeleteAnnounceListChanged()
    {
        // A record created or deleted changes resources/list: every era hears of it, whoever wrote.
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QString method = "notifications/resources/list_changed";
        HttpClient a(f.port);
        const QByteArray sid = openSession(a);
        HttpClient stream(f.port); // 2025 Streamable GET stream
        stream.send("GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}});
        QVERIFY(stream.waitHead());
        HttpClient sse(f.port); // legacy HTTP+SSE
        sse.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
        SseEvent endpoint;
        QVERIFY(sse.waitEvent("endpoint", 5000, &endpoint));
        HttpClient post(f.port);
        post.request("POST", endpoint.data, {{"Content-Type", "application/json"}},
                     rpc(1, "initialize", initParams("2024-11-05")));
        QVERIFY(sse.waitMessage(1).contains("result"));
        const auto listen = [&f](HttpClient &c, const QJsonObject &filter) {
            c.send("POST", "/mcp", modern("subscriptions/listen"),
                   modernRpc("L", "subscriptions/listen", {{"notifications", filter}}));
            return c.waitEvent("message", 5000);
        };
        HttpClient lists(f.port), toolsOnly(f.port); // 2026 listen streams: one asks for resource lists
        QVERIFY(listen(lists, {{"resourcesListChanged", true}}));
        QCOMPARE(notifications(lists, "notifications/subscriptions/acknowledged")
                     .first()["params"]
                     .toObject()["notifications"]
                     .toObject(),
                 (QJsonObject{{"resourcesListChanged", true}}));
        QVERIFY(listen(toolsOnly, {{"toolsListChanged", true}}));
        const auto heard = [&](int n) {
            return QTest::qWaitFor(
                [&] {
                    return notifications(stream, method).size() >= n && notifications(sse, method).size() >= n
                           && notifications(lists, method).size() >= n;
                },
                3000);
        };

        // A change to an existing record is no list change.
        HttpClient b(f.port);
        const QByteArray other = openSession(b);
        QVERIFY(!call(b, other, 2, "tools/call",
                      {{"name", "trial-site.patch"}, {"arguments", patchArgs("site-boston", 90)}})["result"]
                     .toObject()["isError"]
                     .toBool());
        // Created by another 2025 session.
        const QJsonObject created = call(
            b, other, 3, "tools/call", {{"name", "adverse-event-report.upsert"}, {"arguments", newReport("ae-0200")}});
        QVERIFY(created["result"].toObject()["structuredContent"].toObject()["created"].toBool());
        QVERIFY(heard(1));
        for (const HttpClient *c : {&stream, &sse, &lists})
            QCOMPARE(notifications(*c, method).size(), 1); // not for the patch
        QCOMPARE(notifications(lists, method)
                     .first()["params"]
                     .toObject()["_meta"]
                     .toObject()["io.modelcontextprotocol/subscriptionId"]
                     .toString(),
                 QStringLiteral("L"));
        QVERIFY(uris(call(a, sid, 4, "resources/list", {})["result"].toObject())
                    .contains("s12://adverse-event-report/ae-0200"));
        // Deleted by the console (the operator's tool call), then by a stateless 2026 call.
        QSignalSpy invoked(f.server->admin(), &AdminController::toolInvoked);
        f.server->admin()->invokeTool("op-1", "adverse-event-report.delete",
                                      {{"id", "ae-0200"}, {"expectedVersion", 1}});
        QVERIFY(invoked.wait(3000) || invoked.count() == 1);
        QVERIFY(heard(2));
        HttpClient stateless(f.port);
        QCOMPARE(stateless
                     .request("POST", "/mcp", modern("tools/call", "adverse-event-report.upsert"),
                              modernRpc(5, "tools/call",
                                        {{"name", "adverse-event-report.upsert"}, {"arguments", newReport("ae-0201")}}))
                     .status,
                 200);
        QVERIFY(heard(3));
        QTest::qWait(100);
        QVERIFY(notifications(toolsOnly, method).isEmpty()); // only the streams that asked
        QVERIFY(notifications(toolsOnly, "notifications/tools/list_changed").isEmpty());
    }

    void promptsAndValidation()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const QByteArray sid = openSession(c);
        QStringList names;
        for (const QJsonValue p : call(c, sid, 1, "prompts/list")["result"].toObject()["prompts"].toArray()) {
            names << p["name"].toString();
            QCOMPARE(p["arguments"].toArray().size(), 1);
            QVERIFY(p["arguments"].toArray().at(0)["required"].toBool());
        }
        QCOMPARE(names, (QStringList{"adverse-event-triage", "site-monitoring-summary"}));

        const QJsonObject triage
            = call(c, sid, 2, "prompts/get",
                   {{"name", "adverse-event-triage"}, {"arguments", QJsonObject{{"reportId", "ae-0001"}}}})["result"]
                  .toObject();
        QStringList embedded;
        QString instructions;
        for (const QJsonValue m : triage["messages"].toArray()) {
            QCOMPARE(m["role"].toString(), QStringLiteral("user"));
            const QJsonObject content = m["content"].toObject();
            if (content["type"].toString() == "resource")
                embedded << content["resource"].toObject()["uri"].toString();
            else
                instructions += content["text"].toString();
        }
        QCOMPARE(embedded, (QStringList{"s12://adverse-event-report/ae-0001", "s12://trial-site/site-boston"}));
        QVERIFY(instructions.contains("safety reviewer"));
        QVERIFY(triage["description"].toString().contains("ae-0001"));

        const QJsonObject summary = call(c, sid, 3, "prompts/get",
                                         {{"name", "site-monitoring-summary"},
                                          {"arguments", QJsonObject{{"siteId", "site-boston"}}}})["result"]
                                        .toObject();
        QStringList summaryUris;
        for (const QJsonValue m : summary["messages"].toArray())
            if (m["content"]["type"].toString() == "resource")
                summaryUris << m["content"]["resource"]["uri"].toString();
        QCOMPARE(summaryUris.first(), QStringLiteral("s12://trial-site/site-boston"));
        QVERIFY(summaryUris.contains("s12://monitoring-note/note-0001"));
        QVERIFY(summaryUris.contains("s12://participant-visit/visit-0001"));
        QVERIFY(!summaryUris.contains("s12://adverse-event-report/ae-0001")); // Closed: not an open event
        for (const QString &u : summaryUris)
            QVERIFY(!u.startsWith("s12://trial-site/") || u == "s12://trial-site/site-boston");
        QVERIFY(!summaryUris.contains("s12://participant-visit/visit-0004")); // Lyon's
        // Lyon has an open event (Investigating): it is embedded.
        const QByteArray lyon = QJsonDocument(call(c, sid, 4, "prompts/get",
                                                   {{"name", "site-monitoring-summary"},
                                                    {"arguments", QJsonObject{{"siteId", "site-lyon"}}}}))
                                    .toJson();
        QVERIFY(lyon.contains("s12://adverse-event-report/ae-0002"));

        // Clear -32602 errors naming the argument.
        const QList<QPair<QJsonObject, QString>> bad{
            {QJsonObject{{"name", "adverse-event-triage"}}, "argument 'reportId' is required"},
            {QJsonObject{{"name", "adverse-event-triage"}, {"arguments", QJsonObject{{"reportId", 7}}}},
             "must be a non-empty string"},
            {QJsonObject{{"name", "adverse-event-triage"}, {"arguments", QJsonObject{{"reportId", "ae-9999"}}}},
             "no AdverseEventReport 'ae-9999'"},
            {QJsonObject{{"name", "adverse-event-triage"},
                         {"arguments", QJsonObject{{"reportId", "ae-0001"}, {"siteId", "x"}}}},
             "unknown argument 'siteId'"},
            {QJsonObject{{"name", "site-monitoring-summary"}, {"arguments", "site-boston"}}, "must be an object"},
            {QJsonObject{{"name", "no-such-prompt"}}, "unknown prompt 'no-such-prompt'"},
            {QJsonObject{}, "'name' must be a non-empty string"},
        };
        int id = 10;
        for (const auto &[params, message] : bad) {
            const QJsonObject e = errorOf(call(c, sid, id++, "prompts/get", params));
            QCOMPARE(e["code"].toInt(), -32602);
            QVERIFY2(e["message"].toString().contains(message), qPrintable(e["message"].toString()));
        }
        // 2026-07-28 too.
        const HttpResponse r = c.request(
            "POST", "/mcp", modern("prompts/get", "adverse-event-triage"),
            modernRpc(40, "prompts/get",
                      {{"name", "adverse-event-triage"}, {"arguments", QJsonObject{{"reportId", "ae-0002"}}}}));
        QCOMPARE(r.json()["result"].toObject()["resultType"].toString(), QStringLiteral("complete"));
        QVERIFY(QJsonDocument(r.json()).toJson().contains("s12://adverse-event-report/ae-0002"));
    }

    void completionOffersIds()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const QByteArray sid = openSession(c);
        const auto complete = [&](const QJsonObject &ref, const QString &arg, const QString &value) -> QJsonValue {
            return call(c, sid, 1, "completion/complete",
                        {{"ref", ref}, {"argument", QJsonObject{{"name", arg}, {"value", value}}}});
        };
        const QJsonObject triage{{"type", "ref/prompt"}, {"name", "adverse-event-triage"}};
        QCOMPARE(complete(triage, "reportId", "ae-")["result"]["completion"]["values"].toArray(),
                 (QJsonArray{"ae-0001", "ae-0002"}));
        QCOMPARE(complete(triage, "reportId", "ae-0002")["result"]["completion"]["values"].toArray(),
                 (QJsonArray{"ae-0002"}));
        QCOMPARE(complete(triage, "reportId", "zz")["result"]["completion"]["total"].toInt(), 0);
        const QJsonObject sites = complete(QJsonObject{{"type", "ref/prompt"}, {"name", "site-monitoring-summary"}},
                                           "siteId", "site-")["result"]["completion"]
                                      .toObject();
        QCOMPARE(sites["values"].toArray(), (QJsonArray{"site-boston", "site-lyon", "site-osaka"}));
        QCOMPARE(sites["hasMore"].toBool(), false);
        // A resource template's variable.
        QCOMPARE(complete(QJsonObject{{"type", "ref/resource"}, {"uri", "s12://monitoring-note/{id}"}}, "id",
                          "note")["result"]["completion"]["values"]
                     .toArray()
                     .size(),
                 2);
        // A record written a moment ago is offered.
        call(c, sid, 2, "tools/call",
             {{"name", "adverse-event-report.upsert"},
              {"arguments", QJsonObject{{"model", QJsonObject{{"id", "ae-0100"},
                                                              {"trialSiteId", "site-boston"},
                                                              {"participantId", "P-7"},
                                                              {"severity", "Moderate"},
                                                              {"description", "Rash"},
                                                              {"onsetDate", "2026-11-20"}}}}}});
        QCOMPARE(complete(triage, "reportId", "ae-01")["result"]["completion"]["values"].toArray(),
                 (QJsonArray{"ae-0100"}));
        QCOMPARE(errorOf(complete(QJsonObject{{"type", "ref/prompt"}, {"name", "nope"}}, "x", ""))["code"].toInt(),
                 -32602);
        QCOMPARE(errorOf(complete(QJsonObject{{"type", "ref/other"}}, "x", ""))["code"].toInt(), -32602);
        QCOMPARE(errorOf(call(c, sid, 3, "completion/complete", {{"ref", triage}}))["code"].toInt(), -32602);
    }

    void changesAcrossReplicasOnPostgres()
    {
        // Two servers on one PostgreSQL database (replicas): a write through one reaches the
        // subscribers of both (LISTEN koan_changes); after the database restarts, the listeners
        // reconnect and every subscriber is told to re-read.
        KOAN_FRESH_POSTGRES_ON(pg, url);
        McpServerOptions o;
        o.databaseUrl = url;
        ServerFixture one(o), two(o);
        QVERIFY2(one.ok && two.ok, qPrintable(one.problems + two.problems));
        const QString uri = "s12://trial-site/site-osaka";
        const auto subscriber = [&uri](ServerFixture &f, HttpClient &c, HttpClient &stream) {
            const QByteArray sid = openSession(c);
            QVERIFY(call(c, sid, 1, "resources/subscribe", {{"uri", uri}})["result"].isObject());
            stream.send("GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}});
            QVERIFY(stream.waitHead());
            Q_UNUSED(f)
        };
        HttpClient c1(one.port), s1(one.port), c2(two.port), s2(two.port);
        subscriber(one, c1, s1);
        subscriber(two, c2, s2);
        HttpClient listen(two.port);
        listen.send("POST", "/mcp", modern("subscriptions/listen"),
                    modernRpc("pg", "subscriptions/listen",
                              {{"notifications", QJsonObject{{"resourceSubscriptions", QJsonArray{uri}}}}}));
        QVERIFY(listen.waitEvent("message", 5000));

        HttpClient writer(one.port);
        const QByteArray wsid = openSession(writer);
        QVERIFY(!call(writer, wsid, 2, "tools/call",
                      {{"name", "trial-site.patch"}, {"arguments", patchArgs("site-osaka", 11)}})["result"]
                     .toObject()["isError"]
                     .toBool());
        QElapsedTimer t;
        t.start();
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(s2, uri); }, 3000));
        QVERIFY2(t.elapsed() < 500, qPrintable(QString::number(t.elapsed())));
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(s1, uri) && updatedFor(listen, uri); }, 3000));
        QTest::qWait(200);
        QCOMPARE(notifications(s2, "notifications/resources/updated").size(), 1); // once, not per replica
        QCOMPARE(notifications(s1, "notifications/resources/updated").size(), 1);

        // The database restarts: the listeners reconnect and tell every subscriber to re-read.
        QVERIFY(pg->stop());
        QTest::qWait(1500); // down for longer than the listener's probe interval
        QString why;
        QVERIFY2(pg->restart(&why), qPrintable(why));
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(s2, uri, 2); }, 15000));
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(s1, uri, 2); }, 15000));
        // And changes flow again.
        QVERIFY(!call(writer, wsid, 4, "tools/call",
                      {{"name", "trial-site.patch"}, {"arguments", patchArgs("site-osaka", 12)}})["result"]
                     .toObject()["isError"]
                     .toBool());
        QVERIFY(QTest::qWaitFor([&] { return updatedFor(s2, uri, 3); }, 5000));
    }

    void endedSessionsAreForgotten()
    {
        // The bridge keeps initialized sessions for publish(); ended ones must not pile up
        // (their memory stays allocated while anything holds a weak_ptr to them).
        RpcBridge bridge;
        for (int i = 0; i < 50; ++i) {
            auto s = std::make_shared<McpSession>(QString::number(i), TransportKind::StreamableHttp, Principal{});
            bridge.handle(
                rpc(1, "initialize", initParams("2025-11-25")), s, [](const QJsonObject &) {},
                [](const QJsonValue &) {});
        }
        auto live = std::make_shared<McpSession>("live", TransportKind::StreamableHttp, Principal{});
        bridge.handle(
            rpc(1, "initialize", initParams("2025-11-25")), live, [](const QJsonObject &) {},
            [](const QJsonValue &) {});
        QCOMPARE(bridge.trackedSessions(), 1);
    }

    void stdioReadsAndSubscribes()
    {
        QTemporaryDir dir;
        QProcess p;
        QProcessEnvironment env = isolatedEnvironment(dir.path());
        env.remove("DISPLAY");
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"--stdio", "--db", dir.filePath("stdio.sqlite")});
        QVERIFY(p.waitForStarted(5000));
        QByteArray out;
        const auto lines = [&] {
            out += p.readAllStandardOutput();
            QList<QJsonObject> all;
            for (const QByteArray &l : out.split('\n'))
                if (!l.isEmpty())
                    all << QJsonDocument::fromJson(l).object();
            return all;
        };
        const auto exchange
            = [&](const QJsonValue &id, const QString &method, const QJsonObject &params = {}) -> QJsonValue {
            p.write(rpc(id, method, params) + '\n');
            QJsonObject found;
            (void)QTest::qWaitFor(
                [&] {
                    for (const QJsonObject &o : lines())
                        if (o.value("id") == id && !o.contains("method"))
                            found = o;
                    return !found.isEmpty();
                },
                5000);
            return found;
        };
        QVERIFY(exchange(1, "initialize", initParams("2025-11-25"))["result"].isObject());
        p.write(rpc(QJsonValue::Undefined, "notifications/initialized") + '\n');
        const QJsonValue read = exchange(2, "resources/read", {{"uri", "s12://monitoring-note/note-0001"}});
        QCOMPARE(read["result"]["_meta"]["version"].toInt(), 1);
        QVERIFY(exchange(3, "resources/subscribe", {{"uri", "s12://trial-site/site-boston"}})["result"].isObject());
        QVERIFY(
            !exchange(4, "tools/call",
                      {{"name", "trial-site.patch"}, {"arguments", patchArgs("site-boston", 95)}})["result"]["isError"]
                 .toBool());
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const QJsonObject &o : lines())
                    if (o["method"].toString() == "notifications/resources/updated"
                        && o["params"]["uri"].toString() == "s12://trial-site/site-boston")
                        return true;
                return false;
            },
            3000));
        // A created record changes the resource list (the patch above did not).
        const auto listChanged = [&] {
            for (const QJsonObject &o : lines())
                if (o["method"].toString() == "notifications/resources/list_changed")
                    return true;
            return false;
        };
        QVERIFY(!listChanged());
        QVERIFY(exchange(6, "tools/call",
                         {{"name", "adverse-event-report.upsert"},
                          {"arguments", newReport("ae-0300")}})["result"]["structuredContent"]["created"]
                    .toBool());
        QVERIFY(QTest::qWaitFor(listChanged, 3000));
        const QJsonValue prompt = exchange(
            5, "prompts/get", {{"name", "adverse-event-triage"}, {"arguments", QJsonObject{{"reportId", "ae-0002"}}}});
        QVERIFY(prompt["result"]["messages"].toArray().size() >= 3);
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
    }
};

QTEST_GUILESS_MAIN(TestHttpResources)
#include "tst_http_resources.moc"
