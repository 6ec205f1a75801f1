#pragma once
// Every entity record as an MCP resource, {scheme}://{entity}/{id} (the entity's kebab-case
// name, e.g. s12://adverse-event-report/ae-0001), read as its JSON document with its version.
// A record may be read by whoever may call its entity's get-by-id tool: the same scopes,
// overrides and transports (a hidden entity's resources are hidden too).
#include "EntityRegistry.h"
#include "core/ChangeBus.h"
#include "core/ResourceProvider.h"
#include "store/EntityStore.h"
#include "store/StoreWorker.h"

namespace koan {

class EntityResourceProvider : public ResourceProvider
{
public:
    // `scheme`: EntityCatalog::resourceScheme.
    EntityResourceProvider(EntityRegistry *registry, EntityStore *store, QString scheme);

    int resourceCount(const McpSession &session) const override;
    QList<ResourceEntry> resources(const McpSession &session, int offset, int limit) const override;
    QList<ResourceTemplate> templates(const McpSession &session) const override;
    ToolAccess access(const QString &uri, const McpSession &session) const override;
    std::optional<QJsonObject> read(const QString &uri, const McpSession &session, QString *error) override;
    // On the store worker, when there is one (else at once).
    void listAsync(const McpSession &session, int from, int limit,
                   const std::function<void(const Listing &)> &done) const override;
    void readAsync(const QString &uri, const McpSession &session,
                   const std::function<void(const Reading &)> &done) override;
    // resources/list and resources/read run there from now on. Not owned.
    void setWorker(StoreWorker *worker) { m_worker = worker; }
    std::optional<QStringList> complete(const QString &uriTemplate, const QString &variable, const QString &prefix,
                                        const McpSession &session) override;

    QString uriOf(const EntityDescriptor &entity, const QString &id) const;
    // The resources a record change concerns; for a change of a whole entity (or of everything:
    // no entity) those of `subscribed` it may concern.
    QStringList urisOf(const Change &change, const QStringList &subscribed = {}) const;
    // Whether the session may read records of `entity` (as its get-by-id tool).
    ToolAccess entityAccess(const EntityDescriptor &entity, const McpSession &session) const;
    // A record with its version, or nullopt (not found: empty *error).
    std::optional<QJsonObject> record(const EntityDescriptor &entity, const QString &id, QString *error) const;
    // Records of `entity` whose `field` equals `value` (at most `limit`), by id.
    QList<QJsonObject> recordsWhere(const EntityDescriptor &entity, const QString &field, const QString &value,
                                    int limit, QString *error) const;
    // Ids of `entity` starting with `prefix`, in id order, at most `limit` (completion).
    QStringList idsWithPrefix(const EntityDescriptor &entity, const QString &prefix, int limit) const;
    // The embedded-resource content of a record ({"type":"resource","resource":{uri,mimeType,text}}).
    QJsonObject embedded(const EntityDescriptor &entity, const QJsonObject &record) const;

private:
    QList<const EntityDescriptor *> readable(const McpSession &session) const;
    // The listing of `entities` (their records by id) on `store`; runs on the worker's thread too.
    Listing listing(EntityStore &store, const QList<const EntityDescriptor *> &entities, int from, int limit) const;
    Reading reading(EntityStore &store, const EntityDescriptor &entity, const QString &id) const;
    // Runs `work` on the worker (or at once); a timeout answers with store_timeout.
    template<class T> void onStore(std::function<T(EntityStore &)> work, std::function<void(const T &)> done) const;
    // uri -> (entity, id); nullopt when it is not one of ours.
    std::optional<QPair<const EntityDescriptor *, QString>> parse(const QString &uri) const;
    QJsonObject contents(const EntityDescriptor &entity, const QJsonObject &record) const;

    EntityRegistry *m_registry;
    EntityStore *m_store;
    QString m_scheme;
    StoreWorker *m_worker = nullptr;
    std::unique_ptr<QObject> m_context = std::make_unique<QObject>(); // late answers die with us
};

} // namespace koan
