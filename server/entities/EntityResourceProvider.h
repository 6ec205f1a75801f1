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
    void completeAsync(const QString &uriTemplate, const QString &variable, const QString &prefix,
                       const McpSession &session, const std::function<void(const CompletionValues &)> &done) override;

    QString uriOf(const EntityDescriptor &entity, const QString &id) const;
    // The resources a record change concerns; for a change of a whole entity (or of everything:
    // no entity) those of `subscribed` it may concern.
    QStringList urisOf(const Change &change, const QStringList &subscribed = {}) const;
    // Whether the session may read records of `entity` (as its get-by-id tool).
    ToolAccess entityAccess(const EntityDescriptor &entity, const McpSession &session) const;
    // The store of the synchronous calls (the server thread's connection).
    EntityStore &store() const { return *m_store; }
    // Runs `work` on the store worker when there is one (else at once on store()); `done` then gets
    // its result on this thread, or a T with `error` and `reason` (store_timeout after the
    // worker's timeout, store_unavailable while it stops). `work` reads nothing but its captures
    // and the registry's fixed entity list; nothing is delivered once this provider is gone.
    template<class T> void onStore(std::function<T(EntityStore &)> work, std::function<void(const T &)> done) const;
    // The reads of the record prompts and completion, on `store` (the worker's or store()):
    // a record with its version, or nullopt (not found: empty *error).
    static std::optional<QJsonObject> record(EntityStore &store, const EntityDescriptor &entity, const QString &id,
                                             QString *error);
    // Records of `entity` whose `field` equals `value` (at most `limit`), by id.
    static QList<QJsonObject> recordsWhere(EntityStore &store, const EntityDescriptor &entity, const QString &field,
                                           const QString &value, int limit, QString *error);
    // Ids of `entity` starting with `prefix`, in id order, at most `limit` (completion).
    static QStringList idsWithPrefix(EntityStore &store, const EntityDescriptor &entity, const QString &prefix,
                                     int limit, QString *error);
    // The embedded-resource content of a record ({"type":"resource","resource":{uri,mimeType,text}}).
    QJsonObject embedded(const EntityDescriptor &entity, const QJsonObject &record) const;

private:
    QList<const EntityDescriptor *> readable(const McpSession &session) const;
    // The entity of the template `uriTemplate` for completion: nullopt when it is not one of ours,
    // null when there is nothing to offer (another variable, or the caller may not read it).
    std::optional<const EntityDescriptor *> completed(const QString &uriTemplate, const QString &variable,
                                                      const McpSession &session) const;
    // The listing of `entities` (their records by id) on `store`; runs on the worker's thread too.
    Listing listing(EntityStore &store, const QList<const EntityDescriptor *> &entities, int from, int limit) const;
    Reading reading(EntityStore &store, const EntityDescriptor &entity, const QString &id) const;
    // uri -> (entity, id); nullopt when it is not one of ours.
    std::optional<QPair<const EntityDescriptor *, QString>> parse(const QString &uri) const;
    QJsonObject contents(const EntityDescriptor &entity, const QJsonObject &record) const;

    EntityRegistry *m_registry;
    EntityStore *m_store;
    QString m_scheme;
    StoreWorker *m_worker = nullptr;
    std::unique_ptr<QObject> m_context = std::make_unique<QObject>(); // late answers die with us
};

template<class T>
void EntityResourceProvider::onStore(std::function<T(EntityStore &)> work, std::function<void(const T &)> done) const
{
    if (!m_worker)
        return done(work(*m_store));
    const QString timedOut = m_worker->timeoutMessage();
    m_worker->run<T>(
        m_context.get(), std::move(work), [done](T result) { done(result); },
        [done, timedOut](StoreWorker::Failure failure) {
            T failed;
            const bool timeout = failure == StoreWorker::Failure::Timeout;
            failed.error = timeout ? timedOut : QStringLiteral("the store is not running (the server is stopping)");
            failed.reason = timeout ? QStringLiteral("store_timeout") : QStringLiteral("store_unavailable");
            done(failed);
        });
}

} // namespace koan
