#pragma once
// Token bucket per caller key (subject, or IP for anonymous callers and failed authentications).
#include <QElapsedTimer>
#include <QHash>
#include <QString>

namespace koan {

class RateLimiter
{
public:
    struct Verdict {
        bool allowed = true;
        double retryAfterSeconds = 0; // when refused: seconds until the next permit
        bool firstRefusal = false;    // refused, and the previous request for this key was not
        // Retry-After takes whole seconds; rounding down would invite a retry that is refused again.
        int retryAfterWholeSeconds() const;
    };

    RateLimiter(double permitsPerSecond, int burst);
    // Takes one permit; when none is left returns false and the seconds until the next one.
    bool tryAcquire(const QString &key, double *retryAfterSeconds = nullptr);
    Verdict acquire(const QString &key);

private:
    struct Bucket {
        double tokens;
        qint64 lastNs;
        bool refusing = false; // lets callers log one line per flood instead of one per request
    };
    void prune(qint64 nowNs);

    double m_rate;
    double m_burst;
    QElapsedTimer m_clock;
    QHash<QString, Bucket> m_buckets;
    qint64 m_lastPruneNs = 0;
};

} // namespace koan
