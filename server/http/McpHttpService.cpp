#include "McpHttpService.h"

#include "HttpErrors.h"
#include "HttpResponder.h"
#include "McpServer.h"
#include "core/RpcBridge.h"
#include "entities/EntityRegistry.h"
#include "protocol/ProtocolVersion.h"
#include "security/AuthAuditLog.h"
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
        m_trustedProxies << QHostAddress::parseSubnet(
            p.contains(QLatin1Char('/'))
                ? p
                : p + (p.contains(QLatin1Char(':')) ? QStringLiteral("/128") : QStringLiteral("/32")));
    if (o.effectiveRateLimit())
        m_rateLimiter = std::make_unique<RateLimiter>(o.rateLimit.permitsPerSecond, o.rateLimit.burst);
}

bool McpHttpService::isTrustedProxy(const QHostAddress &address) const
{
    for (const auto &subnet : m_trustedProxies)
        if (address.isInSubnet(subnet))
            return true;
    return false;
}

bool McpHttpService::fromTrustedProxy(const HttpRequest &req) const
{
    return isTrustedProxy(req.remoteAddress);
}

bool McpHttpService::arrivedSecure(const HttpRequest &req) const
{
    return req.secure || (fromTrustedProxy(req) && req.header("X-Forwarded-Proto") == "https");
}

QString McpHttpService::clientAddress(const HttpRequest &req) const
{
    // X-Forwarded-For is only believed from a trusted proxy, and then read from the right: each
    // proxy appends the address it saw, so the rightmost entry that is not one of our proxies is
    // the client. Entries left of it are whatever the client chose to send.
    if (!fromTrustedProxy(req))
        return req.remoteAddress.toString();
    QList<QByteArray> chain;
    for (const auto &[name, value] : req.headers)
        if (name.compare("X-Forwarded-For", Qt::CaseInsensitive) == 0)
            chain += value.split(',');
    QHostAddress candidate = req.remoteAddress;
    for (auto it = chain.crbegin(); it != chain.crend(); ++it) {
        QHostAddress hop;
        if (!hop.setAddress(QString::fromLatin1(it->trimmed())))
            break; // not an address: the chain cannot be trusted beyond this point
        candidate = hop;
        if (!isTrustedProxy(hop))
            break;
    }
    return candidate.toString();
}

