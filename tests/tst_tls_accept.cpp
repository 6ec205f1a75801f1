// The HTTPS accept path under idle, slow and vanishing clients (issue 13, finding 1), over real
// loopback TLS with a generated certificate and a server on its own thread (ServerHost, as in
// the app): no mix of such clients may wedge the listener, and TlsHandshakeTimeout closes a
// connection that does not finish its handshake in time, however slowly it trickles bytes.
#include "ServerHost.h"
#include "s12/S12MedTrials.h"
#include "http/HttpServerBackend.h"
#include "support/AuthKit.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <atomic>
#include <memory>
#include <sys/resource.h>
#include <vector>

using namespace koan;
using namespace koan::test;

namespace {
// A client that connects and then sends at most part of a real ClientHello, `bytesPerTick` per
// tick of the suite's dribble timer: 0 is a silent client, 1 a slowloris. It never completes.
// Info lines from the acceptor: failed handshakes must not flood the log.
std::atomic<int> tlsInfoLines{0}; // written on the server thread
QtMessageHandler previousHandler = nullptr;
void countTlsInfo(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtInfoMsg && context.category && qstrcmp(context.category, "koan.http.tls") == 0)
        ++tlsInfoLines;
    previousHandler(type, context, message);
}

struct StalledClient {
    std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>();
    int bytesPerTick = 0;
    qsizetype sent = 0;
};
} // namespace

