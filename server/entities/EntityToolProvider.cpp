#include "EntityToolProvider.h"

#include "protocol/JsonPatch.h"
#include "protocol/JsonSchemaValidator.h"
#include "protocol/JsonWriter.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

namespace koan {

namespace {
QString nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}
QJsonObject storeError(const QString &message)
{
    return toolErrorResult(QStringLiteral("store_error"), message);
}

// A refused write: the text for people, structuredContent.error for agents (code, id, versions).
QJsonObject refusal(const EntityStore::Outcome &o)
{
    if (o.code == QLatin1String("store_error"))
        return storeError(o.message);
    QJsonObject result = toolErrorResult(o.code, o.message, o.errorJson());
    result.insert(QStringLiteral("structuredContent"), QJsonObject{{QStringLiteral("error"), o.errorJson()}});
    return result;
}

std::optional<qint64> versionArg(const QJsonValue &v)
{
    return v.isDouble() ? std::optional<qint64>(qint64(v.toDouble())) : std::nullopt;
}

// Who makes this call, for the audit trail.
WriteContext contextOf(const ToolCall &call)
{
    WriteContext c;
    const SessionPtr &s = call.session;
    c.operationId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    c.traceId = call.traceId;
    if (!s)
        return c;
    c.transport = transportName(s->transport);
    c.era = s->protocolVersion;
    c.session = s->id;
    const Principal &p = s->principal;
    if (p.authenticated)
        c.principal = p.issuer + QLatin1Char('|') + p.subject;
    else if (s->transport == TransportKind::Operator)
        c.principal = WriteContext::localOperator().principal;
    else if (s->transport == TransportKind::Stdio)
        c.principal = QStringLiteral("stdio");
    else
        c.principal = QStringLiteral("anonymous");
    return c;
}
} // namespace

EntityToolProvider::EntityToolProvider(EntityRegistry *registry, EntityStore *store, QString seedResource)
    : m_registry(registry), m_store(store), m_seedResource(std::move(seedResource))
{ }

QList<ToolDefinition> EntityToolProvider::tools(const McpSession &session) const
{
    QList<ToolDefinition> out;
    for (const auto &t : m_registry->tools())
        if (m_registry->access(t, session).verdict == ToolAccess::Allowed)
            out.append(t.definition);
    return out;
}

ToolAccess EntityToolProvider::access(const QString &name, const McpSession &session) const
{
    const EntityRegistry::Tool *t = m_registry->tool(name);
    return t ? m_registry->access(*t, session) : ToolAccess{};
}

const ToolDefinition *EntityToolProvider::definition(const QString &name) const
{
    const EntityRegistry::Tool *t = m_registry->tool(name);
    return t ? &t->definition : nullptr;
}

void EntityToolProvider::call(const ToolCall &call, std::function<void(const QJsonObject &)> done)
{
    const EntityRegistry::Tool *t = m_registry->tool(call.name);
    if (!t)
        return done(
            toolErrorResult(QStringLiteral("tool_not_found"), QStringLiteral("Unknown tool: %1").arg(call.name)));
    if (call.cancelled && call.cancelled->load())
        return done(toolErrorResult(QStringLiteral("cancelled"), QStringLiteral("The request was cancelled")));
    done(run(*t, call.arguments, contextOf(call)));
}

