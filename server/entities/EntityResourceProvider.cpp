#include "EntityResourceProvider.h"

#include "protocol/JsonWriter.h"

#include <QJsonArray>
#include <QUrl>

namespace koan {

namespace {
const QString kJson = QStringLiteral("application/json");
constexpr int kScanPage = 500; // records fetched at a time when scanning ids
} // namespace

EntityResourceProvider::EntityResourceProvider(EntityRegistry *registry, EntityStore *store, QString scheme)
    : m_registry(registry), m_store(store), m_scheme(std::move(scheme))
{ }

QString EntityResourceProvider::uriOf(const EntityDescriptor &entity, const QString &id) const
{
    return m_scheme + QLatin1String("://") + entity.toolPrefix + QLatin1Char('/')
           + QString::fromLatin1(QUrl::toPercentEncoding(id));
}

std::optional<QPair<const EntityDescriptor *, QString>> EntityResourceProvider::parse(const QString &uri) const
{
    const QString head = m_scheme + QLatin1String("://");
    if (!uri.startsWith(head))
        return std::nullopt;
    const QString rest = uri.mid(head.size());
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    if (slash <= 0 || slash == rest.size() - 1)
        return std::nullopt;
    const QString prefix = rest.left(slash);
    for (const EntityDescriptor &e : m_registry->entities())
        if (e.toolPrefix == prefix) {
            const QString id = QUrl::fromPercentEncoding(rest.mid(slash + 1).toUtf8());
            if (id.contains(QLatin1Char('/')) || uriOf(e, id) != uri)
                return std::nullopt; // one spelling per record: no second URI for the same id
            return qMakePair(&e, id);
        }
    return std::nullopt;
}

ToolAccess EntityResourceProvider::entityAccess(const EntityDescriptor &entity, const McpSession &session) const
{
    for (const EntityRegistry::Tool &t : m_registry->tools())
        if (t.entity == &entity && t.op == EntityRegistry::Op::GetById)
            return m_registry->access(t, session);
    return {};
}

QList<const EntityDescriptor *> EntityResourceProvider::readable(const McpSession &session) const
{
    QList<const EntityDescriptor *> out;
    for (const EntityDescriptor &e : m_registry->entities())
        if (entityAccess(e, session).verdict == ToolAccess::Allowed)
            out << &e;
    return out;
}

ResourceProvider::Listing EntityResourceProvider::listing(EntityStore &store,
                                                          const QList<const EntityDescriptor *> &entities, int from,
                                                          int limit) const
{
    Listing out;
    const int offset = from;
    for (const EntityDescriptor *e : entities) {
        EntityStore::Query q;
        q.pageSize = 1;
        const auto counted = store.collection(e->table, q, &out.error);
        if (!counted)
            return out;
        const int n = counted->total;
        const int start = offset + int(out.entries.size()) - out.count;
        out.count += n;
        if (start >= n || out.entries.size() >= limit)
            continue;
        // Pages of the wanted size from `start`, by id: the store pages by page number.
        q.pageSize = start + (limit - int(out.entries.size()));
        const auto page = store.collection(e->table, q, &out.error);
        if (!page)
            return out;
        for (int i = start; i < page->items.size() && out.entries.size() < limit; ++i) {
            const QString id = page->items.at(i).value(QLatin1String("id")).toString();
            out.entries.append(
                ResourceEntry{uriOf(*e, id), id, QStringLiteral("%1 %2").arg(e->name, id), e->description, kJson});
        }
    }
    return out;
}

int EntityResourceProvider::resourceCount(const McpSession &session) const
{
    return listing(*m_store, readable(session), 0, 0).count;
}

QList<ResourceEntry> EntityResourceProvider::resources(const McpSession &session, int offset, int limit) const
{
    return listing(*m_store, readable(session), offset, limit).entries;
}

void EntityResourceProvider::listAsync(const McpSession &session, int from, int limit,
                                       const std::function<void(const Listing &)> &done) const
{
    onStore<Listing>([this, entities = readable(session), from,
                      limit](EntityStore &store) { return listing(store, entities, from, limit); },
                     done);
}

QList<ResourceTemplate> EntityResourceProvider::templates(const McpSession &session) const
{
    QList<ResourceTemplate> out;
    for (const EntityDescriptor *e : readable(session))
        out.append(ResourceTemplate{m_scheme + QLatin1String("://") + e->toolPrefix + QLatin1String("/{id}"),
                                    e->toolPrefix, e->name,
                                    QStringLiteral("A %1 record: %2").arg(e->name, e->description), kJson});
    return out;
}

ToolAccess EntityResourceProvider::access(const QString &uri, const McpSession &session) const
{
    const auto parsed = parse(uri);
    return parsed ? entityAccess(*parsed->first, session) : ToolAccess{};
}

std::optional<QJsonObject> EntityResourceProvider::record(EntityStore &store, const EntityDescriptor &entity,
                                                          const QString &id, QString *error)
{
    return store.get(entity.table, id, error);
}

QJsonObject EntityResourceProvider::contents(const EntityDescriptor &entity, const QJsonObject &record) const
{
    const QString id = record.value(QLatin1String("id")).toString();
    return QJsonObject{{QStringLiteral("uri"), uriOf(entity, id)},
                       {QStringLiteral("mimeType"), kJson},
                       {QStringLiteral("text"), QString::fromUtf8(json::compact(record))}};
}

QJsonObject EntityResourceProvider::embedded(const EntityDescriptor &entity, const QJsonObject &record) const
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("resource")},
                       {QStringLiteral("resource"), contents(entity, record)}};
}

