// The route table alone (HttpRouter) and HttpPipeline with a router and no stages: dispatch to the
// handler, the one 405 answer (with Allow) and the 404 answer, read off the wire.
#include "edge/HttpPipeline.h"
#include "support/ExchangeProbe.h"

#include <QTest>

using namespace koan;
using namespace koan::test;

namespace {

struct Ctx {
    QString ran; // which handler ran
};
using Router = HttpRouter<Ctx>;

Router::Handler tag(const QString &name)
{
    return [name](Ctx &c) { c.ran = name; };
}

// Runs the matched handler and says which one it was ("" when there is none).
QString run(const Router::Match &m)
{
    if (!m.handler)
        return {};
    Ctx c;
    (*m.handler)(c);
    return c.ran;
}

} // namespace

class TestEdgeRouter : public QObject
{
    Q_OBJECT

private slots:
    void exactPathMatch()
    {
        Router router;
        router.add("GET", QStringLiteral("/healthz"), RouteAccess::Probe, tag("health"));
        router.add("GET", QStringLiteral("/readyz"), RouteAccess::Probe, tag("ready"));
        QCOMPARE(run(router.match("GET", QStringLiteral("/healthz"))), QStringLiteral("health"));
        QCOMPARE(run(router.match("GET", QStringLiteral("/readyz"))), QStringLiteral("ready"));
        // Exact: no prefix, no trailing slash, case-sensitive.
        for (const QString &other : {QStringLiteral("/healthz/"), QStringLiteral("/health"),
                                     QStringLiteral("/healthz/x"), QStringLiteral("/HEALTHZ"), QString()}) {
            const Router::Match m = router.match("GET", other);
            QVERIFY2(!m.handler, qPrintable(other));
            QVERIFY2(m.allow.isEmpty(), qPrintable(other));
        }
    }

    void methodMatch()
    {
        Router router;
        router.add("GET", QStringLiteral("/admin/x"), RouteAccess::Authenticated, tag("get"));
        router.add("PUT", QStringLiteral("/admin/x"), RouteAccess::Authenticated, tag("put"));
        QCOMPARE(run(router.match("GET", QStringLiteral("/admin/x"))), QStringLiteral("get"));
        QCOMPARE(run(router.match("PUT", QStringLiteral("/admin/x"))), QStringLiteral("put"));
        // Methods are exact tokens (RFC 9110: case-sensitive).
        QVERIFY(!router.match("get", QStringLiteral("/admin/x")).handler);
        // A matched method carries no Allow list (Match::allow: "when the path is known but not for this method").
        QVERIFY(router.match("GET", QStringLiteral("/admin/x")).allow.isEmpty());
        QVERIFY(router.match("PUT", QStringLiteral("/admin/x")).allow.isEmpty());
    }

    void segmentTemplates()
    {
        Router router;
        router.add("POST", QStringLiteral("/admin/tasks/{}/cancel"), RouteAccess::Authenticated, tag("cancel"));
        router.add("GET", QStringLiteral("/admin/tasks"), RouteAccess::Authenticated, tag("list"));
        router.add("GET", QStringLiteral("/admin/tasks/special/cancel"), RouteAccess::Authenticated, tag("exact"));
        const Router::Match m = router.match("POST", QStringLiteral("/admin/tasks/abc-_9/cancel"));
        QCOMPARE(run(m), QStringLiteral("cancel"));
        QCOMPARE(m.segments, QStringList{"abc-_9"});
        // Exact paths first; a template segment is one non-empty segment, nothing more or less.
        QCOMPARE(run(router.match("GET", QStringLiteral("/admin/tasks/special/cancel"))), QStringLiteral("exact"));
        for (const QString &other : {QStringLiteral("/admin/tasks//cancel"), QStringLiteral("/admin/tasks/a/b/cancel"),
                                     QStringLiteral("/admin/tasks/a/cancel/"), QStringLiteral("/admin/tasks/a")}) {
            const Router::Match miss = router.match("POST", other);
            QVERIFY2(!miss.handler && miss.allow.isEmpty(), qPrintable(other));
        }
        // A template path asked with another method is the one 405 answer.
        const Router::Match wrong = router.match("GET", QStringLiteral("/admin/tasks/x/cancel"));
        QVERIFY(!wrong.handler);
        QCOMPARE(wrong.allow, QByteArray("POST"));
    }

