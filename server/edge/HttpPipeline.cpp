#include "HttpPipeline.h"

#include "http/HttpErrors.h"

namespace koan {

HttpPipeline::HttpPipeline(ClientIdentity identity, RequestRouter router,
                           std::vector<std::unique_ptr<PipelineStage>> stages)
    : m_identity(std::move(identity)), m_router(std::move(router)), m_stages(std::move(stages))
{
    for (size_t i = 0; i < m_stages.size(); ++i)
        m_next.emplace_back([this, i](const std::shared_ptr<HttpExchange> &c) { run(i + 1, c); });
}

void HttpPipeline::handle(const HttpRequest &request, HttpResponder *responder)
{
    auto context = std::make_shared<HttpExchange>();
    context->request = request;
    context->responder = responder;
    context->route = m_router.match(request.method, request.path);
    context->clientAddress = m_identity.clientAddress(request);
    context->secure = m_identity.arrivedSecure(request);
    run(0, context);
}

void HttpPipeline::run(size_t stage, const std::shared_ptr<HttpExchange> &context)
{
    if (!context->responder)
        return; // the client left (e.g. while keys were being fetched)
    if (stage < m_stages.size())
        return m_stages[stage]->process(context, m_next[stage]);
    dispatch(*context);
}

void HttpPipeline::dispatch(HttpExchange &c)
{
    const RequestRouter::Match &match = c.route;
    if (match.handler)
        return (*match.handler)(c);
    if (!match.allow.isEmpty())
        return sendMethodNotAllowed(c.responder, match.allow);
    sendHttpError(c.responder, 404, QStringLiteral("not_found"),
                  QStringLiteral("No endpoint at %1").arg(c.request.path));
}

} // namespace koan
