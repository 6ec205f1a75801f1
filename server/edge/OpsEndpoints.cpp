#include "OpsEndpoints.h"

#include "ClientIdentity.h"
#include "core/ProtocolEra.h"
#include "core/RpcBridge.h"
#include "entities/EntityRegistry.h"
#include "http/HttpErrors.h"
#include "metrics/ServerMetrics.h"
#include "protocol/ProtocolVersion.h"
#include "security/BearerAuthenticator.h"
#include "sessions/SessionManager.h"

#include <QJsonArray>

namespace koan {

OpsEndpoints::OpsEndpoints(Parts parts) : m_parts(std::move(parts))
{
    m_uptime.start();
}

void OpsEndpoints::mount(RequestRouter &router)
{
    const McpServerOptions &o = *m_parts.options;
    router.add("GET", QStringLiteral("/healthz"), RouteAccess::Probe, [this](HttpExchange &c) {
        c.responder->sendJson(200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                                               {QStringLiteral("version"), QStringLiteral(KOAN_MCP_VERSION)},
                                               {QStringLiteral("uptimeSeconds"), double(m_uptime.elapsed() / 1000)}});
    });
    router.add("GET", QStringLiteral("/readyz"), RouteAccess::Probe, [this](HttpExchange &c) {
        readiness([responder = c.responder](bool ready, const QJsonObject &body) {
            if (responder) // the prober may have given up
                responder->sendJson(ready ? 200 : 503, body);
        });
    });
    if (o.operations.metricsEnabled) {
        // Public and Loopback are served before authentication; Authenticated needs a token.
        const bool authenticated = o.effectiveMetricsAccess() == QLatin1String("Authenticated");
        router.add("GET", o.operations.metricsPath, authenticated ? RouteAccess::Authenticated : RouteAccess::Public,
                   [this](HttpExchange &c) { serveMetrics(c); });
    }
    for (const QString &path : {QStringLiteral("/.well-known/oauth-protected-resource"),
                                QStringLiteral("/.well-known/oauth-protected-resource") + o.httpSseRoute})
        router.add("GET", path, RouteAccess::Public, [this](HttpExchange &c) {
            c.responder->sendJson(200, m_parts.authenticator->protectedResourceMetadata(toolScopes()));
        });
    if (o.publishCapabilityEndpoint)
        router.add("GET", o.httpSseRoute + QStringLiteral("/capabilities"), RouteAccess::Authenticated,
                   [this](HttpExchange &c) {
                       // The URLs as the caller reaches them: through a proxy's scheme and path prefix too.
                       const QString base = (c.secure ? QStringLiteral("https://") : QStringLiteral("http://"))
                                            + QString::fromLatin1(c.request.header("Host"))
                                            + c.request.forwardedPrefix();
                       c.responder->sendJson(200, capabilities(c.caller, base));
                   });
}

void OpsEndpoints::serveMetrics(HttpExchange &c)
{
    const QString access = m_parts.options->effectiveMetricsAccess();
    if (access == QLatin1String("Loopback") && !ClientIdentity::isLoopbackCaller(c.request))
        return sendHttpError(c.responder, 403, QStringLiteral("forbidden"),
                             QStringLiteral("Metrics are only served to loopback callers (not through a proxy)"));
    if (access == QLatin1String("Authenticated") && !c.caller.authenticated)
        return sendHttpError(c.responder, 401, QStringLiteral("unauthorized"),
                             QStringLiteral("Metrics need a bearer token"));
    c.responder->send(200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}}, m_parts.metrics->render());
}

QStringList OpsEndpoints::toolScopes() const
{
    QStringList scopes;
    for (const auto &e : m_parts.registry->entities())
        scopes += m_parts.registry->options(e.name).requiredScopes;
    scopes.removeDuplicates();
    return scopes;
}

void OpsEndpoints::readiness(std::function<void(bool ready, const QJsonObject &body)> done) const
{
    m_parts.storeStatus([this, done](bool store, const QJsonObject &storeStatus) {
        const bool listening = m_parts.listening();
        const bool ready = store && listening;
        const SessionManager *sm = m_parts.sessions;
        done(ready, QJsonObject{
                        {QStringLiteral("status"), ready ? QStringLiteral("ready") : QStringLiteral("not_ready")},
                        {QStringLiteral("checks"),
                         QJsonObject{{QStringLiteral("store"), store}, {QStringLiteral("http"), listening}}},
                        {QStringLiteral("store"), storeStatus},
                        {QStringLiteral("transports"), m_parts.transports().toJson()},
                        {QStringLiteral("sessions"), sm->sessionCount()},
                        {QStringLiteral("streams"), sm->longLivedStreams()},
                        {QStringLiteral("maxConcurrentConnections"), sm->maxConcurrentConnections()},
                    });
    });
}

