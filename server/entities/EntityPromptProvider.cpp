#include "EntityPromptProvider.h"

#include "protocol/JsonRpc.h"

#include <QJsonArray>

namespace koan {

namespace {
constexpr int kMaxRelated = 200; // related records embedded per kind at most

QJsonObject userText(const QString &text)
{
    return QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                       {QStringLiteral("content"),
                        QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}}}};
}

QJsonObject userContent(const QJsonObject &content)
{
    return QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), content}};
}

RpcError invalidArgument(const QString &argument, const QString &message,
                         const QJsonValue &value = QJsonValue::Undefined)
{
    QJsonObject data{{QStringLiteral("argument"), argument}};
    if (!value.isUndefined())
        data.insert(QStringLiteral("value"), value);
    return RpcError{jsonrpc::InvalidParams, QStringLiteral("Invalid params: %1").arg(message), data};
}
} // namespace

EntityPromptProvider::EntityPromptProvider(EntityRegistry *registry, EntityResourceProvider *records,
                                           QList<RecordPrompt> prompts)
    : m_registry(registry), m_records(records), m_prompts(std::move(prompts))
{ }

const RecordPrompt *EntityPromptProvider::find(const QString &name) const
{
    for (const RecordPrompt &p : m_prompts)
        if (p.name == name)
            return &p;
    return nullptr;
}

PromptDefinition EntityPromptProvider::definition(const RecordPrompt &p) const
{
    return PromptDefinition{p.name, p.title, p.description, {PromptArgument{p.argument, p.argumentDescription, true}}};
}

QList<PromptDefinition> EntityPromptProvider::prompts(const McpSession &session) const
{
    QList<PromptDefinition> out;
    for (const RecordPrompt &p : m_prompts)
        if (const EntityDescriptor *e = m_registry->entity(p.entity);
            e && m_records->entityAccess(*e, session).verdict == ToolAccess::Allowed)
            out << definition(p);
    return out;
}

std::variant<EntityPromptProvider::Plan, std::optional<PromptProvider::Outcome>>
EntityPromptProvider::plan(const QString &name, const QJsonObject &arguments, const McpSession &session) const
{
    const RecordPrompt *p = find(name);
    const EntityDescriptor *e = p ? m_registry->entity(p->entity) : nullptr;
    if (!e)
        return std::optional<Outcome>();
    const ToolAccess access = m_records->entityAccess(*e, session);
    if (access.verdict == ToolAccess::Denied)
        return std::optional<Outcome>(RpcError{jsonrpc::Forbidden, QStringLiteral("Forbidden: %1").arg(access.reason),
                                               QJsonObject{{QStringLiteral("prompt"), name}}});
    if (access.verdict != ToolAccess::Allowed) // like a hidden tool: not there for this caller
        return std::optional<Outcome>(RpcError{
            jsonrpc::InvalidParams, QStringLiteral("Prompt '%1' is not available: %2").arg(name, access.reason),
            QJsonObject{{QStringLiteral("name"), name}}});
    for (auto it = arguments.begin(); it != arguments.end(); ++it)
        if (it.key() != p->argument)
            return std::optional<Outcome>(invalidArgument(
                it.key(),
                QStringLiteral("unknown argument '%1' (%2 takes only '%3')").arg(it.key(), name, p->argument)));
    const QJsonValue value = arguments.value(p->argument);
    if (value.isUndefined() || value.isNull())
        return std::optional<Outcome>(
            invalidArgument(p->argument, QStringLiteral("argument '%1' is required").arg(p->argument)));
    if (!value.isString() || value.toString().isEmpty())
        return std::optional<Outcome>(invalidArgument(
            p->argument, QStringLiteral("argument '%1' must be a non-empty string").arg(p->argument), value));
    Plan plan{p, e, value.toString(), {}, {}};
    // The records its reference fields name (e.g. the report's site and visit).
    for (const FieldDescriptor &f : e->fields)
        if (const EntityDescriptor *target = f.references.isEmpty() ? nullptr : m_registry->entity(f.references))
            plan.references.append(
                {f.name, target, m_records->entityAccess(*target, session).verdict == ToolAccess::Allowed});
    // Records of other entities that reference it (e.g. a site's visits and notes).
    for (const RecordPrompt::Related &r : p->related)
        if (const EntityDescriptor *other = m_registry->entity(r.entity))
            plan.related.append({&r, other, m_records->entityAccess(*other, session).verdict == ToolAccess::Allowed});
    return plan;
}

EntityPromptProvider::Gathered EntityPromptProvider::gather(EntityStore &store, const Plan &plan)
{
    Gathered g;
    g.record = EntityResourceProvider::record(store, *plan.entity, plan.id, &g.error);
    if (!g.record)
        return g;
    QString ignored; // a related record that cannot be read is left out, as one that is missing
    for (const Plan::Reference &r : plan.references) {
        const QString ref = g.record->value(r.field).toString();
        g.referenced.append(r.readable && !ref.isEmpty()
                                ? EntityResourceProvider::record(store, *r.target, ref, &ignored)
                                : std::nullopt);
    }
    for (const Plan::Related &r : plan.related)
        g.related.append(r.readable ? EntityResourceProvider::recordsWhere(store, *r.entity, r.related->field, plan.id,
                                                                           kMaxRelated, &ignored)
                                    : QList<QJsonObject>{});
    return g;
}

