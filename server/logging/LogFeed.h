#pragma once
// The server's log records as the log sink wrote them (redacted, one line each), for the console's
// Logs page: the last `capacity` kept in a ring, each new one announced. LogSink publishes here;
// nothing is kept until it is installed.
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <deque>

namespace koan {

struct LogRecord {
    QDateTime time;   // UTC
    QString level;    // debug, info, warning, error, fatal
    QString category; // e.g. koan.admin
    QString message;  // redacted and control characters escaped, as in the log output
    QString sessionId;
    qint64 seq = 0;  // 1, 2, ... in the order the records were written
    QString traceId; // W3C trace id of the request the record was logged for (LogSink::TraceScope)
};

class LogFeed : public QObject
{
    Q_OBJECT
public:
    static LogFeed *instance(); // never destroyed: records may arrive during static destruction
    static constexpr int kCapacity = 2000;

    QList<LogRecord> recent() const;
    void publish(LogRecord record); // any thread

signals:
    void recorded(const koan::LogRecord &record); // from the thread that logged

private:
    LogFeed() = default;
    mutable QMutex m_mutex;
    std::deque<LogRecord> m_ring;
    qint64 m_seq = 0;
};

} // namespace koan

Q_DECLARE_METATYPE(koan::LogRecord)
