#pragma once
// Building a 2026-07-28 (stateless) request by hand: the mirrored headers, the required _meta and,
// when asked, the tasks extension among the client's capabilities; and S12 trial sites to write.
#include "HttpClient.h"

#include <QJsonArray>

namespace koan::test {

inline QList<QPair<QByteArray, QByteArray>> modernHeaders(const QString &method, const QString &name = {},
                                                          const QByteArray &token = {})
{
    auto headers = streamableHeaders({}, token);
    headers.append(qMakePair(QByteArray("MCP-Protocol-Version"), QByteArray("2026-07-28")));
    headers.append(qMakePair(QByteArray("Mcp-Method"), method.toUtf8()));
    if (!name.isEmpty())
        headers.append(qMakePair(QByteArray("Mcp-Name"), name.toUtf8()));
    return headers;
}

inline QByteArray modernRequest(int id, const QString &method, QJsonObject params, bool declaresTasks = true)
{
    QJsonObject capabilities;
    if (declaresTasks)
        capabilities.insert("extensions", QJsonObject{{"io.modelcontextprotocol/tasks", QJsonObject{}}});
    params.insert("_meta", QJsonObject{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                       {"io.modelcontextprotocol/clientCapabilities", capabilities}});
    return rpc(id, method, params);
}

// Sends a tools/call (as a task when the tool allows it) on `client`; returns at once.
inline void sendToolCall(HttpClient &client, const QString &tool, const QJsonObject &arguments,
                         const QByteArray &token = {})
{
    client.send("POST", "/mcp", modernHeaders("tools/call", tool, token),
                modernRequest(1, "tools/call", {{"name", tool}, {"arguments", arguments}}));
}

// The JSON-RPC answer on `client` (JSON or SSE), const so that answer["result"]["x"] reads.
inline const QJsonObject answerOf(const HttpClient &client)
{
    return rpcAnswer(client.response());
}

inline QJsonArray trialSites(int n, const QString &tag)
{
    QJsonArray models;
    for (int i = 0; i < n; ++i)
        models.append(QJsonObject{{"id", QStringLiteral("%1-%2").arg(tag).arg(i, 4, 10, QLatin1Char('0'))},
                                  {"name", QStringLiteral("Site %1").arg(i)},
                                  {"location", "Berlin, Germany"},
                                  {"principalInvestigator", "Dr. Weber"},
                                  {"enrollmentTarget", 10}});
    return models;
}

} // namespace koan::test
