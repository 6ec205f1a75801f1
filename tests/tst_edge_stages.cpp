// Every request-pipeline stage constructed alone, with one HttpExchange whose responder writes to
// a socketpair (support/ExchangeProbe.h): what it answers on the wire, what it audits, and whether
// it hands the exchange on.
#include "edge/AuthFailureResponder.h"
#include "edge/AuthenticationStage.h"
#include "edge/HostOriginStage.h"
#include "edge/HttpsStage.h"
#include "edge/QueryTokenStage.h"
#include "edge/RateLimitStage.h"
#include "security/AuthAuditLog.h"
#include "security/BearerAuthenticator.h"
#include "security/RateLimiter.h"
#include "support/AuthKit.h"
#include "support/ExchangeProbe.h"

#include <QTemporaryDir>
#include <QTest>

using namespace koan;
using namespace koan::test;

namespace {

const QString kAud = QStringLiteral("http://127.0.0.1:5114/mcp");
const QString kIssuer = QStringLiteral("https://issuer.test");

// The continuation a stage is given: counts its calls and keeps the exchange it was handed.
struct NextSpy {
    int calls = 0;
    std::shared_ptr<HttpExchange> last;
    PipelineStage::Next fn()
    {
        return [this](const std::shared_ptr<HttpExchange> &c) {
            ++calls;
            last = c;
        };
    }
};

// One exchange run through one stage alone: the probe holds whatever it answered, `next` whether
// it handed the exchange on. A probe that could not be set up answers nothing, so checks fail.
struct StageRun : ExchangeProbe {
    NextSpy next;
    StageRun(PipelineStage &stage, const HttpRequest &request, RouteAccess access,
             const QString &clientAddress = QStringLiteral("127.0.0.1"), bool secure = false)
    {
        if (ok())
            stage.process(exchange(request, access, clientAddress, secure), next.fn());
    }
};

HttpHeaders hostHeader(const QByteArray &host = "127.0.0.1:5114")
{
    return {{"Host", host}};
}

QStringList reasons(const AuthAuditLog &log)
{
    QStringList out;
    for (const AuthFailure &f : log.recent())
        out << f.reason;
    return out;
}

// A refusal as BearerAuthenticator builds it, from `remote`.
BearerAuthenticator::Outcome failure(const QString &remote, const QString &reason = QStringLiteral("missing_token"))
{
    BearerAuthenticator::Outcome o;
    o.status = 401;
    o.headers = {{"WWW-Authenticate", "Bearer resource_metadata=\"http://x/.well-known/oauth-protected-resource\""}};
    o.body = QJsonObject{{"error", "unauthorized"}, {"reason", reason}};
    o.failure.time = QDateTime::currentDateTimeUtc();
    o.failure.remote = remote;
    o.failure.reason = reason;
    o.failure.path = QStringLiteral("/mcp");
    return o;
}

} // namespace