bool McpHttpService::isLoopbackCaller(const HttpRequest &req)
{
    // A reverse proxy on the same host connects from loopback on behalf of anyone: a request that
    // carries forwarding headers came through one and is never a loopback caller, whatever the
    // socket says (and whether or not the proxy is in TrustedProxies).
    if (!req.remoteAddress.isLoopback())
        return false;
    for (const auto &[name, value] : req.headers) {
        Q_UNUSED(value);
        if (name.compare("X-Forwarded-For", Qt::CaseInsensitive) == 0
            || name.compare("Forwarded", Qt::CaseInsensitive) == 0
            || name.compare("X-Real-IP", Qt::CaseInsensitive) == 0
            || name.compare("X-Forwarded-Host", Qt::CaseInsensitive) == 0)
            return false;
    }
    return true;
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
        return sendHttpError(
            r, 403, QStringLiteral("forbidden_origin"),
            QStringLiteral("Origin '%1' is not allowed (see AllowedOrigins)").arg(QString::fromLatin1(origin)));
    r->addDefaultHeaders(m_origins.corsHeaders(origin));
    if (req.method == "OPTIONS")
        return r->send(204, OriginPolicy::preflightHeaders());

    // Before anything that could echo the URL (the HTTPS redirect's Location) or log it.
    if (BearerAuthenticator::hasQueryToken(req))
        return sendAuthFailure(req, r, m_server->authenticator()->rejectQueryToken(req, clientAddress(req)));

    const auto methodNotAllowed = [r](const QByteArray &allow) {
        sendHttpError(r, 405, QStringLiteral("method_not_allowed"),
                      QStringLiteral("Use %1").arg(QString::fromLatin1(allow)), {{"Allow", allow}});
    };
    // Probes stay plain HTTP even with RequireHttps: the kubelet calls the pod IP directly, and
    // they carry nothing but liveness and readiness.
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

    // HTTPS: served directly, or terminated by a trusted proxy that says so. Everything below,
    // /metrics included, is refused over plain HTTP when RequireHttps is on.
    const bool secure = arrivedSecure(req);
    if (o.effectiveRequireHttps() && !secure) {
        emit httpsRequired(req.method == "GET");
        if (req.method == "GET") {
            QUrl target(QStringLiteral("https://%1%2").arg(QString::fromLatin1(req.header("Host")), req.path));
            target.setQuery(req.query);
            return sendHttpError(r, 308, QStringLiteral("https_required"), QStringLiteral("Use HTTPS"),
                                 {{"Location", target.toEncoded()}});
        }
        return sendHttpError(r, 400, QStringLiteral("https_required"),
                             QStringLiteral("This server only accepts HTTPS requests"));
    }

    const OperationsOptions &ops = o.operations;
    const QString metricsAccess = o.effectiveMetricsAccess();
    if (ops.metricsEnabled && req.path == ops.metricsPath && metricsAccess != QLatin1String("Authenticated")) {
        if (req.method != "GET")
            return methodNotAllowed("GET");
        if (metricsAccess == QLatin1String("Loopback") && !isLoopbackCaller(req))
            return sendHttpError(r, 403, QStringLiteral("forbidden"),
                                 QStringLiteral("Metrics are only served to loopback callers (not through a proxy)"));
        return r->send(200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}},
                       m_server->metrics()->render());
    }

    if (req.path == QLatin1String("/.well-known/oauth-protected-resource")
        || req.path == QLatin1String("/.well-known/oauth-protected-resource") + o.httpSseRoute) {
        if (req.method != "GET")
            return methodNotAllowed("GET");
        return r->sendJson(200, m_server->authenticator()->protectedResourceMetadata(toolScopes()));
    }

    QPointer<HttpResponder> guard(r);
    m_server->authenticator()->authenticate(req, clientAddress(req),
                                            [this, req, guard](const BearerAuthenticator::Outcome &out) {
                                                if (!guard)
                                                    return; // the client left while keys were being fetched
                                                if (!out.ok)
                                                    return sendAuthFailure(req, guard, out);
                                                route(req, guard, out.principal);
                                            });
}

void McpHttpService::sendAuthFailure(const HttpRequest &req, HttpResponder *r, const BearerAuthenticator::Outcome &out)
{
    // Failed authentications spend the client address's bucket, so a flood of bad or missing
    // tokens turns into 429s, and the audit log gets one rate_limited entry instead of a line per
    // request. Valid tokens from the same address are charged to their subject and still pass.
    if (m_rateLimiter) {
        const QString key = QStringLiteral("ip:") + out.failure.remote;
        const RateLimiter::Verdict v = m_rateLimiter->acquire(key);
        if (!v.allowed) {
            if (v.firstRefusal) {
                AuthFailure limited = out.failure;
                limited.reason = QStringLiteral("rate_limited");
                limited.description = QStringLiteral("Too many failed authentications from this address; "
                                                     "further failures are not recorded until it slows down");
                m_server->auditLog()->record(limited);
            }
            emit rateLimited(key);
            return sendHttpError(r, 429, QStringLiteral("rate_limited"),
                                 QStringLiteral("Too many failed authentications; slow down"),
                                 {{"Retry-After", QByteArray::number(qMax(1, int(std::ceil(v.retryAfterSeconds))))}});
        }
    }
    m_server->auditLog()->record(out.failure);
    r->sendJson(out.status, out.body, out.headers);
}