    void anyMethodRoute()
    {
        Router router;
        router.add({}, QStringLiteral("/mcp"), RouteAccess::Authenticated, tag("mcp"));
        for (const QByteArray method : {"GET", "POST", "DELETE", "PATCH", "HEAD"}) {
            const Router::Match m = router.match(method, QStringLiteral("/mcp"));
            QCOMPARE(run(m), QStringLiteral("mcp"));
            QVERIFY(m.allow.isEmpty());
        }
        QVERIFY(!router.match("POST", QStringLiteral("/mcp/")).handler);

        // Registration order decides: a method route before the catch-all keeps its method.
        Router mixed;
        mixed.add("GET", QStringLiteral("/p"), RouteAccess::Authenticated, tag("get"));
        mixed.add({}, QStringLiteral("/p"), RouteAccess::Authenticated, tag("any"));
        QCOMPARE(run(mixed.match("GET", QStringLiteral("/p"))), QStringLiteral("get"));
        QCOMPARE(run(mixed.match("POST", QStringLiteral("/p"))), QStringLiteral("any"));
    }

    void otherMethodGivesAllowInRegistrationOrder()
    {
        Router router;
        router.add("GET", QStringLiteral("/admin/transports"), RouteAccess::Authenticated, tag("get"));
        router.add("PUT", QStringLiteral("/admin/transports"), RouteAccess::Authenticated, tag("put"));
        router.add("POST", QStringLiteral("/only-post"), RouteAccess::Authenticated, tag("post"));
        const Router::Match m = router.match("DELETE", QStringLiteral("/admin/transports"));
        QVERIFY(!m.handler);
        QCOMPARE(m.allow, QByteArray("GET, PUT"));
        QCOMPARE(router.match("GET", QStringLiteral("/only-post")).allow, QByteArray("POST"));

        Router reversed;
        reversed.add("PUT", QStringLiteral("/r"), RouteAccess::Authenticated, tag("put"));
        reversed.add("GET", QStringLiteral("/r"), RouteAccess::Authenticated, tag("get"));
        QCOMPARE(reversed.match("POST", QStringLiteral("/r")).allow, QByteArray("PUT, GET"));
    }

    void unknownPathHasNoHandlerAndNoAllow()
    {
        Router router;
        router.add("GET", QStringLiteral("/a"), RouteAccess::Public, tag("a"));
        const Router::Match m = router.match("GET", QStringLiteral("/b"));
        QVERIFY(!m.handler);
        QVERIFY(m.allow.isEmpty());
        // An empty table, too.
        const Router empty;
        QVERIFY(!empty.match("GET", QStringLiteral("/a")).handler);
        QVERIFY(empty.match("GET", QStringLiteral("/a")).allow.isEmpty());
    }

    void accessClassOfThePathIsReported()
    {
        Router router;
        router.add("GET", QStringLiteral("/healthz"), RouteAccess::Probe, tag("h"));
        router.add("GET", QStringLiteral("/.well-known/oauth-protected-resource"), RouteAccess::Public, tag("prm"));
        router.add("POST", QStringLiteral("/mcp/rpc"), RouteAccess::Authenticated, tag("rpc"));
        QCOMPARE(router.match("GET", QStringLiteral("/healthz")).access, RouteAccess::Probe);
        QCOMPARE(router.match("GET", QStringLiteral("/.well-known/oauth-protected-resource")).access,
                 RouteAccess::Public);
        QCOMPARE(router.match("POST", QStringLiteral("/mcp/rpc")).access, RouteAccess::Authenticated);
        // Also for the 405 answer: a probe path asked with POST is still a probe path (no Host check,
        // no authentication before the 405).
        const Router::Match wrongMethod = router.match("POST", QStringLiteral("/healthz"));
        QVERIFY(!wrongMethod.handler);
        QCOMPARE(wrongMethod.access, RouteAccess::Probe);
        QCOMPARE(router.match("DELETE", QStringLiteral("/.well-known/oauth-protected-resource")).access,
                 RouteAccess::Public);
        // An unknown path gets every stage.
        QCOMPARE(router.match("GET", QStringLiteral("/nowhere")).access, RouteAccess::Authenticated);
    }

    // HttpPipeline, no stages: what the route table decides reaches the wire.
    void pipelineDispatchesToTheHandler()
    {
        ExchangeProbe probe;
        QVERIFY2(probe.ok(), qPrintable(probe.error()));
        RequestRouter router;
        int calls = 0;
        QString sawAddress;
        bool sawSecure = true;
        router.add("GET", QStringLiteral("/hello"), RouteAccess::Public, [&](HttpExchange &c) {
            ++calls;
            sawAddress = c.clientAddress;
            sawSecure = c.secure;
            QCOMPARE(c.route.access, RouteAccess::Public);
            c.responder->sendJson(200, QJsonObject{{"hello", "world"}}, {{"X-Handler", "hello"}});
        });
        router.add("GET", QStringLiteral("/other"), RouteAccess::Public,
                   [&](HttpExchange &c) { c.responder->send(500, {}, "wrong handler"); });
        HttpPipeline pipeline(ClientIdentity(), std::move(router), {});
        HttpRequest req = makeRequest("GET", QStringLiteral("/hello"));
        req.remoteAddress = QHostAddress(QStringLiteral("192.0.2.7"));
        pipeline.handle(req, probe.responder());
        QCOMPARE(calls, 1);
        QCOMPARE(sawAddress, QStringLiteral("192.0.2.7")); // ClientIdentity ran before the route
        QVERIFY(!sawSecure);
        const RawResponse r = probe.read();
        QVERIFY(r.complete);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Handler"), QByteArray("hello"));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.json().value("hello").toString(), QStringLiteral("world"));
    }

