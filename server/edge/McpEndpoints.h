#pragma once
// Mounts the MCP transports: GET {route}/sse and POST {route}/rpc (legacy HTTP+SSE) and
// {route} (Streamable HTTP, when configured). The one session-access rule lives here: a
// session is used only by the identity that opened it; a request naming someone else's
// session is refused and audited with the client address, and a request by the owner refreshes
// the session's principal (a renewed token may carry new scopes or a new expiry).
#include "HttpExchange.h"
#include "core/TransportKind.h"

namespace koan {

class AuthAuditLog;
class HttpSseTransport;
class SessionManager;
class StreamableHttpTransport;

class McpEndpoints
{
public:
    struct Transports {
        HttpSseTransport *httpSse = nullptr;
        StreamableHttpTransport *streamable = nullptr; // null: Streamable HTTP not configured
    };
    McpEndpoints(QString route, Transports transports, SessionManager *sessions, AuthAuditLog *audit);
    void mount(RequestRouter &router);
    // Where a transport's MCP requests arrive, for audit records of refusals made past the edge
    // (a tools/call denied by scopes): the route, {route}/rpc, or the transport's name off HTTP.
    static QString pathOf(const QString &route, TransportKind transport);

private:
    // False when it answered (403): the named session belongs to another identity.
    bool admit(HttpExchange &context, bool legacy);

    QString m_route;
    Transports m_transports;
    SessionManager *m_sessions;
    AuthAuditLog *m_audit;
};

} // namespace koan
