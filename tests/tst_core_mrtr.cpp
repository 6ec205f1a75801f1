// MRTR (2026-07-28 input_required results, SEP-2322): the sealed requestState alone
// (core/RequestState.h) and, over real loopback HTTP against the server with the conformance
// pack, the rounds a client drives: answers, several rounds, refusals of a tampered, expired or
// foreign state (another caller, method or params), replicas sharing a key, the 2025 era asking
// the same through elicitation/create on the call's stream, the metrics; and {entity}.delete-all,
// confirmed through elicitation or by the entity's name, never without one of the two.
#include "core/RequestState.h"
#include "fixtures/FixturePacks.h"
#include "support/AuthKit.h"
#include "support/HttpClient.h"
#include "support/ServerFixture.h"

#include <QJsonArray>

using namespace koan;
using namespace koan::test;

namespace {
using Headers = QList<QPair<QByteArray, QByteArray>>;
constexpr const char *kIss = "https://issuer.test";
const QByteArray kKey = "mrtr-test-key-0123456789abcdef-0123456789";

QJsonObject meta(const QJsonObject &capabilities
                 = {{"elicitation", QJsonObject{}}, {"sampling", QJsonObject{}}, {"roots", QJsonObject{}}})
{
    return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
            {"io.modelcontextprotocol/clientCapabilities", capabilities},
            {"io.modelcontextprotocol/clientInfo", QJsonObject{{"name", "tst_core_mrtr"}, {"version", "1"}}}};
}
Headers modern(const QByteArray &method, const QByteArray &name, const QByteArray &token = {})
{
    Headers h{{"Content-Type", "application/json"},
              {"Accept", "application/json, text/event-stream"},
              {"MCP-Protocol-Version", "2026-07-28"},
              {"Mcp-Method", method},
              {"Mcp-Name", name}};
    if (!token.isEmpty())
        h.append({"Authorization", "Bearer " + token});
    return h;
}
QJsonObject elicitAnswer(const QJsonObject &content)
{
    return {{"action", "accept"}, {"content", content}};
}
void installConformance(McpServer &s)
{
    fixtures::install(QStringLiteral("conformance"), s.bridge(), &s);
}
QString writeKeyFile(const QTemporaryDir &dir, const QByteArray &key)
{
    const QString path = dir.filePath("request-state.key");
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(key + "\n");
    return path;
}

// One client's view of the rounds of one tool (or prompt).
struct Caller {
    quint16 port;
    QByteArray token;
    int nextId = 1;

    QJsonObject call(const QString &tool, QJsonObject extra = {}, const QJsonObject &m = meta())
    {
        extra.insert("name", tool);
        if (!extra.contains("arguments"))
            extra.insert("arguments", QJsonObject{});
        extra.insert("_meta", m);
        return send("tools/call", tool, extra);
    }
    QJsonObject send(const QString &method, const QString &name, const QJsonObject &params)
    {
        HttpClient c(port);
        const HttpResponse r
            = c.request("POST", "/mcp", modern(method.toLatin1(), name.toUtf8(), token), rpc(nextId++, method, params));
        return rpcAnswer(r);
    }
};
QJsonObject resultOf(const QJsonObject &answer)
{
    return answer["result"].toObject();
}
QString textOf(const QJsonObject &answer)
{
    return resultOf(answer)["content"].toArray().first().toObject()["text"].toString();
}
// A tool error's {"error": code, "message"} (its text is JSON).
QJsonObject toolError(const QJsonObject &result)
{
    return QJsonDocument::fromJson(result["content"].toArray().first().toObject()["text"].toString().toUtf8()).object();
}
} // namespace

class TestCoreMrtr : public QObject
{
    Q_OBJECT
    QTemporaryDir m_keysDir;
    KeyPair m_jwtKey;
    QString m_jwksFile;

    McpServerOptions keyed(const QTemporaryDir &dir) const
    {
        McpServerOptions o;
        o.requestStateKeyFile = writeKeyFile(dir, kKey);
        return o;
    }

private slots:
    void initTestCase()
    {
        m_jwtKey = makeKey(QDir(m_keysDir.path()), "k1", true);
        m_jwksFile = m_keysDir.filePath("jwks.json");
        QFile f(m_jwksFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(jwks({m_jwtKey})).toJson());
    }

