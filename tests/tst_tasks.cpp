// Tasks (the tasks extension, SEP-2663) end to end over loopback HTTP against the real server, on
// both stores (SQLite file, PostgreSQL cluster): the batch tools as tasks, cancellation between
// chunks (what was committed is audited, nothing after the cancel), a client's disconnect, the
// running limits, result expiry, ownership by principal, and a restart (running -> interrupted).
#include "fixtures/FixturePacks.h"
#include "store/EntityStore.h"
#include "tasks/TaskManager.h"
#include "support/AuthKit.h"
#include "support/HttpClient.h"
#include "support/KoanProcess.h"
#include "support/ModernRpc.h"
#include "support/PostgresServer.h"
#include "support/ServerFixture.h"

#include <QJsonArray>
#include <QMutex>
#include <QRegularExpression>
#include <QThread>
#include <QUuid>
#include <atomic>

using namespace koan;
using namespace koan::test;

namespace {
const QByteArray kIss = "https://issuer.test";
const QString kTasks = QStringLiteral("io.modelcontextprotocol/tasks");

// One 2026-07-28 caller: every request carries its _meta and mirrored headers, and (unless told
// otherwise) declares the tasks extension.
struct Caller {
    quint16 port;
    QByteArray token;
    bool declaresTasks = true;
    bool declaresElicitation = false;

    const QJsonObject request(const QString &method, QJsonObject params, const QString &name = {}) const
    {
        QJsonObject capabilities;
        if (declaresTasks)
            capabilities.insert("extensions", QJsonObject{{kTasks, QJsonObject{}}});
        if (declaresElicitation)
            capabilities.insert("elicitation", QJsonObject{});
        params.insert("_meta", QJsonObject{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                           {"io.modelcontextprotocol/clientCapabilities", capabilities}});
        auto headers = streamableHeaders({}, token);
        headers.append(qMakePair(QByteArray("MCP-Protocol-Version"), QByteArray("2026-07-28")));
        headers.append(qMakePair(QByteArray("Mcp-Method"), method.toUtf8()));
        if (!name.isEmpty())
            headers.append(qMakePair(QByteArray("Mcp-Name"), name.toUtf8()));
        HttpClient c(port);
        return rpcAnswer(c.request("POST", "/mcp", headers, rpc(1, method, params)));
    }
    const QJsonObject tool(const QString &name, const QJsonObject &arguments) const
    {
        return request("tools/call", {{"name", name}, {"arguments", arguments}}, name);
    }
    const QJsonObject task(const QString &method, const QString &taskId, QJsonObject params = {}) const
    {
        params.insert("taskId", taskId);
        return request(method, params, taskId);
    }
    // tasks/get until the status is terminal (or `until`); the last answer.
    const QJsonObject waitFor(const QString &taskId, const QStringList &until = {"completed", "failed", "cancelled"},
                              int timeoutMs = 20000) const
    {
        QJsonObject last;
        QTest::qWaitFor(
            [&] {
                last = task("tasks/get", taskId);
                const QJsonObject &answer = last;
                return until.contains(answer["result"]["status"].toString()) || answer.contains("error");
            },
            timeoutMs);
        return last;
    }
};

int countWithPrefix(EntityStore *store, const QString &prefix)
{
    EntityStore::Query q;
    q.pageSize = 2000;
    QString error;
    int n = 0;
    for (;; ++q.page) { // every page: the sample data and several batches exceed one
        const auto page = store->collection("trial_site", q, &error);
        if (!page || page->items.isEmpty())
            return n;
        for (const QJsonObject &doc : page->items)
            n += doc["id"].toString().startsWith(prefix) ? 1 : 0;
        if (q.page * q.pageSize >= page->total)
            return n;
    }
}
// The operator's task list as the console and the admin API read it (on the store worker).
QList<TaskRecord> operatorList(McpServer *server, int limit = 10)
{
    struct Answer {
        QList<TaskRecord> tasks;
        bool done = false;
    };
    auto answer = std::make_shared<Answer>();
    server->tasks()->listForOperator(
        limit,
        [answer](const QList<TaskRecord> &tasks) {
            answer->tasks = tasks;
            answer->done = true;
        },
        [answer](const TaskManager::StoreProblem &p) {
            qWarning().noquote() << "no task list:" << p.message;
            answer->done = true;
        });
    (void)QTest::qWaitFor([answer] { return answer->done; }, 15000);
    return answer->tasks;
}
void installConformance(McpServer &s)
{
    fixtures::install(QStringLiteral("conformance"), s.bridge(), &s);
}
} // namespace

class TestTasks : public QObject
{
    Q_OBJECT
    JwksFile m_jwks;

    McpServerOptions options(const QString &url, bool auth = false) const
    {
        McpServerOptions o;
        o.databaseUrl = url;
        if (auth) {
            o.requireAuthentication = true;
            o.auth.jwksFile = m_jwks.path;
            o.auth.issuers = {QString::fromLatin1(kIss)};
            o.auth.scopeClaims << QStringLiteral("roles");
        }
        return o;
    }
    QByteArray tokenFor(const ServerFixture &f, const QString &sub) const
    {
        return token(m_jwks.key,
                     claims(sub, "clinical:operations", f.server->baseUrl() + "/mcp", QString::fromLatin1(kIss), 600));
    }

private slots:
    void initTestCase() { QVERIFY(m_jwks.create()); }

