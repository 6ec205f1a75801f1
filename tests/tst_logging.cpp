// Structured logs: JSON lines with level/category/session id; tokens never reach the output.
// Unit tests of the formatter, then the real binary with --log-format json end to end.
#include "logging/LogFeed.h"
#include "logging/LogSink.h"
#include "security/DevTokenIssuer.h"
#include "support/HttpClient.h"
#include "support/KoanProcess.h"
#include "support/ModernRpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>
#include <QTest>
#include <csignal>

using koan::LogSink;
using namespace koan::test;

Q_LOGGING_CATEGORY(lcTest, "koan.test")

namespace {
const QString kTraceparent = QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
const QString kTraceId = QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736");

// A 2026-07-28 tools/call whose _meta carries `traceparent` besides the required keys.
QByteArray modernToolCall(int id, const QString &tool, const QString &traceparent)
{
    QJsonObject params{{"name", tool}, {"arguments", QJsonObject{}}};
    params.insert("_meta", QJsonObject{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                       {"io.modelcontextprotocol/clientCapabilities", QJsonObject{}},
                                       {"traceparent", traceparent}});
    return rpc(id, "tools/call", params);
}

QList<QJsonObject> jsonLines(const QList<QByteArray> &lines, QString *problem)
{
    QList<QJsonObject> out;
    for (const QByteArray &l : lines) {
        QJsonParseError err;
        const QJsonDocument d = QJsonDocument::fromJson(l, &err);
        if (err.error != QJsonParseError::NoError || !d.isObject()) {
            *problem = QStringLiteral("not a JSON object: ") + QString::fromUtf8(l);
            return out;
        }
        const QJsonObject o = d.object();
        for (const char *k : {"ts", "level", "category", "msg"})
            if (!o.value(QLatin1String(k)).isString()) {
                *problem = QStringLiteral("no %1 in: ").arg(QLatin1String(k)) + QString::fromUtf8(l);
                return out;
            }
        out.append(o);
    }
    return out;
}
} // namespace

class TestLogging : public QObject
{
    Q_OBJECT
private slots:
    void jsonLineHasFields()
    {
        const QByteArray line
            = LogSink::format(QtWarningMsg, "koan.sessions",
                              QStringLiteral("closing session 0123456789abcdef0123456789abcdef after 5 ms"),
                              LogSink::Format::Json, QStringLiteral("0123456789abcdef0123456789abcdef"));
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        QCOMPARE(o.value("level").toString(), QStringLiteral("warning"));
        QCOMPARE(o.value("category").toString(), QStringLiteral("koan.sessions"));
        QCOMPARE(o.value("sessionId").toString(), QStringLiteral("0123456789abcdef0123456789abcdef"));
        QVERIFY(o.value("ts").toString().endsWith('Z'));
    }

    void sessionIdIsNeverGuessedFromTheText()
    {
        // A client can put 32 hex characters into anything that gets logged (a path, a subject).
        const QByteArray line = LogSink::format(
            QtWarningMsg, "koan.auth",
            QStringLiteral("auth failure: missing_token from 10.0.0.1 on /mcp/fedcba9876543210fedcba9876543210"),
            LogSink::Format::Json);
        QVERIFY2(!QJsonDocument::fromJson(line).object().contains("sessionId"), line.constData());
        // The scope names the real one; scopes nest and end.
        {
            const LogSink::SessionScope outer(QStringLiteral("11111111111111111111111111111111"));
            {
                const LogSink::SessionScope inner(QStringLiteral("22222222222222222222222222222222"));
                QCOMPARE(LogSink::currentSession(), QStringLiteral("22222222222222222222222222222222"));
            }
            QCOMPARE(LogSink::currentSession(), QStringLiteral("11111111111111111111111111111111"));
        }
        QVERIFY(LogSink::currentSession().isEmpty());
        // Plain text names the session when the message does not.
        QCOMPARE(LogSink::format(QtWarningMsg, "koan.auth", QStringLiteral("auth failure: tool_forbidden"),
                                 LogSink::Format::Plain, QStringLiteral("33333333333333333333333333333333")),
                 QByteArray("koan.auth: auth failure: tool_forbidden [session 33333333333333333333333333333333]\n"));
    }

