#pragma once
// Decides the caller of every route that needs one (bearer token; anonymous where the server
// allows it). Probes and public routes pass unauthenticated.
#include "AuthFailureResponder.h"
#include "HttpExchange.h"

namespace koan {

class AuthenticationStage : public PipelineStage
{
public:
    AuthenticationStage(BearerAuthenticator *authenticator, const AuthFailureResponder *failures)
        : m_authenticator(authenticator), m_failures(failures)
    { }
    void process(const std::shared_ptr<HttpExchange> &context, const Next &next) override
    {
        if (context->route.access != RouteAccess::Authenticated)
            return next(context);
        // The authenticator may answer later (fetching keys); the context outlives this call.
        m_authenticator->authenticate(context->request, context->clientAddress,
                                      [this, context, next](const BearerAuthenticator::Outcome &out) {
                                          if (!context->responder)
                                              return; // the client left while keys were being fetched
                                          if (!out.ok)
                                              return m_failures->send(context->responder, out);
                                          context->caller = out.principal;
                                          next(context);
                                      });
    }

private:
    BearerAuthenticator *m_authenticator;
    const AuthFailureResponder *m_failures;
};

} // namespace koan
