// JSON-RPC edges an attacker or a sloppy client hits: batches in every protocol version (never a
// silent 202 for an answer the client is owed), oversized STDIO lines (refused without being
// buffered), and session ids (CSPRNG, 32-128 URL-safe characters, malformed ones never echoed).
#include "support/ChildProcess.h"
#include "support/HttpClient.h"
#include "support/ServerFixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace koan;
using namespace koan::test;

namespace {
const QByteArray kNote = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
const QByteArray kPing = R"({"jsonrpc":"2.0","id":7,"method":"ping"})";

// The JSON the server answered with: the body, or the data of the SSE event that carries it.
QJsonValue answerOf(const HttpResponse &r)
{
    for (const SseEvent &e : r.events())
        if (const QJsonDocument d = QJsonDocument::fromJson(e.data); !d.isNull())
            return d.isArray() ? QJsonValue(d.array()) : QJsonValue(d.object());
    const QJsonDocument d = QJsonDocument::fromJson(r.body);
    return d.isArray()    ? QJsonValue(d.array())
           : d.isObject() ? QJsonValue(d.object())
                          : QJsonValue(QJsonValue::Undefined);
}

qint64 statusKiB(qint64 pid, const char *field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').first().toLongLong();
    return -1;
}
} // namespace

class TestProtocolEdges : public QObject
{
    Q_OBJECT

    static QByteArray openSession(ServerFixture &f, HttpClient &c, const QString &version)
    {
        const HttpResponse r
            = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams(version)));
        const QByteArray sid = r.header("Mcp-Session-Id");
        c.request("POST", "/mcp", streamableHeaders(sid), kNote);
        Q_UNUSED(f);
        return sid;
    }

