// Who a caller is: (issuer, subject), with each issuer bound to its own keys (Auth:Issuers);
// scope claims that cannot be smuggled through array items; /metrics closed by default
// outside Development. Real tokens signed with openssl, real loopback HTTP.
#include "support/AuthKit.h"
#include "support/HttpClient.h"
#include "support/ServerFixture.h"
#include "security/AuthAuditLog.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace koan;
using namespace koan::test;

namespace {
const QString kIssA = QStringLiteral("https://issuer-a.test");
const QString kIssB = QStringLiteral("https://issuer-b.test");
QList<QPair<QByteArray, QByteArray>> bearer(const QByteArray &t, QList<QPair<QByteArray, QByteArray>> h = {})
{
    h.append({"Authorization", "Bearer " + t});
    return h;
}
QString writeJwks(const QDir &dir, const QString &name, const KeyPair &key)
{
    QFile f(dir.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(QJsonDocument(jwks({key})).toJson());
    return f.fileName();
}
} // namespace

class TestSecurityIdentity : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    KeyPair m_keyA, m_keyB;
    QString m_jwksA, m_jwksB;

    McpServerOptions boundIssuers() const
    {
        McpServerOptions o;
        o.requireAuthentication = true;
        o.auth.issuerBindings = {{kIssA, {}, m_jwksA}, {kIssB, {}, m_jwksB}};
        o.auth.scopeClaims << QStringLiteral("roles");
        return o;
    }
    static QByteArray tok(const KeyPair &key, const ServerFixture &f, const QString &sub, const QString &scope,
                          const QString &iss)
    {
        return token(key, claims(sub, scope, f.server->baseUrl() + "/mcp", iss));
    }
    static QByteArray initStreamable(HttpClient &c, const QByteArray &t)
    {
        const HttpResponse r
            = c.request("POST", "/mcp", bearer(t, streamableHeaders()), rpc(1, "initialize", initParams()));
        return r.status == 200 ? r.header("Mcp-Session-Id") : QByteArray();
    }
    static int adminStatus(const ServerFixture &f, const QByteArray &t)
    {
        HttpClient c(f.port);
        return c.request("GET", "/admin/transports", bearer(t)).status;
    }

private slots:
    void initTestCase()
    {
        // The same kid on both issuers: only the binding tells their keys apart.
        m_keyA = makeKey(QDir(m_dir.path()), "k1", true);
        m_keyB = makeKey(QDir(m_dir.path()), "k1", true);
        QVERIFY(m_keyA.publicKey && m_keyB.publicKey);
        m_jwksA = writeJwks(QDir(m_dir.path()), "a.json", m_keyA);
        m_jwksB = writeJwks(QDir(m_dir.path()), "b.json", m_keyB);
    }

    void scopeArrayItemsAreNotSplit()
    {
        McpServerOptions o = boundIssuers();
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QString aud = f.server->baseUrl() + "/mcp";
        // A role whose name contains the admin scope after a space grants nothing.
        QJsonObject role = claims("eve", "", aud, kIssA);
        role["roles"] = QJsonArray{"Trial Viewers koan:admin"};
        QCOMPARE(adminStatus(f, token(m_keyA, role)), 403);
        QJsonObject scp = claims("eve", "", aud, kIssA);
        scp["scp"] = QJsonArray{"clinical:operations koan:admin"};
        QCOMPARE(adminStatus(f, token(m_keyA, scp)), 403);
        // One scope per item, surrounding whitespace trimmed.
        QJsonObject trimmed = claims("ops", "", aud, kIssA);
        trimmed["scp"] = QJsonArray{"  koan:admin\t"};
        QCOMPARE(adminStatus(f, token(m_keyA, trimmed)), 200);
        // The string claim stays a space-delimited list (RFC 8693 4.2).
        QCOMPARE(adminStatus(f, tok(m_keyA, f, "ops", "clinical:operations koan:admin", kIssA)), 200);
    }

    void sameSubjectFromAnotherIssuerCannotUseTheSession()
    {
        ServerFixture f(boundIssuers());
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const QByteArray aliceA = tok(m_keyA, f, "alice", "clinical:operations", kIssA);
        const QByteArray aliceB = tok(m_keyB, f, "alice", "clinical:operations", kIssB);
        const QByteArray sid = initStreamable(c, aliceA);
        QVERIFY(!sid.isEmpty());
        QCOMPARE(c.request("POST", "/mcp", streamableHeaders(sid, aliceA), rpc(2, "ping")).status, 200);
        const HttpResponse hijack = c.request("POST", "/mcp", streamableHeaders(sid, aliceB), rpc(3, "ping"));
        QCOMPARE(hijack.status, 403);
        const AuthFailure last = f.server->auditLog()->recent().last();
        QCOMPARE(last.reason, QStringLiteral("session_owner_mismatch"));
        QCOMPARE(last.issuer, kIssB);
        // Legacy HTTP+SSE the same way.
        HttpClient stream(f.port), post(f.port);
        stream.send("GET", "/mcp/sse", bearer(aliceA));
        SseEvent endpoint;
        QVERIFY(stream.waitEvent("endpoint", 5000, &endpoint));
        QCOMPARE(
            post.request("POST", endpoint.data, bearer(aliceB, {{"Content-Type", "application/json"}}), rpc(1, "ping"))
                .status,
            403);
        QCOMPARE(
            post.request("POST", endpoint.data, bearer(aliceA, {{"Content-Type", "application/json"}}), rpc(1, "ping"))
                .status,
            202);
        // The console and the capability document name the issuer beside the subject.
        bool found = false;
        for (const SessionInfo &s : f.sessions()->snapshot())
            found = found || (s.subject == "alice" && s.issuer == kIssA);
        QVERIFY(found);
        const QJsonObject auth
            = c.request("GET", "/mcp/capabilities", bearer(aliceB)).json()["authentication"].toObject();
        QCOMPARE(auth["caller"].toString(), QStringLiteral("alice"));
        QCOMPARE(auth["issuer"].toString(), kIssB);
    }

