// Structured logs: JSON lines with level/category/session id; tokens never reach the output.
#include "logging/LogSink.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using koan::LogSink;

class TestLogging : public QObject
{
    Q_OBJECT
private slots:
    void jsonLineHasFields()
    {
        const QByteArray line = LogSink::format(QtWarningMsg, "koan.sessions",
                                                QStringLiteral("closing session 0123456789abcdef0123456789abcdef after 5 ms"),
                                                LogSink::Format::Json);
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        QCOMPARE(o.value("level").toString(), QStringLiteral("warning"));
        QCOMPARE(o.value("category").toString(), QStringLiteral("koan.sessions"));
        QCOMPARE(o.value("sessionId").toString(), QStringLiteral("0123456789abcdef0123456789abcdef"));
        QVERIFY(o.value("ts").toString().endsWith('Z'));
    }

    void tokensAreRedacted()
    {
        const QString jwt = QStringLiteral("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl");
        for (auto format : {LogSink::Format::Plain, LogSink::Format::Json}) {
            const QByteArray a = LogSink::format(QtInfoMsg, "koan.auth", QStringLiteral("Authorization: Bearer abc.def-123"), format);
            QVERIFY2(!a.contains("abc.def-123") && a.contains("[redacted]"), a.constData());
            const QByteArray b = LogSink::format(QtInfoMsg, "koan.auth", QStringLiteral("token ") + jwt, format);
            QVERIFY2(!b.contains(jwt.toLatin1()) && b.contains("[redacted-jwt]"), b.constData());
        }
    }

    void redactionTakesOnlyTheToken()
    {
        const auto plain = [](const QString &m) { return LogSink::format(QtInfoMsg, "koan.auth", m, LogSink::Format::Plain); };
        // The audit line of a non-Bearer Authorization header: "bearer" is part of the reason, not a scheme.
        QCOMPARE(plain("auth failure: not_bearer from 127.0.0.1 on /mcp"),
                 QByteArray("koan.auth: auth failure: not_bearer from 127.0.0.1 on /mcp\n"));
        QCOMPARE(plain("Use the Bearer authentication scheme"), QByteArray("koan.auth: Use the Bearer authentication scheme\n"));
        QCOMPARE(plain("Authorization: BEARER abc.def-123 from 10.0.0.1"),
                 QByteArray("koan.auth: Authorization: BEARER [redacted] from 10.0.0.1\n"));
        QCOMPARE(plain("Authorization: Bearer abcdefghijklmnopqrstuvwxyz"), QByteArray("koan.auth: Authorization: Bearer [redacted]\n"));
    }

    void controlCharactersCannotForgeLines()
    {
        // An unverified subject or a percent-decoded path carrying CR/LF stays on its own line.
        const QString forged = QStringLiteral("auth failure: bad_signature subject mallory\nkoan.auth: auth ok\r\x1b[31m");
        const QByteArray plain = LogSink::format(QtWarningMsg, "koan.auth", forged, LogSink::Format::Plain);
        QCOMPARE(plain, QByteArray("koan.auth: auth failure: bad_signature subject mallory\\nkoan.auth: auth ok\\r\\x1b[31m\n"));
        const QByteArray json = LogSink::format(QtWarningMsg, "koan.auth", forged, LogSink::Format::Json);
        QCOMPARE(json.count('\n'), 1);
        QVERIFY(QJsonDocument::fromJson(json).object().value("msg").toString().contains("mallory\\nkoan.auth"));
        QCOMPARE(LogSink::escapeControl(QStringLiteral("a\tb\u2028c")), QStringLiteral("a\\tb\\x2028c"));
    }

    void configuredPatternsAreRedacted()
    {
        LogSink::setRedactPatterns({QStringLiteral("P-\\d{4}")});
        const QByteArray line = LogSink::format(QtInfoMsg, "koan.rpc", QStringLiteral("participant P-1001 updated"), LogSink::Format::Plain);
        QCOMPARE(line, QByteArray("koan.rpc: participant [redacted] updated\n"));
        LogSink::setRedactPatterns({});
    }
};

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
