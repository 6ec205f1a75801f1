// Clinical data integrity on real SQLite files: record versions with optimistic concurrency (no
// acknowledged change is lost), the append-only hash-chained audit trail (every writer, checked
// by `koan-mcp audit verify`, tampering detected and named), and the upgrade of a 0.1.0 store.
#include "support/BridgeHarness.h"
#include "support/ChildProcess.h"
#include "support/HttpClient.h"
#include "support/KoanProcess.h"
#include "support/PostgresServer.h"
#include "support/ServerFixture.h"
#include "admin/AdminController.h"
#include "entities/EntityRegistry.h"
#include "store/EntityStore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QThread>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpSocket>
#include <csignal>
#include <QTest>
#include <atomic>
#include <vector>

using namespace koan;
using namespace koan::test;

namespace {
QJsonObject site(const QString &id)
{
    return {{"id", id}, {"name", "Site " + id}, {"location", "Basel"}, {"principalInvestigator", "Dr. A"}};
}

// A raw SQL connection of its own, as an attacker with the file or a database login (or a backup
// script) would have: a SQLite file, or a PostgreSQL URL.
struct RawSql {
    explicit RawSql(const QString &location) : name(QStringLiteral("raw-%1").arg(quintptr(this)))
    {
        if (EntityStore::isDatabaseUrl(location)) {
            const QUrl u(location);
            db = QSqlDatabase::addDatabase("QPSQL", name);
            db.setHostName(u.host());
            db.setPort(u.port(5432));
            db.setUserName(u.userName());
            db.setPassword(u.password());
            db.setDatabaseName(u.path().mid(1));
        } else {
            db = QSqlDatabase::addDatabase("QSQLITE", name);
            db.setDatabaseName(location);
        }
        db.open();
    }
    ~RawSql()
    {
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
    bool exec(const QString &sql, QString *error = nullptr)
    {
        QSqlQuery q(db);
        const bool ok = q.exec(sql);
        if (error)
            *error = q.lastError().text();
        return ok;
    }
    QString name;
    QSqlDatabase db;
};

struct Verify {
    int exitCode = -1;
    QString out;
};
// `db`: a SQLite file, or a PostgreSQL URL (then --database-url).
Verify runVerify(const QString &db)
{
    QProcess p;
    QTemporaryDir home;
    p.setProcessEnvironment(isolatedEnvironment(home.path()));
    p.start(KOAN_MCP_BINARY, {"audit", "verify", EntityStore::isDatabaseUrl(db) ? "--database-url" : "--db", db});
    p.waitForFinished(15000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError())};
}
// Options for the data row's backend (KOAN_FETCH_BACKEND): SQLite file or PostgreSQL database.
McpServerOptions onBackend(const QString &url, McpServerOptions o = {})
{
    o.databaseUrl = url;
    return o;
}
// The store a harness opened: its file, or the URL with its password (the store shows it redacted).
QString locationOf(const McpServer &server, const QString &url)
{
    return url.isEmpty() ? server.store()->path() : url;
}
} // namespace

class TestStoreIntegrity : public QObject
{
    Q_OBJECT

private slots:
    void versionsAndConflicts_data() { addBackendRows(); }
    void versionsAndConflicts()
    {
        KOAN_FETCH_BACKEND(url);
        BridgeHarness h(onBackend(url));
        auto s = h.session();
        const QJsonObject created
            = h.tool(s, "trial-site.upsert", {{"model", site("v-1")}})["structuredContent"]["item"].toObject();
        QCOMPARE(created["version"].toInt(), 1);
        // Two editors read version 1; the second write must not silently undo the first.
        QJsonObject a = created, b = created;
        a["name"] = "Edited by A";
        b["location"] = "Edited by B";
        QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", a}, {"expectedVersion", 1}})["isError"].toBool());
        const QJsonObject conflict = h.tool(s, "trial-site.upsert", {{"model", b}, {"expectedVersion", 1}});
        QCOMPARE(conflict["isError"].toBool(), true);
        const QJsonObject err = conflict["structuredContent"]["error"].toObject();
        QCOMPARE(err["code"].toString(), QStringLiteral("version_conflict"));
        QCOMPARE(err["id"].toString(), QStringLiteral("v-1"));
        QCOMPARE(err["expectedVersion"].toInt(), 1);
        QCOMPARE(err["currentVersion"].toInt(), 2);
        const QJsonObject now
            = h.tool(s, "trial-site.get-by-id", {{"id", "v-1"}})["structuredContent"]["item"].toObject();
        QCOMPARE(now["name"].toString(), QStringLiteral("Edited by A"));
        QCOMPARE(now["location"].toString(), QStringLiteral("Basel"));
        QCOMPARE(now["version"].toInt(), 2);
        // Blind replace refused by default; allowed with RequireExpectedVersion=false.
        QCOMPARE(h.tool(s, "trial-site.upsert", {{"model", b}})["structuredContent"]["error"]["code"].toString(),
                 QStringLiteral("version_required"));
        EntityOptions relaxed = h.server->registry()->options("TrialSite");
        relaxed.requireExpectedVersion = false;
        QString error;
        QVERIFY(h.server->registry()->setOptions("TrialSite", relaxed, &error));
        QCOMPARE(h.tool(s, "trial-site.upsert", {{"model", b}})["structuredContent"]["item"]["version"].toInt(), 3);
        // A batch is all or nothing: one stale version and nothing of it is written.
        const QJsonObject batch
            = h.tool(s, "trial-site.upsert-many",
                     {{"models", QJsonArray{site("v-new"), now}}, {"expectedVersions", QJsonObject{{"v-1", 2}}}});
        QCOMPARE(batch["structuredContent"]["error"]["code"].toString(), QStringLiteral("version_conflict"));
        QCOMPARE(h.tool(s, "trial-site.get-by-id", {{"id", "v-new"}})["isError"].toBool(), true);
        // delete, delete-many and patch check versions too.
        QCOMPARE(h.tool(s, "trial-site.delete",
                        {{"id", "v-1"}, {"expectedVersion", 1}})["structuredContent"]["error"]["currentVersion"]
                     .toInt(),
                 3);
        QCOMPARE(h.tool(s, "trial-site.patch",
                        {{"id", "v-1"},
                         {"expectedVersion", 2},
                         {"patch", QJsonArray{QJsonObject{{"op", "replace"},
                                                          {"path", "/name"},
                                                          {"value", "x"}}}}})["structuredContent"]["error"]["code"]
                     .toString(),
                 QStringLiteral("version_conflict"));
        QCOMPARE(h.tool(s, "trial-site.delete-many",
                        {{"ids", QJsonArray{"v-1"}},
                         {"expectedVersions", QJsonObject{{"v-1", 9}}}})["structuredContent"]["error"]["code"]
                     .toString(),
                 QStringLiteral("version_conflict"));
        QVERIFY(!h.tool(s, "trial-site.delete", {{"id", "v-1"}, {"expectedVersion", 3}})["isError"].toBool());
    }

