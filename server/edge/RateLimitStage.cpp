#include "RateLimitStage.h"

#include "http/HttpErrors.h"
#include "security/RateLimiter.h"

namespace koan {

void RateLimitStage::process(const std::shared_ptr<HttpExchange> &c, const Next &next)
{
    if (c->route.access != RouteAccess::Authenticated)
        return next(c);
    const QString key = c->caller.authenticated ? QStringLiteral("sub:") + c->caller.identityKey()
                                                : QStringLiteral("ip:") + c->clientAddress;
    const RateLimiter::Verdict v = m_limiter->acquire(key);
    if (v.allowed)
        return next(c);
    if (m_rateLimited)
        m_rateLimited(key);
    sendHttpError(c->responder, 429, QStringLiteral("rate_limited"), QStringLiteral("Too many requests; slow down"),
                  {{"Retry-After", QByteArray::number(v.retryAfterWholeSeconds())}});
}

} // namespace koan
