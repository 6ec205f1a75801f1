// MCP 2026-07-28 (stateless) beside 2025-11-25 on /mcp, over real loopback HTTP: the era rules
// (core/ProtocolEra.h), server/discover, the required _meta keys, the mirrored headers, the
// version, client capabilities, removed methods, result stamps and logging by _meta logLevel.
#include "core/ProtocolEra.h"
#include "fixtures/FixturePacks.h"
#include "sessions/SessionManager.h"
#include "support/HttpClient.h"
#include "support/ServerFixture.h"

#include <QJsonArray>
#include <QSignalSpy>

using namespace koan;
using namespace koan::test;

namespace {
using Headers = QList<QPair<QByteArray, QByteArray>>;
const QString kVersion = QStringLiteral("2026-07-28");

QJsonObject meta(const QJsonObject &capabilities = {}, const QString &version = kVersion)
{
    return {{"io.modelcontextprotocol/protocolVersion", version},
            {"io.modelcontextprotocol/clientCapabilities", capabilities},
            {"io.modelcontextprotocol/clientInfo", QJsonObject{{"name", "tst_http_modern"}, {"version", "1"}}}};
}
QJsonObject withMeta(QJsonObject params, const QJsonObject &m = meta())
{
    params.insert("_meta", m);
    return params;
}
// The headers a conforming 2026-07-28 client sends: MCP-Protocol-Version, Mcp-Method, Mcp-Name.
Headers modern(const QByteArray &method, const QByteArray &name = {}, const QByteArray &version = "2026-07-28")
{
    Headers h{{"Content-Type", "application/json"},
              {"Accept", "application/json, text/event-stream"},
              {"MCP-Protocol-Version", version},
              {"Mcp-Method", method}};
    if (!name.isNull())
        h.append({"Mcp-Name", name});
    return h;
}
Headers without(Headers h, const QByteArray &name)
{
    h.erase(std::remove_if(h.begin(), h.end(),
                           [&name](const auto &p) { return p.first.compare(name, Qt::CaseInsensitive) == 0; }),
            h.end());
    return h;
}
Headers replaced(Headers h, const QByteArray &name, const QByteArray &value)
{
    h = without(h, name);
    h.append({name, value});
    return h;
}
int code(const QJsonObject &answer)
{
    return answer["error"].toObject()["code"].toInt();
}
QList<QJsonObject> messages(const HttpResponse &r)
{
    QList<QJsonObject> out;
    if (r.header("Content-Type").startsWith("application/json"))
        return {r.json()};
    for (const SseEvent &e : r.events())
        out << QJsonDocument::fromJson(e.data).object();
    return out;
}
void installConformance(McpServer &s)
{
    fixtures::install(QStringLiteral("conformance"), s.bridge(), &s);
}
} // namespace

