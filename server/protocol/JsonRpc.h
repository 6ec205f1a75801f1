#pragma once
// JSON-RPC 2.0 message classification and construction (spec: jsonrpc.org/specification).
#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace koan::jsonrpc {

enum ErrorCode : int {
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    InternalError = -32603,
    // Implementation-defined server errors (-32000..-32099), as used by the MCP SDKs.
    ServerError = -32000,
    SessionNotFound = -32001,
    Forbidden = -32003, // the caller may not use this tool (scopes, auth)
};

enum class Kind { Request, Notification, Response, Invalid };

struct Message {
    Kind kind = Kind::Invalid;
    QJsonObject object;    // the raw object
    QJsonValue id;         // Request/Response; Null when unknown
    QString method;        // Request/Notification
    QJsonValue params;     // Undefined when absent
    QString invalidReason; // Kind::Invalid only
};

// Validates one element (object) of a message or batch.
Message classify(const QJsonValue &value);

struct ParseResult {
    bool ok = false;
    int errorCode = 0; // ParseError (not JSON) or InvalidRequest (JSON, but a scalar) when !ok
    QString error;     // its description, ready to send ("Parse error: …")
    QJsonValue value;  // object or array
};
// Parses UTF-8 JSON text; a scalar at the top level is valid JSON but no JSON-RPC message.
ParseResult parse(const QByteArray &body);
// The error reply for a failed parse (id null).
QJsonObject makeError(const ParseResult &failed);

QJsonObject makeResult(const QJsonValue &id, const QJsonValue &result);
QJsonObject makeError(const QJsonValue &id, int code, const QString &message,
                      const QJsonValue &data = QJsonValue::Undefined);
QJsonObject makeNotification(const QString &method, const QJsonObject &params = {});
QJsonObject makeRequest(const QJsonValue &id, const QString &method, const QJsonObject &params = {});

// True when `id` is a valid request id: a string or an integral number.
bool isValidId(const QJsonValue &id);

} // namespace koan::jsonrpc
