#pragma once
// A source of MCP tools (the entity tools, a test fixture pack, ...).
#include "InputRequest.h"
#include "McpSession.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>
#include <utility>

namespace koan {

// Whether a tool may run as a task of the tasks extension (io.modelcontextprotocol/tasks, 2026-07-28):
// Forbidden never, Optional when the request declares the extension (else synchronously),
// Required only as a task (a request without the extension gets -32021).
enum class TaskSupport { Forbidden, Optional, Required };

struct ToolDefinition {
    QString name;
    QString title;
    QString description;
    QJsonObject inputSchema;
    QJsonObject outputSchema; // empty: none
    QJsonObject annotations;  // readOnlyHint, destructiveHint, ...
    bool validateArguments = true;
    TaskSupport taskSupport = TaskSupport::Forbidden;
    // The tool first gathers input like any call (input_required rounds, SEP-2322) and becomes a
    // task itself once it has it (ToolCall::becomeTask, SEP-2663's MRTR -> task composition);
    // otherwise a call that may be a task is one from its start.
    bool taskAfterInput = false;

    QJsonObject toJson() const;
};

// A tool call that ends in a JSON-RPC error rather than a CallToolResult (a protocol-level fault).
struct ToolFailure {
    int code = -32603;
    QString message;
    QJsonValue data = QJsonValue::Undefined;
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
    // Runs as a task (tasks extension): the caller already has its answer, so the tool may take
    // its time; it should report progress and look at `cancelled` between units of work.
    bool asTask = false;
    // Sends a notification related to this request (progress, logging).
    std::function<void(const QString &method, const QJsonObject &params)> notify;
    // Asks the client for input (elicitation, sampling, roots) in either era and in a task: see
    // InputRequest.h. This is the one way for a tool to ask; in 2026-07-28 it turns into
    // input_required rounds, in a task into the task's inputRequests (answered by tasks/update).
    InputAsk input;
    // Legacy sessions only: one raw server-to-client request; `onResponse` gets the response object.
    // In 2026-07-28 and in a task it answers with an error at once (use `input`).
    std::function<void(const QString &method, const QJsonObject &params,
                       std::function<void(const QJsonObject &response)> onResponse)>
        request;
    // Ends the call with a JSON-RPC error instead of `done` (exactly one of the two is called).
    std::function<void(const ToolFailure &failure)> fail;
    // Set by RpcBridge for a taskAfterInput tool whose request declared the tasks extension.
    std::function<bool(ToolCall &call, std::function<void(const QJsonObject &result)> &done)> toTask;

    // A taskAfterInput tool calls this once its input is gathered (its last ask answered, nothing
    // irreversible done yet): the request is answered with a CreateTaskResult, and from then on
    // this call is the task's (cancel flag, progress, input as the task's inputRequests) and `done`
    // lands in the task. True: go on (as the task, or synchronously when the request did not
    // declare the extension); false: the task was refused (a limit) and the request has the error.
    // With a store worker the refusal may come later: the call's cancel flag is then set.
    bool becomeTask(std::function<void(const QJsonObject &result)> &done)
    {
        if (!toTask)
            return true;
        const auto become = std::exchange(toTask, {}); // once; and it rebinds this call while it runs
        return become(*this, done);
    }
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
