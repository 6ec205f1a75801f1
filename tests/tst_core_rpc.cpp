// JSON-RPC 2.0 and MCP lifecycle over the real RpcBridge.
#include "support/BridgeHarness.h"
#include "protocol/JsonRpc.h"
#include "protocol/ProtocolVersion.h"

#include <QSet>
#include <QTimer>

using namespace koan;
using namespace koan::test;

namespace {
// A tool that answers after a delay, to exercise cancellation (a test fixture, not the thing under test).
class SlowTools : public ToolProvider
{
public:
    SlowTools()
    {
        m_def = ToolDefinition{"slow", "", "Answers after 200 ms", QJsonObject{{"type", "object"}}, {}, {}, true};
    }
    QList<ToolDefinition> tools(const McpSession &) const override { return {m_def}; }
    ToolAccess access(const QString &name, const McpSession &) const override
    {
        return name == m_def.name ? ToolAccess{ToolAccess::Allowed, {}} : ToolAccess{};
    }
    const ToolDefinition *definition(const QString &name) const override
    {
        return name == m_def.name ? &m_def : nullptr;
    }
    void call(const ToolCall &, std::function<void(const QJsonObject &)> done) override
    {
        QTimer::singleShot(200, [done] { done(toolTextResult("slow done")); });
    }
    ToolDefinition m_def;
};
} // namespace