ResourceProvider::Reading EntityResourceProvider::reading(EntityStore &store, const EntityDescriptor &entity,
                                                          const QString &id) const
{
    Reading r;
    const auto found = store.get(entity.table, id, &r.error);
    if (!found)
        return r;
    // The version twice: in the document (what a later write names as expectedVersion) and in
    // _meta, for clients that look there without parsing the text.
    r.result = QJsonObject{
        {QStringLiteral("contents"), QJsonArray{contents(entity, *found)}},
        {QStringLiteral("_meta"), QJsonObject{{QStringLiteral("version"), found->value(QLatin1String("version"))}}}};
    return r;
}

std::optional<QJsonObject> EntityResourceProvider::read(const QString &uri, const McpSession &session, QString *error)
{
    Q_UNUSED(session) // access() was checked by the dispatcher
    const auto parsed = parse(uri);
    if (!parsed)
        return std::nullopt;
    Reading r = reading(*m_store, *parsed->first, parsed->second);
    *error = r.error;
    return r.result;
}

void EntityResourceProvider::readAsync(const QString &uri, const McpSession &session,
                                       const std::function<void(const Reading &)> &done)
{
    Q_UNUSED(session) // access() was checked by the dispatcher
    const auto parsed = parse(uri);
    if (!parsed)
        return done({});
    onStore<Reading>(
        [this, entity = parsed->first, id = parsed->second](EntityStore &store) { return reading(store, *entity, id); },
        done);
}

QList<QJsonObject> EntityResourceProvider::recordsWhere(EntityStore &store, const EntityDescriptor &entity,
                                                        const QString &field, const QString &value, int limit,
                                                        QString *error)
{
    EntityStore::Query q;
    q.equals.append(qMakePair(field, QJsonValue(value)));
    q.pageSize = limit;
    const auto page = store.collection(entity.table, q, error);
    return page ? page->items : QList<QJsonObject>{};
}

QStringList EntityResourceProvider::idsWithPrefix(EntityStore &store, const EntityDescriptor &entity,
                                                  const QString &prefix, int limit, QString *error)
{
    QStringList out;
    EntityStore::Query q;
    q.pageSize = kScanPage;
    for (;; ++q.page) {
        const auto page = store.collection(entity.table, q, error);
        if (!page)
            return out;
        for (const QJsonObject &r : page->items) {
            const QString id = r.value(QLatin1String("id")).toString();
            if (id.startsWith(prefix) && out.size() < limit)
                out << id;
        }
        if (out.size() >= limit || q.page * kScanPage >= page->total)
            return out;
    }
}

std::optional<const EntityDescriptor *>
EntityResourceProvider::completed(const QString &uriTemplate, const QString &variable, const McpSession &session) const
{
    for (const EntityDescriptor &e : m_registry->entities()) {
        if (uriTemplate != m_scheme + QLatin1String("://") + e.toolPrefix + QLatin1String("/{id}"))
            continue;
        // Only ids the caller may read; nothing for another variable name.
        if (variable != QLatin1String("id") || entityAccess(e, session).verdict != ToolAccess::Allowed)
            return nullptr;
        return &e;
    }
    return std::nullopt;
}

std::optional<QStringList> EntityResourceProvider::complete(const QString &uriTemplate, const QString &variable,
                                                            const QString &prefix, const McpSession &session)
{
    const auto entity = completed(uriTemplate, variable, session);
    if (!entity || !*entity)
        return entity ? std::optional<QStringList>(QStringList{}) : std::nullopt;
    QString error;
    return idsWithPrefix(*m_store, **entity, prefix, 1000, &error);
}

void EntityResourceProvider::completeAsync(const QString &uriTemplate, const QString &variable, const QString &prefix,
                                           const McpSession &session,
                                           const std::function<void(const CompletionValues &)> &done)
{
    const auto entity = completed(uriTemplate, variable, session);
    if (!entity)
        return done({});
    if (!*entity)
        return done(CompletionValues{QStringList{}, {}, {}});
    onStore<CompletionValues>(
        [entity = *entity, prefix](EntityStore &store) {
            CompletionValues c;
            c.values = idsWithPrefix(store, *entity, prefix, 1000, &c.error);
            return c;
        },
        done);
}

QStringList EntityResourceProvider::urisOf(const Change &change, const QStringList &subscribed) const
{
    QStringList out;
    if (change.kind != Change::Kind::Record)
        return out;
    if (change.all) {
        for (const QString &uri : subscribed) {
            const auto parsed = parse(uri);
            if (parsed && (change.entity.isEmpty() || parsed->first->name == change.entity))
                out << uri;
        }
        return out;
    }
    for (const EntityDescriptor &e : m_registry->entities())
        if (e.name == change.entity)
            for (const QString &id : change.ids)
                out << uriOf(e, id);
    return out;
}

} // namespace koan
