#pragma once
// Input a handler needs from the client while it runs (elicitation, sampling, roots), asked the
// same way in both eras through AskInput:
//  - 2024-11-05..2025-11-25 sessions: each request goes to the client on the call's stream
//    (a server-to-client request) and the answers come back to the same invocation;
//  - 2026-07-28 (MRTR, SEP-2322): a key not answered yet ends the invocation with an
//    input_required result (inputRequests + a sealed requestState, see RequestState.h). The
//    client retries with inputResponses; the handler then runs again FROM THE START with the
//    same arguments and this time its ask finds the answers (earlier rounds' answers travel in
//    the requestState). So a handler must ask the same keys for the same arguments, and must do
//    nothing irreversible before its last ask returns;
//  - a task (tasks extension, SEP-2663): the questions become the task's inputRequests (status
//    input_required) and tasks/update's inputResponses answer this same invocation, which waits.
// Only what the client may be asked is asked (see InputAsk::can): a request for an undeclared
// capability, or one the transport cannot carry, is answered at once with an error.
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <functional>

namespace koan {

struct InputRequest {
    QString key;    // names the question among the handler's, stable across rounds ("confirm")
    QString method; // elicitation/create, sampling/createMessage or roots/list
    QJsonObject params;
};

// One answer per asked key, JSON-RPC style: {"result": {...}} (ElicitResult, CreateMessageResult,
// ListRootsResult) or {"error": {"code", "message"}} (refused, undeclared, not deliverable).
using InputAnswers = QHash<QString, QJsonObject>;

struct InputAsk {
    // Asks and calls `onAnswers` once with an answer for every key, or (2026-07-28, keys still
    // open) never: the invocation then ends with an input_required result. Empty when the handler
    // runs where nothing can be asked.
    std::function<void(const QList<InputRequest> &requests, std::function<void(const InputAnswers &)> onAnswers)> ask;
    // Whether `method` can be asked on this request: the client declared its capability
    // (elicitation, sampling, roots) and the answer can reach this invocation (2025: a server-to-
    // client request needs a stream, so not in StreamableJsonResponse mode; elicitation needs
    // 2025-06-18 or later). Handlers with a fallback (e.g. a confirm argument) check this first.
    std::function<bool(const QString &method)> can;

    bool canAsk(const QString &method) const { return can && can(method); }

    // The client capability a method needs ("elicitation", "sampling", "roots"); empty if unknown.
    static QString capabilityFor(const QString &method)
    {
        if (method == QLatin1String("elicitation/create"))
            return QStringLiteral("elicitation");
        if (method == QLatin1String("sampling/createMessage"))
            return QStringLiteral("sampling");
        if (method == QLatin1String("roots/list"))
            return QStringLiteral("roots");
        return {};
    }
    static QJsonObject error(int code, const QString &message)
    {
        return QJsonObject{{QStringLiteral("error"),
                            QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
    }
};

} // namespace koan
