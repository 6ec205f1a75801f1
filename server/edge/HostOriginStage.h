#pragma once
// First stage: DNS-rebinding protection (Host must name this server; probes are exempt, since
// orchestrators address the pod IP), the Origin allow-list, CORS headers, and CORS preflights.
#include "OriginPolicy.h"
#include "HttpExchange.h"

namespace koan {

class HostOriginStage : public PipelineStage
{
public:
    explicit HostOriginStage(OriginPolicy policy) : m_policy(std::move(policy)) { }
    void process(const std::shared_ptr<HttpExchange> &context, const Next &next) override;

private:
    OriginPolicy m_policy;
};

} // namespace koan
