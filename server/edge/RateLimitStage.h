#pragma once
// Token bucket per caller: authenticated callers by identity (issuer and subject), anonymous
// ones by client address. Probes and public routes are not limited.
#include "HttpExchange.h"

namespace koan {

class RateLimiter;

class RateLimitStage : public PipelineStage
{
public:
    // `rateLimited` is told each refused key.
    RateLimitStage(RateLimiter *limiter, std::function<void(const QString &)> rateLimited)
        : m_limiter(limiter), m_rateLimited(std::move(rateLimited))
    { }
    void process(const std::shared_ptr<HttpExchange> &context, const Next &next) override;

private:
    RateLimiter *m_limiter;
    std::function<void(const QString &)> m_rateLimited;
};

} // namespace koan
