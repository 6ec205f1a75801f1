// Connection-level limits over real loopback sockets: oversized bodies are refused while they
// arrive (not after buffering), and running out of file descriptors neither spins nor wedges
// the server.
#include "support/ChildProcess.h"
#include "support/HttpClient.h"
#include "support/RawClient.h"
#include "support/ServerFixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <unistd.h>

using namespace koan;
using namespace koan::test;

namespace {

// CPU time (user + system clock ticks) a process has used so far.
qint64 cpuTicks(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = f.readAll().split(')').last().trimmed().split(' ');
    return fields.value(11).toLongLong() + fields.value(12).toLongLong();
}
} // namespace

class TestHttpLimits : public QObject
{
    Q_OBJECT

private slots:
    void declaredOversizedBodyIsRefusedBeforeItArrives()
    {
        McpServerOptions o;
        o.maxRequestBodyBytes = 4096;
        ServerFixture f(o);
        QVERIFY2(f.ok, qPrintable(f.problems));
        // Streamable HTTP: 100 MB announced, 1 KB sent. The 413 comes without waiting for the rest.
        RawClient c;
        QVERIFY(c.open(f.port));
        c.socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Accept: application/json, text/event-stream\r\nContent-Length: 100000000\r\n\r\n"
                       + QByteArray(1024, ' '));
        QTRY_VERIFY(c.received.contains("\r\n\r\n{"));
        QVERIFY2(c.received.startsWith("HTTP/1.1 413"), c.received.constData());
        QCOMPARE(c.body()["error"].toObject()["code"].toInt(), -32600); // JSON-RPC shaped on the Streamable endpoint
        QVERIFY(c.body()["error"].toObject()["message"].toString().contains("MaxRequestBodyBytes"));
        QTRY_COMPARE(c.socket.state(), QAbstractSocket::UnconnectedState);
        // Legacy endpoint: the plain JSON error body.
        RawClient legacy;
        QVERIFY(legacy.open(f.port));
        legacy.socket.write(
            "POST /mcp/rpc?sessionId=abc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 5000\r\n\r\n{");
        QTRY_VERIFY(legacy.received.contains("\r\n\r\n{"));
        QVERIFY(legacy.received.startsWith("HTTP/1.1 413"));
        QCOMPARE(legacy.body()["error"].toString(), QStringLiteral("payload_too_large"));
    }

    void chunkedOversizedBodyIsCutOff()
    {
        McpServerOptions o;
        o.maxRequestBodyBytes = 4096;
        ServerFixture f(o);
        RawClient c;
        QVERIFY(c.open(f.port));
        c.socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        const QByteArray chunk = "400\r\n" + QByteArray(0x400, ' ') + "\r\n";
        for (int i = 0; i < 64 && !c.received.startsWith("HTTP/1.1"); ++i) { // at most 64 KiB, never finished
            c.socket.write(chunk);
            QTest::qWait(10);
        }
        QTRY_VERIFY(c.received.contains("\r\n\r\n{"));
        QVERIFY2(c.received.startsWith("HTTP/1.1 413"), c.received.constData());
    }

    void bodiesWithinTheLimitStillWork()
    {
        // The guard follows framing across keep-alive requests: a body-less request, then one with
        // a body, then a pipelined pair, on one connection.
        McpServerOptions o;
        o.maxRequestBodyBytes = 4096;
        ServerFixture f(o);
        HttpClient c(f.port);
        QCOMPARE(c.request("GET", "/healthz").status, 200);
        const QByteArray init
            = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
        const HttpResponse r = c.request(
            "POST", "/mcp", {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}},
            init);
        QCOMPARE(r.status, 200);
        RawClient raw;
        QVERIFY(raw.open(f.port));
        const QByteArray ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
        const QByteArray one
            = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, "
              "text/event-stream\r\nContent-Length: "
              + QByteArray::number(ping.size()) + "\r\n\r\n" + ping;
        raw.socket.write(one + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_COMPARE(raw.received.count("HTTP/1.1 "), 2);
        QVERIFY(!raw.received.contains(" 413 "));
    }

    void runningOutOfDescriptorsShedsLoadAndRecovers()
    {
        // A real koan-mcp with a soft limit of 64 descriptors: Qt 6.4 alone would spin at 100% CPU.
        QTemporaryDir home;
        QProcess p;
        QProcessEnvironment env = isolatedEnvironment(home.path());
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.start(
            "bash",
            {"-c", QStringLiteral("ulimit -n 64 && exec '%1' --headless --port 0 --db :memory:").arg(KOAN_MCP_BINARY)});
        QVERIFY(p.waitForStarted());
        QByteArray log;
        quint16 port = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                log += p.readAllStandardError();
                const auto m
                    = QRegularExpression("listening on http://127\\.0\\.0\\.1:(\\d+)").match(QString::fromUtf8(log));
                port = m.hasMatch() ? quint16(m.captured(1).toUInt()) : 0;
                return port != 0;
            },
            10000));
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 100; ++i) {
            idle.push_back(std::make_unique<QTcpSocket>());
            idle.back()->connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(idle.back()->waitForConnected(3000));
        }
        // Beyond the mark a client gets a clear 503 at once, not a hang.
        RawClient extra;
        QVERIFY(extra.open(port));
        extra.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_VERIFY(extra.received.contains("\r\n\r\n{"));
        QVERIFY2(extra.received.startsWith("HTTP/1.1 503"), extra.received.constData());
        QCOMPARE(extra.body()["error"].toString(), QStringLiteral("server_busy"));
        QVERIFY(extra.received.contains("Retry-After: 1"));
        // And the server is not spinning: well under half a core while the limit is reached.
        const qint64 before = cpuTicks(p.processId());
        QTest::qWait(1000);
        const qint64 used = cpuTicks(p.processId()) - before;
        QVERIFY2(used < sysconf(_SC_CLK_TCK) / 2, qPrintable(QStringLiteral("%1 ticks in 1 s").arg(used)));
        log += p.readAllStandardError();
        QVERIFY2(log.contains("file descriptors nearly exhausted"), log.constData());
        // Connections close: back to normal service.
        idle.clear();
        HttpClient c(port);
        QTRY_COMPARE(c.request("GET", "/healthz").status, 200);
        p.terminate();
        QVERIFY(p.waitForFinished(5000));
    }
};

QTEST_MAIN(TestHttpLimits)
#include "tst_http_limits.moc"
