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

std::optional<PromptProvider::Outcome> EntityPromptProvider::get(const QString &name, const QJsonObject &arguments,
                                                                 const McpSession &session)
{
    const RecordPrompt *p = find(name);
    const EntityDescriptor *e = p ? m_registry->entity(p->entity) : nullptr;
    if (!e)
        return std::nullopt;
    const ToolAccess access = m_records->entityAccess(*e, session);
    if (access.verdict == ToolAccess::Denied)
        return Outcome{RpcError{jsonrpc::Forbidden, QStringLiteral("Forbidden: %1").arg(access.reason),
                                QJsonObject{{QStringLiteral("prompt"), name}}}};
    if (access.verdict != ToolAccess::Allowed) // like a hidden tool: not there for this caller
        return Outcome{RpcError{jsonrpc::InvalidParams,
                                QStringLiteral("Prompt '%1' is not available: %2").arg(name, access.reason),
                                QJsonObject{{QStringLiteral("name"), name}}}};
    for (auto it = arguments.begin(); it != arguments.end(); ++it)
        if (it.key() != p->argument)
            return Outcome{invalidArgument(
                it.key(),
                QStringLiteral("unknown argument '%1' (%2 takes only '%3')").arg(it.key(), name, p->argument))};
    const QJsonValue value = arguments.value(p->argument);
    if (value.isUndefined() || value.isNull())
        return Outcome{invalidArgument(p->argument, QStringLiteral("argument '%1' is required").arg(p->argument))};
    if (!value.isString() || value.toString().isEmpty())
        return Outcome{invalidArgument(
            p->argument, QStringLiteral("argument '%1' must be a non-empty string").arg(p->argument), value)};
    const QString id = value.toString();
    QString error;
    const auto record = m_records->record(*e, id, &error);
    if (!error.isEmpty())
        return Outcome{RpcError{jsonrpc::InternalError, QStringLiteral("Internal error: %1").arg(error)}};
    if (!record)
        return Outcome{invalidArgument(
            p->argument, QStringLiteral("argument '%1': no %2 '%3'").arg(p->argument, e->name, id), value)};

    QJsonArray messages{
        userText(QStringLiteral("%1 %2 follows as an embedded resource, with its related records.").arg(e->name, id)),
        userContent(m_records->embedded(*e, *record))};
    QStringList left;
    // The records its reference fields name (e.g. the report's site and visit).
    for (const FieldDescriptor &f : e->fields) {
        const QString ref = record->value(f.name).toString();
        const EntityDescriptor *target = f.references.isEmpty() ? nullptr : m_registry->entity(f.references);
        if (!target || ref.isEmpty())
            continue;
        if (m_records->entityAccess(*target, session).verdict != ToolAccess::Allowed) {
            left << target->name;
            continue;
        }
        if (const auto referenced = m_records->record(*target, ref, &error))
            messages.append(userContent(m_records->embedded(*target, *referenced)));
    }
    // Records of other entities that reference it (e.g. a site's visits and notes).
    for (const RecordPrompt::Related &r : p->related) {
        const EntityDescriptor *other = m_registry->entity(r.entity);
        if (!other)
            continue;
        if (m_records->entityAccess(*other, session).verdict != ToolAccess::Allowed) {
            left << other->name;
            continue;
        }
        int shown = 0;
        for (const QJsonObject &rec : m_records->recordsWhere(*other, r.field, id, kMaxRelated, &error))
            if (r.excludeField.isEmpty() || !r.excludeValues.contains(rec.value(r.excludeField).toString())) {
                messages.append(userContent(m_records->embedded(*other, rec)));
                ++shown;
            }
        if (shown == 0)
            messages.append(userText(QStringLiteral("No %1 records for %2 %3.").arg(other->name, e->name, id)));
    }
    QString instructions = p->instructions;
    if (!left.isEmpty())
        instructions += QStringLiteral("\n\nNot included (your token may not read them): %1.")
                            .arg(left.join(QLatin1String(", ")));
    messages.append(userText(instructions));
    return Outcome{
        QJsonObject{{QStringLiteral("description"), QStringLiteral("%1 for %2 %3").arg(p->title, e->name, id)},
                    {QStringLiteral("messages"), messages}}};
}

std::optional<QStringList> EntityPromptProvider::complete(const QString &prompt, const QString &argument,
                                                          const QString &value, const McpSession &session)
{
    const RecordPrompt *p = find(prompt);
    const EntityDescriptor *e = p ? m_registry->entity(p->entity) : nullptr;
    if (!e)
        return std::nullopt;
    if (argument != p->argument || m_records->entityAccess(*e, session).verdict != ToolAccess::Allowed)
        return QStringList{};
    return m_records->idsWithPrefix(*e, value, 1000);
}

} // namespace koan
