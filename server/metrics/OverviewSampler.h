#pragma once
// The console's Overview in numbers: one sample per second of sessions by transport and era
// (2025 sessions; 2026-07-28 stateless callers and listen streams), calls, errors, p50/p95 call
// latency, auth failures by reason and queued bytes, the last 15 minutes in a ring; and the
// per-tool latency distribution of those 15 minutes (ToolLatencyTable). Aggregated here on the
// server thread, so the console draws 900 points and one row per tool however busy the server.
#include "ToolLatencyTable.h"

#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QTimer>
#include <deque>
#include <vector>

namespace koan {

class AuthAuditLog;
class RpcBridge;
class SessionManager;

struct OverviewSample {
    QDateTime at; // the end of the second it covers (UTC)
    int legacySessions = 0;
    int streamableSessions = 0; // 2025-era Streamable HTTP sessions
    int statelessCallers = 0;   // 2026-07-28: distinct callers answered in the last minute (anonymous: one)
    int listenStreams = 0;      // 2026-07-28: open subscriptions/listen streams
    int calls = 0;              // tools/call finished or refused in this second
    int errors = 0;             // of those, outcome other than "ok"
    double p50Ms = 0;           // call latency, 0 without calls
    double p95Ms = 0;
    int authFailures = 0;                    // in this second
    QMap<QString, int> authFailuresByReason; // of those, by reason (missing_token, expired, ...)
    qint64 queuedBytes = 0;
};

class OverviewSampler : public QObject
{
    Q_OBJECT
public:
    struct Sources {
        SessionManager *sessions = nullptr;
        RpcBridge *bridge = nullptr;
        AuthAuditLog *authLog = nullptr;
    };
    explicit OverviewSampler(Sources sources, int capacity = 900, int intervalMs = 1000, QObject *parent = nullptr);

    QList<OverviewSample> samples() const { return {m_samples.begin(), m_samples.end()}; }
    int capacity() const { return m_capacity; }
    // Each tool's calls of the last 15 minutes, most called first.
    QList<ToolLatency> toolLatency() const;
    // Closes the current second now (the timer does so every interval).
    void sample();

signals:
    void sampled(const koan::OverviewSample &sample);
    // After a second with tool calls, and when a minute left the window.
    void toolLatencyChanged(const QList<koan::ToolLatency> &tools);

private:
    void countCall(const QString &tool, double ms, bool ok);

    Sources m_sources;
    int m_capacity;
    QTimer m_timer;
    std::deque<OverviewSample> m_samples;
    std::vector<double> m_latencies; // of the current second
    int m_calls = 0, m_errors = 0, m_authFailures = 0;
    QMap<QString, int> m_authReasons;         // of the current second
    QHash<QString, qint64> m_statelessSeenMs; // caller -> last answered (pruned to the last minute)
    ToolLatencyTable m_toolLatency;
    bool m_toolLatencyDirty = false;
    qint64 m_toolLatencyMinute = -1;
};

} // namespace koan

Q_DECLARE_METATYPE(koan::OverviewSample)
Q_DECLARE_METATYPE(QList<koan::ToolLatency>)
