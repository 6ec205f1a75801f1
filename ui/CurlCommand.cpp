#include "CurlCommand.h"

#include <QJsonDocument>

namespace koan::ui {

namespace {
const QString kModern = QStringLiteral("2026-07-28");

QJsonObject modernRequest(const ToolCallRecord &c)
{
    if (c.era == ProtocolEra::Modern && !c.request.isEmpty())
        return c.request; // as sent: its _meta (protocolVersion, capabilities, traceparent) included
    QJsonObject params{{QStringLiteral("name"), c.tool}, {QStringLiteral("arguments"), c.arguments}};
    QJsonObject meta{{QStringLiteral("io.modelcontextprotocol/protocolVersion"), kModern},
                     {QStringLiteral("io.modelcontextprotocol/clientCapabilities"), QJsonObject{}}};
    if (!c.traceId.isEmpty())
        meta.insert(QStringLiteral("traceparent"), QStringLiteral("00-%1-0000000000000001-01").arg(c.traceId));
    params.insert(QStringLiteral("_meta"), meta);
    return {{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), c.requestId.isUndefined() ? QJsonValue(1) : c.requestId},
            {QStringLiteral("method"), QStringLiteral("tools/call")},
            {QStringLiteral("params"), params}};
}

QJsonObject legacyRequest(const ToolCallRecord &c)
{
    if (!c.request.isEmpty())
        return c.request;
    return {{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), c.requestId.isUndefined() ? QJsonValue(1) : c.requestId},
            {QStringLiteral("method"), QStringLiteral("tools/call")},
            {QStringLiteral("params"),
             QJsonObject{{QStringLiteral("name"), c.tool}, {QStringLiteral("arguments"), c.arguments}}}};
}

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}
} // namespace

QString CurlCommand::shellQuoted(const QString &text)
{
    QString out = text;
    out.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

QString CurlCommand::forCall(const ToolCallRecord &c, const QString &baseUrl, const QString &route, bool withToken)
{
    const QString base = baseUrl.isEmpty() ? QStringLiteral("http://127.0.0.1:5114") : baseUrl;
    const QString path = route.isEmpty() ? QStringLiteral("/mcp") : route;
    QStringList lines;
    const QString auth = withToken ? QStringLiteral(" -H \"Authorization: Bearer $KOAN_TOKEN\"") : QString();
    if (c.transport == TransportKind::HttpSse) {
        lines << QStringLiteral("# Legacy HTTP+SSE (%1): the answer arrives on the stream of GET %2/sse; set "
                                "MCP_SESSION_ID to that stream's sessionId (its endpoint event)")
                     .arg(c.protocolVersion, path);
        lines << QStringLiteral("curl -s -X POST \"%1%2/rpc?sessionId=$MCP_SESSION_ID\" -H 'Content-Type: "
                                "application/json'%3 \\")
                     .arg(base, path, auth);
        lines << QStringLiteral("  -d %1").arg(shellQuoted(json(legacyRequest(c))));
        return lines.join(QLatin1Char('\n'));
    }
    if (c.transport == TransportKind::StreamableHttp && c.era == ProtocolEra::Legacy) {
        lines << QStringLiteral("# Streamable HTTP %1: a session of your own first (initialize, then "
                                "notifications/initialized); set MCP_SESSION_ID to its Mcp-Session-Id")
                     .arg(c.protocolVersion);
        lines << QStringLiteral("curl -s %1%2 -H 'Content-Type: application/json' -H 'Accept: application/json, "
                                "text/event-stream'%3 \\")
                     .arg(base, path, auth);
        lines << QStringLiteral("  -H 'MCP-Protocol-Version: %1' -H \"Mcp-Session-Id: $MCP_SESSION_ID\" \\")
                     .arg(c.protocolVersion);
        lines << QStringLiteral("  -d %1").arg(shellQuoted(json(legacyRequest(c))));
        return lines.join(QLatin1Char('\n'));
    }
    if (c.era != ProtocolEra::Modern)
        lines << QStringLiteral("# Made over %1: the same call over HTTP, stateless (2026-07-28)")
                     .arg(c.transport == TransportKind::Operator ? QStringLiteral("the console")
                                                                 : transportName(c.transport));
    lines << QStringLiteral("curl -s %1%2 -H 'Content-Type: application/json' -H 'Accept: application/json, "
                            "text/event-stream'%3 \\")
                 .arg(base, path, auth);
    lines << QStringLiteral("  -H 'MCP-Protocol-Version: %1' -H 'Mcp-Method: tools/call' -H %2 \\")
                 .arg(kModern, shellQuoted(QStringLiteral("Mcp-Name: ") + c.tool));
    lines << QStringLiteral("  -d %1").arg(shellQuoted(json(modernRequest(c))));
    return lines.join(QLatin1Char('\n'));
}

} // namespace koan::ui
