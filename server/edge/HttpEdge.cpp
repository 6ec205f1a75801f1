#include "HttpEdge.h"

#include "AuthFailureResponder.h"
#include "AuthenticationStage.h"
#include "HostOriginStage.h"
#include "HttpPipeline.h"
#include "HttpsStage.h"
#include "QueryTokenStage.h"
#include "RateLimitStage.h"
#include "security/RateLimiter.h"

namespace koan {

HttpEdge::HttpEdge(Parts parts, QObject *parent)
    : QObject(parent), m_mcp(parts.options->httpSseRoute, parts.transports, parts.sessions, parts.authLog),
      m_ops(parts.ops)
{
    const McpServerOptions &o = *parts.options;
    if (o.effectiveRateLimit())
        m_rateLimiter = std::make_unique<RateLimiter>(o.rateLimit.permitsPerSecond, o.rateLimit.burst);
    const auto limited = [this](const QString &key) { emit rateLimited(key); };
    m_authFailures = std::make_unique<AuthFailureResponder>(m_rateLimiter.get(), parts.authLog, limited);

    RequestRouter router;
    m_mcp.mount(router);
    m_ops.mount(router);
    if (o.operations.adminEndpointEnabled) {
        m_adminEndpoints = std::make_unique<AdminEndpoints>(
            parts.admin, AdminEndpoints::Settings{o.operations.adminScope, o.effectiveRequireAuthentication(),
                                                  o.sseKeepAliveIntervalMs, o.maxQueuedBytesPerStream});
        m_adminEndpoints->mount(router);
    }

    std::vector<std::unique_ptr<PipelineStage>> stages;
    stages.push_back(std::make_unique<HostOriginStage>(OriginPolicy(o.allowedOrigins, o.allowedHosts, o.bindAddress)));
    stages.push_back(std::make_unique<QueryTokenStage>(parts.authenticator, m_authFailures.get()));
    stages.push_back(std::make_unique<HttpsStage>(o.effectiveRequireHttps(),
                                                  [this](bool redirected) { emit httpsRequired(redirected); }));
    stages.push_back(std::make_unique<AuthenticationStage>(parts.authenticator, m_authFailures.get()));
    if (m_rateLimiter)
        stages.push_back(std::make_unique<RateLimitStage>(m_rateLimiter.get(), limited));
    m_pipeline = std::make_unique<HttpPipeline>(ClientIdentity(o.trustedProxies), std::move(router), std::move(stages));
}

HttpEdge::~HttpEdge() = default;

void HttpEdge::closeAdminStreams()
{
    if (m_adminEndpoints)
        m_adminEndpoints->closeStreams();
}

void HttpEdge::handle(const HttpRequest &request, HttpResponder *responder)
{
    m_pipeline->handle(request, responder);
}

} // namespace koan