    void batchRunsAsTask_data() { addBackendRows(); }
    void batchRunsAsTask()
    {
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(options(url));
        QVERIFY2(f.ok, qPrintable(f.problems));
        const Caller c{f.port, {}};
        const QJsonObject discover = c.request("server/discover", {});
        QVERIFY(discover["result"]["capabilities"]["extensions"].toObject().contains(kTasks));

        const QJsonObject created = c.tool("trial-site.upsert-many", {{"models", trialSites(250, "batch")}});
        const QJsonObject task = created["result"].toObject();
        QCOMPARE(task["resultType"].toString(), QStringLiteral("task"));
        QCOMPARE(task["status"].toString(), QStringLiteral("working"));
        const QString id = task["taskId"].toString();
        QVERIFY2(id.size() >= 32, qPrintable(id)); // 192 random bits, base64url
        QVERIFY(!task.contains("result"));
        const QJsonObject done = c.waitFor(id)["result"].toObject();
        QCOMPARE(done["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(done["status"].toString(), QStringLiteral("completed"));
        QCOMPARE(done["result"]["structuredContent"]["created"].toInt(), 250);
        QVERIFY(done["ttlMs"].toInteger() > 0);
        QCOMPARE(countWithPrefix(f.server->store(), "batch-"), 250);

        // The export tool as a task: JSON Lines of every record.
        const QString exportId = c.tool("trial-site.export", {})["result"]["taskId"].toString();
        QVERIFY(!exportId.isEmpty());
        const QJsonObject exported = c.waitFor(exportId)["result"]["result"].toObject();
        const int total = exported["structuredContent"]["count"].toInt();
        QVERIFY(total >= 250);
        const QString lines = exported["content"][1]["resource"]["text"].toString();
        QCOMPARE(lines.count('\n'), total);
        QCOMPARE(exported["content"][1]["resource"]["mimeType"].toString(), QStringLiteral("application/jsonl"));

        // Without the extension the same tool answers synchronously, one transaction.
        Caller plain = c;
        plain.declaresTasks = false;
        const QJsonObject sync = plain.tool("trial-site.upsert-many", {{"models", trialSites(3, "sync")}});
        QCOMPARE(sync["result"]["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(sync["result"]["structuredContent"]["created"].toInt(), 3);
        QCOMPARE(plain.task("tasks/get", id)["error"]["code"].toInt(), -32021);
    }

    void cancelKeepsCommittedChunksAudited_data() { addBackendRows(); }
    void cancelKeepsCommittedChunksAudited()
    {
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(options(url));
        QVERIFY2(f.ok, qPrintable(f.problems));
        const Caller c{f.port, {}};
        const QString id
            = c.tool("trial-site.upsert-many", {{"models", trialSites(1000, "cancel")}})["result"]["taskId"].toString();
        QVERIFY(!id.isEmpty());
        const QJsonObject ack = c.task("tasks/cancel", id);
        QCOMPARE(ack["result"].toObject(), QJsonObject({{"resultType", "complete"}}));
        const QJsonObject cancelled = c.waitFor(id)["result"].toObject();
        QCOMPARE(cancelled["status"].toString(), QStringLiteral("cancelled"));
        QVERIFY(!cancelled.contains("result"));
        // The tool's last word (what it had committed) reaches the status message.
        QTRY_VERIFY(c.task("tasks/get", id)["result"]["statusMessage"].toString().contains("cancelled after"));
        const QString message = c.task("tasks/get", id)["result"]["statusMessage"].toString();
        const int written = countWithPrefix(f.server->store(), "cancel-");
        QVERIFY2(written < 1000 && written % 100 == 0, qPrintable(QString::number(written)));
        QVERIFY2(message.contains(QStringLiteral("cancelled after %1 of 1000").arg(written)), qPrintable(message));
        if (written > 0) {
            // Committed chunks are in the audit trail under the call's operationId, one row a record.
            const QRegularExpression op(QStringLiteral("operationId ([0-9a-f-]{36})"));
            const QString operationId = op.match(message).captured(1);
            QVERIFY2(!operationId.isEmpty(), qPrintable(message));
            QString error;
            int audited = 0;
            for (const AuditRow &row : f.server->store()->audit().since(QStringLiteral(""), &error))
                audited += row.context.operationId == operationId ? 1 : 0;
            QCOMPARE(audited, written);
        }
        QTest::qWait(300); // nothing is written after the cancel
        QCOMPARE(countWithPrefix(f.server->store(), "cancel-"), written);
        // Cancelling a finished task is the same empty ack.
        QCOMPARE(c.task("tasks/cancel", id)["result"].toObject(), QJsonObject({{"resultType", "complete"}}));
    }

    void exportIsASnapshot_data() { addBackendRows(); }
    void exportIsASnapshot()
    {
        // Writes while an export runs (the server runs in this thread: they land between its
        // chunks): a delete before the export's position and after it, an update, inserts on either
        // side. The export is the table as it was at its start: each record once, as it was then.
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(options(url));
        QVERIFY2(f.ok, qPrintable(f.problems));
        Caller c{f.port, {}};
        Caller plain = c;
        plain.declaresTasks = false;
        for (const QString &part : {QStringLiteral("snap-a"), QStringLiteral("snap-b")})
            QCOMPARE(plain
                         .tool("trial-site.upsert-many",
                               {{"models", trialSites(1000, part)}})["result"]["structuredContent"]["created"]
                         .toInt(),
                     1000);
        EntityStore *store = f.server->store();
        QHash<QString, QJsonObject> atStart;
        {
            EntityStore::Query q;
            q.pageSize = 5000;
            QString error;
            const auto page = store->collection("trial_site", q, &error);
            QVERIFY2(page, qPrintable(error));
            for (const QJsonObject &doc : page->items)
                atStart.insert(doc["id"].toString(), doc);
        }
        QVERIFY(atStart.size() >= 2000);

        const QString id = c.tool("trial-site.export", {})["result"]["taskId"].toString();
        QVERIFY(!id.isEmpty());
        // Its snapshot opens with its first chunk, on a store worker connection, after the answer:
        // the writes come once that chunk is back.
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const TaskRecord &t : operatorList(f.server.get()))
                    if (t.id == id && t.progress > 0)
                        return true;
                return false;
            },
            5000));
        // Still running (20 chunks; only a few ran meanwhile): the writes fall inside it.
        bool running = false;
        for (const TaskRecord &t : operatorList(f.server.get()))
            running = running || (t.id == id && t.status == QLatin1String("working"));
        QVERIFY(running);
        WriteContext who;
        who.principal = QStringLiteral("test:writer");
        who.transport = QStringLiteral("system");
        QVERIFY(store->remove("trial_site", "TrialSite", {"snap-a-0001", "snap-b-0900"}, {}, who).ok);
        QJsonObject changed = atStart.value("snap-b-0500");
        changed["name"] = "Renamed during the export";
        QVERIFY(store
                    ->write("trial_site", "TrialSite", {{changed, std::nullopt, "upsert"}},
                            EntityStore::ReplaceRule::Allowed, who)
                    .ok);
        QJsonObject early = atStart.value("snap-a-0002"), late = early;
        early["id"] = "snap-a-0000x"; // sorts before the export's position
        late["id"] = "snap-b-9999";   // and after it
        QVERIFY(store
                    ->write("trial_site", "TrialSite",
                            {{early, std::nullopt, "upsert"}, {late, std::nullopt, "upsert"}},
                            EntityStore::ReplaceRule::Allowed, who)
                    .ok);

        const QJsonObject exported = c.waitFor(id)["result"]["result"].toObject();
        QCOMPARE(exported["structuredContent"]["count"].toInt(), atStart.size());
        QHash<QString, int> seen;
        for (const QString &line :
             exported["content"][1]["resource"]["text"].toString().split('\n', Qt::SkipEmptyParts)) {
            const QJsonObject doc = QJsonDocument::fromJson(line.toUtf8()).object();
            const QString rid = doc["id"].toString();
            QVERIFY2(atStart.contains(rid), qPrintable(rid)); // nothing written after the start
            QCOMPARE(doc, atStart.value(rid));                // as it was then (deleted and renamed ones too)
            ++seen[rid];
        }
        QCOMPARE(seen.size(), atStart.size()); // every record present at the start...
        for (auto it = seen.cbegin(); it != seen.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(it.key())); // ...exactly once
    }

