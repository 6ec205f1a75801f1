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
