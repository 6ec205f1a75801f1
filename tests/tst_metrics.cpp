// GET /metrics end to end over loopback HTTP: real traffic on both transports moves every listed
// metric; histograms are well-formed; the access modes (Public, Loopback, Authenticated, disabled,
// custom path) hold, and a proxied request is never a loopback caller.
#include "support/HttpClient.h"
#include "support/ServerFixture.h"
#include "security/DevTokenIssuer.h"

#include <QRegularExpression>

using namespace koan;
using namespace koan::test;

namespace {
struct Sample {
    QString name;
    QMap<QString, QString> labels;
    double value = 0;
};

struct Scrape {
    QList<Sample> samples;
    QMap<QString, QString> types; // family -> type
    QByteArray raw;

    // Sum over the series of `name` whose labels include all of `match`; -1 when there is none.
    double value(const QString &name, const QMap<QString, QString> &match = {}) const
    {
        double sum = 0;
        bool any = false;
        for (const Sample &s : samples) {
            if (s.name != name)
                continue;
            bool ok = true;
            for (auto it = match.cbegin(); it != match.cend(); ++it)
                ok = ok && s.labels.value(it.key()) == it.value();
            if (ok) {
                sum += s.value;
                any = true;
            }
        }
        return any ? sum : -1;
    }
};

Scrape parse(const QByteArray &text)
{
    Scrape out;
    out.raw = text;
    static const QRegularExpression line(QStringLiteral("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$"));
    static const QRegularExpression label(QStringLiteral("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\""));
    for (const QByteArray &l : text.split('\n')) {
        const QString s = QString::fromUtf8(l);
        if (s.startsWith(QLatin1String("# TYPE "))) {
            const QStringList parts = s.split(QLatin1Char(' '));
            out.types.insert(parts.value(2), parts.value(3));
            continue;
        }
        if (s.isEmpty() || s.startsWith(QLatin1Char('#')))
            continue;
        const auto m = line.match(s);
        if (!m.hasMatch())
            continue;
        Sample sample;
        sample.name = m.captured(1);
        auto it = label.globalMatch(m.captured(2));
        while (it.hasNext()) {
            const auto lm = it.next();
            sample.labels.insert(lm.captured(1), lm.captured(2));
        }
        sample.value = m.captured(3) == QLatin1String("+Inf") ? qInf() : m.captured(3).toDouble();
        out.samples.append(sample);
    }
    return out;
}

Scrape scrape(quint16 port, const QList<QPair<QByteArray, QByteArray>> &headers = {}, int *status = nullptr)
{
    HttpClient c(port);
    const HttpResponse r = c.request("GET", "/metrics", headers);
    if (status)
        *status = r.status;
    return parse(r.body);
}

QByteArray devToken(const ServerFixture &f, const QString &sub, const QStringList &scopes)
{
    DevTokenIssuer issuer;
    QString error;
    if (!issuer.loadOrCreate(f.server->options().auth.devIssuerKeyFile, &error))
        return {};
    return issuer.issue(sub, scopes, 600, f.server->baseUrl() + QStringLiteral("/mcp"));
}

using L = QMap<QString, QString>;
} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

    // Every histogram series: buckets sorted by le, cumulative (non-decreasing), +Inf present and
    // equal to _count; _sum present.
    static void checkHistograms(const Scrape &s)
    {
        int histograms = 0;
        for (auto it = s.types.cbegin(); it != s.types.cend(); ++it) {
            if (it.value() != QLatin1String("histogram"))
                continue;
            const QString family = it.key();
            QMap<QString, QList<QPair<double, double>>> buckets; // series labels (without le) -> (le, count)
            QMap<QString, L> seriesLabels;
            for (const Sample &sm : s.samples) {
                if (sm.name != family + QLatin1String("_bucket"))
                    continue;
                L rest = sm.labels;
                const QString le = rest.take(QStringLiteral("le"));
                QString key;
                for (auto l = rest.cbegin(); l != rest.cend(); ++l)
                    key += l.key() + '=' + l.value() + ',';
                buckets[key].append({le == QLatin1String("+Inf") ? qInf() : le.toDouble(), sm.value});
                seriesLabels[key] = rest;
            }
            for (auto b = buckets.cbegin(); b != buckets.cend(); ++b) {
                ++histograms;
                const auto &list = b.value();
                for (int i = 1; i < list.size(); ++i) {
                    QVERIFY2(list[i].first > list[i - 1].first,
                             qPrintable(family + " buckets out of order: " + b.key()));
                    QVERIFY2(list[i].second >= list[i - 1].second,
                             qPrintable(family + " buckets not cumulative: " + b.key()));
                }
                QVERIFY2(!list.isEmpty() && qIsInf(list.last().first),
                         qPrintable(family + " lacks le=\"+Inf\": " + b.key()));
                const double count = s.value(family + QLatin1String("_count"), seriesLabels[b.key()]);
                QVERIFY2(count >= 0, qPrintable(family + "_count missing for " + b.key()));
                QCOMPARE(list.last().second, count);
                QVERIFY2(s.value(family + QLatin1String("_sum"), seriesLabels[b.key()]) >= 0,
                         qPrintable(family + "_sum missing"));
            }
        }
        QVERIFY2(histograms > 0, "no histogram series to check");
    }

