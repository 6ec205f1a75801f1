#include "EntityRegistry.h"

#include "ToolSchemas.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace koan {

QString EntityRegistry::opName(Op op)
{
    switch (op) {
    case Op::Collection:
        return QStringLiteral("collection");
    case Op::GetById:
        return QStringLiteral("get-by-id");
    case Op::History:
        return QStringLiteral("history");
    case Op::Upsert:
        return QStringLiteral("upsert");
    case Op::UpsertMany:
        return QStringLiteral("upsert-many");
    case Op::Patch:
        return QStringLiteral("patch");
    case Op::Delete:
        return QStringLiteral("delete");
    case Op::DeleteMany:
        return QStringLiteral("delete-many");
    case Op::DeleteAll:
        return QStringLiteral("delete-all");
    case Op::Export:
        return QStringLiteral("export");
    }
    return {};
}

EntityRegistry::EntityRegistry(QList<EntityDescriptor> entities, QObject *parent)
    : QObject(parent), m_entities(std::move(entities))
{
    for (const auto &e : std::as_const(m_entities))
        m_options.insert(e.name, defaults(e));
    rebuild();
}

EntityOptions EntityRegistry::defaults(const EntityDescriptor &e) const
{
    EntityOptions o;
    o.name = e.toolPrefix;
    o.description = e.description;
    o.requiredScopes = e.requiredScopes;
    return o;
}

const EntityDescriptor *EntityRegistry::entity(const QString &name) const
{
    for (const auto &e : m_entities)
        if (e.name.compare(name, Qt::CaseInsensitive) == 0 || e.toolPrefix.compare(name, Qt::CaseInsensitive) == 0)
            return &e;
    return nullptr;
}

EntityOptions EntityRegistry::options(const QString &entityName) const
{
    const EntityDescriptor *e = entity(entityName);
    return e ? m_options.value(e->name) : EntityOptions{};
}

bool EntityRegistry::setOptions(const QString &entityName, const EntityOptions &options, QString *error)
{
    const EntityDescriptor *e = entity(entityName);
    if (!e) {
        *error = QStringLiteral("unknown entity '%1'").arg(entityName);
        return false;
    }
    static const QRegularExpression validName(QStringLiteral("^[a-z0-9][a-z0-9\\-]{0,63}$"));
    if (!validName.match(options.name).hasMatch()) {
        *error = QStringLiteral("tool name prefix '%1' must be lower-case letters, digits and '-'").arg(options.name);
        return false;
    }
    for (auto it = m_options.begin(); it != m_options.end(); ++it)
        if (it.key() != e->name && it->name == options.name) {
            *error = QStringLiteral("tool name prefix '%1' is already used by %2").arg(options.name, it.key());
            return false;
        }
    static const QRegularExpression validScope(
        QStringLiteral("^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$")); // RFC 6749 scope-token
    for (const QString &scope : options.requiredScopes)
        if (!validScope.match(scope).hasMatch()) {
            *error = QStringLiteral("scope '%1' contains characters not allowed in an OAuth scope").arg(scope);
            return false;
        }
    m_options.insert(e->name, options);
    rebuild();
    emit changed();
    return true;
}

namespace {
// Each setting an override may carry, as (override field, options field): applying overrides
// and deriving them back from the options walk the same list.
template<typename Visit> void forEachOverridable(Visit &&visit)
{
    visit(&EntityOverride::name, &EntityOptions::name);
    visit(&EntityOverride::description, &EntityOptions::description);
    visit(&EntityOverride::allowMutations, &EntityOptions::allowMutations);
    visit(&EntityOverride::requireAuthentication, &EntityOptions::requireAuthentication);
    visit(&EntityOverride::requireExpectedVersion, &EntityOptions::requireExpectedVersion);
    visit(&EntityOverride::requiredScopes, &EntityOptions::requiredScopes);
    visit(&EntityOverride::enabledTransports, &EntityOptions::enabledTransports);
}
} // namespace

