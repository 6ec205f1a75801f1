// The console attached to a real headless koan-mcp child process (koan-mcp console --attach): TLS
// with a generated certificate (verified: the test trusts exactly that certificate), real JWTs
// checked against a JWKS file, the admin event stream and the admin API's commands through
// RemoteConsoleLink, the console window and its Logs page over it, what the window shows when the
// server goes away and comes back, and `console --check`'s exit codes.
#include "EntityOverridesModel.h"
#include "ClusterPage.h"
#include "OverviewPage.h"
#include "ToolLatencyModel.h"
#include "SessionHistoryModel.h"
#include "LogsModel.h"
#include "LogsPage.h"
#include "MainWindow.h"
#include "SessionsModel.h"
#include "ToolCallsModel.h"
#include "TransportBar.h"
#include "console/RemoteConsoleLink.h"
#include "support/AuthKit.h"
#include "support/HttpClient.h"
#include "support/KoanProcess.h"
#include "support/ModernRpc.h"

#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace koan;
using namespace koan::test;

namespace {
const char kIss[] = "https://issuer.attach.test";
const char kAud[] = "urn:koan:attach-test";
} // namespace

class TestConsoleAttach : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    KeyPair m_key;
    QString m_cert, m_certKey, m_jwksFile;
    std::unique_ptr<KoanProcess> m_server;
    quint16 m_port = 0;

    QByteArray tokenFor(const QString &sub, const QString &scope, qint64 ttl = 600) const
    {
        return token(m_key, claims(sub, scope, QString::fromLatin1(kAud), QString::fromLatin1(kIss), ttl));
    }
    QString url() const { return QStringLiteral("https://127.0.0.1:%1").arg(m_port); }
    QString writeFile(const QString &name, const QByteArray &content) const
    {
        QFile f(m_dir.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(content);
        return f.fileName();
    }
    // To the server on `port` (default: the suite's).
    AttachOptions options(const QByteArray &token, quint16 port = 0) const
    {
        AttachOptions o;
        o.url = QUrl(port ? QStringLiteral("https://127.0.0.1:%1").arg(port) : url());
        o.token = token;
        o.caCertificates = QSslCertificate::fromPath(m_cert, QSsl::Pem);
        o.reconnectMs = 300;
        return o;
    }
    // The headless server's arguments: TLS, authentication required, tokens from the JWKS file.
    QStringList serverArgs(const QString &database) const
    {
        return QStringList{"--db",  m_dir.filePath(database),
                           "--set", "TlsCertificateFile=" + m_cert,
                           "--set", "TlsKeyFile=" + m_certKey,
                           "--set", "RequireAuthentication=true",
                           "--set", "Auth:JwksFile=" + m_jwksFile,
                           "--set", "Auth:Issuer=" + QString::fromLatin1(kIss),
                           "--set", "Auth:Audience=" + QString::fromLatin1(kAud),
                           "--set", "SseKeepAliveInterval=500ms"};
    }
    // A second server beside the suite's, with the conformance fixtures (slow_compute, greet).
    bool startFixturesServer(KoanProcess &server, const QString &database) const
    {
        return server.start(serverArgs(database) << "--fixtures"
                                                 << "conformance");
    }
    bool startServer(quint16 port = 0)
    {
        m_server = std::make_unique<KoanProcess>();
        QStringList args = serverArgs("attach.sqlite");
        if (port)
            args << "--port" << QString::number(port);
        if (!m_server->start(args))
            return false;
        m_port = m_server->port;
        return true;
    }
    // A real MCP client session (Streamable HTTP initialize over TLS) as `token`'s subject.
    QString openMcpSession(QNetworkAccessManager &net, const QByteArray &token)
    {
        QNetworkRequest r(QUrl(url() + QStringLiteral("/mcp")));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(QSslCertificate::fromPath(m_cert, QSsl::Pem));
        r.setSslConfiguration(tls);
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        r.setRawHeader("Accept", "application/json, text/event-stream");
        r.setRawHeader("Authorization", "Bearer " + token);
        r.setRawHeader("MCP-Protocol-Version", "2025-06-18");
        QNetworkReply *reply = net.post(r, rpc(1, "initialize", initParams()));
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
            return {};
        reply->deleteLater();
        return QString::fromLatin1(reply->rawHeader("Mcp-Session-Id"));
    }
    QNetworkRequest adminRequest(const QString &path, const QByteArray &token, quint16 port = 0) const
    {
        QNetworkRequest r(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port ? port : m_port) + path));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(QSslCertificate::fromPath(m_cert, QSsl::Pem));
        r.setSslConfiguration(tls);
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (!token.isEmpty())
            r.setRawHeader("Authorization", "Bearer " + token);
        return r;
    }
    // One admin API call: its status and JSON body.
    QPair<int, QJsonObject> adminCall(const QByteArray &verb, const QString &path, const QByteArray &body,
                                      const QByteArray &token, quint16 port = 0)
    {
        QNetworkAccessManager net;
        QNetworkReply *reply = net.sendCustomRequest(adminRequest(path, token, port), verb, body);
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
            return {0, {}};
        reply->deleteLater();
        return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                QJsonDocument::fromJson(reply->readAll()).object()};
    }
    struct CheckRun {
        int exitCode = -1;
        QByteArray out, err;
    };
    CheckRun runCheck(const QStringList &args)
    {
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(m_dir.path()));
        p.start(QStringLiteral(KOAN_MCP_BINARY), QStringList{"console"} + args + QStringList{"--check"});
        CheckRun run;
        if (!p.waitForFinished(30000))
            return run;
        run.exitCode = p.exitCode();
        run.out = p.readAllStandardOutput();
        run.err = p.readAllStandardError();
        return run;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(makeCertificate(QDir(m_dir.path()), &m_cert, &m_certKey));
        m_key = makeKey(QDir(m_dir.path()), QStringLiteral("attach-key"), false);
        m_jwksFile = writeFile("jwks.json", QJsonDocument(jwks({m_key})).toJson());
        QVERIFY2(startServer(), m_server->stderrText.constData());
    }

    void remoteLinkFollowsTheServer()
    {
        RemoteConsoleLink link(options(tokenFor("ops-lead", "koan:admin clinical:operations")));
        QSignalSpy tools(&link, &ConsoleLink::toolsChanged);
        QSignalSpy opened(&link, &ConsoleLink::sessionOpened);
        QSignalSpy logs(&link, &ConsoleLink::logsChanged);
        link.start();
        QTRY_VERIFY_WITH_TIMEOUT(link.isConnected(), 10000);
        QCOMPARE(link.server().value("name").toString(), QStringLiteral("koan-mcp"));
        QCOMPARE(tools.size(), 1);
        QVERIFY(tools.first().first().value<QList<ToolSnapshot>>().size() >= 40);
        QVERIFY(!logs.first().first().value<QList<LogRecord>>().isEmpty()); // the startup lines

        // A real client's session appears as a live event, with its subject.
        QNetworkAccessManager net;
        const QString sid = openMcpSession(net, tokenFor("agent-7", "clinical:operations"));
        QVERIFY(!sid.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty(), 5000);
        const SessionInfo info = opened.last().first().value<SessionInfo>();
        QCOMPARE(info.id, sid);
        QCOMPARE(info.subject, QStringLiteral("agent-7"));
        QCOMPARE(info.transport, TransportKind::StreamableHttp);

        // A legacy stream's heartbeats (every 500 ms here) arrive as live events too.
        QSignalSpy heartbeats(&link, &ConsoleLink::heartbeatSent);
        QNetworkRequest legacy(QUrl(url() + QStringLiteral("/mcp/sse")));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(QSslCertificate::fromPath(m_cert, QSsl::Pem));
        legacy.setSslConfiguration(tls);
        legacy.setRawHeader("Authorization", "Bearer " + tokenFor("agent-7", "clinical:operations"));
        QNetworkReply *stream = net.get(legacy);
        QTRY_VERIFY_WITH_TIMEOUT(!heartbeats.isEmpty(), 5000);
        QVERIFY(heartbeats.last().at(1).toDateTime().isValid());
        stream->abort();
        stream->deleteLater();

        // Disconnecting it through the admin API ends it with the operator's reason.
        // (The aborted legacy stream's own session may end around the same time: find ours by id.)
        QSignalSpy closed(&link, &ConsoleLink::sessionClosed);
        link.disconnectSession(sid);
        const auto reasonFor = [&closed](const QString &id) {
            for (const QList<QVariant> &args : closed)
                if (args.at(0).toString() == id)
                    return args.at(1).toString();
            return QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!reasonFor(sid).isEmpty(), 5000);
        QCOMPARE(reasonFor(sid), QStringLiteral("disconnected_by_operator"));
    }

    void operatorCallsRunAsTheTokensPrincipal()
    {
        // Admin scope but not the entity's: the attached operator is refused like any caller with
        // that token (the trusted local operator would have been allowed).
        RemoteConsoleLink narrow(options(tokenFor("auditor", "koan:admin")));
        QSignalSpy refused(&narrow, &ConsoleLink::toolInvoked);
        narrow.invokeTool("r1", "trial-site.collection", {});
        QTRY_VERIFY_WITH_TIMEOUT(!refused.isEmpty(), 10000);
        const QJsonObject denied = refused.first().at(2).toJsonObject();
        QCOMPARE(denied.value("error").toObject().value("code").toInt(), -32003);

        RemoteConsoleLink wide(options(tokenFor("ops-lead", "koan:admin clinical:operations")));
        QSignalSpy answered(&wide, &ConsoleLink::toolInvoked);
        wide.invokeTool("r2", "trial-site.collection", {});
        QTRY_VERIFY_WITH_TIMEOUT(!answered.isEmpty(), 10000);
        QCOMPARE(answered.first().at(0).toString(), QStringLiteral("r2"));
        const QJsonObject ok = answered.first().at(2).toJsonObject();
        QVERIFY2(ok.contains("result"), QJsonDocument(ok).toJson().constData());

        // Without the admin scope nothing of the admin API answers.
        RemoteConsoleLink outsider(options(tokenFor("agent-7", "clinical:operations")));
        QSignalSpy lost(&outsider, &ConsoleLink::connectionChanged);
        outsider.start();
        QTRY_VERIFY_WITH_TIMEOUT(!lost.isEmpty(), 10000);
        QCOMPARE(lost.first().at(0).toBool(), false);
        QVERIFY2(lost.first().at(1).toString().contains("HTTP 403"), qPrintable(lost.first().at(1).toString()));
        QVERIFY(!outsider.isConnected());
    }

    void overridesOverTheAdminApi()
    {
        RemoteConsoleLink link(options(tokenFor("ops-lead", "koan:admin")));
        QSignalSpy entities(&link, &ConsoleLink::entitiesChanged);
        QSignalSpy applied(&link, &ConsoleLink::entityOptionsApplied);
        link.start();
        QTRY_VERIFY_WITH_TIMEOUT(link.isConnected(), 10000);
        const auto trialSite = [&entities] {
            for (const EntitySnapshot &e : entities.last().first().value<QList<EntitySnapshot>>())
                if (e.entity == QLatin1String("TrialSite"))
                    return e;
            return EntitySnapshot{};
        };
        EntityOptions o = trialSite().options;
        QCOMPARE(o.name, QStringLiteral("trial-site"));
        QVERIFY(o.allowMutations);
        o.allowMutations = false;
        link.applyEntityOptions("TrialSite", o);
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 5000);
        QCOMPARE(applied.first().at(1).toBool(), true);
        QVERIFY(!trialSite().options.allowMutations);
        QCOMPARE(trialSite().options.requiredScopes, QStringList{"clinical:operations"}); // the rest kept
        // A refused override answers with the server's reason and changes nothing.
        o.name = QStringLiteral("Not A Prefix");
        link.applyEntityOptions("TrialSite", o);
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 2, 5000);
        QCOMPARE(applied.last().at(1).toBool(), false);
        QVERIFY2(applied.last().at(2).toString().contains("lower-case"), qPrintable(applied.last().at(2).toString()));
        link.resetEntityOptions("TrialSite");
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 3, 5000);
        QCOMPARE(applied.last().at(1).toBool(), true);
        QTRY_VERIFY(trialSite().options.allowMutations);
    }

    void adminApiRefusesBadInputWithJson()
    {
        const QByteArray admin = tokenFor("ops-lead", "koan:admin");
        auto [status, body] = adminCall("POST", "/admin/tools/call", "not json", admin);
        QCOMPARE(status, 400);
        QCOMPARE(body.value("error").toString(), QStringLiteral("invalid_body"));
        std::tie(status, body) = adminCall("POST", "/admin/tools/call", R"({"arguments":{}})", admin);
        QCOMPARE(status, 400);
        std::tie(status, body) = adminCall("POST", "/admin/sessions/disconnect", R"({"sessionId":"nope"})", admin);
        QCOMPARE(status, 404);
        QCOMPARE(body.value("error").toString(), QStringLiteral("unknown_session"));
        std::tie(status, body) = adminCall("POST", "/admin/entities/options", R"({"entity":"TrialSite"})", admin);
        QCOMPARE(status, 400);
        std::tie(status, body) = adminCall("POST", "/admin/entities/reset", R"({"entity":"Nope"})", admin);
        QCOMPARE(status, 400);
        QVERIFY(body.value("message").toString().contains("unknown entity"));
        // Every admin route needs the admin scope, the tool call too.
        std::tie(status, body)
            = adminCall("POST", "/admin/tools/call", R"({"tool":"trial-site.collection","arguments":{}})",
                        tokenFor("agent", "clinical:operations"));
        QCOMPARE(status, 403);
        std::tie(status, body) = adminCall("GET", "/admin/snapshot", {}, tokenFor("agent", "clinical:operations"));
        QCOMPARE(status, 403);
        std::tie(status, body) = adminCall("GET", "/admin/snapshot", {}, admin);
        QCOMPARE(status, 200);
        QCOMPARE(body.value("server").toObject().value("version").toString(), QStringLiteral(KOAN_MCP_VERSION));
    }

    void tasksListedAndCancelledWhenAttached()
    {
        // A server with the task fixtures: slow_compute runs until it is cancelled.
        KoanProcess server;
        QVERIFY2(startFixturesServer(server, "tasks.sqlite"), server.stderrText.constData());
        const QByteArray admin = tokenFor("ops-lead", "koan:admin"), agent = tokenFor("agent-7", "clinical:operations");
        RemoteConsoleLink link(options(admin, server.port));
        QSignalSpy updated(&link, &ConsoleLink::taskUpdated);
        QSignalSpy listed(&link, &ConsoleLink::tasksChanged);
        QSignalSpy answered(&link, &ConsoleLink::taskCancelAnswered);
        link.start();
        QTRY_VERIFY_WITH_TIMEOUT(link.isConnected(), 10000);
        QCOMPARE(listed.size(), 1); // the snapshot's (empty) list
        QVERIFY(listed.first().first().value<QList<TaskSnapshot>>().isEmpty());

        // agent-7 starts a task over the 2026-07-28 path; the console sees it created, with its owner.
        HttpClient client(server.port, true);
        sendToolCall(client, "slow_compute", {{"seconds", 120}, {"label", "attached"}}, agent);
        QVERIFY(client.waitComplete(10000));
        const QString id = answerOf(client)["result"]["taskId"].toString();
        QVERIFY2(!id.isEmpty(), client.response().body.constData());
        const auto event = [&updated, &id](const QString &change) {
            for (const QList<QVariant> &args : updated)
                if (args.at(0).value<TaskSnapshot>().id == id && args.at(1).toString() == change)
                    return args.at(0).value<TaskSnapshot>();
            return TaskSnapshot{};
        };
        QTRY_VERIFY_WITH_TIMEOUT(!event("created").id.isEmpty(), 5000);
        QCOMPARE(event("created").owner, QStringLiteral("agent-7"));
        QCOMPARE(event("created").tool, QStringLiteral("slow_compute"));
        QCOMPARE(event("created").status, QStringLiteral("working"));
        QVERIFY(event("created").createdAt.isValid());
        // A refresh lists it from the store.
        link.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(listed.size(), 2, 5000);
        const QList<TaskSnapshot> tasks = listed.last().first().value<QList<TaskSnapshot>>();
        QCOMPARE(tasks.size(), 1);
        QCOMPARE(tasks.first().id, id);
        QVERIFY(tasks.first().running());

        // The admin API: the list (scope koan:admin only), and clear JSON refusals.
        auto [status, body] = adminCall("GET", "/admin/tasks", {}, admin, server.port);
        QCOMPARE(status, 200);
        const QJsonObject row = body.value("tasks").toArray().at(0).toObject();
        QCOMPARE(row.value("taskId").toString(), id);
        QCOMPARE(row.value("owner").toString(), QStringLiteral("agent-7"));
        QCOMPARE(row.value("tool").toString(), QStringLiteral("slow_compute"));
        QCOMPARE(row.value("status").toString(), QStringLiteral("working"));
        QVERIFY(row.value("progress").isNull());
        QVERIFY(QDateTime::fromString(row.value("createdAt").toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(!row.contains("result"));
        std::tie(status, body) = adminCall("GET", "/admin/tasks", {}, agent, server.port);
        QCOMPARE(status, 403);
        QCOMPARE(body.value("error").toString(), QStringLiteral("forbidden"));
        std::tie(status, body)
            = adminCall("POST", QStringLiteral("/admin/tasks/%1/cancel").arg(id), {}, agent, server.port);
        QCOMPARE(status, 403); // the task's owner is no operator
        std::tie(status, body) = adminCall("GET", "/admin/tasks", {}, {}, server.port);
        QCOMPARE(status, 401);
        std::tie(status, body) = adminCall("POST", "/admin/tasks/no-such-task/cancel", {}, admin, server.port);
        QCOMPARE(status, 404);
        QCOMPARE(body.value("error").toString(), QStringLiteral("unknown_task"));
        QVERIFY2(body.value("message").toString().contains("no-such-task"),
                 qPrintable(body.value("message").toString()));
        std::tie(status, body)
            = adminCall("GET", QStringLiteral("/admin/tasks/%1/cancel").arg(id), {}, admin, server.port);
        QCOMPARE(status, 405);
        QCOMPARE(body.value("error").toString(), QStringLiteral("method_not_allowed"));

        // The attached operator cancels it: answered, then the finished event, and its owner sees it cancelled.
        link.cancelTask(id);
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 5000);
        QCOMPARE(answered.first().at(0).toString(), id);
        QVERIFY2(answered.first().at(1).toBool(), qPrintable(answered.first().at(2).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(!event("finished").id.isEmpty(), 5000);
        QCOMPARE(event("finished").status, QStringLiteral("cancelled"));
        QVERIFY2(event("finished")
                     .statusMessage.startsWith(
                         QStringLiteral("cancelled by the operator %1|ops-lead").arg(QString::fromLatin1(kIss))),
                 qPrintable(event("finished").statusMessage));
        client.send("POST", "/mcp", modernHeaders("tasks/get", id, agent),
                    modernRequest(2, "tasks/get", {{"taskId", id}}));
        QVERIFY(client.waitComplete(5000));
        QCOMPARE(answerOf(client)["result"]["status"].toString(), QStringLiteral("cancelled"));
        // Once more: it has finished, and the console says so.
        link.cancelTask(id);
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 2, 5000);
        QCOMPARE(answered.last().at(1).toBool(), false);
        QVERIFY2(answered.last().at(2).toString().contains("HTTP 409 task_finished"),
                 qPrintable(answered.last().at(2).toString()));
        link.stop();
        server.signal(SIGTERM);
        QVERIFY(server.waitExit());
    }

    void workbenchAttached()
    {
        // The tool-call event carries the workbench's record (trace id, subject, era, raw JSON-RPC),
        // and an attached operator call is cancelled in flight over the admin API, by its caller only.
        KoanProcess server;
        QVERIFY2(startFixturesServer(server, "workbench.sqlite"), server.stderrText.constData());
        const QByteArray admin = tokenFor("ops-lead", "koan:admin"), agent = tokenFor("agent-7", "clinical:operations");
        RemoteConsoleLink link(options(admin, server.port));
        QSignalSpy calls(&link, &ConsoleLink::toolCallFinished);
        QSignalSpy invoked(&link, &ConsoleLink::toolInvoked);
        QSignalSpy failed(&link, &ConsoleLink::commandFailed);
        link.start();
        QTRY_VERIFY_WITH_TIMEOUT(link.isConnected(), 10000);

        HttpClient client(server.port, true);
        QJsonObject message
            = QJsonDocument::fromJson(
                  modernRequest(5, "tools/call", {{"name", "greet"}, {"arguments", QJsonObject{{"name", "Attached"}}}},
                                false))
                  .object();
        QJsonObject params = message["params"].toObject(), meta = params["_meta"].toObject();
        meta.insert("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        params.insert("_meta", meta);
        message.insert("params", params);
        client.send("POST", "/mcp", modernHeaders("tools/call", "greet", agent),
                    QJsonDocument(message).toJson(QJsonDocument::Compact));
        QVERIFY(client.waitComplete(10000));
        QCOMPARE(client.response().status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(!calls.isEmpty(), 5000);
        const ToolCallRecord r = calls.last().first().value<ToolCallRecord>();
        QCOMPARE(r.tool, QStringLiteral("greet"));
        QCOMPARE(r.traceId, QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
        QCOMPARE(r.subject, QStringLiteral("agent-7"));
        QCOMPARE(r.era, ProtocolEra::Modern);
        QCOMPARE(r.transport, TransportKind::StreamableHttp);
        QCOMPARE(r.outcome, QStringLiteral("ok"));
        QCOMPARE(r.requestId.toInt(), 5);
        QCOMPARE(r.request["params"]["_meta"]["traceparent"].toString(),
                 QStringLiteral("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        QVERIFY(r.response["result"]["content"][0]["text"].toString().contains("Hello, Attached!"));
        QCOMPARE(r.result, r.response["result"].toObject()); // sent once, put back together
        QVERIFY(r.time.isValid());

        // The window attached shows it with its trace id.
        {
            ui::MainWindow window(&link);
            client.send("POST", "/mcp", modernHeaders("tools/call", "greet", agent),
                        QJsonDocument(message).toJson(QJsonDocument::Compact));
            QVERIFY(client.waitComplete(10000));
            QTRY_VERIFY_WITH_TIMEOUT(window.toolCallsModel()->rowCount() >= 1, 5000);
            QCOMPARE(window.toolCallsModel()
                         ->index(window.toolCallsModel()->rowCount() - 1, ui::ToolCallsModel::TraceId)
                         .data()
                         .toString(),
                     QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
        }

        // A slow operator call, cancelled through the link once the server runs it (until then the
        // cancel is 404 unknown_call and is tried again). Another principal cannot cancel it.
        link.invokeTool("invoke-slow", "slow_compute", {{"seconds", 60}, {"label", "attached"}});
        QElapsedTimer timer;
        timer.start();
        const QByteArray other = tokenFor("other-admin", "koan:admin");
        QCOMPARE(adminCall("POST", "/admin/tool-calls/invoke-slow/cancel", {}, other, server.port).first, 404);
        for (int attempt = 0; attempt < 20 && invoked.isEmpty(); ++attempt) {
            const qsizetype refusals = failed.size();
            link.cancelInvocation("invoke-slow");
            QTest::qWaitFor([&] { return !invoked.isEmpty() || failed.size() > refusals; }, 3000);
            if (failed.size() > refusals) {
                QVERIFY2(failed.last().at(1).toString().contains("unknown_call"),
                         qPrintable(failed.last().at(1).toString()));
                QTest::qWait(200);
            }
        }
        QTRY_VERIFY_WITH_TIMEOUT(!invoked.isEmpty(), 5000);
        QVERIFY2(timer.elapsed() < 30000, "the call ran to its end instead of being cancelled");
        QCOMPARE(invoked.last().at(0).toString(), QStringLiteral("invoke-slow"));
        QVERIFY(invoked.last().at(2).toJsonObject().isEmpty()); // a cancelled request is not answered
        QTRY_VERIFY_WITH_TIMEOUT(calls.last().first().value<ToolCallRecord>().tool == "slow_compute", 5000);
        const ToolCallRecord cancelled = calls.last().first().value<ToolCallRecord>();
        QCOMPARE(cancelled.outcome, QStringLiteral("cancelled"));
        QCOMPARE(cancelled.subject, QStringLiteral("ops-lead"));
        QCOMPARE(cancelled.transport, TransportKind::Operator);
        // Finished: nothing to cancel; a bad callId is refused with JSON.
        const auto gone = adminCall("POST", "/admin/tool-calls/invoke-slow/cancel", {}, admin, server.port);
        QCOMPARE(gone.first, 404);
        QCOMPARE(gone.second["error"].toString(), QStringLiteral("unknown_call"));
        const QByteArray badBody
            = QJsonDocument(QJsonObject{{"tool", "greet"}, {"callId", "a b/c"}}).toJson(QJsonDocument::Compact);
        const auto bad = adminCall("POST", "/admin/tools/call", badBody, admin, server.port);
        QCOMPARE(bad.first, 400);
        QCOMPARE(bad.second["error"].toString(), QStringLiteral("invalid_body"));
        link.stop();
        server.signal(SIGTERM);
        QVERIFY(server.waitExit());
    }

    void eventStreamKeepsAliveAndNoticesSilence()
    {
        // On the wire: the snapshot first, then a keep-alive comment every SseKeepAliveInterval (500 ms here).
        QNetworkAccessManager net;
        QNetworkRequest r = adminRequest("/admin/events", tokenFor("ops-lead", "koan:admin"));
        QNetworkReply *raw = net.get(r);
        QByteArray seen;
        connect(raw, &QNetworkReply::readyRead, raw, [&] { seen += raw->readAll(); });
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains(": keepalive"), 5000);
        QVERIFY(seen.startsWith("event: snapshot\ndata: {"));
        QCOMPARE(raw->header(QNetworkRequest::ContentTypeHeader).toString(), QStringLiteral("text/event-stream"));
        raw->abort();
        raw->deleteLater();

        // A server that stops answering (SIGSTOP: the socket stays open) is noticed after three silent
        // keep-alive intervals; once it runs again the link reconnects by itself.
        RemoteConsoleLink link(options(tokenFor("ops-lead", "koan:admin")));
        QSignalSpy changes(&link, &ConsoleLink::connectionChanged);
        link.start();
        QTRY_VERIFY_WITH_TIMEOUT(link.isConnected(), 10000);
        m_server->signal(SIGSTOP);
        QTRY_VERIFY_WITH_TIMEOUT(!link.isConnected(), 8000);
        m_server->signal(SIGCONT);
        QVERIFY2(changes.last().at(1).toString().contains("nothing received"),
                 qPrintable(changes.last().at(1).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(link.isConnected(), 10000);
    }

    void consoleWindowAttachedShowsLogsAndReconnects()
    {
        RemoteConsoleLink link(options(tokenFor("ops-lead", "koan:admin clinical:operations")));
        ui::MainWindow window(&link);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.windowTitle().contains(url()));
        link.start();
        QTRY_VERIFY_WITH_TIMEOUT(link.isConnected(), 10000);
        QVERIFY(!window.connectionBanner()->isVisible());
        QTRY_COMPARE(window.entitiesModel()->rowCount(), 5);
        QVERIFY(window.logsModel()->rowCount() > 0);
        QCOMPARE(window.tabs()->tabText(window.tabs()->indexOf(window.logsPage())), QStringLiteral("Logs"));

        // Traffic: a client session and a tool call of its show up on their pages.
        QNetworkAccessManager net;
        const QString sid = openMcpSession(net, tokenFor("agent-7", "clinical:operations"));
        QVERIFY(!sid.isEmpty());
        QTRY_VERIFY(window.sessionsModel()->rowCount() >= 1);
        link.invokeTool("w1", "trial-site.collection", {});
        QTRY_VERIFY_WITH_TIMEOUT(window.toolCallsModel()->rowCount() >= 1, 5000);
        // The Overview's per-tool latency arrives over the event stream (tool-latency), aggregated
        // by the server; the Cluster page says single node (this server runs on SQLite).
        ui::ToolLatencyModel *latency = window.overviewPage()->toolLatencyModel();
        QTRY_VERIFY_WITH_TIMEOUT(latency->rowOf("trial-site.collection") >= 0, 5000);
        QVERIFY(latency->tool(latency->rowOf("trial-site.collection")).calls >= 1);
        QVERIFY(window.clusterPage()->status()->text().contains("Single node (SQLite)"));

        // The rollback switch pulled through the admin API, with a reason that carries a token:
        // the log record reaches the Logs page live, redacted as in the log output.
        const QByteArray secret = tokenFor("leaked", "x");
        HttpSseSwitch off;
        off.enabled = false;
        off.reason = QStringLiteral("INC-4711 rollback, pasted by mistake: ") + QString::fromLatin1(secret);
        link.setHttpSse(off);
        ui::LogsPage *logs = window.logsPage();
        logs->search()->setText(QStringLiteral("INC-4711"));
        QTRY_COMPARE_WITH_TIMEOUT(logs->visibleRows(), 1, 5000);
        LogRecord record;
        for (int row = 0; row < window.logsModel()->rowCount(); ++row)
            if (window.logsModel()->record(row).message.contains("INC-4711"))
                record = window.logsModel()->record(row);
        QVERIFY2(record.message.contains("[redacted-jwt]"), qPrintable(record.message));
        QVERIFY(!record.message.contains(QString::fromLatin1(secret)));
        QCOMPARE(record.category, QStringLiteral("koan.admin"));
        QVERIFY(record.message.contains("by https://issuer.attach.test|ops-lead")); // the token's principal
        // The level filter: the switch is logged as a warning, the startup banner as info.
        logs->search()->clear();
        const int all = logs->visibleRows();
        logs->levelFilter()->setCurrentIndex(2); // warnings and errors
        QVERIFY(logs->visibleRows() >= 1);
        QVERIFY(logs->visibleRows() < all);
        logs->levelFilter()->setCurrentIndex(0);
        QCOMPARE(logs->visibleRows(), all);
        HttpSseSwitch on;
        link.setHttpSse(on);

        if (const QString dir = qEnvironmentVariable("KOAN_SCREENSHOT_DIR"); !dir.isEmpty()) {
            window.tabs()->setCurrentWidget(logs);
            logs->levelFilter()->setCurrentIndex(1);
            QTest::qWait(200);
            QVERIFY(window.grab().save(dir + QStringLiteral("/console-logs.png")));
            logs->levelFilter()->setCurrentIndex(0);
        }

        // The server goes away: its sessions end first (server_shutdown, seen live), then the
        // stream's `shutdown` event and the loss; the window says so and keeps the rest of its picture.
        QSignalSpy ended(&link, &ConsoleLink::sessionClosed);
        QSignalSpy events(&link, &RemoteConsoleLink::eventReceived);
        const quint16 port = m_port;
        m_server->signal(SIGTERM);
        QVERIFY(m_server->waitExit());
        QCOMPARE(m_server->process.exitCode(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!link.isConnected(), 5000);
        QVERIFY(!ended.isEmpty());
        QCOMPARE(ended.last().at(1).toString(), QStringLiteral("server_shutdown"));
        QCOMPARE(events.last().at(0).toString(), QStringLiteral("shutdown"));
        QCOMPARE(window.sessionsModel()->rowCount(), 0);
        bool endedAtShutdown = false; // ended live, with its reason
        for (int row = 0; row < window.sessionHistoryModel()->rowCount(); ++row)
            endedAtShutdown = endedAtShutdown
                              || window.sessionHistoryModel()->ended(row).reason == QLatin1String("server_shutdown");
        QVERIFY(endedAtShutdown);
        QVERIFY(window.overviewPage()->sampleCount() > 0); // a sample a second over the stream
        QTRY_VERIFY(window.connectionBanner()->isVisible());
        QVERIFY2(window.connectionBanner()->text().contains(url()), qPrintable(window.connectionBanner()->text()));
        QVERIFY(window.connectionBanner()->text().contains("Reconnecting"));
        QVERIFY(!window.transportBar()->isEnabled());
        QVERIFY(window.entitiesModel()->rowCount() == 5);
        if (const QString dir = qEnvironmentVariable("KOAN_SCREENSHOT_DIR"); !dir.isEmpty()) {
            window.tabs()->setCurrentIndex(1);
            QTest::qWait(200);
            QVERIFY(window.grab().save(dir + QStringLiteral("/console-attach-disconnected.png")));
        }

        // It comes back on the same port: the console reconnects by itself, from a fresh snapshot.
        QVERIFY2(startServer(port), m_server->stderrText.constData());
        QTRY_VERIFY_WITH_TIMEOUT(link.isConnected(), 15000);
        QTRY_VERIFY(!window.connectionBanner()->isVisible());
        QVERIFY(window.transportBar()->isEnabled());
        QTRY_COMPARE(window.sessionsModel()->rowCount(), 0); // the restarted server has no sessions yet
        for (const char *agent : {"agent-8", "agent-9", "agent-10"})
            QVERIFY(openMcpSession(net, tokenFor(agent, "clinical:operations")).size() > 0);
        QTRY_COMPARE_WITH_TIMEOUT(window.sessionsModel()->rowCount(), 3, 5000);
        if (const QString dir = qEnvironmentVariable("KOAN_SCREENSHOT_DIR"); !dir.isEmpty()) {
            window.tabs()->setCurrentIndex(1);
            QTest::qWait(300);
            QVERIFY(window.grab().save(dir + QStringLiteral("/console-attach.png")));
        }
    }

    void checkExitCodes()
    {
        const QByteArray good = tokenFor("ops-lead", "koan:admin");
        const QString goodFile = writeFile("admin.token", good + "\n");
        CheckRun ok = runCheck({"--attach", url(), "--token-file", goodFile, "--cacert", m_cert});
        QVERIFY2(ok.exitCode == 0, ok.err.constData());
        QVERIFY2(ok.out.contains("server: koan-mcp " KOAN_MCP_VERSION), ok.out.constData());
        QVERIFY(ok.out.contains("first event: snapshot"));
        QVERIFY(ok.out.contains("sessions: "));
        QVERIFY(!ok.out.contains(good) && !ok.err.contains(good));

        // A token from the right issuer that expired: refused, the reason printed, never the token.
        const QByteArray expired = tokenFor("ops-lead", "koan:admin", -3600);
        CheckRun bad
            = runCheck({"--attach", url(), "--token-file", writeFile("expired.token", expired), "--cacert", m_cert});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("HTTP 401"), bad.err.constData());
        QVERIFY(!bad.out.contains(expired) && !bad.err.contains(expired));
        // No admin scope: 403.
        CheckRun scope
            = runCheck({"--attach", url(), "--token-file",
                        writeFile("agent.token", tokenFor("agent", "clinical:operations")), "--cacert", m_cert});
        QCOMPARE(scope.exitCode, 1);
        QVERIFY2(scope.err.contains("HTTP 403"), scope.err.constData());
        // TLS is verified: without --cacert the self-signed certificate is not trusted.
        CheckRun untrusted = runCheck({"--attach", url(), "--token-file", goodFile});
        QCOMPARE(untrusted.exitCode, 1);
        QVERIFY(!untrusted.err.isEmpty());
        // Plain HTTP to a non-loopback host is refused before anything is sent.
        CheckRun plain = runCheck({"--attach", "http://192.0.2.10:5114", "--token-file", goodFile});
        QCOMPARE(plain.exitCode, 1);
        QVERIFY2(plain.err.contains("only allowed for a loopback server"), plain.err.constData());
        // No token: this server requires authentication, so the admin API says 401.
        CheckRun anonymous = runCheck({"--attach", url(), "--cacert", m_cert});
        QCOMPARE(anonymous.exitCode, 1);
        QVERIFY2(anonymous.err.contains("HTTP 401"), anonymous.err.constData());
        // A Development server with authentication off accepts loopback admin calls without a token,
        // over plain http:// to loopback.
        KoanProcess dev;
        QVERIFY2(dev.start({"--db", ":memory:"}), dev.stderrText.constData());
        CheckRun local = runCheck({"--attach", QStringLiteral("http://127.0.0.1:%1").arg(dev.port)});
        QVERIFY2(local.exitCode == 0, local.err.constData());
        QVERIFY(local.out.contains("authentication off"));
        dev.signal(SIGTERM);
        QVERIFY(dev.waitExit());
        // Nobody listening.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 closedPort = probe.serverPort();
        probe.close();
        CheckRun unreachable
            = runCheck({"--attach", QStringLiteral("https://127.0.0.1:%1").arg(closedPort), "--token-file", goodFile});
        QCOMPARE(unreachable.exitCode, 1);
        QVERIFY2(unreachable.err.contains("refused"), unreachable.err.constData());
    }

    void cleanupTestCase()
    {
        if (m_server) {
            m_server->signal(SIGTERM);
            m_server->waitExit();
        }
    }
};

QTEST_MAIN(TestConsoleAttach)
#include "tst_console_attach.moc"
