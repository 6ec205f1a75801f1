#include "HostOriginStage.h"

#include "http/HttpErrors.h"

namespace koan {

void HostOriginStage::process(const std::shared_ptr<HttpExchange> &c, const Next &next)
{
    const HttpRequest &req = c->request;
    HttpResponder *r = c->responder;
    if (c->route.access != RouteAccess::Probe && !m_policy.hostAllowed(req.header("Host")))
        return sendHttpError(r, 403, QStringLiteral("forbidden_host"),
                             QStringLiteral("Host '%1' is not allowed (DNS rebinding protection; see AllowedHosts)")
                                 .arg(QString::fromLatin1(req.header("Host"))));
    const QByteArray origin = req.header("Origin");
    if (!m_policy.originAllowed(origin))
        return sendHttpError(
            r, 403, QStringLiteral("forbidden_origin"),
            QStringLiteral("Origin '%1' is not allowed (see AllowedOrigins)").arg(QString::fromLatin1(origin)));
    r->addDefaultHeaders(m_policy.corsHeaders(origin));
    if (req.method == "OPTIONS")
        return r->send(204, OriginPolicy::preflightHeaders(req.header("Access-Control-Request-Headers")));
    next(c);
}

} // namespace koan