    // The real binary with --log-format json: every stderr line is a JSON object with level and
    // category; session lines carry the real session id (and a faked one is never taken); no token
    // and no tool argument value appears; configured patterns are masked.
    void endToEndJsonLogs()
    {
        KoanProcess koan;
        const QString key = koan.home.filePath("dev-issuer.pem");
        QProcessEnvironment env;
        env.insert("QT_LOGGING_RULES", "koan.*.debug=true"); // per-session open/close lines too
        QVERIFY2(koan.start({"--log-format", "json", "--db", ":memory:", "--set", "RequireAuthentication=true", "--set",
                             "Auth:DevIssuerKeyFile=" + key, "--set",
                             "EntityOverrides:ProtocolDocument:RequiredScopes=clinical:documents", "--set",
                             "Logging:RedactPatterns:0=P-\\d{4}"},
                            env),
                 koan.stderrText.constData());
        koan::DevTokenIssuer issuer;
        QString error;
        QVERIFY2(issuer.loadOrCreate(key, &error), qPrintable(error));
        const QByteArray token = issuer.issue("alice", {"clinical:operations"}, 600,
                                              QStringLiteral("http://127.0.0.1:%1/mcp").arg(koan.port));
        const QByteArray fakeSession = "fedcba9876543210fedcba9876543210";
        const QByteArray argSecret = "ARGVALUE-do-not-log-4711";

        HttpClient c(koan.port);
        // Auth failures: no token on a path carrying a fake session id, a bad token, a redacted pattern.
        QCOMPARE(c.request("GET", "/mcp/" + fakeSession).status, 401);
        const QByteArray badToken = token.left(token.lastIndexOf('.')) + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        QCOMPARE(c.request("GET", "/mcp/capabilities", {{"Authorization", "Bearer " + badToken}}).status, 401);
        QCOMPARE(c.request("GET", "/mcp/P-1234").status, 401);

        // A Streamable session: a tool call with an argument value, and a denied call (tool_forbidden).
        HttpResponse r = c.request("POST", "/mcp", streamableHeaders({}, token), rpc(1, "initialize", initParams()));
        QCOMPARE(r.status, 200);
        const QByteArray sid = r.header("Mcp-Session-Id");
        c.request("POST", "/mcp", streamableHeaders(sid, token), rpc(QJsonValue(), "notifications/initialized"));
        c.request("POST", "/mcp", streamableHeaders(sid, token),
                  rpc(2, "tools/call",
                      {{"name", "trial-site.collection"},
                       {"arguments", QJsonObject{{"filter", QString::fromLatin1(argSecret)}}}}));
        c.request("POST", "/mcp", streamableHeaders(sid, token),
                  rpc(3, "tools/call",
                      {{"name", "protocol-document.collection"},
                       {"arguments", QJsonObject{{"q", QString::fromLatin1(argSecret)}}},
                       {"_meta", QJsonObject{{"traceparent", kTraceparent}}}}));
        QCOMPARE(c.request("DELETE", "/mcp", streamableHeaders(sid, token)).status, 200);

        koan.signal(SIGTERM);
        QVERIFY(koan.waitExit());
        QCOMPARE(koan.process.exitCode(), 0);

        QString problem;
        const QList<QJsonObject> records = jsonLines(koan.stderrLines(), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(records.size() >= 8);
        QVERIFY2(!koan.stderrText.contains(token) && !koan.stderrText.contains(badToken.left(40)),
                 "a token reached the log");
        QVERIFY2(!koan.stderrText.contains(token.split('.').value(1)), "a token's claims reached the log");
        QVERIFY2(!koan.stderrText.contains(argSecret), "a tool argument value reached the log");
        QVERIFY2(!koan.stderrText.contains("P-1234"), "a configured redaction pattern was not applied");
        const QSet<QString> levels{"debug", "info", "warning", "error", "fatal"};
        bool opened = false, closed = false, forbidden = false, banner = false, stopped = false;
        for (const QJsonObject &o : records) {
            QVERIFY2(levels.contains(o["level"].toString()), qPrintable(o["level"].toString()));
            QVERIFY2(o["category"].toString().startsWith("koan."), qPrintable(o["category"].toString()));
            QVERIFY2(o["sessionId"].toString() != QString::fromLatin1(fakeSession),
                     "sessionId guessed from the message text");
            const QString msg = o["msg"].toString();
            if (o["category"] == "koan.sessions" && msg.contains("opened via StreamableHttp")) {
                opened = true;
                QCOMPARE(o["sessionId"].toString(), QString::fromLatin1(sid));
                QCOMPARE(o["level"].toString(), QStringLiteral("debug"));
            }
            if (o["category"] == "koan.sessions" && msg.contains("closed: deleted_by_client")) {
                closed = true;
                QCOMPARE(o["sessionId"].toString(), QString::fromLatin1(sid));
            }
            if (msg.contains("tool_forbidden")) {
                forbidden = true;
                QCOMPARE(o["level"].toString(), QStringLiteral("warning"));
                QCOMPARE(o["sessionId"].toString(), QString::fromLatin1(sid));
                QCOMPARE(o["traceId"].toString(), kTraceId); // the denied request's traceparent
            }
            if (o.contains("traceId"))
                QVERIFY2(msg.contains("tool_forbidden") || msg.contains("protocol-document.collection"),
                         qPrintable(msg));
            if (msg.contains("auth failure") && !msg.contains("tool_forbidden"))
                QVERIFY2(!o.contains("sessionId"), qPrintable(msg));
            banner = banner || (o["category"] == "koan.app" && msg.contains("headless") && msg.contains("metrics:"));
            stopped = stopped || msg.contains("stopped cleanly");
        }
        QVERIFY(opened);
        QVERIFY(closed);
        QVERIFY(forbidden);
        QVERIFY(banner);
        QVERIFY(stopped);
    }

    // A record logged inside a TraceScope carries its trace id: the JSON field, the plain-text
    // suffix and the LogFeed record the console's Logs page shows.
    void traceScopeNamesTheTrace()
    {
        const QByteArray json = LogSink::format(QtInfoMsg, "koan.rpc", QStringLiteral("tools/call x ok"),
                                                LogSink::Format::Json, QString(), kTraceId);
        QCOMPARE(QJsonDocument::fromJson(json).object().value("traceId").toString(), kTraceId);
        QVERIFY(!QJsonDocument::fromJson(LogSink::format(QtInfoMsg, "koan.rpc", "x", LogSink::Format::Json))
                     .object()
                     .contains("traceId"));
        QCOMPARE(LogSink::format(QtInfoMsg, "koan.rpc", QStringLiteral("tools/call x ok"), LogSink::Format::Plain,
                                 QStringLiteral("33333333333333333333333333333333"), kTraceId),
                 QByteArray("koan.rpc: tools/call x ok [session 33333333333333333333333333333333] [trace ")
                     + kTraceId.toLatin1() + "]\n");
        {
            const LogSink::TraceScope outer(kTraceId);
            {
                const LogSink::TraceScope inner(QString{});
                QVERIFY(LogSink::currentTrace().isEmpty());
            }
            QCOMPARE(LogSink::currentTrace(), kTraceId);
        }
        QVERIFY(LogSink::currentTrace().isEmpty());

        const QtMessageHandler previous = qInstallMessageHandler(nullptr);
        LogSink::install(LogSink::Format::Json);
        {
            const LogSink::TraceScope trace(kTraceId);
            qCInfo(lcTest) << "inside the trace";
        }
        qCInfo(lcTest) << "outside the trace";
        qInstallMessageHandler(previous);
        const QList<koan::LogRecord> records = koan::LogFeed::instance()->recent();
        QVERIFY(records.size() >= 2);
        QCOMPARE(records.at(records.size() - 2).message, QStringLiteral("inside the trace"));
        QCOMPARE(records.at(records.size() - 2).traceId, kTraceId);
        QCOMPARE(records.last().message, QStringLiteral("outside the trace"));
        QVERIFY(records.last().traceId.isEmpty());
    }

    // The real binary: a tools/call's log line names the W3C trace id of its _meta.traceparent, in
    // the 2026-07-28 era and in a 2025 session; a malformed traceparent adds nothing.
    void toolCallLinesCarryTheTraceId()
    {
        KoanProcess koan;
        QProcessEnvironment env;
        env.insert("QT_LOGGING_RULES", "koan.rpc.debug=true"); // the per-call lines
        QVERIFY2(koan.start({"--log-format", "json", "--db", ":memory:"}, env), koan.stderrText.constData());
        HttpClient c(koan.port);
        HttpResponse r = c.request("POST", "/mcp", modernHeaders("tools/call", "trial-site.collection"),
                                   modernToolCall(1, "trial-site.collection", kTraceparent));
        QCOMPARE(r.status, 200);
        QVERIFY2(rpcAnswer(r).contains("result"), r.body.constData());
        // Upper-case hex is not a valid traceparent: the call runs, its line names no trace.
        r = c.request("POST", "/mcp", modernHeaders("tools/call", "adverse-event-report.collection"),
                      modernToolCall(2, "adverse-event-report.collection", kTraceparent.toUpper()));
        QCOMPARE(r.status, 200);
        QVERIFY2(rpcAnswer(r).contains("result"), r.body.constData());
        // A 2025-11-25 session's tools/call with the same _meta key.
        const QString sessionTrace = QStringLiteral("0af7651916cd43dd8448eb211c80319c");
        r = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams("2025-11-25")));
        QCOMPARE(r.status, 200);
        const QByteArray sid = r.header("Mcp-Session-Id");
        c.request("POST", "/mcp", streamableHeaders(sid), rpc(QJsonValue(), "notifications/initialized"));
        r = c.request("POST", "/mcp", streamableHeaders(sid),
                      rpc(2, "tools/call",
                          {{"name", "monitoring-note.collection"},
                           {"arguments", QJsonObject{}},
                           {"_meta", QJsonObject{{"traceparent", "00-" + sessionTrace + "-b7ad6b7169203331-01"}}}}));
        QVERIFY2(rpcAnswer(r).contains("result"), r.body.constData());
        // The admin API's log records (the snapshot an attached console starts from) keep the trace id.
        const HttpResponse snapshot = c.request("GET", "/admin/snapshot");
        QCOMPARE(snapshot.status, 200);
        bool inSnapshot = false;
        for (const QJsonValue &v : snapshot.json()["logs"].toArray())
            inSnapshot = inSnapshot
                         || (v["traceId"].toString() == kTraceId
                             && v["msg"].toString().startsWith("tools/call trial-site.collection ok"));
        QVERIFY2(inSnapshot, snapshot.body.constData());
        koan.signal(SIGTERM);
        QVERIFY(koan.waitExit());

