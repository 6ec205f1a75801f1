// Request framing is read strictly (RFC 9112) in front of Qt's parser: every ambiguous framing
// is refused with 400 before Qt reads it, head limits hold however TCP segments the bytes, and
// slow or idle connections are closed on deadlines (SSE streams exempt).
#include "http/HttpFramingParser.h"
#include "support/HttpClient.h"
#include "support/RawClient.h"
#include "support/KoanProcess.h"
#include "support/ServerFixture.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>
#include <memory>
#include <vector>

using namespace koan;
using namespace koan::test;

namespace {

const QByteArray kInit
    = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

QByteArray postInit(const QByteArray &framingHeaders)
{
    return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, "
           "text/event-stream\r\n"
           + framingHeaders + "\r\n";
}

HttpFramingParser::Verdict feedAll(const QByteArray &bytes, int pieceSize, qint64 *completed = nullptr)
{
    HttpFramingParser p({4096, 64 * 1024, 100});
    HttpFramingParser::Verdict v;
    for (qsizetype i = 0; i < bytes.size() && v.ok(); i += pieceSize)
        v = p.feed(QByteArrayView(bytes).sliced(i, qMin<qsizetype>(pieceSize, bytes.size() - i)));
    if (completed)
        *completed = p.requestsCompleted();
    return v;
}

qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}
} // namespace

