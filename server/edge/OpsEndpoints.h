#pragma once
// Operational endpoints: /healthz and /readyz (probes), /metrics (public, loopback-only or
// behind a token, per Metrics:Access), the RFC 9728 protected resource metadata, and the
// capability document ({route}/capabilities).
#include "HttpExchange.h"
#include "config/McpServerOptions.h"
#include "transport/TransportState.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <functional>

namespace koan {

class BearerAuthenticator;
class EntityRegistry;
class RpcBridge;
class ServerMetrics;
class SessionManager;

class OpsEndpoints
{
public:
    struct Parts {
        const McpServerOptions *options = nullptr;
        const EntityRegistry *registry = nullptr;
        const RpcBridge *bridge = nullptr;
        const SessionManager *sessions = nullptr;
        const BearerAuthenticator *authenticator = nullptr;
        ServerMetrics *metrics = nullptr;
        std::function<TransportState()> transports;
        // Whether the store answers, with {"backend": "sqlite"|"postgres", "state": ...}: told
        // later (the store worker pings), never blocking this thread.
        std::function<void(std::function<void(bool up, const QJsonObject &status)> done)> storeStatus;
        std::function<bool()> listening;
    };
    explicit OpsEndpoints(Parts parts);
    void mount(RequestRouter &router);

    void readiness(std::function<void(bool ready, const QJsonObject &body)> done) const;
    QJsonObject capabilities(const Principal &caller, const QString &baseUrl) const;

private:
    void serveMetrics(HttpExchange &context);
    QStringList toolScopes() const;

    Parts m_parts;
    QElapsedTimer m_uptime;
};

} // namespace koan
