#pragma once
// Runs the generated entity tools (collection, get-by-id, upsert, ...) against the EntityStore.
#include "EntityRegistry.h"
#include "core/ToolProvider.h"
#include "store/EntityStore.h"
#include "store/StoreWorker.h"

#include <QObject>
#include <QHash>
#include <memory>

namespace koan {

class EntityToolProvider : public ToolProvider
{
public:
    // `seedResource`: the catalog's sample data (EntityCatalog::seedResource), empty for none.
    EntityToolProvider(EntityRegistry *registry, EntityStore *store, QString seedResource = {});
    ~EntityToolProvider() override;
    // audit.export: the audit trail as JSON Lines (every entity the caller may read).
    static constexpr const char *kAuditExport = "audit.export";

    QList<ToolDefinition> tools(const McpSession &session) const override;
    ToolAccess access(const QString &name, const McpSession &session) const override;
    const ToolDefinition *definition(const QString &name) const override;
    void call(const ToolCall &call, std::function<void(const QJsonObject &)> done) override;

    // Creates tables and loads the sample data, if the catalog has any (once per database).
    bool prepareStore(bool seed, QString *error);
    // Who runs this process's batches, as the holder of their idempotency keys: the replica id
    // (ClusterRegistry) with PostgreSQL; by default "<host>:<pid>", unique to this process.
    void setRunner(const QString &runner) { m_runner = runner; }
    // From now on every call's store work runs on `worker`: the calls that answer at once, and
    // each chunk of the chunked jobs (exports, audit.export, batches run as tasks). Not owned.
    void setWorker(StoreWorker *worker) { m_worker = worker; }

private:
    // A call that works in chunks on the event loop: export always, upsert-many and delete-many
    // when they run as tasks (one transaction per chunk, audited, cancellable between chunks).
    // Each chunk's store work runs on the worker; the next chunk is scheduled when its answer is
    // back, so other requests, progress and cancel go between.
    struct Job;
    struct Chunk;
    void startJob(const EntityRegistry::Tool &tool, const ToolCall &call,
                  std::function<void(const QJsonObject &)> done);
    void startAuditExport(const ToolCall &call, std::function<void(const QJsonObject &)> done);
    void runChunk(const std::shared_ptr<Job> &job);
    // On the worker's thread: the chunk's transaction, answered as a Chunk (the job is only read).
    Chunk writeChunk(EntityStore &store, const Job &job, int end, bool needsVersion) const;
    // On the worker's thread: the next page of an export (its snapshot lives on that thread).
    static Chunk readChunk(EntityStore &store, Job &job);
    // A chunk without an answer in time: the call ends now (a task fails) saying what is known.
    void chunkTimedOut(const std::shared_ptr<Job> &job, StoreWorker::Failure failure);
    void endJob(const std::shared_ptr<Job> &job, const QJsonObject &result);
    void releaseSnapshot(const std::shared_ptr<Job> &job);
    // A keyed batch that timed out: its reservation keeps what was committed (tried until answered).
    void settleAbandoned(const QString &order, const EntityStore::Idempotency &idem, int attempt);
    void schedule(const std::shared_ptr<Job> &job);
    // `work` on the worker, or at once without one (an in-memory SQLite database).
    // `order`: the worker's ordering key (calls with the same one run one at a time, in order).
    template<class T>
    void onStore(const QString &order, std::function<T(EntityStore &)> work, std::function<void(T)> done,
                 std::function<void(StoreWorker::Failure)> failed);
    static QString orderOf(const Job &job);
    // The tool error of a call the worker did not answer (store_timeout) or could not run.
    QJsonObject unanswered(StoreWorker::Failure failure) const;
    ToolAccess auditExportAccess(const QString &entityName, const McpSession &session) const;
    // A call that runs at once, as read on the server thread (the registry's options may change
    // there while it runs on the worker).
    struct Spec {
        EntityRegistry::Op op = EntityRegistry::Op::Collection;
        const EntityDescriptor *entity = nullptr; // the registry's, fixed for its lifetime
        QString toolName;
        bool requireExpectedVersion = false;
        QString runner;              // m_runner
        bool keyRunningHere = false; // the call's idempotencyKey belongs to a batch running here
    };
    // The store a call runs against (the worker's, or the server thread's for seeding)
    // and its retry key.
    struct Scope {
        EntityStore &store;
        bool requireExpectedVersion = false;
        EntityStore::Idempotency *idempotency = nullptr;
    };
    Spec specOf(const EntityRegistry::Tool &tool) const;
    // run() on the worker when there is one (its timeout answered with store_timeout), else here.
    void runCall(Spec spec, const QJsonObject &args, const WriteContext &context,
                 std::function<void(const QJsonObject &)> done);
    // Touches no member but the registry's fixed entity list: safe on the worker's thread.
    QJsonObject run(EntityStore &store, const Spec &spec, const QJsonObject &args, const WriteContext &context) const;
    // {entity}.delete-all runs only once confirmed: by the user through elicitation when the
    // client can be asked (2026-07-28: an input_required round; 2025-06-18+: elicitation/create
    // on the call's stream), else by `confirm` equal to the entity's name (e.g. "TrialSite").
    void deleteAll(const EntityRegistry::Tool &tool, const ToolCall &call,
                   std::function<void(const QJsonObject &)> done);
    QJsonObject collection(Scope &scope, const EntityDescriptor &e, const QJsonObject &args) const;
    QJsonObject history(Scope &scope, const EntityDescriptor &e, const QJsonObject &args) const;
    QJsonObject upsert(Scope &scope, const EntityDescriptor &e, const QJsonArray &models, bool many,
                       const QHash<QString, qint64> &expected, const WriteContext &context) const;
    QJsonObject patch(Scope &scope, const EntityDescriptor &e, const QJsonObject &args,
                      const WriteContext &context) const;
    static QHash<QString, qint64> expectedVersions(const QJsonObject &args);
    // The call's retry key with the answer to keep, or null (see run()).
    static const EntityStore::Idempotency *
    withResult(Scope &scope, std::function<QJsonObject(const EntityStore::Outcome &)> resultOf);
    // Fills the id, defaults and server-managed timestamps; checks that every record the
    // document's reference fields (FieldDescriptor::references) name exists.
    QString prepare(Scope &scope, const EntityDescriptor &e, QJsonObject &doc,
                    const std::optional<QJsonObject> &existing) const;

    EntityRegistry *m_registry;
    EntityStore *m_store;
    QString m_seedResource;
    StoreWorker *m_worker = nullptr;
    ToolDefinition m_auditExport;
    std::unique_ptr<QObject> m_jobContext; // the chunks' timers die with the provider
    // A failed or cancelled batch's answer, naming what earlier chunks committed (`committed` records).
    static QJsonObject withCommitted(QJsonObject failure, const Job &job, int committed, const QString &why);
    static QJsonObject committedSoFar(const Job &job, int committed, const QString &code, const QString &message);
    QString m_runner;
    // Batch jobs with an idempotencyKey running here ("principal\nkey"); their keys are reserved
    // in the database (EntityStore::reserveIdempotent), so a retry on any replica is refused.
    QHash<QString, std::weak_ptr<Job>> m_keyedJobs;
};

} // namespace koan