    void auditExportIsASnapshot_data() { addBackendRows(); }
    void auditExportIsASnapshot()
    {
        // The same for audit.export: the rows there were when it started, each once; none written after.
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(options(url));
        QVERIFY2(f.ok, qPrintable(f.problems));
        Caller c{f.port, {}};
        Caller plain = c;
        plain.declaresTasks = false;
        for (int i = 0; i < 5; ++i)
            QVERIFY(
                plain.tool("trial-site.upsert-many", {{"models", trialSites(1000, QStringLiteral("audit%1").arg(i))}})
                    .contains("result"));
        QString error;
        QSet<qint64> atStart;
        for (const AuditRow &row : f.server->store()->audit().since(QStringLiteral(""), &error))
            atStart.insert(row.seq);
        QVERIFY(atStart.size() >= 5000);

        const QString id = c.tool("audit.export", {})["result"]["taskId"].toString();
        QVERIFY(!id.isEmpty());
        bool running = false;
        for (const TaskRecord &t : operatorList(f.server.get()))
            running = running || (t.id == id && t.status == QLatin1String("working"));
        QVERIFY(running); // 10+ chunks of 500 rows: the write below falls inside it
        WriteContext who;
        who.principal = QStringLiteral("test:writer");
        who.transport = QStringLiteral("system");
        QList<EntityStore::WriteItem> more;
        for (const QJsonValue &v : trialSites(50, "audit-late"))
            more.append({v.toObject(), std::nullopt, QStringLiteral("upsert")});
        QVERIFY(f.server->store()->write("trial_site", "TrialSite", more, EntityStore::ReplaceRule::Allowed, who).ok);

        const QJsonObject exported = c.waitFor(id)["result"]["result"].toObject();
        QCOMPARE(exported["structuredContent"]["count"].toInt(), atStart.size());
        QSet<qint64> seen;
        for (const QString &line :
             exported["content"][1]["resource"]["text"].toString().split('\n', Qt::SkipEmptyParts)) {
            const qint64 seq = QJsonDocument::fromJson(line.toUtf8()).object()["seq"].toInteger();
            QVERIFY2(atStart.contains(seq), qPrintable(line.left(200)));
            QVERIFY2(!seen.contains(seq), qPrintable(QString::number(seq)));
            seen.insert(seq);
        }
        QCOMPARE(seen, atStart);
    }

