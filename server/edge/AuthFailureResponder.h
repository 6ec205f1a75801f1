#pragma once
// Answers a failed authentication: records it in the audit log and sends the authenticator's
// refusal, or a 429 once the client address fails too often (failed authentications spend the
// address's rate-limit bucket, so a flood of bad tokens costs one audit entry, not one per request).
#include "security/BearerAuthenticator.h"

#include <functional>

namespace koan {

class AuthAuditLog;
class HttpResponder;
class RateLimiter;

class AuthFailureResponder
{
public:
    // `limiter` may be null (rate limiting off); `rateLimited` is told the refused key.
    AuthFailureResponder(RateLimiter *limiter, AuthAuditLog *audit, std::function<void(const QString &)> rateLimited);
    void send(HttpResponder *responder, const BearerAuthenticator::Outcome &outcome) const;

private:
    RateLimiter *m_limiter;
    AuthAuditLog *m_audit;
    std::function<void(const QString &)> m_rateLimited;
};

} // namespace koan
