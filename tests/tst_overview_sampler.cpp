// The Overview's server-side aggregation (#18) over a real server and real loopback clients:
// sessions by transport and era (a legacy stream, a 2025 Streamable session, a stateless
// 2026-07-28 caller and its listen stream), auth failures by reason, and the per-tool latency
// distribution (ToolLatencyTable) in the sampler, in /admin/snapshot and on /admin/events,
// read back the way an attached console reads them (AdminJson).
#include "admin/AdminController.h"
#include "admin/AdminJson.h"
#include "metrics/OverviewSampler.h"
#include "metrics/ToolLatencyTable.h"
#include "security/DevTokenIssuer.h"
#include "support/HttpClient.h"
#include "support/ListenStream.h"
#include "support/ModernRpc.h"
#include "support/ServerFixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace koan;
using namespace koan::test;

namespace {
int sumBuckets(const QList<int> &buckets)
{
    int n = 0;
    for (int b : buckets)
        n += b;
    return n;
}
} // namespace

class TestOverviewSampler : public QObject
{
    Q_OBJECT

private slots:
    void histogramPercentiles()
    {
        ToolLatencyTable table;
        const qint64 t0 = 1'800'000'000'000;
        for (int i = 0; i < 90; ++i)
            table.record("fast", 3, true, t0);
        for (int i = 0; i < 10; ++i)
            table.record("fast", 150, i != 0, t0 + 1000);
        table.record("slow", 7000, true, t0);
        const QList<ToolLatency> s = table.snapshot(t0 + 2000);
        QCOMPARE(s.size(), 2);
        QCOMPARE(s[0].tool, QStringLiteral("fast")); // most called first
        QCOMPARE(s[0].calls, 100);
        QCOMPARE(s[0].errors, 1);
        QCOMPARE(sumBuckets(s[0].buckets), 100);
        QCOMPARE(s[0].buckets.size(), ToolLatencyTable::kBuckets);
        QVERIFY2(s[0].p50Ms > 2 && s[0].p50Ms <= 5, qPrintable(QString::number(s[0].p50Ms)));
        QVERIFY2(s[0].p95Ms > 100 && s[0].p95Ms <= 150, qPrintable(QString::number(s[0].p95Ms)));
        QCOMPARE(s[0].maxMs, 150.0);
        // Beyond the last bound: the exact maximum caps every percentile.
        QCOMPARE(s[1].p50Ms, 7000.0);
        QCOMPARE(s[1].buckets.last(), 1);
        // Fifteen minutes later the calls have left the window; a call reusing a minute's slot
        // replaces what it held.
        QVERIFY(table.snapshot(t0 + 15 * 60000 + 60000).isEmpty());
        table.record("fast", 1, true, t0 + 15 * 60000);
        const QList<ToolLatency> later = table.snapshot(t0 + 15 * 60000);
        QCOMPARE(later.size(), 1);
        QCOMPARE(later[0].calls, 1);
        QCOMPARE(ToolLatencyTable::percentile(QList<int>(ToolLatencyTable::kBuckets, 0), 0.5, 0), 0.0);
    }

    void eraReasonsAndToolLatencyFromRealTraffic()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        OverviewSampler *sampler = f.server->admin()->overviewSampler();