class TestEdgeStages : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    KeyPair m_key;
    McpServerOptions m_options;
    std::unique_ptr<BearerAuthenticator> m_authenticator;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_key = makeKey(QDir(m_dir.path()), QStringLiteral("stage-key"), true);
        QVERIFY(m_key.publicKey);
        const QString jwksPath = m_dir.filePath(QStringLiteral("jwks.json"));
        QFile f(jwksPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(jwks({m_key})).toJson());
        f.close();
        m_options.environment = QStringLiteral("Production");
        m_options.requireAuthentication = true;
        m_options.auth.enableDevIssuer = false;
        m_options.auth.issuers = {kIssuer};
        m_options.auth.jwksFile = jwksPath;
        m_authenticator = std::make_unique<BearerAuthenticator>(m_options);
        QStringList errors;
        QVERIFY2(m_authenticator->initialize(&errors), qPrintable(errors.join('\n')));
        m_authenticator->setResource(kAud);
    }

    // --- HostOriginStage -------------------------------------------------------------------------

    void hostOriginForbiddenHost()
    {
        HostOriginStage stage(OriginPolicy({}, {QStringLiteral("mcp.example.com")}, QStringLiteral("127.0.0.1")));
        for (const RouteAccess access : {RouteAccess::Public, RouteAccess::Authenticated}) {
            StageRun probe(stage, makeRequest("GET", "/mcp", hostHeader("evil.example:5114")), access);
            QCOMPARE(probe.next.calls, 0);
            const RawResponse r = probe.read();
            QVERIFY(r.complete);
            QCOMPARE(r.status, 403);
            QCOMPARE(r.json().value("error").toString(), QStringLiteral("forbidden_host"));
        }
        // No Host at all is refused as well.
        StageRun probe(stage, makeRequest("GET", "/mcp"), RouteAccess::Authenticated);
        QCOMPARE(probe.next.calls, 0);
        QCOMPARE(probe.read().json().value("error").toString(), QStringLiteral("forbidden_host"));
        // A listed host passes, with any port.
        StageRun ok(stage, makeRequest("GET", "/mcp", hostHeader("MCP.example.com:8443")), RouteAccess::Authenticated);
        QCOMPARE(ok.next.calls, 1);
        QVERIFY(!ok.answered());
    }

    void hostOriginProbesExemptFromHostNotOrigin()
    {
        HostOriginStage stage(OriginPolicy({}, {}, QStringLiteral("127.0.0.1")));
        {
            // The kubelet addresses the pod IP.
            StageRun probe(stage, makeRequest("GET", "/healthz", hostHeader("10.42.0.17:5114")), RouteAccess::Probe);
            QCOMPARE(probe.next.calls, 1);
            QVERIFY(!probe.answered());
        }
        {
            StageRun probe(
                stage,
                makeRequest("GET", "/healthz", {{"Host", "10.42.0.17:5114"}, {"Origin", "https://evil.example"}}),
                RouteAccess::Probe);
            QCOMPARE(probe.next.calls, 0);
            const RawResponse r = probe.read();
            QCOMPARE(r.status, 403);
            QCOMPARE(r.json().value("error").toString(), QStringLiteral("forbidden_origin"));
        }
    }

    void hostOriginBadOrigin()
    {
        HostOriginStage stage(OriginPolicy({QStringLiteral("https://app.example")}, {}, QStringLiteral("127.0.0.1")));
        for (const QByteArray origin :
             {"https://evil.example", "http://app.example", "null", "https://app.example.evil"}) {
            StageRun probe(stage, makeRequest("POST", "/mcp", {{"Host", "127.0.0.1:5114"}, {"Origin", origin}}),
                           RouteAccess::Authenticated);
            QCOMPARE(probe.next.calls, 0);
            const RawResponse r = probe.read();
            QVERIFY(r.complete);
            QCOMPARE(r.status, 403);
            QCOMPARE(r.json().value("error").toString(), QStringLiteral("forbidden_origin"));
            QVERIFY2(!r.hasHeader("Access-Control-Allow-Origin"), origin.constData());
        }
    }

    void hostOriginAllowedOriginGetsCors()
    {
        HostOriginStage stage(OriginPolicy({QStringLiteral("https://app.example")}, {}, QStringLiteral("127.0.0.1")));
        StageRun probe(stage,
                       makeRequest("POST", "/mcp", {{"Host", "localhost:5114"}, {"Origin", "https://app.example"}}),
                       RouteAccess::Authenticated);
        QCOMPARE(probe.next.calls, 1);
        QVERIFY(!probe.answered());
        // The CORS headers ride on whatever the route answers later.
        probe.next.last->responder->send(200, {{"X-Route", "mcp"}}, "ok");
        const RawResponse r = probe.read();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Route"), QByteArray("mcp"));
        QCOMPARE(r.header("Access-Control-Allow-Origin"), QByteArray("https://app.example"));
        QCOMPARE(r.header("Vary"), QByteArray("Origin"));
        QVERIFY(r.header("Access-Control-Expose-Headers").contains("Mcp-Session-Id"));

        // Without an Origin (a non-browser client): passes, and no CORS headers.
        StageRun plain(stage, makeRequest("POST", "/mcp", hostHeader()), RouteAccess::Authenticated);
        QCOMPARE(plain.next.calls, 1);
        plain.next.last->responder->send(200, {}, "ok");
        QVERIFY(!plain.read().hasHeader("Access-Control-Allow-Origin"));
    }

    void hostOriginPreflight()
    {
        HostOriginStage stage(OriginPolicy({QStringLiteral("https://app.example")}, {}, QStringLiteral("127.0.0.1")));
        StageRun probe(stage,
                       makeRequest("OPTIONS", "/mcp",
                                   {{"Host", "127.0.0.1:5114"},
                                    {"Origin", "https://app.example"},
                                    {"Access-Control-Request-Method", "POST"}}),
                       RouteAccess::Authenticated);
        QCOMPARE(probe.next.calls, 0);
        const RawResponse r = probe.read();
        QVERIFY(r.complete);
        QCOMPARE(r.status, 204);
        QVERIFY(r.body.isEmpty());
        QCOMPARE(r.header("Access-Control-Allow-Origin"), QByteArray("https://app.example"));
        QVERIFY(r.header("Access-Control-Allow-Methods").contains("POST"));
        QVERIFY(r.header("Access-Control-Allow-Headers").contains("Authorization"));
        QVERIFY(r.header("Access-Control-Allow-Headers").contains("Mcp-Session-Id"));
        // 2026-07-28 requests mirror their method and name into headers: a page must be allowed to send them.
        QVERIFY(r.header("Access-Control-Allow-Headers").contains("Mcp-Method"));
        QVERIFY(r.header("Access-Control-Allow-Headers").contains("Mcp-Name"));
        QCOMPARE(r.header("Access-Control-Max-Age"), QByteArray("600"));

        // x-mcp-header arguments travel as Mcp-Param-<Name>: allowed (any case, token characters
        // only) and echoed exactly as asked; any other unknown header is left out, which refuses it.
        StageRun params(stage,
                        makeRequest("OPTIONS", "/mcp",
                                    {{"Host", "127.0.0.1:5114"},
                                     {"Origin", "https://app.example"},
                                     {"Access-Control-Request-Method", "POST"},
                                     {"Access-Control-Request-Headers",
                                      "content-type,mcp-method, mcp-param-region,Mcp-Param-Tenant_ID , "
                                      "x-custom-thing,mcp-param-,mcp-param-a/b,mcp-paramx,mcp-param-region"}}),
                        RouteAccess::Authenticated);
        const RawResponse p = params.read();
        QCOMPARE(p.status, 204);
        QCOMPARE(p.header("Access-Control-Allow-Origin"), QByteArray("https://app.example"));
        QList<QByteArray> allowed;
        for (const QByteArray &h : p.header("Access-Control-Allow-Headers").split(','))
            allowed << h.trimmed();
        QCOMPARE(allowed.count("mcp-param-region"), 1);
        QVERIFY(allowed.contains("Mcp-Param-Tenant_ID"));
        QVERIFY(allowed.contains("Mcp-Method"));
        for (const QByteArray &refused : {"x-custom-thing", "mcp-param-", "mcp-param-a/b", "mcp-paramx"})
            QVERIFY2(!allowed.contains(refused) && !p.header("Access-Control-Allow-Headers").contains(refused + ","),
                     refused.constData());
        QVERIFY(!p.header("Access-Control-Allow-Headers").toLower().contains("x-custom-thing"));
        QVERIFY(OriginPolicy::isMcpParamHeader("MCP-PARAM-X"));
        QVERIFY(!OriginPolicy::isMcpParamHeader("Mcp-Param-\xc3\xa4"));
        QVERIFY(!OriginPolicy::isMcpParamHeader("Mcp-Param-a b"));

        // A preflight from a foreign origin is refused, not answered with 204.
        StageRun foreign(
            stage, makeRequest("OPTIONS", "/mcp", {{"Host", "127.0.0.1:5114"}, {"Origin", "https://evil.example"}}),
            RouteAccess::Authenticated);
        QCOMPARE(foreign.next.calls, 0);
        QCOMPARE(foreign.read().status, 403);
    }

    // --- QueryTokenStage -------------------------------------------------------------------------

    void queryTokenRefusedAndAudited()
    {
        AuthAuditLog audit;
        AuthFailureResponder failures(nullptr, &audit, {});
        QueryTokenStage stage(m_authenticator.get(), &failures);
        const QStringList queries{QStringLiteral("access_token=eyJhbGciOi.x.y"), QStringLiteral("a=1&access_token=abc"),
                                  QStringLiteral("access_token=")};
        for (const QString &query : queries) {
            StageRun probe(stage, makeRequest("GET", "/mcp", hostHeader(), query), RouteAccess::Probe,
                           QStringLiteral("198.51.100.4"));
            QVERIFY2(probe.next.calls == 0, qPrintable(query));
            const RawResponse r = probe.read();
            QVERIFY(r.complete);
            QCOMPARE(r.status, 400);
            QCOMPARE(r.json().value("error").toString(), QStringLiteral("invalid_request"));
            QCOMPARE(r.json().value("reason").toString(), QStringLiteral("token_in_query"));
            // Nothing of the token is echoed back.
            QVERIFY(!r.body.contains("eyJhbGciOi"));
        }
        QCOMPARE(audit.total(), qint64(queries.size()));
        QCOMPARE(reasons(audit), QStringList(queries.size(), QStringLiteral("token_in_query")));
        const AuthFailure entry = audit.recent().constLast();
        QCOMPARE(entry.remote, QStringLiteral("198.51.100.4")); // the client address, not the socket peer
        QCOMPARE(entry.path, QStringLiteral("/mcp"));
    }

    void queryTokenCleanUrlPasses()
    {
        AuthAuditLog audit;
        AuthFailureResponder failures(nullptr, &audit, {});
        QueryTokenStage stage(m_authenticator.get(), &failures);
        for (const QString &query : {QString(), QStringLiteral("session=abc&token=x"),
                                     QStringLiteral("my_access_token=1"), QStringLiteral("x=access_token")}) {
            StageRun probe(stage, makeRequest("GET", "/mcp", hostHeader(), query), RouteAccess::Authenticated);
            QVERIFY2(probe.next.calls == 1, qPrintable(query));
            QVERIFY(!probe.answered());
        }
        QCOMPARE(audit.total(), qint64(0));
    }

    // --- HttpsStage ------------------------------------------------------------------------------

    void httpsOffPassesEverything()
    {
        QList<bool> told;
        HttpsStage stage(false, [&told](bool redirected) { told << redirected; });
        for (const QByteArray method : {"GET", "POST"}) {
            StageRun probe(stage, makeRequest(method, "/mcp", hostHeader()), RouteAccess::Authenticated);
            QCOMPARE(probe.next.calls, 1);
            QVERIFY(!probe.answered());
        }
        QVERIFY(told.isEmpty());
    }

    void httpsRedirectsPlainGet()
    {
        QList<bool> told;
        HttpsStage stage(true, [&told](bool redirected) { told << redirected; });
        StageRun probe(
            stage,
            makeRequest("GET", "/mcp/sse", hostHeader("mcp.example.com:8443"), QStringLiteral("session=abc&x=1")),
            RouteAccess::Authenticated);
        QCOMPARE(probe.next.calls, 0);
        const RawResponse r = probe.read();
        QVERIFY(r.complete);
        QCOMPARE(r.status, 308);
        QCOMPARE(r.header("Location"), QByteArray("https://mcp.example.com:8443/mcp/sse?session=abc&x=1"));
        QCOMPARE(r.json().value("error").toString(), QStringLiteral("https_required"));
        QCOMPARE(told, QList<bool>{true});
    }

    void httpsRefusesPlainPost()
    {
        QList<bool> told;
        HttpsStage stage(true, [&told](bool redirected) { told << redirected; });
        StageRun probe(stage, makeRequest("POST", "/mcp", hostHeader()), RouteAccess::Public);
        QCOMPARE(probe.next.calls, 0);
        const RawResponse r = probe.read();
        QCOMPARE(r.status, 400);
        QVERIFY(!r.hasHeader("Location"));
        QCOMPARE(r.json().value("error").toString(), QStringLiteral("https_required"));
        QCOMPARE(told, QList<bool>{false});
    }

    void httpsProbesAndSecurePass()
    {
        QList<bool> told;
        HttpsStage stage(true, [&told](bool redirected) { told << redirected; });
        {
            StageRun probe(stage, makeRequest("GET", "/healthz", hostHeader()), RouteAccess::Probe);
            QCOMPARE(probe.next.calls, 1);
            QVERIFY(!probe.answered());
        }
        for (const QByteArray method : {"GET", "POST"}) {
            StageRun probe(stage, makeRequest(method, "/mcp", hostHeader()), RouteAccess::Authenticated,
                           QStringLiteral("127.0.0.1"), /*secure*/ true);
            QCOMPARE(probe.next.calls, 1);
            QVERIFY(!probe.answered());
        }
        QVERIFY(told.isEmpty());
    }

    // --- AuthenticationStage ---------------------------------------------------------------------

    void authProbeAndPublicPassWithoutToken()
    {
        AuthAuditLog audit;
        AuthFailureResponder failures(nullptr, &audit, {});
        AuthenticationStage stage(m_authenticator.get(), &failures);
        for (const RouteAccess access : {RouteAccess::Probe, RouteAccess::Public}) {
            StageRun probe(stage, makeRequest("GET", "/x", hostHeader()), access);
            QCOMPARE(probe.next.calls, 1);
            QVERIFY(!probe.next.last->caller.authenticated);
            QVERIFY(!probe.answered());
        }
        QCOMPARE(audit.total(), qint64(0));
    }

    void authMissingTokenIs401()
    {
        AuthAuditLog audit;
        AuthFailureResponder failures(nullptr, &audit, {});
        AuthenticationStage stage(m_authenticator.get(), &failures);
        StageRun probe(stage, makeRequest("POST", "/mcp", hostHeader()), RouteAccess::Authenticated,
                       QStringLiteral("192.0.2.33"));
        QCOMPARE(probe.next.calls, 0);
        const RawResponse r = probe.read();
        QVERIFY(r.complete);
        QCOMPARE(r.status, 401);
        QVERIFY2(r.header("WWW-Authenticate").startsWith("Bearer resource_metadata="), r.header("WWW-Authenticate"));
        QVERIFY(r.header("WWW-Authenticate").contains("/.well-known/oauth-protected-resource"));
        QCOMPARE(r.json().value("reason").toString(), QStringLiteral("missing_token"));
        QCOMPARE(reasons(audit), QStringList{QStringLiteral("missing_token")});
        QCOMPARE(audit.recent().constFirst().remote, QStringLiteral("192.0.2.33"));
    }

    void authInvalidTokenIs401()
    {
        AuthAuditLog audit;
        AuthFailureResponder failures(nullptr, &audit, {});
        AuthenticationStage stage(m_authenticator.get(), &failures);
        // Signed by the trusted key, but for another audience.
        const QByteArray wrongAudience = token(m_key, claims("mallory", "", "https://other.example/mcp", kIssuer));
        StageRun probe(
            stage,
            makeRequest("POST", "/mcp", {{"Host", "127.0.0.1:5114"}, {"Authorization", "Bearer " + wrongAudience}}),
            RouteAccess::Authenticated);
        QCOMPARE(probe.next.calls, 0);
        const RawResponse r = probe.read();
        QCOMPARE(r.status, 401);
        QVERIFY(r.header("WWW-Authenticate").contains("error=\"invalid_token\""));
        QCOMPARE(audit.total(), qint64(1));
        QVERIFY(!r.body.contains(wrongAudience));
    }

    void authValidTokenSetsCaller()
    {
        AuthAuditLog audit;
        AuthFailureResponder failures(nullptr, &audit, {});
        AuthenticationStage stage(m_authenticator.get(), &failures);
        const QByteArray jwt = token(m_key, claims("alice", "clinical:operations koan:admin", kAud, kIssuer));
        StageRun probe(stage,
                       makeRequest("POST", "/mcp", {{"Host", "127.0.0.1:5114"}, {"Authorization", "Bearer " + jwt}}),
                       RouteAccess::Authenticated);
        QCOMPARE(probe.next.calls, 1); // the keys are local: at once
        QVERIFY(!probe.answered());
        const Principal &caller = probe.next.last->caller;
        QVERIFY(caller.authenticated);
        QCOMPARE(caller.subject, QStringLiteral("alice"));
        QCOMPARE(caller.issuer, kIssuer);
        QVERIFY(caller.scopes.contains(QStringLiteral("koan:admin")));
        QVERIFY(caller.expiresAt > QDateTime::currentSecsSinceEpoch());
        QCOMPARE(audit.total(), qint64(0));
    }

    void authClientGoneNothingSent()
    {
        AuthAuditLog audit;
        AuthFailureResponder failures(nullptr, &audit, {});
        AuthenticationStage stage(m_authenticator.get(), &failures);
        ExchangeProbe probe;
        QVERIFY2(probe.ok(), qPrintable(probe.error()));
        auto c = probe.exchange(makeRequest("POST", "/mcp", hostHeader()), RouteAccess::Authenticated);
        c->responder = nullptr; // the client left before the authenticator answered
        NextSpy next;
        stage.process(c, next.fn());
        QCOMPARE(next.calls, 0);
        QCOMPARE(audit.total(), qint64(0));
    }

    // --- RateLimitStage --------------------------------------------------------------------------

    void rateLimitBurstThen429()
    {
        RateLimiter limiter(0.1, 3); // a permit every 10 s: nothing refills during the test
        QStringList limited;
        RateLimitStage stage(&limiter, [&limited](const QString &key) { limited << key; });
        for (int i = 0; i < 3; ++i) {
            StageRun probe(stage, makeRequest("POST", "/mcp", hostHeader()), RouteAccess::Authenticated,
                           QStringLiteral("192.0.2.1"));
            QVERIFY2(probe.next.calls == 1, qPrintable(QString::number(i)));
            QVERIFY(!probe.answered());
        }
        StageRun probe(stage, makeRequest("POST", "/mcp", hostHeader()), RouteAccess::Authenticated,
                       QStringLiteral("192.0.2.1"));
        QCOMPARE(probe.next.calls, 0);
        const RawResponse r = probe.read();
        QVERIFY(r.complete);
        QCOMPARE(r.status, 429);
        QCOMPARE(r.header("Retry-After"), QByteArray("10")); // ceil((1 - ~0 tokens) / 0.1 per second)
        QCOMPARE(r.json().value("error").toString(), QStringLiteral("rate_limited"));
        QCOMPARE(limited, QStringList{QStringLiteral("ip:192.0.2.1")});
    }

    void rateLimitKeyedByIdentityOrAddress()
    {
        RateLimiter limiter(0.1, 2);
        QStringList limited;
        RateLimitStage stage(&limiter, [&limited](const QString &key) { limited << key; });
        Principal alice;
        alice.authenticated = true;
        alice.subject = QStringLiteral("alice");
        alice.issuer = kIssuer;
        Principal otherAlice = alice; // the same subject from another issuer is another caller
        otherAlice.issuer = QStringLiteral("https://other-issuer.test");
        // Returns whether the request passed.
        const auto send = [&](const Principal &caller, const QString &address) {
            ExchangeProbe probe;
            if (!probe.ok())
                return -1;
            auto c = probe.exchange(makeRequest("POST", "/mcp", hostHeader()), RouteAccess::Authenticated, address);
            c->caller = caller;
            NextSpy next;
            stage.process(c, next.fn());
            if (next.calls == 1)
                return probe.answered() ? -1 : 1;
            return probe.read().status == 429 ? 0 : -1;
        };
        // alice spends her bucket from two addresses: one bucket, keyed by her identity.
        QCOMPARE(send(alice, QStringLiteral("192.0.2.10")), 1);
        QCOMPARE(send(alice, QStringLiteral("192.0.2.11")), 1);
        QCOMPARE(send(alice, QStringLiteral("192.0.2.12")), 0);
        QCOMPARE(limited, QStringList{QStringLiteral("sub:") + alice.identityKey()});
        // Anonymous callers from alice's address have their own (address) bucket ...
        QCOMPARE(send(Principal{}, QStringLiteral("192.0.2.10")), 1);
        QCOMPARE(send(Principal{}, QStringLiteral("192.0.2.10")), 1);
        QCOMPARE(send(Principal{}, QStringLiteral("192.0.2.10")), 0);
        QCOMPARE(limited.constLast(), QStringLiteral("ip:192.0.2.10"));
        // ... another address has another, and so does the other issuer's alice.
        QCOMPARE(send(Principal{}, QStringLiteral("192.0.2.99")), 1);
        QCOMPARE(send(otherAlice, QStringLiteral("192.0.2.12")), 1);
        QCOMPARE(limited.size(), 2);
    }

    void rateLimitNeverLimitsPublicOrProbeRoutes()
    {
        RateLimiter limiter(0.1, 1);
        int limited = 0;
        RateLimitStage stage(&limiter, [&limited](const QString &) { ++limited; });
        for (const RouteAccess access : {RouteAccess::Public, RouteAccess::Probe})
            for (int i = 0; i < 5; ++i) {
                StageRun probe(stage, makeRequest("GET", "/x", hostHeader()), access, "192.0.2.50");
                QCOMPARE(probe.next.calls, 1);
                QVERIFY(!probe.answered());
            }
        QCOMPARE(limited, 0);
        // And they spent nothing: the address still has its one permit for an authenticated route.
        StageRun probe(stage, makeRequest("GET", "/x", hostHeader()), RouteAccess::Authenticated, "192.0.2.50");
        QCOMPARE(probe.next.calls, 1);
    }

    // --- AuthFailureResponder --------------------------------------------------------------------

    void authFailuresSpendTheBucketThen429Once()
    {
        RateLimiter limiter(0.01, 2);
        AuthAuditLog audit;
        QStringList limited;
        AuthFailureResponder failures(&limiter, &audit, [&limited](const QString &key) { limited << key; });
        QList<int> statuses;
        QList<QByteArray> retryAfter;
        for (int i = 0; i < 6; ++i) {
            ExchangeProbe probe;
            QVERIFY2(probe.ok(), qPrintable(probe.error()));
            failures.send(probe.responder(), failure(QStringLiteral("203.0.113.8")));
            const RawResponse r = probe.read();
            QVERIFY(r.complete);
            statuses << r.status;
            retryAfter << r.header("Retry-After");
            if (r.status == 401)
                QVERIFY(r.hasHeader("WWW-Authenticate"));
            else
                QCOMPARE(r.json().value("error").toString(), QStringLiteral("rate_limited"));
        }
        QCOMPARE(statuses, QList<int>({401, 401, 429, 429, 429, 429}));
        QCOMPARE(retryAfter.at(2), QByteArray("100")); // ceil((1 - ~0) / 0.01 per second)
        // Two failures recorded as they were, then one entry for the whole flood.
        QCOMPARE(reasons(audit), QStringList({"missing_token", "missing_token", "rate_limited"}));
        QCOMPARE(audit.recent().constLast().remote, QStringLiteral("203.0.113.8"));
        QCOMPARE(audit.recent().constLast().path, QStringLiteral("/mcp"));
        QCOMPARE(limited, QStringList(4, QStringLiteral("ip:203.0.113.8")));
        // Another address is not affected.
        ExchangeProbe other;
        QVERIFY2(other.ok(), qPrintable(other.error()));
        failures.send(other.responder(), failure(QStringLiteral("203.0.113.9"), QStringLiteral("expired")));
        QCOMPARE(other.read().status, 401);
        QCOMPARE(reasons(audit).constLast(), QStringLiteral("expired"));
    }

    void authFailureFloodsAreCountedApart()
    {
        // Burst 1 at 10 permits/s: one failure passes, then 429; 130 ms later one passes again and the
        // next refusal starts a new flood (a second rate_limited entry).
        RateLimiter limiter(10, 1);
        AuthAuditLog audit;
        AuthFailureResponder failures(&limiter, &audit, {});
        const auto send = [&failures] {
            ExchangeProbe probe;
            if (!probe.ok())
                return -1;
            failures.send(probe.responder(), failure(QStringLiteral("203.0.113.20")));
            return probe.read().status;
        };
        QCOMPARE(send(), 401);
        QCOMPARE(send(), 429);
        QCOMPARE(send(), 429);
        QTest::qWait(130);
        QCOMPARE(send(), 401);
        QCOMPARE(send(), 429);
        QCOMPARE(reasons(audit), QStringList({"missing_token", "rate_limited", "missing_token", "rate_limited"}));
    }

    void authFailuresWithoutLimiterAreAllAnswered()
    {
        AuthAuditLog audit;
        AuthFailureResponder failures(nullptr, &audit, {});
        for (int i = 0; i < 4; ++i) {
            ExchangeProbe probe;
            QVERIFY2(probe.ok(), qPrintable(probe.error()));
            failures.send(probe.responder(), failure(QStringLiteral("203.0.113.30")));
            QCOMPARE(probe.read().status, 401);
        }
        QCOMPARE(audit.total(), qint64(4));
    }
};

QTEST_GUILESS_MAIN(TestEdgeStages)
#include "tst_edge_stages.moc"
