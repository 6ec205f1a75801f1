#pragma once
// The console's Overview in numbers: one sample per second of sessions by transport, calls,
// errors, p50/p95 call latency, auth failures and queued bytes, the last 15 minutes in a ring.
// Aggregated here on the server thread, so the console draws 900 points however busy the server.
#include <QDateTime>
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
    int streamableSessions = 0;
    int calls = 0;    // tools/call finished or refused in this second
    int errors = 0;   // of those, outcome other than "ok"
    double p50Ms = 0; // call latency, 0 without calls
    double p95Ms = 0;
    int authFailures = 0; // in this second
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
    // Closes the current second now (the timer does so every interval).
    void sample();

signals:
    void sampled(const koan::OverviewSample &sample);

private:
    void countCall(double ms, bool ok);

    Sources m_sources;
    int m_capacity;
    QTimer m_timer;
    std::deque<OverviewSample> m_samples;
    std::vector<double> m_latencies; // of the current second
    int m_calls = 0, m_errors = 0, m_authFailures = 0;
};

} // namespace koan

Q_DECLARE_METATYPE(koan::OverviewSample)
