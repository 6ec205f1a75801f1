// Wire traffic recording (sessions/TrafficRecorder) end to end: real sessions over loopback HTTP
// with real JWTs, switched on and read back through the admin API. Legacy HTTP+SSE (the endpoint
// event, keep-alives), Streamable HTTP 2025-11-25 (priming, a replayed event via Last-Event-ID),
// a stateless 2026-07-28 caller; secrets masked, the ring's bound, nothing recorded while off.
#include "support/AuthKit.h"
#include "support/HttpClient.h"
#include "support/ModernRpc.h"
#include "support/ServerFixture.h"

#include "sessions/TrafficRecorder.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QUrlQuery>

using namespace koan;
using namespace koan::test;

namespace {
const QByteArray kIss = "https://issuer.test";

using Headers = QList<QPair<QByteArray, QByteArray>>;

Headers withToken(Headers h, const QByteArray &token)
{
    h.append(qMakePair(QByteArray("Authorization"), "Bearer " + token));
    return h;
}

QStringList kinds(const QJsonObject &document)
{
    QStringList out;
    for (const QJsonValue &f : document["frames"].toArray())
        out << f["kind"].toString();
    return out;
}

// The frames of `document` whose kind is one of `wanted`, as "kind" or "kind method path"/"kind status".
QStringList outline(const QJsonObject &document, const QStringList &wanted)
{
    QStringList out;
    for (const QJsonValue &v : document["frames"].toArray()) {
        const QJsonObject f = v.toObject();
        const QString kind = f["kind"].toString();
        if (!wanted.contains(kind))
            continue;
        if (kind == "http-request")
            out << kind + ' ' + f["method"].toString() + ' ' + f["path"].toString().section('?', 0, 0);
        else if (kind == "http-response")
            out << kind + ' ' + QString::number(f["status"].toInt()) + (f["stream"].toBool() ? " stream" : "");
        else
            out << kind;
    }
    return out;
}

QString headerOf(const QJsonObject &frame, const QString &name)
{
    for (const QJsonValue &h : frame["headers"].toArray())
        if (h.toArray().at(0).toString().compare(name, Qt::CaseInsensitive) == 0)
            return h.toArray().at(1).toString();
    return {};
}
} // namespace

class TestTraffic : public QObject
{
    Q_OBJECT
    QTemporaryDir m_keysDir;
    KeyPair m_key;
    QString m_jwksFile;

    McpServerOptions options() const
    {
        McpServerOptions o;
        o.requireAuthentication = true;
        o.auth.jwksFile = m_jwksFile;
        o.auth.issuers = {QString::fromLatin1(kIss)};
        o.sseKeepAliveIntervalMs = 150;
        return o;
    }
    QByteArray tokenFor(const ServerFixture &f, const QString &scope = QStringLiteral("koan:admin"))
    {
        return token(m_key, claims("alice", scope, f.server->baseUrl() + "/mcp", QString::fromLatin1(kIss)));
    }
    static HttpResponse admin(const ServerFixture &f, const QByteArray &token, const QByteArray &method,
                              const QByteArray &path, const QJsonObject &body = {})
    {
        HttpClient c(f.port);
        return c.request(method, path, withToken({{"Content-Type", "application/json"}}, token),
                         body.isEmpty() && method == "GET" ? QByteArray() : QJsonDocument(body).toJson());
    }
    static QJsonObject exportOf(const ServerFixture &f, const QByteArray &token, const QString &id)
    {
        const HttpResponse r = admin(f, token, "GET", "/admin/sessions/" + id.toLatin1() + "/traffic");
        return r.status == 200 ? r.json() : QJsonObject{{"status", r.status}};
    }
    static Headers streamable(const QByteArray &sid, const QByteArray &token)
    {
        Headers h = streamableHeaders(sid, token);
        h.append(qMakePair(QByteArray("MCP-Protocol-Version"), QByteArray("2025-11-25")));
        return h;
    }

private slots:
    void initTestCase()
    {
        m_key = makeKey(QDir(m_keysDir.path()), "k1", true);
        m_jwksFile = m_keysDir.filePath("jwks.json");
        QFile file(m_jwksFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(jwks({m_key})).toJson());
    }