    void retriedTaskWithIdempotencyKeyAppliesOnce_data() { addBackendRows(); }
    void retriedTaskWithIdempotencyKeyAppliesOnce()
    {
        // A chunked batch task with an idempotencyKey, retried with the same key after it finished:
        // the kept answer, nothing written again (no new versions, no new audit rows).
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(options(url));
        QVERIFY2(f.ok, qPrintable(f.problems));
        const Caller c{f.port, {}};
        const QJsonObject args{{"models", trialSites(300, "idem")}, {"idempotencyKey", "batch-7"}};
        const QString first = c.tool("trial-site.upsert-many", args)["result"]["taskId"].toString();
        QVERIFY(!first.isEmpty());
        const QJsonObject done = c.waitFor(first)["result"].toObject();
        QCOMPARE(done["status"].toString(), QStringLiteral("completed"));
        QCOMPARE(done["result"]["structuredContent"]["created"].toInt(), 300);
        QString error;
        const int auditRows = int(f.server->store()->audit().since(QStringLiteral(""), &error).size());

        const QString retry = c.tool("trial-site.upsert-many", args)["result"]["taskId"].toString();
        QVERIFY(!retry.isEmpty() && retry != first);
        const QJsonObject again = c.waitFor(retry)["result"].toObject();
        QCOMPARE(again["status"].toString(), QStringLiteral("completed"));
        QCOMPARE(again["result"]["structuredContent"].toObject(), done["result"]["structuredContent"].toObject());
        QCOMPARE(int(f.server->store()->audit().since(QStringLiteral(""), &error).size()), auditRows);
        QCOMPARE(countWithPrefix(f.server->store(), "idem-"), 300);
        const auto record = f.server->store()->get("trial_site", "idem-0007", &error);
        QVERIFY(record);
        QCOMPARE(record->value("version").toInteger(), 1); // written once
        // The same key with other models is refused, as without tasks.
        const QString other = c.tool("trial-site.upsert-many", {{"models", trialSites(2, "other")},
                                                                {"idempotencyKey", "batch-7"}})["result"]["taskId"]
                                  .toString();
        const QJsonObject refused = c.waitFor(other)["result"].toObject();
        QCOMPARE(refused["status"].toString(), QStringLiteral("completed"));
        QVERIFY(refused["result"]["isError"].toBool());
        QVERIFY2(QJsonDocument(refused["result"].toObject()).toJson().contains("idempotency_key_reused"),
                 QJsonDocument(refused["result"].toObject()).toJson().constData());
        QCOMPARE(countWithPrefix(f.server->store(), "other-"), 0);

        // A retry while the first still runs (its key's answer is kept only with its last chunk) is
        // refused, and the first applies once.
        const QJsonObject big{{"models", trialSites(1000, "idem-big")}, {"idempotencyKey", "batch-8"}};
        const QString running = c.tool("trial-site.upsert-many", big)["result"]["taskId"].toString();
        const QString early = c.tool("trial-site.upsert-many", big)["result"]["taskId"].toString();
        const QJsonObject busy = c.waitFor(early)["result"].toObject();
        QVERIFY(busy["result"]["isError"].toBool());
        QVERIFY2(QJsonDocument(busy["result"].toObject()).toJson().contains("idempotency_key_in_use"),
                 QJsonDocument(busy["result"].toObject()).toJson().constData());
        QCOMPARE(c.waitFor(running)["result"]["result"]["structuredContent"]["created"].toInt(), 1000);
        QCOMPARE(f.server->store()->get("trial_site", "idem-big-0999", &error)->value("version").toInteger(), 1);
    }