class TestTlsAccept : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // 500 stalled clients here plus their 500 server ends in this one process.
        rlimit rl{};
        QVERIFY(getrlimit(RLIMIT_NOFILE, &rl) == 0);
        rl.rlim_cur = rl.rlim_max;
        QVERIFY(setrlimit(RLIMIT_NOFILE, &rl) == 0);
        QVERIFY2(rl.rlim_cur >= 1200, "needs RLIMIT_NOFILE >= 1200 (ulimit -Hn)");

        QLoggingCategory::setFilterRules(QStringLiteral("koan.http.tls.debug=false")); // one line per failure
        previousHandler = qInstallMessageHandler(countTlsInfo);
        QVERIFY(m_dir.isValid());
        QVERIFY(makeCertificate(QDir(m_dir.path()), &m_cert, &m_key));
        QFile cf(m_cert);
        QVERIFY(cf.open(QIODevice::ReadOnly));
        // The client trusts exactly the generated certificate and checks the name: no ignored errors.
        m_clientTls = QSslConfiguration::defaultConfiguration();
        m_clientTls.setCaCertificates(QSslCertificate::fromData(cf.readAll(), QSsl::Pem));
        m_clientTls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        captureClientHello();
        QVERIFY2(m_clientHello.size() > 100 && m_clientHello.at(0) == 0x16, m_clientHello.toHex().constData());

        connect(&m_dribble, &QTimer::timeout, this, [this] {
            for (auto &c : m_stalled)
                if (c->bytesPerTick > 0 && c->socket->state() == QAbstractSocket::ConnectedState
                    && c->sent < m_clientHello.size() - 1) { // never the last byte
                    c->socket->write(m_clientHello.mid(c->sent, c->bytesPerTick));
                    c->sent += c->bytesPerTick;
                }
        });
        m_dribble.start(100);
    }

    void cleanup()
    {
        m_stalled.clear();
        m_host.reset();
    }

    // Finding 1 as reported: more clients than Qt's pending-connection limit (30) connect, start
    // a handshake or not, and drop mid-handshake, a few times over. With QSslServer the listener
    // stopped accepting for good after the first round.
    void droppedHandshakesDoNotWedgeTheListener()
    {
        startServer(10000);
        QVERIFY(healthzMs() >= 0);
        tlsInfoLines = 0;
        for (int round = 0; round < 4; ++round) {
            for (int i = 0; i < 40; ++i)
                openStalled(i % 2 ? 40 : 0); // half silent, half part-way through a ClientHello
            QVERIFY(waitConnected());
            QTest::qWait(300); // the server has accepted what it is going to accept
            for (auto &c : m_stalled)
                c->socket->abort();
            m_stalled.clear();
            QTest::qWait(100);
        }
        const qint64 ms = healthzMs();
        qInfo("HTTPS /healthz after 4 rounds of 40 dropped handshakes: %lld ms", ms);
        QVERIFY2(ms >= 0, "the HTTPS listener no longer answers");
        QCOMPARE(tlsInfoLines.load(), 1); // 160 failed handshakes, one line (then at most one a minute)
    }

    // 500 idle and slowloris clients held open and churned; a normal client is served throughout.
    void heldAndChurnedStalledClientsDoNotStarveOthers()
    {
        startServer(60000); // longer than the test: the stalled clients stay in their handshakes
        const int base = openConnections();
        for (int i = 0; i < 500; ++i)
            openStalled(i % 2);
        QVERIFY(waitConnected());
        // All of them are accepted and held by the server at once (not 30 at a time).
        QTRY_VERIFY2_WITH_TIMEOUT(openConnections() >= base + 500, qPrintable(QString::number(openConnections())),
                                  10000);
        qint64 worst = 0;
        for (int round = 0; round < 6; ++round) {
            // Close 100 (silent and mid-ClientHello alike), open 100 new ones, ask in between.
            for (int i = 0; i < 100; ++i)
                m_stalled[i * 5 + round % 5]->socket->abort();
            const qint64 during = healthzMs();
            QVERIFY2(during >= 0, qPrintable(QStringLiteral("round %1: no answer within 2 s").arg(round)));
            worst = qMax(worst, during);
            m_stalled.erase(std::remove_if(m_stalled.begin(), m_stalled.end(),
                                           [](const std::unique_ptr<StalledClient> &c) {
                                               return c->socket->state() != QAbstractSocket::ConnectedState;
                                           }),
                            m_stalled.end());
            while (m_stalled.size() < 500)
                openStalled(int(m_stalled.size()) % 2);
            QVERIFY(waitConnected());
            const qint64 after = healthzMs();
            QVERIFY2(after >= 0,
                     qPrintable(QStringLiteral("round %1: no answer within 2 s after reopening").arg(round)));
            worst = qMax(worst, after);
        }
        QTRY_VERIFY_WITH_TIMEOUT(openConnections() >= base + 500, 10000);
        qInfo("500 stalled TLS clients, 6 churn rounds of 100: slowest HTTPS /healthz %lld ms", worst);
        // Dropped handshakes are cleaned up, not leaked.
        m_stalled.clear();
        QTRY_COMPARE_WITH_TIMEOUT(openConnections(), base, 10000);
        QVERIFY(healthzMs() >= 0);
    }

    // TlsHandshakeTimeout (bound from settings like the app does) closes silent and trickling
    // clients; a finished handshake is no longer subject to it.
    void handshakeTimeoutClosesStalledConnections()
    {
        QStringList errors;
        const McpServerOptions bound = McpServerOptions::fromJson(QJsonObject{{"TlsHandshakeTimeout", "1s"}}, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(bound.tlsHandshakeTimeoutMs, 1000);
        QCOMPARE(McpServerOptions{}.tlsHandshakeTimeoutMs, 10000);
        QCOMPARE(McpServerOptions::fromJson(QJsonObject{{"TlsHandshakeTimeout", 3}}, &errors).tlsHandshakeTimeoutMs,
                 3000); // seconds
        QCOMPARE(bound.toJson().value("TlsHandshakeTimeout").toString(), QStringLiteral("1000ms"));
        startServer(bound.tlsHandshakeTimeoutMs);

        // A client through its handshake but idle for longer than the deadline is still served.
        QSslSocket done;
        done.setSslConfiguration(m_clientTls);
        done.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
        QVERIFY(QTest::qWaitFor([&] { return done.isEncrypted(); }, 2000));

        const int base = openConnections();
        QElapsedTimer t;
        t.start();
        openStalled(0);
        openStalled(1);
        QVERIFY(waitConnected());
        QTRY_COMPARE(openConnections(), base + 2);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return m_stalled[0]->socket->state() == QAbstractSocket::UnconnectedState
                       && m_stalled[1]->socket->state() == QAbstractSocket::UnconnectedState;
            },
            5000));
        const qint64 closedAfter = t.elapsed();
        qInfo("stalled handshakes closed after %lld ms (TlsHandshakeTimeout 1 s)", closedAfter);
        QVERIFY2(closedAfter >= 950 && closedAfter <= 2500, qPrintable(QString::number(closedAfter)));
        QVERIFY(m_stalled[1]->sent > 3 && m_stalled[1]->sent < m_clientHello.size()); // it was trickling meanwhile
        QTRY_COMPARE(openConnections(), base);

        QCOMPARE(done.state(), QAbstractSocket::ConnectedState);
        QByteArray answer;
        connect(&done, &QSslSocket::readyRead, &done, [&] { answer += done.readAll(); });
        done.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QVERIFY(QTest::qWaitFor([&] { return answer.contains("\"status\":\"ok\""); }, 2000));
        QVERIFY(answer.startsWith("HTTP/1.1 200"));
    }

    // The size guard still sees each request's decrypted bytes before QtHttpServer buffers them:
    // 100 MB announced over HTTPS, 1 kB sent, and the 413 comes at once.
    void requestSizeGuardRunsAheadOfTheParserOverTls()
    {
        startServer(10000, 4096);
        QSslSocket s;
        s.setSslConfiguration(m_clientTls);
        QByteArray answer;
        connect(&s, &QSslSocket::readyRead, &s, [&] { answer += s.readAll(); });
        s.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
        QVERIFY(QTest::qWaitFor([&] { return s.isEncrypted(); }, 2000));
        s.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Accept: application/json, text/event-stream\r\nContent-Length: 100000000\r\n\r\n"
                + QByteArray(1024, ' '));
        QVERIFY(QTest::qWaitFor([&] { return answer.contains("MaxRequestBodyBytes"); }, 3000));
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
    }

