#include "ContentDispatcher.h"

#include "protocol/JsonRpc.h"

#include <QJsonArray>

namespace koan {

namespace {
constexpr int kMaxCompletions = 100; // what completion/complete may return at most

QString encodeCursor(int offset)
{
    return QString::fromLatin1(QByteArray("o:" + QByteArray::number(offset)).toBase64());
}

std::optional<int> decodeCursor(const QJsonValue &cursor)
{
    if (!cursor.isString())
        return std::nullopt;
    const QByteArray raw
        = QByteArray::fromBase64(cursor.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!raw.startsWith("o:"))
        return std::nullopt;
    bool ok = false;
    const int offset = raw.mid(2).toInt(&ok);
    return ok && offset >= 0 ? std::optional<int>(offset) : std::nullopt;
}

// The offset a request's cursor names: 0 without one, nullopt for a cursor we never handed out.
std::optional<int> offsetOf(const QJsonObject &params)
{
    const QJsonValue cursor = params.value(QLatin1String("cursor"));
    return cursor.isUndefined() || cursor.isNull() ? std::optional<int>(0) : decodeCursor(cursor);
}

RpcError invalid(const QString &message)
{
    return RpcError{jsonrpc::InvalidParams, QStringLiteral("Invalid params: %1").arg(message)};
}

// The string member `key` of `params`, or an error naming it.
std::optional<QString> requiredString(const QJsonObject &params, const char *key, RpcError *error)
{
    const QJsonValue v = params.value(QLatin1String(key));
    if (v.isString() && !v.toString().isEmpty())
        return v.toString();
    *error = invalid(QStringLiteral("'%1' must be a non-empty string").arg(QLatin1String(key)));
    return std::nullopt;
}

// Asks each provider in turn, each possibly answering later, until one knows the request: `ask`
// answers, or calls its `next` to go on; `none` runs when no provider knew it.
template<class P>
void firstThatKnows(const QList<P *> &providers, int from,
                    const std::function<void(P *, const std::function<void()> &next)> &ask,
                    const std::function<void()> &none)
{
    if (from >= providers.size())
        return none();
    ask(providers.at(from), [providers, from, ask, none] { firstThatKnows<P>(providers, from + 1, ask, none); });
}
} // namespace

namespace {
// The schema's optional strings are left out when empty rather than sent as "".
QJsonObject &withOptional(QJsonObject &o, const char *key, const QString &value)
{
    if (!value.isEmpty())
        o.insert(QLatin1String(key), value);
    return o;
}
QJsonObject describedAs(QJsonObject o, const QString &title, const QString &description, const QString &mimeType = {})
{
    withOptional(o, "title", title);
    withOptional(o, "description", description);
    return withOptional(o, "mimeType", mimeType);
}
} // namespace

QJsonObject ResourceEntry::toJson() const
{
    return describedAs({{QStringLiteral("uri"), uri}, {QStringLiteral("name"), name}}, title, description, mimeType);
}

QJsonObject ResourceTemplate::toJson() const
{
    return describedAs({{QStringLiteral("uriTemplate"), uriTemplate}, {QStringLiteral("name"), name}}, title,
                       description, mimeType);
}

QJsonObject PromptDefinition::toJson() const
{
    QJsonObject o = describedAs({{QStringLiteral("name"), name}}, title, description);
    QJsonArray args;
    for (const PromptArgument &a : arguments) {
        QJsonObject arg{{QStringLiteral("name"), a.name}, {QStringLiteral("required"), a.required}};
        withOptional(arg, "description", a.description);
        args.append(arg);
    }
    if (!args.isEmpty())
        o.insert(QStringLiteral("arguments"), args);
    return o;
}

bool ContentDispatcher::serves(const QString &method) const
{
    if (method.startsWith(QLatin1String("resources/")))
        return hasResources()
               && (method == QLatin1String("resources/list") || method == QLatin1String("resources/templates/list")
                   || method == QLatin1String("resources/read") || method == QLatin1String("resources/subscribe")
                   || method == QLatin1String("resources/unsubscribe"));
    if (method == QLatin1String("prompts/list") || method == QLatin1String("prompts/get"))
        return hasPrompts();
    return method == QLatin1String("completion/complete") && (hasPrompts() || hasResources());
}

void ContentDispatcher::dispatch(const QString &method, const QJsonObject &params, McpSession &session,
                                 const Done &done, const InputAsk &input)
{
    if (method == QLatin1String("resources/list"))
        return listResources(params, session, done);
    if (method == QLatin1String("resources/templates/list"))
        return listTemplates(session, done);
    if (method == QLatin1String("resources/read"))
        return read(params, session, done);
    if (method == QLatin1String("resources/subscribe") || method == QLatin1String("resources/unsubscribe"))
        return subscribe(params, session, method == QLatin1String("resources/subscribe"), done);
    if (method == QLatin1String("prompts/list"))
        return listPrompts(params, session, done);
    if (method == QLatin1String("prompts/get"))
        return getPrompt(params, session, done, input);
    complete(params, session, done);
}

ToolAccess ContentDispatcher::access(const QString &uri, const McpSession &session) const
{
    for (const ResourceProvider *p : m_resources)
        if (const ToolAccess a = p->access(uri, session); a.verdict != ToolAccess::Unknown)
            return a;
    return {};
}

RpcError ContentDispatcher::notFound(const QString &uri, const McpSession &session)
{
    return RpcError{session.era == ProtocolEra::Modern ? int(jsonrpc::InvalidParams) : -32002,
                    QStringLiteral("Resource not found: %1").arg(uri), QJsonObject{{QStringLiteral("uri"), uri}}};
}

std::optional<RpcError> ContentDispatcher::refusal(const QString &uri, const ToolAccess &access,
                                                   const McpSession &session) const
{
    switch (access.verdict) {
    case ToolAccess::Allowed:
        return std::nullopt;
    case ToolAccess::Denied:
        return RpcError{jsonrpc::Forbidden, QStringLiteral("Forbidden: %1").arg(access.reason),
                        QJsonObject{{QStringLiteral("uri"), uri}}};
    case ToolAccess::Hidden: { // like a hidden tool: not there for this caller, with the reason
        RpcError e = notFound(uri, session);
        e.message = QStringLiteral("Resource not available: %1: %2").arg(uri, access.reason);
        return e;
    }
    case ToolAccess::Unknown:
        break;
    }
    return notFound(uri, session);
}

void ContentDispatcher::listResources(const QJsonObject &params, const McpSession &session, const Done &done) const
{
    const auto offset = offsetOf(params);
    if (!offset)
        return done({}, invalid(QStringLiteral("unknown cursor")));
    // One provider after the other, each possibly answering later (from its store worker); the
    // walk lives as long as the provider holds its callback.
    struct Walk {
        const ContentDispatcher *dispatcher;
        const McpSession *session;
        Done done;
        int offset = 0;
        int next = 0; // provider
        int base = 0; // resources of the providers before it
        QJsonArray page;

        static void step(const std::shared_ptr<Walk> &w)
        {
            const auto &providers = w->dispatcher->m_resources;
            const int pageSize = w->dispatcher->m_pageSize;
            if (w->next >= providers.size()) {
                QJsonObject result{{QStringLiteral("resources"), w->page}};
                if (w->offset + pageSize < w->base)
                    result.insert(QStringLiteral("nextCursor"), encodeCursor(w->offset + pageSize));
                return w->done(result, std::nullopt);
            }
            const ResourceProvider *p = providers.at(w->next++);
            const int from = qMax(w->offset + int(w->page.size()), w->base) - w->base;
            p->listAsync(*w->session, from, pageSize - int(w->page.size()), [w](const ResourceProvider::Listing &l) {
                if (!l.error.isEmpty()) {
                    RpcError e{jsonrpc::InternalError,
                               QStringLiteral("Internal error: cannot list resources: %1").arg(l.error)};
                    if (!l.reason.isEmpty())
                        e.data = QJsonObject{{QStringLiteral("reason"), l.reason}};
                    return w->done({}, e);
                }
                for (const ResourceEntry &r : l.entries)
                    w->page.append(r.toJson());
                w->base += l.count;
                step(w);
            });
        }
    };
    Walk::step(std::make_shared<Walk>(Walk{this, &session, done, *offset}));
}

void ContentDispatcher::listTemplates(const McpSession &session, const Done &done) const
{
    QJsonArray list;
    for (const ResourceProvider *p : m_resources)
        for (const ResourceTemplate &t : p->templates(session))
            list.append(t.toJson());
    done(QJsonObject{{QStringLiteral("resourceTemplates"), list}}, std::nullopt);
}

void ContentDispatcher::read(const QJsonObject &params, const McpSession &session, const Done &done)
{
    RpcError error{};
    const auto uri = requiredString(params, "uri", &error);
    if (!uri)
        return done({}, error);
    for (ResourceProvider *p : std::as_const(m_resources)) {
        const ToolAccess a = p->access(*uri, session);
        if (a.verdict == ToolAccess::Unknown)
            continue;
        if (const auto refused = refusal(*uri, a, session))
            return done({}, refused);
        const QString target = *uri;
        const RpcError missing = notFound(target, session);
        return p->readAsync(target, session, [target, missing, done](const ResourceProvider::Reading &r) {
            if (!r.error.isEmpty()) {
                QJsonObject data{{QStringLiteral("uri"), target}};
                if (!r.reason.isEmpty())
                    data.insert(QStringLiteral("reason"), r.reason);
                return done({},
                            RpcError{jsonrpc::InternalError,
                                     QStringLiteral("Internal error: cannot read %1: %2").arg(target, r.error), data});
            }
            if (!r.result)
                return done({}, missing);
            done(*r.result, std::nullopt);
        });
    }
    done({}, notFound(*uri, session));
}

void ContentDispatcher::subscribe(const QJsonObject &params, McpSession &session, bool on, const Done &done)
{
    RpcError error{};
    const auto uri = requiredString(params, "uri", &error);
    if (!uri)
        return done({}, error);
    if (!on) {
        session.resourceSubscriptions.remove(*uri);
        return done(QJsonObject{}, std::nullopt);
    }
    // A record that does not exist yet may be subscribed to (its creation is an update); a URI no
    // provider knows, or one the caller may not read, may not.
    if (const auto refused = refusal(*uri, access(*uri, session), session))
        return done({}, refused);
    session.resourceSubscriptions.insert(*uri);
    done(QJsonObject{}, std::nullopt);
}

void ContentDispatcher::listPrompts(const QJsonObject &params, const McpSession &session, const Done &done) const
{
    const auto offset = offsetOf(params);
    if (!offset)
        return done({}, invalid(QStringLiteral("unknown cursor")));
    QList<PromptDefinition> all;
    for (const PromptProvider *p : m_prompts)
        all += p->prompts(session);
    QJsonArray page;
    for (int i = *offset; i < all.size() && i < *offset + m_pageSize; ++i)
        page.append(all.at(i).toJson());
    QJsonObject result{{QStringLiteral("prompts"), page}};
    if (*offset + m_pageSize < all.size())
        result.insert(QStringLiteral("nextCursor"), encodeCursor(*offset + m_pageSize));
    done(result, std::nullopt);
}

void ContentDispatcher::getPrompt(const QJsonObject &params, const McpSession &session, const Done &done,
                                  const InputAsk &input)
{
    RpcError error{};
    const auto name = requiredString(params, "name", &error);
    if (!name)
        return done({}, error);
    const QJsonValue args = params.value(QLatin1String("arguments"));
    if (!args.isUndefined() && !args.isNull() && !args.isObject())
        return done({}, invalid(QStringLiteral("'arguments' must be an object")));
    const auto answer = [done](const PromptProvider::Outcome &outcome) {
        if (const auto *e = std::get_if<RpcError>(&outcome))
            return done({}, *e);
        done(std::get<QJsonObject>(outcome), std::nullopt);
    };
    for (PromptProvider *p : std::as_const(m_prompts))
        if (p->getAsking(*name, args.toObject(), session, input, answer))
            return;
    const QString prompt = *name;
    const QJsonObject arguments = args.toObject();
    firstThatKnows<PromptProvider>(
        m_prompts, 0,
        [prompt, arguments, &session, answer](PromptProvider *p, const std::function<void()> &next) {
            p->getAsync(prompt, arguments, session,
                        [answer, next](const std::optional<PromptProvider::Outcome> &outcome) {
                            if (!outcome)
                                return next();
                            answer(*outcome);
                        });
        },
        [prompt, done] {
            done({}, RpcError{jsonrpc::InvalidParams, QStringLiteral("Invalid params: unknown prompt '%1'").arg(prompt),
                              QJsonObject{{QStringLiteral("name"), prompt}}});
        });
}

void ContentDispatcher::complete(const QJsonObject &params, const McpSession &session, const Done &done)
{
    const QJsonObject ref = params.value(QLatin1String("ref")).toObject();
    const QJsonObject argument = params.value(QLatin1String("argument")).toObject();
    const QString type = ref.value(QLatin1String("type")).toString();
    RpcError error{};
    const auto argName = requiredString(argument, "name", &error);
    if (!argName)
        return done({}, invalid(QStringLiteral("'argument.name' must be a non-empty string")));
    const QJsonValue value = argument.value(QLatin1String("value"));
    if (!value.isString())
        return done({}, invalid(QStringLiteral("'argument.value' must be a string")));
    const QString typed = value.toString(), arg = *argName;
    const auto answer = [done](const CompletionValues &c) {
        if (!c.error.isEmpty()) {
            RpcError e{jsonrpc::InternalError, QStringLiteral("Internal error: cannot complete: %1").arg(c.error)};
            if (!c.reason.isEmpty())
                e.data = QJsonObject{{QStringLiteral("reason"), c.reason}};
            return done({}, e);
        }
        const int total = int(c.values->size());
        const QStringList shown = c.values->mid(0, kMaxCompletions);
        done(QJsonObject{{QStringLiteral("completion"),
                          QJsonObject{{QStringLiteral("values"), QJsonArray::fromStringList(shown)},
                                      {QStringLiteral("total"), total},
                                      {QStringLiteral("hasMore"), total > shown.size()}}}},
             std::nullopt);
    };
    // The first provider that knows the prompt or template answers (a store error counts as an answer).
    const auto known = [answer](const std::function<void()> &next) {
        return [answer, next](const CompletionValues &c) {
            if (!c.values && c.error.isEmpty())
                return next();
            answer(c);
        };
    };
    if (type == QLatin1String("ref/prompt")) {
        const QString prompt = ref.value(QLatin1String("name")).toString();
        return firstThatKnows<PromptProvider>(
            m_prompts, 0,
            [prompt, arg, typed, &session, known](PromptProvider *p, const std::function<void()> &next) {
                p->completeAsync(prompt, arg, typed, session, known(next));
            },
            [prompt, done] {
                done({}, RpcError{jsonrpc::InvalidParams,
                                  QStringLiteral("Invalid params: unknown prompt '%1'").arg(prompt)});
            });
    }
    if (type == QLatin1String("ref/resource")) {
        const QString uri = ref.value(QLatin1String("uri")).toString();
        return firstThatKnows<ResourceProvider>(
            m_resources, 0,
            [uri, arg, typed, &session, known](ResourceProvider *p, const std::function<void()> &next) {
                p->completeAsync(uri, arg, typed, session, known(next));
            },
            [uri, done] {
                done({}, RpcError{jsonrpc::InvalidParams,
                                  QStringLiteral("Invalid params: unknown resource template '%1'").arg(uri)});
            });
    }
    done({}, invalid(QStringLiteral("'ref.type' must be \"ref/prompt\" or \"ref/resource\"")));
}

} // namespace koan
