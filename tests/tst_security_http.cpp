// Bearer authentication end to end over loopback: challenges, scopes per tool and transport,
// session binding, token expiry, JWKS URL refresh, rate limiting, audit, TLS and HTTPS rules.
#include "support/ChildProcess.h"
#include "support/AuthKit.h"
#include "support/HttpClient.h"
#include "support/ServerFixture.h"
#include "entities/EntityRegistry.h"
#include "http/HttpResponder.h"
#include "logging/LogSink.h"
#include "security/AuthAuditLog.h"
#include "security/Jwt.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>

using namespace koan;
using namespace koan::test;

namespace {
const QByteArray kIss = "https://issuer.test";
QList<QPair<QByteArray, QByteArray>> bearer(const QByteArray &t, QList<QPair<QByteArray, QByteArray>> h = {})
{
    h.append({"Authorization", "Bearer " + t});
    return h;
}
QStringList toolNames(const QJsonObject &listAnswer)
{
    QStringList names;
    for (const QJsonValue t : listAnswer["result"].toObject()["tools"].toArray())
        names << t["name"].toString();
    return names;
}

// Serves a JWKS document over HTTP and counts fetches.
class JwksServer : public QTcpServer
{
public:
    QByteArray body;
    int fetches = 0;
    JwksServer()
    {
        listen(QHostAddress::LocalHost, 0);
        connect(this, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *s = nextPendingConnection();
            connect(s, &QTcpSocket::readyRead, s, [this, s] {
                if (!s->readAll().contains("\r\n\r\n"))
                    return;
                ++fetches;
                s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                         + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                s->disconnectFromHost();
            });
        });
    }
};
} // namespace

class TestSecurityHttp : public QObject
{
    Q_OBJECT
    JwksFile m_jwks;

    McpServerOptions authOptions(bool required = true) const
    {
        McpServerOptions o;
        o.requireAuthentication = required;
        o.auth.jwksFile = m_jwks.path;
        o.auth.issuers = {QString::fromLatin1(kIss)};
        o.auth.scopeClaims << QStringLiteral("roles");
        return o;
    }
    QByteArray tokenFor(const ServerFixture &f, const QString &sub, const QString &scope, qint64 ttl = 600)
    {
        return token(m_jwks.key, claims(sub, scope, f.server->baseUrl() + "/mcp", QString::fromLatin1(kIss), ttl));
    }
    QByteArray initStreamable(HttpClient &c, const QByteArray &t)
    {
        const HttpResponse r = c.request("POST", "/mcp", streamableHeaders({}, t), rpc(1, "initialize", initParams()));
        return r.status == 200 ? r.header("Mcp-Session-Id") : QByteArray();
    }

private slots:
    void initTestCase() { QVERIFY(m_jwks.create()); }