QJsonObject OpsEndpoints::capabilities(const Principal &caller, const QString &baseUrl) const
{
    const McpServerOptions &o = *m_parts.options;
    const QString route = o.httpSseRoute;
    const TransportState state = m_parts.transports();
    const auto tools = [&](TransportKind kind) {
        McpSession probe(QString(), kind, caller);
        QJsonArray names;
        for (const auto &t : m_parts.bridge->visibleTools(probe))
            names.append(t.name);
        return names;
    };
    QJsonArray entities;
    for (const auto &e : m_parts.registry->entities()) {
        const EntityOptions eo = m_parts.registry->options(e.name);
        entities.append(QJsonObject{
            {QStringLiteral("name"), e.name},
            {QStringLiteral("toolPrefix"), eo.name},
            {QStringLiteral("description"), eo.description},
            {QStringLiteral("allowMutations"), eo.allowMutations},
            {QStringLiteral("requireAuthentication"),
             eo.requireAuthentication.value_or(o.effectiveRequireAuthentication())},
            {QStringLiteral("requiredScopes"), QJsonArray::fromStringList(eo.requiredScopes)},
            {QStringLiteral("enabledTransports"), QJsonArray::fromStringList(transportNames(eo.enabledTransports))}});
    }
    const QJsonObject info{{QStringLiteral("name"), m_parts.bridge->serverInfo().name},
                           {QStringLiteral("version"), m_parts.bridge->serverInfo().version}};
    return QJsonObject{
        {QStringLiteral("server"), info},
        {QStringLiteral("protocolVersions"), QJsonArray::fromStringList(protocol::supportedVersions())},
        {QStringLiteral("transports"),
         QJsonArray{QJsonObject{{QStringLiteral("kind"), QStringLiteral("streamable-http")},
                                {QStringLiteral("endpoint"), baseUrl + route},
                                {QStringLiteral("enabled"), state.streamableHttp},
                                {QStringLiteral("tools"), tools(TransportKind::StreamableHttp)}},
                    QJsonObject{{QStringLiteral("kind"), QStringLiteral("http+sse")},
                                {QStringLiteral("streamEndpoint"), baseUrl + route + QStringLiteral("/sse")},
                                {QStringLiteral("submitEndpoint"), baseUrl + route + QStringLiteral("/rpc")},
                                {QStringLiteral("enabled"), state.httpSse},
                                {QStringLiteral("tools"), tools(TransportKind::HttpSse)}},
                    QJsonObject{{QStringLiteral("kind"), QStringLiteral("stdio")},
                                {QStringLiteral("command"), QStringLiteral("koan-mcp --stdio")},
                                {QStringLiteral("enabled"), state.stdio}}}},
        {QStringLiteral("authentication"),
         QJsonObject{{QStringLiteral("required"), o.effectiveRequireAuthentication()},
                     {QStringLiteral("caller"), caller.authenticated ? caller.subject : QStringLiteral("anonymous")},
                     {QStringLiteral("issuer"), caller.authenticated ? QJsonValue(caller.issuer) : QJsonValue()}}},
        {QStringLiteral("entities"), entities},
        // Both eras on the Streamable endpoint (and STDIO), chosen per request (core/ProtocolEra.h).
        {QStringLiteral("protocolEras"),
         QJsonArray{QJsonObject{{QStringLiteral("era"), QStringLiteral("modern")},
                                {QStringLiteral("versions"), QJsonArray{ModernEra::version()}},
                                {QStringLiteral("stateless"), true},
                                {QStringLiteral("endpoint"), baseUrl + route},
                                {QStringLiteral("discover"), QStringLiteral("server/discover")},
                                {QStringLiteral("requestMeta"), QJsonArray{ModernEra::metaKey("protocolVersion"),
                                                                           ModernEra::metaKey("clientCapabilities")}},
                                {QStringLiteral("requestHeaders"),
                                 QJsonArray{QStringLiteral("MCP-Protocol-Version"), QStringLiteral("Mcp-Method"),
                                            QStringLiteral("Mcp-Name"), QStringLiteral("Mcp-Param-{Name}")}},
                                {QStringLiteral("notifications"), QStringLiteral("subscriptions/listen")}},
                    QJsonObject{{QStringLiteral("era"), QStringLiteral("legacy")},
                                {QStringLiteral("versions"), QJsonArray::fromStringList(protocol::supportedVersions())},
                                {QStringLiteral("stateless"), false},
                                {QStringLiteral("endpoint"), baseUrl + route},
                                {QStringLiteral("handshake"), QStringLiteral("initialize")},
                                {QStringLiteral("sessionHeader"), QStringLiteral("Mcp-Session-Id")},
                                {QStringLiteral("notifications"), QStringLiteral("GET stream, resources/subscribe")}}}},
        // What initialize (2025-11-25) and server/discover (2026-07-28) advertise.
        {QStringLiteral("serverCapabilities"),
         QJsonObject{{QStringLiteral("2025-11-25"), m_parts.bridge->capabilities()},
                     {QStringLiteral("2026-07-28"), m_parts.bridge->modernCapabilities()}}},
    };
}

} // namespace koan
