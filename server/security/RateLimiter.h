#pragma once
// Token bucket per caller key (subject, or IP for anonymous callers).
#include <QElapsedTimer>
#include <QHash>
#include <QString>

namespace koan {

class RateLimiter
{
public:
    RateLimiter(double permitsPerSecond, int burst);
    // Takes one permit; when none is left returns false and the seconds until the next one.
    bool tryAcquire(const QString &key, double *retryAfterSeconds = nullptr);

private:
    struct Bucket {
        double tokens;
        qint64 lastNs;
    };
    void prune(qint64 nowNs);

    double m_rate;
    double m_burst;
    QElapsedTimer m_clock;
    QHash<QString, Bucket> m_buckets;
    qint64 m_lastPruneNs = 0;
};

} // namespace koan
