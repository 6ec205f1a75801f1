#pragma once
// Runs every request through the stages in order (Host/Origin -> query-string token -> HTTPS ->
// authentication -> rate limit), then its route from the route table: the 405 answer for a known
// path asked with another method, the missing-route handler (404) for an unknown one.
#include "ClientIdentity.h"
#include "HttpExchange.h"

#include <memory>
#include <vector>

namespace koan {

class HttpPipeline
{
public:
    HttpPipeline(ClientIdentity identity, RequestRouter router, std::vector<std::unique_ptr<PipelineStage>> stages);
    void handle(const HttpRequest &request, HttpResponder *responder);

private:
    void run(size_t stage, const std::shared_ptr<HttpExchange> &context);
    void dispatch(HttpExchange &context);

    ClientIdentity m_identity;
    RequestRouter m_router;
    std::vector<std::unique_ptr<PipelineStage>> m_stages;
    std::vector<PipelineStage::Next> m_next; // built once: stage i's continuation runs stage i + 1
};

} // namespace koan
