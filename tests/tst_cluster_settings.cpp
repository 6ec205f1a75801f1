// Cluster-wide settings (#17): with PostgreSQL the rollback switch (with its drain-or-cut intent)
// and the entity overrides live in the database, so two real servers on one real PostgreSQL
// database follow each other within a second, a server started later starts in the current
// state, the settings file only seeds an empty database, and the audit trail names who flipped.
// On SQLite every process keeps its own switch, as before.
#include "McpServer.h"
#include "admin/AdminController.h"
#include "admin/ClusterSettings.h"
#include "core/ChangeBus.h"
#include "entities/EntityRegistry.h"
#include "store/EntityStore.h"
#include "support/HttpClient.h"
#include "support/PostgresServer.h"
#include "support/ServerFixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTest>

using namespace koan;
using namespace koan::test;

namespace {
// Opens a legacy HTTP+SSE stream and waits for its endpoint event.
bool openLegacyStream(HttpClient &stream)
{
    stream.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
    return stream.waitEvent("endpoint", 5000);
}

int flip(quint16 port, const QByteArray &body)
{
    HttpClient c(port);
    return c.request("PUT", "/admin/transports/http-sse", {{"Content-Type", "application/json"}}, body).status;
}

QList<AuditRow> switchRows(McpServer &server)
{
    QString error;
    QList<AuditRow> out;
    for (const AuditRow &r : server.store()->audit().since("2000-01-01T00:00:00.000000Z", &error))
        if (r.entity == QLatin1String(EntityStore::kSettingsEntity) && r.recordId == "EnableHttpSseTransport")
            out << r;
    return out;
}
} // namespace

class TestClusterSettings : public QObject
{
    Q_OBJECT

    QString freshUrl()
    {
        QString why;
        PostgresServer *pg = PostgresServer::shared(&why);
        if (!pg) {
            qWarning("%s", qPrintable(why));
            return {};
        }
        return pg->freshDatabaseUrl(&why);
    }

private slots:
    void initTestCase()
    {
        if (!PostgresServer::available())
            QSKIP(qPrintable(PostgresServer::missingReason()));
    }

