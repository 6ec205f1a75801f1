#pragma once
// One tools/call as the console's workbench keeps it: who called over what, what was asked,
// what came back and how it ended, with the JSON-RPC request and response as the dispatcher
// saw and answered them (the replay, the curl line and the export are built from these).
#include "ProtocolEra.h"
#include "TransportKind.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>

namespace koan {

struct ToolCallRecord {
    QDateTime time;    // when the call started (UTC)
    QString sessionId; // the session; a stateless 2026-07-28 call has none (see caller)
    QString caller;    // the client's name (clientInfo): what tells stateless callers apart
    TransportKind transport = TransportKind::None;
    ProtocolEra era = ProtocolEra::Legacy;
    QString protocolVersion; // negotiated (legacy) or 2026-07-28
    QString subject;         // the token's subject; empty for anonymous callers
    QString tool;
    QJsonObject arguments;
    QJsonObject result; // the CallToolResult; empty for a JSON-RPC error or a cancelled call
    // ok, tool_error (isError), rpc_error, cancelled, input_required (an MRTR round), task (answered with a task)
    QString outcome;
    double durationMs = 0;
    QString traceId; // W3C trace id from params._meta.traceparent; empty when none or malformed
    QJsonValue requestId;
    QJsonObject request;  // the JSON-RPC request
    QJsonObject response; // the JSON-RPC response; empty when none was sent (cancelled)

    bool failed() const { return outcome != QLatin1String("ok") && outcome != QLatin1String("task"); }
};

} // namespace koan

Q_DECLARE_METATYPE(koan::ToolCallRecord)
