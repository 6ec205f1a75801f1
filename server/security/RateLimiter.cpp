#include "RateLimiter.h"

#include <cmath>
#include <utility>

namespace koan {

RateLimiter::RateLimiter(double permitsPerSecond, int burst) : m_rate(permitsPerSecond), m_burst(burst)
{
    m_clock.start();
}

int RateLimiter::Verdict::retryAfterWholeSeconds() const
{
    return qMax(1, int(std::ceil(retryAfterSeconds)));
}

bool RateLimiter::tryAcquire(const QString &key, double *retryAfterSeconds)
{
    const Verdict v = acquire(key);
    if (retryAfterSeconds)
        *retryAfterSeconds = v.retryAfterSeconds;
    return v.allowed;
}

RateLimiter::Verdict RateLimiter::acquire(const QString &key)
{
    const qint64 now = m_clock.nsecsElapsed();
    prune(now);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end())
        it = m_buckets.insert(key, Bucket{m_burst, now});
    it->tokens = qMin(m_burst, it->tokens + (now - it->lastNs) / 1e9 * m_rate);
    it->lastNs = now;
    Verdict v;
    if (it->tokens >= 1.0) {
        it->tokens -= 1.0;
        it->refusing = false;
        return v;
    }
    v.allowed = false;
    v.retryAfterSeconds = (1.0 - it->tokens) / m_rate;
    v.firstRefusal = !std::exchange(it->refusing, true);
    return v;
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
