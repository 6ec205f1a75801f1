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
    connect(m_sources.bridge, &RpcBridge::toolCallFinished, this,
            [this](const QString &, const QString &, const QJsonObject &, const QJsonObject &, double ms,
                   const QString &outcome) { countCall(ms, outcome == QLatin1String("ok")); });
    connect(m_sources.bridge, &RpcBridge::toolCallRejected, this,
            [this](const QString &, const QString &, const QString &, double ms) { countCall(ms, false); });
    connect(m_sources.authLog, &AuthAuditLog::failureRecorded, this, [this] { ++m_authFailures; });
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &OverviewSampler::sample);
    m_timer.start();
}

void OverviewSampler::countCall(double ms, bool ok)
{
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
}

} // namespace koan
