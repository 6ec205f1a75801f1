#pragma once
// A source of MCP prompts (the domain's prompts, a test fixture pack, ...). RpcBridge serves
// prompts/list, prompts/get and completion/complete for ref/prompt across them.
#include "CompletionValues.h"
#include "InputRequest.h"
#include "McpSession.h"
#include "RpcError.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>
#include <variant>

namespace koan {

struct PromptArgument {
    QString name;
    QString description;
    bool required = false;
};

struct PromptDefinition {
    QString name;
    QString title;
    QString description;
    QList<PromptArgument> arguments;

    QJsonObject toJson() const;
};

class PromptProvider
{
public:
    virtual ~PromptProvider() = default;
    // Prompts the session may use, in a stable order.
    virtual QList<PromptDefinition> prompts(const McpSession &session) const = 0;
    // The GetPromptResult ({"description", "messages"}) or the error to answer (bad arguments:
    // -32602 naming the argument); nullopt when `name` is not this provider's prompt.
    using Outcome = std::variant<QJsonObject, RpcError>;
    virtual std::optional<Outcome> get(const QString &name, const QJsonObject &arguments, const McpSession &session)
        = 0;
    // A prompt that first asks the client for input (InputRequest.h: an input_required round in
    // 2026-07-28, server-to-client requests in a 2025 session): true when `name` is such a prompt
    // of this provider, and `done` then gets its outcome once (or never, when the round ended with
    // input_required). Tried before get(); the default has none.
    virtual bool getAsking(const QString &name, const QJsonObject &arguments, const McpSession &session,
                           const InputAsk &input, const std::function<void(const Outcome &)> &done)
    {
        Q_UNUSED(name)
        Q_UNUSED(arguments)
        Q_UNUSED(session)
        Q_UNUSED(input)
        Q_UNUSED(done)
        return false;
    }
    // completion/complete for one argument of one of its prompts (`value` is what the user typed
    // so far): the values to offer, or nullopt when the prompt is not this provider's.
    virtual std::optional<QStringList> complete(const QString &prompt, const QString &argument, const QString &value,
                                                const McpSession &session)
        = 0;
    // prompts/get (after getAsking) and completion/complete as the dispatcher calls them: a
    // provider whose store blocks (the record prompts) answers later from its store worker; these
    // defaults answer at once from the calls above. `done` gets nullopt (no values) when the
    // prompt is not this provider's; the session outlives `done` (the caller keeps it).
    virtual void getAsync(const QString &name, const QJsonObject &arguments, const McpSession &session,
                          const std::function<void(const std::optional<Outcome> &)> &done)
    {
        done(get(name, arguments, session));
    }
    virtual void completeAsync(const QString &prompt, const QString &argument, const QString &value,
                               const McpSession &session, const std::function<void(const CompletionValues &)> &done)
    {
        done(CompletionValues{complete(prompt, argument, value, session), {}, {}});
    }
};

} // namespace koan