void McpHttpService::route(const HttpRequest &req, HttpResponder *r, const Principal &caller)
{
    const McpServerOptions &o = m_server->options();
    const QString route = o.httpSseRoute;
    if (m_rateLimiter) {
        const QString key = caller.authenticated ? QStringLiteral("sub:") + caller.identityKey()
                                                 : QStringLiteral("ip:") + clientAddress(req);
        double retryAfter = 0;
        if (!m_rateLimiter->tryAcquire(key, &retryAfter)) {
            emit rateLimited(key);
            return sendHttpError(r, 429, QStringLiteral("rate_limited"), QStringLiteral("Too many requests; slow down"),
                                 {{"Retry-After", QByteArray::number(qMax(1, int(std::ceil(retryAfter))))}});
        }
    }
    const auto methodNotAllowed = [r](const QByteArray &allow) {
        sendHttpError(r, 405, QStringLiteral("method_not_allowed"),
                      QStringLiteral("Use %1").arg(QString::fromLatin1(allow)), {{"Allow", allow}});
    };
    const OperationsOptions &ops = o.operations;
    if (ops.metricsEnabled && req.path == ops.metricsPath) { // Access: Authenticated
        if (!caller.authenticated)
            return sendHttpError(r, 401, QStringLiteral("unauthorized"), QStringLiteral("Metrics need a bearer token"));
        return r->send(200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}},
                       m_server->metrics()->render());
    }
    if (ops.adminEndpointEnabled && req.path.startsWith(QLatin1String("/admin/")))
        return admin(req, r, caller);
    if (req.path == route + QLatin1String("/capabilities") && o.publishCapabilityEndpoint) {
        if (req.method != "GET")
            return methodNotAllowed("GET");
        // The URLs as the caller reaches them: through a proxy's scheme and path prefix too.
        const QString base = (arrivedSecure(req) ? QStringLiteral("https://") : QStringLiteral("http://"))
                             + QString::fromLatin1(req.header("Host")) + req.forwardedPrefix();
        return r->sendJson(200, capabilities(caller, base));
    }
    if (refuseForeignSession(req, r, caller))
        return;
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

bool McpHttpService::refuseForeignSession(const HttpRequest &req, HttpResponder *r, const Principal &caller)
{
    // The transports refuse these too; deciding here as well puts hijack attempts in the audit
    // log with the client address, which only this layer knows.
    const QString route = m_server->options().httpSseRoute;
    const bool legacy = req.path == route + QLatin1String("/rpc");
    if (!legacy && req.path != route)
        return false;
    QString id = legacy ? req.query.queryItemValue(QStringLiteral("sessionId"))
                        : QString::fromLatin1(req.header("Mcp-Session-Id"));
    if (legacy && id.isEmpty())
        id = QString::fromLatin1(req.header("X-Mcp-Session"));
    const SessionPtr session = id.isEmpty() ? nullptr : m_server->sessions()->find(id);
    if (!session || !(session->principal.authenticated || caller.authenticated)
        || session->principal.sameIdentity(caller))
        return false;
    m_server->auditLog()->record(
        AuthFailure{QDateTime::currentDateTimeUtc(), clientAddress(req), QStringLiteral("session_owner_mismatch"),
                    caller.authenticated ? caller.subject : QString(), req.path,
                    QStringLiteral("%1 %2 named a session that belongs to another subject")
                        .arg(QString::fromLatin1(req.method),
                             legacy ? QStringLiteral("HTTP+SSE") : QStringLiteral("Streamable HTTP")),
                    caller.authenticated ? caller.issuer : QString()});
    if (legacy)
        sendHttpError(r, 403, QStringLiteral("session_owner_mismatch"),
                      QStringLiteral("This session belongs to another subject"));
    else
        sendRpcHttpError(r, 403, jsonrpc::ServerError,
                         QStringLiteral("Forbidden: this session belongs to another subject"));
    return true;
}

