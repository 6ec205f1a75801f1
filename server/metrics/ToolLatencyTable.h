#pragma once
// Per-tool call latency over the last 15 minutes, for the Overview's distribution: a fixed
// histogram per tool and minute (14 log-spaced buckets), so memory and the snapshot stay the
// same size however many calls the server answers. Percentiles come from the histogram
// (interpolated inside a bucket, never above the exact maximum).
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QString>
#include <array>
#include <vector>

namespace koan {

struct ToolLatency {
    QString tool;
    int calls = 0;
    int errors = 0; // outcome other than "ok"
    double p50Ms = 0;
    double p95Ms = 0;
    double maxMs = 0;
    QList<int> buckets; // calls per ToolLatencyTable::bucketBounds() bucket
};

class ToolLatencyTable
{
public:
    static constexpr int kBuckets = 14;
    // The buckets' upper bounds in ms; the last bucket holds everything above the one before it.
    static const std::array<double, kBuckets> &bucketBounds();
    explicit ToolLatencyTable(int minutes = 15) : m_minutes(qMax(1, minutes)) { }

    void record(const QString &tool, double ms, bool ok, qint64 nowMs);
    // Tools with calls in the window, most called first.
    QList<ToolLatency> snapshot(qint64 nowMs) const;
    // The percentile `p` (0..1) of a histogram whose largest value is maxMs.
    static double percentile(const QList<int> &buckets, double p, double maxMs);

private:
    struct Minute {
        qint64 index = -1; // minutes since the epoch
        int calls = 0;
        int errors = 0;
        double maxMs = 0;
        std::array<int, kBuckets> buckets{};
    };
    int m_minutes;
    QHash<QString, std::vector<Minute>> m_tools; // a ring of m_minutes per tool, slot index % m_minutes
};

} // namespace koan

Q_DECLARE_METATYPE(koan::ToolLatency)