class TestHttpFraming : public QObject
{
    Q_OBJECT

private slots:
    // --- the parser alone: the same verdict whatever the segmentation ---
    void parser_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("completed");
        // Every HTTP/1.1 request needs Host (RFC 9112 3.2): added after the request line.
        const auto h = [](QByteArray r) { return r.replace(r.indexOf("\r\n"), 2, "\r\nHost: a\r\n"); };
        const QByteArray get = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
        QTest::newRow("get") << get << 0 << 1;
        QTest::newRow("leading empty lines") << "\r\n\r\n" + get << 0 << 1;
        QTest::newRow("http/1.0") << QByteArray("GET / HTTP/1.0\r\n\r\n") << 0 << 1;
        QTest::newRow("post with body, pipelined get")
            << h("POST /mcp HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" + get) << 0 << 2;
        QTest::newRow("chunked") << h(
            QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\n\r\n")
            + get) << 0 << 2;
        QTest::newRow("chunked any case")
            << h(QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n")) << 0 << 1;
        QTest::newRow("100 headers") << h("GET / HTTP/1.1\r\n" + QByteArray("X-A: b\r\n").repeated(99) + "\r\n") << 0
                                     << 1;
        QTest::newRow("8 KiB field line")
            << h("GET / HTTP/1.1\r\nX-A: " + QByteArray(8192 - 5, 'a') + "\r\n\r\n") << 0 << 1;

        QTest::newRow("two content-length")
            << h(QByteArray("POST / HTTP/1.1\r\nContent-Length: 100\r\nContent-Length: 0\r\n\r\n")) << 400 << 0;
        QTest::newRow("two equal content-length")
            << h(QByteArray("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")) << 400 << 0;
        QTest::newRow("content-length list")
            << h(QByteArray("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello")) << 400 << 0;
        QTest::newRow("content-length and chunked")
            << h(QByteArray("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")) << 400 << 0;
        QTest::newRow("gzip") << h(QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")) << 400
                              << 0;
        QTest::newRow("identity") << h(QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n")) << 400
                                  << 0;
        QTest::newRow("two transfer-encoding")
            << h(QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"))
            << 400 << 0;
        QTest::newRow("obs-fold") << h(QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\n\r\n")) << 400
                                  << 0;
        QTest::newRow("obs-fold tab") << h(QByteArray("GET / HTTP/1.1\r\nX-A: b\r\n\tc\r\n\r\n")) << 400 << 0;
        QTest::newRow("space before colon")
            << h(QByteArray("POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello")) << 400 << 0;
        QTest::newRow("plus sign") << h(QByteArray("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello")) << 400 << 0;
        QTest::newRow("negative") << h(QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")) << 400 << 0;
        QTest::newRow("hex length") << h(QByteArray("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n")) << 400 << 0;
        QTest::newRow("empty length") << h(QByteArray("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n")) << 400 << 0;
        QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: a\n\n") << 400 << 0;
        QTest::newRow("bare CR") << h(QByteArray("GET / HTTP/1.1\r\nX-A: b\rc\r\n\r\n")) << 400 << 0;
        QTest::newRow("NUL in value") << h(QByteArray("GET / HTTP/1.1\r\nX-A: b\0c\r\n\r\n", 28)) << 400 << 0;
        QTest::newRow("no colon") << h(QByteArray("GET / HTTP/1.1\r\nnonsense\r\n\r\n")) << 400 << 0;
        QTest::newRow("double space in request line") << h(QByteArray("GET  / HTTP/1.1\r\n\r\n")) << 400 << 0;
        QTest::newRow("control in target") << h(QByteArray("GET /a\x01 HTTP/1.1\r\n\r\n")) << 400 << 0;
        QTest::newRow("http/2.0") << h(QByteArray("GET / HTTP/2.0\r\n\r\n")) << 505 << 0;
        QTest::newRow("bad version") << h(QByteArray("GET / HTTQ/1.1\r\n\r\n")) << 400 << 0;
        QTest::newRow("chunked in http/1.0")
            << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") << 400 << 0;
        QTest::newRow("websocket upgrade")
            << h(QByteArray("GET /mcp HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")) << 400 << 0;
        QTest::newRow("chunk size not hex")
            << h(QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")) << 400 << 0;
        QTest::newRow("chunk size 0x") << h(
            QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n"))
                                       << 400 << 0;
        QTest::newRow("chunk longer than size")
            << h(QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n")) << 400 << 0;
        QTest::newRow("trailer") << h(
            QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n"))
                                 << 400 << 0;
        QTest::newRow("body over limit") << h(QByteArray("POST / HTTP/1.1\r\nContent-Length: 4097\r\n\r\n")) << 413
                                         << 0;
        QTest::newRow("huge length") << h(
            QByteArray("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"))
                                     << 413 << 0;
        QTest::newRow("chunks over limit") << "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n"
                                                  + QByteArray(0x800, 'a') + "\r\n801\r\n"
                                           << 413 << 0;
        QTest::newRow("huge chunk") << h(
            QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n"))
                                    << 413 << 0;
        QTest::newRow("no host") << QByteArray("GET / HTTP/1.1\r\nX-A: b\r\n\r\n") << 400 << 0;
        QTest::newRow("two hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400 << 0;
        QTest::newRow("two authorization")
            << h("GET / HTTP/1.1\r\nAuthorization: Bearer x\r\nauthorization: Bearer y\r\n\r\n") << 400 << 0;
        QTest::newRow("two session ids") << h("POST /mcp HTTP/1.1\r\nMcp-Session-Id: a\r\nMcp-Session-Id: b\r\n\r\n")
                                         << 400 << 0;
        QTest::newRow("two protocol versions")
            << h("POST /mcp HTTP/1.1\r\nMCP-Protocol-Version: 2025-06-18\r\nMCP-Protocol-Version: 2025-03-26\r\n\r\n")
            << 400 << 0;
        QTest::newRow("101 headers") << h("GET / HTTP/1.1\r\n" + QByteArray("X-A: b\r\n").repeated(100) + "\r\n") << 431
                                     << 0;
        QTest::newRow("70 kB header") << h("GET / HTTP/1.1\r\nX-A: " + QByteArray(70000, 'a') + "\r\n\r\n") << 431 << 0;
        QTest::newRow("70 kB target") << h("GET /" + QByteArray(70000, 'a') + " HTTP/1.1\r\n\r\n") << 431 << 0;
        QTest::newRow("field over 8 KiB")
            << h("GET / HTTP/1.1\r\nX-A: " + QByteArray(8192 - 4, 'a') + "\r\n\r\n") << 431 << 0;
        QTest::newRow("endless empty lines") << QByteArray(70000, '\n') << 431 << 0;
    }
    void parser()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        QFETCH(int, completed);
        for (const int piece : {int(bytes.size()), 1, 7, 1460}) {
            qint64 done = -1;
            const HttpFramingParser::Verdict v = feedAll(bytes, qMax(1, piece), &done);
            QVERIFY2(v.status == status,
                     qPrintable(QStringLiteral("piece %1: got %2 (%3)").arg(piece).arg(v.status).arg(v.message)));
            if (status == 0)
                QCOMPARE(done, qint64(completed));
            else
                QVERIFY(!v.message.isEmpty());
        }
    }

    // --- against the real server: refused before Qt parses anything of the request ---
    void ambiguousFramingIsRefusedAndNeverReachesTheHandler_data()
    {
        QTest::addColumn<QByteArray>("framing");
        const QByteArray n = QByteArray::number(kInit.size());
        QTest::newRow("two content-length") << "Content-Length: " + n + "\r\nContent-Length: " + n + "\r\n";
        QTest::newRow("content-length and chunked") << "Content-Length: " + n + "\r\nTransfer-Encoding: chunked\r\n";
        QTest::newRow("folded chunked") << QByteArray("Transfer-Encoding:\r\n chunked\r\n");
        QTest::newRow("space before colon") << "Content-Length : " + n + "\r\n";
        QTest::newRow("gzip") << QByteArray("Transfer-Encoding: gzip\r\n");
        QTest::newRow("non-digit") << "Content-Length: " + n + "x\r\n";
    }
    void ambiguousFramingIsRefusedAndNeverReachesTheHandler()
    {
        QFETCH(QByteArray, framing);
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        RawClient c;
        QVERIFY(c.open(f.port));
        c.socket.write(postInit(framing) + kInit);
        QTRY_VERIFY(c.received.contains("\r\n\r\n{"));
        QVERIFY2(c.received.startsWith("HTTP/1.1 400"), c.received.constData());
        QCOMPARE(c.body()["error"].toObject()["code"].toInt(), -32600); // JSON-RPC shaped on the Streamable endpoint
        QVERIFY(!c.body()["error"].toObject()["message"].toString().isEmpty());
        QTRY_VERIFY(c.closed());
        QTest::qWait(100);
        QCOMPARE(f.sessions()->sessionCount(), 0); // the initialize never ran
    }

    void refusalsReachClientsThatKeepSending()
    {
        // A refused request whose body is still on its way: the answer must arrive, not a reset
        // (closing with unread bytes makes the kernel send RST and the client can lose the 400).
        ServerFixture f;
        int answered = 0;
        for (int i = 0; i < 30; ++i) {
            RawClient c;
            QVERIFY(c.open(f.port));
            c.socket.write("POST /mcp/rpc?sessionId=x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           "Content-Length: 300000\r\nContent-Length: 300000\r\n\r\n"
                           + QByteArray(300000, ' '));
            QTRY_VERIFY_WITH_TIMEOUT(c.closed(), 5000);
            answered += c.received.startsWith("HTTP/1.1 400")
                        && c.body()["error"].toString() == QStringLiteral("ambiguous_framing");
        }
        QCOMPARE(answered, 30);
    }

    void plainEndpointsGetPlainJsonErrors()
    {
        ServerFixture f;
        RawClient c;
        QVERIFY(c.open(f.port));
        c.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n");
        QTRY_VERIFY(c.received.contains("\r\n\r\n{"));
        QVERIFY2(c.received.startsWith("HTTP/1.1 400"), c.received.constData());
        QCOMPARE(c.body()["error"].toString(), QStringLiteral("ambiguous_framing"));
        QVERIFY(c.received.contains("Connection: close"));
        QTRY_VERIFY(c.closed());
    }

    void headLimitsHoldInOneWrite()
    {
        // The whole head in one write: before, only a head arriving in pieces got 431.
        ServerFixture f;
        for (const QByteArray &request :
             {"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + QByteArray(90000, 'a') + "\r\n\r\n",
              "GET /healthz?" + QByteArray(90000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
              "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + QByteArray("X-A: b\r\n").repeated(101) + "\r\n"}) {
            RawClient c;
            QVERIFY(c.open(f.port));
            c.socket.write(request);
            QTRY_VERIFY(c.received.contains("\r\n\r\n{"));
            QVERIFY2(c.received.startsWith("HTTP/1.1 431"), c.received.left(200).constData());
            QTRY_VERIFY(c.closed());
        }
    }

    void headerLimitsAreSettings()
    {
        McpServerOptions o;
        o.maxHeaderBytes = 2048;
        o.maxHeaderCount = 5;
        ServerFixture f(o);
        RawClient big;
        QVERIFY(big.open(f.port));
        big.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + QByteArray(3000, 'a') + "\r\n\r\n");
        QTRY_VERIFY(big.received.startsWith("HTTP/1.1 431"));
        RawClient many;
        QVERIFY(many.open(f.port));
        many.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + QByteArray("X-A: b\r\n").repeated(5)
                          + "\r\n");
        QTRY_VERIFY(many.received.startsWith("HTTP/1.1 431"));
        QVERIFY(many.body()["message"].toString().contains("MaxHeaderCount"));
        HttpClient ok(f.port);
        QCOMPARE(ok.request("GET", "/healthz").status, 200);
    }

    void headAnswersCarryNoContent()
    {
        // A body after a HEAD answer would be read as the next response on the connection.
        ServerFixture f;
        RawClient c;
        QVERIFY(c.open(f.port));
        c.socket.write(
            "HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_COMPARE(c.received.count("HTTP/1.1 "), 2);
        const qsizetype second = c.received.indexOf("HTTP/1.1 ", 1);
        const QByteArray first = c.received.left(second);
        QVERIFY2(first.endsWith("\r\n\r\n"), first.constData()); // headers only
        QVERIFY(first.contains("Content-Length: "));
        QVERIFY(c.received.mid(second).contains("\r\n\r\n{"));
    }

    void websocketUpgradeIsRefusedOnce()
    {
        // Qt 6.4 would run the handler and then write a second response on the same socket.
        ServerFixture f;
        RawClient c;
        QVERIFY(c.open(f.port));
        c.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QTRY_VERIFY(c.closed());
        QVERIFY2(c.received.startsWith("HTTP/1.1 400"), c.received.constData());
        QCOMPARE(c.received.count("HTTP/1.1 "), 1);
        QCOMPARE(c.body()["error"].toString(), QStringLiteral("upgrade_not_supported"));
    }

    void slowHeadersAreCutOff()
    {
        McpServerOptions o;
        o.headerReadTimeoutMs = 600;
        ServerFixture f(o);
        // 200 slowloris connections trickling header lines, one silent connection.
        std::vector<std::unique_ptr<RawClient>> slow;
        for (int i = 0; i < 200; ++i) {
            slow.push_back(std::make_unique<RawClient>());
            QVERIFY(slow.back()->open(f.port));
            slow.back()->socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        }
        RawClient silent;
        QVERIFY(silent.open(f.port));
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 2500) {
            for (auto &c : slow)
                if (!c->closed())
                    c->socket.write("X-Trickle: 1\r\n");
            QTest::qWait(100);
        }
        for (auto &c : slow) {
            QVERIFY(c->closed());
            QVERIFY2(c->received.startsWith("HTTP/1.1 408"), c->received.constData());
        }
        QVERIFY(silent.closed());
        // And the server still serves.
        HttpClient ok(f.port);
        QCOMPARE(ok.request("GET", "/healthz").status, 200);
    }

    void slowBodiesAreCutOff()
    {
        McpServerOptions o;
        o.bodyReadTimeoutMs = 500;
        ServerFixture f(o);
        RawClient c;
        QVERIFY(c.open(f.port));
        c.socket.write(postInit("Content-Length: " + QByteArray::number(kInit.size()) + "\r\n") + kInit.left(10));
        QElapsedTimer t;
        t.start();
        QTRY_VERIFY_WITH_TIMEOUT(c.closed(), 3000);
        QVERIFY(t.elapsed() >= 400);
        QVERIFY2(c.received.startsWith("HTTP/1.1 408"), c.received.constData());
        QCOMPARE(f.sessions()->sessionCount(), 0);
    }

    void idleKeepAliveIsClosedButStreamsAreNot()
    {
        McpServerOptions o;
        o.keepAliveIdleTimeoutMs = 400;
        o.sseKeepAliveIntervalMs = 200;
        ServerFixture f(o);
        RawClient idle;
        QVERIFY(idle.open(f.port));
        idle.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_VERIFY(idle.received.startsWith("HTTP/1.1 200"));
        QElapsedTimer t;
        t.start();
        QTRY_VERIFY_WITH_TIMEOUT(idle.closed(), 3000);
        QVERIFY(t.elapsed() >= 300);
        // A legacy SSE stream stays open far past the idle timeout and keeps receiving events.
        RawClient stream;
        QVERIFY(stream.open(f.port));
        stream.socket.write("GET /mcp/sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
        QTRY_VERIFY(stream.received.contains("event: endpoint"));
        const qsizetype before = stream.received.size();
        QTest::qWait(1500);
        QVERIFY(!stream.closed());
        QVERIFY(stream.received.size() > before); // keep-alives kept arriving
    }

    void smuggledBodyDoesNotGrowMemory()
    {
        // The attack from the review: two Content-Length headers (first large, second 0) and 24 MiB
        // of body, unauthenticated. Before, the guard took the last, Qt the first, and buffered it.
        KoanProcess p;
        QVERIFY(p.start({QStringLiteral("--db"), QStringLiteral(":memory:")}));
        const qint64 rssBefore = rssKiB(p.process.processId());
        RawClient c;
        QVERIFY(c.open(p.port));
        c.socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Content-Length: 25165824\r\nContent-Length: 0\r\n\r\n");
        const QByteArray mib(1024 * 1024, ' ');
        for (int i = 0; i < 24 && !c.closed(); ++i) {
            c.socket.write(mib);
            c.socket.waitForBytesWritten(200);
            QTest::qWait(20);
        }
        QTRY_VERIFY(c.received.contains("\r\n\r\n{") || c.closed());
        QVERIFY2(c.received.startsWith("HTTP/1.1 400"), c.received.left(300).constData());
        QTest::qWait(300);
        const qint64 grown = rssKiB(p.process.processId()) - rssBefore;
        QVERIFY2(grown < 8 * 1024, qPrintable(QStringLiteral("server RSS grew by %1 KiB").arg(grown)));
    }
};

QTEST_MAIN(TestHttpFraming)
#include "tst_http_framing.moc"
