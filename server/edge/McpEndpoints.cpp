#include "McpEndpoints.h"

#include "http/HttpErrors.h"
#include "security/AuthAuditLog.h"
#include "sessions/SessionManager.h"
#include "transport/HttpSseTransport.h"
#include "transport/StreamableHttpTransport.h"

namespace koan {

McpEndpoints::McpEndpoints(QString route, Transports transports, SessionManager *sessions, AuthAuditLog *audit)
    : m_route(std::move(route)), m_transports(transports), m_sessions(sessions), m_audit(audit)
{ }

QString McpEndpoints::pathOf(const QString &route, TransportKind transport)
{
    switch (transport) {
    case TransportKind::StreamableHttp:
        return route;
    case TransportKind::HttpSse:
        return route + QStringLiteral("/rpc");
    default:
        return transportName(transport).toLower();
    }
}

void McpEndpoints::mount(RequestRouter &router)
{
    HttpSseTransport *legacy = m_transports.httpSse;
    router.add("GET", m_route + QStringLiteral("/sse"), RouteAccess::Authenticated,
               [legacy](HttpExchange &c) { legacy->openStream(c.request, c.responder, c.caller); });
    router.add("POST", m_route + QStringLiteral("/rpc"), RouteAccess::Authenticated, [this, legacy](HttpExchange &c) {
        if (admit(c, true))
            legacy->submit(c.request, c.responder, c.caller);
    });
    if (StreamableHttpTransport *streamable = m_transports.streamable)
        router.add({}, m_route, RouteAccess::Authenticated, [this, streamable](HttpExchange &c) {
            if (admit(c, false))
                streamable->handle(c.request, c.responder, c.caller);
        });
}

bool McpEndpoints::admit(HttpExchange &c, bool legacy)
{
    const HttpRequest &req = c.request;
    QString id = legacy ? req.query.queryItemValue(QStringLiteral("sessionId"))
                        : QString::fromLatin1(req.header("Mcp-Session-Id"));
    if (legacy && id.isEmpty())
        id = QString::fromLatin1(req.header("X-Mcp-Session"));
    const SessionPtr session = id.isEmpty() ? nullptr : m_sessions->find(id);
    if (!session)
        return true; // the transport answers for unknown sessions
    const Principal &caller = c.caller;
    if ((session->principal.authenticated || caller.authenticated) && !session->principal.sameIdentity(caller)) {
        m_audit->record(AuthFailure{QDateTime::currentDateTimeUtc(), c.clientAddress,
                                    QStringLiteral("session_owner_mismatch"),
                                    caller.authenticated ? caller.subject : QString(), req.path,
                                    QStringLiteral("%1 %2 named a session that belongs to another subject")
                                        .arg(QString::fromLatin1(req.method),
                                             legacy ? QStringLiteral("HTTP+SSE") : QStringLiteral("Streamable HTTP")),
                                    caller.authenticated ? caller.issuer : QString()});
        if (legacy)
            sendHttpError(c.responder, 403, QStringLiteral("session_owner_mismatch"),
                          QStringLiteral("This session belongs to another subject"));
        else
            sendRpcHttpError(c.responder, 403, jsonrpc::ServerError,
                             QStringLiteral("Forbidden: this session belongs to another subject"));
        return false;
    }
    if (caller.authenticated)
        session->principal = caller; // same issuer and subject; a renewed token may carry new scopes or expiry
    return true;
}

} // namespace koan