void McpHttpService::admin(const HttpRequest &req, HttpResponder *r, const Principal &caller)
{
    const McpServerOptions &o = m_server->options();
    // Operators: a token with the admin scope, or (with authentication off) a loopback caller.
    const bool allowed = caller.authenticated ? caller.hasScopes({o.operations.adminScope})
                                              : !o.effectiveRequireAuthentication() && isLoopbackCaller(req);
    if (!allowed)
        return sendHttpError(
            r, 403, QStringLiteral("forbidden"),
            QStringLiteral("The admin endpoints need scope %1 (or a loopback caller when authentication is off)")
                .arg(o.operations.adminScope));
    const auto state = [this] {
        return QJsonObject{{QStringLiteral("httpSse"), m_server->isHttpSseEnabled()},
                           {QStringLiteral("streamableHttp"),
                            m_server->options().enableStreamableHttpTransport && m_server->streamable()->isEnabled()},
                           {QStringLiteral("stdio"), m_server->options().enableStdioTransport},
                           {QStringLiteral("openStreams"), m_server->sessions()->longLivedStreams()}};
    };
    if (req.path == QLatin1String("/admin/transports")) {
        if (req.method != "GET")
            return sendHttpError(r, 405, QStringLiteral("method_not_allowed"), QStringLiteral("Use GET"),
                                 {{"Allow", "GET"}});
        return r->sendJson(200, state());
    }
    if (req.path == QLatin1String("/admin/transports/http-sse")) {
        if (req.method != "PUT")
            return sendHttpError(r, 405, QStringLiteral("method_not_allowed"), QStringLiteral("Use PUT"),
                                 {{"Allow", "PUT"}});
        const QJsonValue enabled = QJsonDocument::fromJson(req.body).object().value(QLatin1String("enabled"));
        if (!enabled.isBool())
            return sendHttpError(r, 400, QStringLiteral("invalid_body"),
                                 QStringLiteral("Send {\"enabled\": true|false}"));
        WriteContext who;
        who.principal = caller.authenticated ? caller.issuer + QLatin1Char('|') + caller.subject
                                             : QStringLiteral("operator:loopback ") + clientAddress(req);
        who.transport = QStringLiteral("AdminHttp");
        m_server->setHttpSseEnabled(enabled.toBool(), who);
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
                     {QStringLiteral("streamableHttp"),
                      m_server->options().enableStreamableHttpTransport && m_server->streamable()->isEnabled()},
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
    const QJsonObject info{{QStringLiteral("name"), m_server->bridge()->serverInfo().name},
                           {QStringLiteral("version"), m_server->bridge()->serverInfo().version}};
    return QJsonObject{
        {QStringLiteral("server"), info},
        {QStringLiteral("protocolVersions"), QJsonArray::fromStringList(protocol::supportedVersions())},
        {QStringLiteral("transports"),
         QJsonArray{QJsonObject{{QStringLiteral("kind"), QStringLiteral("streamable-http")},
                                {QStringLiteral("endpoint"), baseUrl + route},
                                {QStringLiteral("enabled"),
                                 o.enableStreamableHttpTransport && m_server->streamable()->isEnabled()},
                                {QStringLiteral("tools"), tools(TransportKind::StreamableHttp)}},
                    QJsonObject{{QStringLiteral("kind"), QStringLiteral("http+sse")},
                                {QStringLiteral("streamEndpoint"), baseUrl + route + QStringLiteral("/sse")},
                                {QStringLiteral("submitEndpoint"), baseUrl + route + QStringLiteral("/rpc")},
                                {QStringLiteral("enabled"), m_server->httpSse()->isEnabled()},
                                {QStringLiteral("tools"), tools(TransportKind::HttpSse)}},
                    QJsonObject{{QStringLiteral("kind"), QStringLiteral("stdio")},
                                {QStringLiteral("command"), QStringLiteral("koan-mcp --stdio")},
                                {QStringLiteral("enabled"), o.enableStdioTransport}}}},
        {QStringLiteral("authentication"),
         QJsonObject{{QStringLiteral("required"), o.effectiveRequireAuthentication()},
                     {QStringLiteral("caller"), caller.authenticated ? caller.subject : QStringLiteral("anonymous")},
                     {QStringLiteral("issuer"), caller.authenticated ? QJsonValue(caller.issuer) : QJsonValue()}}},
        {QStringLiteral("entities"), entities},
    };
}

} // namespace koan
