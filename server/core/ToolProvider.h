#pragma once
// A source of MCP tools (the entity tools, a test fixture pack, ...).
#include "McpSession.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>

namespace koan {

struct ToolDefinition {
    QString name;
    QString title;
    QString description;
    QJsonObject inputSchema;
    QJsonObject outputSchema; // empty: none
    QJsonObject annotations;  // readOnlyHint, destructiveHint, ...
    bool validateArguments = true;

    QJsonObject toJson() const;
};

// What a tool handler may do while it runs.
struct ToolCall {
    QString name;
    QJsonObject arguments;
    SessionPtr session;
    QJsonValue requestId;
    QJsonValue progressToken; // Undefined when the client asked for no progress
    CancelFlag cancelled;
    // W3C trace id (32 lowercase hex) from the request's params._meta.traceparent when that is
    // well-formed; empty otherwise (see traceIdFromTraceparent).
    QString traceId;
    // Sends a notification related to this request (progress, logging).
    std::function<void(const QString &method, const QJsonObject &params)> notify;
    // Sends a request to the client (sampling, elicitation); `onResponse` gets the raw response object.
    std::function<void(const QString &method, const QJsonObject &params,
                       std::function<void(const QJsonObject &response)> onResponse)>
        request;
};

// Outcome of the access check made before listing or calling a tool.
struct ToolAccess {
    enum Verdict { Unknown, Allowed, Hidden, Denied };
    Verdict verdict = Unknown;
    QString reason; // for Hidden/Denied: why, in words a user can act on
};

class ToolProvider
{
public:
    virtual ~ToolProvider() = default;
    // Tools visible to this session (already filtered by access rules).
    virtual QList<ToolDefinition> tools(const McpSession &session) const = 0;
    virtual ToolAccess access(const QString &name, const McpSession &session) const = 0;
    virtual const ToolDefinition *definition(const QString &name) const = 0;
    // Runs the tool and calls `done` exactly once with a CallToolResult object.
    virtual void call(const ToolCall &call, std::function<void(const QJsonObject &result)> done) = 0;
};

// The trace id of a W3C traceparent ("00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>"),
// checked strictly: version 00, lowercase hex, exact lengths, neither id all zeros. Anything else,
// including a non-string, gives an empty string: a malformed traceparent is ignored, never an error.
QString traceIdFromTraceparent(const QJsonValue &traceparent);

// CallToolResult helpers.
QJsonObject toolTextResult(const QString &text, bool isError = false);
QJsonObject toolStructuredResult(const QJsonObject &structured);
QJsonObject toolErrorResult(const QString &code, const QString &message,
                            const QJsonValue &details = QJsonValue::Undefined);

} // namespace koan
