#pragma once
// Refuses a token in the URL (MCP forbids it; URLs end up in logs) before any later stage could
// echo the URL (the HTTPS redirect's Location) or log it.
#include "AuthFailureResponder.h"
#include "HttpExchange.h"

namespace koan {

class QueryTokenStage : public PipelineStage
{
public:
    QueryTokenStage(const BearerAuthenticator *authenticator, const AuthFailureResponder *failures)
        : m_authenticator(authenticator), m_failures(failures)
    { }
    void process(const std::shared_ptr<HttpExchange> &context, const Next &next) override
    {
        if (BearerAuthenticator::hasQueryToken(context->request))
            return m_failures->send(context->responder,
                                    m_authenticator->rejectQueryToken(context->request, context->clientAddress));
        next(context);
    }

private:
    const BearerAuthenticator *m_authenticator;
    const AuthFailureResponder *m_failures;
};

} // namespace koan