QJsonObject EntityToolProvider::run(const EntityRegistry::Tool &tool, const QJsonObject &args,
                                    const WriteContext &context)
{
    const EntityDescriptor &e = *tool.entity;
    QString error;
    // A retried create/update with the same idempotencyKey (same principal, 24 h) gets the first
    // call's answer and writes nothing again; the same key with other arguments is refused.
    std::optional<EntityStore::Idempotency> idem;
    if (const QString key = args.value(QLatin1String("idempotencyKey")).toString(); !key.isEmpty()) {
        QJsonObject rest = args;
        rest.remove(QStringLiteral("idempotencyKey"));
        idem = EntityStore::Idempotency{
            context.principal,
            key,
            QCryptographicHash::hash(tool.definition.name.toUtf8() + '\n' + json::compact(rest),
                                     QCryptographicHash::Sha256)
                .toHex(),
            {}};
        QJsonObject kept;
        switch (m_store->findIdempotent(*idem, &kept, &error)) {
        case EntityStore::Replay::Same:
            return kept;
        case EntityStore::Replay::Mismatch:
            return toolErrorResult(
                QStringLiteral("idempotency_key_reused"),
                QStringLiteral(
                    "idempotencyKey '%1' was already used with other arguments; use a new key for a new change")
                    .arg(key));
        case EntityStore::Replay::None:
            if (!error.isEmpty())
                return storeError(error);
        }
    }
    m_idempotency = idem ? &*idem : nullptr;
    switch (tool.op) {
    case EntityRegistry::Op::Collection:
        return collection(e, args);
    case EntityRegistry::Op::GetById: {
        const QString id = args.value(QLatin1String("id")).toString();
        const auto doc = m_store->get(e.table, id, &error);
        if (!error.isEmpty())
            return storeError(error);
        if (!doc)
            return toolErrorResult(QStringLiteral("not_found"),
                                   QStringLiteral("%1 '%2' does not exist").arg(e.name, id));
        return toolStructuredResult({{QStringLiteral("item"), *doc}});
    }
    case EntityRegistry::Op::History:
        return history(e, args);
    case EntityRegistry::Op::Upsert: {
        QHash<QString, qint64> expected;
        const QString id = args.value(QLatin1String("model")).toObject().value(QLatin1String("id")).toString();
        if (const auto v = versionArg(args.value(QLatin1String("expectedVersion"))))
            expected.insert(id, *v);
        return upsert(e, QJsonArray{args.value(QLatin1String("model"))}, false, expected, context);
    }
    case EntityRegistry::Op::UpsertMany:
        return upsert(e, args.value(QLatin1String("models")).toArray(), true, expectedVersions(args), context);
    case EntityRegistry::Op::Patch:
        return patch(e, args, context);
    case EntityRegistry::Op::Delete: {
        const QString id = args.value(QLatin1String("id")).toString();
        QHash<QString, qint64> expected;
        if (const auto v = versionArg(args.value(QLatin1String("expectedVersion"))))
            expected.insert(id, *v);
        const EntityStore::Outcome o = m_store->remove(e.table, e.name, {id}, expected, context);
        if (!o.ok)
            return refusal(o);
        if (o.deleted == 0)
            return toolErrorResult(QStringLiteral("not_found"),
                                   QStringLiteral("%1 '%2' does not exist").arg(e.name, id));
        return toolStructuredResult({{QStringLiteral("id"), id}, {QStringLiteral("deleted"), true}});
    }
    case EntityRegistry::Op::DeleteMany: {
        QStringList ids;
        for (const auto &v : args.value(QLatin1String("ids")).toArray())
            ids << v.toString();
        ids.removeDuplicates();
        const EntityStore::Outcome o = m_store->remove(e.table, e.name, ids, expectedVersions(args), context);
        if (!o.ok)
            return refusal(o);
        return toolStructuredResult({{QStringLiteral("deleted"), o.deleted},
                                     {QStringLiteral("missing"), QJsonArray::fromStringList(o.missing)},
                                     {QStringLiteral("operationId"), context.operationId}});
    }
    case EntityRegistry::Op::DeleteAll: {
        const EntityStore::Outcome o = m_store->removeAll(e.table, e.name, context);
        if (!o.ok)
            return refusal(o);
        return toolStructuredResult(
            {{QStringLiteral("deleted"), o.deleted}, {QStringLiteral("operationId"), context.operationId}});
    }
    }
    return toolErrorResult(QStringLiteral("tool_not_found"), tool.definition.name);
}