    void fortyEditorsLoseNothing_data() { addBackendRows(); }
    void fortyEditorsLoseNothing()
    {
        // Forty clients, each in its own session, do read -> edit -> upsert with the version they
        // read, interleaved: all read, then all write. Every write either lands or gets
        // version_conflict (then they read again and retry); in the end all forty edits are there.
        KOAN_FETCH_BACKEND(url);
        BridgeHarness h(onBackend(url));
        QVERIFY2(h.ok, qPrintable(h.startupErrors.join('\n')));
        struct Editor {
            SessionPtr session;
            QJsonObject read;
            bool done = false;
        };
        std::vector<Editor> editors(40);
        const auto call = [&h](Editor &e, const QString &tool, const QJsonObject &args) -> const QJsonObject {
            return h.tool(e.session, tool, args);
        };
        for (Editor &e : editors)
            e.session = h.session(TransportKind::StreamableHttp);
        QVERIFY(!call(editors[0], "trial-site.upsert", {{"model", site("shared")}})["isError"].toBool());
        int landed = 0, conflicts = 0;
        for (int round = 0; round < 60 && landed < 40; ++round) {
            for (Editor &e : editors) // everyone still editing reads first...
                if (!e.done)
                    e.read
                        = call(e, "trial-site.get-by-id", {{"id", "shared"}})["structuredContent"]["item"].toObject();
            for (size_t i = 0; i < editors.size(); ++i) { // ...then writes what it read, edited
                Editor &e = editors[i];
                if (e.done)
                    continue;
                QJsonObject edited = e.read;
                QJsonObject meta = edited["metadata"].toObject();
                meta.insert(QStringLiteral("editor%1").arg(qulonglong(i)), QStringLiteral("was here"));
                edited["metadata"] = meta;
                const QJsonObject r
                    = call(e, "trial-site.upsert", {{"model", edited}, {"expectedVersion", e.read["version"]}});
                if (r["isError"].toBool()) {
                    QCOMPARE(r["structuredContent"]["error"]["code"].toString(), QStringLiteral("version_conflict"));
                    ++conflicts;
                } else {
                    e.done = true;
                    ++landed;
                }
            }
        }
        QCOMPARE(landed, 40);
        QVERIFY(conflicts > 0);
        const QJsonObject final
            = call(editors[0], "trial-site.get-by-id", {{"id", "shared"}})["structuredContent"]["item"].toObject();
        QCOMPARE(final["version"].toInt(), 41);
        QCOMPARE(final["metadata"].toObject().size(), 40);
        // Concurrent patches without a version: each is applied to the current record, none lost.
        for (size_t i = 0; i < editors.size(); ++i)
            QVERIFY(!call(editors[i], "trial-site.patch",
                          {{"id", "shared"},
                           {"patch",
                            QJsonArray{QJsonObject{{"op", "add"},
                                                   {"path", QStringLiteral("/metadata/patch%1").arg(qulonglong(i))},
                                                   {"value", "ok"}}}}})["isError"]
                         .toBool());
        const QJsonObject patched
            = call(editors[0], "trial-site.get-by-id", {{"id", "shared"}})["structuredContent"]["item"].toObject();
        QCOMPARE(patched["version"].toInt(), 81);
        QCOMPARE(patched["metadata"].toObject().size(), 80);
    }

