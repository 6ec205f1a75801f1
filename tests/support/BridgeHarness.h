#pragma once
// Test harness: a real McpServer (real SQLite file) and sessions driven through the real
// RpcBridge, waiting on the event loop for asynchronous answers.
#include "McpServer.h"
#include "core/RpcBridge.h"
#include "s12/S12MedTrials.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

namespace koan::test {

struct Exchange {
    QJsonValue reply = QJsonValue::Undefined; // response object, batch array, or Undefined
    QList<QJsonObject> related;               // notifications/requests sent while handling
    bool done = false;
};

inline Exchange send(RpcBridge *bridge, const SessionPtr &session, const QByteArray &body, int timeoutMs = 5000)
{
    auto ex = std::make_shared<Exchange>();
    bridge->handle(
        body, session, [ex](const QJsonObject &m) { ex->related.append(m); },
        [ex](const QJsonValue &reply) {
            ex->reply = reply;
            ex->done = true;
        });
    (void)QTest::qWaitFor([ex] { return ex->done; }, timeoutMs); // callers check done
    return *ex;
}

// Reads a nested value: at(v, "error.code"), at(v, "tools.0.name").
inline QJsonValue at(QJsonValue v, const QString &path)
{
    for (const QString &part : path.split(QLatin1Char('.'))) {
        bool isIndex = false;
        const int index = part.toInt(&isIndex);
        v = isIndex && v.isArray() ? v.toArray().at(index) : v.toObject().value(part);
    }
    return v;
}

inline QByteArray request(int id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject o{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.isEmpty())
        o.insert("params", params);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

inline QByteArray initializeRequest(const QString &version = QStringLiteral("2025-06-18"), const QJsonObject &caps = {})
{
    return request(0, "initialize",
                   {{"protocolVersion", version},
                    {"capabilities", caps},
                    {"clientInfo", QJsonObject{{"name", "qt-test"}, {"version", "1"}}}});
}

class BridgeHarness
{
public:
    explicit BridgeHarness(McpServerOptions options = {}, const QString &dbName = QStringLiteral("test.sqlite"))
    {
        options.databasePath = options.databasePath.isEmpty() ? dir.filePath(dbName) : options.databasePath;
        options.auth.devIssuerKeyFile = dir.filePath("dev.pem");
        server = std::make_unique<McpServer>(options, s12::catalog());
        QStringList errors;
        ok = server->initialize(&errors);
        startupErrors = errors;
    }
    SessionPtr session(TransportKind transport = TransportKind::Stdio, Principal p = Principal::localOwner(),
                       const QString &version = QStringLiteral("2025-06-18"))
    {
        auto s = std::make_shared<McpSession>(QStringLiteral("test-%1").arg(++counter), transport, std::move(p));
        send(server->bridge(), s, initializeRequest(version));
        send(server->bridge(), s, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
        return s;
    }
    const QJsonObject call(const SessionPtr &s, const QString &method, const QJsonObject &params = {})
    {
        return send(server->bridge(), s, request(++counter, method, params)).reply.toObject();
    }
    // tools/call; returns the CallToolResult (or the JSON-RPC error object under "error").
    const QJsonObject tool(const SessionPtr &s, const QString &name, const QJsonObject &args = {})
    {
        const QJsonObject r = call(s, "tools/call", {{"name", name}, {"arguments", args}});
        return r.contains("error") ? QJsonObject{{"error", r.value("error")}} : r.value("result").toObject();
    }

    QTemporaryDir dir;
    std::unique_ptr<McpServer> server;
    bool ok = false;
    QStringList startupErrors;
    int counter = 0;
};

} // namespace koan::test
