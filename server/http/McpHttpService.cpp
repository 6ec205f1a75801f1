#include "McpHttpService.h"

#include "HttpErrors.h"
#include "HttpResponder.h"
#include "McpServer.h"
#include "core/RpcBridge.h"
#include "entities/EntityRegistry.h"
#include "protocol/ProtocolVersion.h"
#include "security/BearerAuthenticator.h"
#include "sessions/SessionManager.h"
#include "store/EntityStore.h"
#include "metrics/ServerMetrics.h"
#include "transport/HttpSseTransport.h"
#include "transport/StreamableHttpTransport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QUrl>
#include <cmath>

namespace koan {

McpHttpService::McpHttpService(McpServer *server, QObject *parent)
    : QObject(parent), m_server(server),
      m_origins(server->options().allowedOrigins, server->options().allowedHosts, server->options().bindAddress)
{
    m_uptime.start();
    const McpServerOptions &o = server->options();
    for (const QString &p : o.trustedProxies)
        m_trustedProxies << QHostAddress::parseSubnet(p.contains(QLatin1Char('/')) ? p
                                                       : p + (p.contains(QLatin1Char(':')) ? QStringLiteral("/128") : QStringLiteral("/32")));
    if (o.effectiveRateLimit())
        m_rateLimiter = std::make_unique<RateLimiter>(o.rateLimit.permitsPerSecond, o.rateLimit.burst);
}

bool McpHttpService::fromTrustedProxy(const HttpRequest &req) const
{
    for (const auto &subnet : m_trustedProxies)
        if (req.remoteAddress.isInSubnet(subnet))
            return true;
    return false;
}

QString McpHttpService::clientAddress(const HttpRequest &req) const
{
    if (fromTrustedProxy(req)) {
        const QByteArray forwarded = req.header("X-Forwarded-For").split(',').first().trimmed();
        if (!forwarded.isEmpty())
            return QString::fromLatin1(forwarded);
    }
    return req.remoteAddress.toString();
}

QStringList McpHttpService::toolScopes() const
{
    QStringList scopes;
    for (const auto &e : m_server->registry()->entities())
        scopes += m_server->registry()->options(e.name).requiredScopes;
    scopes.removeDuplicates();
    return scopes;
}

void McpHttpService::handle(const HttpRequest &req, HttpResponder *r)
{
    const McpServerOptions &o = m_server->options();
    const bool health = req.path == QLatin1String("/healthz") || req.path == QLatin1String("/readyz");
    // Probes come from orchestrators addressing the pod IP; everything else must name this server.
    if (!health && !m_origins.hostAllowed(req.header("Host")))
        return sendHttpError(r, 403, QStringLiteral("forbidden_host"),
                             QStringLiteral("Host '%1' is not allowed (DNS rebinding protection; see AllowedHosts)")
                                 .arg(QString::fromLatin1(req.header("Host"))));
    const QByteArray origin = req.header("Origin");
    if (!m_origins.originAllowed(origin))
        return sendHttpError(r, 403, QStringLiteral("forbidden_origin"),
                             QStringLiteral("Origin '%1' is not allowed (see AllowedOrigins)").arg(QString::fromLatin1(origin)));
    r->addDefaultHeaders(m_origins.corsHeaders(origin));
    if (req.method == "OPTIONS")
        return r->send(204, OriginPolicy::preflightHeaders());

    const auto methodNotAllowed = [r](const QByteArray &allow) {
        sendHttpError(r, 405, QStringLiteral("method_not_allowed"), QStringLiteral("Use %1").arg(QString::fromLatin1(allow)),
                      {{"Allow", allow}});
    };
    if (req.path == QLatin1String("/healthz")) {
        if (req.method != "GET")
            return methodNotAllowed("GET");
        return r->sendJson(200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                                            {QStringLiteral("version"), QStringLiteral(KOAN_MCP_VERSION)},
                                            {QStringLiteral("uptimeSeconds"), double(m_uptime.elapsed() / 1000)}});
    }
    if (req.path == QLatin1String("/readyz")) {
        if (req.method != "GET")
            return methodNotAllowed("GET");
        bool ready = false;
        const QJsonObject body = readiness(&ready);
        return r->sendJson(ready ? 200 : 503, body);
    }

