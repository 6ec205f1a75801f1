// The tasks' store work runs on the store worker too: with PostgreSQL paused (SIGSTOP on the
// server and every backend: connections open, no answer ever) tasks/get, tasks/cancel and a
// tools/call that starts a task answer a clear error (-32603, data.reason "store_timeout") after
// Store:TimeoutSeconds while /healthz and a legacy stream's keep-alives go on; a batch running as
// a task whose chunk gets no answer ends failed, saying what it committed, and its idempotency
// key's kept answer tells exactly what did (a retry writes nothing again). The operator's task
// list and cancel (the admin API) answer in time too: the list 503 store_timeout, the snapshot and
// the admin event stream without tasks but saying why (the stream's `tasks` event follows), a
// running task's cancel stops its tool at once and its row and audit record land once when the
// database answers; a cancel written elsewhere meanwhile is adopted within a heartbeat of the
// resume; and stopping the task manager waits at most Store:TimeoutSeconds.
#include "McpServer.h"
#include "core/ChangeBus.h"
#include "fixtures/FixturePacks.h"
#include "tasks/TaskManager.h"
#include "support/HealthProbe.h"
#include "support/HttpClient.h"
#include "support/ModernRpc.h"
#include "support/PostgresServer.h"
#include "support/ResumeWatchdog.h"
#include "support/ServerFixture.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

using namespace koan;
using namespace koan::test;

namespace {

// A 2026-07-28 request on its own connection that the test does not wait for.
struct Pending {
    std::unique_ptr<HttpClient> client;
    QElapsedTimer since;
    bool done() const { return client->response().complete; }
    QJsonObject answer() const { return answerOf(*client); }
};

Pending post(quint16 port, const QString &method, const QJsonObject &params, const QString &name = {})
{
    Pending p{std::make_unique<HttpClient>(port), {}};
    p.since.start();
    p.client->send("POST", "/mcp", modernHeaders(method, name), modernRequest(1, method, params));
    return p;
}

// An admin API request on its own connection that the test does not wait for.
Pending adminRequest(quint16 port, const QByteArray &method, const QByteArray &path)
{
    Pending p{std::make_unique<HttpClient>(port), {}};
    p.since.start();
    p.client->send(method, path);
    return p;
}

// The answer of a request sent now (the database answers).
QJsonObject ask(quint16 port, const QString &method, const QJsonObject &params, const QString &name = {})
{
    HttpClient c(port);
    return rpcAnswer(c.request("POST", "/mcp", modernHeaders(method, name), modernRequest(1, method, params)));
}

QJsonObject taskGet(quint16 port, const QString &taskId)
{
    return ask(port, "tasks/get", {{"taskId", taskId}}, taskId);
}

QJsonObject waitForEnd(quint16 port, const QString &taskId, int timeoutMs = 20000)
{
    QJsonObject last;
    (void)QTest::qWaitFor(
        [&] {
            last = taskGet(port, taskId);
            const QString status = last["result"].toObject()["status"].toString();
            return status == "completed" || status == "failed" || status == "cancelled" || last.contains("error");
        },
        timeoutMs);
    return last;
}

void waitUntilReady(quint16 port)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 15000 && HttpClient(port).request("GET", "/readyz").status != 200)
        QTest::qWait(100);
}

// The store's timeout error as a JSON-RPC error (tasks/* and a refused task creation).
void checkStoreTimeout(const Pending &p, const char *what)
{
    const QJsonObject error = p.answer()["error"].toObject();
    QVERIFY2(p.since.elapsed() >= 1900 && p.since.elapsed() < 4000,
             qPrintable(QStringLiteral("%1 after %2 ms").arg(what).arg(p.since.elapsed())));
    QCOMPARE(error["code"].toInt(), -32603);
    QCOMPARE(error["data"].toObject()["reason"].toString(), QStringLiteral("store_timeout"));
    QCOMPARE(error["data"].toObject()["timeoutSeconds"].toInt(), 2);
    QVERIFY2(error["message"].toString().contains("did not answer within 2 s"),
             qPrintable(error["message"].toString()));
    QVERIFY(!error["message"].toString().contains(PostgresServer::kPassword));
}

