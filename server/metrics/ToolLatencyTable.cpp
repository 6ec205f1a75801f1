#include "ToolLatencyTable.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace koan {

const std::array<double, ToolLatencyTable::kBuckets> &ToolLatencyTable::bucketBounds()
{
    static const std::array<double, kBuckets> bounds{
        0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, std::numeric_limits<double>::infinity()};
    return bounds;
}

void ToolLatencyTable::record(const QString &tool, double ms, bool ok, qint64 nowMs)
{
    const qint64 minute = nowMs / 60000;
    std::vector<Minute> &ring = m_tools[tool];
    if (ring.empty())
        ring.resize(size_t(m_minutes));
    Minute &m = ring[size_t(minute % m_minutes)];
    if (m.index != minute)
        m = Minute{minute};
    ++m.calls;
    m.errors += ok ? 0 : 1;
    m.maxMs = std::max(m.maxMs, ms);
    const auto &bounds = bucketBounds();
    ++m.buckets[size_t(std::lower_bound(bounds.begin(), bounds.end(), ms) - bounds.begin())];
}

double ToolLatencyTable::percentile(const QList<int> &buckets, double p, double maxMs)
{
    qint64 total = 0;
    for (int n : buckets)
        total += n;
    if (total == 0)
        return 0;
    const double rank = std::max(1.0, std::ceil(p * double(total)));
    const auto &bounds = bucketBounds();
    qint64 below = 0;
    for (int i = 0; i < buckets.size() && i < kBuckets; ++i) {
        if (buckets.at(i) == 0 || double(below + buckets.at(i)) < rank) {
            below += buckets.at(i);
            continue;
        }
        const double lo = i == 0 ? 0 : bounds[size_t(i - 1)];
        const double hi = std::min(maxMs, bounds[size_t(i)]);
        const double v = lo + (std::max(lo, hi) - lo) * (rank - double(below)) / buckets.at(i);
        return std::min(v, maxMs);
    }
    return maxMs;
}

QList<ToolLatency> ToolLatencyTable::snapshot(qint64 nowMs) const
{
    const qint64 minute = nowMs / 60000;
    QList<ToolLatency> out;
    for (auto it = m_tools.cbegin(); it != m_tools.cend(); ++it) {
        ToolLatency t;
        t.tool = it.key();
        t.buckets = QList<int>(kBuckets, 0);
        for (const Minute &m : it.value()) {
            if (m.index < 0 || m.index <= minute - m_minutes)
                continue; // empty, or older than the window
            t.calls += m.calls;
            t.errors += m.errors;
            t.maxMs = std::max(t.maxMs, m.maxMs);
            for (int i = 0; i < kBuckets; ++i)
                t.buckets[i] += m.buckets[size_t(i)];
        }
        if (t.calls == 0)
            continue;
        t.p50Ms = percentile(t.buckets, 0.50, t.maxMs);
        t.p95Ms = percentile(t.buckets, 0.95, t.maxMs);
        out << t;
    }
    std::sort(out.begin(), out.end(), [](const ToolLatency &a, const ToolLatency &b) {
        return a.calls != b.calls ? a.calls > b.calls : a.tool < b.tool;
    });
    return out;
}

} // namespace koan