    void legacyEndpointKeepAlivesAndMasking()
    {
        ServerFixture f(options());
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QByteArray tok = tokenFor(f);
        QCOMPARE(admin(f, tok, "POST", "/admin/traffic", {{"recordNewSessions", true}}).status, 200);

        HttpClient sse(f.port);
        sse.send("GET", "/mcp/sse", withToken({{"Accept", "text/event-stream"}}, tok));
        SseEvent endpoint;
        QVERIFY(sse.waitEvent("endpoint", 5000, &endpoint));
        const QString sid = QUrlQuery(QUrl(QString::fromUtf8(endpoint.data)).query()).queryItemValue("sessionId");
        QVERIFY(!sid.isEmpty());
        HttpClient post(f.port);
        QCOMPARE(post.request("POST", endpoint.data, withToken({{"Content-Type", "application/json"}}, tok),
                              rpc(1, "initialize", initParams()))
                     .status,
                 202);
        QVERIFY(!sse.waitMessage(1).isEmpty());
        QVERIFY(QTest::qWaitFor([&] { return !sse.comments().isEmpty(); }, 3000)); // a keep-alive
        QCOMPARE(admin(f, tok, "POST", "/admin/traffic", {{"recordNewSessions", false}}).status, 200);
        QVERIFY(QTest::qWaitFor([&] { return kinds(exportOf(f, tok, sid)).contains("keep-alive"); }, 3000));

        const QJsonObject doc = exportOf(f, tok, sid);
        QCOMPARE(doc["target"].toString(), sid);
        QVERIFY(doc["recording"].toBool()); // began with the session, still on
        // In order; keep-alives (every 150 ms) may fall anywhere after the stream's head.
        const QStringList expected{"http-request GET /mcp/sse",  "http-response 200 stream", "endpoint",
                                   "http-request POST /mcp/rpc", "http-response 202",        "sse-event"};
        QCOMPARE(outline(doc, {"http-request", "http-response", "endpoint", "sse-event"}).mid(0, 6), expected);
        QVERIFY(kinds(doc).indexOf("keep-alive") > 1);
        const QJsonArray frames = doc["frames"].toArray();
        // Directions and times: requests in, the rest out, times never going back.
        for (qsizetype i = 0; i < frames.size(); ++i) {
            const QJsonObject fr = frames.at(i).toObject();
            QCOMPARE(fr["direction"].toString(),
                     fr["kind"].toString() == "http-request" ? QStringLiteral("in") : QStringLiteral("out"));
            QVERIFY(QDateTime::fromString(fr["time"].toString(), Qt::ISODateWithMs).isValid());
            if (i > 0)
                QVERIFY(fr["time"].toString() >= frames.at(i - 1)["time"].toString());
            QCOMPARE(fr["seq"].toInt(), int(i + 1));
        }
        QCOMPARE(headerOf(frames.at(0).toObject(), "Authorization"), QStringLiteral("Bearer [redacted]"));
        QCOMPARE(frames.at(2)["event"].toString(), QStringLiteral("endpoint"));
        QVERIFY(frames.at(2)["body"].toString().contains("/mcp/rpc?sessionId=" + sid));
        const qsizetype initialize
            = outline(doc, {"http-request", "http-response", "endpoint", "sse-event", "keep-alive"})
                  .indexOf("http-request POST /mcp/rpc");
        QVERIFY(frames.at(initialize)["body"].toString().contains("\"initialize\""));
        // The real JWT (or any part of its signature) is nowhere in the export.
        const QByteArray text = QJsonDocument(doc).toJson();
        QVERIFY(!text.contains(tok));
        QVERIFY(!text.contains(tok.split('.').last()));
        QVERIFY(!text.contains(tok.split('.').at(1)));

        // The operator stops recording: the stream goes on, the recording does not.
        QCOMPARE(admin(f, tok, "POST", "/admin/sessions/" + sid.toLatin1() + "/traffic", {{"enabled", false}}).status,
                 200);
        const int stopped = int(exportOf(f, tok, sid)["frames"].toArray().size());
        const qsizetype comments = sse.comments().size();
        QVERIFY(QTest::qWaitFor([&] { return sse.comments().size() >= comments + 2; }, 3000));
        QCOMPARE(int(exportOf(f, tok, sid)["frames"].toArray().size()), stopped);
        QVERIFY(!f.sessions()->traffic()->active()); // nothing records: the hooks are one check again
        // ... and starts it again on the open session: its keep-alives are recorded once more.
        QCOMPARE(admin(f, tok, "POST", "/admin/sessions/" + sid.toLatin1() + "/traffic", {{"enabled", true}}).status,
                 200);
        QVERIFY(QTest::qWaitFor([&] { return exportOf(f, tok, sid)["frames"].toArray().size() > stopped; }, 3000));
        QCOMPARE(exportOf(f, tok, sid)["frames"].toArray().last()["kind"].toString(), QStringLiteral("keep-alive"));
        // The session ends: recording stops with its final `end` event, the frames stay exportable.
        f.sessions()->disconnectSession(sid);
        QVERIFY(QTest::qWaitFor([&] { return !f.sessions()->contains(sid); }, 3000));
        const QJsonObject ended = exportOf(f, tok, sid);
        QVERIFY(!ended["recording"].toBool());
        QCOMPARE(ended["frames"].toArray().last()["event"].toString(), QStringLiteral("end"));
    }