QJsonObject EntityToolProvider::collection(const EntityDescriptor &e, const QJsonObject &args)
{
    EntityStore::Query q;
    q.page = args.value(QLatin1String("page")).toInt(1);
    q.pageSize = args.value(QLatin1String("pageSize")).toInt(EntityRegistry::kDefaultPageSize);
    const QJsonObject filter = args.value(QLatin1String("filter")).toObject();
    for (auto it = filter.begin(); it != filter.end(); ++it)
        q.equals.append({it.key(), it.value()}); // keys validated against the schema's filter properties
    const QString sort = args.value(QLatin1String("sort")).toString();
    if (!sort.isEmpty()) {
        q.descending = sort.endsWith(QLatin1String(":desc"));
        q.sortField = q.descending ? sort.chopped(5) : sort;
        if (q.sortField == QLatin1String("id"))
            q.sortField.clear();
    }
    QString error;
    const auto page = m_store->collection(e.table, q, &error);
    if (!page)
        return storeError(error);
    QJsonArray items;
    for (const auto &doc : page->items)
        items.append(doc);
    return toolStructuredResult({{QStringLiteral("items"), items},
                                 {QStringLiteral("page"), q.page},
                                 {QStringLiteral("pageSize"), q.pageSize},
                                 {QStringLiteral("total"), page->total},
                                 {QStringLiteral("totalPages"), (page->total + q.pageSize - 1) / q.pageSize}});
}

QJsonObject EntityToolProvider::history(const EntityDescriptor &e, const QJsonObject &args)
{
    const QString id = args.value(QLatin1String("id")).toString();
    const int page = args.value(QLatin1String("page")).toInt(1);
    const int pageSize = args.value(QLatin1String("pageSize")).toInt(EntityRegistry::kDefaultPageSize);
    int total = 0;
    QString error;
    const QList<AuditRow> rows
        = m_store->audit().recordHistory(e.name, id, (page - 1) * pageSize, pageSize, &total, &error);
    if (!error.isEmpty())
        return storeError(error);
    if (total == 0)
        return toolErrorResult(QStringLiteral("not_found"), QStringLiteral("%1 '%2' has no history").arg(e.name, id));
    QJsonArray versions;
    for (const AuditRow &r : rows) {
        QJsonObject o = r.toJson();
        for (const char *k : {"entity", "id", "hash"})
            o.remove(QLatin1String(k));
        versions.append(o);
    }
    return toolStructuredResult({{QStringLiteral("id"), id},
                                 {QStringLiteral("versions"), versions},
                                 {QStringLiteral("page"), page},
                                 {QStringLiteral("pageSize"), pageSize},
                                 {QStringLiteral("total"), total}});
}

QString EntityToolProvider::prepare(const EntityDescriptor &e, QJsonObject &doc,
                                    const std::optional<QJsonObject> &existing)
{
    if (doc.value(QLatin1String("id")).toString().isEmpty())
        doc.insert(QStringLiteral("id"), QUuid::createUuid().toString(QUuid::WithoutBraces));
    for (const auto &f : e.fields) {
        if (!doc.contains(f.name) && !f.defaultValue.isUndefined())
            doc.insert(f.name, f.defaultValue);
        if (!f.serverManaged)
            continue;
        // updatedAt always reflects this write; creation-type stamps keep their first value.
        if (f.name == QLatin1String("updatedAt"))
            doc.insert(f.name, nowIso());
        else if (existing && existing->contains(f.name))
            doc.insert(f.name, existing->value(f.name));
        else if (!doc.contains(f.name))
            doc.insert(f.name, nowIso());
    }
    for (const auto &f : e.fields) {
        const QString target = f.references.isEmpty() ? QString() : doc.value(f.name).toString();
        if (target.isEmpty())
            continue;
        const EntityDescriptor *referenced = m_registry->entity(f.references);
        if (!referenced)
            return QStringLiteral("%1: references the unknown entity %2").arg(f.name, f.references);
        QString error;
        if (!m_store->get(referenced->table, target, &error))
            return error.isEmpty() ? QStringLiteral("%1: %2 '%3' does not exist").arg(f.name, referenced->name, target)
                                   : error;
    }
    return {};
}