private slots:
    void batches_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("errors"); // -32600 errors in the answer (-1: no answer at all)
        QTest::addColumn<int>("results");
        // 2025-03-26 allows batches: JSON-RPC 2.0 section 6 decides every case.
        const QString v0326 = QStringLiteral("2025-03-26");
        QTest::newRow("0326 empty batch") << v0326 << QByteArray("[]") << 400 << 1 << 0;
        QTest::newRow("0326 only invalid members") << v0326 << QByteArray("[1,2,3]") << 200 << 3 << 0;
        QTest::newRow("0326 invalid object member") << v0326 << QByteArray(R"([{"foo":1}])") << 200 << 1 << 0;
        QTest::newRow("0326 notification and invalid") << v0326 << "[" + kNote + ",5]" << 200 << 1 << 0;
        QTest::newRow("0326 only notifications") << v0326 << "[" + kNote + "," + kNote + "]" << 202 << -1 << 0;
        QTest::newRow("0326 request and notification") << v0326 << "[" + kPing + "," + kNote + "]" << 200 << 0 << 1;
        QTest::newRow("0326 request and invalid") << v0326 << "[" + kPing + ",5]" << 200 << 1 << 1;
        // 2025-06-18 and later removed batching: any array is an error answer, never a silent 202.
        for (const QString v : {QStringLiteral("2025-06-18"), QStringLiteral("2025-11-25")}) {
            QTest::newRow(qPrintable(v + " empty")) << v << QByteArray("[]") << 400 << 1 << 0;
            QTest::newRow(qPrintable(v + " invalid members")) << v << QByteArray("[1,2]") << 400 << 1 << 0;
            QTest::newRow(qPrintable(v + " notifications")) << v << "[" + kNote + "]" << 400 << 1 << 0;
            QTest::newRow(qPrintable(v + " request")) << v << "[" + kPing + "]" << 200 << 1 << 0;
        }
    }
    void batches()
    {
        QFETCH(QString, version);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(int, errors);
        QFETCH(int, results);
        ServerFixture f;
        HttpClient c(f.port);
        const QByteArray sid = openSession(f, c, version);
        QVERIFY(!sid.isEmpty());
        const HttpResponse r = c.request("POST", "/mcp", streamableHeaders(sid), body);
        QCOMPARE(r.status, status);
        const QJsonValue answer = answerOf(r);
        if (errors < 0) {
            QVERIFY(r.body.isEmpty());
            return;
        }
        const QJsonArray members = answer.isArray() ? answer.toArray() : QJsonArray{answer};
        int gotErrors = 0, gotResults = 0;
        for (const QJsonValue &m : members) {
            if (m["error"].isObject()) {
                QCOMPARE(m["error"]["code"].toInt(), -32600);
                ++gotErrors;
            }
            gotResults += m["result"].isObject() ? 1 : 0;
        }
        QCOMPARE(gotErrors, errors);
        QCOMPARE(gotResults, results);
    }

    void stdioBatchesFollowTheSameRules()
    {
        QTemporaryDir dir;
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(dir.path()));
        p.start(KOAN_MCP_BINARY, {"--stdio", "--db", ":memory:"});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        const auto next = [&]() -> QJsonDocument {
            QByteArray line;
            (void)QTest::qWaitFor(
                [&] {
                    out += p.readAllStandardOutput();
                    const qsizetype nl = out.indexOf('\n');
                    if (nl < 0)
                        return false;
                    line = out.left(nl);
                    out.remove(0, nl + 1);
                    return true;
                },
                5000);
            return QJsonDocument::fromJson(line);
        };
        p.write(
            R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
            "\n");
        QCOMPARE(next().object()["id"].toInt(), 1);
        p.write("[1,2]\n");
        QCOMPARE(next().array().size(), 2);
        p.write("[" + kNote + "]\n"); // nothing owed
        p.write("[]\n");
        QCOMPARE(next().object()["error"].toObject()["code"].toInt(), -32600);
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(5000));
    }

    void oversizedStdioLineIsNotBuffered()
    {
        // A 50 MB line against a 64 KiB limit: refused with -32600, and the server never holds it.
        QTemporaryDir dir;
        QProcess p;
        p.setProcessEnvironment(isolatedEnvironment(dir.path()));
        p.start(KOAN_MCP_BINARY, {"--stdio", "--db", ":memory:", "--set", "MaxRequestBodyBytes=65536"});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        p.write(kPing + "\n");
        QVERIFY(QTest::qWaitFor(
            [&] {
                out += p.readAllStandardOutput();
                return out.contains("\"id\":7");
            },
            5000));
        const qint64 peakBefore = statusKiB(p.processId(), "VmHWM:");
        const QByteArray mib = QByteArray(1024 * 1024, 'x');
        p.write("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\",\"params\":{\"pad\":\"");
        for (int i = 0; i < 50; ++i) {
            p.write(mib);
            QVERIFY(p.waitForBytesWritten(5000) || p.bytesToWrite() == 0);
        }
        p.write("\"}}\n" + kPing + "\n");
        out.clear();
        QVERIFY(QTest::qWaitFor(
            [&] {
                out += p.readAllStandardOutput();
                return out.count('\n') >= 2;
            },
            20000));
        const QList<QByteArray> lines = out.trimmed().split('\n');
        const QJsonObject refused = QJsonDocument::fromJson(lines.at(0)).object();
        QCOMPARE(refused["error"]["code"].toInt(), -32600);
        QVERIFY(refused["error"]["message"].toString().contains("MaxRequestBodyBytes"));
        QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object()["id"].toInt(), 7); // the next line is served as usual
        const qint64 grown = statusKiB(p.processId(), "VmHWM:") - peakBefore;
        QVERIFY2(grown < 8 * 1024, qPrintable(QStringLiteral("peak RSS grew by %1 KiB").arg(grown)));
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(5000));
    }

    void sessionIdsAreRandomAndUrlSafe()
    {
        ServerFixture f;
        HttpClient c(f.port);
        QSet<QByteArray> seen;
        for (int i = 0; i < 50; ++i) {
            const QByteArray sid = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams()))
                                       .header("Mcp-Session-Id");
            QVERIFY2(SessionManager::isWellFormedId(QString::fromLatin1(sid)), sid.constData());
            QVERIFY(sid.size() >= 32); // 128 bits at 4 bits per character at least
            seen.insert(sid);
        }
        QCOMPARE(seen.size(), 50);
        QVERIFY(!SessionManager::isWellFormedId(QString(31, 'a')));
        QVERIFY(!SessionManager::isWellFormedId(QString(129, 'a')));
        QVERIFY(!SessionManager::isWellFormedId(QStringLiteral("%1<script>").arg(QString(32, 'a'))));
        QVERIFY(SessionManager::isWellFormedId(QString(64, '_')));
    }

    void malformedSessionIdsAreNotEchoed()
    {
        ServerFixture f;
        HttpClient c(f.port);
        const QByteArray evil = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";
        const HttpResponse legacy
            = c.request("POST", "/mcp/rpc?sessionId=" + evil, {{"Content-Type", "application/json"}}, kPing);
        QCOMPARE(legacy.status, 404);
        QVERIFY(!legacy.body.contains("script"));
        QVERIFY(legacy.json()["message"].toString().contains("malformed"));
        const HttpResponse streamable = c.request("POST", "/mcp", streamableHeaders(QByteArray(200, 'a')), kPing);
        QCOMPARE(streamable.status, 404);
        QCOMPARE(streamable.json()["error"].toObject()["code"].toInt(), -32001);
    }
};

QTEST_MAIN(TestProtocolEdges)
#include "tst_protocol_edges.moc"
