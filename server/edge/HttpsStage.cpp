#include "HttpsStage.h"

#include "http/HttpErrors.h"

#include <QUrl>

namespace koan {

void HttpsStage::process(const std::shared_ptr<HttpExchange> &c, const Next &next)
{
    if (!m_requireHttps || c->secure || c->route.access == RouteAccess::Probe)
        return next(c);
    const HttpRequest &req = c->request;
    const bool get = req.method == "GET";
    if (m_violation)
        m_violation(get);
    if (get) {
        QUrl target(QStringLiteral("https://%1%2").arg(QString::fromLatin1(req.header("Host")), req.path));
        target.setQuery(req.query);
        return sendHttpError(c->responder, 308, QStringLiteral("https_required"), QStringLiteral("Use HTTPS"),
                             {{"Location", target.toEncoded()}});
    }
    sendHttpError(c->responder, 400, QStringLiteral("https_required"),
                  QStringLiteral("This server only accepts HTTPS requests"));
}

} // namespace koan
