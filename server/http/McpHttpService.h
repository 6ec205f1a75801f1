#pragma once
// Routes HTTP requests to the MCP transports and the operational endpoints, applying the
// Host/Origin (DNS rebinding) and CORS policy on every route.
#include "HttpRequest.h"
#include "OriginPolicy.h"
#include "core/Principal.h"
#include "security/BearerAuthenticator.h"
#include "security/RateLimiter.h"

#include <QHostAddress>
#include <memory>

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

namespace koan {

class HttpResponder;
class McpServer;

class McpHttpService : public QObject
{
    Q_OBJECT
public:
    explicit McpHttpService(McpServer *server, QObject *parent = nullptr);
    void handle(const HttpRequest &request, HttpResponder *responder);

    QJsonObject capabilities(const Principal &caller, const QString &baseUrl) const;
    QJsonObject readiness(bool *ready) const;

signals:
    void rateLimited(const QString &key);
    // A plain-HTTP request refused because RequireHttps is on: redirected (308, GET) or refused (400).
    void httpsRequired(bool redirected);

private:
    // Runs after authentication: rate limit, then the MCP and capability routes.
    void route(const HttpRequest &request, HttpResponder *responder, const Principal &caller);
    void admin(const HttpRequest &request, HttpResponder *responder, const Principal &caller);
    // Sends the authenticator's refusal and records it, or a 429 once the address fails too often.
    void sendAuthFailure(const HttpRequest &request, HttpResponder *responder,
                         const BearerAuthenticator::Outcome &outcome);
    // Refuses (and audits) a request naming another subject's session; true when it answered.
    bool refuseForeignSession(const HttpRequest &request, HttpResponder *responder, const Principal &caller);
    bool isTrustedProxy(const QHostAddress &address) const;
    bool fromTrustedProxy(const HttpRequest &request) const;
    // Over TLS, directly or terminated by a trusted proxy that says so (X-Forwarded-Proto).
    bool arrivedSecure(const HttpRequest &request) const;
    QString clientAddress(const HttpRequest &request) const; // X-Forwarded-For only from trusted proxies
    // Loopback peer and no forwarding headers (X-Forwarded-For, Forwarded, X-Real-IP,
    // X-Forwarded-Host): a proxy on this host is not a loopback caller.
    static bool isLoopbackCaller(const HttpRequest &request);
    QStringList toolScopes() const;

    McpServer *m_server;
    OriginPolicy m_origins;
    QElapsedTimer m_uptime;
    QList<QPair<QHostAddress, int>> m_trustedProxies;
    std::unique_ptr<RateLimiter> m_rateLimiter;
};

} // namespace koan