QHash<QString, qint64> EntityToolProvider::expectedVersions(const QJsonObject &args)
{
    QHash<QString, qint64> expected;
    const QJsonObject map = args.value(QLatin1String("expectedVersions")).toObject();
    for (auto it = map.begin(); it != map.end(); ++it)
        if (const auto v = versionArg(it.value()))
            expected.insert(it.key(), *v);
    return expected;
}

QJsonObject EntityToolProvider::upsert(const EntityDescriptor &e, const QJsonArray &models, bool many,
                                       const QHash<QString, qint64> &expected, const WriteContext &context)
{
    QList<EntityStore::WriteItem> items;
    QSet<QString> ids;
    QString error;
    for (qsizetype i = 0; i < models.size(); ++i) {
        QJsonObject doc = models.at(i).toObject();
        doc.remove(QStringLiteral("version")); // server-assigned
        const QString where = many ? QStringLiteral("models[%1]").arg(i) : QStringLiteral("model");
        const QString id = doc.value(QLatin1String("id")).toString();
        auto existing = id.isEmpty() ? std::nullopt : m_store->get(e.table, id, &error);
        if (!error.isEmpty())
            return storeError(error);
        if (existing)
            existing->remove(QStringLiteral("version"));
        if (const QString problem = prepare(e, doc, existing); !problem.isEmpty())
            return toolErrorResult(QStringLiteral("invalid_reference"), QStringLiteral("%1.%2").arg(where, problem));
        if (ids.contains(doc.value(QLatin1String("id")).toString()))
            return toolErrorResult(QStringLiteral("duplicate_id"),
                                   QStringLiteral("%1.id: '%2' appears more than once")
                                       .arg(where, doc.value(QLatin1String("id")).toString()));
        ids.insert(doc.value(QLatin1String("id")).toString());
        const QString finalId = doc.value(QLatin1String("id")).toString();
        items.append({doc, expected.contains(finalId) ? std::optional<qint64>(expected.value(finalId)) : std::nullopt,
                      QStringLiteral("upsert")});
    }
    const auto resultOf = [many](const EntityStore::Outcome &o) {
        if (!many)
            return toolStructuredResult(
                {{QStringLiteral("item"), o.records.first()}, {QStringLiteral("created"), o.created.first()}});
        QJsonArray out;
        int createdCount = 0;
        for (qsizetype i = 0; i < o.records.size(); ++i) {
            out.append(o.records.at(i));
            createdCount += o.created.at(i) ? 1 : 0;
        }
        return toolStructuredResult({{QStringLiteral("items"), out},
                                     {QStringLiteral("created"), createdCount},
                                     {QStringLiteral("updated"), int(o.records.size()) - createdCount}});
    };
    const bool needsVersion = m_registry->options(e.name).requireExpectedVersion;
    const EntityStore::Outcome o
        = m_store->write(e.table, e.name, items,
                         needsVersion ? EntityStore::ReplaceRule::NeedsVersion : EntityStore::ReplaceRule::Allowed,
                         context, withResult(resultOf));
    return o.ok ? resultOf(o) : refusal(o);
}

const EntityStore::Idempotency *
EntityToolProvider::withResult(std::function<QJsonObject(const EntityStore::Outcome &)> resultOf)
{
    if (!m_idempotency)
        return nullptr;
    m_idempotency->resultOf = std::move(resultOf);
    return m_idempotency;
}

