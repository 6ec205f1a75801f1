#pragma once
// One HTTP exchange on its way through the pipeline: the request, where to answer, the matched
// route and what the stages found out (client address, TLS, caller).
#include "core/Principal.h"
#include "http/HttpRequest.h"
#include "http/HttpResponder.h"
#include "http/HttpRouter.h"

#include <QPointer>
#include <functional>
#include <memory>

namespace koan {

struct HttpExchange {
    HttpRequest request;
    QPointer<HttpResponder> responder;     // null once the client has gone
    HttpRouter<HttpExchange>::Match route; // matched once, before the stages
    QString clientAddress;                 // see ClientIdentity
    bool secure = false;                   // TLS, directly or at a trusted proxy
    Principal caller;                      // set by AuthenticationStage; anonymous before
};

using RequestRouter = HttpRouter<HttpExchange>;
using RequestHandler = RequestRouter::Handler;

// A step of the request pipeline. It either answers through context->responder (and the request
// ends there) or calls next(context), at once or later (authentication may fetch keys first).
class PipelineStage
{
public:
    using Next = std::function<void(const std::shared_ptr<HttpExchange> &context)>;
    virtual ~PipelineStage() = default;
    virtual void process(const std::shared_ptr<HttpExchange> &context, const Next &next) = 0;
};

} // namespace koan
