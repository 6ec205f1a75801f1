#include "AdminEndpoints.h"

#include "ClientIdentity.h"
#include "admin/AdminController.h"
#include "http/HttpErrors.h"

#include <QJsonDocument>

namespace koan {

void AdminEndpoints::mount(RequestRouter &router)
{
    router.add("GET", QStringLiteral("/admin/transports"), RouteAccess::Authenticated, [this](HttpExchange &c) {
        if (allowed(c))
            c.responder->sendJson(200, m_admin->transportState().toJson());
    });
    router.add(
        "PUT", QStringLiteral("/admin/transports/http-sse"), RouteAccess::Authenticated, [this](HttpExchange &c) {
            if (!allowed(c))
                return;
            QString problem;
            const std::optional<HttpSseSwitch> request
                = HttpSseSwitch::fromJson(QJsonDocument::fromJson(c.request.body).object(), &problem);
            if (!request)
                return sendHttpError(c.responder, 400, QStringLiteral("invalid_body"),
                                     QStringLiteral("Send {\"enabled\": true|false, \"mode\": \"drain\"|\"cut\", "
                                                    "\"reason\": \"...\", \"drainSeconds\": n}: %1")
                                         .arg(problem));
            WriteContext who;
            who.principal = c.caller.authenticated ? c.caller.issuer + QLatin1Char('|') + c.caller.subject
                                                   : QStringLiteral("operator:loopback ") + c.clientAddress;
            who.transport = QStringLiteral("AdminHttp");
            m_admin->switchHttpSse(*request, who);
            c.responder->sendJson(200, m_admin->transportState().toJson());
        });
}

bool AdminEndpoints::allowed(HttpExchange &c) const
{
    const bool ok = c.caller.authenticated
                        ? c.caller.hasScopes({m_settings.requiredScope})
                        : !m_settings.requireAuthentication && ClientIdentity::isLoopbackCaller(c.request);
    if (!ok)
        sendHttpError(
            c.responder, 403, QStringLiteral("forbidden"),
            QStringLiteral("The admin endpoints need scope %1 (or a loopback caller when authentication is off)")
                .arg(m_settings.requiredScope));
    return ok;
}

} // namespace koan