class TestCoreRpc : public QObject
{
    Q_OBJECT
    int errorCode(const Exchange &e) { return e.reply.toObject().value("error").toObject().value("code").toInt(); }

private slots:
    void classifyMessages()
    {
        using namespace jsonrpc;
        QCOMPARE(classify(QJsonDocument::fromJson(R"({"jsonrpc":"2.0","id":1,"method":"ping"})").object()).kind,
                 Kind::Request);
        QCOMPARE(classify(QJsonDocument::fromJson(R"({"jsonrpc":"2.0","id":"a","method":"ping"})").object()).kind,
                 Kind::Request);
        QCOMPARE(classify(QJsonDocument::fromJson(R"({"jsonrpc":"2.0","method":"x"})").object()).kind,
                 Kind::Notification);
        QCOMPARE(classify(QJsonDocument::fromJson(R"({"jsonrpc":"2.0","id":1,"result":{}})").object()).kind,
                 Kind::Response);
        QCOMPARE(
            classify(QJsonDocument::fromJson(R"({"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"m"}})").object())
                .kind,
            Kind::Response);
        for (const char *bad :
             {R"({"id":1,"method":"ping"})", R"({"jsonrpc":"1.0","id":1,"method":"ping"})",
              R"({"jsonrpc":"2.0","id":1,"method":5})", R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})",
              R"({"jsonrpc":"2.0","id":{},"method":"ping"})", R"({"jsonrpc":"2.0","id":null,"method":"ping"})",
              R"({"jsonrpc":"2.0","id":1,"method":"ping","params":3})", R"({"jsonrpc":"2.0","id":1})",
              R"({"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"x"}})",
              R"({"jsonrpc":"2.0","id":1,"error":{"code":"x"}})"})
            QVERIFY2(classify(QJsonDocument::fromJson(bad).object()).kind == Kind::Invalid, bad);
        QVERIFY(!parse("{").ok);
        QVERIFY(!parse("42").ok);
        QVERIFY(parse("[]").ok);
    }

    void errorCodes()
    {
        BridgeHarness h;
        QVERIFY(h.ok);
        auto s = h.session();
        QCOMPARE(errorCode(send(h.server->bridge(), s, "{not json")), -32700);
        QCOMPARE(send(h.server->bridge(), s, "{not json").reply.toObject().value("id"), QJsonValue(QJsonValue::Null));
        // Valid JSON that is no message: Invalid Request, not Parse error (JSON-RPC 2.0 §5.1).
        for (const QByteArray &scalar :
             {QByteArray("42"), QByteArray("\"str\""), QByteArray("null"), QByteArray(" true ")})
            QCOMPARE(errorCode(send(h.server->bridge(), s, scalar)), -32600);
        QCOMPARE(errorCode(send(h.server->bridge(), s, "1, 2")), -32700);
        QCOMPARE(errorCode(send(h.server->bridge(), s, R"({"jsonrpc":"2.0","id":7,"method":3})")), -32600);
        QCOMPARE(
            send(h.server->bridge(), s, R"({"jsonrpc":"2.0","id":7,"method":3})").reply.toObject().value("id").toInt(),
            7);
        QCOMPARE(errorCode(send(h.server->bridge(), s, request(1, "no/such/method"))), -32601);
        QCOMPARE(
            errorCode(send(h.server->bridge(), s, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1]})")),
            -32602);
        QCOMPARE(errorCode(send(h.server->bridge(), s, request(1, "tools/call", {{"name", 5}}))), -32602);
        QCOMPARE(errorCode(send(h.server->bridge(), s,
                                request(1, "tools/call", {{"name", "trial-site.collection"}, {"arguments", "x"}}))),
                 -32602);
        const Exchange unknown = send(h.server->bridge(), s, request(1, "tools/call", {{"name", "nope"}}));
        QCOMPARE(errorCode(unknown), -32602);
        QVERIFY(at(unknown.reply, "error.message").toString().contains("Unknown tool: nope"));
        QCOMPARE(errorCode(send(h.server->bridge(), s, request(1, "logging/setLevel", {{"level", "loud"}}))), -32602);
        QCOMPARE(send(h.server->bridge(), s, request(1, "logging/setLevel", {{"level", "debug"}}))
                     .reply.toObject()
                     .value("result")
                     .toObject(),
                 QJsonObject{});
        QCOMPARE(s->logLevel, QStringLiteral("debug"));
    }

    void lifecycle()
    {
        BridgeHarness h;
        auto s = std::make_shared<McpSession>("raw", TransportKind::Stdio, Principal::localOwner());
        // Before initialize only ping is served.
        QCOMPARE(errorCode(send(h.server->bridge(), s, request(1, "tools/list"))), -32600);
        QCOMPARE(send(h.server->bridge(), s, request(2, "ping")).reply.toObject().value("result").toObject(),
                 QJsonObject{});
        const QJsonObject init = send(h.server->bridge(), s, initializeRequest("2025-03-26")).reply.toObject();
        QCOMPARE(init["result"]["protocolVersion"].toString(), QStringLiteral("2025-03-26"));
        QCOMPARE(init["result"]["serverInfo"]["name"].toString(), QStringLiteral("koan-mcp"));
        QVERIFY(!init["result"]["serverInfo"]["version"].toString().isEmpty());
        QVERIFY(init["result"]["capabilities"]["tools"].isObject());
        QCOMPARE(errorCode(send(h.server->bridge(), s, initializeRequest())), -32600); // second initialize
        // Notifications are never answered.
        QVERIFY(send(h.server->bridge(), s, R"({"jsonrpc":"2.0","method":"notifications/initialized"})")
                    .reply.isUndefined());
        QVERIFY(s->ready);
        QVERIFY(
            send(h.server->bridge(), s, R"({"jsonrpc":"2.0","method":"unknown/notification"})").reply.isUndefined());
    }

    void versionNegotiation_data()
    {
        QTest::addColumn<QJsonValue>("requested");
        QTest::addColumn<QString>("answered");
        for (const QString &v : protocol::supportedVersions())
            QTest::newRow(qPrintable(v)) << QJsonValue(v) << v;
        QTest::newRow("unknown") << QJsonValue("1999-01-01") << QStringLiteral("2025-11-25");
        QTest::newRow("future") << QJsonValue("2026-07-28") << QStringLiteral("2025-11-25");
    }
    void versionNegotiation()
    {
        QFETCH(QJsonValue, requested);
        QFETCH(QString, answered);
        BridgeHarness h;
        auto s = std::make_shared<McpSession>("v", TransportKind::Stdio, Principal::localOwner());
        const QJsonObject r = send(h.server->bridge(), s,
                                   request(1, "initialize",
                                           {{"protocolVersion", requested},
                                            {"capabilities", QJsonObject{}},
                                            {"clientInfo", QJsonObject{{"name", "t"}, {"version", "1"}}}}))
                                  .reply.toObject();
        QCOMPARE(r["result"]["protocolVersion"].toString(), answered);
        QCOMPARE(s->protocolVersion, answered);
    }
    void versionMustBeString()
    {
        BridgeHarness h;
        auto s = std::make_shared<McpSession>("v", TransportKind::Stdio, Principal::localOwner());
        QCOMPARE(errorCode(send(h.server->bridge(), s, request(1, "initialize", {{"protocolVersion", 20250618}}))),
                 -32602);
        QVERIFY(!s->initialized);
    }

    void batchesOnlyIn20250326()
    {
        BridgeHarness h;
        auto modern = h.session(TransportKind::Stdio, Principal::localOwner(), "2025-06-18");
        const QByteArray batch
            = R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},
                                     {"jsonrpc":"2.0","id":2,"method":"nope"},{"jsonrpc":"2.0","id":3,"method":"tools/list"}])";
        QCOMPARE(errorCode(send(h.server->bridge(), modern, batch)), -32600);
        auto old = h.session(TransportKind::Stdio, Principal::localOwner(), "2025-03-26");
        const QJsonArray replies = send(h.server->bridge(), old, batch).reply.toArray();
        const auto R = [&](int i, const char *p) { return at(replies[i], QString::fromLatin1(p)); };
        QCOMPARE(replies.size(), 3); // the notification gets no entry
        QCOMPARE(R(0, "id").toInt(), 1);
        QCOMPARE(R(1, "error.code").toInt(), -32601);
        QCOMPARE(R(2, "id").toInt(), 3);
        QVERIFY(R(2, "result.tools").isArray());
        QCOMPARE(errorCode(send(h.server->bridge(), old, "[]")), -32600);
        QVERIFY(send(h.server->bridge(), old, R"([{"jsonrpc":"2.0","method":"a"}])").reply.isUndefined());
    }

    void toolsListPagination()
    {
        BridgeHarness h;
        h.server->bridge()->setToolsPageSize(7);
        auto s = h.session();
        QSet<QString> seen;
        QString cursor;
        int pages = 0;
        do {
            QJsonObject params;
            if (!cursor.isEmpty())
                params.insert("cursor", cursor);
            const QJsonObject r = h.call(s, "tools/list", params).value("result").toObject();
            for (const QJsonValue t : r["tools"].toArray()) {
                QVERIFY2(!seen.contains(t["name"].toString()), "duplicate tool across pages");
                seen.insert(t["name"].toString());
                QVERIFY(!t["description"].toString().isEmpty());
                QCOMPARE(t["inputSchema"]["type"].toString(), QStringLiteral("object"));
            }
            cursor = r["nextCursor"].toString();
            ++pages;
        } while (!cursor.isEmpty());
        QCOMPARE(seen.size(), 51);
        QCOMPARE(pages, 8); // 51 tools, 7 per page
        QCOMPARE(at(h.call(s, "tools/list", {{"cursor", "not-a-cursor"}}), "error.code").toInt(), -32602);
    }

    void cancellationSuppressesResponse()
    {
        BridgeHarness h;
        SlowTools slow;
        h.server->bridge()->addToolProvider(&slow);
        auto s = h.session();
        bool answered = false;
        QJsonValue reply;
        h.server->bridge()->handle(
            request(41, "tools/call", {{"name", "slow"}}), s, [](const QJsonObject &) {},
            [&](const QJsonValue &r) {
                answered = true;
                reply = r;
            });
        QVERIFY(!answered);
        QVERIFY(
            send(h.server->bridge(), s,
                 R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":41,"reason":"user"}})")
                .reply.isUndefined());
        QTRY_VERIFY(answered);
        QVERIFY2(reply.isUndefined(), "a cancelled request must not be answered");
        // An uncancelled call of the same tool is answered.
        const QJsonObject ok = h.tool(s, "slow");
        QCOMPARE(ok["content"][0]["text"].toString(), QStringLiteral("slow done"));
    }

    void toolCallShapes()
    {
        BridgeHarness h;
        auto s = h.session();
        const QJsonObject r = h.tool(s, "trial-site.get-by-id", {{"id", "site-boston"}});
        QVERIFY(!r.contains("isError"));
        QCOMPARE(r["content"][0]["type"].toString(), QStringLiteral("text"));
        QCOMPARE(QJsonDocument::fromJson(r["content"][0]["text"].toString().toUtf8()).object(),
                 r["structuredContent"].toObject());
        QCOMPARE(r["structuredContent"]["item"]["name"].toString(), QStringLiteral("Boston General Research Center"));
        // Domain failure: a result with isError, not a protocol error.
        const QJsonObject missing = h.tool(s, "trial-site.get-by-id", {{"id", "nope"}});
        QCOMPARE(missing["isError"].toBool(), true);
        QVERIFY(missing["content"][0]["text"].toString().contains("not_found"));
        // arguments may be absent entirely
        const QJsonObject noArgs
            = h.call(s, "tools/call", {{"name", "trial-site.collection"}}).value("result").toObject();
        QCOMPARE(noArgs["structuredContent"]["pageSize"].toInt(), 50);
    }
};

QTEST_GUILESS_MAIN(TestCoreRpc)
#include "tst_core_rpc.moc"