class TestHttpModern : public QObject
{
    Q_OBJECT

private slots:
    void eraRulesAlone()
    {
        const QJsonObject modernCall{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}, {"params", withMeta({})}};
        const QJsonObject bare{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}};
        const QJsonObject init{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", initParams()}};
        const QJsonObject legacyMeta{{"jsonrpc", "2.0"},
                                     {"id", 1},
                                     {"method", "tools/call"},
                                     {"params", QJsonObject{{"_meta", QJsonObject{{"progressToken", 7}}}}}};
        // 1. a named session is legacy, whatever the body says
        QCOMPARE(selectEra({true, modernCall, kVersion}), ProtocolEra::Legacy);
        // 2. initialize without modern _meta
        QCOMPARE(selectEra({false, init, kVersion}), ProtocolEra::Legacy);
        QJsonObject modernInit = init;
        modernInit["params"] = withMeta(initParams());
        QCOMPARE(selectEra({false, modernInit, kVersion}), ProtocolEra::Modern);
        // 3. no modern _meta with no header or a 2025-era one
        QCOMPARE(selectEra({false, bare, std::nullopt}), ProtocolEra::Legacy);
        for (const char *v : {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2025-01-01"})
            QCOMPARE(selectEra({false, bare, QString::fromLatin1(v)}), ProtocolEra::Legacy);
        QCOMPARE(selectEra({false, legacyMeta, QStringLiteral("2025-11-25")}), ProtocolEra::Legacy);
        // 4. everything else
        QCOMPARE(selectEra({false, bare, kVersion}), ProtocolEra::Modern);
        QCOMPARE(selectEra({false, bare, QStringLiteral("v999.0.0")}), ProtocolEra::Modern);
        QCOMPARE(selectEra({false, modernCall, std::nullopt}), ProtocolEra::Modern);
        QCOMPARE(selectEra({false, modernCall, QStringLiteral("2025-11-25")}), ProtocolEra::Modern);
        // batches are legacy (the modern era has none)
        QCOMPARE(selectEra({false, QJsonArray{modernCall}, kVersion}), ProtocolEra::Legacy);
    }

    void headerValues()
    {
        QCOMPARE(ModernEra::headerValue("  get_weather \t").value(), QStringLiteral("get_weather"));
        QCOMPARE(ModernEra::headerValue("=?base64?SGVsbG8sIOS4lueVjA==?=").value(), QStringLiteral("Hello, 世界"));
        QVERIFY(!ModernEra::headerValue("=?base64?!!!?=").has_value());
        QVERIFY(!ModernEra::headerValue("caf\xc3\xa9").has_value()); // raw non-ASCII
        QVERIFY(!ModernEra::headerValue("a\x01z").has_value());
        // Strict Base64: padding required, the standard alphabet only.
        QCOMPARE(ModernEra::headerValue("=?base64?SGVsbG8=?=").value(), QStringLiteral("Hello"));
        QVERIFY(!ModernEra::headerValue("=?base64?SGVsbG8?=").has_value());
        QVERIFY(!ModernEra::headerValue("=?base64?SGVs!!!bG8=?=").has_value());
        QVERIFY(!ModernEra::headerValue("=?base64?SGVs=bG8=?=").has_value());
        // Without the whole sentinel a value is literal.
        QCOMPARE(ModernEra::headerValue("=?base64?SGVsbG8=").value(), QStringLiteral("=?base64?SGVsbG8="));
    }

    void legacyTrafficIsUnchanged()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        // No session, no _meta, no header or a 2025 one: the legacy answer of today.
        for (const QByteArray &version : {QByteArray(), QByteArray("2025-11-25"), QByteArray("2025-06-18")}) {
            Headers h = streamableHeaders();
            if (!version.isEmpty())
                h.append({"MCP-Protocol-Version", version});
            const HttpResponse r = c.request("POST", "/mcp", h, rpc(1, "tools/list"));
            QCOMPARE(r.status, 400);
            QVERIFY(r.json()["error"].toObject()["message"].toString().contains("Mcp-Session-Id"));
        }
        // initialize starts a session; the session then works as before.
        HttpResponse r = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams("2025-11-25")));
        QCOMPARE(r.status, 200);
        const QByteArray sid = r.header("Mcp-Session-Id");
        QCOMPARE(sid.size(), 32);
        r = c.request("POST", "/mcp", streamableHeaders(sid), rpc(2, "tools/list"));
        QCOMPARE(r.status, 200);
        QVERIFY(!rpcAnswer(r)["result"].toObject().contains("resultType")); // no 2026 stamps on a session
        // A session with a 2026 header stays legacy and is refused as before.
        r = c.request("POST", "/mcp", replaced(streamableHeaders(sid), "MCP-Protocol-Version", "2026-07-28"),
                      rpc(3, "tools/list", withMeta({})));
        QCOMPARE(r.status, 400);
        QVERIFY(r.json()["error"].toObject()["message"].toString().contains("Unsupported protocol version"));
        QCOMPARE(f.sessions()->sessionCount(), 1);
    }

    void statelessCallsHoldNoSession()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        HttpResponse r = c.request("POST", "/mcp", modern("tools/list"), rpc(1, "tools/list", withMeta({})));
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("Mcp-Session-Id").isEmpty());
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        const QJsonObject list = r.json()["result"].toObject();
        QCOMPARE(list["resultType"].toString(), QStringLiteral("complete"));
        QVERIFY(list["ttlMs"].isDouble() && list["ttlMs"].toInt() >= 0);
        QCOMPARE(list["cacheScope"].toString(), QStringLiteral("public")); // no token: the same for everyone
        QCOMPARE(list["tools"].toArray().size(), 51);                      // ten tools per entity and audit.export
        // Deterministic order.
        const QJsonArray again = c.request("POST", "/mcp", modern("tools/list"), rpc(2, "tools/list", withMeta({})))
                                     .json()["result"]
                                     .toObject()["tools"]
                                     .toArray();
        QCOMPARE(again, list["tools"].toArray());

        r = c.request(
            "POST", "/mcp", modern("tools/call", "trial-site.get-by-id"),
            rpc(3, "tools/call",
                withMeta({{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-osaka"}}}})));
        QCOMPARE(r.status, 200);
        const QJsonObject result = r.json()["result"].toObject();
        QCOMPARE(result["resultType"].toString(), QStringLiteral("complete"));
        QVERIFY(!result.contains("ttlMs")); // tools/call results are not cacheable
        QCOMPARE(result["structuredContent"].toObject()["item"].toObject()["id"].toString(),
                 QStringLiteral("site-osaka"));
        // Unknown tool: a JSON-RPC error with 200, the id echoed.
        r = c.request("POST", "/mcp", modern("tools/call", "no-such-tool"),
                      rpc("abc", "tools/call", withMeta({{"name", "no-such-tool"}})));
        QCOMPARE(r.status, 200);
        QCOMPARE(code(r.json()), -32602);
        QCOMPARE(r.json()["id"].toString(), QStringLiteral("abc"));
        // Notifications are accepted.
        r = c.request("POST", "/mcp", modern("notifications/cancelled"),
                      rpc(QJsonValue::Undefined, "notifications/cancelled", withMeta({{"requestId", 1}})));
        QCOMPARE(r.status, 202);
        QCOMPARE(f.sessions()->sessionCount(), 0);
    }

    void statelessCallersAreListedNotSessions()
    {
        // The stateless era opens no session, but the console lists who calls: one row per caller
        // (issuer, subject, client, address) with a request count, and one per open listen stream,
        // which the operator can disconnect. None of them is a session or counts as one in metrics.
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        QSignalSpy opened(f.sessions(), &SessionManager::sessionOpened);
        QSignalSpy closedRows(f.sessions(), &SessionManager::sessionClosed);
        HttpClient c(f.port);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(c.request("POST", "/mcp", modern("tools/list"), rpc(i, "tools/list", withMeta({}))).status, 200);
        // Another client name from the same address is another caller.
        QJsonObject other = meta();
        other["io.modelcontextprotocol/clientInfo"] = QJsonObject{{"name", "other-agent"}, {"version", "2"}};
        QCOMPARE(c.request("POST", "/mcp", modern("tools/list"), rpc(9, "tools/list", withMeta({}, other))).status,
                 200);
        const auto rowsOf = [&f](SessionKind kind) {
            QList<SessionInfo> out;
            for (const SessionInfo &s : f.sessions()->snapshot())
                if (s.kind == kind)
                    out << s;
            return out;
        };
        QList<SessionInfo> callers = rowsOf(SessionKind::StatelessCaller);
        QCOMPARE(callers.size(), 2);
        std::sort(callers.begin(), callers.end(),
                  [](const SessionInfo &a, const SessionInfo &b) { return a.clientName > b.clientName; });
        QCOMPARE(callers[0].clientName, QStringLiteral("tst_http_modern"));
        QCOMPARE(callers[0].messagesIn, qint64(3));
        QCOMPARE(callers[0].protocolVersion, kVersion);
        QCOMPARE(callers[0].transport, TransportKind::StreamableHttp);
        QVERIFY(callers[0].remote.startsWith("127.0.0.1:"));
        QVERIFY(callers[0].id.startsWith("caller-"));
        QCOMPARE(callers[1].clientName, QStringLiteral("other-agent"));
        QCOMPARE(callers[1].messagesIn, qint64(1));
        QCOMPARE(opened.size(), 2); // once per caller, not per request
        QCOMPARE(f.sessions()->sessionCount(), 0);

        // A listen stream is a row while it is open; the operator's disconnect ends it.
        HttpClient listener(f.port);
        listener.send(
            "POST", "/mcp", modern("subscriptions/listen"),
            rpc(7, "subscriptions/listen", withMeta({{"notifications", QJsonObject{{"toolsListChanged", true}}}})));
        QVERIFY(listener.waitEvent("message"));
        const QList<SessionInfo> streams = rowsOf(SessionKind::ListenStream);
        QCOMPARE(streams.size(), 1);
        QVERIFY(streams[0].id.startsWith("listen-"));
        QCOMPARE(streams[0].openStreams, 1);
        QCOMPARE(streams[0].clientName, QStringLiteral("tst_http_modern"));
        QVERIFY(f.sessions()->disconnectSession(streams[0].id));
        QVERIFY(listener.waitClosed());
        QTRY_VERIFY(rowsOf(SessionKind::ListenStream).isEmpty());
        QVERIFY(!closedRows.isEmpty());
        QCOMPARE(closedRows.constLast().at(0).toString(), streams[0].id);
        // A caller row has nothing to disconnect.
        QVERIFY(!f.sessions()->disconnectSession(callers[0].id));
        // The metrics count sessions only.
        const QByteArray metrics = HttpClient(f.port).request("GET", "/metrics").body;
        QVERIFY2(metrics.contains("koan_mcp_sessions_opened_total{transport=\"StreamableHttp\"} 0\n"),
                 metrics.constData());
    }

    void discover()
    {
        ServerFixture f({}, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const HttpResponse r
            = c.request("POST", "/mcp", modern("server/discover"), rpc(201, "server/discover", withMeta({})));
        QCOMPARE(r.status, 200);
        const QJsonObject d = r.json()["result"].toObject();
        QCOMPARE(d["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(d["supportedVersions"].toArray(), (QJsonArray{"2026-07-28", "2025-11-25"}));
        QCOMPARE(d["cacheScope"].toString(), QStringLiteral("public"));
        QVERIFY(d["ttlMs"].toInt() > 0);
        const QJsonObject info = d["_meta"].toObject()["io.modelcontextprotocol/serverInfo"].toObject();
        QCOMPARE(info["name"].toString(), QStringLiteral("koan-mcp"));
        QVERIFY(!info["version"].toString().isEmpty());
        // Capabilities match the handlers: prompts and resources are served, and list changes
        // reach subscriptions/listen streams.
        const QJsonObject caps = d["capabilities"].toObject();
        QVERIFY(caps.contains("tools") && caps.contains("prompts") && caps.contains("resources"));
        QVERIFY(caps["tools"].toObject()["listChanged"].toBool());
        QVERIFY(caps["prompts"].toObject()["listChanged"].toBool());
        QCOMPARE(c.request("POST", "/mcp", modern("prompts/list"), rpc(3, "prompts/list", withMeta({}))).status, 200);
        // /mcp/capabilities describes both eras on the one endpoint.
        const QJsonArray eras = c.request("GET", "/mcp/capabilities").json()["protocolEras"].toArray();
        QCOMPARE(eras.size(), 2);
        QCOMPARE(eras[0]["era"].toString(), QStringLiteral("modern"));
        QCOMPARE(eras[0]["versions"].toArray(), (QJsonArray{"2026-07-28"}));
        QVERIFY(eras[0]["stateless"].toBool());
        QCOMPARE(eras[1]["era"].toString(), QStringLiteral("legacy"));
        QVERIFY(eras[1]["versions"].toArray().contains("2025-11-25"));
        QCOMPARE(eras[0]["endpoint"], eras[1]["endpoint"]);
        // clientInfo is optional.
        QJsonObject noInfo = meta();
        noInfo.remove("io.modelcontextprotocol/clientInfo");
        QCOMPARE(c.request("POST", "/mcp", modern("server/discover"), rpc(4, "server/discover", withMeta({}, noInfo)))
                     .status,
                 200);
    }

    void metaRejections()
    {
        ServerFixture f;
        HttpClient c(f.port);
        QJsonObject noVersion = meta(), noCaps = meta();
        noVersion.remove("io.modelcontextprotocol/protocolVersion");
        noCaps.remove("io.modelcontextprotocol/clientCapabilities");
        const QList<QPair<int, QJsonObject>> cases{
            {101, QJsonObject{}}, {102, withMeta({}, noVersion)}, {104, withMeta({}, noCaps)}};
        for (const auto &[id, params] : cases) {
            const HttpResponse r
                = c.request("POST", "/mcp", modern("server/discover"), rpc(id, "server/discover", params));
            QCOMPARE(r.status, 400);
            QCOMPARE(code(r.json()), -32602);
            QCOMPARE(r.json()["id"].toInt(), id);
        }
    }

    void headerRejections()
    {
        ServerFixture f({}, installConformance);
        HttpClient c(f.port);
        const QByteArray call = rpc(7, "tools/call", withMeta({{"name", "test_simple_text"}}));
        const Headers good = modern("tools/call", "test_simple_text");
        QCOMPARE(c.request("POST", "/mcp", good, call).status, 200);
        const QList<QPair<const char *, Headers>> bad{
            {"no MCP-Protocol-Version", without(good, "MCP-Protocol-Version")},
            {"no Mcp-Method", without(good, "Mcp-Method")},
            {"no Mcp-Name", without(good, "Mcp-Name")},
            {"Mcp-Method of another method", replaced(good, "Mcp-Method", "tools/list")},
            {"Mcp-Method in other case", replaced(good, "Mcp-Method", "TOOLS/CALL")},
            {"Mcp-Name of another tool", replaced(good, "Mcp-Name", "test_error_handling")},
            {"Mcp-Name in other case", replaced(good, "Mcp-Name", "TEST_SIMPLE_TEXT")},
            {"broken base64", replaced(good, "Mcp-Name", "=?base64?***?=")},
            {"base64 of another name", replaced(good, "Mcp-Name", "=?base64?b3RoZXI=?=")},
            {"header version differs from _meta", replaced(good, "MCP-Protocol-Version", "2025-11-25")},
        };
        for (const auto &[what, headers] : bad) {
            const HttpResponse r = c.request("POST", "/mcp", headers, call);
            QVERIFY2(r.status == 400, what);
            QVERIFY2(code(r.json()) == -32020, what);
            QCOMPARE(r.json()["id"].toInt(), 7);
        }
        // Header names are case-insensitive; optional whitespace is trimmed; base64 is decoded.
        Headers lower{{"content-type", "application/json"},
                      {"accept", "application/json, text/event-stream"},
                      {"mcp-protocol-version", "2026-07-28"},
                      {"mcp-method", "tools/call"},
                      {"mcp-name", "  test_simple_text  "}};
        QCOMPARE(c.request("POST", "/mcp", lower, call).status, 200);
        QCOMPARE(c.request("POST", "/mcp",
                           replaced(good, "Mcp-Name", "=?base64?" + QByteArray("test_simple_text").toBase64() + "?="),
                           call)
                     .status,
                 200);
        // Mcp-Name mirrors params.uri on resources/read.
        const QByteArray read = rpc(8, "resources/read", withMeta({{"uri", "test://static-text"}}));
        QCOMPARE(c.request("POST", "/mcp", modern("resources/read", "test://static-text"), read).status, 200);
        QCOMPARE(c.request("POST", "/mcp", modern("resources/read", "test://other"), read).status, 400);
    }

    void paramHeaders()
    {
        // x-mcp-header (SEP-2243): test_x_mcp_header mirrors region, priority and urgent into
        // Mcp-Param-Region, -Priority and -Urgent; the server checks each against the body.
        ServerFixture f({}, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const auto call = [&c](const QJsonObject &arguments, const Headers &params) {
            Headers h = modern("tools/call", "test_x_mcp_header");
            h += params;
            return c.request("POST", "/mcp", h,
                             rpc(9, "tools/call", withMeta({{"name", "test_x_mcp_header"}, {"arguments", arguments}})));
        };
        const QJsonObject region{{"region", "eu-west1"}};
        // Accepted: equal values, any header-name case, Base64 decoded, integers numerically,
        // a literal that only looks like the sentinel, and Mcp-Param headers the schema does not name.
        const QList<QPair<QJsonObject, Headers>> good{
            {region, {{"Mcp-Param-Region", "eu-west1"}}},
            {region, {{"mcp-param-region", " eu-west1 "}}},
            {{{"region", "Zürich"}},
             {{"Mcp-Param-Region", "=?base64?" + QString("Zürich").toUtf8().toBase64() + "?="}}},
            {{{"region", "=?base64?SGVsbG8="}}, {{"Mcp-Param-Region", "=?base64?SGVsbG8="}}},
            {{{"region", "eu"}, {"priority", 42}}, {{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Priority", "42"}}},
            {{{"region", "eu"}, {"priority", 42}}, {{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Priority", "42.0"}}},
            {{{"region", "eu"}, {"urgent", false}}, {{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Urgent", "false"}}},
            {region, {{"Mcp-Param-Region", "eu-west1"}, {"Mcp-Param-Tenant", "acme"}}},
        };
        for (const auto &[arguments, params] : good) {
            const HttpResponse r = call(arguments, params);
            QVERIFY2(r.status == 200, r.body.constData());
            QCOMPARE(r.json()["result"].toObject()["content"].toArray()[0].toObject()["text"].toString(),
                     "region=" + arguments["region"].toString());
        }
        // A null argument needs no header (the tool's own schema then refuses null: an isError result).
        const HttpResponse nulled
            = call({{"region", "eu"}, {"priority", QJsonValue::Null}}, {{"Mcp-Param-Region", "eu"}});
        QCOMPARE(nulled.status, 200);
        QVERIFY(nulled.json()["result"].toObject()["isError"].toBool());
        // Refused with 400 / -32020, naming the header, the argument and why.
        struct Bad {
            const char *what;
            QJsonObject arguments;
            Headers params;
            QString header, argument, reason;
        };
        const QList<Bad> bad{
            {"header omitted", region, {}, "Mcp-Param-Region", "region", "missing"},
            {"other value", region, {{"Mcp-Param-Region", "us-east1"}}, "Mcp-Param-Region", "region", "mismatch"},
            {"other case", region, {{"Mcp-Param-Region", "EU-WEST1"}}, "Mcp-Param-Region", "region", "mismatch"},
            {"Base64 of another value",
             region,
             {{"Mcp-Param-Region", "=?base64?SGVsbG8=?="}},
             "Mcp-Param-Region",
             "region",
             "mismatch"},
            {"Base64 without padding",
             region,
             {{"Mcp-Param-Region", "=?base64?SGVsbG8?="}},
             "Mcp-Param-Region",
             "region",
             "invalid"},
            {"Base64 with foreign characters",
             region,
             {{"Mcp-Param-Region", "=?base64?SGVs!!!bG8=?="}},
             "Mcp-Param-Region",
             "region",
             "invalid"},
            {"raw non-ASCII",
             {{"region", "Zürich"}},
             {{"Mcp-Param-Region", "Z\xc3\xbcrich"}},
             "Mcp-Param-Region",
             "region",
             "invalid"},
            {"sent twice",
             region,
             {{"Mcp-Param-Region", "eu-west1"}, {"Mcp-Param-Region", "us-east1"}},
             "Mcp-Param-Region",
             "region",
             "repeated"},
            {"integer differs",
             {{"region", "eu"}, {"priority", 42}},
             {{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Priority", "43"}},
             "Mcp-Param-Priority",
             "priority",
             "mismatch"},
            {"integer not a number",
             {{"region", "eu"}, {"priority", 42}},
             {{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Priority", "forty-two"}},
             "Mcp-Param-Priority",
             "priority",
             "mismatch"},
            {"boolean in other case",
             {{"region", "eu"}, {"urgent", true}},
             {{"Mcp-Param-Region", "eu"}, {"Mcp-Param-Urgent", "True"}},
             "Mcp-Param-Urgent",
             "urgent",
             "mismatch"},
            {"header without an argument",
             region,
             {{"Mcp-Param-Region", "eu-west1"}, {"Mcp-Param-Priority", "1"}},
             "Mcp-Param-Priority",
             "priority",
             "unexpected"},
        };
        for (const Bad &b : bad) {
            const HttpResponse r = call(b.arguments, b.params);
            QVERIFY2(r.status == 400, b.what);
            const QJsonObject error = r.json()["error"].toObject();
            QVERIFY2(error["code"].toInt() == -32020, b.what);
            QVERIFY2(error["message"].toString().contains(b.header), qPrintable(error["message"].toString()));
            QCOMPARE(r.json()["id"].toInt(), 9);
            const QJsonObject data = error["data"].toObject();
            QCOMPARE(data["header"].toString(), b.header);
            QCOMPARE(data["argument"].toString(), b.argument);
            QVERIFY2(data["reason"].toString() == b.reason, b.what);
        }
        // The tool advertises its annotations as written.
        const QJsonArray tools = c.request("POST", "/mcp", modern("tools/list"), rpc(1, "tools/list", withMeta({})))
                                     .json()["result"]
                                     .toObject()["tools"]
                                     .toArray();
        const auto it = std::find_if(tools.begin(), tools.end(), [](const QJsonValue &t) {
            return t.toObject()["name"].toString() == QLatin1String("test_x_mcp_header");
        });
        QVERIFY(it != tools.end());
        QCOMPARE(it->toObject()["inputSchema"]
                     .toObject()["properties"]
                     .toObject()["region"]
                     .toObject()["x-mcp-header"]
                     .toString(),
                 QStringLiteral("Region"));
        // Tools without x-mcp-header ignore Mcp-Param headers.
        Headers h = modern("tools/call", "test_simple_text");
        h.append(qMakePair(QByteArray("Mcp-Param-Region"), QByteArray("anything")));
        QCOMPARE(c.request("POST", "/mcp", h, rpc(3, "tools/call", withMeta({{"name", "test_simple_text"}}))).status,
                 200);
    }

    void unsupportedVersion()
    {
        ServerFixture f;
        HttpClient c(f.port);
        const HttpResponse r = c.request("POST", "/mcp", modern("server/discover", {}, "v999.0.0"),
                                         rpc(301, "server/discover", withMeta({}, meta({}, "v999.0.0"))));
        QCOMPARE(r.status, 400);
        const QJsonObject error = r.json()["error"].toObject();
        QCOMPARE(error["code"].toInt(), -32022);
        QCOMPARE(error["data"].toObject()["requested"].toString(), QStringLiteral("v999.0.0"));
        QCOMPARE(error["data"].toObject()["supported"].toArray(), (QJsonArray{"2026-07-28", "2025-11-25"}));
        QCOMPARE(r.json()["id"].toInt(), 301);
        // No _meta and a header naming an unknown version: that version is unsupported (and the
        // message lists every version, as the legacy answer did).
        const HttpResponse u = c.request("POST", "/mcp", modern("tools/list", {}, "2099-01-01"), rpc(2, "tools/list"));
        QCOMPARE(u.status, 400);
        QCOMPARE(code(u.json()), -32022);
        QVERIFY(u.json()["error"].toObject()["message"].toString().contains(
            "Unsupported protocol version: 2099-01-01 (supported versions: 2024-11-05, 2025-03-26, 2025-06-18, "
            "2025-11-25, 2026-07-28)"));
        QCOMPARE(u.json()["error"].toObject()["data"].toObject()["requested"].toString(), QStringLiteral("2099-01-01"));
        // Header 2026-07-28, _meta another version: a header mismatch.
        const HttpResponse m = c.request("POST", "/mcp", modern("server/discover"),
                                         rpc(302, "server/discover", withMeta({}, meta({}, "v999.0.0"))));
        QCOMPARE(m.status, 400);
        QCOMPARE(code(m.json()), -32020);
    }

    void missingClientCapability()
    {
        ServerFixture f({}, installConformance);
        HttpClient c(f.port);
        HttpResponse r = c.request("POST", "/mcp", modern("tools/call", "test_missing_capability"),
                                   rpc(401, "tools/call", withMeta({{"name", "test_missing_capability"}})));
        QCOMPARE(r.status, 400);
        QCOMPARE(code(r.json()), -32021);
        QCOMPARE(r.json()["error"].toObject()["data"].toObject()["requiredCapabilities"].toObject(),
                 (QJsonObject{{"sampling", QJsonObject{}}}));
        QCOMPARE(r.json()["id"].toInt(), 401);
        r = c.request("POST", "/mcp", modern("tools/call", "test_missing_capability"),
                      rpc(402, "tools/call",
                          withMeta({{"name", "test_missing_capability"}}, meta({{"sampling", QJsonObject{}}}))));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["result"].toObject()["resultType"].toString(), QStringLiteral("complete"));
    }

    void removedAndUnknownMethods()
    {
        ServerFixture f({}, installConformance);
        HttpClient c(f.port);
        for (const char *method : {"initialize", "ping", "logging/setLevel", "resources/subscribe",
                                   "resources/unsubscribe", "unknown/method"}) {
            const HttpResponse r = c.request("POST", "/mcp", modern(method), rpc(500, method, withMeta({})));
            QVERIFY2(r.status == 404, method);
            QVERIFY2(code(r.json()) == -32601, method);
            QCOMPARE(r.json()["id"].toInt(), 500);
        }
        QCOMPARE(f.sessions()->sessionCount(), 0);
    }

    void listenStreams()
    {
        McpServerOptions o;
        o.maxConcurrentConnections = 2;
        ServerFixture f(o, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const auto open = [](HttpClient &c, const QJsonValue &id, const QJsonObject &filter) {
            c.send("POST", "/mcp", modern("subscriptions/listen"),
                   rpc(id, "subscriptions/listen", withMeta({{"notifications", filter}})));
        };
        const auto notifications = [](const HttpClient &c) {
            QList<QJsonObject> out;
            for (const SseEvent &e : c.events())
                out << QJsonDocument::fromJson(e.data).object();
            return out;
        };
        HttpClient tools(f.port), prompts(f.port), trigger(f.port);
        open(tools, 41, {{"toolsListChanged", true}, {"resourcesListChanged", false}});
        open(prompts, "p", {{"promptsListChanged", true}});
        QVERIFY(tools.waitEvent("message") && prompts.waitEvent("message"));
        QCOMPARE(tools.response().status, 200);
        QCOMPARE(tools.response().header("Content-Type"), QByteArray("text/event-stream"));
        QVERIFY(tools.response().header("Mcp-Session-Id").isEmpty());
        // The acknowledgement comes first, with the subscription id and the honoured filter.
        const QJsonObject ack = notifications(tools).first();
        QCOMPARE(ack["method"].toString(), QStringLiteral("notifications/subscriptions/acknowledged"));
        QCOMPARE(ack["params"].toObject()["_meta"].toObject()["io.modelcontextprotocol/subscriptionId"].toInt(), 41);
        QCOMPARE(ack["params"].toObject()["notifications"].toObject(), (QJsonObject{{"toolsListChanged", true}}));
        // Both streams count against MaxConcurrentConnections (2): a third is refused.
        QCOMPARE(f.sessions()->longLivedStreams(), 2);
        HttpClient third(f.port);
        const HttpResponse refused = third.request("POST", "/mcp", modern("subscriptions/listen"),
                                                   rpc(3, "subscriptions/listen", withMeta({})));
        QCOMPARE(refused.status, 503);

        // A tool list change reaches only the stream that asked for it, tagged with its id.
        QCOMPARE(trigger
                     .request("POST", "/mcp", modern("tools/call", "test_trigger_tool_change"),
                              rpc(5, "tools/call", withMeta({{"name", "test_trigger_tool_change"}})))
                     .status,
                 200);
        QVERIFY(QTest::qWaitFor([&] { return notifications(tools).size() == 2; }, 5000));
        const QJsonObject changed = notifications(tools).last();
        QCOMPARE(changed["method"].toString(), QStringLiteral("notifications/tools/list_changed"));
        QCOMPARE(changed["params"].toObject()["_meta"].toObject()["io.modelcontextprotocol/subscriptionId"].toInt(),
                 41);
        QCOMPARE(trigger
                     .request("POST", "/mcp", modern("tools/call", "test_trigger_prompt_change"),
                              rpc(6, "tools/call", withMeta({{"name", "test_trigger_prompt_change"}})))
                     .status,
                 200);
        QVERIFY(QTest::qWaitFor([&] { return notifications(prompts).size() == 2; }, 5000));
        QCOMPARE(notifications(prompts).last()["method"].toString(),
                 QStringLiteral("notifications/prompts/list_changed"));
        QCOMPARE(notifications(prompts)
                     .last()["params"]
                     .toObject()["_meta"]
                     .toObject()["io.modelcontextprotocol/subscriptionId"]
                     .toString(),
                 QStringLiteral("p"));
        QTest::qWait(100);
        QCOMPARE(notifications(tools).size(), 2); // no prompts change on the tools stream
        for (const QJsonObject &n : notifications(prompts))
            QVERIFY(n["method"].toString() != QLatin1String("notifications/tools/list_changed"));
        // Closing a stream ends its subscription and frees its place.
        tools.socket()->abort();
        QVERIFY(QTest::qWaitFor([&] { return f.sessions()->longLivedStreams() == 1; }, 5000));
        QCOMPARE(f.sessions()->sessionCount(), 0);
    }

    void rejectionAndListenMetrics()
    {
        // /metrics counts the era's own refusals by code and shows the open listen streams.
        ServerFixture f({}, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const auto metric = [&f](const QByteArray &series) {
            const QByteArray text = HttpClient(f.port).request("GET", "/metrics").body;
            const int at = text.indexOf("\n" + series + ' ');
            return at < 0 ? -1.0 : text.mid(at + series.size() + 2).split('\n').first().toDouble();
        };
        const QByteArray headerMismatch = R"(koan_mcp_protocol_rejections_total{code="-32020",era="modern"})";
        const QByteArray missingCapability = R"(koan_mcp_protocol_rejections_total{code="-32021",era="modern"})";
        const QByteArray unsupported = R"(koan_mcp_protocol_rejections_total{code="-32022",era="modern"})";
        const QByteArray listening = R"(koan_mcp_listen_streams{era="modern"})";
        for (const QByteArray &series : {headerMismatch, missingCapability, unsupported, listening})
            QVERIFY2(metric(series) == 0, series.constData()); // there from the first scrape

        HttpClient c(f.port);
        const QByteArray list = rpc(1, "tools/list", withMeta({}));
        QCOMPARE(c.request("POST", "/mcp", without(modern("tools/list"), "Mcp-Method"), list).status, 400);
        QCOMPARE(c.request("POST", "/mcp", modern("tools/call", "test_x_mcp_header"),
                           rpc(2, "tools/call",
                               withMeta({{"name", "test_x_mcp_header"}, {"arguments", QJsonObject{{"region", "eu"}}}})))
                     .status,
                 400); // Mcp-Param-Region missing
        QCOMPARE(c.request("POST", "/mcp", modern("tools/call", "test_missing_capability"),
                           rpc(3, "tools/call", withMeta({{"name", "test_missing_capability"}})))
                     .status,
                 400);
        QCOMPARE(c.request("POST", "/mcp", modern("tools/list", {}, "v999.0.0"),
                           rpc(4, "tools/list", withMeta({}, meta({}, "v999.0.0"))))
                     .status,
                 400);
        QCOMPARE(c.request("POST", "/mcp", modern("tools/list"), list).status, 200); // not counted
        QCOMPARE(metric(headerMismatch), 2.0);
        QCOMPARE(metric(missingCapability), 1.0);
        QCOMPARE(metric(unsupported), 1.0);

        // Two listen streams open, one closed by its client.
        HttpClient a(f.port), b(f.port);
        for (HttpClient *l : {&a, &b}) {
            l->send(
                "POST", "/mcp", modern("subscriptions/listen"),
                rpc(5, "subscriptions/listen", withMeta({{"notifications", QJsonObject{{"toolsListChanged", true}}}})));
            QVERIFY(l->waitEvent("message"));
        }
        QCOMPARE(metric(listening), 2.0);
        a.socket()->abort();
        QVERIFY(QTest::qWaitFor([&] { return metric(listening) == 1.0; }, 5000));
    }

    void loggingOnlyWhenAsked()
    {
        ServerFixture f({}, installConformance);
        HttpClient c(f.port);
        const auto logs = [](const HttpResponse &r) {
            int n = 0;
            for (const QJsonObject &m : messages(r))
                n += m["method"].toString() == QLatin1String("notifications/message");
            return n;
        };
        HttpResponse r = c.request("POST", "/mcp", modern("tools/call", "test_logging_tool"),
                                   rpc(1, "tools/call", withMeta({{"name", "test_logging_tool"}})));
        QCOMPARE(r.status, 200);
        QCOMPARE(logs(r), 0);
        QJsonObject asking = meta();
        asking.insert("io.modelcontextprotocol/logLevel", "info");
        r = c.request("POST", "/mcp", modern("tools/call", "test_logging_tool"),
                      rpc(2, "tools/call", withMeta({{"name", "test_logging_tool"}}, asking)));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("text/event-stream"));
        QCOMPARE(logs(r), 1);
        QCOMPARE(messages(r).last()["result"].toObject()["resultType"].toString(), QStringLiteral("complete"));
        // Above the message's level: nothing.
        asking.insert("io.modelcontextprotocol/logLevel", "error");
        r = c.request("POST", "/mcp", modern("tools/call", "test_logging_tool"),
                      rpc(3, "tools/call", withMeta({{"name", "test_logging_tool"}}, asking)));
        QCOMPARE(logs(r), 0);
        // A tool that would ask the client (sampling) gets no way to: no request ever goes out.
        r = c.request("POST", "/mcp", modern("tools/call", "test_sampling"),
                      rpc(4, "tools/call",
                          withMeta({{"name", "test_sampling"}, {"arguments", QJsonObject{{"prompt", "hi"}}}},
                                   meta({{"sampling", QJsonObject{}}}))));
        QCOMPARE(r.status, 200);
        for (const QJsonObject &m : messages(r))
            QVERIFY(!(m.contains("method") && m.contains("id")));
    }
};

QTEST_GUILESS_MAIN(TestHttpModern)
#include "tst_http_modern.moc"
