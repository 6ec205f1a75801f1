#pragma once
// DNS-rebinding and CORS policy: which Host and Origin headers are acceptable, and the CORS
// headers to answer an allowed Origin with.
#include "http/HttpRequest.h"

#include <QStringList>

namespace koan {

class OriginPolicy
{
public:
    OriginPolicy(QStringList allowedOrigins, QStringList allowedHosts, QString bindAddress);

    // Host must name this server: loopback names, the bind address or an AllowedHosts entry (any port).
    bool hostAllowed(const QByteArray &hostHeader) const;
    // Absent Origin (non-browser clients) is fine; a present one must be listed or be a loopback origin.
    bool originAllowed(const QByteArray &origin) const;
    HttpHeaders corsHeaders(const QByteArray &origin) const;
    // A preflight's answer. Beside the fixed request headers it allows the `Mcp-Param-<Name>` ones
    // (x-mcp-header tool arguments, 2026-07-28) that `requestedHeaders` (Access-Control-Request-
    // Headers) names, each echoed exactly as asked; other names, or a name with characters that are
    // no HTTP token's, are left out, which the browser takes as refused.
    static HttpHeaders preflightHeaders(const QByteArray &requestedHeaders = {});
    // "Mcp-Param-" (any case) and a non-empty rest, all of it RFC 9110 token characters.
    static bool isMcpParamHeader(const QByteArray &name);

private:
    QStringList m_allowedOrigins; // normalised scheme://host[:port], lower-case
    QStringList m_allowedHosts;   // lower-case host names
};

} // namespace koan