    void sealAlone()
    {
        RequestStateSeal seal(kKey);
        QVERIFY(seal.hasSharedKey());
        Principal alice;
        alice.authenticated = true;
        alice.issuer = kIss;
        alice.subject = "alice";
        const QJsonObject params{{"name", "t"}, {"arguments", QJsonObject{{"a", 1}}}};
        const auto binding = RequestStateBinding::of(alice, "tools/call", params);
        const QString state = seal.seal(binding, {{"answers", QJsonObject{{"k", 1}}}});
        auto opened = seal.open(state, binding);
        QVERIFY2(opened.ok, qPrintable(opened.message));
        QCOMPARE(opened.data["answers"].toObject()["k"].toInt(), 1);
        // The round's own fields and _meta are not part of the digest; the arguments are.
        QJsonObject retry = params;
        retry.insert("inputResponses", QJsonObject{{"k", QJsonObject{}}});
        retry.insert("requestState", state);
        retry.insert("_meta", meta());
        QCOMPARE(RequestStateSeal::paramsDigest(retry), RequestStateSeal::paramsDigest(params));
        QVERIFY(RequestStateSeal::paramsDigest({{"name", "t"}, {"arguments", QJsonObject{{"a", 2}}}})
                != RequestStateSeal::paramsDigest(params));

        const auto reason = [&](const QString &s, const RequestStateBinding &b, qint64 now = -1) {
            return seal.open(s, b, now).reason;
        };
        QCOMPARE(reason(state + "-TAMPERED", binding), QStringLiteral("tampered"));
        QString flipped = state;
        flipped[5] = flipped[5] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        QCOMPARE(reason(flipped, binding), QStringLiteral("tampered"));
        QCOMPARE(reason("no-dot-here", binding), QStringLiteral("malformed"));
        QCOMPARE(reason(state, binding, QDateTime::currentMSecsSinceEpoch() + seal.lifetimeMs() + 1),
                 QStringLiteral("expired"));
        Principal bob = alice;
        bob.subject = "bob";
        QCOMPARE(reason(state, RequestStateBinding::of(bob, "tools/call", params)), QStringLiteral("principal"));
        Principal otherIssuer = alice;
        otherIssuer.issuer = "https://other.test";
        QCOMPARE(reason(state, RequestStateBinding::of(otherIssuer, "tools/call", params)),
                 QStringLiteral("principal"));
        QCOMPARE(reason(state, RequestStateBinding::of(alice, "prompts/get", params)), QStringLiteral("method"));
        QCOMPARE(reason(state, RequestStateBinding::of(alice, "tools/call", {{"name", "t"}})),
                 QStringLiteral("params"));
        // Another key (another replica without the shared key) does not accept it; the same key does.
        QCOMPARE(RequestStateSeal().open(state, binding).reason, QStringLiteral("tampered"));
        QVERIFY(RequestStateSeal(kKey).open(state, binding).ok);
        // A fresh seal of the same data differs (nonce, expiry): rounds never repeat a state.
        QVERIFY(seal.seal(binding, {{"answers", QJsonObject{{"k", 1}}}}) != state);
    }