QJsonObject EntityToolProvider::patch(const EntityDescriptor &e, const QJsonObject &args, const WriteContext &context)
{
    const QString id = args.value(QLatin1String("id")).toString();
    QString error;
    auto existing = m_store->get(e.table, id, &error);
    if (!error.isEmpty())
        return storeError(error);
    if (!existing)
        return toolErrorResult(QStringLiteral("not_found"), QStringLiteral("%1 '%2' does not exist").arg(e.name, id));
    // Applied to the version read here; without expectedVersion that is the current one, and the
    // store's check still refuses it if another writer got in between.
    const qint64 readVersion = existing->value(QLatin1String("version")).toInteger();
    const std::optional<qint64> expected = versionArg(args.value(QLatin1String("expectedVersion")));
    if (expected && *expected != readVersion) {
        EntityStore::Outcome conflict;
        conflict.code = QStringLiteral("version_conflict");
        conflict.id = id;
        conflict.expectedVersion = *expected;
        conflict.currentVersion = readVersion;
        conflict.message = QStringLiteral("'%1' is at version %2, not the expected %3; nothing was written")
                               .arg(id)
                               .arg(readVersion)
                               .arg(*expected);
        return refusal(conflict);
    }
    existing->remove(QStringLiteral("version"));
    auto patched = jsonpatch::apply(*existing, args.value(QLatin1String("patch")).toArray(), &error);
    if (!patched)
        return toolErrorResult(QStringLiteral("invalid_patch"), error);
    patched->remove(QStringLiteral("version")); // a patch cannot set the server's version
    if (patched->value(QLatin1String("id")).toString() != id)
        return toolErrorResult(QStringLiteral("invalid_patch"), QStringLiteral("the id of a record cannot be changed"));
    const QStringList problems
        = protocol::JsonSchemaValidator::validate(*patched, e.recordSchema(false), QStringLiteral("record"));
    if (!problems.isEmpty())
        return toolErrorResult(
            QStringLiteral("invalid_patch"),
            QStringLiteral("the patched record is invalid: %1").arg(problems.join(QLatin1String("; "))),
            QJsonArray::fromStringList(problems));
    if (const QString problem = prepare(e, *patched, existing); !problem.isEmpty())
        return toolErrorResult(QStringLiteral("invalid_reference"), problem);
    const auto resultOf = [](const EntityStore::Outcome &o) {
        return toolStructuredResult({{QStringLiteral("item"), o.records.first()}});
    };
    const EntityStore::Outcome o = m_store->write(e.table, e.name, {{*patched, readVersion, QStringLiteral("patch")}},
                                                  EntityStore::ReplaceRule::Allowed, context, withResult(resultOf));
    return o.ok ? resultOf(o) : refusal(o);
}

bool EntityToolProvider::prepareStore(bool seed, QString *error)
{
    for (const auto &e : m_registry->entities()) {
        QStringList indexed; // what collection filters and sorts on
        for (const FieldDescriptor &f : e.fields)
            if (f.filterable())
                indexed << f.name;
        if (!m_store->ensureTable(e.table, e.name, e.renamedFields, indexed, error))
            return false;
    }
    if (!seed || m_seedResource.isEmpty() || !m_store->meta(QStringLiteral("seeded")).isEmpty())
        return true;
    QFile f(m_seedResource);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("seed data resource is missing");
        return false;
    }
    const QJsonObject seedDoc = QJsonDocument::fromJson(f.readAll()).object();
    // In catalog order, referenced entities first, so that references resolve. Seeding never
    // overwrites a record that already exists (a user's record with a sample id stays as it is).
    const WriteContext seeding{QStringLiteral("system:seed"),
                               QStringLiteral("system"),
                               {},
                               {},
                               {},
                               QUuid::createUuid().toString(QUuid::WithoutBraces)};
    for (const auto &e : m_registry->entities()) {
        QJsonArray models;
        for (const QJsonValue &m : seedDoc.value(e.name).toArray()) {
            QString lookupError;
            if (!m_store->get(e.table, m.toObject().value(QLatin1String("id")).toString(), &lookupError)
                && lookupError.isEmpty())
                models.append(m);
        }
        if (models.isEmpty())
            continue;
        m_idempotency = nullptr;
        const QJsonObject result = upsert(e, models, true, {}, seeding);
        if (result.value(QLatin1String("isError")).toBool()) {
            *error = QStringLiteral("seeding %1 failed: %2")
                         .arg(e.name, result.value(QLatin1String("content"))
                                          .toArray()
                                          .first()
                                          .toObject()
                                          .value(QLatin1String("text"))
                                          .toString());
            return false;
        }
    }
    return m_store->setMeta(QStringLiteral("seeded"), nowIso(), error);
}

} // namespace koan