    void everyWriterLeavesAuditRows_data() { addBackendRows(); }
    void everyWriterLeavesAuditRows()
    {
        KOAN_FETCH_BACKEND(url);
        BridgeHarness h(onBackend(url));
        Principal alice;
        alice.authenticated = true;
        alice.subject = "alice";
        alice.issuer = "https://issuer.test";
        alice.scopes = {"clinical:operations"};
        auto http = h.session(TransportKind::StreamableHttp, alice);
        auto stdio = h.session(TransportKind::Stdio);
        auto console = h.session(TransportKind::Operator);
        QVERIFY(!h.tool(http, "trial-site.upsert", {{"model", site("a-1")}})["isError"].toBool());
        QVERIFY(!h.tool(stdio, "trial-site.patch",
                        {{"id", "a-1"},
                         {"patch",
                          QJsonArray{QJsonObject{{"op", "replace"}, {"path", "/name"}, {"value", "P"}}}}})["isError"]
                     .toBool());
        QVERIFY(!h.tool(console, "trial-site.delete", {{"id", "a-1"}})["isError"].toBool());
        int total = 0;
        QString error;
        const QList<AuditRow> rows
            = h.server->store()->audit().recordHistory("TrialSite", "a-1", 0, 100, &total, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(total, 3);
        QCOMPARE(rows[0].operation, QStringLiteral("create"));
        QCOMPARE(rows[0].context.principal, QStringLiteral("https://issuer.test|alice"));
        QCOMPARE(rows[0].context.transport, QStringLiteral("StreamableHttp"));
        QCOMPARE(rows[0].context.era, QStringLiteral("2025-06-18"));
        QCOMPARE(rows[0].context.session, http->id);
        QVERIFY(!rows[0].versionBefore.has_value());
        QCOMPARE(*rows[0].versionAfter, 1);
        QVERIFY(rows[0].at.endsWith('Z') && rows[0].at.size() == 27); // microseconds, UTC
        QCOMPARE(rows[1].operation, QStringLiteral("patch"));
        QCOMPARE(rows[1].context.principal, QStringLiteral("stdio"));
        // The change as JSON Patch from the old to the new document (updatedAt is server-managed).
        QCOMPARE(rows[1].change.toArray().at(0).toObject(),
                 (QJsonObject{{"op", "replace"}, {"path", "/name"}, {"value", "P"}}));
        const QJsonArray ops = rows[1].change.toArray();
        for (qsizetype i = 1; i < ops.size(); ++i)
            QCOMPARE(ops.at(i)["path"].toString(), QStringLiteral("/updatedAt")); // same millisecond: no change at all
        QCOMPARE(*rows[1].versionBefore, 1);
        QCOMPARE(*rows[1].versionAfter, 2);
        QCOMPARE(rows[2].operation, QStringLiteral("delete"));
        QVERIFY(rows[2].context.principal.startsWith("operator:"));
        QCOMPARE(rows[2].change.toObject()["deleted"].toObject()["name"].toString(),
                 QStringLiteral("P")); // the last document is kept
        // delete-all: one row per record, one operation id.
        const QJsonObject all = h.tool(console, "monitoring-note.delete-all", {{"confirm", "MonitoringNote"}});
        const QString op = all["structuredContent"]["operationId"].toString();
        QVERIFY(!op.isEmpty());
        int notes = 0;
        for (const AuditRow &r : h.server->store()->audit().since("2000-01-01T00:00:00.000000Z", &error))
            if (r.entity == "MonitoringNote" && r.operation == "delete") {
                QCOMPARE(r.context.operationId, op);
                ++notes;
            }
        QCOMPARE(notes, all["structuredContent"]["deleted"].toInt());
        QVERIFY(notes >= 2);
        // And the whole trail verifies.
        const Verify v = runVerify(locationOf(*h.server, url));
        QVERIFY2(v.exitCode == 0, qPrintable(v.out));
    }

    void retriesWithAnIdempotencyKeyWriteOnce_data() { addBackendRows(); }
    void retriesWithAnIdempotencyKeyWriteOnce()
    {
        KOAN_FETCH_BACKEND(url);
        QTemporaryDir dir;
        McpServerOptions o = onBackend(url);
        o.databasePath = dir.filePath("idem.sqlite");
        const QJsonObject report{{"trialSiteId", "site-boston"},
                                 {"participantId", "P-0042"},
                                 {"severity", "Severe"},
                                 {"description", "Anaphylaxis after dose 2"},
                                 {"onsetDate", "2026-11-30"}};
        const QJsonObject args{{"model", report}, {"idempotencyKey", "ae-retry-1"}};
        QString firstId;
        int before = 0;
        {
            BridgeHarness h(o);
            QVERIFY2(h.ok, qPrintable(h.startupErrors.join('\n')));
            auto s = h.session();
            before = h.tool(s, "adverse-event-report.collection")["structuredContent"]["total"].toInt();
            const QJsonObject first = h.tool(s, "adverse-event-report.upsert", args); // its answer is "lost"
            QVERIFY2(!first["isError"].toBool(), qPrintable(first["content"][0]["text"].toString()));
            firstId = first["structuredContent"]["item"]["id"].toString();
            const QJsonObject retry
                = h.tool(h.session(), "adverse-event-report.upsert", args); // a new session, same principal
            QCOMPARE(retry["structuredContent"]["item"]["id"].toString(), firstId);
            QCOMPARE(retry, first);
            // The same key with other arguments is an error, not a silent replay.
            QJsonObject changed = report;
            changed["severity"] = "Mild";
            const QJsonObject reused
                = h.tool(s, "adverse-event-report.upsert", {{"model", changed}, {"idempotencyKey", "ae-retry-1"}});
            QCOMPARE(reused["isError"].toBool(), true);
            QVERIFY(reused["content"][0]["text"].toString().contains("idempotency_key_reused"));
            // Another principal's key space is its own.
            Principal bob;
            bob.authenticated = true;
            bob.subject = "bob";
            bob.issuer = "https://issuer.test";
            bob.scopes = {"clinical:safety"};
            const QJsonObject bobs
                = h.tool(h.session(TransportKind::StreamableHttp, bob), "adverse-event-report.upsert", args);
            QVERIFY(bobs["structuredContent"]["item"]["id"].toString() != firstId);
        }
        // After a restart the key still holds.
        BridgeHarness h(o);
        auto s = h.session();
        QCOMPARE(h.tool(s, "adverse-event-report.upsert", args)["structuredContent"]["item"]["id"].toString(), firstId);
        QCOMPARE(h.tool(s, "adverse-event-report.collection")["structuredContent"]["total"].toInt(),
                 before + 2); // ours once, bob's once
    }

    void settingChangesAreAudited_data() { addBackendRows(); }
    void settingChangesAreAudited()
    {
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(onBackend(url));
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        QCOMPARE(c.request("PUT", "/admin/transports/http-sse", {{"Content-Type", "application/json"}},
                           R"({"enabled": false})")
                     .status,
                 200);
        f.server->setHttpSseEnabled(true); // the console's way
        AdminController &admin = *f.server->admin();
        EntityOptions o = f.server->registry()->options("TrialSite");
        o.allowMutations = false;
        admin.applyEntityOptions("TrialSite", o);
        QString error;
        QList<AuditRow> settings;
        const auto read = [&] {
            settings.clear();
            for (const AuditRow &r : f.server->store()->audit().since("2000-01-01T00:00:00.000000Z", &error))
                if (r.entity == "_settings")
                    settings << r;
            return settings.size();
        };
        // PostgreSQL keeps the switch's value for every replica: the settings file seeded it at start,
        // audited as such (version 1), before the flips.
        const int seed = url.isEmpty() ? 0 : 1;
        // The console's commands take effect at once; their rows are written on the store worker.
        QVERIFY(QTest::qWaitFor([&] { return read() >= 3 + seed; }, 5000));
        QTest::qWait(100);
        read();
        QCOMPARE(settings.size(), 3 + seed);
        if (seed) {
            QCOMPARE(settings[0].recordId, QStringLiteral("EnableHttpSseTransport"));
            QCOMPARE(settings[0].context.principal, QStringLiteral("system:settings-file"));
            QCOMPARE(*settings[0].versionAfter, 1);
            QCOMPARE(settings[0].change.toArray().at(0)["op"].toString(), QStringLiteral("add"));
            QCOMPARE(settings[0].change.toArray().at(0)["value"]["enabled"].toBool(), true);
        }
        const AuditRow &cut = settings[seed], &on = settings[seed + 1], &override = settings[seed + 2];
        QCOMPARE(cut.recordId, QStringLiteral("EnableHttpSseTransport"));
        QCOMPARE(cut.context.transport, QStringLiteral("AdminHttp"));
        QVERIFY(cut.context.principal.startsWith("operator:loopback"));
        // The previous value is kept; the new one carries the intent (a bare {"enabled": false} is a cut).
        QCOMPARE(cut.change.toArray().at(0)["value"]["enabled"].toBool(), true);
        QCOMPARE(cut.change.toArray().at(1)["value"]["enabled"].toBool(true), false);
        QCOMPARE(cut.change.toArray().at(1)["value"]["mode"].toString(), QStringLiteral("cut"));
        QCOMPARE(*on.versionAfter, 2 + seed);
        QVERIFY(on.context.principal.startsWith("operator:"));
        QCOMPARE(override.recordId, QStringLiteral("EntityOverrides:TrialSite"));
        QCOMPARE(override.change.toArray().at(1)["value"]["AllowMutations"].toBool(), false);
        QCOMPARE(runVerify(locationOf(*f.server, url)).exitCode, 0);
    }

    void killedMidBatchLosesNothingAcknowledged()
    {
        // kill -9 while eight clients post upsert-many batches: after a restart every acknowledged
        // batch is there, no batch is there in part, and the file and the trail are intact.
        QTemporaryDir dir;
        const QString db = dir.filePath("crash.sqlite");
        auto server = std::make_unique<KoanProcess>();
        QVERIFY(server->start({"--db", db, "--set", "StreamableJsonResponse=true"}));
        struct Writer {
            QTcpSocket socket;
            QByteArray sid, buffer;
            int next = 0;
            QList<int> acked;
        };
        std::vector<std::unique_ptr<Writer>> writers;
        constexpr int kBatch = 20;
        const auto batch = [](int w, int k) {
            QJsonArray models;
            for (int i = 0; i < kBatch; ++i)
                models.append(site(QStringLiteral("crash-%1-%2-%3").arg(w).arg(k).arg(i)));
            return rpc(k, "tools/call",
                       {{"name", "trial-site.upsert-many"}, {"arguments", QJsonObject{{"models", models}}}});
        };
        for (int w = 0; w < 8; ++w) {
            auto wr = std::make_unique<Writer>();
            HttpClient init(server->port);
            wr->sid = init.request("POST", "/mcp", streamableHeaders(), rpc(0, "initialize", initParams()))
                          .header("Mcp-Session-Id");
            QVERIFY(!wr->sid.isEmpty());
            Writer *p = wr.get();
            const auto send = [p, w, batch, port = server->port] {
                const QByteArray body = batch(w, p->next);
                QByteArray head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                                  + "\r\nContent-Type: application/json\r\n"
                                    "Accept: application/json, text/event-stream\r\nMcp-Session-Id: "
                                  + p->sid + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
                p->socket.write(head + body);
            };
            QObject::connect(&p->socket, &QTcpSocket::readyRead, &p->socket, [p, send] {
                p->buffer += p->socket.readAll();
                const qsizetype headEnd = p->buffer.indexOf("\r\n\r\n");
                if (headEnd < 0)
                    return;
                const qsizetype lenAt = p->buffer.indexOf("Content-Length: ");
                const qint64 len
                    = p->buffer.mid(lenAt + 16, p->buffer.indexOf("\r\n", lenAt) - lenAt - 16).toLongLong();
                if (p->buffer.size() < headEnd + 4 + len)
                    return;
                const QJsonObject answer = QJsonDocument::fromJson(p->buffer.mid(headEnd + 4, len)).object();
                p->buffer.remove(0, headEnd + 4 + len);
                if (answer["result"]["structuredContent"]["created"].toInt() == kBatch)
                    p->acked << p->next;
                ++p->next;
                send();
            });
            p->socket.connectToHost(QHostAddress::LocalHost, server->port);
            QVERIFY(p->socket.waitForConnected(3000));
            send();
            writers.push_back(std::move(wr));
        }
        QTest::qWait(1500);
        server->signal(SIGKILL);
        QVERIFY(server->waitExit());
        int acknowledged = 0;
        for (const auto &w : writers)
            acknowledged += w->acked.size();
        QVERIFY2(acknowledged >= 8, qPrintable(QString::number(acknowledged)));
        // Restart on the same file.
        server = std::make_unique<KoanProcess>();
        QVERIFY(server->start({"--db", db}));
        server.reset();
        RawSql sql(db);
        QSqlQuery q(sql.db);
        QVERIFY(q.exec("PRAGMA integrity_check") && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
        for (size_t w = 0; w < writers.size(); ++w)
            for (int k = 0; k <= writers[w]->next; ++k) {
                QVERIFY(
                    q.exec(
                        QStringLiteral("SELECT COUNT(*) FROM trial_site WHERE id LIKE 'crash-%1-%2-%'").arg(w).arg(k))
                    && q.next());
                const int present = q.value(0).toInt();
                QVERIFY2(present == 0 || present == kBatch,
                         qPrintable(QStringLiteral("batch %1/%2 is partial: %3").arg(w).arg(k).arg(present)));
                if (writers[w]->acked.contains(k))
                    QVERIFY2(present == kBatch,
                             qPrintable(QStringLiteral("acknowledged batch %1/%2 is missing").arg(w).arg(k)));
            }
        QCOMPARE(runVerify(db).exitCode, 0);
    }

    void historyToolShowsEveryVersion_data() { addBackendRows(); }
    void historyToolShowsEveryVersion()
    {
        KOAN_FETCH_BACKEND(url);
        BridgeHarness h(onBackend(url));
        auto s = h.session();
        QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", site("h-1")}})["isError"].toBool());
        for (int i = 1; i <= 3; ++i)
            QVERIFY(
                !h.tool(s, "trial-site.patch",
                        {{"id", "h-1"},
                         {"patch", QJsonArray{QJsonObject{{"op", "replace"},
                                                          {"path", "/name"},
                                                          {"value", QStringLiteral("v%1").arg(i + 1)}}}}})["isError"]
                     .toBool());
        const QJsonObject page1 = h.tool(s, "trial-site.history", {{"id", "h-1"}, {"pageSize", 3}});
        QVERIFY2(!page1["isError"].toBool(), qPrintable(page1["content"][0]["text"].toString()));
        QCOMPARE(page1["structuredContent"]["total"].toInt(), 4);
        const QJsonArray versions = page1["structuredContent"]["versions"].toArray();
        QCOMPARE(versions.size(), 3);
        QCOMPARE(versions[0]["operation"].toString(), QStringLiteral("create"));
        QCOMPARE(versions[0]["versionAfter"].toInt(), 1);
        QCOMPARE(versions[0]["principal"].toString(), QStringLiteral("stdio"));
        QCOMPARE(versions[2]["change"][0]["value"].toString(), QStringLiteral("v3"));
        const QJsonObject page2 = h.tool(s, "trial-site.history", {{"id", "h-1"}, {"pageSize", 3}, {"page", 2}});
        QCOMPARE(page2["structuredContent"]["versions"][0]["versionAfter"].toInt(), 4);
        QCOMPARE(h.tool(s, "trial-site.history", {{"id", "nobody"}})["isError"].toBool(), true);
    }

    // The W3C trace context of a tools/call (params._meta.traceparent) is kept in the audit row and
    // shown by {entity}.history; a malformed one is ignored: empty, never an error, never stored raw.
    void auditRowsCarryTheTraceId()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const HttpResponse init = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams()));
        QCOMPARE(init.status, 200);
        const QByteArray sid = init.header("Mcp-Session-Id");
        auto headers = streamableHeaders(sid);
        headers.append(qMakePair(QByteArray("MCP-Protocol-Version"), QByteArray("2025-06-18")));
        c.request("POST", "/mcp", headers, rpc(QJsonValue::Undefined, "notifications/initialized"));
        int nextId = 2;
        const auto call = [&](const QString &tool, const QJsonObject &args, const QJsonValue &traceparent) {
            QJsonObject params{{"name", tool}, {"arguments", args}};
            if (!traceparent.isUndefined())
                params.insert("_meta", QJsonObject{{"traceparent", traceparent}});
            return rpcAnswer(c.request("POST", "/mcp", headers, rpc(nextId++, "tools/call", params)))["result"]
                .toObject();
        };
        const QString traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const QString good = "00-" + traceId + "-00f067aa0ba902b7-01";
        QJsonObject created = call("trial-site.upsert", {{"model", site("tr-1")}}, good);
        QVERIFY2(!created["isError"].toBool(), qPrintable(created["content"][0]["text"].toString()));
        // Malformed or absent: each write is made (no error) and its row has no trace id.
        const QList<QJsonValue> malformed{
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
            "01-" + traceId + "-00f067aa0ba902b7-01",                  // unknown version
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
            "00-" + traceId + "-0000000000000000-01",                  // all-zero parent id
            "00-" + traceId + "-00f067aa0ba902b7-01-extra",            // trailing data
            "00-" + traceId.left(31) + "-00f067aa0ba902b7-01",         // short trace id
            "00-" + traceId + "-00f067aa0ba902b7-0g",                  // flags not hex
            "00_" + traceId + "_00f067aa0ba902b7_01",                  // separators
            "",
            42,
            QJsonObject{{"traceId", traceId}},
            QJsonValue::Undefined, // no _meta at all
        };
        for (qsizetype i = 0; i < malformed.size(); ++i) {
            const QJsonObject r
                = call("trial-site.patch",
                       {{"id", "tr-1"},
                        {"patch",
                         QJsonArray{QJsonObject{
                             {"op", "replace"}, {"path", "/location"}, {"value", QStringLiteral("Basel %1").arg(i)}}}}},
                       malformed.at(i));
            QVERIFY2(!r["isError"].toBool(), qPrintable(r["content"][0]["text"].toString()));
        }
        QString error;
        int total = 0;
        const QList<AuditRow> rows
            = f.server->store()->audit().recordHistory("TrialSite", "tr-1", 0, 100, &total, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(total, 1 + int(malformed.size()));
        QCOMPARE(rows[0].operation, QStringLiteral("create"));
        QCOMPARE(rows[0].context.transport, QStringLiteral("StreamableHttp"));
        QCOMPARE(rows[0].context.traceId, traceId);
        for (int i = 1; i < rows.size(); ++i)
            QVERIFY2(rows[i].context.traceId.isEmpty(), qPrintable(rows[i].context.traceId));
        // {entity}.history shows it too (this call's own traceparent does not matter to the answer).
        const QJsonObject history = call("trial-site.history", {{"id", "tr-1"}, {"pageSize", 50}}, good);
        QVERIFY2(!history["isError"].toBool(), qPrintable(history["content"][0]["text"].toString()));
        const QJsonArray versions = history["structuredContent"]["versions"].toArray();
        QCOMPARE(versions.size(), 1 + int(malformed.size()));
        QCOMPARE(versions[0]["traceId"].toString(), traceId);
        for (int i = 1; i < versions.size(); ++i)
            QCOMPARE(versions[i]["traceId"].toString(), QString());
        // The trail with trace ids still verifies.
        QCOMPARE(runVerify(f.server->store()->path()).exitCode, 0);
    }