    void streamablePrimingAndReplay()
    {
        ServerFixture f(options());
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QByteArray tok = tokenFor(f);
        QCOMPARE(admin(f, tok, "POST", "/admin/traffic", {{"recordNewSessions", true}}).status, 200);
        HttpClient c(f.port);
        HttpResponse r = c.request("POST", "/mcp", streamable({}, tok), rpc(1, "initialize", initParams("2025-11-25")));
        QCOMPARE(r.status, 200);
        const QByteArray sid = r.header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        QCOMPARE(
            c.request("POST", "/mcp", streamable(sid, tok), rpc(QJsonValue::Undefined, "notifications/initialized"))
                .status,
            202);
        r = c.request("POST", "/mcp", streamable(sid, tok), rpc(2, "tools/list"));
        QCOMPARE(r.status, 200);
        const QList<SseEvent> events = r.events();
        QVERIFY(events.size() >= 2);
        const QByteArray primingId = events.first().id;
        QVERIFY(events.first().data.isEmpty());
        // Resume that (completed) stream from its priming event: the answer is sent again.
        HttpClient resumed(f.port);
        resumed.send("GET", "/mcp",
                     withToken({{"Accept", "text/event-stream"},
                                {"Mcp-Session-Id", sid},
                                {"Last-Event-ID", primingId},
                                {"MCP-Protocol-Version", "2025-11-25"}},
                               tok));
        QVERIFY(!resumed.waitMessage(2).isEmpty());
        QVERIFY(QTest::qWaitFor([&] { return kinds(exportOf(f, tok, QString::fromLatin1(sid))).contains("replay"); },
                                3000));
        const QJsonObject doc = exportOf(f, tok, QString::fromLatin1(sid));
        const QStringList seen
            = outline(doc, {"http-request", "http-response", "priming", "sse-event", "replay", "endpoint"});
        const QStringList expected{"http-request POST /mcp",
                                   "http-response 200",
                                   "priming",
                                   "sse-event",
                                   "http-request POST /mcp",
                                   "http-response 202",
                                   "http-request POST /mcp",
                                   "http-response 200",
                                   "priming",
                                   "sse-event",
                                   "http-request GET /mcp",
                                   "http-response 200 stream",
                                   "replay"};
        QCOMPARE(seen, expected);
        const QJsonArray frames = doc["frames"].toArray();
        QJsonObject replay, primed;
        for (const QJsonValue &v : frames) {
            if (v["kind"] == "replay")
                replay = v.toObject();
            if (v["kind"] == "priming")
                primed = v.toObject();
        }
        QCOMPARE(primed["eventId"].toString(), QString::fromLatin1(primingId));
        QVERIFY(replay["body"].toString().contains("\"tools\""));
        QCOMPARE(headerOf(frames.at(1).toObject(), "Content-Type"), QStringLiteral("text/event-stream"));
        QCOMPARE(headerOf(frames.at(1).toObject(), "Mcp-Session-Id"), QString::fromLatin1(sid)); // not a secret
        QVERIFY(!QJsonDocument(doc).toJson().contains(tok.split('.').last()));
    }