        QString problem;
        const QList<QJsonObject> records = jsonLines(koan.stderrLines(), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const auto lineOf = [&](const QString &tool) {
            for (const QJsonObject &o : records)
                if (o["category"] == "koan.rpc" && o["msg"].toString().startsWith("tools/call " + tool + " ok"))
                    return o;
            return QJsonObject{};
        };
        const QJsonObject modern = lineOf("trial-site.collection");
        QVERIFY2(!modern.isEmpty(), koan.stderrText.constData());
        QCOMPARE(modern["traceId"].toString(), kTraceId);
        QCOMPARE(modern["level"].toString(), QStringLiteral("debug"));
        const QJsonObject malformed = lineOf("adverse-event-report.collection");
        QVERIFY2(!malformed.isEmpty(), koan.stderrText.constData());
        QVERIFY2(!malformed.contains("traceId"), qPrintable(QJsonDocument(malformed).toJson()));
        const QJsonObject legacy = lineOf("monitoring-note.collection");
        QVERIFY2(!legacy.isEmpty(), koan.stderrText.constData());
        QCOMPARE(legacy["traceId"].toString(), sessionTrace);
        QCOMPARE(legacy["sessionId"].toString(), QString::fromLatin1(sid));
        QVERIFY2(!koan.stderrText.contains(kTraceparent.toUpper().toLatin1()), "a malformed traceparent was logged");
    }