bool EntityRegistry::applyOverrides(const QMap<QString, EntityOverride> &overrides, QStringList *errors)
{
    bool ok = true;
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        const EntityDescriptor *e = entity(it.key());
        if (!e) {
            QStringList known;
            for (const auto &d : m_entities)
                known << d.name;
            errors->append(QStringLiteral("Koan:Mcp:EntityOverrides:%1: unknown entity (known: %2)")
                               .arg(it.key(), known.join(QLatin1String(", "))));
            ok = false;
            continue;
        }
        EntityOptions o = defaults(*e);
        const EntityOverride &ov = it.value();
        forEachOverridable([&](auto set, auto option) {
            if (ov.*set)
                o.*option = *(ov.*set);
        });
        QString error;
        if (!setOptions(e->name, o, &error)) {
            errors->append(QStringLiteral("Koan:Mcp:EntityOverrides:%1: %2").arg(it.key(), error));
            ok = false;
        }
    }
    return ok;
}

EntityOverride EntityRegistry::overrideFor(const QString &entityName) const
{
    EntityOverride ov;
    const EntityDescriptor *e = entity(entityName);
    if (!e)
        return ov;
    const EntityOptions d = defaults(*e);
    const EntityOptions o = m_options.value(e->name);
    forEachOverridable([&](auto set, auto option) {
        if (o.*option != d.*option)
            ov.*set = o.*option;
    });
    return ov;
}

void EntityRegistry::setServerRequiresAuthentication(bool required)
{
    if (m_serverRequiresAuth == required)
        return;
    m_serverRequiresAuth = required;
    emit changed();
}

const EntityRegistry::Tool *EntityRegistry::tool(const QString &name) const
{
    const auto it = m_toolIndex.constFind(name);
    return it == m_toolIndex.constEnd() ? nullptr : &m_tools.at(*it);
}

ToolAccess EntityRegistry::access(const Tool &t, const McpSession &session) const
{
    const EntityOptions o = m_options.value(t.entity->name);
    if (isMutation(t.op) && !o.allowMutations)
        return {ToolAccess::Hidden,
                QStringLiteral("mutations are disabled for %1 (AllowMutations=false)").arg(t.entity->name)};
    if (!o.enabledTransports.testFlag(session.transport))
        return {ToolAccess::Hidden, QStringLiteral("%1 is not enabled on the %2 transport (EnabledTransports=%3)")
                                        .arg(t.entity->name, transportName(session.transport),
                                             transportNames(o.enabledTransports).join(QLatin1Char(',')))};
    const Principal &p = session.principal;
    if (p.trustedLocal)
        return {ToolAccess::Allowed, {}};
    if (o.requireAuthentication.value_or(m_serverRequiresAuth) && !p.authenticated)
        return {ToolAccess::Denied, QStringLiteral("%1 requires an authenticated caller").arg(t.entity->name)};
    // Anonymous callers only get here when authentication is off (development): scopes cannot
    // apply to them. Authenticated callers must hold every required scope.
    if (p.authenticated && !p.hasScopes(o.requiredScopes))
        return {
            ToolAccess::Denied,
            QStringLiteral("%1 requires scope(s) %2").arg(t.definition.name, o.requiredScopes.join(QLatin1Char(' ')))};
    return {ToolAccess::Allowed, {}};
}

void EntityRegistry::rebuild()
{
    m_tools.clear();
    m_toolIndex.clear();
    static const Op ops[] = {Op::Collection, Op::GetById, Op::History,    Op::Upsert,    Op::UpsertMany,
                             Op::Patch,      Op::Delete,  Op::DeleteMany, Op::DeleteAll, Op::Export};
    for (const auto &e : std::as_const(m_entities)) {
        const EntityOptions o = m_options.value(e.name);
        for (Op op : ops) {
            Tool t{&e, op, makeDefinition(e, o, op)};
            m_toolIndex.insert(t.definition.name, int(m_tools.size()));
            m_tools.append(t);
        }
    }
}