    void pipelineAnswers405WithAllow()
    {
        ExchangeProbe probe;
        QVERIFY2(probe.ok(), qPrintable(probe.error()));
        RequestRouter router;
        int calls = 0;
        router.add("GET", QStringLiteral("/admin/transports"), RouteAccess::Authenticated,
                   [&](HttpExchange &) { ++calls; });
        router.add("PUT", QStringLiteral("/admin/transports"), RouteAccess::Authenticated,
                   [&](HttpExchange &) { ++calls; });
        HttpPipeline pipeline(ClientIdentity(), std::move(router), {});
        pipeline.handle(makeRequest("DELETE", QStringLiteral("/admin/transports")), probe.responder());
        QCOMPARE(calls, 0);
        const RawResponse r = probe.read();
        QVERIFY(r.complete);
        QCOMPARE(r.status, 405);
        QCOMPARE(r.reason, QByteArray("Method Not Allowed"));
        QCOMPARE(r.header("Allow"), QByteArray("GET, PUT"));
        const QJsonObject body = r.json();
        QCOMPARE(body.value("error").toString(), QStringLiteral("method_not_allowed"));
        QVERIFY(body.value("message").toString().contains(QStringLiteral("GET, PUT")));
    }

    void pipelineAnswers404()
    {
        ExchangeProbe probe;
        QVERIFY2(probe.ok(), qPrintable(probe.error()));
        RequestRouter router;
        int calls = 0;
        router.add({}, QStringLiteral("/mcp"), RouteAccess::Authenticated, [&](HttpExchange &) { ++calls; });
        HttpPipeline pipeline(ClientIdentity(), std::move(router), {});
        pipeline.handle(makeRequest("GET", QStringLiteral("/mcp/missing")), probe.responder());
        QCOMPARE(calls, 0);
        QVERIFY(probe.answered()); // the probe sees an answer (and, elsewhere, its absence)
        const RawResponse r = probe.read();
        QVERIFY(r.complete);
        QCOMPARE(r.status, 404);
        QVERIFY(!r.hasHeader("Allow"));
        QCOMPARE(r.json().value("error").toString(), QStringLiteral("not_found"));
        QVERIFY(r.json().value("message").toString().contains(QStringLiteral("/mcp/missing")));
    }

    void pipelineRunsStagesInOrderThenTheRoute()
    {
        // Two stages that record themselves: both run, in order, before the handler; one that answers stops it.
        struct Recorder : PipelineStage {
            QStringList *log;
            QString name;
            bool answer;
            Recorder(QStringList *l, QString n, bool a) : log(l), name(std::move(n)), answer(a) { }
            void process(const std::shared_ptr<HttpExchange> &c, const Next &next) override
            {
                *log << name;
                if (answer)
                    return c->responder->send(418, {}, {});
                next(c);
            }
        };
        QStringList log;
        const auto build = [&log](bool secondAnswers) {
            RequestRouter router;
            router.add("GET", QStringLiteral("/x"), RouteAccess::Public, [&log](HttpExchange &c) {
                log << QStringLiteral("handler");
                c.responder->send(204, {});
            });
            std::vector<std::unique_ptr<PipelineStage>> stages;
            stages.push_back(std::make_unique<Recorder>(&log, QStringLiteral("first"), false));
            stages.push_back(std::make_unique<Recorder>(&log, QStringLiteral("second"), secondAnswers));
            return std::make_unique<HttpPipeline>(ClientIdentity(), std::move(router), std::move(stages));
        };
        {
            ExchangeProbe probe;
            QVERIFY2(probe.ok(), qPrintable(probe.error()));
            build(false)->handle(makeRequest("GET", QStringLiteral("/x")), probe.responder());
            QCOMPARE(log, QStringList({"first", "second", "handler"}));
            QCOMPARE(probe.read().status, 204);
        }
        log.clear();
        {
            ExchangeProbe probe;
            QVERIFY2(probe.ok(), qPrintable(probe.error()));
            build(true)->handle(makeRequest("GET", QStringLiteral("/x")), probe.responder());
            QCOMPARE(log, QStringList({"first", "second"}));
            QCOMPARE(probe.read().status, 418);
        }
    }
};

QTEST_GUILESS_MAIN(TestEdgeRouter)
#include "tst_edge_router.moc"