    void fatalStartupErrorsAreJsonLines()
    {
        for (const QStringList &args : {QStringList{"--log-format", "json", "--set", "NoSuchSetting=1"},
                                        QStringList{"--log-format", "json", "--port", "not-a-port"}}) {
            QProcess p;
            QTemporaryDir home;
            p.setProcessEnvironment(isolatedEnvironment(home.path()));
            p.start(KOAN_MCP_BINARY, QStringList{"--headless", "--db", ":memory:"} + args);
            QVERIFY(p.waitForFinished(10000));
            QCOMPARE(p.exitCode(), 2);
            QString problem;
            QList<QByteArray> lines = p.readAllStandardError().split('\n');
            lines.removeAll(QByteArray());
            const QList<QJsonObject> records = jsonLines(lines, &problem);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
            QVERIFY(!records.isEmpty());
            const QJsonObject last = records.last();
            QCOMPARE(last["level"].toString(), QStringLiteral("fatal"));
            QCOMPARE(last["category"].toString(), QStringLiteral("koan.app"));
            QVERIFY(!last["problems"].toArray().isEmpty());
        }
        // Plain text stays the familiar block.
        QProcess p;
        QTemporaryDir home;
        p.setProcessEnvironment(isolatedEnvironment(home.path()));
        p.start(KOAN_MCP_BINARY, {"--headless", "--db", ":memory:", "--set", "NoSuchSetting=1"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.startsWith("koan-mcp: configuration error\n  - "), err.constData());
    }

    void bannerOmitsDisabledMetrics()
    {
        KoanProcess koan;
        QVERIFY2(koan.start({"--db", ":memory:", "--set", "Metrics:Enabled=false"}), koan.stderrText.constData());
        QVERIFY(QTest::qWaitFor([&] { return koan.stderrText.contains("headless |"); }, 5000));
        QVERIFY2(!koan.stderrText.contains("metrics:"), koan.stderrText.constData());
        koan.signal(SIGINT);
        QVERIFY(koan.waitExit());
        QCOMPARE(koan.process.exitCode(), 0);
    }

    void tokensAreRedacted()
    {
        const QString jwt = QStringLiteral("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl");
        for (auto format : {LogSink::Format::Plain, LogSink::Format::Json}) {
            const QByteArray a
                = LogSink::format(QtInfoMsg, "koan.auth", QStringLiteral("Authorization: Bearer abc.def-123"), format);
            QVERIFY2(!a.contains("abc.def-123") && a.contains("[redacted]"), a.constData());
            const QByteArray b = LogSink::format(QtInfoMsg, "koan.auth", QStringLiteral("token ") + jwt, format);
            QVERIFY2(!b.contains(jwt.toLatin1()) && b.contains("[redacted-jwt]"), b.constData());
        }
    }

    void redactionTakesOnlyTheToken()
    {
        const auto plain
            = [](const QString &m) { return LogSink::format(QtInfoMsg, "koan.auth", m, LogSink::Format::Plain); };
        // The audit line of a non-Bearer Authorization header: "bearer" is part of the reason, not a scheme.
        QCOMPARE(plain("auth failure: not_bearer from 127.0.0.1 on /mcp"),
                 QByteArray("koan.auth: auth failure: not_bearer from 127.0.0.1 on /mcp\n"));
        QCOMPARE(plain("Use the Bearer authentication scheme"),
                 QByteArray("koan.auth: Use the Bearer authentication scheme\n"));
        QCOMPARE(plain("Authorization: BEARER abc.def-123 from 10.0.0.1"),
                 QByteArray("koan.auth: Authorization: BEARER [redacted] from 10.0.0.1\n"));
        QCOMPARE(plain("Authorization: Bearer abcdefghijklmnopqrstuvwxyz"),
                 QByteArray("koan.auth: Authorization: Bearer [redacted]\n"));
    }

    void controlCharactersCannotForgeLines()
    {
        // An unverified subject or a percent-decoded path carrying CR/LF stays on its own line.
        const QString forged
            = QStringLiteral("auth failure: bad_signature subject mallory\nkoan.auth: auth ok\r\x1b[31m");
        const QByteArray plain = LogSink::format(QtWarningMsg, "koan.auth", forged, LogSink::Format::Plain);
        QCOMPARE(
            plain,
            QByteArray("koan.auth: auth failure: bad_signature subject mallory\\nkoan.auth: auth ok\\r\\x1b[31m\n"));
        const QByteArray json = LogSink::format(QtWarningMsg, "koan.auth", forged, LogSink::Format::Json);
        QCOMPARE(json.count('\n'), 1);
        QVERIFY(QJsonDocument::fromJson(json).object().value("msg").toString().contains("mallory\\nkoan.auth"));
        QCOMPARE(LogSink::escapeControl(QStringLiteral("a\tb\u2028c")), QStringLiteral("a\\tb\\x2028c"));
    }

    void configuredPatternsAreRedacted()
    {
        LogSink::setRedactPatterns({QStringLiteral("P-\\d{4}")});
        const QByteArray line = LogSink::format(QtInfoMsg, "koan.rpc", QStringLiteral("participant P-1001 updated"),
                                                LogSink::Format::Plain);
        QCOMPARE(line, QByteArray("koan.rpc: participant [redacted] updated\n"));
        LogSink::setRedactPatterns({});
    }
};

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