    const OperationsOptions &ops = o.operations;
    if (ops.metricsEnabled && req.path == ops.metricsPath && ops.metricsAccess != QLatin1String("Authenticated")) {
        if (req.method != "GET")
            return methodNotAllowed("GET");
        if (ops.metricsAccess == QLatin1String("Loopback") && !req.remoteAddress.isLoopback())
            return sendHttpError(r, 403, QStringLiteral("forbidden"), QStringLiteral("Metrics are only served to loopback callers"));
        return r->send(200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}}, m_server->metrics()->render());
    }

    // HTTPS: served directly, or terminated by a trusted proxy that says so.
    const bool secure = req.secure || (fromTrustedProxy(req) && req.header("X-Forwarded-Proto") == "https");
    if (o.effectiveRequireHttps() && !secure) {
        if (req.method == "GET") {
            QUrl target(QStringLiteral("https://%1%2").arg(QString::fromLatin1(req.header("Host")), req.path));
            target.setQuery(req.query);
            return sendHttpError(r, 308, QStringLiteral("https_required"), QStringLiteral("Use HTTPS"),
                                 {{"Location", target.toEncoded()}});
        }
        return sendHttpError(r, 400, QStringLiteral("https_required"), QStringLiteral("This server only accepts HTTPS requests"));
    }

    if (req.path == QLatin1String("/.well-known/oauth-protected-resource")
        || req.path == QLatin1String("/.well-known/oauth-protected-resource") + o.httpSseRoute) {
        if (req.method != "GET")
            return methodNotAllowed("GET");
        return r->sendJson(200, m_server->authenticator()->protectedResourceMetadata(toolScopes()));
    }

    QPointer<HttpResponder> guard(r);
    m_server->authenticator()->authenticate(req, clientAddress(req), [this, req, guard](const BearerAuthenticator::Outcome &out) {
        if (!guard)
            return; // the client left while keys were being fetched
        if (!out.ok)
            return guard->sendJson(out.status, out.body, out.headers);
        route(req, guard, out.principal);
    });
}

void McpHttpService::route(const HttpRequest &req, HttpResponder *r, const Principal &caller)
{
    const McpServerOptions &o = m_server->options();
    const QString route = o.httpSseRoute;
    if (m_rateLimiter) {
        const QString key = caller.authenticated ? QStringLiteral("sub:") + caller.subject : QStringLiteral("ip:") + clientAddress(req);
        double retryAfter = 0;
        if (!m_rateLimiter->tryAcquire(key, &retryAfter)) {
            emit rateLimited(key);
            return sendHttpError(r, 429, QStringLiteral("rate_limited"), QStringLiteral("Too many requests; slow down"),
                                 {{"Retry-After", QByteArray::number(qMax(1, int(std::ceil(retryAfter))))}});
        }
    }
    const auto methodNotAllowed = [r](const QByteArray &allow) {
        sendHttpError(r, 405, QStringLiteral("method_not_allowed"), QStringLiteral("Use %1").arg(QString::fromLatin1(allow)),
                      {{"Allow", allow}});
    };
    const OperationsOptions &ops = o.operations;
    if (ops.metricsEnabled && req.path == ops.metricsPath) { // Access: Authenticated
        if (!caller.authenticated)
            return sendHttpError(r, 401, QStringLiteral("unauthorized"), QStringLiteral("Metrics need a bearer token"));
        return r->send(200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}}, m_server->metrics()->render());
    }
    if (ops.adminEndpointEnabled && req.path.startsWith(QLatin1String("/admin/")))
        return admin(req, r, caller);
    if (req.path == route + QLatin1String("/capabilities") && o.publishCapabilityEndpoint) {
        if (req.method != "GET")
            return methodNotAllowed("GET");
        const QString base = (req.secure ? QStringLiteral("https://") : QStringLiteral("http://"))
                             + QString::fromLatin1(req.header("Host"));
        return r->sendJson(200, capabilities(caller, base));
    }
    if (req.path == route + QLatin1String("/sse")) {
        if (req.method != "GET")
            return methodNotAllowed("GET");
        return m_server->httpSse()->openStream(req, r, caller);
    }
    if (req.path == route + QLatin1String("/rpc")) {
        if (req.method != "POST")
            return methodNotAllowed("POST");
        return m_server->httpSse()->submit(req, r, caller);
    }
    if (req.path == route && o.enableStreamableHttpTransport)
        return m_server->streamable()->handle(req, r, caller);
    sendHttpError(r, 404, QStringLiteral("not_found"), QStringLiteral("No endpoint at %1").arg(req.path));
}

void McpHttpService::admin(const HttpRequest &req, HttpResponder *r, const Principal &caller)
{
    const McpServerOptions &o = m_server->options();
    // Operators: a token with the admin scope, or (with authentication off) a loopback caller.
    const bool allowed = caller.authenticated ? caller.hasScopes({o.operations.adminScope})
                                              : !o.effectiveRequireAuthentication() && req.remoteAddress.isLoopback();
    if (!allowed)
        return sendHttpError(r, 403, QStringLiteral("forbidden"),
                             QStringLiteral("The admin endpoints need scope %1 (or a loopback caller when authentication is off)")
                                 .arg(o.operations.adminScope));
    const auto state = [this] {
        return QJsonObject{{QStringLiteral("httpSse"), m_server->isHttpSseEnabled()},
                           {QStringLiteral("streamableHttp"), m_server->options().enableStreamableHttpTransport && m_server->streamable()->isEnabled()},
                           {QStringLiteral("stdio"), m_server->options().enableStdioTransport},
                           {QStringLiteral("openStreams"), m_server->sessions()->longLivedStreams()}};
    };
    if (req.path == QLatin1String("/admin/transports")) {
        if (req.method != "GET")
            return sendHttpError(r, 405, QStringLiteral("method_not_allowed"), QStringLiteral("Use GET"), {{"Allow", "GET"}});
        return r->sendJson(200, state());
    }
    if (req.path == QLatin1String("/admin/transports/http-sse")) {
        if (req.method != "PUT")
            return sendHttpError(r, 405, QStringLiteral("method_not_allowed"), QStringLiteral("Use PUT"), {{"Allow", "PUT"}});
        const QJsonValue enabled = QJsonDocument::fromJson(req.body).object().value(QLatin1String("enabled"));
        if (!enabled.isBool())
            return sendHttpError(r, 400, QStringLiteral("invalid_body"), QStringLiteral("Send {\"enabled\": true|false}"));
        m_server->setHttpSseEnabled(enabled.toBool());
        return r->sendJson(200, state());
    }
    sendHttpError(r, 404, QStringLiteral("not_found"), QStringLiteral("No endpoint at %1").arg(req.path));
}

