#include "EntityRegistry.h"

#include "JsonPatch.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace koan {

namespace {
QJsonObject obj(std::initializer_list<QPair<QString, QJsonValue>> items)
{
    QJsonObject o;
    for (const auto &[k, v] : items)
        o.insert(k, v);
    return o;
}
const QString kType = QStringLiteral("type");
const QString kObject = QStringLiteral("object");
const QString kString = QStringLiteral("string");
const QString kInteger = QStringLiteral("integer");
const QString kBoolean = QStringLiteral("boolean");
const QString kArray = QStringLiteral("array");

QJsonObject objectSchema(const QJsonObject &props, const QStringList &required)
{
    QJsonObject s{
        {kType, kObject}, {QStringLiteral("properties"), props}, {QStringLiteral("additionalProperties"), false}};
    if (!required.isEmpty())
        s.insert(QStringLiteral("required"), QJsonArray::fromStringList(required));
    return s;
}
} // namespace

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
        if (ov.name)
            o.name = *ov.name;
        if (ov.description)
            o.description = *ov.description;
        if (ov.allowMutations)
            o.allowMutations = *ov.allowMutations;
        if (ov.requireAuthentication)
            o.requireAuthentication = *ov.requireAuthentication;
        if (ov.requireExpectedVersion)
            o.requireExpectedVersion = *ov.requireExpectedVersion;
        if (ov.requiredScopes)
            o.requiredScopes = *ov.requiredScopes;
        if (ov.enabledTransports)
            o.enabledTransports = *ov.enabledTransports;
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
    if (o.name != d.name)
        ov.name = o.name;
    if (o.description != d.description)
        ov.description = o.description;
    if (o.allowMutations != d.allowMutations)
        ov.allowMutations = o.allowMutations;
    if (o.requireAuthentication)
        ov.requireAuthentication = o.requireAuthentication;
    if (o.requireExpectedVersion != d.requireExpectedVersion)
        ov.requireExpectedVersion = o.requireExpectedVersion;
    if (o.requiredScopes != d.requiredScopes)
        ov.requiredScopes = o.requiredScopes;
    if (o.enabledTransports != d.enabledTransports)
        ov.enabledTransports = o.enabledTransports;
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
    static const Op ops[] = {Op::Collection, Op::GetById, Op::History,    Op::Upsert,   Op::UpsertMany,
                             Op::Patch,      Op::Delete,  Op::DeleteMany, Op::DeleteAll};
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
    const QJsonObject record = e.recordSchema(false);
    const QJsonObject recordOut = e.recordSchema(true);
    const QJsonObject idSchema = obj({{kType, kString},
                                      {QStringLiteral("minLength"), 1},
                                      {QStringLiteral("description"), QStringLiteral("%1 id").arg(e.name)}});
    const QJsonObject itemOut = objectSchema({{QStringLiteral("item"), recordOut}}, {QStringLiteral("item")});
    const QJsonObject expectedVersion
        = obj({{kType, kInteger},
               {QStringLiteral("minimum"), 1},
               {QStringLiteral("description"),
                QStringLiteral("The version of the record you read (its \"version\" field)")}});
    const QJsonObject expectedVersions
        = obj({{kType, QStringLiteral("object")},
               {QStringLiteral("additionalProperties"), obj({{kType, kInteger}, {QStringLiteral("minimum"), 1}})},
               {QStringLiteral("description"), QStringLiteral("Record id -> the version you read")}});
    const QJsonObject idempotencyKey
        = obj({{kType, kString},
               {QStringLiteral("minLength"), 1},
               {QStringLiteral("maxLength"), 200},
               {QStringLiteral("description"),
                QStringLiteral("Any unique string for this change: a retry with the same key (yours, within "
                               "24 h) returns the first answer and writes nothing again")}});
    const QString what = o.description.isEmpty() ? e.name : QStringLiteral("%1 (%2)").arg(e.name, o.description);

    switch (op) {
    case Op::Collection: {
        QJsonObject filterProps;
        QJsonArray sortValues{QStringLiteral("id"), QStringLiteral("id:desc")};
        for (const auto &f : e.fields) {
            if (!f.filterable())
                continue;
            QJsonObject fs = f.schema(true);
            fs.remove(QStringLiteral("default"));
            filterProps.insert(f.name, fs);
            sortValues << f.name << f.name + QStringLiteral(":desc");
        }
        filterProps.insert(QStringLiteral("id"), obj({{kType, kString}}));
        d.description = QStringLiteral("List %1 records, %2 per page by default (pageSize up to %3), with equality "
                                       "filters on fields and sorting.")
                            .arg(what)
                            .arg(kDefaultPageSize)
                            .arg(kMaxPageSize);
        d.inputSchema = objectSchema(
            {{QStringLiteral("page"), obj({{kType, kInteger},
                                           {QStringLiteral("minimum"), 1},
                                           {QStringLiteral("default"), 1},
                                           {QStringLiteral("description"), QStringLiteral("1-based page number")}})},
             {QStringLiteral("pageSize"), obj({{kType, kInteger},
                                               {QStringLiteral("minimum"), 1},
                                               {QStringLiteral("maximum"), kMaxPageSize},
                                               {QStringLiteral("default"), kDefaultPageSize}})},
             {QStringLiteral("filter"),
              QJsonObject{{kType, kObject},
                          {QStringLiteral("properties"), filterProps},
                          {QStringLiteral("additionalProperties"), false},
                          {QStringLiteral("description"), QStringLiteral("Field equality filters, all must match")}}},
             {QStringLiteral("sort"),
              obj({{kType, kString},
                   {QStringLiteral("enum"), sortValues},
                   {QStringLiteral("description"), QStringLiteral("Field to sort by; append :desc for descending")}})}},
            {});
        d.outputSchema
            = objectSchema({{QStringLiteral("items"), obj({{kType, kArray}, {QStringLiteral("items"), recordOut}})},
                            {QStringLiteral("page"), obj({{kType, kInteger}})},
                            {QStringLiteral("pageSize"), obj({{kType, kInteger}})},
                            {QStringLiteral("total"), obj({{kType, kInteger}})},
                            {QStringLiteral("totalPages"), obj({{kType, kInteger}})}},
                           {QStringLiteral("items"), QStringLiteral("page"), QStringLiteral("pageSize"),
                            QStringLiteral("total"), QStringLiteral("totalPages")});
        d.annotations = obj({{QStringLiteral("readOnlyHint"), true}, {QStringLiteral("openWorldHint"), false}});
        break;
    }
    case Op::GetById:
        d.description = QStringLiteral("Get one %1 by id.").arg(what);
        d.inputSchema = objectSchema({{QStringLiteral("id"), idSchema}}, {QStringLiteral("id")});
        d.outputSchema = itemOut;
        d.annotations = obj({{QStringLiteral("readOnlyHint"), true}, {QStringLiteral("openWorldHint"), false}});
        break;
    case Op::History: {
        d.description
            = QStringLiteral("The versions of one %1 from its audit trail, oldest first: who changed it, when, "
                             "through what, and the change (JSON Patch from the previous version; a delete keeps "
                             "the last document). Paged.")
                  .arg(what);
        d.inputSchema
            = objectSchema({{QStringLiteral("id"), idSchema},
                            {QStringLiteral("page"),
                             obj({{kType, kInteger}, {QStringLiteral("minimum"), 1}, {QStringLiteral("default"), 1}})},
                            {QStringLiteral("pageSize"), obj({{kType, kInteger},
                                                              {QStringLiteral("minimum"), 1},
                                                              {QStringLiteral("maximum"), 200},
                                                              {QStringLiteral("default"), kDefaultPageSize}})}},
                           {QStringLiteral("id")});
        const QJsonObject nullableInt = obj({{kType, QJsonArray{kInteger, QStringLiteral("null")}}});
        const QJsonObject text = obj({{kType, kString}});
        const QJsonObject entry = objectSchema(
            {{QStringLiteral("seq"), obj({{kType, kInteger}})},
             {QStringLiteral("at"), text},
             {QStringLiteral("operation"), text},
             {QStringLiteral("principal"), text},
             {QStringLiteral("transport"), text},
             {QStringLiteral("era"), text},
             {QStringLiteral("session"), text},
             {QStringLiteral("traceId"), text},
             {QStringLiteral("operationId"), text},
             {QStringLiteral("versionBefore"), nullableInt},
             {QStringLiteral("versionAfter"), nullableInt},
             {QStringLiteral("change"), obj({})}},
            {QStringLiteral("seq"), QStringLiteral("at"), QStringLiteral("operation"), QStringLiteral("principal")});
        d.outputSchema
            = objectSchema({{QStringLiteral("id"), text},
                            {QStringLiteral("versions"), obj({{kType, kArray}, {QStringLiteral("items"), entry}})},
                            {QStringLiteral("page"), obj({{kType, kInteger}})},
                            {QStringLiteral("pageSize"), obj({{kType, kInteger}})},
                            {QStringLiteral("total"), obj({{kType, kInteger}})}},
                           {QStringLiteral("id"), QStringLiteral("versions"), QStringLiteral("total")});
        d.annotations = obj({{QStringLiteral("readOnlyHint"), true}, {QStringLiteral("openWorldHint"), false}});
        break;
    }
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
        d.inputSchema = objectSchema({{QStringLiteral("model"), record},
                                      {QStringLiteral("expectedVersion"), expectedVersion},
                                      {QStringLiteral("idempotencyKey"), idempotencyKey}},
                                     {QStringLiteral("model")});
        d.outputSchema
            = objectSchema({{QStringLiteral("item"), recordOut}, {QStringLiteral("created"), obj({{kType, kBoolean}})}},
                           {QStringLiteral("item"), QStringLiteral("created")});
        d.annotations = obj({{QStringLiteral("readOnlyHint"), false},
                             {QStringLiteral("destructiveHint"), true},
                             {QStringLiteral("idempotentHint"), true},
                             {QStringLiteral("openWorldHint"), false}});
        break;
    case Op::UpsertMany:
        d.description
            = QStringLiteral("Create or replace several %1 records in one transaction: all are written or none. "
                             "Existing records need their expected version in expectedVersions (id -> version)%2; "
                             "one mismatch (version_conflict) and nothing is written.")
                  .arg(what,
                       o.requireExpectedVersion ? QStringLiteral(", or the answer is version_required") : QString());
        d.inputSchema = objectSchema({{QStringLiteral("models"), obj({{kType, kArray},
                                                                      {QStringLiteral("items"), record},
                                                                      {QStringLiteral("minItems"), 1},
                                                                      {QStringLiteral("maxItems"), 1000}})},
                                      {QStringLiteral("expectedVersions"), expectedVersions},
                                      {QStringLiteral("idempotencyKey"), idempotencyKey}},
                                     {QStringLiteral("models")});
        d.outputSchema
            = objectSchema({{QStringLiteral("items"), obj({{kType, kArray}, {QStringLiteral("items"), recordOut}})},
                            {QStringLiteral("created"), obj({{kType, kInteger}})},
                            {QStringLiteral("updated"), obj({{kType, kInteger}})}},
                           {QStringLiteral("items"), QStringLiteral("created"), QStringLiteral("updated")});
        d.annotations = obj({{QStringLiteral("readOnlyHint"), false},
                             {QStringLiteral("destructiveHint"), true},
                             {QStringLiteral("idempotentHint"), true},
                             {QStringLiteral("openWorldHint"), false}});
        break;
    case Op::Patch:
        d.description
            = QStringLiteral("Change fields of one %1 with RFC 6902 JSON Patch operations (e.g. "
                             "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"Closed\"}]). Applied atomically "
                             "to the current version; pass expectedVersion to apply it only to the version you read "
                             "(else version_conflict, nothing written).")
                  .arg(what);
        d.inputSchema = objectSchema({{QStringLiteral("id"), idSchema},
                                      {QStringLiteral("patch"), jsonpatch::schema()},
                                      {QStringLiteral("expectedVersion"), expectedVersion},
                                      {QStringLiteral("idempotencyKey"), idempotencyKey}},
                                     {QStringLiteral("id"), QStringLiteral("patch")});
        d.outputSchema = itemOut;
        d.annotations = obj({{QStringLiteral("readOnlyHint"), false},
                             {QStringLiteral("destructiveHint"), true},
                             {QStringLiteral("idempotentHint"), false},
                             {QStringLiteral("openWorldHint"), false}});
        break;
    case Op::Delete:
        d.description = QStringLiteral("Delete one %1 by id; with expectedVersion only if it is still at that version "
                                       "(else version_conflict). The deleted record is kept in the audit trail.")
                            .arg(what);
        d.inputSchema
            = objectSchema({{QStringLiteral("id"), idSchema}, {QStringLiteral("expectedVersion"), expectedVersion}},
                           {QStringLiteral("id")});
        d.outputSchema = objectSchema(
            {{QStringLiteral("id"), obj({{kType, kString}})}, {QStringLiteral("deleted"), obj({{kType, kBoolean}})}},
            {QStringLiteral("id"), QStringLiteral("deleted")});
        d.annotations = obj({{QStringLiteral("readOnlyHint"), false},
                             {QStringLiteral("destructiveHint"), true},
                             {QStringLiteral("idempotentHint"), true},
                             {QStringLiteral("openWorldHint"), false}});
        break;
    case Op::DeleteMany:
        d.description
            = QStringLiteral("Delete several %1 records by id in one transaction; expectedVersions (id -> version) "
                             "pins versions (one mismatch: version_conflict, nothing deleted). Each deleted record "
                             "is kept in the audit trail under one operationId.")
                  .arg(what);
        d.inputSchema = objectSchema({{QStringLiteral("ids"), obj({{kType, kArray},
                                                                   {QStringLiteral("items"), idSchema},
                                                                   {QStringLiteral("minItems"), 1},
                                                                   {QStringLiteral("maxItems"), 1000}})},
                                      {QStringLiteral("expectedVersions"), expectedVersions}},
                                     {QStringLiteral("ids")});
        d.outputSchema = objectSchema(
            {{QStringLiteral("deleted"), obj({{kType, kInteger}})},
             {QStringLiteral("missing"), obj({{kType, kArray}, {QStringLiteral("items"), obj({{kType, kString}})}})},
             {QStringLiteral("operationId"), obj({{kType, kString}})}},
            {QStringLiteral("deleted"), QStringLiteral("missing")});
        d.annotations = obj({{QStringLiteral("readOnlyHint"), false},
                             {QStringLiteral("destructiveHint"), true},
                             {QStringLiteral("idempotentHint"), true},
                             {QStringLiteral("openWorldHint"), false}});
        break;
    case Op::DeleteAll:
        d.description
            = QStringLiteral("Delete every %1 record. Pass confirm: true to proceed. Each deleted record is kept "
                             "in the audit trail under one operationId.")
                  .arg(what);
        d.inputSchema = objectSchema(
            {{QStringLiteral("confirm"), obj({{kType, kBoolean},
                                              {QStringLiteral("const"), true},
                                              {QStringLiteral("description"), QStringLiteral("Must be true")}})}},
            {QStringLiteral("confirm")});
        d.outputSchema = objectSchema({{QStringLiteral("deleted"), obj({{kType, kInteger}})},
                                       {QStringLiteral("operationId"), obj({{kType, kString}})}},
                                      {QStringLiteral("deleted")});
        d.annotations = obj({{QStringLiteral("readOnlyHint"), false},
                             {QStringLiteral("destructiveHint"), true},
                             {QStringLiteral("idempotentHint"), true},
                             {QStringLiteral("openWorldHint"), false}});
        break;
    }
    d.title = QStringLiteral("%1 %2").arg(e.name, opName(op));
    return d;
}

} // namespace koan