    void challengesAndMetadata()
    {
        ServerFixture f(authOptions());
        QVERIFY2(f.ok, qPrintable(f.problems));
        QSignalSpy audit(f.server->auditLog(), &AuthAuditLog::failureRecorded);
        HttpClient c(f.port);
        HttpResponse r = c.request("GET", "/mcp/capabilities");
        QCOMPARE(r.status, 401);
        QVERIFY2(r.header("WWW-Authenticate").startsWith("Bearer resource_metadata=\""), r.header("WWW-Authenticate"));
        QVERIFY(r.header("WWW-Authenticate").contains("/.well-known/oauth-protected-resource/mcp"));
        r = c.request("POST", "/mcp", streamableHeaders({}, {}), rpc(1, "initialize", initParams()));
        QCOMPARE(r.status, 401);
        r = c.request("GET", "/mcp/sse", bearer("garbage"));
        QCOMPARE(r.status, 401);
        QVERIFY(r.header("WWW-Authenticate").contains("error=\"invalid_token\""));
        const QByteArray good = tokenFor(f, "alice", "clinical:operations");
        r = c.request("GET", "/mcp/capabilities?access_token=" + good);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("invalid_request"));
        // RFC 9728 metadata at both well-known forms, without a token.
        for (const QByteArray path : {QByteArray("/.well-known/oauth-protected-resource"),
                                      QByteArray("/.well-known/oauth-protected-resource/mcp")}) {
            r = c.request("GET", path);
            QCOMPARE(r.status, 200);
            QCOMPARE(r.json()["resource"].toString(), f.server->baseUrl() + "/mcp");
            QCOMPARE(r.json()["authorization_servers"].toArray().first().toString(), QString::fromLatin1(kIss));
            QVERIFY(r.json()["scopes_supported"].toArray().contains("clinical:safety"));
        }
        r = c.request("GET", "/mcp/capabilities", bearer(good));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["authentication"].toObject()["caller"].toString(), QStringLiteral("alice"));
        QCOMPARE(c.request("GET", "/healthz").status, 200); // probes need no token
        QStringList reasons;
        for (const auto &args : audit)
            reasons << args.first().value<AuthFailure>().reason;
        QCOMPARE(reasons, (QStringList{"missing_token", "missing_token", "malformed", "token_in_query"}));
        for (const auto &f2 : f.server->auditLog()->recent())
            QVERIFY(!f2.description.contains(QString::fromLatin1(good)));
    }

    void tokenHeaderCannotInjectResponseHeaders()
    {
        ServerFixture f(authOptions());
        HttpClient c(f.port);
        const QJsonObject cl
            = claims("alice", "clinical:operations", f.server->baseUrl() + "/mcp", QString::fromLatin1(kIss));
        // kid and alg end up in error_description; a CRLF in them must not become a header line.
        const QList<QJsonObject> headers{
            {{"alg", "RS256"}, {"kid", "x\r\nSet-Cookie: pwned=1"}},
            {{"alg", "RS256\r\nSet-Cookie: pwned=2"}, {"kid", "k1"}},
            {{"alg", "RS256"},
             {"kid", QStringLiteral("x\n") + QChar(0) + QChar(0x85) + QStringLiteral("Set-Cookie: pwned=3")}}};
        for (const QJsonObject &h : headers) {
            const HttpResponse r = c.request("GET", "/mcp/capabilities", bearer(signWithOpenssl(h, cl, m_jwks.key)));
            QCOMPARE(r.status, 401);
            QVERIFY(r.header("Set-Cookie").isEmpty());
            for (const auto &[name, value] : r.headers)
                QVERIFY2(!value.contains("pwned") || name.compare("WWW-Authenticate", Qt::CaseInsensitive) == 0,
                         name + ": " + value);
            const QByteArray challenge = r.header("WWW-Authenticate");
            QVERIFY(challenge.contains("error=\"invalid_token\""));
            QVERIFY2(challenge.contains("?Set-Cookie: pwned="),
                     challenge.constData());                    // stays inside the quoted string
            QVERIFY(!r.json()["message"].toString().isEmpty()); // the JSON body still explains the failure
        }
    }

    void responderRefusesHeadersWithCrLf()
    {
        // Defense in depth below every caller: the responder never writes CR, LF or NUL in a header.
        QTcpServer listener;
        QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
        const QList<QPair<QByteArray, QByteArray>> bad{{"X-Test", "a\r\nSet-Cookie: pwned=1"},
                                                       {"X-Test", QByteArray("a\0b", 3)},
                                                       {"Set-Cookie: pwned=1\r\nX", "v"},
                                                       {"X Test", "v"}};
        for (const auto &header : bad) {
            QPointer<HttpResponder> responder;
            const auto conn = connect(&listener, &QTcpServer::newConnection, this, [&] {
                QTcpSocket *s = listener.nextPendingConnection();
                connect(s, &QTcpSocket::readyRead, s, [&, s] {
                    if (!responder && s->readAll().contains("\r\n\r\n")) {
                        responder = new HttpResponder(s, false);
                        responder->send(200, {header, {"Content-Type", "text/plain"}}, "ok");
                    }
                });
            });
            HttpClient c(listener.serverPort());
            const HttpResponse r = c.request("GET", "/");
            disconnect(conn);
            QCOMPARE(r.status, 500);
            QVERIFY(r.header("Set-Cookie").isEmpty());
            QVERIFY(r.header("X-Test").isEmpty());
            QCOMPARE(r.json()["error"].toString(), QStringLiteral("internal_error"));
        }
    }

    void bearerSchemeIsCaseInsensitive()
    {
        ServerFixture f(authOptions());
        HttpClient c(f.port);
        const QByteArray t = tokenFor(f, "alice", "clinical:operations");
        for (const QByteArray scheme : {QByteArray("BEARER "), QByteArray("bearer "), QByteArray("bEaReR  ")})
            QCOMPARE(c.request("GET", "/mcp/capabilities", {{"Authorization", scheme + t}}).status, 200);
        const HttpResponse r = c.request("GET", "/mcp/capabilities", {{"Authorization", "Basic " + t}});
        QCOMPARE(r.status, 401);
        QCOMPARE(r.json()["reason"].toString(), QStringLiteral("not_bearer"));
        QCOMPARE(c.request("GET", "/mcp/capabilities", {{"Authorization", "Bearertoken" + t}}).status, 401);
    }

    void scopesAreCaseSensitive()
    {
        McpServerOptions o = authOptions();
        o.auth.requiredScopes = {"mcp:use"};
        ServerFixture f(o);
        HttpClient c(f.port);
        // OAuth scopes are case-sensitive: MCP:USE is another scope than mcp:use.
        const HttpResponse r
            = c.request("GET", "/mcp/capabilities", bearer(tokenFor(f, "alice", "MCP:USE clinical:operations")));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("insufficient_scope"));
        const QByteArray upper = tokenFor(f, "alice", "mcp:use Clinical:Safety CLINICAL:OPERATIONS");
        const QByteArray sid = initStreamable(c, upper);
        QVERIFY(!sid.isEmpty());
        const QStringList names
            = toolNames(rpcAnswer(c.request("POST", "/mcp", streamableHeaders(sid, upper), rpc(2, "tools/list"))));
        QVERIFY2(names.isEmpty(), qPrintable(names.join(' ')));
        const QByteArray exact = tokenFor(f, "alice", "mcp:use clinical:safety");
        const QByteArray sid2 = initStreamable(c, exact);
        QCOMPARE(toolNames(rpcAnswer(c.request("POST", "/mcp", streamableHeaders(sid2, exact), rpc(2, "tools/list"))))
                     .size(),
                 10); // AdverseEventReport's ten tools
    }

    void auditEscapesRequestData()
    {
        ServerFixture f(authOptions());
        QSignalSpy audit(f.server->auditLog(), &AuthAuditLog::failureRecorded);
        static QStringList lines;
        lines.clear();
        const QtMessageHandler previous
            = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &ctx, const QString &msg) {
                  if (QByteArray(ctx.category) == "koan.auth")
                      lines << QString::fromUtf8(LogSink::format(type, ctx.category, msg, LogSink::Format::Plain));
              });
        HttpClient c(f.port);
        // A forged subject in a token with a bad signature, and a percent-decoded path with CR/LF.
        QJsonObject forged = claims("mallory\nkoan.auth: auth ok for admin", "", f.server->baseUrl() + "/mcp",
                                    QString::fromLatin1(kIss));
        QByteArray t = token(m_jwks.key, forged);
        t[t.lastIndexOf('.') + 3] = t.at(t.lastIndexOf('.') + 3) == 'A' ? 'B' : 'A';
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(t)).status, 401);
        QCOMPARE(c.request("GET", "/mcp/x%0D%0Akoan.auth:%20forged").status, 401);
        qInstallMessageHandler(previous);
        QCOMPARE(audit.size(), 2);
        const AuthFailure first = audit.at(0).first().value<AuthFailure>();
        QCOMPARE(first.reason, QStringLiteral("bad_signature"));
        QCOMPARE(first.subject, QStringLiteral("mallory\\nkoan.auth: auth ok for admin"));
        QCOMPARE(audit.at(1).first().value<AuthFailure>().path, QStringLiteral("/mcp/x\\r\\nkoan.auth: forged"));
        QCOMPARE(lines.size(), 2);
        for (const QString &line : std::as_const(lines))
            QCOMPARE(line.count('\n'), 1); // one record, one line
    }

    void scopesFilterToolsOnEveryHttpTransport()
    {
        ServerFixture f(authOptions());
        HttpClient c(f.port);
        const QByteArray ops = tokenFor(f, "alice", "clinical:operations");
        const QByteArray sid = initStreamable(c, ops);
        QVERIFY(!sid.isEmpty());
        const QStringList names
            = toolNames(rpcAnswer(c.request("POST", "/mcp", streamableHeaders(sid, ops), rpc(2, "tools/list"))));
        QVERIFY(names.contains("trial-site.upsert"));
        QVERIFY(names.contains("monitoring-note.collection"));
        QVERIFY(!names.contains("adverse-event-report.collection"));
        QVERIFY(!names.contains("protocol-document.collection"));
        QCOMPARE(names.size(), 30); // ten tools for each of its three entities
        const QJsonObject denied = rpcAnswer(c.request(
            "POST", "/mcp", streamableHeaders(sid, ops),
            rpc(3, "tools/call", {{"name", "adverse-event-report.collection"}, {"arguments", QJsonObject{}}})));
        QCOMPARE(denied["error"].toObject()["code"].toInt(), -32003);
        QVERIFY(denied["error"].toObject()["message"].toString().contains("clinical:safety"));
        // The same rules over legacy HTTP+SSE; `scp` arrays and extra claims (roles) count as scopes.
        QJsonObject c2 = claims("bob", "", f.server->baseUrl() + "/mcp", QString::fromLatin1(kIss));
        c2["scp"] = QJsonArray{"clinical:safety"};
        c2["roles"] = QJsonArray{"clinical:documents"};
        const QByteArray safety = token(m_jwks.key, c2);
        HttpClient stream(f.port), post(f.port);
        stream.send("GET", "/mcp/sse", bearer(safety));
        SseEvent endpoint;
        QVERIFY(stream.waitEvent("endpoint", 5000, &endpoint));
        post.request("POST", endpoint.data, bearer(safety, {{"Content-Type", "application/json"}}),
                     rpc(1, "initialize", initParams()));
        post.request("POST", endpoint.data, bearer(safety, {{"Content-Type", "application/json"}}),
                     rpc(2, "tools/list"));
        const QStringList legacyNames = toolNames(stream.waitMessage(2));
        QVERIFY(legacyNames.contains("adverse-event-report.delete"));
        QVERIFY(legacyNames.contains("protocol-document.collection"));
        QVERIFY(!legacyNames.contains("trial-site.collection"));
    }

    void statelessCallsUnderTokens()
    {
        // 2026-07-28: no session, so every request is authenticated on its own; the tool list
        // depends on the token's scopes, so it is cacheScope "private".
        ServerFixture f(authOptions());
        HttpClient c(f.port);
        const QJsonObject meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                               {"io.modelcontextprotocol/clientCapabilities", QJsonObject{}}};
        const auto headers = [](const QByteArray &method, const QByteArray &name, const QByteArray &t) {
            auto h = streamableHeaders({}, t);
            h.append(qMakePair(QByteArray("MCP-Protocol-Version"), QByteArray("2026-07-28")));
            h.append(qMakePair(QByteArray("Mcp-Method"), method));
            if (!name.isEmpty())
                h.append(qMakePair(QByteArray("Mcp-Name"), name));
            return h;
        };
        QCOMPARE(
            c.request("POST", "/mcp", headers("tools/list", {}, {}), rpc(1, "tools/list", {{"_meta", meta}})).status,
            401);
        const QByteArray ops = tokenFor(f, "alice", "clinical:operations");
        const HttpResponse list
            = c.request("POST", "/mcp", headers("tools/list", {}, ops), rpc(2, "tools/list", {{"_meta", meta}}));
        QCOMPARE(list.status, 200);
        QVERIFY(list.header("Mcp-Session-Id").isEmpty());
        QCOMPARE(list.json()["result"].toObject()["cacheScope"].toString(), QStringLiteral("private"));
        QCOMPARE(toolNames(list.json()).size(), 30); // ten tools for each of its three entities
        const HttpResponse denied = c.request(
            "POST", "/mcp", headers("tools/call", "adverse-event-report.collection", ops),
            rpc(3, "tools/call",
                {{"name", "adverse-event-report.collection"}, {"arguments", QJsonObject{}}, {"_meta", meta}}));
        QCOMPARE(denied.status, 200);
        QCOMPARE(denied.json()["error"].toObject()["code"].toInt(), -32003);
        QCOMPARE(f.sessions()->sessionCount(), 0);
    }

    void serverWideScopesGive403()
    {
        McpServerOptions o = authOptions();
        o.auth.requiredScopes = {"mcp:use"};
        ServerFixture f(o);
        HttpClient c(f.port);
        const HttpResponse r
            = c.request("GET", "/mcp/capabilities", bearer(tokenFor(f, "alice", "clinical:operations")));
        QCOMPARE(r.status, 403);
        QVERIFY(r.header("WWW-Authenticate").contains("error=\"insufficient_scope\""));
        QVERIFY(r.header("WWW-Authenticate").contains("scope=\"mcp:use\""));
        QCOMPARE(
            c.request("GET", "/mcp/capabilities", bearer(tokenFor(f, "alice", "mcp:use clinical:operations"))).status,
            200);
    }

    void perEntityOverridesInDevelopmentMode()
    {
        McpServerOptions o = authOptions(false); // anonymous allowed server-wide
        EntityOverride docs;
        docs.requireAuthentication = true;
        o.entityOverrides.insert("ProtocolDocument", docs);
        EntityOverride sites;
        sites.requiredScopes = QStringList{"sites:read"};
        sites.allowMutations = false;
        o.entityOverrides.insert("TrialSite", sites);
        ServerFixture f(o);
        HttpClient anon(f.port), authed(f.port);
        const QByteArray a = initStreamable(anon, {});
        QStringList names
            = toolNames(rpcAnswer(anon.request("POST", "/mcp", streamableHeaders(a, {}), rpc(2, "tools/list"))));
        QVERIFY(!names.contains("protocol-document.collection")); // needs an authenticated caller
        QVERIFY(names.contains("trial-site.collection"));         // anonymous dev callers are not scope-checked
        QVERIFY(!names.contains("trial-site.upsert"));            // AllowMutations=false
        QCOMPARE(rpcAnswer(anon.request("POST", "/mcp", streamableHeaders(a, {}),
                                        rpc(3, "tools/call", {{"name", "protocol-document.collection"}})))["error"]
                     .toObject()["code"]
                     .toInt(),
                 -32003);
        const QByteArray t = tokenFor(f, "alice", "clinical:documents");
        const QByteArray b = initStreamable(authed, t);
        names = toolNames(rpcAnswer(authed.request("POST", "/mcp", streamableHeaders(b, t), rpc(2, "tools/list"))));
        QVERIFY(names.contains("protocol-document.collection"));
        QVERIFY(!names.contains("trial-site.collection")); // authenticated: needs sites:read
    }

    void sessionsAreBoundToTheSubject()
    {
        ServerFixture f(authOptions());
        const QByteArray alice = tokenFor(f, "alice", "clinical:operations");
        const QByteArray bob = tokenFor(f, "bob", "clinical:operations");
        HttpClient c(f.port);
        const QByteArray sid = initStreamable(c, alice);
        HttpResponse r = c.request("POST", "/mcp", streamableHeaders(sid, bob), rpc(2, "tools/list"));
        QCOMPARE(r.status, 403);
        r = c.request("GET", "/mcp", bearer(bob, {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}}));
        QCOMPARE(r.status, 403);
        QCOMPARE(c.request("DELETE", "/mcp", bearer(bob, {{"Mcp-Session-Id", sid}})).status, 403);
        QCOMPARE(
            rpcAnswer(c.request("POST", "/mcp", streamableHeaders(sid, alice), rpc(3, "ping")))["result"].toObject(),
            QJsonObject{});
        // Legacy: the hijack the original allowed.
        HttpClient stream(f.port), post(f.port);
        stream.send("GET", "/mcp/sse", bearer(alice));
        SseEvent endpoint;
        QVERIFY(stream.waitEvent("endpoint", 5000, &endpoint));
        r = post.request("POST", endpoint.data, bearer(bob, {{"Content-Type", "application/json"}}), rpc(1, "ping"));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("session_owner_mismatch"));
        QCOMPARE(
            post.request("POST", endpoint.data, bearer(alice, {{"Content-Type", "application/json"}}), rpc(1, "ping"))
                .status,
            202);
    }

    void expiringTokenEndsTheStream()
    {
        McpServerOptions o = authOptions();
        o.auth.clockSkewSeconds = 0;
        ServerFixture f(o);
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse", bearer(tokenFor(f, "alice", "clinical:operations", 2)));
        QVERIFY(stream.waitEvent("endpoint"));
        SseEvent end;
        QVERIFY(stream.waitEvent("end", 6000, &end));
        QVERIFY(end.data.contains("token_expired"));
        QVERIFY(stream.waitClosed());
    }

    void sessionEndsExactlyWhenItsTokenIsRefused()
    {
        // With clock skew the token stays valid until exp + skew: the session must live as long,
        // and once it ends, the same token must not open a new one (clients would loop).
        McpServerOptions o = authOptions();
        o.auth.clockSkewSeconds = 2;
        ServerFixture f(o);
        const QByteArray token = tokenFor(f, "alice", "clinical:operations", 1);
        QElapsedTimer t;
        t.start();
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse", bearer(token));
        QVERIFY(stream.waitEvent("endpoint"));
        SseEvent end;
        QVERIFY(stream.waitEvent("end", 8000, &end));
        QVERIFY(end.data.contains("token_expired"));
        QVERIFY2(t.elapsed() >= 1900, qPrintable(QString::number(t.elapsed())));
        HttpClient again(f.port);
        QCOMPARE(again.request("GET", "/mcp/sse", bearer(token)).status, 401);
    }

    void jwksUrlRefreshesOnUnknownKid()
    {
        JwksServer jwksServer;
        KeyPair first = makeKey(QDir(m_jwks.dir.path()), "url-1", false);
        KeyPair rotated = makeKey(QDir(m_jwks.dir.path()), "url-2", true);
        // Made up front: key generation is slow under load and must not eat into the refresh interval below.
        const KeyPair stranger = makeKey(QDir(m_jwks.dir.path()), "nobody", true);
        jwksServer.body = QJsonDocument(jwks({first})).toJson();
        McpServerOptions o = authOptions();
        o.auth.jwksFile.clear();
        o.auth.jwksUrl = QStringLiteral("http://127.0.0.1:%1/jwks.json").arg(jwksServer.serverPort());
        o.auth.jwksRefreshMinIntervalMs = 1000;
        ServerFixture f(o);
        QTRY_COMPARE(jwksServer.fetches, 1); // fetched at start
        HttpClient c(f.port);
        const QString aud = f.server->baseUrl() + "/mcp";
        QCOMPARE(
            c.request("GET", "/mcp/capabilities", bearer(token(first, claims("a", "", aud, QString::fromLatin1(kIss)))))
                .status,
            200);
        // The issuer rotates to a new key: the first token with the unknown kid triggers one refetch.
        jwksServer.body = QJsonDocument(jwks({first, rotated})).toJson();
        QTest::qWait(1050);
        QCOMPARE(c.request("GET", "/mcp/capabilities",
                           bearer(token(rotated, claims("a", "", aud, QString::fromLatin1(kIss)))))
                     .status,
                 200);
        QCOMPARE(jwksServer.fetches, 2);
        // Unknown kids right after a fetch do not hammer the JWKS endpoint.
        const int before = jwksServer.fetches;
        QCOMPARE(c.request("GET", "/mcp/capabilities",
                           bearer(token(stranger, claims("a", "", aud, QString::fromLatin1(kIss)))))
                     .status,
                 401);
        QCOMPARE(c.request("GET", "/mcp/capabilities",
                           bearer(token(stranger, claims("a", "", aud, QString::fromLatin1(kIss)))))
                     .status,
                 401);
        QCOMPARE(jwksServer.fetches, before);
    }

    void rateLimiter()
    {
        McpServerOptions o = authOptions(false);
        o.rateLimit.enabled = true;
        o.rateLimit.permitsPerSecond = 2;
        o.rateLimit.burst = 3;
        ServerFixture f(o);
        HttpClient c(f.port);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(c.request("GET", "/mcp/capabilities").status, 200);
        const HttpResponse limited = c.request("GET", "/mcp/capabilities");
        QCOMPARE(limited.status, 429);
        QVERIFY(limited.header("Retry-After").toInt() >= 1);
        QCOMPARE(limited.json()["error"].toString(), QStringLiteral("rate_limited"));
        // Per subject: another caller has its own bucket.
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(tokenFor(f, "carol", ""))).status, 200);
        QCOMPARE(c.request("GET", "/healthz").status, 200); // probes are never limited
        QTest::qWait(600);
        QCOMPARE(c.request("GET", "/mcp/capabilities").status, 200); // refilled
        QVERIFY(c.request("GET", "/metrics").body.contains("koan_mcp_rate_limited_total 1"));
    }

    void failedAuthenticationIsRateLimited()
    {
        McpServerOptions o = authOptions();
        o.rateLimit.enabled = true;
        o.rateLimit.permitsPerSecond = 0.5; // slow refill: the flood below must not earn a permit
        o.rateLimit.burst = 3;
        ServerFixture f(o);
        QSignalSpy audit(f.server->auditLog(), &AuthAuditLog::failureRecorded);
        HttpClient c(f.port);
        QCOMPARE(c.request("GET", "/mcp/capabilities").status, 401);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer("garbage")).status, 401);
        QCOMPARE(c.request("GET", "/mcp/capabilities?access_token=x").status, 400);
        // The address's bucket is spent: a flood of bad or missing tokens now gets 429 ...
        for (int i = 0; i < 10; ++i) {
            const HttpResponse r = c.request("GET", "/mcp/capabilities",
                                             i % 2 ? bearer("garbage") : QList<QPair<QByteArray, QByteArray>>{});
            QCOMPARE(r.status, 429);
            QVERIFY(r.header("Retry-After").toInt() >= 1);
            QCOMPARE(r.json()["error"].toString(), QStringLiteral("rate_limited"));
        }
        // ... and one audit entry for the whole flood instead of one per request.
        QStringList reasons;
        for (const auto &args : audit)
            reasons << args.first().value<AuthFailure>().reason;
        QCOMPARE(reasons, (QStringList{"missing_token", "malformed", "token_in_query", "rate_limited"}));
        QCOMPARE(audit.last().first().value<AuthFailure>().remote, QStringLiteral("127.0.0.1"));
        // A valid token from the same address is charged to its subject and still passes.
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(tokenFor(f, "alice", "clinical:operations"))).status,
                 200);
        QVERIFY(c.request("GET", "/metrics").body.contains("koan_mcp_rate_limited_total 10"));
        // Once the bucket refills, failures are answered (and recorded) again.
        QTest::qWait(2100);
        QCOMPARE(c.request("GET", "/mcp/capabilities").status, 401);
        QCOMPARE(audit.last().first().value<AuthFailure>().reason, QStringLiteral("missing_token"));
    }

    void forwardedForOnlyFromTrustedProxies()
    {
        const auto remoteOf = [](ServerFixture &f, const QList<QPair<QByteArray, QByteArray>> &headers) {
            QSignalSpy audit(f.server->auditLog(), &AuthAuditLog::failureRecorded);
            HttpClient c(f.port);
            c.request("GET", "/mcp/capabilities", headers);
            return audit.isEmpty() ? QString() : audit.first().first().value<AuthFailure>().remote;
        };
        // No trusted proxies: the header is the client's word and is ignored.
        ServerFixture direct(authOptions());
        QCOMPARE(remoteOf(direct, {{"X-Forwarded-For", "203.0.113.9"}}), QStringLiteral("127.0.0.1"));

        McpServerOptions o = authOptions();
        o.trustedProxies = {"127.0.0.1", "10.0.0.0/8"};
        o.rateLimit.enabled = true;
        o.rateLimit.permitsPerSecond = 1;
        o.rateLimit.burst = 3;
        ServerFixture f(o);
        // The rightmost address that is not one of our proxies; whatever the client put left of it is ignored.
        QCOMPARE(remoteOf(f, {{"X-Forwarded-For", "6.6.6.6, 203.0.113.9"}}), QStringLiteral("203.0.113.9"));
        QCOMPARE(remoteOf(f, {{"X-Forwarded-For", "6.6.6.6, 203.0.113.8, 10.1.2.3"}}), QStringLiteral("203.0.113.8"));
        QCOMPARE(remoteOf(f, {{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "203.0.113.7"}}),
                 QStringLiteral("203.0.113.7"));
        QCOMPARE(remoteOf(f, {{"X-Forwarded-For", "10.9.9.9"}}),
                 QStringLiteral("10.9.9.9")); // only proxies: the farthest
        // Rotating a spoofed leftmost entry does not buy a fresh rate-limit bucket.
        HttpClient c(f.port);
        QList<int> statuses;
        for (int i = 1; i <= 4; ++i)
            statuses << c.request(
                             "GET", "/mcp/capabilities",
                             {{"X-Forwarded-For", QByteArray("1.1.1.") + QByteArray::number(i) + ", 198.51.100.4"}})
                            .status;
        QCOMPARE(statuses, (QList<int>{401, 401, 401, 429}));
    }

    void queryTokenIsRefusedBeforeTheHttpsRedirect()
    {
        McpServerOptions o = authOptions();
        o.requireHttps = true;
        ServerFixture f(o);
        QSignalSpy audit(f.server->auditLog(), &AuthAuditLog::failureRecorded);
        HttpClient c(f.port);
        const QByteArray secret = tokenFor(f, "alice", "clinical:operations");
        for (const QByteArray path : {QByteArray("/mcp/capabilities"), QByteArray("/metrics"),
                                      QByteArray("/.well-known/oauth-protected-resource")}) {
            const HttpResponse r = c.request("GET", path + "?x=1&access_token=" + secret);
            QCOMPARE(r.status, 400); // not a 308 whose Location would carry the token
            QVERIFY(r.header("Location").isEmpty());
            QCOMPARE(r.json()["reason"].toString(), QStringLiteral("token_in_query"));
            for (const auto &[name, value] : r.headers)
                QVERIFY(!value.contains(secret));
            QVERIFY(!r.body.contains(secret));
        }
        QCOMPARE(audit.size(), 3);
        for (const auto &args : audit) {
            const AuthFailure a = args.first().value<AuthFailure>();
            QVERIFY(!a.path.contains(QString::fromLatin1(secret))
                    && !a.description.contains(QString::fromLatin1(secret)));
        }
        QCOMPARE(c.request("GET", "/mcp/capabilities").status, 308); // without a token: the usual redirect
    }

    void sessionHijacksAndToolDenialsAreAudited()
    {
        ServerFixture f(authOptions());
        QSignalSpy audit(f.server->auditLog(), &AuthAuditLog::failureRecorded);
        const QByteArray alice = tokenFor(f, "alice", "clinical:operations");
        const QByteArray bob = tokenFor(f, "bob", "clinical:operations");
        HttpClient c(f.port);
        const QByteArray sid = initStreamable(c, alice);
        QCOMPARE(c.request("POST", "/mcp", streamableHeaders(sid, bob), rpc(2, "tools/list")).status, 403);
        QCOMPARE(
            c.request("GET", "/mcp", bearer(bob, {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}})).status,
            403);
        HttpClient stream(f.port), post(f.port);
        stream.send("GET", "/mcp/sse", bearer(alice));
        SseEvent endpoint;
        QVERIFY(stream.waitEvent("endpoint", 5000, &endpoint));
        const HttpResponse legacy
            = post.request("POST", endpoint.data, bearer(bob, {{"Content-Type", "application/json"}}), rpc(1, "ping"));
        QCOMPARE(legacy.status, 403);
        QCOMPARE(legacy.json()["error"].toString(), QStringLiteral("session_owner_mismatch"));
        // Tool-level denials (-32003) on both HTTP transports.
        const QJsonObject denied = rpcAnswer(c.request(
            "POST", "/mcp", streamableHeaders(sid, alice),
            rpc(3, "tools/call", {{"name", "adverse-event-report.collection"}, {"arguments", QJsonObject{}}})));
        QCOMPARE(denied["error"].toObject()["code"].toInt(), -32003);
        post.request("POST", endpoint.data, bearer(alice, {{"Content-Type", "application/json"}}),
                     rpc(1, "initialize", initParams()));
        post.request(
            "POST", endpoint.data, bearer(alice, {{"Content-Type", "application/json"}}),
            rpc(4, "tools/call", {{"name", "protocol-document.get-by-id"}, {"arguments", QJsonObject{{"id", "x"}}}}));
        QCOMPARE(stream.waitMessage(4)["error"].toObject()["code"].toInt(), -32003);

        QList<AuthFailure> entries;
        for (const auto &args : audit)
            entries << args.first().value<AuthFailure>();
        QCOMPARE(entries.size(), 5);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(entries[i].reason, QStringLiteral("session_owner_mismatch"));
            QCOMPARE(entries[i].subject, QStringLiteral("bob"));
            QCOMPARE(entries[i].remote, QStringLiteral("127.0.0.1"));
        }
        QCOMPARE(entries[0].path, QStringLiteral("/mcp"));
        QCOMPARE(entries[2].path, QStringLiteral("/mcp/rpc"));
        QCOMPARE(entries[3].reason, QStringLiteral("tool_forbidden"));
        QCOMPARE(entries[3].subject, QStringLiteral("alice"));
        QCOMPARE(entries[3].path, QStringLiteral("/mcp"));
        QVERIFY(entries[3].remote.startsWith("127.0.0.1:"));
        QVERIFY2(entries[3].description.contains("adverse-event-report.collection")
                     && entries[3].description.contains("clinical:safety"),
                 qPrintable(entries[3].description));
        QCOMPARE(entries[4].reason, QStringLiteral("tool_forbidden"));
        QCOMPARE(entries[4].path, QStringLiteral("/mcp/rpc"));
    }

    void stdioTokenFromEnvironment()
    {
        ServerFixture f(authOptions(false));
        QProcess p;
        QProcessEnvironment env = isolatedEnvironment(f.dir.path());
        env.insert("KOAN_MCP_STDIO_TOKEN",
                   QString::fromLatin1(token(m_jwks.key, claims("agent", "clinical:safety", "http://127.0.0.1:5114/mcp",
                                                                QString::fromLatin1(kIss)))));
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"--stdio", "--db", ":memory:", "--set", "Auth:JwksFile=" + m_jwks.path, "--set",
                                  "Auth:Issuer=" + QString::fromLatin1(kIss)});
        QVERIFY(p.waitForStarted());
        p.write(rpc(1, "initialize", initParams()) + "\n" + rpc(2, "tools/list") + "\n");
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
        QJsonObject list;
        for (const QByteArray &line : p.readAllStandardOutput().split('\n'))
            if (QJsonDocument::fromJson(line).object()["id"].toInt() == 2)
                list = QJsonDocument::fromJson(line).object();
        const QStringList names = toolNames(list);
        QCOMPARE(names.size(), 10); // only AdverseEventReport: the token's scopes apply to STDIO
        QVERIFY(names.contains("adverse-event-report.patch"));
        // A bad token is a startup error.
        env.insert("KOAN_MCP_STDIO_TOKEN", "nope");
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"--stdio", "--db", ":memory:"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("KOAN_MCP_STDIO_TOKEN"));
    }

    void stdioTokenNeedsServerWideScopes()
    {
        QTemporaryDir home;
        QProcess p;
        QProcessEnvironment env = isolatedEnvironment(home.path());
        const QStringList args{"--stdio",
                               "--db",
                               ":memory:",
                               "--set",
                               "Auth:JwksFile=" + m_jwks.path,
                               "--set",
                               "Auth:Issuer=" + QString::fromLatin1(kIss),
                               "--set",
                               "Auth:RequiredScopes=mcp:use"};
        // HTTP answers 403 insufficient_scope for this token; STDIO must not start with it.
        env.insert(
            "KOAN_MCP_STDIO_TOKEN",
            QString::fromLatin1(token(m_jwks.key, claims("agent", "clinical:safety MCP:USE",
                                                         "http://127.0.0.1:5114/mcp", QString::fromLatin1(kIss)))));
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, args);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("KOAN_MCP_STDIO_TOKEN lacks the required scope(s)")
                     && err.contains("Koan:Mcp:Auth:RequiredScopes needs \"mcp:use\""),
                 err.constData());
        QVERIFY(p.readAllStandardOutput().isEmpty());
        env.insert(
            "KOAN_MCP_STDIO_TOKEN",
            QString::fromLatin1(token(m_jwks.key, claims("agent", "clinical:safety mcp:use",
                                                         "http://127.0.0.1:5114/mcp", QString::fromLatin1(kIss)))));
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, args);
        QVERIFY(p.waitForStarted());
        p.write(rpc(1, "initialize", initParams()) + "\n" + rpc(2, "tools/list") + "\n");
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains("adverse-event-report.patch"));
        // Outside Development the token must come from a pinned issuer with known keys.
        env.insert("KOAN_ENVIRONMENT", "Staging");
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"--stdio", "--db", ":memory:", "--set", "Auth:JwksFile=" + m_jwks.path});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("Koan:Mcp:Auth:Issuer: required outside Development"));
    }

    void stdioTokenExpiryEndsTheSession()
    {
        QTemporaryDir home;
        QProcess p;
        QProcessEnvironment env = isolatedEnvironment(home.path());
        const QJsonObject shortLived
            = claims("agent", "clinical:operations", "http://127.0.0.1:5114/mcp", QString::fromLatin1(kIss), 4);
        env.insert("KOAN_MCP_STDIO_TOKEN", QString::fromLatin1(token(m_jwks.key, shortLived)));
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"--stdio", "--db", ":memory:", "--set", "Auth:JwksFile=" + m_jwks.path, "--set",
                                  "Auth:Issuer=" + QString::fromLatin1(kIss), "--set", "Auth:ClockSkewSeconds=0"});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        const auto waitForId = [&](int id) {
            return QTest::qWaitFor(
                [&] {
                    out += p.readAllStandardOutput();
                    for (const QByteArray &line : out.split('\n'))
                        if (QJsonDocument::fromJson(line).object()["id"].toInt() == id)
                            return true;
                    return false;
                },
                10000);
        };
        p.write(rpc(1, "initialize", initParams()) + "\n");
        QVERIFY(waitForId(1));
        QVERIFY(!out.contains("\"error\""));
        // The token expires while stdin stays open.
        QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentSecsSinceEpoch() >= qint64(shortLived["exp"].toDouble()), 6000);
        p.write(rpc(2, "tools/list") + "\n");
        QVERIFY(waitForId(2));
        QJsonObject refused;
        for (const QByteArray &line : out.split('\n'))
            if (QJsonDocument::fromJson(line).object()["id"].toInt() == 2)
                refused = QJsonDocument::fromJson(line).object();
        QCOMPARE(refused["error"].toObject()["code"].toInt(), -32001);
        QCOMPARE(refused["error"].toObject()["message"].toString(), QStringLiteral("token expired"));
        QVERIFY(!refused.contains("result"));
        QVERIFY(p.state() == QProcess::NotRunning || p.waitForFinished(5000)); // the transport ended by itself
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY(p.readAllStandardError().contains("STDIO token has expired"));
    }

    void wildcardBindUsesLoopbackResource()
    {
        McpServerOptions o = authOptions();
        o.bindAddress = QStringLiteral("0.0.0.0");
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QString resource = QStringLiteral("http://127.0.0.1:%1/mcp").arg(f.port);
        QCOMPARE(f.server->baseUrl(), QStringLiteral("http://127.0.0.1:%1").arg(f.port));
        HttpClient c(f.port);
        QCOMPARE(c.request("GET", "/.well-known/oauth-protected-resource").json()["resource"].toString(), resource);
        // `koan-mcp token` with the same settings names the same audience.
        QProcess p;
        QProcessEnvironment env = isolatedEnvironment(f.dir.path());
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"token", "--sub", "erin", "--scope", "clinical:operations", "--set",
                                  "BindAddress=0.0.0.0", "--set", "Port=" + QString::number(f.port), "--set",
                                  "Auth:DevIssuerKeyFile=" + f.dir.filePath("dev-issuer.pem")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray jwt = p.readAllStandardOutput().trimmed();
        QCOMPARE(JwtValidator::unverifiedClaims(jwt)["aud"].toString(), resource);
        const HttpResponse r = c.request("GET", "/mcp/capabilities", bearer(jwt));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["authentication"].toObject()["caller"].toString(), QStringLiteral("erin"));

        // An explicit public resource (Auth:Audience) wins over the bind address.
        o.auth.audience = QStringLiteral("https://mcp.example.org/mcp");
        ServerFixture g(o);
        HttpClient d(g.port);
        QCOMPARE(d.request("GET", "/.well-known/oauth-protected-resource").json()["resource"].toString(),
                 o.auth.audience);
        QCOMPARE(d.request("GET", "/mcp/capabilities",
                           bearer(token(m_jwks.key, claims("a", "", o.auth.audience, QString::fromLatin1(kIss)))))
                     .status,
                 200);
        QCOMPARE(d.request("GET", "/mcp/capabilities",
                           bearer(token(m_jwks.key, claims("a", "", resource, QString::fromLatin1(kIss)))))
                     .status,
                 401);
    }

    void metadataNamesAnAuthorizationServer()
    {
        // Outside Development the issuer is required, so the metadata always names one.
        McpServerOptions o = authOptions();
        o.environment = QStringLiteral("Production");
        o.requireHttps = false;
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        QCOMPARE(c.request("GET", "/.well-known/oauth-protected-resource").json()["authorization_servers"].toArray(),
                 QJsonArray{QString::fromLatin1(kIss)});
        o.auth.issuers.clear();
        ServerFixture g(o);
        QVERIFY(!g.ok);
        QVERIFY2(g.problems.contains("Koan:Mcp:Auth:Issuer"), qPrintable(g.problems));
    }

    void devTokenCommand()
    {
        ServerFixture f(authOptions());
        const QString key = f.dir.filePath("dev-issuer.pem");
        QProcess p;
        QProcessEnvironment env = isolatedEnvironment(f.dir.path());
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"token", "--sub", "dana", "--scope", "clinical:operations", "--ttl", "10m", "--set",
                                  "Port=" + QString::number(f.port), "--set", "Auth:DevIssuerKeyFile=" + key});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray jwt = p.readAllStandardOutput().trimmed();
        QCOMPARE(jwt.count('.'), 2);
        HttpClient c(f.port);
        const HttpResponse r = c.request("GET", "/mcp/capabilities", bearer(jwt));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["authentication"].toObject()["caller"].toString(), QStringLiteral("dana"));
        p.start(KOAN_MCP_BINARY, {"token", "--sub", "dana", "--environment", "Production"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("disabled"));
    }

    void tlsAndHttpsRules()
    {
        QString cert, keyFile;
        QVERIFY(makeCertificate(QDir(m_jwks.dir.path()), &cert, &keyFile));
        McpServerOptions o;
        o.tlsCertificateFile = cert;
        o.tlsKeyFile = keyFile;
        o.requireHttps = true;
        ServerFixture tls(o);
        QVERIFY2(tls.ok, qPrintable(tls.problems));
        QVERIFY(tls.server->baseUrl().startsWith("https://"));
        HttpClient secure(tls.port, true);
        QVERIFY(secure.connect());
        auto *ssl = qobject_cast<QSslSocket *>(secure.socket());
        QVERIFY(ssl->isEncrypted());
        QCOMPARE(ssl->peerCertificate().subjectInfo(QSslCertificate::CommonName).value(0), QStringLiteral("localhost"));
        secure.send("GET", "/mcp/sse");
        QVERIFY(secure.waitEvent("endpoint"));

        // Plain HTTP with RequireHttps: refused unless a trusted proxy says it terminated TLS.
        McpServerOptions plain;
        plain.requireHttps = true;
        plain.trustedProxies = {"127.0.0.1"};
        ServerFixture f(plain);
        HttpClient c(f.port);
        HttpResponse r = c.request("GET", "/mcp/capabilities");
        QCOMPARE(r.status, 308);
        QVERIFY(r.header("Location").startsWith("https://"));
        r = c.request("POST", "/mcp", {{"Content-Type", "application/json"}}, "{}");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json()["error"].toString(), QStringLiteral("https_required"));
        QCOMPARE(c.request("GET", "/mcp/capabilities", {{"X-Forwarded-Proto", "https"}}).status, 200);
        QCOMPARE(c.request("GET", "/healthz").status, 200); // kubelet probes stay plain
        QCOMPARE(c.request("GET", "/readyz").status, 200);
        // Metrics follow the HTTPS rule like every other endpoint.
        r = c.request("GET", "/metrics");
        QCOMPARE(r.status, 308);
        QVERIFY(r.header("Location").startsWith("https://"));
        QCOMPARE(c.request("GET", "/metrics", {{"X-Forwarded-Proto", "https"}}).status, 200);
        QCOMPARE(c.request("GET", "/.well-known/oauth-protected-resource").status, 308);
        McpServerOptions untrusted;
        untrusted.requireHttps = true;
        ServerFixture g(untrusted);
        HttpClient d(g.port);
        QCOMPARE(d.request("GET", "/mcp/capabilities", {{"X-Forwarded-Proto", "https"}}).status,
                 308); // header not believed
    }
};

QTEST_GUILESS_MAIN(TestSecurityHttp)
#include "tst_security_http.moc"