QJsonObject McpHttpService::readiness(bool *ready) const
{
    const bool store = m_server->store()->isOpen();
    const bool listening = m_server->httpPort() != 0;
    *ready = store && listening;
    return QJsonObject{
        {QStringLiteral("status"), *ready ? QStringLiteral("ready") : QStringLiteral("not_ready")},
        {QStringLiteral("checks"), QJsonObject{{QStringLiteral("store"), store}, {QStringLiteral("http"), listening}}},
        {QStringLiteral("transports"),
         QJsonObject{{QStringLiteral("httpSse"), m_server->httpSse()->isEnabled()},
                     {QStringLiteral("streamableHttp"), m_server->options().enableStreamableHttpTransport
                                                            && m_server->streamable()->isEnabled()},
                     {QStringLiteral("stdio"), m_server->options().enableStdioTransport}}},
        {QStringLiteral("sessions"), m_server->sessions()->sessionCount()},
        {QStringLiteral("streams"), m_server->sessions()->longLivedStreams()},
        {QStringLiteral("maxConcurrentConnections"), m_server->sessions()->maxConcurrentConnections()},
    };
}

QJsonObject McpHttpService::capabilities(const Principal &caller, const QString &baseUrl) const
{
    const McpServerOptions &o = m_server->options();
    const QString route = o.httpSseRoute;
    const auto tools = [&](TransportKind kind) {
        McpSession probe(QString(), kind, caller);
        QJsonArray names;
        for (const auto &t : m_server->bridge()->visibleTools(probe))
            names.append(t.name);
        return names;
    };
    QJsonArray entities;
    for (const auto &e : m_server->registry()->entities()) {
        const EntityOptions eo = m_server->registry()->options(e.name);
        entities.append(QJsonObject{{QStringLiteral("name"), e.name},
                                    {QStringLiteral("toolPrefix"), eo.name},
                                    {QStringLiteral("description"), eo.description},
                                    {QStringLiteral("allowMutations"), eo.allowMutations},
                                    {QStringLiteral("requireAuthentication"), eo.requireAuthentication.value_or(o.effectiveRequireAuthentication())},
                                    {QStringLiteral("requiredScopes"), QJsonArray::fromStringList(eo.requiredScopes)},
                                    {QStringLiteral("enabledTransports"), QJsonArray::fromStringList(transportNames(eo.enabledTransports))}});
    }
    const QJsonObject info{{QStringLiteral("name"), m_server->bridge()->serverInfo().name},
                           {QStringLiteral("version"), m_server->bridge()->serverInfo().version}};
    return QJsonObject{
        {QStringLiteral("server"), info},
        {QStringLiteral("protocolVersions"), QJsonArray::fromStringList(protocol::supportedVersions())},
        {QStringLiteral("transports"),
         QJsonArray{QJsonObject{{QStringLiteral("kind"), QStringLiteral("streamable-http")},
                                {QStringLiteral("endpoint"), baseUrl + route},
                                {QStringLiteral("enabled"), o.enableStreamableHttpTransport && m_server->streamable()->isEnabled()},
                                {QStringLiteral("tools"), tools(TransportKind::StreamableHttp)}},
                    QJsonObject{{QStringLiteral("kind"), QStringLiteral("http+sse")},
                                {QStringLiteral("streamEndpoint"), baseUrl + route + QStringLiteral("/sse")},
                                {QStringLiteral("submitEndpoint"), baseUrl + route + QStringLiteral("/rpc")},
                                {QStringLiteral("enabled"), m_server->httpSse()->isEnabled()},
                                {QStringLiteral("tools"), tools(TransportKind::HttpSse)}},
                    QJsonObject{{QStringLiteral("kind"), QStringLiteral("stdio")},
                                {QStringLiteral("command"), QStringLiteral("koan-mcp --stdio")},
                                {QStringLiteral("enabled"), o.enableStdioTransport}}}},
        {QStringLiteral("authentication"), QJsonObject{{QStringLiteral("required"), o.effectiveRequireAuthentication()},
                                                       {QStringLiteral("caller"), caller.authenticated ? caller.subject : QStringLiteral("anonymous")}}},
        {QStringLiteral("entities"), entities},
    };
}

} // namespace koan
