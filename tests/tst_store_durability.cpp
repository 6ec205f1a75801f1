// Every acknowledged write is on stable storage: the real koan-mcp under strace, tool calls over
// STDIO, and between one acknowledgement and the next the SQLite WAL must have been synced
// (fsync/fdatasync). With synchronous=NORMAL WAL commits are synced only at checkpoints.
#include "support/ChildProcess.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestStoreDurability : public QObject
{
    Q_OBJECT

private slots:
    void everyAcknowledgedCommitIsSynced()
    {
        const QString strace = QStandardPaths::findExecutable(QStringLiteral("strace"));
        if (strace.isEmpty())
            QFAIL("strace is required (.ci/setup installs it)");
        QTemporaryDir dir;
        const QString log = dir.filePath("strace.log");
        const QString db = dir.filePath("durable.sqlite");
        QProcess p;
        QProcessEnvironment env = koan::test::isolatedEnvironment(dir.path());
        // Under ptrace LeakSanitizer cannot run (sanitizer builds): no leak check for this child.
        env.insert("ASAN_OPTIONS",
                   env.value("ASAN_OPTIONS") + (env.value("ASAN_OPTIONS").isEmpty() ? "" : ":") + "detect_leaks=0");
        p.setProcessEnvironment(env);
        // -y: file descriptors with their paths; writes to fd 1 are the acknowledgements.
        p.start(strace, {"-f", "-y", "-s", "64", "-e", "trace=fsync,fdatasync,write", "-o", log, KOAN_MCP_BINARY,
                         "--stdio", "--db", db});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        const auto call = [&](int id, const QByteArray &line) {
            p.write(line + '\n');
            return QTest::qWaitFor(
                [&] {
                    out += p.readAllStandardOutput();
                    return out.contains("\"id\":" + QByteArray::number(id) + ",")
                           || out.contains("\"id\":" + QByteArray::number(id) + "}");
                },
                15000);
        };
        QVERIFY(call(
            1,
            R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"));
        constexpr int kWrites = 12;
        for (int i = 0; i < kWrites; ++i) {
            const QJsonObject model{{"id", QStringLiteral("site-d%1").arg(i)},
                                    {"name", "Durable site"},
                                    {"location", "Basel"},
                                    {"principalInvestigator", "Dr. A"}};
            const QJsonObject req{
                {"jsonrpc", "2.0"},
                {"id", 100 + i},
                {"method", "tools/call"},
                {"params", QJsonObject{{"name", "trial-site.upsert"}, {"arguments", QJsonObject{{"model", model}}}}}};
            QVERIFY(call(100 + i, QJsonDocument(req).toJson(QJsonDocument::Compact)));
        }
        QVERIFY2(!out.contains("\"isError\":true"), out.constData());
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(15000));

        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        // Walk the trace in order: each answer written to stdout for a write call must be preceded,
        // since the previous answer, by a sync of the database's WAL.
        static const QRegularExpression answer(QStringLiteral("write\\(1<[^>]*>, \"\\{.*\\\\\"id\\\\\":(\\d+)"));
        bool syncedSinceLastAnswer = false;
        int checked = 0, walSyncs = 0;
        for (const QByteArray &raw : f.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw);
            if ((line.contains(QLatin1String("fdatasync(")) || line.contains(QLatin1String("fsync(")))
                && line.contains(QLatin1String("durable.sqlite-wal>"))) {
                syncedSinceLastAnswer = true;
                ++walSyncs;
                continue;
            }
            const auto m = answer.match(line);
            if (!m.hasMatch())
                continue;
            const int id = m.captured(1).toInt();
            if (id >= 100) {
                QVERIFY2(syncedSinceLastAnswer,
                         qPrintable(QStringLiteral("answer %1 was sent before its commit was synced").arg(id)));
                ++checked;
            }
            syncedSinceLastAnswer = false;
        }
        QCOMPARE(checked, kWrites);
        QVERIFY(walSyncs >= kWrites);
    }
};

QTEST_GUILESS_MAIN(TestStoreDurability)
#include "tst_store_durability.moc"
