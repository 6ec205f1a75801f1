#include "RateLimiter.h"

namespace koan {

RateLimiter::RateLimiter(double permitsPerSecond, int burst) : m_rate(permitsPerSecond), m_burst(burst)
{
    m_clock.start();
}

bool RateLimiter::tryAcquire(const QString &key, double *retryAfterSeconds)
{
    const qint64 now = m_clock.nsecsElapsed();
    prune(now);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end())
        it = m_buckets.insert(key, Bucket{m_burst, now});
    it->tokens = qMin(m_burst, it->tokens + (now - it->lastNs) / 1e9 * m_rate);
    it->lastNs = now;
    if (it->tokens >= 1.0) {
        it->tokens -= 1.0;
        return true;
    }
    if (retryAfterSeconds)
        *retryAfterSeconds = (1.0 - it->tokens) / m_rate;
    return false;
}

void RateLimiter::prune(qint64 nowNs)
{
    // Buckets that have refilled completely carry no state worth keeping.
    if (nowNs - m_lastPruneNs < qint64(10e9))
        return;
    m_lastPruneNs = nowNs;
    const double fullAfterNs = m_burst / m_rate * 1e9;
    for (auto it = m_buckets.begin(); it != m_buckets.end();)
        it = (nowNs - it->lastNs > fullAfterNs) ? m_buckets.erase(it) : std::next(it);
}

} // namespace koan