private:
    void startServer(int handshakeTimeoutMs, qint64 maxBody = 4 * 1024 * 1024)
    {
        McpServerOptions o;
        o.port = 0;
        o.databasePath = QStringLiteral(":memory:");
        o.auth.devIssuerKeyFile = m_dir.filePath(QStringLiteral("dev-issuer.pem"));
        o.tlsCertificateFile = m_cert;
        o.tlsKeyFile = m_key;
        o.tlsHandshakeTimeoutMs = handshakeTimeoutMs;
        o.maxRequestBodyBytes = maxBody;
        m_host = std::make_unique<ServerHost>(o, s12::catalog());
        QStringList errors;
        QVERIFY2(m_host->start(true, &errors), qPrintable(errors.join('\n')));
        m_host->invoke([this] { m_port = m_host->server()->httpPort(); });
        QVERIFY(m_host->server()->baseUrl().startsWith(QLatin1String("https://")));
    }

    int openConnections() const
    {
        int n = -1;
        m_host->invoke([&] { n = m_host->server()->findChild<HttpServerBackend *>()->openConnections(); });
        return n;
    }

    // One HTTPS GET /healthz on a fresh, verified connection (handshake included): the time it
    // took in ms, or -1 if no 200 came within 2 s.
    qint64 healthzMs()
    {
        QSslSocket s;
        s.setSslConfiguration(m_clientTls);
        QByteArray answer;
        connect(&s, &QSslSocket::encrypted, &s,
                [&] { s.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"); });
        connect(&s, &QSslSocket::readyRead, &s, [&] { answer += s.readAll(); });
        QElapsedTimer t;
        t.start();
        s.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
        if (!QTest::qWaitFor([&] { return answer.contains("\"status\":\"ok\""); }, 2000)) {
            qWarning() << "no /healthz answer; socket" << s.state() << s.errorString() << "got" << answer.left(200);
            return -1;
        }
        return answer.startsWith("HTTP/1.1 200") ? t.elapsed() : -1;
    }

    void openStalled(int bytesPerTick)
    {
        auto c = std::make_unique<StalledClient>();
        c->bytesPerTick = bytesPerTick;
        c->socket->connectToHost(QHostAddress::LocalHost, m_port);
        m_stalled.push_back(std::move(c));
    }

    bool waitConnected()
    {
        return QTest::qWaitFor(
            [this] {
                return std::all_of(m_stalled.begin(), m_stalled.end(), [](const std::unique_ptr<StalledClient> &c) {
                    return c->socket->state() == QAbstractSocket::ConnectedState;
                });
            },
            10000);
    }

    // The first TLS record a real QSslSocket client sends: its ClientHello.
    void captureClientHello()
    {
        QTcpServer sink;
        QVERIFY(sink.listen(QHostAddress::LocalHost));
        QSslSocket client;
        client.setSslConfiguration(m_clientTls);
        client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), sink.serverPort());
        QVERIFY(QTest::qWaitFor([&] { return sink.hasPendingConnections(); }, 3000));
        QTcpSocket *peer = sink.nextPendingConnection();
        QByteArray record;
        QVERIFY(QTest::qWaitFor(
            [&] {
                record += peer->readAll();
                return record.size() >= 5 && record.size() >= 5 + ((uchar(record[3]) << 8) | uchar(record[4]));
            },
            3000));
        m_clientHello = record.left(5 + ((uchar(record[3]) << 8) | uchar(record[4])));
        client.abort();
    }

    QTemporaryDir m_dir;
    QString m_cert, m_key;
    QSslConfiguration m_clientTls;
    QByteArray m_clientHello;
    QTimer m_dribble;
    std::vector<std::unique_ptr<StalledClient>> m_stalled;
    std::unique_ptr<ServerHost> m_host;
    quint16 m_port = 0;
};

QTEST_GUILESS_MAIN(TestTlsAccept)
#include "tst_tls_accept.moc"