    void statelessCaller()
    {
        ServerFixture f(options());
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QByteArray tok = tokenFor(f);
        QCOMPARE(admin(f, tok, "POST", "/admin/traffic", {{"recordNewSessions", true}}).status, 200);
        HttpClient c(f.port);
        const HttpResponse r
            = c.request("POST", "/mcp", modernHeaders("tools/list", {}, tok), modernRequest(1, "tools/list", {}));
        QCOMPARE(r.status, 200);
        QString caller;
        for (const SessionInfo &s : f.sessions()->snapshot())
            if (s.kind == SessionKind::StatelessCaller)
                caller = s.id;
        QVERIFY(caller.startsWith("caller-"));
        // The same caller again: one row, one recording, both exchanges in it.
        QCOMPARE(
            c.request("POST", "/mcp", modernHeaders("tools/list", {}, tok), modernRequest(2, "tools/list", {})).status,
            200);
        const QJsonObject doc = exportOf(f, tok, caller);
        QCOMPARE(outline(doc, {"http-request", "http-response"}),
                 (QStringList{"http-request POST /mcp", "http-response 200", "http-request POST /mcp",
                              "http-response 200"}));
        const QJsonObject request = doc["frames"].toArray().at(0).toObject();
        QCOMPARE(headerOf(request, "Mcp-Method"), QStringLiteral("tools/list"));
        QCOMPARE(headerOf(request, "Authorization"), QStringLiteral("Bearer [redacted]"));
        QVERIFY(doc["frames"].toArray().at(1)["body"].toString().contains("\"tools\""));
        QVERIFY(!QJsonDocument(doc).toJson().contains(tok.split('.').last()));
    }

    void ringBoundAndTruncation()
    {
        ServerFixture f(options());
        QVERIFY2(f.ok, qPrintable(f.problems));
        f.sessions()->traffic()->setLimits({5, 64, 32});
        const QByteArray tok = tokenFor(f);
        QCOMPARE(admin(f, tok, "POST", "/admin/traffic", {{"recordNewSessions", true}}).status, 200);
        HttpClient c(f.port);
        HttpResponse r = c.request("POST", "/mcp", streamable({}, tok), rpc(1, "initialize", initParams("2025-11-25")));
        const QByteArray sid = r.header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        for (int i = 2; i < 8; ++i)
            QCOMPARE(c.request("POST", "/mcp", streamable(sid, tok), rpc(i, "tools/list")).status, 200);
        const QJsonObject doc = exportOf(f, tok, QString::fromLatin1(sid));
        const QJsonArray frames = doc["frames"].toArray();
        QCOMPARE(frames.size(), 5);
        QVERIFY(doc["dropped"].toInt() > 0);
        // The newest five, numbered without gaps.
        QCOMPARE(frames.first()["seq"].toInt() + 4, frames.last()["seq"].toInt());
        QCOMPARE(frames.first()["seq"].toInt(), doc["dropped"].toInt() + 1);
        // A tools/list answer is far beyond 64 bytes: cut, and says so.
        QJsonObject answer;
        for (const QJsonValue &v : frames)
            if (v["kind"] == "sse-event")
                answer = v.toObject();
        QVERIFY(answer["truncated"].toBool());
        QCOMPARE(answer["body"].toString().toUtf8().size(), 64);
        QVERIFY(answer["bodyBytes"].toInt() > 64);
    }

    void nothingRecordedWhileOff()
    {
        ServerFixture f(options());
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QByteArray tok = tokenFor(f);
        TrafficRecorder *traffic = f.sessions()->traffic();
        QSignalSpy frames(traffic, &TrafficRecorder::frameRecorded);
        HttpClient sse(f.port);
        sse.send("GET", "/mcp/sse", withToken({{"Accept", "text/event-stream"}}, tok));
        SseEvent endpoint;
        QVERIFY(sse.waitEvent("endpoint", 5000, &endpoint));
        HttpClient c(f.port);
        const HttpResponse r
            = c.request("POST", "/mcp", streamable({}, tok), rpc(1, "initialize", initParams("2025-11-25")));
        QCOMPARE(r.status, 200);
        QCOMPARE(
            c.request("POST", "/mcp", modernHeaders("tools/list", {}, tok), modernRequest(1, "tools/list", {})).status,
            200);
        QVERIFY(QTest::qWaitFor([&] { return !sse.comments().isEmpty(); }, 3000));
        QVERIFY(!traffic->active());
        QCOMPARE(frames.count(), 0);
        const QString sid = QString::fromLatin1(r.header("Mcp-Session-Id"));
        QVERIFY(!traffic->has(sid));
        const QJsonObject doc = exportOf(f, tok, sid); // a live session: an empty export, not 404
        QVERIFY(!doc["recording"].toBool());
        QVERIFY(doc["frames"].toArray().isEmpty());
    }