    void tamperingIsDetectedAndNamed_data() { addBackendRows(); }
    void tamperingIsDetectedAndNamed()
    {
        KOAN_FETCH_BACKEND(url);
        const bool pg = !url.isEmpty();
        QTemporaryDir keep; // outlives the harness and its directory
        // SQLite: a copy of the file; PostgreSQL: a copy of the database (CREATE DATABASE ... TEMPLATE).
        const QString path = pg ? url : keep.filePath("copy.sqlite");
        const auto copyOf = [&](const QString &tag) {
            if (!pg) {
                const QString copy = path + "." + tag;
                QFile::remove(copy);
                return QFile::copy(path, copy) ? copy : QString();
            }
            QString why;
            PostgresServer *server = PostgresServer::shared(&why);
            const QString source = QUrl(url).path().mid(1), name = source + "_" + tag;
            return server->admin(QStringLiteral("CREATE DATABASE \"%1\" TEMPLATE \"%2\"").arg(name, source), &why)
                       ? server->url(name)
                       : QString();
        };
        {
            BridgeHarness h(onBackend(url));
            auto s = h.session();
            QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", site("t-1")}})["isError"].toBool());
            QVERIFY(!h.tool(s, "trial-site.patch",
                            {{"id", "t-1"},
                             {"patch", QJsonArray{QJsonObject{
                                           {"op", "replace"}, {"path", "/name"}, {"value", "Q"}}}}})["isError"]
                         .toBool());
            if (!pg)
                RawSql(h.server->store()->path()).exec("VACUUM INTO '" + path + "'");
        }
        QVERIFY(pg || QFile::exists(path));
        QCOMPARE(runVerify(path).exitCode, 0);
        // The database refuses edits and removals outright.
        {
            RawSql sql(path);
            QString error;
            QVERIFY(!sql.exec("UPDATE koan_audit SET principal = 'mallory' WHERE record_id = 't-1'", &error));
            QVERIFY(error.contains("append-only"));
            QVERIFY(!sql.exec("DELETE FROM koan_audit WHERE record_id = 't-1'", &error));
            QVERIFY(error.contains("append-only"));
            if (pg) {
                QVERIFY(!sql.exec("TRUNCATE koan_audit", &error));
                QVERIFY(error.contains("append-only"));
            }
        }
        const auto tampered = [&](const QStringList &sqlStatements, const QString &expect) {
            const QString copy = copyOf(QString::number(qHash(expect)));
            QVERIFY(!copy.isEmpty());
            {
                RawSql sql(copy);
                const QString on = pg ? QStringLiteral(" ON koan_audit") : QString();
                QVERIFY(sql.exec("DROP TRIGGER koan_audit_no_update" + on)
                        && sql.exec("DROP TRIGGER koan_audit_no_delete" + on));
                for (const QString &stmt : sqlStatements) {
                    QString error;
                    QVERIFY2(sql.exec(stmt, &error), qPrintable(error));
                }
            }
            const Verify v = runVerify(copy);
            QCOMPARE(v.exitCode, 1);
            QVERIFY2(v.out.contains(expect), qPrintable(v.out));
        };
        // An edited row: named by its seq.
        tampered({"UPDATE koan_audit SET principal = 'mallory' WHERE record_id = 't-1' AND operation = 'patch'"},
                 "was edited");
        // A removed row: its record's chain breaks, the sequence has a gap, the record's trail ends early.
        tampered({"DELETE FROM koan_audit WHERE record_id = 't-1' AND operation = 'patch'"}, "trail ends at 1");
        tampered({"DELETE FROM koan_audit WHERE seq = 2"}, "a row was removed");
        // Reordered rows: two rows swap their places in the sequence.
        tampered({"UPDATE koan_audit SET seq = -1 WHERE seq = 3", "UPDATE koan_audit SET seq = 3 WHERE seq = 4",
                  "UPDATE koan_audit SET seq = 4 WHERE seq = -1"},
                 "row seq 3");
        // A record edited behind the trail's back.
        tampered({"UPDATE trial_site SET version = 7 WHERE id = 't-1'"}, "'t-1' is at version 7");
    }

