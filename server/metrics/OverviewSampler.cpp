#include "OverviewSampler.h"

#include "core/RpcBridge.h"
#include "security/AuthAuditLog.h"
#include "sessions/SessionManager.h"

#include <algorithm>
#include <cmath>

namespace koan {

namespace {
// Nearest-rank percentile; reorders `v`.
double percentile(std::vector<double> &v, double p)
{
    if (v.empty())
        return 0;
    const size_t rank = size_t(std::max(0.0, std::ceil(p * double(v.size())) - 1));
    std::nth_element(v.begin(), v.begin() + qsizetype(rank), v.end());
    return v[rank];
}
} // namespace

OverviewSampler::OverviewSampler(Sources sources, int capacity, int intervalMs, QObject *parent)
    : QObject(parent), m_sources(sources), m_capacity(capacity)
{
    qRegisterMetaType<koan::OverviewSample>();
    qRegisterMetaType<QList<koan::OverviewSample>>();
    qRegisterMetaType<QList<koan::ToolLatency>>();
    connect(m_sources.bridge, &RpcBridge::toolCallFinished, this,
            [this](const QString &, const QString &tool, const QJsonObject &, const QJsonObject &, double ms,
                   const QString &outcome) { countCall(tool, ms, outcome == QLatin1String("ok")); });
    connect(m_sources.bridge, &RpcBridge::toolCallRejected, this,
            [this](const QString &, const QString &tool, const QString &, double ms) { countCall(tool, ms, false); });
    connect(m_sources.bridge, &RpcBridge::statelessAnswered, this, [this](const QString &caller) {
        // Bounded by the callers of one minute: pruned every sample.
        m_statelessSeenMs.insert(caller, QDateTime::currentMSecsSinceEpoch());
    });
    connect(m_sources.authLog, &AuthAuditLog::failureRecorded, this, [this](const AuthFailure &f) {
        ++m_authFailures;
        ++m_authReasons[f.reason.isEmpty() ? QStringLiteral("unknown") : f.reason];
    });
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &OverviewSampler::sample);
    m_timer.start();
}

QList<ToolLatency> OverviewSampler::toolLatency() const
{
    return m_toolLatency.snapshot(QDateTime::currentMSecsSinceEpoch());
}

void OverviewSampler::countCall(const QString &tool, double ms, bool ok)
{
    // Unknown tool names (chosen freely by clients) are counted in the totals only.
    if (!tool.isEmpty()) {
        m_toolLatency.record(tool, ms, ok, QDateTime::currentMSecsSinceEpoch());
        m_toolLatencyDirty = true;
    }
    ++m_calls;
    m_errors += ok ? 0 : 1;
    // Bounded: beyond 100 000 calls a second the percentiles come from the first 100 000.
    if (m_latencies.size() < 100000)
        m_latencies.push_back(ms);
}

void OverviewSampler::sample()
{
    OverviewSample s;
    s.at = QDateTime::currentDateTimeUtc();
    const QHash<TransportKind, int> counts = m_sources.sessions->countByTransport();
    s.legacySessions = counts.value(TransportKind::HttpSse);
    s.streamableSessions = counts.value(TransportKind::StreamableHttp);
    s.queuedBytes = m_sources.sessions->queuedBytes();
    const qint64 nowMs = s.at.toMSecsSinceEpoch();
    for (auto it = m_statelessSeenMs.begin(); it != m_statelessSeenMs.end();)
        it = nowMs - it.value() > 60000 ? m_statelessSeenMs.erase(it) : std::next(it);
    s.statelessCallers = int(m_statelessSeenMs.size());
    s.listenStreams = m_sources.bridge->listenStreams();
    s.authFailuresByReason = std::exchange(m_authReasons, {});
    s.calls = std::exchange(m_calls, 0);
    s.errors = std::exchange(m_errors, 0);
    s.authFailures = std::exchange(m_authFailures, 0);
    s.p50Ms = percentile(m_latencies, 0.50);
    s.p95Ms = percentile(m_latencies, 0.95);
    m_latencies.clear();
    m_samples.push_back(s);
    while (int(m_samples.size()) > m_capacity)
        m_samples.pop_front();
    emit sampled(s);
    const qint64 minute = nowMs / 60000;
    if (m_toolLatencyDirty || (minute != m_toolLatencyMinute && m_toolLatencyMinute >= 0)) {
        m_toolLatencyDirty = false;
        emit toolLatencyChanged(m_toolLatency.snapshot(nowMs));
    }
    m_toolLatencyMinute = minute;
}

} // namespace koan