    void survivesDisconnect_data() { addBackendRows(); }
    void survivesDisconnect()
    {
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(options(url), installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        // The creating request's connection is gone right after the answer (Caller opens one per
        // request); the task keeps running and its result is there for a later poll.
        const Caller c{f.port, {}};
        const QString id = c.tool("slow_compute", {{"seconds", 0.5}, {"label", "gone"}})["result"]["taskId"].toString();
        QVERIFY(!id.isEmpty());
        const QJsonObject done = c.waitFor(id)["result"].toObject();
        QCOMPARE(done["status"].toString(), QStringLiteral("completed"));
        QCOMPARE(done["result"]["content"][0]["text"].toString(), QStringLiteral("slow_compute gone done"));
    }

    void limitsPerPrincipalAndTotal_data() { addBackendRows(); }
    void limitsPerPrincipalAndTotal()
    {
        KOAN_FETCH_BACKEND(url);
        McpServerOptions o = options(url, true);
        o.tasks.maxRunningPerPrincipal = 2;
        o.tasks.maxRunning = 3;
        ServerFixture f(o, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const Caller alice{f.port, tokenFor(f, "alice")}, bob{f.port, tokenFor(f, "bob")};
        const auto slow = [](const Caller &c) -> const QJsonObject {
            return c.tool("slow_compute", {{"seconds", 30}});
        };
        QStringList started;
        for (int i = 0; i < 2; ++i)
            started << slow(alice)["result"]["taskId"].toString();
        const QJsonObject third = slow(alice);
        QCOMPARE(third["error"]["code"].toInt(), -32000);
        QCOMPARE(third["error"]["data"]["scope"].toString(), QStringLiteral("principal"));
        QVERIFY(third["error"]["message"].toString().contains("MaxRunningPerPrincipal"));
        started << slow(bob)["result"]["taskId"].toString();
        const QJsonObject overall = slow(bob);
        QCOMPARE(overall["error"]["code"].toInt(), -32000);
        QCOMPARE(overall["error"]["data"]["scope"].toString(), QStringLiteral("server"));
        // A finished (here: cancelled) task frees its place.
        QCOMPARE(alice.task("tasks/cancel", started[0])["result"]["resultType"].toString(), QStringLiteral("complete"));
        // (until the tool notices the cancel, within 100 ms, the place is still taken)
        QJsonObject again;
        QVERIFY(QTest::qWaitFor(
            [&] {
                again = slow(bob);
                return !again.contains("error");
            },
            5000));
        QCOMPARE(again.value("result")["resultType"].toString(), QStringLiteral("task"));
    }

    void resultsExpire_data() { addBackendRows(); }
    void resultsExpire()
    {
        KOAN_FETCH_BACKEND(url);
        McpServerOptions o = options(url);
        o.tasks.resultTtlSeconds = 1;
        ServerFixture f(o, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const Caller c{f.port, {}};
        const QString id = c.tool("slow_compute", {{"seconds", 0}})["result"]["taskId"].toString();
        const QJsonObject done = c.waitFor(id)["result"].toObject();
        QCOMPARE(done["status"].toString(), QStringLiteral("completed"));
        QVERIFY(done["ttlMs"].toInteger() >= 1000);
        QTest::qWait(1200);
        const QJsonObject gone = c.task("tasks/get", id);
        QCOMPARE(gone["error"]["code"].toInt(), -32602);
        QVERIFY2(gone["error"]["message"].toString().contains("expired"),
                 qPrintable(gone["error"]["message"].toString()));
    }

    void boundToPrincipal_data() { addBackendRows(); }
    void boundToPrincipal()
    {
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(options(url, true), installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const Caller alice{f.port, tokenFor(f, "alice")}, bob{f.port, tokenFor(f, "bob")};
        const QString id = alice.tool("confirm_delete", {{"filename", "a.txt"}})["result"]["taskId"].toString();
        QVERIFY(!id.isEmpty());
        const QJsonObject parked = alice.waitFor(id, {"input_required"})["result"].toObject();
        QCOMPARE(parked["status"].toString(), QStringLiteral("input_required"));
        const QString key = parked["inputRequests"].toObject().keys().value(0);
        // Another principal cannot see, cancel or answer it: exactly like an id nobody issued.
        const QJsonObject unknown = bob.task("tasks/get", "no-such-task");
        for (const QJsonObject &answer :
             {bob.task("tasks/get", id), bob.task("tasks/cancel", id),
              bob.task("tasks/update", id,
                       {{"inputResponses", QJsonObject{{key, QJsonObject{{"action", "accept"}}}}}})}) {
            QCOMPARE(answer["error"]["code"].toInt(), -32602);
            QCOMPARE(answer["error"]["message"].toString(), unknown["error"]["message"].toString());
        }
        QCOMPARE(alice.task("tasks/get", id)["result"]["status"].toString(), QStringLiteral("input_required"));
        alice.task("tasks/update", id, {{"inputResponses", QJsonObject{{key, QJsonObject{{"action", "accept"}}}}}});
        const QJsonObject done = alice.waitFor(id)["result"].toObject();
        QCOMPARE(done["status"].toString(), QStringLiteral("completed"));
        QCOMPARE(done["result"]["content"][0]["text"].toString(), QStringLiteral("Deleted a.txt"));
    }

    void inputRoundsThenTask_data() { addBackendRows(); }
    void inputRoundsThenTask()
    {
        // SEP-2322 rounds first, then the tool becomes a task (SEP-2663's composition): one input
        // mechanism (the call's InputAsk) for both, the gathered answer reaching the task's result.
        KOAN_FETCH_BACKEND(url);
        ServerFixture f(options(url), installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        Caller c{f.port, {}};
        c.declaresElicitation = true;
        const QJsonObject round1 = c.tool("test_tool_with_task", {})["result"].toObject();
        QCOMPARE(round1["resultType"].toString(), QStringLiteral("input_required"));
        QVERIFY(!round1.contains("taskId"));
        QVERIFY(round1["inputRequests"].toObject().contains("user_name"));
        const QString state = round1["requestState"].toString();
        QVERIFY(!state.isEmpty());
        const QJsonObject round2
            = c.request("tools/call",
                        {{"name", "test_tool_with_task"},
                         {"arguments", QJsonObject{}},
                         {"inputResponses",
                          QJsonObject{{"user_name", QJsonObject{{"action", "accept"},
                                                                {"content", QJsonObject{{"name", "Alice"}}}}}}},
                         {"requestState", state}},
                        "test_tool_with_task")["result"]
                  .toObject();
        QCOMPARE(round2["resultType"].toString(), QStringLiteral("task"));
        QVERIFY(!round2.contains("requestState"));
        QVERIFY(!round2.contains("inputRequests"));
        const QString id = round2["taskId"].toString();
        QVERIFY(!id.isEmpty());
        const QJsonObject done = c.waitFor(id)["result"].toObject();
        QCOMPARE(done["status"].toString(), QStringLiteral("completed"));
        QVERIFY2(done["result"]["content"][0]["text"].toString().contains("Alice"),
                 qPrintable(done["result"]["content"][0]["text"].toString()));
        // A task-only tool without the extension declared: -32021, before anything is asked.
        Caller plain = c;
        plain.declaresTasks = false;
        QCOMPARE(plain.tool("test_tool_with_task", {})["error"]["code"].toInt(), -32021);
    }

    void restartReportsInterrupted_data() { addBackendRows(); }
    void restartReportsInterrupted()
    {
        KOAN_FETCH_BACKEND(url);
        QTemporaryDir dir;
        McpServerOptions o = options(url);
        o.databasePath = dir.filePath("tasks.sqlite");
        QString finished, running;
        {
            ServerFixture f(o, installConformance);
            QVERIFY2(f.ok, qPrintable(f.problems));
            const Caller c{f.port, {}};
            finished = c.tool("slow_compute", {{"seconds", 0}, {"label", "kept"}})["result"]["taskId"].toString();
            QCOMPARE(c.waitFor(finished)["result"]["status"].toString(), QStringLiteral("completed"));
            running = c.tool("slow_compute", {{"seconds", 60}})["result"]["taskId"].toString();
            QVERIFY(!running.isEmpty());
        } // the server stops with the task running
        ServerFixture f(o, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const Caller c{f.port, {}};
        const QJsonObject kept = c.task("tasks/get", finished)["result"].toObject();
        QCOMPARE(kept["status"].toString(), QStringLiteral("completed"));
        QCOMPARE(kept["result"]["content"][0]["text"].toString(), QStringLiteral("slow_compute kept done"));
        const QJsonObject interrupted = c.task("tasks/get", running)["result"].toObject();
        QCOMPARE(interrupted["status"].toString(), QStringLiteral("failed"));
        QCOMPARE(interrupted["statusMessage"].toString(), QStringLiteral("interrupted"));
        QCOMPARE(interrupted["error"]["data"]["reason"].toString(), QStringLiteral("interrupted"));
    }

    void tasksSurvivePostgresRestart()
    {
        // The database restarts while the server sits idle: the next task call reconnects by itself.
        KOAN_FRESH_POSTGRES_ON(pg, url);
        ServerFixture f(options(url), installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const Caller c{f.port, {}};
        const QString id = c.tool("slow_compute", {{"seconds", 0}, {"label", "kept"}})["result"]["taskId"].toString();
        QCOMPARE(c.waitFor(id)["result"]["status"].toString(), QStringLiteral("completed"));
        QVERIFY(pg->stop());
        QString why;
        QVERIFY2(pg->restart(&why), qPrintable(why));
        QTest::qWait(1100);
        const QJsonObject again = c.task("tasks/get", id);
        QVERIFY2(again.contains("result"), QJsonDocument(again).toJson().constData());
        QCOMPARE(again["result"]["status"].toString(), QStringLiteral("completed"));
        const QString next = c.tool("slow_compute", {{"seconds", 0}})["result"]["taskId"].toString();
        QVERIFY(!next.isEmpty());
        QCOMPARE(c.waitFor(next)["result"]["status"].toString(), QStringLiteral("completed"));
    }

    // --- Several replicas on one PostgreSQL database ---

    void limitsCountEveryReplica()
    {
        // Two servers on one database: the limits count both replicas' running tasks.
        KOAN_FRESH_POSTGRES(url);
        McpServerOptions o = options(url, true);
        o.tasks.maxRunningPerPrincipal = 2;
        o.tasks.maxRunning = 3;
        ServerFixture a(o, installConformance), b(o, installConformance);
        QVERIFY2(a.ok && b.ok, qPrintable(a.problems + b.problems));
        const Caller aliceA{a.port, tokenFor(a, "alice")}, aliceB{b.port, tokenFor(b, "alice")};
        const Caller bobA{a.port, tokenFor(a, "bob")}, bobB{b.port, tokenFor(b, "bob")};
        const auto slow = [](const Caller &c) -> const QJsonObject {
            return c.tool("slow_compute", {{"seconds", 30}});
        };
        QCOMPARE(slow(aliceA)["result"]["resultType"].toString(), QStringLiteral("task"));
        QCOMPARE(slow(aliceB)["result"]["resultType"].toString(), QStringLiteral("task"));
        for (const Caller *c : {&aliceA, &aliceB}) {
            const QJsonObject third = slow(*c);
            QCOMPARE(third["error"]["code"].toInt(), -32000);
            QCOMPARE(third["error"]["data"]["reason"].toString(), QStringLiteral("task_limit"));
            QCOMPARE(third["error"]["data"]["scope"].toString(), QStringLiteral("principal"));
            QCOMPARE(third["error"]["data"]["running"].toInt(), 2);
        }
        QCOMPARE(slow(bobB)["result"]["resultType"].toString(), QStringLiteral("task"));
        const QJsonObject overall = slow(bobA);
        QCOMPARE(overall["error"]["data"]["scope"].toString(), QStringLiteral("server"));
        QCOMPARE(overall["error"]["data"]["running"].toInt(), 3);
        QCOMPARE(a.server->tasks()->runningHere() + b.server->tasks()->runningHere(), 3);
    }

    void limitsHoldWhenReplicasStartTogether()
    {
        // Replicas admitting tasks at the same moment (each its own connection, all released at
        // once): the count and the insert are one step, so exactly the limit gets in.
        KOAN_FRESH_POSTGRES(url);
        {
            EntityStore schema;
            QString error;
            QVERIFY2(schema.openUrl(url, &error), qPrintable(error));
        }
        constexpr int kReplicas = 6, kEach = 4, kMax = 7;
        std::atomic<int> waiting{kReplicas}, admitted{0}, refused{0};
        QMutex mutex;
        QStringList errors;
        std::vector<std::unique_ptr<QThread>> threads;
        for (int i = 0; i < kReplicas; ++i)
            threads.emplace_back(QThread::create([&, i] {
                EntityStore store;
                QString error;
                const bool open = store.openUrl(url, &error);
                --waiting;
                while (waiting > 0) // all start together
                    QThread::yieldCurrentThread();
                for (int n = 0; open && n < kEach; ++n) {
                    TaskRecord t;
                    t.id = QUuid::createUuid().toString(QUuid::Id128);
                    t.owner = QStringLiteral("token\nalice");
                    t.ownerLabel = t.tool = QStringLiteral("slow_compute");
                    t.status = QStringLiteral("working");
                    t.runner = QStringLiteral("replica-%1").arg(i);
                    int mine = 0, all = 0;
                    switch (store.tasks().insertWithinLimits(t, kMax, 100, 0, 0, &mine, &all, &error)) {
                    case TaskStore::Admission::Inserted:
                        ++admitted;
                        break;
                    case TaskStore::Admission::OwnerFull:
                        ++refused;
                        break;
                    default: {
                        QMutexLocker lock(&mutex);
                        errors << error;
                    }
                    }
                }
                if (!open) {
                    QMutexLocker lock(&mutex);
                    errors << error;
                }
            }));
        for (auto &t : threads)
            t->start();
        for (auto &t : threads)
            QVERIFY(t->wait(60000));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(admitted.load(), kMax);
        QCOMPARE(refused.load(), kReplicas * kEach - kMax);
        EntityStore check;
        QString error;
        QVERIFY2(check.openUrl(url, &error), qPrintable(error));
        QCOMPARE(int(check.tasks().list(QString(), 100, &error).size()), kMax);
    }

    void cancelOnAnotherReplica()
    {
        // A runs the task, B gets the cancel: the row says cancelled (and by whom) at once on both,
        // A stops the tool between chunks, and nothing is written after that.
        KOAN_FRESH_POSTGRES(url);
        ServerFixture a(options(url), installConformance), b(options(url), installConformance);
        QVERIFY2(a.ok && b.ok, qPrintable(a.problems + b.problems));
        const Caller onA{a.port, {}}, onB{b.port, {}};
        const QString id
            = onA.tool("trial-site.upsert-many", {{"models", trialSites(1000, "far")}})["result"]["taskId"].toString();
        QVERIFY(!id.isEmpty());
        QCOMPARE(onB.task("tasks/cancel", id)["result"].toObject(), QJsonObject({{"resultType", "complete"}}));
        for (const Caller *c : {&onB, &onA}) {
            const QJsonObject now = c->task("tasks/get", id)["result"].toObject();
            QCOMPARE(now["status"].toString(), QStringLiteral("cancelled"));
            QVERIFY2(now["statusMessage"].toString().startsWith("cancelled by the client"),
                     qPrintable(now["statusMessage"].toString()));
        }
        QTRY_COMPARE_WITH_TIMEOUT(a.server->tasks()->runningHere(), 0, 5000);
        QTRY_VERIFY(onB.task("tasks/get", id)["result"]["statusMessage"].toString().contains("cancelled after"));
        const QString message = onB.task("tasks/get", id)["result"]["statusMessage"].toString();
        const int written = countWithPrefix(a.server->store(), "far-");
        QVERIFY2(written < 1000 && written % 100 == 0, qPrintable(QString::number(written)));
        QVERIFY2(message.startsWith(QStringLiteral("cancelled by the client; "))
                     && message.contains(QStringLiteral("cancelled after %1 of 1000").arg(written)),
                 qPrintable(message));
        QTest::qWait(700);
        QCOMPARE(countWithPrefix(b.server->store(), "far-"), written);

        // The operator cancels through B's admin API a task A runs: the outcome names the operator.
        const QString slow = onA.tool("slow_compute", {{"seconds", 30}})["result"]["taskId"].toString();
        QVERIFY(!slow.isEmpty());
        HttpClient admin(b.port);
        const auto answer = admin.request("POST", QStringLiteral("/admin/tasks/%1/cancel").arg(slow).toUtf8(), {}, {});
        QCOMPARE(answer.status, 200);
        for (const Caller *c : {&onA, &onB}) {
            const QJsonObject now = c->task("tasks/get", slow)["result"].toObject();
            QCOMPARE(now["status"].toString(), QStringLiteral("cancelled"));
            QVERIFY2(now["statusMessage"].toString().startsWith("cancelled by the operator"),
                     qPrintable(now["statusMessage"].toString()));
        }
        QTRY_COMPARE_WITH_TIMEOUT(a.server->tasks()->runningHere(), 0, 5000);
        const QString last = onA.task("tasks/get", slow)["result"]["statusMessage"].toString();
        QVERIFY2(last.startsWith("cancelled by the operator") && !last.contains("the client"), qPrintable(last));
        QString error;
        int audited = 0;
        for (const AuditRow &row : a.server->store()->audit().since(QStringLiteral(""), &error))
            audited += row.entity == QLatin1String(EntityStore::kTasksEntity) && row.recordId == slow ? 1 : 0;
        QCOMPARE(audited, 1);
        HttpClient again(a.port);
        QCOMPARE(again.request("POST", QStringLiteral("/admin/tasks/%1/cancel").arg(slow).toUtf8(), {}, {}).status,
                 409);
    }

    void retryOnAnotherReplicaAppliesOnce()
    {
        // A batch task's idempotencyKey is reserved in the database: a retry on another replica
        // while it runs is refused, and after it finished or was cancelled gets the kept answer
        // without writing anything again.
        KOAN_FRESH_POSTGRES(url);
        ServerFixture a(options(url)), b(options(url));
        QVERIFY2(a.ok && b.ok, qPrintable(a.problems + b.problems));
        const Caller onA{a.port, {}}, onB{b.port, {}};
        const auto text = [](const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); };
        const auto auditRows = [&a] {
            QString error;
            return int(a.server->store()->audit().since(QStringLiteral(""), &error).size());
        };
        const QJsonObject big{{"models", trialSites(1000, "twice")}, {"idempotencyKey", "cross-1"}};
        const QString first = onA.tool("trial-site.upsert-many", big)["result"]["taskId"].toString();
        QVERIFY(!first.isEmpty());
        const QJsonObject busy = onB.waitFor(onB.tool("trial-site.upsert-many", big)["result"]["taskId"].toString());
        QVERIFY2(text(busy).contains("idempotency_key_in_use"), text(busy).constData());
        const QJsonObject done = onA.waitFor(first)["result"].toObject();
        QCOMPARE(done["result"]["structuredContent"]["created"].toInt(), 1000);
        QString error;
        QCOMPARE(b.server->store()->get("trial_site", "twice-0999", &error)->value("version").toInteger(), 1);
        const int before = auditRows();
        const QJsonObject replayed
            = onB.waitFor(onB.tool("trial-site.upsert-many", big)["result"]["taskId"].toString())["result"].toObject();
        QCOMPARE(replayed["status"].toString(), QStringLiteral("completed"));
        QCOMPARE(replayed["result"]["structuredContent"].toObject(), done["result"]["structuredContent"].toObject());
        QCOMPARE(auditRows(), before);

        // Cancelled on A after some chunks, retried on B: the cancelled call's answer, nothing written again.
        const QJsonObject halted{{"models", trialSites(1000, "halt")}, {"idempotencyKey", "cross-2"}};
        const QString id = onA.tool("trial-site.upsert-many", halted)["result"]["taskId"].toString();
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY(countWithPrefix(a.server->store(), "halt-") > 0);
        onA.task("tasks/cancel", id);
        QTRY_COMPARE_WITH_TIMEOUT(a.server->tasks()->runningHere(), 0, 5000);
        const int written = countWithPrefix(a.server->store(), "halt-");
        QVERIFY2(written > 0 && written < 1000, qPrintable(QString::number(written)));
        const int afterCancel = auditRows();
        const QJsonObject retried
            = onB.waitFor(onB.tool("trial-site.upsert-many", halted)["result"]["taskId"].toString())["result"]
                  .toObject();
        QCOMPARE(retried["status"].toString(), QStringLiteral("completed"));
        QVERIFY(retried["result"]["isError"].toBool());
        QVERIFY2(
            text(retried).contains(QStringLiteral("the first %1 of 1000 records were committed").arg(written).toUtf8()),
            text(retried).constData());
        QTest::qWait(500);
        QCOMPARE(countWithPrefix(b.server->store(), "halt-"), written);
        QCOMPARE(auditRows(), afterCancel);
    }

    void tasksOfAGoneReplicaAreInterrupted()
    {
        // A replica killed while it runs a task (a pod that never comes back): once the registry
        // has expired it, one of the live replicas fails the task with reason "interrupted"; a
        // live replica's task is never swept, and exactly one replica's sweep takes the task.
        KOAN_FRESH_POSTGRES(url);
        ServerFixture b(options(url), installConformance), c(options(url), installConformance);
        QVERIFY2(b.ok && c.ok, qPrintable(b.problems + c.problems));
        KoanProcess gone;
        QVERIFY2(gone.start({"--database-url", url, "--fixtures", "conformance"}), gone.stderrText.constData());
        const Caller onGone{gone.port, {}}, onB{b.port, {}}, onC{c.port, {}};
        const QString orphan = onGone.tool("slow_compute", {{"seconds", 120}})["result"]["taskId"].toString();
        const QString live = onB.tool("slow_compute", {{"seconds", 120}})["result"]["taskId"].toString();
        QVERIFY(!orphan.isEmpty() && !live.isEmpty());
        // A keyed batch on the replica that dies, killed after some of its chunks.
        const QJsonObject keyed{{"models", trialSites(1000, "orphan")}, {"idempotencyKey", "gone-1"}};
        const QString batch = onGone.tool("trial-site.upsert-many", keyed)["result"]["taskId"].toString();
        QVERIFY(!batch.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(countWithPrefix(b.server->store(), "orphan-") >= 200, 10000);
        int sweptEvents = 0;
        for (ServerFixture *f : {&b, &c})
            connect(f->server->tasks(), &TaskManager::taskChanged, this,
                    [&](const TaskRecord &t, const QString &change) {
                        sweptEvents += t.id == orphan && change == QLatin1String("finished") ? 1 : 0;
                    });
        gone.signal(SIGKILL);
        QVERIFY(gone.waitExit());
        QCOMPARE(onB.task("tasks/get", orphan)["result"]["status"].toString(), QStringLiteral("working"));
        const QJsonObject swept = onC.waitFor(orphan, {"failed"}, 20000)["result"].toObject();
        QCOMPARE(swept["status"].toString(), QStringLiteral("failed"));
        QCOMPARE(swept["statusMessage"].toString(), QStringLiteral("interrupted"));
        QCOMPARE(swept["error"]["data"]["reason"].toString(), QStringLiteral("interrupted"));
        QCOMPARE(onB.task("tasks/get", orphan)["result"]["status"].toString(), QStringLiteral("failed"));
        QTest::qWait(2500); // both replicas sweep again meanwhile
        QCOMPARE(sweptEvents, 1);
        QCOMPARE(onC.task("tasks/get", live)["result"]["status"].toString(), QStringLiteral("working"));
        QCOMPARE(b.server->tasks()->runningHere(), 1);

        // Its batch's retry on a live replica: what the dead one committed is the answer, nothing is written again.
        const int written = countWithPrefix(b.server->store(), "orphan-");
        QVERIFY2(written < 1000, qPrintable(QString::number(written)));
        QCOMPARE(onB.task("tasks/get", batch)["result"]["status"].toString(), QStringLiteral("failed"));
        const QJsonObject retried
            = onC.waitFor(onC.tool("trial-site.upsert-many", keyed)["result"]["taskId"].toString())["result"]
                  .toObject();
        const QByteArray text = QJsonDocument(retried).toJson(QJsonDocument::Compact);
        QVERIFY(retried["result"]["isError"].toBool());
        QVERIFY2(text.contains(QStringLiteral("the first %1 of 1000 records were committed").arg(written).toUtf8()),
                 text.constData());
        QTest::qWait(500);
        QCOMPARE(countWithPrefix(b.server->store(), "orphan-"), written);
    }

    void disabledIsNotAdvertised()
    {
        McpServerOptions o;
        o.tasks.enabled = false;
        ServerFixture f(o, installConformance);
        QVERIFY2(f.ok, qPrintable(f.problems));
        const Caller c{f.port, {}};
        QVERIFY(!c.request("server/discover", {})["result"]["capabilities"]["extensions"].toObject().contains(kTasks));
        const QJsonObject sync = c.tool("slow_compute", {{"seconds", 0}, {"label", "sync"}});
        QCOMPARE(sync["result"]["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(sync["result"]["content"][0]["text"].toString(), QStringLiteral("slow_compute sync done"));
        QCOMPARE(c.task("tasks/get", "anything")["error"]["code"].toInt(), -32601);
    }
};

QTEST_MAIN(TestTasks)
#include "tst_tasks.moc"
