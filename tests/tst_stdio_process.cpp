// koan-mcp --stdio as a real child process: newline-delimited JSON-RPC on stdout only.
#include "support/ChildProcess.h"
#include <QJsonArray>
#include <functional>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

class TestStdioProcess : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QProcess m_p;
    QByteArray m_out;

    QJsonObject exchange(const QByteArray &line, const QJsonValue &id)
    {
        m_p.write(line + '\n');
        QJsonObject found;
        (void)QTest::qWaitFor(
            [&] { // an empty result tells the caller it timed out
                m_out += m_p.readAllStandardOutput();
                for (const QByteArray &l : m_out.split('\n')) {
                    const QJsonObject o = QJsonDocument::fromJson(l).object();
                    if (!l.isEmpty() && o.value("id") == id)
                        found = o;
                }
                return !found.isEmpty();
            },
            5000);
        return found;
    }

private slots:
    void initTestCase()
    {
        QProcessEnvironment env = koan::test::isolatedEnvironment(m_dir.path());
        env.remove("DISPLAY");
        m_p.setProcessEnvironment(env);
        m_p.start(KOAN_MCP_BINARY, {"--stdio", "--db", m_dir.filePath("stdio.sqlite")});
        QVERIFY(m_p.waitForStarted(5000));
    }

    void conversation()
    {
        const QJsonObject init = exchange(
            R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"qt","version":"1"}}})",
            1);
        QCOMPARE(init["result"].toObject()["protocolVersion"].toString(), QStringLiteral("2024-11-05"));
        m_p.write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
                  "\n");
        const QJsonObject list = exchange(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", 2);
        QCOMPARE(list["result"].toObject()["tools"].toArray().size(), 51); // ten tools per entity and audit.export
        const QJsonObject up = exchange(
            R"({"jsonrpc":"2.0","id":"u","method":"tools/call","params":{"name":"adverse-event-report.upsert","arguments":{"model":{"id":"ae-stdio","trialSiteId":"site-boston","participantId":"P-9","severity":"Severe","description":"Fainted","onsetDate":"2026-11-24"}}}})",
            "u");
        QVERIFY2(!up["result"].toObject()["isError"].toBool(),
                 up["result"].toObject()["content"].toArray()[0].toObject()["text"].toString().toUtf8());
        const QJsonObject got = exchange(
            R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"adverse-event-report.get-by-id","arguments":{"id":"ae-stdio"}}})",
            3);
        QCOMPARE(got["result"].toObject()["structuredContent"].toObject()["item"].toObject()["severity"].toString(),
                 QStringLiteral("Severe"));
        // A malformed line gets -32700 and the session keeps working.
        const QJsonObject bad = exchange("{this is not json", QJsonValue::Null);
        QCOMPARE(bad["error"].toObject()["code"].toInt(), -32700);
        QCOMPARE(exchange(R"({"jsonrpc":"2.0","id":4,"method":"ping"})", 4)["result"].toObject(), QJsonObject{});
    }

    void modernUntilInitialize()
    {
        // 2026-07-28 lines (modern _meta) are stateless requests until an initialize without it
        // makes the process legacy.
        QProcess p;
        QProcessEnvironment env = koan::test::isolatedEnvironment(m_dir.path());
        env.remove("DISPLAY");
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"--stdio", "--db", m_dir.filePath("stdio-modern.sqlite")});
        QVERIFY(p.waitForStarted(5000));
        QByteArray out;
        const auto ask = [&p, &out](const QByteArray &line, const QJsonValue &id) {
            p.write(line + '\n');
            QJsonObject found;
            (void)QTest::qWaitFor(
                [&] {
                    out += p.readAllStandardOutput();
                    for (const QByteArray &l : out.split('\n'))
                        if (const QJsonObject o = QJsonDocument::fromJson(l).object();
                            !l.isEmpty() && o.value("id") == id)
                            found = o;
                    return !found.isEmpty();
                },
                5000);
            return found;
        };
        const QByteArray meta
            = R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";
        const QJsonObject list
            = ask(R"({"jsonrpc":"2.0","id":"m1","method":"tools/list","params":{)" + meta + "}}", "m1");
        QCOMPARE(list["result"].toObject()["resultType"].toString(), QStringLiteral("complete"));
        QCOMPARE(list["result"].toObject()["tools"].toArray().size(), 51); // ten tools per entity and audit.export
        QVERIFY(list["result"].toObject().contains("ttlMs"));
        const QJsonObject discover
            = ask(R"({"jsonrpc":"2.0","id":"m2","method":"server/discover","params":{)" + meta + "}}", "m2");
        QCOMPARE(discover["result"].toObject()["supportedVersions"].toArray().first().toString(),
                 QStringLiteral("2026-07-28"));
        QCOMPARE(ask(R"({"jsonrpc":"2.0","id":"m3","method":"ping","params":{)" + meta + "}}", "m3")["error"]
                     .toObject()["code"]
                     .toInt(),
                 -32601);
        QCOMPARE(
            ask(R"({"jsonrpc":"2.0","id":"m4","method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})",
                "m4")["error"]
                .toObject()["code"]
                .toInt(),
            -32602);
        // A bare request before initialize is legacy, refused as before.
        QCOMPARE(ask(R"({"jsonrpc":"2.0","id":5,"method":"tools/list"})", 5)["error"].toObject()["code"].toInt(),
                 -32600);
        // initialize without modern _meta: the process is legacy from now on.
        const QJsonObject init = ask(
            R"({"jsonrpc":"2.0","id":6,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"qt","version":"1"}}})",
            6);
        QCOMPARE(init["result"].toObject()["protocolVersion"].toString(), QStringLiteral("2025-11-25"));
        const QJsonObject legacy = ask(R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{)" + meta + "}}", 7);
        QVERIFY(!legacy["result"].toObject().contains("resultType"));
        QCOMPARE(legacy["result"].toObject()["tools"].toArray().size(), 51); // ten tools per entity and audit.export
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
    }

    void deleteAllOnStdio()
    {
        // Without elicitation declared, {entity}.delete-all needs confirm equal to the entity's
        // name; with it, the user is asked through elicitation/create on stdout.
        for (const bool elicitation : {false, true}) {
            QProcess p;
            QProcessEnvironment env = koan::test::isolatedEnvironment(m_dir.path());
            env.remove("DISPLAY");
            p.setProcessEnvironment(env);
            p.start(KOAN_MCP_BINARY, {"--stdio", "--db", m_dir.filePath(elicitation ? "del-e.sqlite" : "del.sqlite")});
            QVERIFY(p.waitForStarted(5000));
            QByteArray out;
            const auto await = [&p, &out](const std::function<bool(const QJsonObject &)> &match) {
                QJsonObject found;
                (void)QTest::qWaitFor(
                    [&] {
                        out += p.readAllStandardOutput();
                        for (const QByteArray &l : out.split('\n'))
                            if (const QJsonObject o = QJsonDocument::fromJson(l).object(); !l.isEmpty() && match(o))
                                found = o;
                        return !found.isEmpty();
                    },
                    5000);
                return found;
            };
            const auto ask = [&](const QJsonObject &message) {
                p.write(QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n');
                return await([id = message["id"]](const QJsonObject &o) {
                    return o.value("id") == id && !o.contains("method");
                });
            };
            const auto call = [](const QString &id, const QString &tool, const QJsonObject &args) {
                return QJsonObject{{"jsonrpc", "2.0"},
                                   {"id", id},
                                   {"method", "tools/call"},
                                   {"params", QJsonObject{{"name", tool}, {"arguments", args}}}};
            };
            const QJsonObject caps = elicitation ? QJsonObject{{"elicitation", QJsonObject{}}} : QJsonObject{};
            ask({{"jsonrpc", "2.0"},
                 {"id", "i"},
                 {"method", "initialize"},
                 {"params", QJsonObject{{"protocolVersion", "2025-11-25"},
                                        {"capabilities", caps},
                                        {"clientInfo", QJsonObject{{"name", "qt"}, {"version", "1"}}}}}});
            p.write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
            const auto total = [&](const QString &id) {
                return ask(call(id, "trial-site.collection", {}))["result"]
                    .toObject()["structuredContent"]
                    .toObject()["total"]
                    .toInt();
            };
            QCOMPARE(total("t0"), 3);
            if (!elicitation) {
                const QJsonObject refused = ask(call("d1", "trial-site.delete-all", {}))["result"].toObject();
                QCOMPARE(
                    QJsonDocument::fromJson(refused["content"].toArray().first().toObject()["text"].toString().toUtf8())
                        .object()["error"]
                        .toString(),
                    QStringLiteral("confirmation_required"));
                QCOMPARE(total("t1"), 3);
                const QJsonObject named
                    = ask(call("d2", "trial-site.delete-all", {{"confirm", "TrialSite"}}))["result"].toObject();
                QCOMPARE(named["structuredContent"].toObject()["deleted"].toInt(), 3);
            } else {
                p.write(QJsonDocument(call("d1", "trial-site.delete-all", {})).toJson(QJsonDocument::Compact) + '\n');
                const QJsonObject question
                    = await([](const QJsonObject &o) { return o.value("method") == "elicitation/create"; });
                QVERIFY(question.contains("id"));
                QCOMPARE(total("t1"), 3); // nothing before the answer
                p.write(QJsonDocument(QJsonObject{{"jsonrpc", "2.0"},
                                                  {"id", question["id"]},
                                                  {"result", QJsonObject{{"action", "accept"},
                                                                         {"content", QJsonObject{{"confirm", true}}}}}})
                            .toJson(QJsonDocument::Compact)
                        + '\n');
                const QJsonObject done = await([](const QJsonObject &o) { return o.value("id") == "d1"; });
                QCOMPARE(done["result"].toObject()["structuredContent"].toObject()["deleted"].toInt(), 3);
            }
            QCOMPARE(total("t2"), 0);
            p.closeWriteChannel();
            QVERIFY(p.waitForFinished(10000));
        }
    }

    // An acknowledged subscriptions/listen request gets its final result (resultType complete, its
    // subscription id in _meta) before the process exits: at the end of input and on SIGTERM.
    void listenEndsWithItsResult()
    {
        for (const bool bySignal : {false, true}) {
            QProcess p;
            QProcessEnvironment env = koan::test::isolatedEnvironment(m_dir.path());
            env.remove("DISPLAY");
            p.setProcessEnvironment(env);
            p.start(KOAN_MCP_BINARY, {"--stdio", "--db", ":memory:"});
            QVERIFY(p.waitForStarted(5000));
            QByteArray out;
            const auto find = [&out](const std::function<bool(const QJsonObject &)> &match) {
                for (const QByteArray &l : out.split('\n'))
                    if (const QJsonObject o = QJsonDocument::fromJson(l).object(); !l.isEmpty() && match(o))
                        return o;
                return QJsonObject{};
            };
            const QByteArray meta
                = R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";
            p.write(
                R"({"jsonrpc":"2.0","id":"L1","method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},)"
                + meta + "}}\n");
            p.write(
                R"({"jsonrpc":"2.0","id":"L2","method":"subscriptions/listen","params":{"notifications":{"resourcesListChanged":true},)"
                + meta + "}}\n");
            const auto acknowledged = [&](const char *id) {
                return find([id](const QJsonObject &o) {
                           return o["method"] == "notifications/subscriptions/acknowledged"
                                  && o["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == id;
                       })
                    .isEmpty();
            };
            QVERIFY(QTest::qWaitFor(
                [&] {
                    out += p.readAllStandardOutput();
                    return !acknowledged("L1") && !acknowledged("L2");
                },
                5000));
            QVERIFY2(find([](const QJsonObject &o) { return o.contains("result"); }).isEmpty(), out.constData());
            if (bySignal) {
                ::kill(pid_t(p.processId()), SIGTERM); // stdin stays open
            } else {
                p.closeWriteChannel();
            }
            QVERIFY(p.waitForFinished(10000));
            QCOMPARE(p.exitStatus(), QProcess::NormalExit);
            QCOMPARE(p.exitCode(), 0);
            out += p.readAllStandardOutput();
            for (const char *id : {"L1", "L2"}) {
                const QJsonObject end = find([id](const QJsonObject &o) { return o["id"] == id; });
                QVERIFY2(!end.isEmpty(), out.constData());
                QCOMPARE(end["result"]["resultType"].toString(), QStringLiteral("complete"));
                QCOMPARE(end["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"].toString(),
                         QString::fromLatin1(id));
                QCOMPARE(out.count(QByteArray("\"id\":\"") + id + '"'), 1); // answered once
            }
        }
    }

    // A tools/call's log line on stderr names the W3C trace id of its _meta.traceparent (plain text:
    // "[trace <id>]"), on STDIO as on HTTP; stdout stays JSON-RPC only.
    void traceIdOnTheLogLines()
    {
        QProcess p;
        QProcessEnvironment env = koan::test::isolatedEnvironment(m_dir.path());
        env.remove("DISPLAY");
        env.insert("QT_LOGGING_RULES", "koan.rpc.debug=true");
        p.setProcessEnvironment(env);
        p.start(KOAN_MCP_BINARY, {"--stdio", "--db", ":memory:"});
        QVERIFY(p.waitForStarted(5000));
        p.write(
            R"({"jsonrpc":"2.0","id":"t1","method":"tools/call","params":{"name":"trial-site.collection","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}})"
            "\n");
        QByteArray out;
        QVERIFY(QTest::qWaitFor(
            [&] {
                out += p.readAllStandardOutput();
                return out.contains("\"id\":\"t1\"");
            },
            5000));
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("koan.rpc: tools/call trial-site.collection ok in "), err.constData());
        QVERIFY2(err.contains("[trace 4bf92f3577b34da6a3ce929d0e0e4736]"), err.constData());
        QVERIFY(!out.contains("koan.rpc"));
    }

    void stdoutCarriesOnlyJsonRpc()
    {
        m_out += m_p.readAllStandardOutput();
        int lines = 0;
        for (const QByteArray &l : m_out.split('\n')) {
            if (l.isEmpty())
                continue;
            ++lines;
            QJsonParseError e{};
            const QJsonDocument d = QJsonDocument::fromJson(l, &e);
            QVERIFY2(e.error == QJsonParseError::NoError && d.object().value("jsonrpc") == "2.0", l.constData());
        }
        QVERIFY(lines >= 6);
        QVERIFY(m_p.readAllStandardError().contains("store")); // logs went to stderr
    }

    void eofEndsCleanly()
    {
        m_p.closeWriteChannel();
        QVERIFY(m_p.waitForFinished(5000));
        QCOMPARE(m_p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_p.exitCode(), 0);
    }

    // --help names the program (not "<executable_name>" or a build path) and lists the subcommands.
    void helpNamesTheProgramAndItsSubcommands()
    {
        QProcess p;
        p.setProcessEnvironment(koan::test::isolatedEnvironment(m_dir.path()));
        p.start(KOAN_MCP_BINARY, {"--help"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QString help = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(help.startsWith("Usage: koan-mcp [options]\n"), qPrintable(help));
        QVERIFY2(!help.contains("<executable_name>") && !help.contains("/koan-mcp"), qPrintable(help));
        const qsizetype sub = help.indexOf("\nSubcommands:\n");
        QVERIFY2(sub > 0, qPrintable(help));
        QVERIFY2(help.mid(sub).contains(QRegularExpression("\n  token +\\S")), qPrintable(help));
        QVERIFY(help.contains("--stdio") && help.contains("--headless"));
        // Every listed subcommand exists: its own --help answers with its usage line.
        p.start(KOAN_MCP_BINARY, {"token", "--help"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QString tokenHelp = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(tokenHelp.startsWith("Usage: koan-mcp token [options]\n"), qPrintable(tokenHelp));
        QVERIFY(tokenHelp.contains("--sub"));
    }
};

QTEST_GUILESS_MAIN(TestStdioProcess)
#include "tst_stdio_process.moc"
