#pragma once
// "Copy as curl": a recorded tools/call as a command line that sends it again over HTTP the way
// its era does. 2026-07-28 is complete (stateless); a 2025 Streamable call needs a session of the
// reader's own ($MCP_SESSION_ID), a legacy HTTP+SSE call an open stream's sessionId, and the
// command says so. Calls that never crossed HTTP (console, STDIO) come out as the stateless form.
// The token is always $KOAN_TOKEN, never the caller's.
#include "core/ToolCallRecord.h"

#include <QString>

namespace koan::ui {

class CurlCommand
{
public:
    // `baseUrl` like http://127.0.0.1:5114, `route` like /mcp; `withToken` adds the bearer header.
    static QString forCall(const koan::ToolCallRecord &call, const QString &baseUrl, const QString &route,
                           bool withToken);
    static QString shellQuoted(const QString &text); // '...' with embedded ' as '\''
};

} // namespace koan::ui
