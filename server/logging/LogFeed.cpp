#include "LogFeed.h"

namespace koan {

LogFeed *LogFeed::instance()
{
    static LogFeed *feed = [] {
        qRegisterMetaType<koan::LogRecord>();
        return new LogFeed;
    }();
    return feed;
}

QList<LogRecord> LogFeed::recent() const
{
    QMutexLocker lock(&m_mutex);
    return {m_ring.begin(), m_ring.end()};
}

void LogFeed::publish(LogRecord record)
{
    {
        QMutexLocker lock(&m_mutex);
        record.seq = ++m_seq;
        m_ring.push_back(record);
        if (int(m_ring.size()) > kCapacity)
            m_ring.pop_front();
    }
    emit recorded(record);
}

} // namespace koan