// The first column of the first row `sql` answers, on a connection of the test's own.
QVariant queryValue(const QString &url, const QString &sql)
{
    const QUrl u(url);
    QSqlDatabase db = QSqlDatabase::addDatabase("QPSQL", "tasks-check");
    db.setHostName(u.host());
    db.setPort(u.port());
    db.setDatabaseName(u.path().mid(1));
    db.setUserName(u.userName());
    db.setPassword(u.password());
    QVariant value;
    if (db.open()) {
        QSqlQuery q(db);
        if (q.exec(sql) && (!q.isSelect() || q.next()))
            value = q.isSelect() ? q.value(0) : QVariant(q.numRowsAffected());
        else
            qWarning() << q.lastError().text();
    }
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase("tasks-check");
    return value;
}

int countRows(const QString &url, const QString &sql)
{
    const QVariant n = queryValue(url, sql);
    return n.isValid() ? n.toInt() : -1;
}

void installConformance(McpServer &s)
{
    fixtures::install(QStringLiteral("conformance"), s.bridge(), &s);
}

// A slow_compute task of `seconds`, running on this server; its id.
QString startSlowTask(quint16 port, int seconds)
{
    return ask(port, "tools/call", {{"name", "slow_compute"}, {"arguments", QJsonObject{{"seconds", seconds}}}},
               "slow_compute")["result"]
        .toObject()["taskId"]
        .toString();
}

} // namespace

// The case's server (its `setup` run before it starts) on a fresh database of the shared
// PostgreSQL server `pg`, which the case may pause; skipped without PostgreSQL.
#define KOAN_PAUSABLE_SERVER(o, pg, f, setup)                                                                          \
    if (!PostgresServer::available())                                                                                  \
        QSKIP(qPrintable(PostgresServer::missingReason()));                                                            \
    QString why;                                                                                                       \
    const McpServerOptions o = pgOptions(&why);                                                                        \
    QVERIFY2(!o.databaseUrl.isEmpty(), qPrintable(why));                                                               \
    PostgresServer *pg = PostgresServer::shared(&why);                                                                 \
    ServerFixture f(o, setup);                                                                                         \
    QVERIFY2(f.ok, qPrintable(f.problems))

class TstStoreWorkerTasks : public QObject
{
    Q_OBJECT