        // A legacy stream (2024-11-05) and a 2025 Streamable session with three calls, one failing.
        HttpClient legacy(f.port);
        legacy.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
        QVERIFY(legacy.waitEvent("endpoint"));
        HttpClient streamable(f.port);
        const HttpResponse init
            = streamable.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams("2025-11-25")));
        const QByteArray sid = init.header("Mcp-Session-Id");
        QVERIFY(!sid.isEmpty());
        for (int i = 0; i < 3; ++i)
            QCOMPARE(streamable
                         .request("POST", "/mcp", streamableHeaders(sid),
                                  rpc(10 + i, "tools/call",
                                      {{"name", "trial-site.get-by-id"},
                                       {"arguments", QJsonObject{{"id", i == 2 ? "no-such-site" : "site-boston"}}}}))
                         .status,
                     200);
        // A stateless 2026-07-28 caller: one call and a listen stream.
        HttpClient modern(f.port);
        const HttpResponse r = modern.request(
            "POST", "/mcp", modernHeaders("tools/call", "trial-site.get-by-id"),
            modernRequest(20, "tools/call",
                          {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-boston"}}}}));
        QCOMPARE(r.status, 200);
        HttpClient listen(f.port);
        openListen(listen, 21);
        QVERIFY(waitAcknowledged(listen));
        // Auth failures of two reasons: a malformed token, an expired one.
        DevTokenIssuer issuer;
        QString error;
        QVERIFY(issuer.loadOrCreate(f.server->options().auth.devIssuerKeyFile, &error));
        const QByteArray expired = issuer.issue("old", {"mcp:read"}, -3600, f.server->baseUrl() + "/mcp");
        HttpClient bad(f.port);
        for (int i = 0; i < 2; ++i)
            QCOMPARE(bad.request("GET", "/mcp/capabilities", {{"Authorization", "Bearer not.a.jwt"}}).status, 401);
        QCOMPARE(bad.request("GET", "/mcp/capabilities", {{"Authorization", "Bearer " + expired}}).status, 401);

        sampler->sample(); // closes the current second now
        const QList<OverviewSample> samples = sampler->samples();
        QVERIFY(!samples.isEmpty());
        const OverviewSample &last = samples.last();
        QCOMPARE(last.legacySessions, 1);
        QCOMPARE(last.streamableSessions, 1);
        QCOMPARE(last.statelessCallers, 1); // anonymous callers count as one
        QCOMPARE(last.listenStreams, 1);
        int calls = 0, failures = 0;
        QMap<QString, int> reasons;
        for (const OverviewSample &s : samples) {
            calls += s.calls;
            failures += s.authFailures;
            int byReason = 0;
            for (auto it = s.authFailuresByReason.cbegin(); it != s.authFailuresByReason.cend(); ++it) {
                reasons[it.key()] += it.value();
                byReason += it.value();
            }
            QCOMPARE(byReason, s.authFailures); // every failure has its reason
        }
        QCOMPARE(calls, 4);
        QCOMPARE(failures, 3);
        // The reasons are the audit log's.
        QMap<QString, int> logged;
        for (const AuthFailure &a : f.server->admin()->authFailures())
            ++logged[a.reason];
        QCOMPARE(reasons, logged);
        QCOMPARE(reasons.size(), 2);
        QVERIFY2(reasons.contains("expired"), qPrintable(reasons.keys().join(',')));

        const QList<ToolLatency> tools = f.server->admin()->toolLatency();
        QCOMPARE(tools.size(), 1);
        QCOMPARE(tools[0].tool, QStringLiteral("trial-site.get-by-id"));
        QCOMPARE(tools[0].calls, 4);
        QCOMPARE(tools[0].errors, 1);
        QCOMPARE(sumBuckets(tools[0].buckets), 4);
        QVERIFY(tools[0].maxMs > 0 && tools[0].p50Ms <= tools[0].p95Ms && tools[0].p95Ms <= tools[0].maxMs);

        // The admin API carries the same, and an attached console reads it back.
        HttpClient admin(f.port);
        const QJsonObject snap = admin.request("GET", "/admin/snapshot").json();
        const QList<ToolLatency> remote
            = adminjson::fromArray<ToolLatency>(snap["toolLatency"], adminjson::toolLatencyFromJson);
        QCOMPARE(remote.size(), 1);
        QCOMPARE(remote[0].calls, 4);
        QCOMPARE(remote[0].buckets, tools[0].buckets);
        QCOMPARE(remote[0].maxMs, tools[0].maxMs);
        const QJsonArray overview = snap["overview"].toArray();
        const OverviewSample read = adminjson::sampleFromJson(overview.last().toObject());
        QCOMPARE(read.listenStreams, 1);
        QCOMPARE(read.statelessCallers, 1);
        QMap<QString, int> readReasons;
        for (const QJsonValue &v : overview)
            for (auto [k, n] : adminjson::sampleFromJson(v.toObject()).authFailuresByReason.asKeyValueRange())
                readReasons[k] += n;
        QCOMPARE(readReasons, reasons);
        QVERIFY(!snap.contains("cluster")); // SQLite: a single node

        // Live: a call is followed by a tool-latency event within the next sample.
        HttpClient events(f.port);
        events.send("GET", "/admin/events", {{"Accept", "text/event-stream"}});
        QVERIFY(events.waitEvent("snapshot"));
        QCOMPARE(streamable
                     .request("POST", "/mcp", streamableHeaders(sid),
                              rpc(30, "tools/call", {{"name", "trial-site.collection"}, {"arguments", QJsonObject{}}}))
                     .status,
                 200);
        SseEvent e;
        QVERIFY(events.waitEvent("tool-latency", 3000, &e));
        const QList<ToolLatency> live = adminjson::fromArray<ToolLatency>(
            QJsonDocument::fromJson(e.data).object()["tools"], adminjson::toolLatencyFromJson);
        QCOMPARE(live.size(), 2);
        QCOMPARE(live[0].calls, 4); // still most called first
        QCOMPARE(live[1].tool, QStringLiteral("trial-site.collection"));
        QCOMPARE(live[1].calls, 1);
    }

    void clusterViewRoundTrips()
    {
        ClusterView c;
        c.self = "host-a-0000aaaa";
        c.current = true;
        c.takenAt = "2026-12-01T21:00:00.000Z";
        c.replicas << RegisteredReplica{"host-a-0000aaaa",          "host-a", "0.1.0", "2026-12-01T20:00:00.000Z",
                                        "2026-12-01T21:00:00.000Z", 2,        true};
        c.sessions << RegisteredSession{"s1",        "host-a-0000aaaa",          "HttpSse",
                                        "iss|alice", "2026-12-01T20:30:00.000Z", "2026-12-01T21:00:05.000Z"};
        c.totalSessions = 1;
        const ClusterView back = adminjson::clusterFromJson(adminjson::toJson(c));
        QCOMPARE(back.self, c.self);
        QCOMPARE(back.replicas.size(), 1);
        QCOMPARE(back.replicas[0].self, true);
        QCOMPARE(back.replicas[0].sessions, 2);
        QCOMPARE(back.sessions[0].subject, QStringLiteral("iss|alice"));
        QCOMPARE(back.totalSessions, 1);
        QVERIFY(adminjson::clusterFromJson({}).self.isEmpty()); // no section: a single node
    }
};

QTEST_GUILESS_MAIN(TestOverviewSampler)
#include "tst_overview_sampler.moc"