    void switchFlippedOnOneIsFlippedOnAll()
    {
        const QString url = freshUrl();
        QVERIFY(!url.isEmpty());
        McpServerOptions o;
        o.databaseUrl = url;
        ServerFixture one(o), two(o);
        QVERIFY2(one.ok && two.ok, qPrintable(one.problems + two.problems));
        HttpClient streamOnTwo(two.port);
        QVERIFY(openLegacyStream(streamOnTwo));

        // Off through the admin API of one: two is off within a second, its legacy stream ends.
        QElapsedTimer t;
        t.start();
        QCOMPARE(flip(one.port, R"({"enabled": false, "mode": "cut", "reason": "incident 42"})"), 200);
        QVERIFY(QTest::qWaitFor([&] { return !two.server->isHttpSseEnabled(); }, 3000));
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
        QVERIFY(streamOnTwo.waitEvent("end", 3000));
        HttpClient refused(two.port);
        QCOMPARE(refused.request("GET", "/mcp/sse", {{"Accept", "text/event-stream"}}).status, 503);

        // On again from two's console: one follows.
        t.restart();
        two.server->admin()->setHttpSseEnabled(true); // the console's command
        QVERIFY(QTest::qWaitFor([&] { return one.server->isHttpSseEnabled(); }, 3000));
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));

        // One audit row per flip, each naming its author and kept once (not once per replica).
        const QList<AuditRow> rows = switchRows(*one.server);
        QCOMPARE(rows.size(), 3); // the seed from the settings file, off, on
        QCOMPARE(rows[0].context.principal, QStringLiteral("system:settings-file"));
        QVERIFY(rows[1].context.principal.startsWith("operator:loopback"));
        QCOMPARE(rows[1].change.toArray().at(1)["value"]["reason"].toString(), QStringLiteral("incident 42"));
        QVERIFY(rows[2].context.principal.startsWith("operator:"));
        QCOMPARE(rows[2].context.transport, QStringLiteral("Operator"));
        const std::optional<EntityStore::SharedSetting> kept
            = one.server->store()->sharedSetting("EnableHttpSseTransport", nullptr);
        QVERIFY(kept);
        QCOMPARE(kept->value["enabled"].toBool(false), true);
        QCOMPARE(kept->updatedBy, rows[2].context.principal);
    }

    void drainReachesEveryReplicaWithOneDeadline()
    {
        const QString url = freshUrl();
        QVERIFY(!url.isEmpty());
        McpServerOptions o;
        o.databaseUrl = url;
        ServerFixture one(o), two(o);
        QVERIFY2(one.ok && two.ok, qPrintable(one.problems + two.problems));
        HttpClient streamOnOne(one.port), streamOnTwo(two.port);
        QVERIFY(openLegacyStream(streamOnOne));
        QVERIFY(openLegacyStream(streamOnTwo));
        QCOMPARE(flip(one.port, R"({"enabled": false, "mode": "drain", "drainSeconds": 30})"), 200);
        QVERIFY(QTest::qWaitFor([&] { return two.server->admin()->status().httpSseDraining; }, 3000));
        // Open streams keep working on both; the deadlines agree.
        QVERIFY(!streamOnTwo.closed());
        const QDateTime d1 = one.server->admin()->status().drainDeadline,
                        d2 = two.server->admin()->status().drainDeadline;
        QVERIFY2(qAbs(d1.msecsTo(d2)) < 1500,
                 qPrintable(d1.toString(Qt::ISODateWithMs) + " vs " + d2.toString(Qt::ISODateWithMs)));
        // A cut during the drain ends the streams on every replica.
        QCOMPARE(flip(two.port, R"({"enabled": false, "mode": "cut"})"), 200);
        QVERIFY(streamOnOne.waitEvent("end", 3000));
        QVERIFY(streamOnTwo.waitEvent("end", 3000));
        QVERIFY(!one.server->admin()->status().httpSseDraining);
    }

    void laterReplicaStartsInTheCurrentState()
    {
        const QString url = freshUrl();
        QVERIFY(!url.isEmpty());
        McpServerOptions o;
        o.databaseUrl = url;
        o.enableHttpSseTransport = false; // the first replica's settings file seeds the database
        ServerFixture first(o);
        QVERIFY2(first.ok, qPrintable(first.problems));
        QVERIFY(!first.server->isHttpSseEnabled());
        // A later replica whose settings file says on: the database's value wins.
        o.enableHttpSseTransport = true;
        ServerFixture later(o);
        QVERIFY2(later.ok, qPrintable(later.problems));
        QVERIFY(!later.server->isHttpSseEnabled());
        HttpClient c(later.port);
        QCOMPARE(c.request("GET", "/mcp/sse", {{"Accept", "text/event-stream"}}).status, 503);
        QCOMPARE(switchRows(*later.server).size(), 1); // seeded once, by the first
        // Flipped on: a replica starting after that starts on, whatever its file says.
        QCOMPARE(flip(later.port, R"({"enabled": true})"), 200);
        QVERIFY(QTest::qWaitFor([&] { return first.server->isHttpSseEnabled(); }, 3000));
        o.enableHttpSseTransport = false;
        ServerFixture third(o);
        QVERIFY2(third.ok, qPrintable(third.problems));
        QVERIFY(third.server->isHttpSseEnabled());
    }

    void entityOverridesFollowAcrossReplicas()
    {
        const QString url = freshUrl();
        QVERIFY(!url.isEmpty());
        McpServerOptions o;
        o.databaseUrl = url;
        EntityOverride seeded;
        seeded.description = QStringLiteral("Sites from the settings file");
        o.entityOverrides.insert("TrialSite", seeded);
        ServerFixture one(o);
        QVERIFY2(one.ok, qPrintable(one.problems));
        // The second replica's file has no override: the database's (seeded by the first) applies.
        McpServerOptions plain;
        plain.databaseUrl = url;
        ServerFixture two(plain);
        QVERIFY2(two.ok, qPrintable(two.problems));
        QCOMPARE(two.server->registry()->options("TrialSite").description,
                 QStringLiteral("Sites from the settings file"));

        // Edited on one (the console's command path): two follows within a second.
        EntityOptions edited = one.server->registry()->options("TrialSite");
        edited.allowMutations = false;
        QString error;
        QElapsedTimer t;
        t.start();
        QVERIFY2(one.server->admin()->applyEntityOptions("TrialSite", edited, WriteContext::localOperator(), &error),
                 qPrintable(error));
        QVERIFY(QTest::qWaitFor([&] { return !two.server->registry()->options("TrialSite").allowMutations; }, 3000));
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
        // Reset on two: back to the defaults on one.
        QVERIFY2(two.server->admin()->resetEntityOptions("TrialSite", WriteContext::localOperator(), &error),
                 qPrintable(error));
        QVERIFY(QTest::qWaitFor([&] { return one.server->registry()->options("TrialSite").allowMutations; }, 3000));
        QCOMPARE(one.server->registry()->overrideFor("TrialSite").toJson(), QJsonObject());
    }

    void sqliteKeepsTheSwitchPerProcess()
    {
        // Two servers on one SQLite file: the switch stays a per-process setting.
        QTemporaryDir dir;
        McpServerOptions o;
        o.databasePath = dir.filePath("shared.sqlite");
        ServerFixture one(o), two(o);
        QVERIFY2(one.ok && two.ok, qPrintable(one.problems + two.problems));
        QCOMPARE(flip(one.port, R"({"enabled": false})"), 200);
        QVERIFY(!one.server->isHttpSseEnabled());
        QTest::qWait(1200);
        QVERIFY(two.server->isHttpSseEnabled());
        QVERIFY(!one.server->store()->sharedSetting("EnableHttpSseTransport", nullptr));
    }

    void rereadRetriedUntilTheStoreAnswers()
    {
        // After a database outage this replica's change listener is back (the bus says "everything
        // may have changed") while its own store still waits out its reconnect backoff: the
        // settings are read again until the store answers. The read once failed and was dropped,
        // so a switch flipped on another replica meanwhile never arrived (no second notification).
        KOAN_FRESH_POSTGRES_ON(pg, url);
        McpServerOptions o;
        o.databaseUrl = url;
        QString why;
        EntityStore store, otherReplica;
        QVERIFY2(store.openUrl(url, &why) && otherReplica.openUrl(url, &why), qPrintable(why));
        EntityRegistry registry({});
        LocalChangeBus bus;
        QList<bool> applied;
        ClusterSettings settings(
            {&o, &store, &registry, &bus, [&applied](const HttpSseSwitch &s, int) { applied << s.enabled; }});
        QVERIFY2(settings.start(&why), qPrintable(why));
        QVERIFY(!applied.contains(false)); // seeded on, from the settings file

        QVERIFY(pg->stop());
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 4000) { // attempts after 0, 0.25, 0.75, 1.75, 3.75 s: the next one 4 s away
            store.ping();
            QTest::qWait(50);
        }
        QVERIFY2(pg->restart(&why), qPrintable(why));
        QString state;
        QVERIFY(!store.ping(&state)); // still backing off
        WriteContext who;
        who.principal = QStringLiteral("operator:on-another-replica");
        QVERIFY2(otherReplica.recordSetting("EnableHttpSseTransport", QJsonObject{{"enabled", true}},
                                            QJsonObject{{"enabled", false}, {"mode", "cut"}}, who, &why),
                 qPrintable(why));
        Change everything = Change::record(QString(), {});
        everything.all = true;
        bus.publish(everything); // the listener reconnected
        QVERIFY(QTest::qWaitFor([&] { return applied.contains(false); }, 10000));
    }
};

QTEST_GUILESS_MAIN(TestClusterSettings)
#include "tst_cluster_settings.moc"