    void twoRounds()
    {
        ServerFixture f({}, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        Caller c{f.port};
        const QJsonObject r1 = c.call("test_input_required_result_elicitation");
        const QJsonObject first = resultOf(r1);
        QCOMPARE(first["resultType"].toString(), QStringLiteral("input_required"));
        QCOMPARE(first["inputRequests"].toObject()["user_name"].toObject()["method"].toString(),
                 QStringLiteral("elicitation/create"));
        QVERIFY(first["requestState"].isString());
        QVERIFY(!first.contains("content"));
        const QJsonObject r2
            = c.call("test_input_required_result_elicitation",
                     {{"inputResponses", QJsonObject{{"user_name", elicitAnswer({{"name", "Alice"}})}}},
                      {"requestState", first["requestState"]}});
        QCOMPARE(resultOf(r2)["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(textOf(r2), QStringLiteral("Hello, Alice!"));
        // Answers for unknown keys are ignored; a missing key is asked again (not an error).
        const QJsonObject extra = c.call(
            "test_input_required_result_elicitation",
            {{"inputResponses", QJsonObject{{"user_name", elicitAnswer({{"name", "Bo"}})}, {"junk", QJsonObject{}}}}});
        QCOMPARE(textOf(extra), QStringLiteral("Hello, Bo!"));
        const QJsonObject again = c.call("test_input_required_result_elicitation",
                                         {{"inputResponses", QJsonObject{{"wrong_key", QJsonObject{}}}}});
        QCOMPARE(resultOf(again)["resultType"].toString(), QStringLiteral("input_required"));
        QVERIFY(resultOf(again)["inputRequests"].toObject().contains("user_name"));
        // Malformed inputResponses: a clear -32602.
        const QJsonObject bad
            = c.call("test_input_required_result_elicitation", {{"inputResponses", QJsonObject{{"user_name", 12345}}}});
        QCOMPARE(bad["error"].toObject()["code"].toInt(), -32602);
        QVERIFY(bad["error"].toObject()["message"].toString().contains("inputResponses.user_name must be an object"));
        QCOMPARE(c.call("test_input_required_result_elicitation", {{"inputResponses", QJsonValue::Null}})["error"]
                     .toObject()["code"]
                     .toInt(),
                 -32602);
    }

    void severalRoundsAndInputs()
    {
        ServerFixture f({}, installConformance);
        Caller c{f.port};
        // Three rounds: step1, step2 (a new state carrying step1's answer), then complete.
        const QJsonObject r1 = resultOf(c.call("test_input_required_result_multi_round"));
        QVERIFY(r1["inputRequests"].toObject().contains("step1"));
        const QJsonObject r2
            = resultOf(c.call("test_input_required_result_multi_round",
                              {{"inputResponses", QJsonObject{{"step1", elicitAnswer({{"name", "Alice"}})}}},
                               {"requestState", r1["requestState"]}}));
        QCOMPARE(r2["resultType"].toString(), QStringLiteral("input_required"));
        QVERIFY(r2["inputRequests"].toObject().contains("step2"));
        QVERIFY(!r2["inputRequests"].toObject().contains("step1"));
        QVERIFY(r2["requestState"].toString() != r1["requestState"].toString());
        const QJsonObject r3 = c.call("test_input_required_result_multi_round",
                                      {{"inputResponses", QJsonObject{{"step2", elicitAnswer({{"color", "blue"}})}}},
                                       {"requestState", r2["requestState"]}});
        QCOMPARE(textOf(r3), QStringLiteral("Alice likes blue"));
        // Three kinds at once.
        const QJsonObject many = resultOf(c.call("test_input_required_result_multiple_inputs"));
        QStringList methods;
        for (const QJsonValue &v : many["inputRequests"].toObject())
            methods << v.toObject()["method"].toString();
        methods.sort();
        QCOMPARE(methods, (QStringList{"elicitation/create", "roots/list", "sampling/createMessage"}));
        // Only what the client declared: sampling alone means no elicitation request.
        const QJsonObject sampling
            = resultOf(c.call("test_input_required_result_capabilities", {}, meta({{"sampling", QJsonObject{}}})));
        QCOMPARE(sampling["resultType"].toString(), QStringLiteral("input_required"));
        QCOMPARE(sampling["inputRequests"].toObject().keys(), QStringList{"greeting"});
        // prompts/get rounds too.
        const QJsonObject p1 = resultOf(c.send("prompts/get", "test_input_required_result_prompt",
                                               {{"name", "test_input_required_result_prompt"}, {"_meta", meta()}}));
        QCOMPARE(p1["resultType"].toString(), QStringLiteral("input_required"));
        const QJsonObject p2 = resultOf(
            c.send("prompts/get", "test_input_required_result_prompt",
                   {{"name", "test_input_required_result_prompt"},
                    {"inputResponses", QJsonObject{{"user_context", elicitAnswer({{"context", "trial 7"}})}}},
                    {"requestState", p1["requestState"]},
                    {"_meta", meta()}}));
        QCOMPARE(p2["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(p2["messages"].toArray().first().toObject()["content"].toObject()["text"].toString(),
                 QStringLiteral("Context: trial 7"));
        // tools/list never answers input_required.
        QCOMPARE(resultOf(c.send("tools/list", {}, {{"_meta", meta()}}))["resultType"].toString(),
                 QStringLiteral("complete"));
    }

    void refusedStates()
    {
        QTemporaryDir dir;
        McpServerOptions o = keyed(dir);
        o.requireAuthentication = true;
        o.auth.jwksFile = m_jwksFile;
        o.auth.issuers = {QString::fromLatin1(kIss)};
        ServerFixture f(o, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const auto tokenFor = [&](const char *sub) {
            return token(m_jwtKey,
                         claims(sub, "clinical:operations", f.server->baseUrl() + "/mcp", QString::fromLatin1(kIss)));
        };
        Caller alice{f.port, tokenFor("alice")};
        Caller bob{f.port, tokenFor("bob")};
        const QString tool = "test_input_required_result_tampered_state";
        const QJsonObject answers{{"confirm", elicitAnswer({{"ok", true}})}};
        const QString state = resultOf(alice.call(tool))["requestState"].toString();
        QVERIFY(!state.isEmpty());
        const auto refusal = [](const QJsonObject &answer) {
            const QJsonObject e = answer["error"].toObject();
            return qMakePair(e["code"].toInt(), e["data"].toObject()["reason"].toString());
        };
        // The right state works (and the same state again: replay by its owner is only a retry).
        QCOMPARE(textOf(alice.call(tool, {{"inputResponses", answers}, {"requestState", state}})),
                 QStringLiteral("state-ok: confirmed"));
        // Tampered.
        const QJsonObject tampered
            = alice.call(tool, {{"inputResponses", answers}, {"requestState", state + "-TAMPERED"}});
        QCOMPARE(refusal(tampered), qMakePair(-32602, QStringLiteral("tampered")));
        QVERIFY(tampered["error"].toObject()["message"].toString().contains("integrity check"));
        // Replayed by another caller.
        const QJsonObject foreign = bob.call(tool, {{"inputResponses", answers}, {"requestState", state}});
        QCOMPARE(refusal(foreign), qMakePair(-32602, QStringLiteral("principal")));
        QVERIFY(foreign["error"].toObject()["message"].toString().contains("another caller"));
        // For another method (prompts/get) and with changed params (another tool, other arguments).
        const QJsonObject method
            = alice.send("prompts/get", "test_input_required_result_prompt",
                         {{"name", "test_input_required_result_prompt"}, {"requestState", state}, {"_meta", meta()}});
        QCOMPARE(refusal(method), qMakePair(-32602, QStringLiteral("method")));
        const QJsonObject otherTool = alice.call("test_input_required_result_request_state",
                                                 {{"inputResponses", answers}, {"requestState", state}});
        QCOMPARE(refusal(otherTool), qMakePair(-32602, QStringLiteral("params")));
        const QJsonObject otherArgs = alice.call(
            tool, {{"arguments", QJsonObject{{"x", 1}}}, {"inputResponses", answers}, {"requestState", state}});
        QCOMPARE(refusal(otherArgs), qMakePair(-32602, QStringLiteral("params")));
        // Expired: sealed under the server's key file, with an expiry in the past.
        RequestStateSeal seal(kKey);
        Principal p;
        p.authenticated = true;
        p.issuer = kIss;
        p.subject = "alice";
        const QString old
            = seal.seal(RequestStateBinding::of(p, "tools/call", {{"name", tool}, {"arguments", QJsonObject{}}}),
                        {{"answers", QJsonObject{}}}, QDateTime::currentMSecsSinceEpoch() - seal.lifetimeMs() - 1000);
        const QJsonObject expired = alice.call(tool, {{"inputResponses", answers}, {"requestState", old}});
        QCOMPARE(refusal(expired), qMakePair(-32602, QStringLiteral("expired")));
        QVERIFY(expired["error"].toObject()["message"].toString().contains("expired"));
        // The same, unexpired, is accepted: the key file is the server's key.
        const QString fresh
            = seal.seal(RequestStateBinding::of(p, "tools/call", {{"name", tool}, {"arguments", QJsonObject{}}}),
                        {{"answers", QJsonObject{}}});
        QCOMPARE(textOf(alice.call(tool, {{"inputResponses", answers}, {"requestState", fresh}})),
                 QStringLiteral("state-ok: confirmed"));
        // A non-string state.
        QCOMPARE(refusal(alice.call(tool, {{"requestState", 7}})), qMakePair(-32602, QStringLiteral("malformed")));
        // Every refusal counts, by reason; every round too, by era.
        HttpClient m(f.port);
        const QByteArray metrics = m.request("GET", "/metrics").body;
        QVERIFY2(metrics.contains("koan_mcp_request_states_refused_total{reason=\"tampered\"} 1"), metrics.constData());
        QVERIFY(metrics.contains("koan_mcp_request_states_refused_total{reason=\"principal\"} 1"));
        QVERIFY(metrics.contains("koan_mcp_request_states_refused_total{reason=\"params\"} 2"));
        QVERIFY(metrics.contains("koan_mcp_input_rounds_total{era=\"modern\",method=\"tools/call\"} 1"));
        QVERIFY(metrics.contains("koan_mcp_input_rounds_total{era=\"legacy\",method=\"tools/call\"} 0"));
    }

    void replicasShareTheKeyFile()
    {
        QTemporaryDir dir;
        ServerFixture a(keyed(dir), installConformance);
        ServerFixture b(keyed(dir), installConformance);
        ServerFixture stranger({}, installConformance); // a random key of its own
        QVERIFY(a.ok && b.ok && stranger.ok);
        Caller ca{a.port}, cb{b.port}, cs{stranger.port};
        const QString tool = "test_input_required_result_elicitation";
        const QJsonObject first = resultOf(ca.call(tool));
        const QJsonObject retry{{"inputResponses", QJsonObject{{"user_name", elicitAnswer({{"name", "Ann"}})}}},
                                {"requestState", first["requestState"]}};
        QCOMPARE(textOf(cb.call(tool, retry)), QStringLiteral("Hello, Ann!"));
        QCOMPARE(cs.call(tool, retry)["error"].toObject()["data"].toObject()["reason"].toString(),
                 QStringLiteral("tampered"));
        // A key too short to be one is a configuration error naming the setting.
        McpServerOptions shortKey;
        shortKey.requestStateKeyFile = writeKeyFile(dir, "short");
        ServerFixture refused(shortKey);
        QVERIFY(!refused.ok);
        QVERIFY2(refused.problems.contains("Koan:Mcp:RequestStateKeyFile: the key must hold at least 32 bytes"),
                 qPrintable(refused.problems));
        McpServerOptions missing;
        missing.requestStateKeyFile = dir.filePath("absent.key");
        ServerFixture absent(missing);
        QVERIFY(!absent.ok);
        QVERIFY(absent.problems.contains("cannot read the file"));
    }

    void legacySessionAsksOnTheStream()
    {
        // The same tool in a 2025-11-25 session: elicitation/create goes out on the call's own
        // SSE stream, the answer comes back as a POST, the call completes.
        ServerFixture f({}, installConformance);
        HttpClient c(f.port);
        QJsonObject init = initParams("2025-11-25");
        init.insert("capabilities", QJsonObject{{"elicitation", QJsonObject{}}});
        const HttpResponse r = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", init));
        const QByteArray sid = r.header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        c.request("POST", "/mcp", streamableHeaders(sid), rpc({}, "notifications/initialized"));
        HttpClient call(f.port);
        call.send(
            "POST", "/mcp", streamableHeaders(sid),
            rpc(2, "tools/call", {{"name", "test_input_required_result_elicitation"}, {"arguments", QJsonObject{}}}));
        QJsonObject ask;
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const SseEvent &e : call.events())
                    if (const QJsonObject o = QJsonDocument::fromJson(e.data).object();
                        o["method"] == "elicitation/create") {
                        ask = o;
                        return true;
                    }
                return false;
            },
            5000));
        QCOMPARE(ask["params"].toObject()["message"].toString(), QStringLiteral("What is your name?"));
        HttpClient answer(f.port);
        QCOMPARE(answer
                     .request("POST", "/mcp", streamableHeaders(sid),
                              QJsonDocument(QJsonObject{{"jsonrpc", "2.0"},
                                                        {"id", ask["id"]},
                                                        {"result", elicitAnswer({{"name", "Lee"}})}})
                                  .toJson(QJsonDocument::Compact))
                     .status,
                 202);
        const QJsonObject done = call.waitMessage(2);
        QCOMPARE(done["result"].toObject()["content"].toArray().first().toObject()["text"].toString(),
                 QStringLiteral("Hello, Lee!"));
        HttpClient m(f.port);
        QVERIFY(m.request("GET", "/metrics")
                    .body.contains("koan_mcp_input_rounds_total{era=\"legacy\",method=\"tools/call\"} 1"));
    }

    // {entity}.delete-all, the real MRTR use: confirmed by the user through elicitation when the
    // client can be asked, else by confirm equal to the entity's name; nothing deleted otherwise.
    void deleteAllAsksInTheModernEra()
    {
        ServerFixture f;
        Caller c{f.port};
        const QString tool = "trial-site.delete-all";
        const auto total = [&] {
            return resultOf(c.call("trial-site.collection", {}, meta({})))["structuredContent"]
                .toObject()["total"]
                .toInt();
        };
        QCOMPARE(total(), 3);
        const QJsonObject r1 = resultOf(c.call(tool));
        QCOMPARE(r1["resultType"].toString(), QStringLiteral("input_required"));
        const QJsonObject ask = r1["inputRequests"].toObject()["confirm"].toObject();
        QCOMPARE(ask["method"].toString(), QStringLiteral("elicitation/create"));
        QVERIFY(ask["params"].toObject()["message"].toString().contains("Delete every TrialSite record"));
        QCOMPARE(total(), 3); // asking deletes nothing
        // Declined (and accepted without the box ticked): nothing deleted.
        for (const QJsonObject &no : {QJsonObject{{"action", "decline"}}, elicitAnswer({{"confirm", false}})}) {
            const QJsonObject r = resultOf(
                c.call(tool, {{"inputResponses", QJsonObject{{"confirm", no}}}, {"requestState", r1["requestState"]}}));
            QCOMPARE(r["isError"].toBool(), true);
            QCOMPARE(toolError(r)["error"].toString(), QStringLiteral("not_confirmed"));
            QVERIFY(toolError(r)["message"].toString().contains("Nothing was deleted"));
            QCOMPARE(total(), 3);
        }
        // Accepted: deleted.
        const QJsonObject yes
            = resultOf(c.call(tool, {{"inputResponses", QJsonObject{{"confirm", elicitAnswer({{"confirm", true}})}}},
                                     {"requestState", r1["requestState"]}}));
        QCOMPARE(yes["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(yes["structuredContent"].toObject()["deleted"].toInt(), 3);
        QCOMPARE(total(), 0);
    }

    void deleteAllNeedsTheNameWithoutElicitation()
    {
        ServerFixture f;
        Caller c{f.port};
        const QString tool = "trial-site.delete-all";
        const QJsonObject none = meta({{"sampling", QJsonObject{}}}); // no elicitation declared
        const auto code = [](const QJsonObject &answer) { return toolError(resultOf(answer))["error"].toString(); };
        const auto message
            = [](const QJsonObject &answer) { return toolError(resultOf(answer))["message"].toString(); };
        const QJsonObject missing = c.call(tool, {}, none);
        QCOMPARE(resultOf(missing)["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(code(missing), QStringLiteral("confirmation_required"));
        QVERIFY(message(missing).contains("pass confirm: \"TrialSite\""));
        const QJsonObject wrong = c.call(tool, {{"arguments", QJsonObject{{"confirm", "trialsite"}}}}, none);
        QCOMPARE(code(wrong), QStringLiteral("confirmation_mismatch"));
        QVERIFY(message(wrong).contains("Nothing was deleted"));
        // The old boolean is refused by the schema.
        const QJsonObject boolean = c.call(tool, {{"arguments", QJsonObject{{"confirm", true}}}}, none);
        QCOMPARE(resultOf(boolean)["isError"].toBool(), true);
        QVERIFY(textOf(boolean).contains("Invalid arguments"));
        QCOMPARE(resultOf(c.call("trial-site.collection", {}, none))["structuredContent"].toObject()["total"].toInt(),
                 3);
        // The entity's name deletes, with or without elicitation declared.
        const QJsonObject named = c.call(tool, {{"arguments", QJsonObject{{"confirm", "TrialSite"}}}}, none);
        QCOMPARE(resultOf(named)["structuredContent"].toObject()["deleted"].toInt(), 3);
        // The schema and description say so.
        const QJsonObject list = resultOf(c.send("tools/list", {}, {{"_meta", meta()}}));
        for (const QJsonValue &t : list["tools"].toArray())
            if (t.toObject()["name"] == tool) {
                const QJsonObject confirm
                    = t.toObject()["inputSchema"].toObject()["properties"].toObject()["confirm"].toObject();
                QCOMPARE(confirm["type"].toString(), QStringLiteral("string"));
                QVERIFY(!t.toObject()["inputSchema"].toObject().contains("required"));
                QVERIFY(t.toObject()["description"].toString().contains("confirm: \"TrialSite\""));
            }
    }

    void deleteAllInA2025Session_data()
    {
        QTest::addColumn<bool>("jsonResponses");
        QTest::addColumn<QString>("action");
        QTest::addColumn<int>("left");
        QTest::newRow("stream, accepted") << false << "accept" << 0;
        QTest::newRow("stream, declined") << false << "decline" << 3;
        QTest::newRow("JSON-response mode") << true << QString() << 3;
    }
    void deleteAllInA2025Session()
    {
        // 2025-11-25 with elicitation declared: elicitation/create on the call's own stream; in
        // JSON-response mode nothing can be asked, so confirm is required.
        QFETCH(bool, jsonResponses);
        QFETCH(QString, action);
        QFETCH(int, left);
        McpServerOptions o;
        o.streamableJsonResponse = jsonResponses;
        ServerFixture f(o);
        HttpClient c(f.port);
        QJsonObject init = initParams("2025-11-25");
        init.insert("capabilities", QJsonObject{{"elicitation", QJsonObject{}}});
        const QByteArray sid
            = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", init)).header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        c.request("POST", "/mcp", streamableHeaders(sid), rpc({}, "notifications/initialized"));
        HttpClient call(f.port);
        call.send("POST", "/mcp", streamableHeaders(sid),
                  rpc(2, "tools/call", {{"name", "trial-site.delete-all"}, {"arguments", QJsonObject{}}}));
        if (action.isEmpty()) {
            QVERIFY(call.waitComplete());
            const QJsonObject r = rpcAnswer(call.response())["result"].toObject();
            QCOMPARE(toolError(r)["error"].toString(), QStringLiteral("confirmation_required"));
        } else {
            QJsonObject ask;
            QVERIFY(QTest::qWaitFor(
                [&] {
                    for (const SseEvent &e : call.events())
                        if (const QJsonObject m = QJsonDocument::fromJson(e.data).object();
                            m["method"] == "elicitation/create")
                            ask = m;
                    return !ask.isEmpty();
                },
                5000));
            const QJsonObject answer
                = action == "accept" ? elicitAnswer({{"confirm", true}}) : QJsonObject{{"action", action}};
            HttpClient reply(f.port);
            reply.request("POST", "/mcp", streamableHeaders(sid),
                          QJsonDocument(QJsonObject{{"jsonrpc", "2.0"}, {"id", ask["id"]}, {"result", answer}})
                              .toJson(QJsonDocument::Compact));
            const QJsonObject done = call.waitMessage(2)["result"].toObject();
            QCOMPARE(done["isError"].toBool(), left != 0);
        }
        HttpClient check(f.port);
        const HttpResponse list
            = check.request("POST", "/mcp", streamableHeaders(sid),
                            rpc(3, "tools/call", {{"name", "trial-site.collection"}, {"arguments", QJsonObject{}}}));
        QCOMPARE(rpcAnswer(list)["result"].toObject()["structuredContent"].toObject()["total"].toInt(), left);
    }
};

QTEST_GUILESS_MAIN(TestCoreMrtr)
#include "tst_core_mrtr.moc"
