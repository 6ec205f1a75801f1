#pragma once
// Uniform JSON error bodies: {"error": code, "message": text} for plain endpoints, and
// JSON-RPC error objects (id null) for the Streamable HTTP endpoint, where SDK clients expect them.
#include "HttpResponder.h"
#include "protocol/JsonRpc.h"

#include <QJsonObject>
#include <optional>

namespace koan {

inline void sendHttpError(HttpResponder *r, int status, const QString &code, const QString &message,
                          HttpHeaders headers = {}, QJsonObject extra = {})
{
    extra.insert(QStringLiteral("error"), code);
    extra.insert(QStringLiteral("message"), message);
    r->sendJson(status, extra, std::move(headers));
}

inline void sendRpcHttpError(HttpResponder *r, int status, int rpcCode, const QString &message,
                             HttpHeaders headers = {})
{
    r->sendJson(status, jsonrpc::makeError(QJsonValue::Null, rpcCode, message), std::move(headers));
}

// The one 405 answer: the methods the path serves, in Allow. JSON-RPC shaped on the MCP
// endpoint, where SDK clients read error bodies as JSON-RPC.
enum class ErrorShape { Plain, JsonRpc };
inline void sendMethodNotAllowed(HttpResponder *r, const QByteArray &allow, ErrorShape shape = ErrorShape::Plain)
{
    const QString message = QStringLiteral("Method Not Allowed: use %1").arg(QString::fromLatin1(allow));
    if (shape == ErrorShape::JsonRpc)
        return sendRpcHttpError(r, 405, jsonrpc::ServerError, message, {{"Allow", allow}});
    sendHttpError(r, 405, QStringLiteral("method_not_allowed"), message, {{"Allow", allow}});
}

} // namespace koan

namespace koan {

// Checks Content-Type, size and JSON syntax of a POSTed JSON-RPC body. On failure the error
// response is sent (JSON-RPC shaped when `rpcShaped`) and nullopt returned.
inline std::optional<QJsonValue> readJsonRpcBody(const HttpRequest &req, HttpResponder *r, qint64 maxBytes,
                                                 bool rpcShaped)
{
    const auto reject = [&](int status, int rpcCode, const QString &code, const QString &message) {
        if (rpcShaped)
            sendRpcHttpError(r, status, rpcCode, message);
        else
            sendHttpError(r, status, code, message);
        return std::nullopt;
    };
    if (req.body.size() > maxBytes || req.header("Content-Length").toLongLong() > maxBytes)
        return reject(413, jsonrpc::InvalidRequest, QStringLiteral("payload_too_large"),
                      QStringLiteral("Request body exceeds the %1-byte limit (MaxRequestBodyBytes)").arg(maxBytes));
    const QByteArray type = req.header("Content-Type").split(';').first().trimmed().toLower();
    if (type != "application/json")
        return reject(415, jsonrpc::ServerError, QStringLiteral("unsupported_media_type"),
                      QStringLiteral("Unsupported Media Type: Content-Type must be application/json"));
    const jsonrpc::ParseResult parsed = jsonrpc::parse(req.body);
    if (!parsed.ok) {
        r->sendJson(400, jsonrpc::makeError(parsed));
        return std::nullopt;
    }
    return parsed.value;
}

} // namespace koan
