#pragma once
// The HTTP side of the server, assembled: the route table of the MCP, operational and admin
// endpoints behind the request pipeline (Host/Origin -> query-string token -> HTTPS ->
// authentication -> rate limit). HttpServerBackend hands every request to handle().
#include "AdminEndpoints.h"
#include "McpEndpoints.h"
#include "OpsEndpoints.h"

#include <QObject>
#include <memory>

namespace koan {

class AuthFailureResponder;
class BearerAuthenticator;
class HttpPipeline;
class RateLimiter;

class HttpEdge : public QObject
{
    Q_OBJECT
public:
    struct Parts {
        const McpServerOptions *options = nullptr;
        BearerAuthenticator *authenticator = nullptr;
        AuthAuditLog *authLog = nullptr;
        SessionManager *sessions = nullptr;
        McpEndpoints::Transports transports;
        AdminController *admin = nullptr;
        OpsEndpoints::Parts ops;
    };
    explicit HttpEdge(Parts parts, QObject *parent = nullptr);
    ~HttpEdge() override;
    void handle(const HttpRequest &request, HttpResponder *responder);
    // The admin event streams end with a `shutdown` event (the server stops listening).
    void closeAdminStreams();

signals:
    void rateLimited(const QString &key);
    // A plain-HTTP request refused because RequireHttps is on: redirected (308, GET) or refused (400).
    void httpsRequired(bool redirected);

private:
    std::unique_ptr<RateLimiter> m_rateLimiter;
    std::unique_ptr<AuthFailureResponder> m_authFailures;
    McpEndpoints m_mcp;
    OpsEndpoints m_ops;
    std::unique_ptr<AdminEndpoints> m_adminEndpoints;
    std::unique_ptr<HttpPipeline> m_pipeline;
};

} // namespace koan