private slots:
    void trafficMovesEveryMetric()
    {
        McpServerOptions o;
        o.maxConcurrentConnections = 4;
        o.sseKeepAliveIntervalMs = 100;
        // Anonymous callers allowed, but ProtocolDocument needs an authenticated caller: a denied call.
        EntityOverride docs;
        docs.requireAuthentication = true;
        o.entityOverrides.insert("ProtocolDocument", docs);
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));

        Scrape s = scrape(f.port);
        QCOMPARE(s.value("koan_mcp_sessions_active", {{"transport", "HttpSse"}}), 0.0);
        QCOMPARE(s.value("koan_mcp_sessions_active", {{"transport", "StreamableHttp"}}), 0.0);
        QCOMPARE(s.value("koan_mcp_sessions_opened_total", {{"transport", "HttpSse"}}), 0.0);
        QCOMPARE(s.value("koan_mcp_sse_connection_limit"), 4.0);
        QCOMPARE(s.value("koan_mcp_session_limit"), double(o.maxSessions));
        QCOMPARE(s.value("koan_mcp_sse_connection_utilization"), 0.0);
        QCOMPARE(s.value("koan_mcp_heartbeats_sent_total"), 0.0);
        QCOMPARE(s.value("koan_mcp_rate_limited_total"), 0.0);
        QVERIFY(s.value("koan_mcp_bytes_queued") >= 0);
        QCOMPARE(s.value("koan_mcp_transport_enabled", {{"transport", "HttpSse"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_transport_enabled", {{"transport", "StreamableHttp"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_transport_enabled", {{"transport", "Stdio"}}), 1.0);

        // Legacy: a stream, initialize and tool calls over POST /mcp/rpc.
        HttpClient stream(f.port), post(f.port);
        stream.send("GET", "/mcp/sse");
        SseEvent endpoint;
        QVERIFY(stream.waitEvent("endpoint", 5000, &endpoint));
        const QByteArray rpcPath = endpoint.data;
        const auto legacyCall = [&](int id, const QString &method, const QJsonObject &params) {
            const HttpResponse r
                = post.request("POST", rpcPath, {{"Content-Type", "application/json"}}, rpc(id, method, params));
            if (r.status != 202)
                return QJsonObject{{"status", r.status}};
            return stream.waitMessage(id);
        };
        QVERIFY(legacyCall(1, "initialize", initParams()).contains("result"));
        QVERIFY(legacyCall(2, "tools/call",
                           {{"name", "trial-site.collection"}, {"arguments", QJsonObject{{"pageSize", 1}}}})
                    .value("result")
                    .toObject()
                    .value("isError")
                    .toBool()
                == false);
        // A tool error (isError): schema validation of the arguments.
        QVERIFY(legacyCall(3, "tools/call", {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", 42}}}})
                    .value("result")
                    .toObject()
                    .value("isError")
                    .toBool());
        // Denied (-32003) and not found (unknown name, twice with different names: one label value).
        QCOMPARE(legacyCall(4, "tools/call", {{"name", "protocol-document.collection"}, {"arguments", QJsonObject{}}})
                     .value("error")
                     .toObject()
                     .value("code")
                     .toInt(),
                 -32003);
        QVERIFY(legacyCall(5, "tools/call", {{"name", "no-such-tool-a"}}).contains("error"));
        QVERIFY(legacyCall(6, "tools/call", {{"name", "no-such-tool-b"}}).contains("error"));

        // Streamable HTTP: initialize, a tool call, and DELETE.
        HttpClient sc(f.port);
        HttpResponse r = sc.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams()));
        QCOMPARE(r.status, 200);
        const QByteArray sid = r.header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        sc.request("POST", "/mcp", streamableHeaders(sid), rpc(QJsonValue(), "notifications/initialized"));
        QVERIFY(rpcAnswer(
                    sc.request("POST", "/mcp", streamableHeaders(sid),
                               rpc(2, "tools/call", {{"name", "trial-site.collection"}, {"arguments", QJsonObject{}}})))
                    .contains("result"));

        // Heartbeats every 100 ms on the open legacy stream.
        QTest::qWait(350);
        s = scrape(f.port);
        QCOMPARE(s.value("koan_mcp_sessions_active", {{"transport", "HttpSse"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_sessions_active", {{"transport", "StreamableHttp"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_sessions_opened_total", {{"transport", "HttpSse"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_sessions_opened_total", {{"transport", "StreamableHttp"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_sse_connections"), 1.0);
        QCOMPARE(s.value("koan_mcp_sse_connection_utilization"), 0.25);
        QVERIFY2(s.value("koan_mcp_heartbeats_sent_total") >= 1, s.raw.constData());
        QVERIFY(s.value("koan_mcp_bytes_queued") >= 0);
        // request -> event latency: every legacy POST and the Streamable requests.
        QVERIFY2(s.value("koan_mcp_request_event_latency_seconds_count", {{"transport", "HttpSse"}}) >= 6,
                 s.raw.constData());
        QVERIFY2(s.value("koan_mcp_request_event_latency_seconds_count", {{"transport", "StreamableHttp"}}) >= 2,
                 s.raw.constData());
        // Tool calls by tool and outcome, each with a duration observation.
        const QList<std::pair<L, double>> calls{
            {{{"tool", "trial-site.collection"}, {"outcome", "ok"}}, 2},
            {{{"tool", "trial-site.get-by-id"}, {"outcome", "error"}}, 1},
            {{{"tool", "protocol-document.collection"}, {"outcome", "denied"}}, 1},
            {{{"tool", "_unknown"}, {"outcome", "not_found"}}, 2},
        };
        for (const auto &[labels, n] : calls) {
            QCOMPARE(s.value("koan_mcp_tool_calls_total", labels), n);
            QCOMPARE(s.value("koan_mcp_tool_call_duration_seconds_count", labels), n);
        }
        QCOMPARE(s.value("koan_mcp_tool_calls_total"), 6.0);
        QVERIFY2(!s.raw.contains("no-such-tool"), "client-chosen tool names must not become label values");
        checkHistograms(s);

        // Closing: DELETE (Streamable) and a client disconnect (legacy), each with its reason.
        QCOMPARE(sc.request("DELETE", "/mcp", streamableHeaders(sid)).status, 200);
        stream.socket()->abort();
        QVERIFY(QTest::qWaitFor([&] { return f.sessions()->sessionCount() == 0; }, 5000));
        s = scrape(f.port);
        QCOMPARE(s.value("koan_mcp_sessions_closed_total", {{"reason", "deleted_by_client"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_sessions_closed_total", {{"reason", "client_disconnected"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_sessions_active", {{"transport", "HttpSse"}}), 0.0);
        QCOMPARE(s.value("koan_mcp_sessions_active", {{"transport", "StreamableHttp"}}), 0.0);
        QCOMPARE(s.value("koan_mcp_sse_connections"), 0.0);

        // The rollback switch: transport_enabled follows it, open streams close with transport_disabled.
        HttpClient again(f.port);
        again.send("GET", "/mcp/sse");
        QVERIFY(again.waitEvent("endpoint"));
        HttpClient admin(f.port);
        QCOMPARE(admin
                     .request("PUT", "/admin/transports/http-sse", {{"Content-Type", "application/json"}},
                              R"({"enabled":false})")
                     .status,
                 200);
        s = scrape(f.port);
        QCOMPARE(s.value("koan_mcp_transport_enabled", {{"transport", "HttpSse"}}), 0.0);
        QCOMPARE(s.value("koan_mcp_transport_enabled", {{"transport", "StreamableHttp"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_sessions_closed_total", {{"reason", "transport_disabled"}}), 1.0);
        QCOMPARE(admin
                     .request("PUT", "/admin/transports/http-sse", {{"Content-Type", "application/json"}},
                              R"({"enabled":true})")
                     .status,
                 200);
        QCOMPARE(scrape(f.port).value("koan_mcp_transport_enabled", {{"transport", "HttpSse"}}), 1.0);
    }

    // RequireHttps refusals are counted by action (the KoanMcpHttpsViolations alert), probes and
    // requests a trusted proxy terminated TLS for are not; idle-timeout closes (KoanMcpSessionTimeouts)
    // are there from the first scrape and count each session the sweep closes.
    void httpsViolationsAndSessionTimeouts()
    {
        McpServerOptions o;
        o.requireHttps = true;
        o.trustedProxies = {"127.0.0.1"};
        o.sseConnectionTimeoutMs = 400;
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const QList<QPair<QByteArray, QByteArray>> viaTls{{"X-Forwarded-Proto", "https"}};
        int status = 0;
        Scrape s = scrape(f.port, viaTls, &status);
        QCOMPARE(status, 200);
        QCOMPARE(s.value("koan_mcp_https_violations_total", {{"action", "redirect"}}), 0.0);
        QCOMPARE(s.value("koan_mcp_https_violations_total", {{"action", "reject"}}), 0.0);
        QCOMPARE(s.value("koan_mcp_sessions_closed_total", {{"reason", "idle_timeout"}}), 0.0);
        QCOMPARE(s.value("koan_mcp_sessions_closed_total", {{"reason", "token_expired"}}), 0.0);

        HttpClient c(f.port);
        QCOMPARE(c.request("GET", "/mcp/capabilities").status, 308);
        QCOMPARE(c.request("GET", "/metrics").status, 308);
        QCOMPARE(c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams())).status, 400);
        QCOMPARE(c.request("GET", "/healthz").status, 200);                  // probes stay plain
        QCOMPARE(c.request("GET", "/mcp/capabilities", viaTls).status, 200); // TLS at the proxy
        // A Streamable session (through the "proxy") that then stays silent past SseConnectionTimeout.
        auto headers = streamableHeaders();
        headers += viaTls;
        const HttpResponse init = c.request("POST", "/mcp", headers, rpc(1, "initialize", initParams()));
        QCOMPARE(init.status, 200);
        QVERIFY(!init.header("Mcp-Session-Id").isEmpty());
        QVERIFY(QTest::qWaitFor([&] { return f.sessions()->sessionCount() == 0; }, 5000));

        s = scrape(f.port, viaTls);
        QCOMPARE(s.value("koan_mcp_https_violations_total", {{"action", "redirect"}}), 2.0);
        QCOMPARE(s.value("koan_mcp_https_violations_total", {{"action", "reject"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_sessions_closed_total", {{"reason", "idle_timeout"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_sessions_closed_total", {{"reason", "token_expired"}}), 0.0);
        QCOMPARE(s.types.value("koan_mcp_https_violations_total"), QStringLiteral("counter"));
    }

    void authFailuresAndRateLimiting()
    {
        McpServerOptions o;
        o.requireAuthentication = true; // Development: the dev issuer is trusted
        o.rateLimit.enabled = true;
        o.rateLimit.permitsPerSecond = 0.5;
        o.rateLimit.burst = 3;
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        QCOMPARE(c.request("GET", "/mcp/capabilities").status, 401); // missing_token
        QCOMPARE(c.request("GET", "/mcp/capabilities", {{"Authorization", "Bearer not.a.jwt"}}).status,
                 401); // malformed
        Scrape s = scrape(f.port);
        QCOMPARE(s.value("koan_mcp_auth_failures_total", {{"reason", "missing_token"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_auth_failures_total", {{"reason", "malformed"}}), 1.0);
        QCOMPARE(s.value("koan_mcp_rate_limited_total"), 0.0);
        // A valid token: its subject's bucket (3) runs dry -> 429.
        const QByteArray t = devToken(f, "alice", {});
        QVERIFY(!t.isEmpty());
        int limited = 0;
        for (int i = 0; i < 6; ++i)
            limited += c.request("GET", "/mcp/capabilities", {{"Authorization", "Bearer " + t}}).status == 429;
        QVERIFY(limited >= 2);
        s = scrape(f.port);
        QCOMPARE(s.value("koan_mcp_rate_limited_total"), double(limited)); // the failed-auth bucket was not exhausted
    }

    void accessModes()
    {
        // Loopback: direct loopback callers only; a request that came through a proxy is not one.
        {
            McpServerOptions o;
            o.operations.metricsAccess = "Loopback";
            o.trustedProxies = {"127.0.0.1"};
            ServerFixture f(o);
            QVERIFY2(f.ok, qPrintable(f.problems));
            int status = 0;
            QVERIFY(scrape(f.port, {}, &status).value("koan_mcp_sessions_active") >= 0);
            QCOMPARE(status, 200);
            for (const auto &h : QList<QPair<QByteArray, QByteArray>>{{"X-Forwarded-For", "203.0.113.9"},
                                                                      {"X-Forwarded-For", "127.0.0.1"},
                                                                      {"Forwarded", "for=203.0.113.9"},
                                                                      {"X-Real-IP", "203.0.113.9"}}) {
                scrape(f.port, {h}, &status);
                QVERIFY2(status == 403, h.first + ": " + h.second);
            }
            // The admin bypass (authentication off) follows the same rule.
            HttpClient c(f.port);
            QCOMPARE(c.request("GET", "/admin/transports").status, 200);
            QCOMPARE(c.request("GET", "/admin/transports", {{"X-Forwarded-For", "203.0.113.9"}}).status, 403);
            QCOMPARE(c.request("PUT", "/admin/transports/http-sse",
                               {{"X-Real-IP", "203.0.113.9"}, {"Content-Type", "application/json"}},
                               R"({"enabled":false})")
                         .status,
                     403);
            QVERIFY(f.server->isHttpSseEnabled());
        }
        // Authenticated: a bearer token (any valid one), also with authentication off server-wide.
        {
            McpServerOptions o;
            o.operations.metricsAccess = "Authenticated";
            ServerFixture f(o);
            QVERIFY2(f.ok, qPrintable(f.problems));
            int status = 0;
            scrape(f.port, {}, &status);
            QCOMPARE(status, 401);
            const QByteArray t = devToken(f, "prometheus", {});
            QVERIFY(scrape(f.port, {{"Authorization", "Bearer " + t}}, &status).value("koan_mcp_sessions_active") >= 0);
            QCOMPARE(status, 200);
        }
        // Enabled=false: no endpoint. Path: served elsewhere.
        {
            McpServerOptions o;
            o.operations.metricsEnabled = false;
            ServerFixture f(o);
            int status = 0;
            scrape(f.port, {}, &status);
            QCOMPARE(status, 404);
        }
        {
            McpServerOptions o;
            o.operations.metricsPath = "/internal/prom";
            ServerFixture f(o);
            int status = 0;
            scrape(f.port, {}, &status);
            QCOMPARE(status, 404);
            HttpClient c(f.port);
            const HttpResponse r = c.request("GET", "/internal/prom");
            QCOMPARE(r.status, 200);
            QVERIFY(r.header("Content-Type").startsWith("text/plain; version=0.0.4"));
            QVERIFY(r.body.contains("# TYPE koan_mcp_sessions_active gauge"));
        }
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
