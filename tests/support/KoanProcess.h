#pragma once
// The real koan-mcp binary as a child process on a free port (--port 0): started, its port read
// from the "listening on" log line, stderr collected, signals sent, exit awaited.
#include "ChildProcess.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

namespace koan::test {

struct KoanProcess {
    QTemporaryDir home;
    QProcess process;
    quint16 port = 0;
    QByteArray stderrText;

    // Starts `koan-mcp --headless --port 0 <args>` (without --headless: the console window too,
    // on the platform QT_QPA_PLATFORM names); true once it listens.
    bool start(const QStringList &args, const QProcessEnvironment &extraEnv = {}, bool headless = true)
    {
        QProcessEnvironment env = isolatedEnvironment(home.path());
        for (const QString &k : extraEnv.keys())
            env.insert(k, extraEnv.value(k));
        process.setProcessEnvironment(env);
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { stderrText += process.readAllStandardError(); });
        process.start(QStringLiteral(KOAN_MCP_BINARY),
                      (headless ? QStringList{QStringLiteral("--headless")} : QStringList())
                          + QStringList{QStringLiteral("--port"), QStringLiteral("0")} + args);
        static const QRegularExpression listening(QStringLiteral("listening on https?://[^ ]+:(\\d+)"));
        QTest::qWaitFor(
            [&] {
                return listening.match(QString::fromUtf8(stderrText)).hasMatch()
                       || process.state() == QProcess::NotRunning;
            },
            15000);
        port = quint16(listening.match(QString::fromUtf8(stderrText)).captured(1).toUInt());
        return port != 0;
    }
    // Never kill(0, …): with the child gone that would signal the test's own process group.
    void signal(int sig)
    {
        if (process.processId() > 0)
            ::kill(pid_t(process.processId()), sig);
    }
    // Waits for the exit (events keep being processed, so in-process clients read their streams).
    bool waitExit(int timeoutMs = 10000)
    {
        const bool done = QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeoutMs);
        stderrText += process.readAllStandardError();
        return done;
    }
    QList<QByteArray> stderrLines() const
    {
        QList<QByteArray> lines = stderrText.split('\n');
        while (!lines.isEmpty() && lines.last().isEmpty())
            lines.removeLast();
        return lines;
    }
    ~KoanProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }
};

} // namespace koan::test
