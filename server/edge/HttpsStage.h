#pragma once
// RequireHttps: a plain-HTTP request is redirected (308, GET) or refused (400). Probes stay plain
// HTTP: the kubelet calls the pod IP directly, and they carry nothing but liveness and readiness.
#include "HttpExchange.h"

namespace koan {

class HttpsStage : public PipelineStage
{
public:
    // `violation` is told each refusal (true: redirected).
    HttpsStage(bool requireHttps, std::function<void(bool redirected)> violation)
        : m_requireHttps(requireHttps), m_violation(std::move(violation))
    { }
    void process(const std::shared_ptr<HttpExchange> &context, const Next &next) override;

private:
    bool m_requireHttps;
    std::function<void(bool)> m_violation;
};

} // namespace koan
