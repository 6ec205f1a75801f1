#include "ServerMetrics.h"

#include "core/RpcBridge.h"
#include "security/AuthAuditLog.h"
#include "sessions/SessionManager.h"

namespace koan {

ServerMetrics::ServerMetrics(Sources sources, QObject *parent) : QObject(parent)
{
    MetricsRegistry &m = m_registry;
    m.describe(QStringLiteral("koan_mcp_sessions_active"), QStringLiteral("gauge"),
               QStringLiteral("Open MCP sessions by transport"));
    m.describe(QStringLiteral("koan_mcp_sessions_opened_total"), QStringLiteral("counter"),
               QStringLiteral("Sessions opened by transport"));
    m.describe(QStringLiteral("koan_mcp_sessions_closed_total"), QStringLiteral("counter"),
               QStringLiteral("Sessions closed by reason"));
    m.describe(QStringLiteral("koan_mcp_sse_connections"), QStringLiteral("gauge"),
               QStringLiteral("Open long-lived SSE streams"));
    m.describe(QStringLiteral("koan_mcp_sse_connection_limit"), QStringLiteral("gauge"),
               QStringLiteral("MaxConcurrentConnections"));
    m.describe(QStringLiteral("koan_mcp_session_limit"), QStringLiteral("gauge"),
               QStringLiteral("MaxSessions (live sessions of both HTTP transports)"));
    m.describe(QStringLiteral("koan_mcp_sse_connection_utilization"), QStringLiteral("gauge"),
               QStringLiteral("Open streams / limit (0..1)"));
    m.describe(QStringLiteral("koan_mcp_connections_rejected_total"), QStringLiteral("counter"),
               QStringLiteral("Streams refused, by reason"));
    m.describe(QStringLiteral("koan_mcp_request_event_latency_seconds"), QStringLiteral("histogram"),
               QStringLiteral("From an HTTP request arriving to its JSON-RPC answer being written, by transport"));
    m.describe(QStringLiteral("koan_mcp_tool_calls_total"), QStringLiteral("counter"),
               QStringLiteral("tools/call by tool and outcome (ok, error, denied, not_found)"));
    m.describe(QStringLiteral("koan_mcp_tool_call_duration_seconds"), QStringLiteral("histogram"),
               QStringLiteral("tools/call duration by tool and outcome"));
    m.describe(QStringLiteral("koan_mcp_auth_failures_total"), QStringLiteral("counter"),
               QStringLiteral("Authentication/authorization failures by reason"));
    m.describe(QStringLiteral("koan_mcp_heartbeats_sent_total"), QStringLiteral("counter"),
               QStringLiteral("SSE keep-alive comments written"));
    m.describe(QStringLiteral("koan_mcp_heartbeat_round_seconds"), QStringLiteral("histogram"),
               QStringLiteral("Time to send one heartbeat round"));
    m.describe(QStringLiteral("koan_mcp_bytes_queued"), QStringLiteral("gauge"),
               QStringLiteral("Bytes waiting in socket buffers across streams"));
    m.describe(QStringLiteral("koan_mcp_rate_limited_total"), QStringLiteral("counter"),
               QStringLiteral("Requests refused with 429"));
    m.describe(QStringLiteral("koan_mcp_transport_enabled"), QStringLiteral("gauge"),
               QStringLiteral("1 when the transport accepts requests"));
    m.describe(
        QStringLiteral("koan_mcp_https_violations_total"), QStringLiteral("counter"),
        QStringLiteral("Plain-HTTP requests refused by RequireHttps, by action (redirect: 308 for GET, reject: 400)"));
    m.describe(QStringLiteral("koan_mcp_input_rounds_total"), QStringLiteral("counter"),
               QStringLiteral("Rounds in which a handler asked the client for input, by era (modern: an "
                              "input_required result; legacy: server-to-client requests) and method"));
    m.describe(QStringLiteral("koan_mcp_request_states_refused_total"), QStringLiteral("counter"),
               QStringLiteral("2026-07-28 retries refused for their requestState or inputResponses, by reason"));
    m.describe(QStringLiteral("koan_mcp_protocol_rejections_total"), QStringLiteral("counter"),
               QStringLiteral("Requests refused with the 2026-07-28 era's own codes, by era and code (-32020 "
                              "header mismatch, -32021 missing client capability, -32022 unsupported version)"));
    m.describe(QStringLiteral("koan_mcp_listen_streams"), QStringLiteral("gauge"),
               QStringLiteral("Open subscriptions/listen streams, by era"));
    // Counters start at zero so dashboards and alerts see the series from the first scrape.
    for (const char *code : {"-32020", "-32021", "-32022"})
        m.increment(QStringLiteral("koan_mcp_protocol_rejections_total"),
                    {{QStringLiteral("era"), QStringLiteral("modern")}, {QStringLiteral("code"), QLatin1String(code)}},
                    0);
    for (const char *era : {"legacy", "modern"})
        m.increment(QStringLiteral("koan_mcp_input_rounds_total"),
                    {{QStringLiteral("era"), QString::fromLatin1(era)}, {QStringLiteral("method"), "tools/call"}}, 0);
    for (const char *t : {"HttpSse", "StreamableHttp"})
        m.increment(QStringLiteral("koan_mcp_sessions_opened_total"),
                    {{QStringLiteral("transport"), QString::fromLatin1(t)}}, 0);
    m.increment(QStringLiteral("koan_mcp_heartbeats_sent_total"), {}, 0);
    m.increment(QStringLiteral("koan_mcp_rate_limited_total"), {}, 0);
    for (const char *a : {"redirect", "reject"})
        m.increment(QStringLiteral("koan_mcp_https_violations_total"),
                    {{QStringLiteral("action"), QString::fromLatin1(a)}}, 0);
    // The timeout closes alerts and the dashboard watch (rate() needs the series before the first one).
    for (const char *r : {"idle_timeout", "token_expired"})
        m.increment(QStringLiteral("koan_mcp_sessions_closed_total"),
                    {{QStringLiteral("reason"), QString::fromLatin1(r)}}, 0);

    SessionManager *sessions = sources.sessions;
    // Stateless-era rows (callers, listen streams) are listed like sessions but are none.
    connect(sessions, &SessionManager::sessionOpened, this, [this](const SessionInfo &info) {
        if (info.isStateless())
            return;
        m_registry.increment(QStringLiteral("koan_mcp_sessions_opened_total"),
                             {{QStringLiteral("transport"), transportName(info.transport)}});
    });
    connect(sessions, &SessionManager::sessionClosed, this, [this](const QString &id, const QString &reason) {
        if (isStatelessRowId(id))
            return;
        m_registry.increment(QStringLiteral("koan_mcp_sessions_closed_total"),
                             {{QStringLiteral("reason"), reason.isEmpty() ? QStringLiteral("unknown") : reason}});
    });
    connect(sessions, &SessionManager::connectionRejected, this, [this](const QString &reason) {
        m_registry.increment(QStringLiteral("koan_mcp_connections_rejected_total"),
                             {{QStringLiteral("reason"), reason}});
    });
    connect(sessions, &SessionManager::heartbeatRoundFinished, this, [this](int sent, double ms) {
        m_registry.increment(QStringLiteral("koan_mcp_heartbeats_sent_total"), {}, sent);
        m_registry.observe(QStringLiteral("koan_mcp_heartbeat_round_seconds"), ms / 1000.0);
    });
    connect(sessions, &SessionManager::requestServed, this, [this](TransportKind transport, double seconds) {
        m_registry.observe(QStringLiteral("koan_mcp_request_event_latency_seconds"), seconds,
                           {{QStringLiteral("transport"), transportName(transport)}});
    });
    connect(
        sources.bridge, &RpcBridge::toolCallFinished, this,
        [this](const QString &, const QString &tool, const QJsonObject &, const QJsonObject &, double ms,
               const QString &outcome) {
            const MetricsRegistry::Labels labels{{QStringLiteral("tool"), tool}, {QStringLiteral("outcome"), outcome}};
            m_registry.increment(QStringLiteral("koan_mcp_tool_calls_total"), labels);
            m_registry.observe(QStringLiteral("koan_mcp_tool_call_duration_seconds"), ms / 1000.0, labels);
        });
    // Calls refused before reaching a tool count too: outcome "denied" or "not_found" (unknown
    // names share one label value, so clients cannot grow the series set).
    connect(sources.bridge, &RpcBridge::toolCallRejected, this,
            [this](const QString &, const QString &tool, const QString &outcome, double ms) {
                const MetricsRegistry::Labels labels{
                    {QStringLiteral("tool"), tool.isEmpty() ? QStringLiteral("_unknown") : tool},
                    {QStringLiteral("outcome"), outcome}};
                m_registry.increment(QStringLiteral("koan_mcp_tool_calls_total"), labels);
                m_registry.observe(QStringLiteral("koan_mcp_tool_call_duration_seconds"), ms / 1000.0, labels);
            });
    connect(sources.bridge, &RpcBridge::inputRoundAsked, this, [this](ProtocolEra era, const QString &method) {
        m_registry.increment(
            QStringLiteral("koan_mcp_input_rounds_total"),
            {{QStringLiteral("era"), era == ProtocolEra::Modern ? QStringLiteral("modern") : QStringLiteral("legacy")},
             {QStringLiteral("method"), method}});
    });
    connect(sources.bridge, &RpcBridge::protocolRejected, this, [this](ProtocolEra era, int code) {
        m_registry.increment(
            QStringLiteral("koan_mcp_protocol_rejections_total"),
            {{QStringLiteral("era"), era == ProtocolEra::Modern ? QStringLiteral("modern") : QStringLiteral("legacy")},
             {QStringLiteral("code"), QString::number(code)}});
    });
    connect(sources.bridge, &RpcBridge::requestStateRefused, this, [this](const QString &reason) {
        m_registry.increment(QStringLiteral("koan_mcp_request_states_refused_total"),
                             {{QStringLiteral("reason"), reason}});
    });
    connect(sources.authLog, &AuthAuditLog::failureRecorded, this, [this](const AuthFailure &f) {
        m_registry.increment(QStringLiteral("koan_mcp_auth_failures_total"), {{QStringLiteral("reason"), f.reason}});
    });
    // Only the stateless era has listen streams (a 2025 session's GET stream is a session's).
    m.addCollector([bridge = sources.bridge](MetricsRegistry &r) {
        r.set(QStringLiteral("koan_mcp_listen_streams"), bridge->listenStreams(),
              {{QStringLiteral("era"), QStringLiteral("modern")}});
    });
    m.addCollector([sm = sources.sessions, transports = sources.transports](MetricsRegistry &r) {
        const QHash<TransportKind, int> counts = sm->countByTransport();
        for (TransportKind t : {TransportKind::HttpSse, TransportKind::StreamableHttp})
            r.set(QStringLiteral("koan_mcp_sessions_active"), counts.value(t),
                  {{QStringLiteral("transport"), transportName(t)}});
        r.set(QStringLiteral("koan_mcp_sse_connections"), sm->longLivedStreams());
        r.set(QStringLiteral("koan_mcp_sse_connection_limit"), sm->maxConcurrentConnections());
        r.set(QStringLiteral("koan_mcp_session_limit"), sm->maxSessions());
        r.set(QStringLiteral("koan_mcp_sse_connection_utilization"),
              double(sm->longLivedStreams()) / qMax(1, sm->maxConcurrentConnections()));
        r.set(QStringLiteral("koan_mcp_bytes_queued"), double(sm->queuedBytes()));
        const TransportState state = transports();
        for (const auto &[name, on] :
             {std::pair{"HttpSse", state.httpSse}, std::pair{"StreamableHttp", state.streamableHttp},
              std::pair{"Stdio", state.stdio}})
            r.set(QStringLiteral("koan_mcp_transport_enabled"), on ? 1 : 0,
                  {{QStringLiteral("transport"), QString::fromLatin1(name)}});
    });
}

void ServerMetrics::countRateLimited()
{
    m_registry.increment(QStringLiteral("koan_mcp_rate_limited_total"));
}

void ServerMetrics::countHttpsViolation(bool redirected)
{
    m_registry.increment(
        QStringLiteral("koan_mcp_https_violations_total"),
        {{QStringLiteral("action"), redirected ? QStringLiteral("redirect") : QStringLiteral("reject")}});
}

} // namespace koan
