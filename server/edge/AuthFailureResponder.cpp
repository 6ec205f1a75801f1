#include "AuthFailureResponder.h"

#include "http/HttpErrors.h"
#include "security/AuthAuditLog.h"
#include "security/RateLimiter.h"

namespace koan {

AuthFailureResponder::AuthFailureResponder(RateLimiter *limiter, AuthAuditLog *audit,
                                           std::function<void(const QString &)> rateLimited)
    : m_limiter(limiter), m_audit(audit), m_rateLimited(std::move(rateLimited))
{ }

void AuthFailureResponder::send(HttpResponder *r, const BearerAuthenticator::Outcome &out) const
{
    // Valid tokens from the same address are charged to their subject and still pass.
    if (m_limiter) {
        const QString key = QStringLiteral("ip:") + out.failure.remote;
        const RateLimiter::Verdict v = m_limiter->acquire(key);
        if (!v.allowed) {
            if (v.firstRefusal) {
                AuthFailure limited = out.failure;
                limited.reason = QStringLiteral("rate_limited");
                limited.description = QStringLiteral("Too many failed authentications from this address; "
                                                     "further failures are not recorded until it slows down");
                m_audit->record(limited);
            }
            if (m_rateLimited)
                m_rateLimited(key);
            return sendHttpError(r, 429, QStringLiteral("rate_limited"),
                                 QStringLiteral("Too many failed authentications; slow down"),
                                 {{"Retry-After", QByteArray::number(v.retryAfterWholeSeconds())}});
        }
    }
    m_audit->record(out.failure);
    r->sendJson(out.status, out.body, out.headers);
}

} // namespace koan