ToolDefinition EntityRegistry::makeDefinition(const EntityDescriptor &e, const EntityOptions &o, Op op) const
{
    ToolDefinition d;
    d.name = o.name + QLatin1Char('.') + opName(op);
    d.title = QStringLiteral("%1 %2").arg(e.name, opName(op));
    const ToolSchemas schemas = ToolSchemas::of(e, op);
    d.inputSchema = schemas.input;
    d.outputSchema = schemas.output;
    d.annotations = schemas.annotations;
    const QString what = o.description.isEmpty() ? e.name : QStringLiteral("%1 (%2)").arg(e.name, o.description);
    // The long-running ones may run as tasks (tasks extension, 2026-07-28).
    if (op == Op::UpsertMany || op == Op::DeleteMany || op == Op::Export)
        d.taskSupport = TaskSupport::Optional;
    const QString asTask
        = QStringLiteral(" Run as a task (a 2026-07-28 request declaring io.modelcontextprotocol/tasks) it commits in "
                         "transactions of %1 records, each audited under the call's operationId, and reports progress; "
                         "a tasks/cancel stops it before the next chunk: the chunks already committed stay written "
                         "(the audit trail lists them), nothing after the cancel is written.")
              .arg(kTaskChunk);
    switch (op) {
    case Op::Collection:
        d.description = QStringLiteral("List %1 records, %2 per page by default (pageSize up to %3), with equality "
                                       "filters on fields and sorting.")
                            .arg(what)
                            .arg(kDefaultPageSize)
                            .arg(kMaxPageSize);
        break;
    case Op::GetById:
        d.description = QStringLiteral("Get one %1 by id.").arg(what);
        break;
    case Op::History:
        d.description
            = QStringLiteral("The versions of one %1 from its audit trail, oldest first: who changed it, when, "
                             "through what, and the change (JSON Patch from the previous version; a delete keeps "
                             "the last document). Paged.")
                  .arg(what);
        break;
    case Op::Upsert:
        d.description
            = QStringLiteral("Create or replace one %1; the id is generated when omitted. Every record has a "
                             "server-assigned version (1 on create, +1 on every write). To replace an existing "
                             "record pass expectedVersion, the version you read%2; if it changed meanwhile nothing "
                             "is written and the error is version_conflict with the current version: read it again "
                             "and reapply your change.")
                  .arg(what, o.requireExpectedVersion
                                 ? QStringLiteral(" (required: without it the answer is version_required)")
                                 : QString());
        break;
    case Op::UpsertMany:
        d.description
            = QStringLiteral("Create or replace several %1 records in one transaction: all are written or none. "
                             "Existing records need their expected version in expectedVersions (id -> version)%2; "
                             "one mismatch (version_conflict) and nothing is written.")
                  .arg(what,
                       o.requireExpectedVersion ? QStringLiteral(", or the answer is version_required") : QString())
              + asTask;
        break;
    case Op::Patch:
        d.description
            = QStringLiteral("Change fields of one %1 with RFC 6902 JSON Patch operations (e.g. "
                             "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"Closed\"}]). Applied atomically "
                             "to the current version; pass expectedVersion to apply it only to the version you read "
                             "(else version_conflict, nothing written).")
                  .arg(what);
        break;
    case Op::Delete:
        d.description = QStringLiteral("Delete one %1 by id; with expectedVersion only if it is still at that version "
                                       "(else version_conflict). The deleted record is kept in the audit trail.")
                            .arg(what);
        break;
    case Op::DeleteMany:
        d.description
            = QStringLiteral("Delete several %1 records by id in one transaction; expectedVersions (id -> version) "
                             "pins versions (one mismatch: version_conflict, nothing deleted). Each deleted record "
                             "is kept in the audit trail under one operationId.")
                  .arg(what)
              + asTask;
        break;
    case Op::DeleteAll:
        d.description
            = QStringLiteral("Delete every %1 record, once confirmed: the user is asked through elicitation when "
                             "the client declared it (and the answer can reach the call); otherwise pass confirm: "
                             "\"%2\" (the entity's name). Each deleted record is kept in the audit trail under one "
                             "operationId.")
                  .arg(what, e.name);
        break;
    case Op::Export:
        d.description = QStringLiteral("Export every %1 record as JSON Lines (one record per line, by id), as an "
                                       "embedded application/jsonl resource: a consistent snapshot of the moment it "
                                       "starts (writes meanwhile are neither in it nor disturb it). Run as a task it "
                                       "reads %2 records at a time between other requests and reports progress; "
                                       "tasks/cancel stops it.")
                            .arg(what)
                            .arg(kTaskChunk);
        break;
    }
    return d;
}

} // namespace koan
