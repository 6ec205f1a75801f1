#include "EntityToolProvider.h"

#include "JsonPatch.h"
#include "protocol/JsonSchemaValidator.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

namespace koan {

namespace {
QString nowIso() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }
QJsonObject storeError(const QString &message) { return toolErrorResult(QStringLiteral("store_error"), message); }
} // namespace

EntityToolProvider::EntityToolProvider(EntityRegistry *registry, EntityStore *store)
    : m_registry(registry), m_store(store)
{}

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
        return done(toolErrorResult(QStringLiteral("tool_not_found"), QStringLiteral("Unknown tool: %1").arg(call.name)));
    if (call.cancelled && call.cancelled->load())
        return done(toolErrorResult(QStringLiteral("cancelled"), QStringLiteral("The request was cancelled")));
    done(run(*t, call.arguments));
}

QJsonObject EntityToolProvider::run(const EntityRegistry::Tool &tool, const QJsonObject &args)
{
    const EntityDescriptor &e = *tool.entity;
    QString error;
    switch (tool.op) {
    case EntityRegistry::Op::Collection:
        return collection(e, args);
    case EntityRegistry::Op::GetById: {
        const QString id = args.value(QLatin1String("id")).toString();
        const auto doc = m_store->get(e.table, id, &error);
        if (!error.isEmpty())
            return storeError(error);
        if (!doc)
            return toolErrorResult(QStringLiteral("not_found"), QStringLiteral("%1 '%2' does not exist").arg(e.name, id));
        return toolStructuredResult({{QStringLiteral("item"), *doc}});
    }
    case EntityRegistry::Op::Upsert:
        return upsert(e, QJsonArray{args.value(QLatin1String("model"))}, false);
    case EntityRegistry::Op::UpsertMany:
        return upsert(e, args.value(QLatin1String("models")).toArray(), true);
    case EntityRegistry::Op::Patch:
        return patch(e, args);
    case EntityRegistry::Op::Delete: {
        const QString id = args.value(QLatin1String("id")).toString();
        const int n = m_store->remove(e.table, {id}, &error);
        if (n < 0)
            return storeError(error);
        if (n == 0)
            return toolErrorResult(QStringLiteral("not_found"), QStringLiteral("%1 '%2' does not exist").arg(e.name, id));
        return toolStructuredResult({{QStringLiteral("id"), id}, {QStringLiteral("deleted"), true}});
    }
    case EntityRegistry::Op::DeleteMany: {
        QStringList ids, missing;
        for (const auto &v : args.value(QLatin1String("ids")).toArray())
            ids << v.toString();
        ids.removeDuplicates();
        for (const QString &id : std::as_const(ids)) {
            if (!m_store->get(e.table, id, &error) && error.isEmpty())
                missing << id;
        }
        const int n = m_store->remove(e.table, ids, &error);
        if (n < 0)
            return storeError(error);
        return toolStructuredResult({{QStringLiteral("deleted"), n}, {QStringLiteral("missing"), QJsonArray::fromStringList(missing)}});
    }
    case EntityRegistry::Op::DeleteAll: {
        const int n = m_store->removeAll(e.table, &error);
        if (n < 0)
            return storeError(error);
        return toolStructuredResult({{QStringLiteral("deleted"), n}});
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

QString EntityToolProvider::prepare(const EntityDescriptor &e, QJsonObject &doc, const std::optional<QJsonObject> &existing)
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
    const QString site = doc.value(QLatin1String("trialSiteId")).toString();
    if (e.name != QLatin1String("TrialSite") && !site.isEmpty()) {
        QString error;
        if (!m_store->get(QStringLiteral("trial_site"), site, &error))
            return error.isEmpty() ? QStringLiteral("trialSiteId: TrialSite '%1' does not exist").arg(site) : error;
    }
    return {};
}

QJsonObject EntityToolProvider::upsert(const EntityDescriptor &e, const QJsonArray &models, bool many)
{
    QList<QJsonObject> docs;
    QSet<QString> ids;
    QString error;
    for (qsizetype i = 0; i < models.size(); ++i) {
        QJsonObject doc = models.at(i).toObject();
        const QString where = many ? QStringLiteral("models[%1]").arg(i) : QStringLiteral("model");
        const QString id = doc.value(QLatin1String("id")).toString();
        const auto existing = id.isEmpty() ? std::nullopt : m_store->get(e.table, id, &error);
        if (!error.isEmpty())
            return storeError(error);
        if (const QString problem = prepare(e, doc, existing); !problem.isEmpty())
            return toolErrorResult(QStringLiteral("invalid_reference"), QStringLiteral("%1.%2").arg(where, problem));
        if (ids.contains(doc.value(QLatin1String("id")).toString()))
            return toolErrorResult(QStringLiteral("duplicate_id"), QStringLiteral("%1.id: '%2' appears more than once")
                                                                       .arg(where, doc.value(QLatin1String("id")).toString()));
        ids.insert(doc.value(QLatin1String("id")).toString());
        docs.append(doc);
    }
    QList<bool> created;
    if (!m_store->upsertMany(e.table, docs, &created, &error))
        return storeError(error);
    if (!many)
        return toolStructuredResult({{QStringLiteral("item"), docs.first()}, {QStringLiteral("created"), created.first()}});
    QJsonArray items;
    int createdCount = 0;
    for (qsizetype i = 0; i < docs.size(); ++i) {
        items.append(docs.at(i));
        createdCount += created.at(i) ? 1 : 0;
    }
    return toolStructuredResult({{QStringLiteral("items"), items},
                                 {QStringLiteral("created"), createdCount},
                                 {QStringLiteral("updated"), int(docs.size()) - createdCount}});
}

QJsonObject EntityToolProvider::patch(const EntityDescriptor &e, const QJsonObject &args)
{
    const QString id = args.value(QLatin1String("id")).toString();
    QString error;
    const auto existing = m_store->get(e.table, id, &error);
    if (!error.isEmpty())
        return storeError(error);
    if (!existing)
        return toolErrorResult(QStringLiteral("not_found"), QStringLiteral("%1 '%2' does not exist").arg(e.name, id));
    auto patched = jsonpatch::apply(*existing, args.value(QLatin1String("patch")).toArray(), &error);
    if (!patched)
        return toolErrorResult(QStringLiteral("invalid_patch"), error);
    if (patched->value(QLatin1String("id")).toString() != id)
        return toolErrorResult(QStringLiteral("invalid_patch"), QStringLiteral("the id of a record cannot be changed"));
    const QStringList problems = protocol::JsonSchemaValidator::validate(*patched, e.recordSchema(false), QStringLiteral("record"));
    if (!problems.isEmpty())
        return toolErrorResult(QStringLiteral("invalid_patch"),
                               QStringLiteral("the patched record is invalid: %1").arg(problems.join(QLatin1String("; "))),
                               QJsonArray::fromStringList(problems));
    if (const QString problem = prepare(e, *patched, existing); !problem.isEmpty())
        return toolErrorResult(QStringLiteral("invalid_reference"), problem);
    if (!m_store->upsertMany(e.table, {*patched}, nullptr, &error))
        return storeError(error);
    return toolStructuredResult({{QStringLiteral("item"), *patched}});
}

bool EntityToolProvider::prepareStore(bool seed, QString *error)
{
    for (const auto &e : m_registry->entities())
        if (!m_store->ensureTable(e.table, error))
            return false;
    if (!seed || !m_store->meta(QStringLiteral("seeded")).isEmpty())
        return true;
    QFile f(QStringLiteral(":/seed/s12-medtrials.json"));
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("seed data resource is missing");
        return false;
    }
    const QJsonObject seedDoc = QJsonDocument::fromJson(f.readAll()).object();
    // Parents first so trialSiteId references resolve.
    for (const auto &e : m_registry->entities()) {
        const QJsonArray models = seedDoc.value(e.name).toArray();
        if (models.isEmpty())
            continue;
        const QJsonObject result = upsert(e, models, true);
        if (result.value(QLatin1String("isError")).toBool()) {
            *error = QStringLiteral("seeding %1 failed: %2").arg(e.name,
                     result.value(QLatin1String("content")).toArray().first().toObject().value(QLatin1String("text")).toString());
            return false;
        }
    }
    return m_store->setMeta(QStringLiteral("seeded"), nowIso(), error);
}

} // namespace koan