PromptProvider::Outcome EntityPromptProvider::compose(const Plan &plan, const Gathered &g) const
{
    const RecordPrompt *p = plan.prompt;
    const EntityDescriptor *e = plan.entity;
    const QString &id = plan.id;
    if (!g.error.isEmpty())
        return RpcError{jsonrpc::InternalError, QStringLiteral("Internal error: %1").arg(g.error),
                        g.reason.isEmpty() ? QJsonValue(QJsonValue::Undefined)
                                           : QJsonObject{{QStringLiteral("reason"), g.reason}}};
    if (!g.record)
        return invalidArgument(p->argument, QStringLiteral("argument '%1': no %2 '%3'").arg(p->argument, e->name, id),
                               id);

    QJsonArray messages{
        userText(QStringLiteral("%1 %2 follows as an embedded resource, with its related records.").arg(e->name, id)),
        userContent(m_records->embedded(*e, *g.record))};
    QStringList left;
    for (int i = 0; i < plan.references.size(); ++i) {
        const Plan::Reference &r = plan.references.at(i);
        if (g.record->value(r.field).toString().isEmpty())
            continue;
        if (!r.readable)
            left << r.target->name;
        else if (const std::optional<QJsonObject> &referenced = g.referenced.at(i))
            messages.append(userContent(m_records->embedded(*r.target, *referenced)));
    }
    for (int i = 0; i < plan.related.size(); ++i) {
        const Plan::Related &r = plan.related.at(i);
        if (!r.readable) {
            left << r.entity->name;
            continue;
        }
        int shown = 0;
        for (const QJsonObject &rec : g.related.at(i))
            if (r.related->excludeField.isEmpty()
                || !r.related->excludeValues.contains(rec.value(r.related->excludeField).toString())) {
                messages.append(userContent(m_records->embedded(*r.entity, rec)));
                ++shown;
            }
        if (shown == 0)
            messages.append(userText(QStringLiteral("No %1 records for %2 %3.").arg(r.entity->name, e->name, id)));
    }
    QString instructions = p->instructions;
    if (!left.isEmpty())
        instructions += QStringLiteral("\n\nNot included (your token may not read them): %1.")
                            .arg(left.join(QLatin1String(", ")));
    messages.append(userText(instructions));
    return QJsonObject{{QStringLiteral("description"), QStringLiteral("%1 for %2 %3").arg(p->title, e->name, id)},
                       {QStringLiteral("messages"), messages}};
}

std::optional<PromptProvider::Outcome> EntityPromptProvider::get(const QString &name, const QJsonObject &arguments,
                                                                 const McpSession &session)
{
    auto planned = plan(name, arguments, session);
    if (auto *answer = std::get_if<std::optional<Outcome>>(&planned))
        return *answer;
    const Plan &p = std::get<Plan>(planned);
    return compose(p, gather(m_records->store(), p));
}

void EntityPromptProvider::getAsync(const QString &name, const QJsonObject &arguments, const McpSession &session,
                                    const std::function<void(const std::optional<Outcome> &)> &done)
{
    auto planned = plan(name, arguments, session);
    if (auto *answer = std::get_if<std::optional<Outcome>>(&planned))
        return done(*answer);
    m_records->onStore<Gathered>([p = std::get<Plan>(planned)](EntityStore &store) { return gather(store, p); },
                                 [this, p = std::get<Plan>(planned), done](const Gathered &g) { done(compose(p, g)); });
}

std::optional<const EntityDescriptor *> EntityPromptProvider::completed(const QString &prompt, const QString &argument,
                                                                        const McpSession &session) const
{
    const RecordPrompt *p = find(prompt);
    const EntityDescriptor *e = p ? m_registry->entity(p->entity) : nullptr;
    if (!e)
        return std::nullopt;
    if (argument != p->argument || m_records->entityAccess(*e, session).verdict != ToolAccess::Allowed)
        return nullptr;
    return e;
}

std::optional<QStringList> EntityPromptProvider::complete(const QString &prompt, const QString &argument,
                                                          const QString &value, const McpSession &session)
{
    const auto entity = completed(prompt, argument, session);
    if (!entity || !*entity)
        return entity ? std::optional<QStringList>(QStringList{}) : std::nullopt;
    QString error;
    return EntityResourceProvider::idsWithPrefix(m_records->store(), **entity, value, 1000, &error);
}

void EntityPromptProvider::completeAsync(const QString &prompt, const QString &argument, const QString &value,
                                         const McpSession &session,
                                         const std::function<void(const CompletionValues &)> &done)
{
    const auto entity = completed(prompt, argument, session);
    if (!entity)
        return done({});
    if (!*entity)
        return done(CompletionValues{QStringList{}, {}, {}});
    m_records->onStore<CompletionValues>(
        [entity = *entity, value](EntityStore &store) {
            CompletionValues c;
            c.values = EntityResourceProvider::idsWithPrefix(store, *entity, value, 1000, &c.error);
            return c;
        },
        done);
}

} // namespace koan