    void storeOfVersion010IsUpgraded()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("old.sqlite");
        QVERIFY(QFile::copy(QStringLiteral(KOAN_SOURCE_DIR "/tests/data/koan-mcp-0.1.0.sqlite"), path));
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
        McpServerOptions o;
        o.databasePath = path;
        BridgeHarness h(o);
        QVERIFY2(h.ok, qPrintable(h.startupErrors.join('\n')));
        auto s = h.session();
        const QJsonObject legacy
            = h.tool(s, "trial-site.get-by-id", {{"id", "site-legacy"}})["structuredContent"]["item"].toObject();
        QCOMPARE(legacy["name"].toString(), QStringLiteral("Legacy site"));
        QCOMPARE(legacy["version"].toInt(), 1);
        // The ProtocolDocument field that clashed with the record version moved to documentVersion.
        const QJsonObject doc
            = h.tool(s, "protocol-document.get-by-id", {{"id", "doc-protocol-v3"}})["structuredContent"]["item"]
                  .toObject();
        QCOMPARE(doc["documentVersion"].toString(), QStringLiteral("3.0"));
        QCOMPARE(doc["version"].toInt(), 1);
        // One migrated row per record, and the trail verifies.
        QString error;
        int migrated = 0;
        for (const AuditRow &r : h.server->store()->audit().since("2000-01-01T00:00:00.000000Z", &error)) {
            QCOMPARE(r.operation, QStringLiteral("migrated"));
            QCOMPARE(*r.versionAfter, 1);
            ++migrated;
        }
        const int records = h.tool(s, "trial-site.collection")["structuredContent"]["total"].toInt()
                            + h.tool(s, "protocol-document.collection")["structuredContent"]["total"].toInt()
                            + h.tool(s, "participant-visit.collection")["structuredContent"]["total"].toInt()
                            + h.tool(s, "adverse-event-report.collection")["structuredContent"]["total"].toInt()
                            + h.tool(s, "monitoring-note.collection")["structuredContent"]["total"].toInt();
        QCOMPARE(migrated, records);
        QVERIFY(records >= 12);
        // Backup scripts keep reading id and doc.
        RawSql sql(path);
        QSqlQuery q(sql.db);
        QVERIFY(q.exec("SELECT id, doc, version FROM trial_site WHERE id = 'site-legacy'") && q.next());
        QVERIFY(q.value(1).toString().contains("Legacy site"));
        QCOMPARE(runVerify(path).exitCode, 0);
    }

    // Replicas starting at once on one store: each schema version is applied exactly once (the
    // migration lock), and none of them fails.
    void replicasStartingTogetherMigrateOnce_data() { addBackendRows(); }
    void replicasStartingTogetherMigrateOnce()
    {
        KOAN_FETCH_BACKEND(url);
        QTemporaryDir dir;
        const QString location = url.isEmpty() ? dir.filePath("replicas.sqlite") : url;
        constexpr int kReplicas = 6;
        QMutex mutex;
        QStringList errors;
        std::atomic<int> waiting{kReplicas};
        std::vector<std::unique_ptr<QThread>> threads;
        for (int i = 0; i < kReplicas; ++i)
            threads.emplace_back(QThread::create([&] {
                --waiting;
                while (waiting > 0) // all start together
                    QThread::yieldCurrentThread();
                EntityStore store;
                QString error;
                const bool ok = (url.isEmpty() ? store.open(location, &error) : store.openUrl(location, &error))
                                && store.ensureTable("trial_site", "TrialSite", {}, {"name", "location"}, &error)
                                && store.schemaVersion() == EntityStore::latestSchemaVersion();
                if (!ok) {
                    QMutexLocker lock(&mutex);
                    errors << (error.isEmpty() ? QStringLiteral("wrong schema version") : error);
                }
            }));
        for (auto &t : threads)
            t->start();
        for (auto &t : threads)
            QVERIFY(t->wait(60000));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        RawSql sql(location);
        QSqlQuery q(sql.db);
        QVERIFY2(q.exec("SELECT COUNT(*), MIN(version), MAX(version) FROM koan_schema") && q.next(),
                 qPrintable(q.lastError().text()));
        QCOMPARE(q.value(0).toInt(), EntityStore::latestSchemaVersion());
        QCOMPARE(q.value(1).toInt(), 1);
        QCOMPARE(q.value(2).toInt(), EntityStore::latestSchemaVersion());
    }

    // /readyz names the backend and its state; with the database gone it answers 503 within a few
    // seconds and tool calls fail fast with a clear error; once it is back, both recover by themselves.
    void readinessFollowsTheDatabase_data() { addBackendRows(); }
    void readinessFollowsTheDatabase()
    {
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(onBackend(url));
        QVERIFY2(f.ok, qPrintable(f.problems));
        HttpClient c(f.port);
        const HttpResponse upResponse = c.request("GET", "/readyz");
        const QJsonObject up = upResponse.json();
        QCOMPARE(upResponse.status, 200);
        QCOMPARE(up["checks"]["store"].toBool(), true);
        QCOMPARE(up["store"]["backend"].toString(), url.isEmpty() ? QString("sqlite") : QString("postgres"));
        QCOMPARE(up["store"]["state"].toString(), QStringLiteral("up"));
        if (url.isEmpty())
            return;
        auto s = std::make_shared<McpSession>("db-down", TransportKind::Stdio, Principal::localOwner());
        send(f.server->bridge(), s, initializeRequest());
        send(f.server->bridge(), s, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
        int id = 10;
        const auto getSite = [&] {
            const Exchange ex
                = send(f.server->bridge(), s,
                       request(++id, "tools/call",
                               {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-boston"}}}}),
                       10000);
            return ex.done ? ex.reply.toObject()["result"].toObject() : QJsonObject{{"hang", true}};
        };
        QVERIFY(!getSite()["isError"].toBool());

        QString why;
        PostgresServer *pg = PostgresServer::shared(&why);
        QVERIFY(pg->stop());
        QElapsedTimer t;
        t.start();
        HttpResponse down;
        while (t.elapsed() < 5000 && (down = c.request("GET", "/readyz")).status != 503)
            QTest::qWait(100);
        QCOMPARE(down.status, 503);
        const QJsonObject downBody = down.json();
        QCOMPARE(downBody["checks"]["store"].toBool(true), false);
        QCOMPARE(downBody["store"]["backend"].toString(), QStringLiteral("postgres"));
        QCOMPARE(downBody["store"]["state"].toString(), QStringLiteral("unreachable"));
        t.restart();
        const QJsonObject failed = getSite();
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(failed["isError"].toBool(), true);
        const QString text = failed["content"][0]["text"].toString();
        QVERIFY2(text.contains("store_error") && text.contains("unreachable"), qPrintable(text));
        QVERIFY2(!text.contains(PostgresServer::kPassword), qPrintable(text));

        QVERIFY2(pg->restart(&why), qPrintable(why));
        t.restart();
        int status = 0;
        while (t.elapsed() < 15000 && (status = c.request("GET", "/readyz").status) != 200)
            QTest::qWait(200);
        QCOMPARE(status, 200);
        QVERIFY2(!getSite()["isError"].toBool(), qPrintable(getSite()["content"][0]["text"].toString()));
        // Restarted while the server sat idle: the next call reconnects by itself, it does not fail first.
        QVERIFY(pg->stop());
        QVERIFY2(pg->restart(&why), qPrintable(why));
        QTest::qWait(1100);
        const QJsonObject again = getSite();
        QVERIFY2(!again["isError"].toBool(), qPrintable(again["content"][0]["text"].toString()));
    }

    // The database password never shows: not in --print-config (from the command line or the
    // environment), not in the startup log, not in connection errors, not in audit verify.
    void storeCopyMovesSqliteToPostgres()
    {
        // koan-mcp store copy: every row of a SQLite store (records with versions, an idempotency
        // key, a setting change, the audit trail) lands in an empty PostgreSQL database, verified;
        // a server on the copy goes on from there (versions, kept retries, the chain).
        KOAN_FRESH_POSTGRES(url);
        QTemporaryDir dir;
        McpServerOptions o;
        o.databasePath = dir.filePath("single-node.sqlite");
        const QJsonObject idem{{"model", site("copy-2")}, {"idempotencyKey", "copy-key"}};
        QJsonObject kept;
        {
            BridgeHarness h(o);
            QVERIFY2(h.ok, qPrintable(h.startupErrors.join('\n')));
            auto s = h.session();
            QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", site("copy-1")}})["isError"].toBool());
            QJsonObject edited = site("copy-1");
            edited["name"] = "Edited before the move";
            QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", edited}, {"expectedVersion", 1}})["isError"].toBool());
            kept = h.tool(s, "trial-site.upsert", idem);
            QVERIFY(!kept["isError"].toBool());
            QString error;
            QVERIFY(h.server->store()->recordSetting("EnableHttpSseTransport", QJsonObject{{"enabled", true}},
                                                     QJsonObject{{"enabled", false}}, WriteContext::localOperator(),
                                                     &error));
        }
        const auto run = [](const QStringList &args, QString *out) {
            QProcess p;
            QTemporaryDir home;
            p.setProcessEnvironment(isolatedEnvironment(home.path()));
            p.start(KOAN_MCP_BINARY, args);
            p.waitForFinished(60000);
            *out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
            return p.exitCode();
        };
        QString out;
        const QStringList copy{"store", "copy", "--from", o.databasePath, "--to", url};
        QCOMPARE(run(copy, &out), 0);
        QVERIFY2(out.contains("verified"), qPrintable(out));
        QVERIFY2(!out.contains(PostgresServer::kPassword), qPrintable(out));

        // Row for row: the same tables, the same audit rows and hashes.
        RawSql from(o.databasePath), to(url);
        QVERIFY(from.db.isOpen() && to.db.isOpen());
        const auto rows = [](RawSql &sql, const QString &select) {
            QStringList out;
            QSqlQuery q(sql.db);
            if (!q.exec(select))
                return QStringList{q.lastError().text()};
            while (q.next()) {
                QStringList cols;
                for (int i = 0; i < q.record().count(); ++i)
                    cols << q.value(i).toString();
                out << cols.join('|');
            }
            return out;
        };
        for (const QString &select : {QStringLiteral("SELECT id, version, doc FROM trial_site ORDER BY id"),
                                      QStringLiteral("SELECT seq, entity, record_id, hash, prev_hash FROM koan_audit "
                                                     "ORDER BY seq"),
                                      QStringLiteral("SELECT principal, key, result FROM koan_idempotency"),
                                      QStringLiteral("SELECT key, value FROM koan_meta ORDER BY key")}) {
            const QStringList a = rows(from, select), b = rows(to, select);
            QVERIFY2(!a.isEmpty(), qPrintable(select));
            QCOMPARE(b, a);
        }
        QCOMPARE(runVerify(url).exitCode, 0);

        // Never into a database that holds data: nothing merged, the copy stays as it was.
        QCOMPARE(run(copy, &out), 2);
        QVERIFY2(out.contains("already holds data"), qPrintable(out.right(800)));
        QVERIFY2(!out.contains(PostgresServer::kPassword), qPrintable(out));

        // A server on the copy: versions go on, the kept retry answers, the chain still verifies.
        {
            BridgeHarness h(onBackend(url));
            QVERIFY2(h.ok, qPrintable(h.startupErrors.join('\n')));
            auto s = h.session();
            const QJsonObject now
                = h.tool(s, "trial-site.get-by-id", {{"id", "copy-1"}})["structuredContent"]["item"].toObject();
            QCOMPARE(now["version"].toInt(), 2);
            QCOMPARE(now["name"].toString(), QStringLiteral("Edited before the move"));
            QJsonObject again = now;
            again["location"] = "Moved to PostgreSQL";
            QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", again}, {"expectedVersion", 2}})["isError"].toBool());
            // The kept answer (same item, version and time), not a second write.
            QCOMPARE(h.tool(s, "trial-site.upsert", idem)["structuredContent"], kept["structuredContent"]);
        }
        QCOMPARE(runVerify(url).exitCode, 0);
    }

    void databasePasswordIsNeverShown()
    {
        KOAN_FRESH_POSTGRES_ON(pg, url);
        const QByteArray password = PostgresServer::kPassword;
        QTemporaryDir home;
        const auto run = [&](const QStringList &args, const QProcessEnvironment &env, int waitMs) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(KOAN_MCP_BINARY, args);
            p.waitForFinished(waitMs);
            if (p.state() != QProcess::NotRunning) {
                p.kill();
                p.waitForFinished(5000);
            }
            return p.readAllStandardOutput() + p.readAllStandardError();
        };
        const QProcessEnvironment env = isolatedEnvironment(home.path());
        const QByteArray printed = run({"--print-config", "--database-url", url}, env, 10000);
        QVERIFY2(printed.contains("\"DatabaseUrl\": \"postgresql://koan:***@127.0.0.1:"), printed.constData());
        QVERIFY2(!printed.contains(password), printed.constData());
        QProcessEnvironment viaEnv = env;
        viaEnv.insert("KOAN_MCP__DatabaseUrl", url);
        const QByteArray printedEnv = run({"--print-config"}, viaEnv, 10000);
        QVERIFY2(printedEnv.contains("postgresql://koan:***@"), printedEnv.constData());
        QVERIFY2(!printedEnv.contains(password), printedEnv.constData());
        // A real start on PostgreSQL: the log names the store without the password.
        const QByteArray log = run({"--headless", "--port", "0", "--database-url", url}, env, 4000);
        QVERIFY2(log.contains("store postgres postgresql://koan:***@"), log.constData());
        QVERIFY2(!log.contains(password), log.constData());
        // Connection refused (a closed port) and a wrong password: clear errors, still redacted.
        const QString closed = QString(url).replace(QStringLiteral(":%1/").arg(pg->port()), QStringLiteral(":1/"));
        const QByteArray refused = run({"--headless", "--port", "0", "--database-url", closed}, env, 15000);
        QVERIFY2(refused.contains("Koan:Mcp:DatabaseUrl") && refused.contains("postgresql://koan:***@127.0.0.1:1/"),
                 refused.constData());
        QVERIFY2(!refused.contains(password), refused.constData());
        const QString wrong = QString(url).replace(QString::fromLatin1(password), QStringLiteral("not-the-Pg-pass"));
        const QByteArray denied = run({"--headless", "--port", "0", "--database-url", wrong}, env, 15000);
        QVERIFY2(denied.contains("password authentication failed"), denied.constData());
        QVERIFY2(!denied.contains("not-the-Pg-pass") && !denied.contains(password), denied.constData());
        // audit verify on PostgreSQL.
        const Verify v = runVerify(url);
        QVERIFY2(v.exitCode == 0 && v.out.contains("postgresql://koan:***@"), qPrintable(v.out));
        QVERIFY2(!v.out.contains(QString::fromLatin1(password)), qPrintable(v.out));
    }

    // PostgreSQL: each committed write notifies koan_changes with ids only, delivered at commit;
    // a refused (rolled back) write notifies nothing.
    void committedWritesNotifyTheChangeChannel()
    {
        KOAN_FRESH_POSTGRES(url);
        BridgeHarness h(onBackend(url));
        QVERIFY2(h.ok, qPrintable(h.startupErrors.join('\n')));
        RawSql listener(url);
        QList<QJsonObject> received;
        QVERIFY(listener.db.driver()->subscribeToNotification(EntityStore::kChangeChannel));
        connect(listener.db.driver(), &QSqlDriver::notification, this,
                [&](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                    if (name == QLatin1String(EntityStore::kChangeChannel))
                        received << QJsonDocument::fromJson(payload.toString().toUtf8()).object();
                });
        auto s = h.session();
        QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", site("n-1")}})["isError"].toBool());
        QVERIFY(QTest::qWaitFor([&] { return !received.isEmpty(); }, 5000));
        // A created (or deleted) record says so: the resource list changed on every replica.
        QCOMPARE(received[0], (QJsonObject{{"entity", "TrialSite"}, {"ids", QJsonArray{"n-1"}}, {"listed", true}}));
        // Refused: version conflict, rolled back, nothing published.
        QCOMPARE(h.tool(s, "trial-site.upsert",
                        {{"model", site("n-1")}, {"expectedVersion", 7}})["structuredContent"]["error"]["code"]
                     .toString(),
                 QStringLiteral("version_conflict"));
        // A change to an existing record is not a list change.
        QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", site("n-1")}, {"expectedVersion", 1}})["isError"].toBool());
        QVERIFY(!h.tool(s, "trial-site.delete", {{"id", "n-1"}})["isError"].toBool());
        QVERIFY(QTest::qWaitFor([&] { return received.size() >= 3; }, 5000));
        QTest::qWait(200);
        QCOMPARE(received.size(), 3);
        QCOMPARE(received[1], (QJsonObject{{"entity", "TrialSite"}, {"ids", QJsonArray{"n-1"}}}));
        QCOMPARE(received[2], (QJsonObject{{"entity", "TrialSite"}, {"ids", QJsonArray{"n-1"}}, {"listed", true}}));
    }

    void lostConnectionErrorsNameTheirCause()
    {
        // The database drops a connection in use (a restart, pg_terminate_backend): the failing
        // call's error says why, the idempotency lookup's too - it said only "idempotency lookup: "
        // (the connection's last error, empty, instead of the query's; seen in cluster_nginx_pg_restart).
        KOAN_FRESH_POSTGRES(url);
        EntityStore store;
        QString why;
        QVERIFY2(store.openUrl(url, &why), qPrintable(why));
        RawSql admin(url);
        const QString others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
        store.meta("in-use"); // used just now: the next call runs without probing the connection first
        QVERIFY(admin.exec("SELECT pg_terminate_backend(pid) " + others));
        QVERIFY(QTest::qWaitFor(
            [&] {
                QSqlQuery q(admin.db);
                return q.exec("SELECT COUNT(*) " + others) && q.next() && q.value(0).toInt() == 0;
            },
            900));
        const EntityStore::Idempotency idem{"alice", "key-1", "args", {}};
        QJsonObject kept;
        QString error;
        QCOMPARE(store.findIdempotent(idem, &kept, &error), EntityStore::Replay::None);
        QVERIFY2(error.startsWith("idempotency lookup: ") && error.size() > 25, qPrintable(error));
        // The next call reconnects by itself.
        error.clear();
        QCOMPARE(store.findIdempotent(idem, &kept, &error), EntityStore::Replay::None);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void commitCutOffSaysTheOutcomeIsUnknown()
    {
        // The connection breaks while COMMIT runs (a restart, a failover): the server may have
        // applied it, so the error must not say "nothing was written" (a client would then write
        // again without its idempotency key). A deferred trigger ends the backend at commit time.
        KOAN_FRESH_POSTGRES(url);
        EntityStore store;
        QString error;
        QVERIFY2(store.openUrl(url, &error) && store.ensureTable("trial_site", "TrialSite", {}, {"name"}, &error),
                 qPrintable(error));
        RawSql admin(url);
        QVERIFY(
            admin.exec("CREATE FUNCTION cut_off() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$ BEGIN IF NEW.id = 'cut-off' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; "
                       "RETURN NULL; END $$"));
        QVERIFY(admin.exec("CREATE CONSTRAINT TRIGGER cut_off AFTER INSERT ON trial_site DEFERRABLE INITIALLY DEFERRED "
                           "FOR EACH ROW EXECUTE FUNCTION cut_off()"));
        const auto put = [&](const QString &id) {
            return store.write("trial_site", "TrialSite",
                               {{QJsonObject{{"id", id}, {"name", id}}, std::nullopt, "upsert"}},
                               EntityStore::ReplaceRule::Allowed, WriteContext::localOperator());
        };
        const EntityStore::Outcome cut = put("cut-off");
        QVERIFY(!cut.ok);
        QCOMPARE(cut.code, QStringLiteral("store_error"));
        QVERIFY2(cut.message.contains("may or may not have been applied") && !cut.message.contains("nothing was"),
                 qPrintable(cut.message));
        // The store reconnects by itself; a refused commit still says nothing was written.
        QVERIFY(admin.exec("CREATE OR REPLACE FUNCTION cut_off() RETURNS trigger LANGUAGE plpgsql AS "
                           "$$ BEGIN IF NEW.id = 'refused' THEN RAISE EXCEPTION 'refused at commit'; END IF; "
                           "RETURN NULL; END $$"));
        QTRY_VERIFY_WITH_TIMEOUT(put("after").ok, 5000);
        const EntityStore::Outcome refused = put("refused");
        QVERIFY(!refused.ok);
        QVERIFY2(refused.message.startsWith("commit failed, nothing was written")
                     && refused.message.contains("refused at commit"),
                 qPrintable(refused.message));
    }

    void tasksAndAuditReconnectAfterARestart()
    {
        // The database dropped the store's idle connection (a restart): the task and audit calls
        // reopen it as every other call does. They went straight to the dead connection, so a
        // replica whose worker only swept tasks logged "interrupted tasks not swept" every 2 s for
        // good, and the history tool failed until some other call happened to reconnect.
        KOAN_FRESH_POSTGRES(url);
        EntityStore store;
        QString error;
        QVERIFY2(store.openUrl(url, &error), qPrintable(error));
        RawSql admin(url);
        const QString others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
        const auto dropConnections = [&] {
            return admin.exec("SELECT pg_terminate_backend(pid) " + others) && QTest::qWaitFor([&] {
                       QSqlQuery q(admin.db);
                       return q.exec("SELECT COUNT(*) " + others) && q.next() && q.value(0).toInt() == 0;
                   });
        };
        QVERIFY(dropConnections());
        QTest::qWait(1100); // idle for longer than a second: the next call checks the connection first
        QStringList swept;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(store.tasks().sweepInterrupted(now, now, 60000, &swept, &error) >= 0, qPrintable(error));
        QVERIFY(dropConnections());
        QTest::qWait(1100);
        error.clear();
        QVERIFY2(store.audit().lastSeq(&error) >= 0 && error.isEmpty(), qPrintable(error));
    }

    void writesReusePreparedStatements()
    {
        // A write holds the store's write lock from its first statement to its commit. QPSQL sends
        // PREPARE, EXECUTE and DEALLOCATE for a query prepared for one use: the audit row, the
        // chain head and the change notification cost six extra round trips inside the lock (a
        // third of a write's statements; bench/README.md). Reused, they stay prepared in the session.
        KOAN_FRESH_POSTGRES(url);
        EntityStore store;
        QString error;
        QVERIFY2(store.openUrl(url, &error) && store.ensureTable("trial_site", "TrialSite", {}, {"name"}, &error),
                 qPrintable(error));
        const auto put = [&](const QString &id) {
            return store
                .write("trial_site", "TrialSite", {{QJsonObject{{"id", id}, {"name", id}}, std::nullopt, "upsert"}},
                       EntityStore::ReplaceRule::Allowed, WriteContext::localOperator())
                .ok;
        };
        const auto prepared = [&](const QString &like) {
            QSqlQuery q(store.connection()); // pg_prepared_statements: this session's
            q.prepare("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE ?");
            q.addBindValue(like);
            return q.exec() && q.next() ? q.value(0).toInt() : -1;
        };
        for (int i = 0; i < 3; ++i)
            QVERIFY(put(QStringLiteral("p-%1").arg(i)));
        QCOMPARE(prepared("%INSERT INTO koan_audit%"), 1);
        QCOMPARE(prepared("%SELECT hash FROM koan_audit%"), 1);
        QCOMPARE(prepared("%pg_notify%"), 1);
        QCOMPARE(prepared("%INSERT INTO \"trial_site\"%"), 1);
        // A reconnect drops them with the session; the next writes prepare them again and the chain holds.
        RawSql admin(url);
        QVERIFY(admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid()"));
        QTest::qWait(1100);      // idle for longer than a second: the next call checks the connection first
        QVERIFY(put("after-1")); // it reconnects by itself
        QVERIFY(put("after-2"));
        QCOMPARE(prepared("%INSERT INTO koan_audit%"), 1);
        QCOMPARE(store.audit().lastSeq(&error), 5); // gap-free: no row lost or doubled by the reconnect
        qint64 checked = 0;
        QHash<QString, QHash<QString, qint64>> versions;
        for (const QString id : {"p-0", "p-1", "p-2", "after-1", "after-2"})
            versions["TrialSite"][id] = 1;
        QCOMPARE(store.audit().verify(versions, &checked), QStringList());
        QCOMPARE(checked, 5);
    }

    void seedingNeverOverwrites()
    {
        QTemporaryDir dir;
        McpServerOptions o;
        o.databasePath = dir.filePath("seed.sqlite");
        o.seedSampleData = false;
        {
            BridgeHarness h(o);
            auto s = h.session();
            QJsonObject mine = site("site-boston"); // a sample id, but the user's own record
            mine["name"] = "Mine";
            QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", mine}})["isError"].toBool());
        }
        o.seedSampleData = true;
        BridgeHarness h(o);
        QVERIFY2(h.ok, qPrintable(h.startupErrors.join('\n')));
        auto s = h.session();
        const QJsonObject boston
            = h.tool(s, "trial-site.get-by-id", {{"id", "site-boston"}})["structuredContent"]["item"].toObject();
        QCOMPARE(boston["name"].toString(), QStringLiteral("Mine"));
        QCOMPARE(boston["version"].toInt(), 1);
        QVERIFY(!h.tool(s, "trial-site.get-by-id", {{"id", "site-osaka"}})["isError"].toBool()); // the rest was seeded
    }
};

QTEST_MAIN(TestStoreIntegrity)
#include "tst_store_integrity.moc"