    void aKeyOfOneIssuerNeverValidatesAnother()
    {
        ServerFixture f(boundIssuers());
        HttpClient c(f.port);
        // Signed with B's key (same kid), claiming A: refused.
        const HttpResponse forged = c.request("GET", "/mcp/capabilities", bearer(tok(m_keyB, f, "alice", "", kIssA)));
        QCOMPARE(forged.status, 401);
        QCOMPARE(f.server->auditLog()->recent().last().reason, QStringLiteral("bad_signature"));
        // An issuer nobody bound is not trusted, whatever key signed it.
        QCOMPARE(
            c.request("GET", "/mcp/capabilities", bearer(tok(m_keyA, f, "alice", "", "https://issuer-c.test"))).status,
            401);
        QCOMPARE(f.server->auditLog()->recent().last().reason, QStringLiteral("wrong_issuer"));
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(tok(m_keyA, f, "alice", "", kIssA))).status, 200);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(tok(m_keyB, f, "alice", "", kIssB))).status, 200);
    }

    void rateLimitBucketsAreKeyedByIssuerAndSubject()
    {
        McpServerOptions o = boundIssuers();
        o.rateLimit.enabled = true;
        o.rateLimit.permitsPerSecond = 1;
        o.rateLimit.burst = 2;
        ServerFixture f(o);
        HttpClient c(f.port);
        const QByteArray aliceA = tok(m_keyA, f, "alice", "", kIssA);
        const QByteArray aliceB = tok(m_keyB, f, "alice", "", kIssB);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(aliceA)).status, 200);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(aliceA)).status, 200);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(aliceA)).status, 429);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(aliceB)).status, 200); // another identity, another bucket
    }

    void sharedKeySourceStillWorksAndWarns()
    {
        // Today's shape: Auth:Issuer lists two issuers, one JwksFile serves both.
        QFile merged(QDir(m_dir.path()).filePath("shared.json"));
        QVERIFY(merged.open(QIODevice::WriteOnly));
        merged.write(QJsonDocument(jwks({m_keyA})).toJson());
        merged.close();
        McpServerOptions o;
        o.requireAuthentication = true;
        o.auth.issuers = {kIssA, kIssB};
        o.auth.jwksFile = merged.fileName();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("share one key source.*Auth:Issuers"));
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(tok(m_keyA, f, "a", "", kIssA))).status, 200);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(tok(m_keyA, f, "a", "", kIssB))).status, 200);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(tok(m_keyA, f, "a", "", "https://other.test"))).status,
                 401);
    }

    void issuersSettingIsValidated()
    {
        QStringList errors;
        const QJsonObject ok{
            {"Environment", "Production"},
            {"Auth",
             QJsonObject{{"Issuers", QJsonArray{QJsonObject{{"Issuer", kIssA}, {"JwksUrl", "https://a.test/jwks"}},
                                                QJsonObject{{"issuer", kIssB}, {"jwksFile", m_jwksB}}}}}}};
        McpServerOptions o = McpServerOptions::fromJson(ok, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(o.auth.issuerBindings.size(), 2);
        QCOMPARE(o.auth.issuerBindings.at(1).jwksFile, m_jwksB);
        // Bound issuers are pinned and have keys: nothing else is required in Production.
        QVERIFY2(o.tokenValidationProblems(true).isEmpty(), qPrintable(o.tokenValidationProblems(true).join('\n')));
        QCOMPARE(o.toJson()["Auth"].toObject()["Issuers"].toArray().size(), 2);
        // From environment variables: an object with index keys.
        errors.clear();
        o = McpServerOptions::fromJson(
            QJsonObject{
                {"Auth",
                 QJsonObject{{"Issuers", QJsonObject{{"0", QJsonObject{{"Issuer", kIssA}, {"JwksFile", m_jwksA}}}}}}}},
            &errors);
        QVERIFY(errors.isEmpty());
        QCOMPARE(o.auth.issuerBindings.value(0).issuer, kIssA);
        const auto problems = [](const QJsonValue &issuers) {
            QStringList e;
            McpServerOptions::fromJson(QJsonObject{{"Auth", QJsonObject{{"Issuers", issuers}}}}, &e);
            return e.join('\n');
        };
        QVERIFY(
            problems(QJsonArray{QJsonObject{{"Issuer", kIssA}}}).contains("Auth:Issuers:0:JwksUrl: set exactly one"));
        QVERIFY(problems(QJsonArray{QJsonObject{{"Issuer", kIssA}, {"JwksUrl", "https://a/j"}, {"JwksFile", "x"}}})
                    .contains("exactly one"));
        QVERIFY(problems(QJsonArray{QJsonObject{{"JwksFile", "x"}}}).contains("Auth:Issuers:0:Issuer: required"));
        QVERIFY(problems(QJsonArray{QJsonObject{{"Issuer", kIssA}, {"JwksFile", "x"}},
                                    QJsonObject{{"Issuer", kIssA}, {"JwksFile", "y"}}})
                    .contains("listed twice"));
        QVERIFY(problems(QJsonArray{QJsonObject{{"Issuer", kIssA}, {"JwksFile", "x"}, {"Jwks", "y"}}})
                    .contains("Auth:Issuers:0:Jwks: unknown setting"));
        QVERIFY(problems(QJsonArray{QJsonObject{{"Issuer", kIssA}, {"JwksUrl", "ftp://x"}}}).contains("http(s) URL"));
        QVERIFY(problems(QJsonValue("nope")).contains("Auth:Issuers"));
    }

    void jwksUrlsAreHttpsOutsideDevelopment()
    {
        McpServerOptions o;
        o.environment = QStringLiteral("Production");
        o.auth.issuers = {kIssA};
        o.auth.jwksUrl = QStringLiteral("http://login.example.org/jwks");
        QVERIFY(o.tokenValidationProblems(true).join('\n').contains("must use https outside Development"));
        o.auth.jwksUrl = QStringLiteral("http://127.0.0.1:9/jwks"); // a key server on this host
        QVERIFY(o.tokenValidationProblems(true).isEmpty());
        o.auth.jwksUrl.clear();
        o.auth.issuers.clear();
        o.auth.issuerBindings = {{kIssB, QStringLiteral("http://partner.example.com/jwks"), {}}};
        QVERIFY(o.tokenValidationProblems(true).join('\n').contains("partner.example.com/jwks must use https"));
    }

    void oversizedJwksAnswerIsRefused()
    {
        // A JWKS endpoint that answers 4 MiB: not buffered, not trusted, the old keys stay.
        QTcpServer huge;
        QVERIFY(huge.listen(QHostAddress::LocalHost, 0));
        int fetches = 0;
        connect(&huge, &QTcpServer::newConnection, &huge, [&] {
            QTcpSocket *s = huge.nextPendingConnection();
            connect(s, &QTcpSocket::readyRead, s, [&fetches, s] {
                if (!s->readAll().contains("\r\n\r\n"))
                    return;
                ++fetches;
                const QByteArray body = "{\"keys\":[" + QByteArray(4 * 1024 * 1024, ' ') + "]}";
                s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            });
        });
        McpServerOptions o;
        o.requireAuthentication = true;
        o.auth.issuerBindings = {{kIssA, QStringLiteral("http://127.0.0.1:%1/jwks").arg(huge.serverPort()), {}}};
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("JWKS fetch from .* exceeds 1048576 bytes"));
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        QTRY_COMPARE(fetches, 1);
        QTest::qWait(300);
        HttpClient c(f.port);
        QCOMPARE(c.request("GET", "/mcp/capabilities", bearer(tok(m_keyA, f, "a", "", kIssA))).status, 401);
    }

    void metricsNeedATokenOutsideDevelopment()
    {
        McpServerOptions o;
        o.environment = QStringLiteral("Production");
        o.requireHttps = false; // plain loopback HTTP in the test
        o.auth.issuers = {kIssA};
        o.auth.jwksFile = m_jwksA;
        QCOMPARE(o.effectiveMetricsAccess(), QStringLiteral("Authenticated"));
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        QCOMPARE(c.request("GET", "/metrics").status, 401);
        const HttpResponse r = c.request("GET", "/metrics", bearer(tok(m_keyA, f, "prometheus", "", kIssA)));
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("koan_mcp_"));
        // Development keeps the open default; an explicit setting wins everywhere.
        McpServerOptions dev;
        QCOMPARE(dev.effectiveMetricsAccess(), QStringLiteral("Public"));
        o.operations.metricsAccess = QStringLiteral("Loopback");
        QCOMPARE(o.effectiveMetricsAccess(), QStringLiteral("Loopback"));
        QStringList errors;
        QCOMPARE(McpServerOptions::fromJson(QJsonObject{{"Environment", "Staging"}}, &errors)
                     .toJson()["Metrics"]
                     .toObject()["Access"]
                     .toString(),
                 QStringLiteral("Authenticated"));
    }
};

QTEST_MAIN(TestSecurityIdentity)
#include "tst_security_identity.moc"