    void adminErrors()
    {
        ServerFixture f(options());
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QByteArray tok = tokenFor(f);
        HttpClient c(f.port);
        const HttpResponse init
            = c.request("POST", "/mcp", streamable({}, tok), rpc(1, "initialize", initParams("2025-11-25")));
        const QByteArray sid = init.header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        const QByteArray unknown(32, 'a');
        HttpResponse r = admin(f, tok, "POST", "/admin/sessions/" + unknown + "/traffic", {{"enabled", true}});
        QCOMPARE(r.status, 404);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("unknown_session"));
        r = admin(f, tok, "GET", "/admin/sessions/" + unknown + "/traffic");
        QCOMPARE(r.status, 404);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("unknown_session"));
        r = admin(f, tok, "GET", "/admin/sessions/%3Cscript%3E/traffic");
        QCOMPARE(r.status, 404);
        QVERIFY(!r.body.contains("<script>"));
        r = admin(f, tok, "POST", "/admin/sessions/" + sid + "/traffic", {{"enabled", "yes"}});
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("invalid_body"));
        r = admin(f, tok, "POST", "/admin/traffic", {{"recordNew", true}});
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("invalid_body"));
        // Recording needs the admin scope.
        const QByteArray reader = tokenFor(f, QStringLiteral("clinical:operations"));
        r = admin(f, reader, "POST", "/admin/sessions/" + sid + "/traffic", {{"enabled", true}});
        QCOMPARE(r.status, 403);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("forbidden"));
        // The bound on recorded targets: all of them recording, one more is refused with 409.
        f.sessions()->traffic()->setLimits({500, 8192, 1});
        QCOMPARE(admin(f, tok, "POST", "/admin/sessions/" + sid + "/traffic", {{"enabled", true}}).status, 200);
        const QByteArray other
            = c.request("POST", "/mcp", streamable({}, tok), rpc(1, "initialize", initParams("2025-11-25")))
                  .header("Mcp-Session-Id");
        r = admin(f, tok, "POST", "/admin/sessions/" + other + "/traffic", {{"enabled", true}});
        QCOMPARE(r.status, 409);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("too_many_recordings"));
        r = admin(f, tok, "GET", "/admin/traffic");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["recording"].toArray(), QJsonArray{QString::fromLatin1(sid)});
    }

    void masking()
    {
        const QByteArray jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXBhcnQ";
        const HttpHeaders masked = TrafficRecorder::maskHeaders({{"Authorization", "Bearer " + jwt},
                                                                 {"Cookie", "sid=secret"},
                                                                 {"X-Api-Key", "k-123"},
                                                                 {"X-Refresh-Token", "r-456"},
                                                                 {"User-Agent", "agent carrying " + jwt},
                                                                 {"Mcp-Session-Id", "0123abcd"}});
        QCOMPARE(masked.at(0).second, QByteArray("Bearer [redacted]"));
        QCOMPARE(masked.at(1).second, QByteArray("[redacted]"));
        QCOMPARE(masked.at(2).second, QByteArray("[redacted]"));
        QCOMPARE(masked.at(3).second, QByteArray("[redacted]"));
        QCOMPARE(masked.at(4).second, QByteArray("agent carrying [redacted-jwt]"));
        QCOMPARE(masked.at(5).second, QByteArray("0123abcd"));
        HttpRequest request;
        request.path = QStringLiteral("/mcp/rpc");
        request.query = QUrlQuery(QStringLiteral("sessionId=abc&access_token=xyz&code=c1"));
        QCOMPARE(TrafficRecorder::maskedTarget(request),
                 QStringLiteral("/mcp/rpc?sessionId=abc&access_token=[redacted]&code=[redacted]"));
    }
};

QTEST_MAIN(TestTraffic)
#include "tst_traffic.moc"