    McpServerOptions pgOptions(QString *why)
    {
        McpServerOptions o;
        PostgresServer *pg = PostgresServer::shared(why);
        if (!pg)
            return o;
        o.databaseUrl = pg->freshDatabaseUrl(why);
        o.store.timeoutSeconds = 2;
        o.sseKeepAliveIntervalMs = 200;
        return o;
    }

private slots:
    void taskRequestsFailClearlyWhilePaused()
    {
        KOAN_PAUSABLE_SERVER(o, pg, f, {});

        const QJsonObject created
            = ask(f.port, "tools/call",
                  {{"name", "trial-site.upsert-many"}, {"arguments", QJsonObject{{"models", trialSites(3, "before")}}}},
                  "trial-site.upsert-many");
        const QString taskId = created["result"].toObject()["taskId"].toString();
        QVERIFY2(!taskId.isEmpty(), QJsonDocument(created).toJson());
        QCOMPARE(waitForEnd(f.port, taskId)["result"].toObject()["status"].toString(), QStringLiteral("completed"));
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse");
        QVERIFY(stream.waitEvent("endpoint"));

        QVERIFY(pg->pause());
        auto resumeAtExit = qScopeGuard([pg] { pg->resume(); });
        const Pending get = post(f.port, "tasks/get", {{"taskId", taskId}}, taskId);
        const Pending cancel = post(f.port, "tasks/cancel", {{"taskId", taskId}}, taskId);
        const Pending started = post(
            f.port, "tools/call",
            {{"name", "trial-site.upsert-many"}, {"arguments", QJsonObject{{"models", trialSites(3, "paused")}}}},
            "trial-site.upsert-many");
        const int heartbeatsBefore = stream.comments().count("keepalive");
        int answers = 0;
        qint64 slowest = 0;
        healthStaysQuick(f.port, 1500, &answers, &slowest);
        QVERIFY2(!get.done(), "tasks/get cannot have an answer yet: the database is paused");
        QVERIFY2(answers >= 10 && slowest < 200,
                 qPrintable(QStringLiteral("%1 /healthz answers, slowest %2 ms").arg(answers).arg(slowest)));
        QVERIFY2(stream.comments().count("keepalive") >= heartbeatsBefore + 4,
                 qPrintable(QString::number(stream.comments().count("keepalive") - heartbeatsBefore)));

        QVERIFY(QTest::qWaitFor([&] { return get.done() && cancel.done() && started.done(); }, 4000));
        checkStoreTimeout(get, "tasks/get");
        checkStoreTimeout(cancel, "tasks/cancel");
        checkStoreTimeout(started, "tools/call as a task");
        QVERIFY(!stream.closed());

        // SIGCONT: the same requests work again; the task whose insert got no answer never reads "working".
        QVERIFY(pg->resume());
        resumeAtExit.dismiss();
        waitUntilReady(f.port);
        const QJsonObject again = taskGet(f.port, taskId);
        QCOMPARE(again["result"].toObject()["status"].toString(), QStringLiteral("completed"));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return countRows(o.databaseUrl, "SELECT COUNT(*) FROM koan_tasks WHERE status IN ('working', "
                                                "'input_required')")
                       == 0;
            },
            5000));
        QCOMPARE(countRows(o.databaseUrl, "SELECT COUNT(*) FROM trial_site WHERE id LIKE 'paused-%'"), 0);
    }

    void runningBatchUnderPauseEndsClearly()
    {
        KOAN_PAUSABLE_SERVER(o, pg, f, {});
        HttpClient stream(f.port);
        stream.send("GET", "/mcp/sse");
        QVERIFY(stream.waitEvent("endpoint"));

        // PostgreSQL stops once a few of the batch's chunks have committed (their changes arrive).
        int committedSeen = 0;
        bool paused = false;
        f.server->changes()->listen([&](const Change &c) {
            if (c.kind != Change::Kind::Record || paused)
                return;
            for (const QString &id : c.ids)
                committedSeen += id.startsWith("batch-") ? 1 : 0;
            if (committedSeen >= 200)
                paused = pg->pause();
        });
        auto resumeAtExit = qScopeGuard([pg] { pg->resume(); });
        const QJsonObject arguments{{"models", trialSites(1000, "batch")}, {"idempotencyKey", "paused-batch-1"}};
        const QJsonObject created
            = ask(f.port, "tools/call", {{"name", "trial-site.upsert-many"}, {"arguments", arguments}},
                  "trial-site.upsert-many");
        const QString taskId = created["result"].toObject()["taskId"].toString();
        QVERIFY2(!taskId.isEmpty(), QJsonDocument(created).toJson());
        QVERIFY(QTest::qWaitFor([&] { return paused; }, 10000));

        const int heartbeatsBefore = stream.comments().count("keepalive");
        int answers = 0;
        qint64 slowest = 0;
        healthStaysQuick(f.port, 3000, &answers, &slowest);
        QVERIFY2(answers >= 20 && slowest < 200,
                 qPrintable(QStringLiteral("%1 /healthz answers, slowest %2 ms").arg(answers).arg(slowest)));
        QVERIFY2(stream.comments().count("keepalive") >= heartbeatsBefore + 8,
                 qPrintable(QString::number(stream.comments().count("keepalive") - heartbeatsBefore)));

        QVERIFY(pg->resume());
        resumeAtExit.dismiss();
        waitUntilReady(f.port);
        const QJsonObject ended = waitForEnd(f.port, taskId);
        const QJsonObject task = ended["result"].toObject();
        QCOMPARE(task["status"].toString(), QStringLiteral("failed"));
        const QString message = task["statusMessage"].toString();
        QVERIFY2(message.contains("did not answer within 2 s"), qPrintable(message));
        QCOMPARE(task["error"].toObject()["data"].toObject()["reason"].toString(), QStringLiteral("store_timeout"));
        const int known = task["error"].toObject()["data"].toObject()["committed"].toInt(-1);
        QVERIFY2(known >= 200 && known < 1000 && known % 100 == 0, qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("the first %1 were committed").arg(known)), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("records %1-%2 of 1000").arg(known + 1).arg(known + 100)),
                 qPrintable(message));

        // A retry with the same key: the kept answer names what was committed (the chunks before, and
        // the one without an answer either whole or not at all), and writes nothing.
        const QJsonObject retried
            = ask(f.port, "tools/call", {{"name", "trial-site.upsert-many"}, {"arguments", arguments}},
                  "trial-site.upsert-many");
        const QString retryId = retried["result"].toObject()["taskId"].toString();
        QVERIFY2(!retryId.isEmpty(), QJsonDocument(retried).toJson());
        const QJsonObject replay = waitForEnd(f.port, retryId)["result"].toObject();
        const QString replayText = QJsonDocument(replay).toJson(QJsonDocument::Compact);
        int kept = -1;
        for (const int n : {known, known + 100})
            if (replayText.contains(QStringLiteral("the first %1 of 1000 records were committed").arg(n)))
                kept = n;
        QVERIFY2(kept >= 0, qPrintable(QStringLiteral("%1 known: %2").arg(known).arg(replayText)));
        // That chunk, on its connection, has committed or rolled back by now: the database says the same.
        QTest::qWait(1500);
        QCOMPARE(countRows(o.databaseUrl, "SELECT COUNT(*) FROM trial_site WHERE id LIKE 'batch-%'"), kept);
        QCOMPARE(countRows(o.databaseUrl, "SELECT COUNT(*) FROM koan_audit WHERE entity = 'TrialSite' AND record_id "
                                          "LIKE 'batch-%'"),
                 kept);
        QVERIFY(!stream.closed());
    }

    void runningExportUnderPauseEndsClearly()
    {
        KOAN_PAUSABLE_SERVER(o, pg, f, {});
        const QJsonObject seeded
            = ask(f.port, "tools/call",
                  {{"name", "trial-site.upsert-many"}, {"arguments", QJsonObject{{"models", trialSites(1000, "exp")}}}},
                  "trial-site.upsert-many");
        QCOMPARE(waitForEnd(f.port, seeded["result"].toObject()["taskId"].toString())["result"]
                     .toObject()["status"]
                     .toString(),
                 QStringLiteral("completed"));

        const int records = countRows(o.databaseUrl, "SELECT COUNT(*) FROM trial_site");

        // The export's first chunk waits for a lock this test holds, then PostgreSQL is paused too.
        const QUrl u(o.databaseUrl);
        QSqlDatabase locker = QSqlDatabase::addDatabase("QPSQL", "export-locker");
        locker.setHostName(u.host());
        locker.setPort(u.port());
        locker.setDatabaseName(u.path().mid(1));
        locker.setUserName(u.userName());
        locker.setPassword(u.password());
        QVERIFY2(locker.open(), qPrintable(locker.lastError().text()));
        QSqlQuery lock(locker);
        QVERIFY(lock.exec("BEGIN"));
        QVERIFY2(lock.exec("LOCK TABLE trial_site IN ACCESS EXCLUSIVE MODE"), qPrintable(lock.lastError().text()));
        const Pending exporting = post(
            f.port, "tools/call", {{"name", "trial-site.export"}, {"arguments", QJsonObject{}}}, "trial-site.export");
        QVERIFY(QTest::qWaitFor([&] { return exporting.done(); }, 5000));
        const QString taskId = exporting.answer()["result"].toObject()["taskId"].toString();
        QVERIFY2(!taskId.isEmpty(), QJsonDocument(exporting.answer()).toJson());
        QVERIFY(pg->pause());
        auto resumeAtExit = qScopeGuard([pg] { pg->resume(); });
        int answers = 0;
        qint64 slowest = 0;
        healthStaysQuick(f.port, 3000, &answers, &slowest);
        QVERIFY2(answers >= 20 && slowest < 200,
                 qPrintable(QStringLiteral("%1 /healthz answers, slowest %2 ms").arg(answers).arg(slowest)));
        QVERIFY(pg->resume());
        resumeAtExit.dismiss();
        QVERIFY(lock.exec("ROLLBACK"));
        lock = QSqlQuery();
        locker = QSqlDatabase();
        QSqlDatabase::removeDatabase("export-locker");
        waitUntilReady(f.port);
        const QJsonObject task = waitForEnd(f.port, taskId)["result"].toObject();
        QCOMPARE(task["status"].toString(), QStringLiteral("failed"));
        const QString message = task["statusMessage"].toString();
        QVERIFY2(message.contains("did not answer within 2 s") && message.contains("nothing was changed"),
                 qPrintable(message));
        QCOMPARE(task["error"].toObject()["data"].toObject()["reason"].toString(), QStringLiteral("store_timeout"));
        // The export's snapshot was closed on the worker: the next export works.
        const QJsonObject next = ask(
            f.port, "tools/call", {{"name", "trial-site.export"}, {"arguments", QJsonObject{}}}, "trial-site.export");
        const QJsonObject done
            = waitForEnd(f.port, next["result"].toObject()["taskId"].toString())["result"].toObject();
        QCOMPARE(done["status"].toString(), QStringLiteral("completed"));
        QCOMPARE(done["result"].toObject()["structuredContent"].toObject()["count"].toInt(), records);
    }

    void operatorTaskListAndCancelAnswerWhilePaused()
    {
        KOAN_PAUSABLE_SERVER(o, pg, f, installConformance);
        const QString finished = startSlowTask(f.port, 0);
        QVERIFY(!finished.isEmpty());
        QCOMPARE(waitForEnd(f.port, finished)["result"].toObject()["status"].toString(), QStringLiteral("completed"));
        const QString running = startSlowTask(f.port, 120);
        QVERIFY(!running.isEmpty());
        QCOMPARE(f.server->tasks()->toolsRunningHere(), 1);

        QVERIFY(pg->pause());
        auto resumeAtExit = qScopeGuard([pg] { pg->resume(); });
        std::optional<ResumeWatchdog> watchdog(std::in_place, pg, 12000);
        const Pending list = adminRequest(f.port, "GET", "/admin/tasks");
        const Pending snapshot = adminRequest(f.port, "GET", "/admin/snapshot");
        const Pending events = adminRequest(f.port, "GET", "/admin/events");
        const Pending cancelRunning
            = adminRequest(f.port, "POST", QStringLiteral("/admin/tasks/%1/cancel").arg(running).toUtf8());
        const Pending cancelFinished
            = adminRequest(f.port, "POST", QStringLiteral("/admin/tasks/%1/cancel").arg(finished).toUtf8());
        // The cancel holds here at once: the tool stops at its next tick (100 ms), the store paused or not.
        QElapsedTimer stopping;
        stopping.start();
        QVERIFY(QTest::qWaitFor([&] { return f.server->tasks()->toolsRunningHere() == 0; }, 1000));
        QVERIFY2(stopping.elapsed() < 500, qPrintable(QString::number(stopping.elapsed())));
        int answers = 0;
        qint64 slowest = 0;
        healthStaysQuick(f.port, 1200, &answers, &slowest);
        QVERIFY2(answers >= 8 && slowest < 200,
                 qPrintable(QStringLiteral("%1 /healthz answers, slowest %2 ms").arg(answers).arg(slowest)));

        // Each answers within Store:TimeoutSeconds (2 s) + 1 s, saying what happened.
        const auto snapshotEvent = [&events] {
            for (const SseEvent &e : events.client->events())
                if (e.event == "snapshot")
                    return QJsonDocument::fromJson(e.data).object();
            return QJsonObject();
        };
        QHash<QString, qint64> answeredAt;
        const auto note = [&answeredAt](const QString &what, const Pending &p, bool done) {
            if (done && !answeredAt.contains(what))
                answeredAt.insert(what, p.since.elapsed());
        };
        QVERIFY(QTest::qWaitFor(
            [&] {
                note("list", list, list.done());
                note("snapshot", snapshot, snapshot.done());
                note("events", events, !snapshotEvent().isEmpty());
                note("cancel running", cancelRunning, cancelRunning.done());
                note("cancel finished", cancelFinished, cancelFinished.done());
                return answeredAt.size() == 5;
            },
            4000));
        for (auto it = answeredAt.cbegin(); it != answeredAt.cend(); ++it)
            QVERIFY2(it.value() < 3000, qPrintable(QStringLiteral("%1 after %2 ms").arg(it.key()).arg(it.value())));
        const auto storeTimeout = [](const Pending &p, int status) {
            const HttpResponse &r = p.client->response();
            const QJsonObject body = r.json();
            return r.status == status && body["error"].toString() == QLatin1String("store_timeout")
                   && body["message"].toString().contains("did not answer within 2 s (Store:TimeoutSeconds)")
                   && !body["message"].toString().contains(PostgresServer::kPassword);
        };
        QVERIFY2(storeTimeout(list, 503), list.client->response().body.constData());
        QCOMPARE(snapshot.client->response().status, 200);
        for (const QJsonObject &s : {snapshot.client->response().json(), snapshotEvent()}) {
            QVERIFY2(s["tasks"].isArray() && s["tasks"].toArray().isEmpty(), QJsonDocument(s).toJson().constData());
            QVERIFY2(s["tasksError"].toString().contains("did not answer within 2 s"),
                     qPrintable(s["tasksError"].toString()));
            QVERIFY(s["sessions"].isArray() && s["status"].isObject() && s["server"].isObject());
        }
        QCOMPARE(events.client->response().status, 200);
        QVERIFY2(storeTimeout(cancelRunning, 503), cancelRunning.client->response().body.constData());
        const QJsonObject ran = cancelRunning.client->response().json();
        QCOMPARE(ran["appliedOnThisReplica"].toBool(), true);
        QCOMPARE(ran["stored"].toString(), QStringLiteral("pending"));
        QCOMPARE(ran["taskId"].toString(), running);
        QVERIFY2(storeTimeout(cancelFinished, 503), cancelFinished.client->response().body.constData());
        QCOMPARE(cancelFinished.client->response().json()["appliedOnThisReplica"].toBool(), false);
        QVERIFY(!events.client->closed());

        // SIGCONT: the list is served, the stream gets it as a `tasks` event, the cancel is in the
        // row and audited exactly once; the finished task's queued cancel wrote nothing.
        watchdog.reset();
        QVERIFY(pg->resume());
        resumeAtExit.dismiss();
        waitUntilReady(f.port);
        SseEvent tasksEvent;
        QVERIFY(events.client->waitEvent("tasks", 5000, &tasksEvent));
        QStringList streamed;
        for (const QJsonValue &t : QJsonDocument::fromJson(tasksEvent.data).object()["tasks"].toArray())
            streamed << t.toObject()["taskId"].toString();
        QVERIFY2(streamed.contains(running) && streamed.contains(finished), qPrintable(streamed.join(',')));
        HttpClient again(f.port);
        const HttpResponse listed = again.request("GET", "/admin/tasks");
        QCOMPARE(listed.status, 200);
        QHash<QString, QString> status;
        for (const QJsonValue &t : listed.json()["tasks"].toArray())
            status.insert(t.toObject()["taskId"].toString(), t.toObject()["status"].toString());
        QCOMPARE(status.value(running), QStringLiteral("cancelled"));
        QCOMPARE(status.value(finished), QStringLiteral("completed"));
        const QString audited = QStringLiteral("SELECT COUNT(*) FROM koan_audit WHERE entity = '_tasks' AND "
                                               "operation = 'cancel' AND record_id = '%1'");
        QVERIFY(QTest::qWaitFor([&] { return countRows(o.databaseUrl, audited.arg(running)) == 1; }, 5000));
        QVERIFY(queryValue(o.databaseUrl,
                           QStringLiteral("SELECT status_message FROM koan_tasks WHERE task_id = '%1'").arg(running))
                    .toString()
                    .startsWith("cancelled by the operator"));
        QTest::qWait(1000);
        QCOMPARE(countRows(o.databaseUrl, audited.arg(running)), 1);
        QCOMPARE(countRows(o.databaseUrl, audited.arg(finished)), 0);
        QCOMPARE(taskGet(f.port, running)["result"].toObject()["status"].toString(), QStringLiteral("cancelled"));
        // Answered by the store now: 409 as before.
        HttpClient once(f.port);
        QCOMPARE(once.request("POST", QStringLiteral("/admin/tasks/%1/cancel").arg(running).toUtf8(), {}, {}).status,
                 409);
    }

    void cancelWrittenElsewhereIsAdoptedAfterThePause()
    {
        // Another replica's cancel whose notification this replica never gets (written while its
        // heartbeat re-reads were stuck, no NOTIFY): adopted within about a heartbeat of the resume.
        KOAN_PAUSABLE_SERVER(o, pg, f, installConformance);
        const QString running = startSlowTask(f.port, 120);
        QVERIFY(!running.isEmpty());
        QVERIFY(pg->pause());
        auto resumeAtExit = qScopeGuard([pg] { pg->resume(); });
        QTest::qWait(3000); // the heartbeat's re-reads time out meanwhile
        QVERIFY(pg->resume());
        resumeAtExit.dismiss();
        QCOMPARE(f.server->tasks()->toolsRunningHere(), 1);
        QCOMPARE(queryValue(o.databaseUrl,
                            QStringLiteral("UPDATE koan_tasks SET status = 'cancelled', cancel_requested = 1, "
                                           "status_message = 'cancelled elsewhere' WHERE task_id = '%1'")
                                .arg(running))
                     .toInt(),
                 1);
        QElapsedTimer adopted;
        adopted.start();
        QVERIFY(QTest::qWaitFor([&] { return f.server->tasks()->toolsRunningHere() == 0; }, 5000));
        QVERIFY2(adopted.elapsed() < 1500, qPrintable(QString::number(adopted.elapsed())));
        const QString message = taskGet(f.port, running)["result"].toObject()["statusMessage"].toString();
        QVERIFY2(message.startsWith("cancelled elsewhere"), qPrintable(message));
    }

    void stoppingTasksWaitsAtMostTheTimeout()
    {
        // Shutdown marks the running tasks interrupted on the worker and stops waiting after
        // Store:TimeoutSeconds (the statement may still land if the database answers in time).
        KOAN_PAUSABLE_SERVER(o, pg, f, installConformance);
        const QString running = startSlowTask(f.port, 120);
        QVERIFY(!running.isEmpty());
        QVERIFY(pg->pause());
        auto resumeAtExit = qScopeGuard([pg] { pg->resume(); });
        QElapsedTimer stopping;
        {
            ResumeWatchdog watchdog(pg, 12000);
            stopping.start();
            f.server->tasks()->stop();
        }
        QVERIFY2(stopping.elapsed() >= 1900 && stopping.elapsed() < 3000,
                 qPrintable(QString::number(stopping.elapsed())));
        QVERIFY(pg->resume());
        resumeAtExit.dismiss();
        QCOMPARE(f.server->tasks()->runningHere(), 0);
    }
};

QTEST_MAIN(TstStoreWorkerTasks)
#include "tst_store_worker_tasks.moc"
