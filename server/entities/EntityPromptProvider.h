#pragma once
// The catalog's record prompts (EntityCatalog::prompts): listed to callers who may read their
// record's entity, the argument validated (present, a string, an existing record), completed
// from the ids the caller may read; related records the caller may not read are left out. The
// records are read on the store worker when there is one (getAsync, completeAsync), so a slow or
// paused database answers -32603 with data.reason "store_timeout" instead of blocking the server.
#include "EntityCatalog.h"
#include "EntityResourceProvider.h"
#include "core/PromptProvider.h"

namespace koan {

class EntityPromptProvider : public PromptProvider
{
public:
    EntityPromptProvider(EntityRegistry *registry, EntityResourceProvider *records, QList<RecordPrompt> prompts);

    QList<PromptDefinition> prompts(const McpSession &session) const override;
    std::optional<Outcome> get(const QString &name, const QJsonObject &arguments, const McpSession &session) override;
    std::optional<QStringList> complete(const QString &prompt, const QString &argument, const QString &value,
                                        const McpSession &session) override;
    void getAsync(const QString &name, const QJsonObject &arguments, const McpSession &session,
                  const std::function<void(const std::optional<Outcome> &)> &done) override;
    void completeAsync(const QString &prompt, const QString &argument, const QString &value, const McpSession &session,
                       const std::function<void(const CompletionValues &)> &done) override;

private:
    // What a prompts/get reads, decided on the server thread (access is the registry's there).
    struct Plan {
        const RecordPrompt *prompt = nullptr;
        const EntityDescriptor *entity = nullptr;
        QString id;
        struct Reference {
            QString field;
            const EntityDescriptor *target;
            bool readable;
        };
        QList<Reference> references; // the record's reference fields, in field order
        struct Related {
            const RecordPrompt::Related *related;
            const EntityDescriptor *entity;
            bool readable;
        };
        QList<Related> related;
    };
    // The records read for a plan (on any thread: the plan's descriptors are the registry's fixed list).
    struct Gathered {
        QString error, reason; // the record could not be read
        std::optional<QJsonObject> record;
        QList<std::optional<QJsonObject>> referenced; // by Plan::references
        QList<QList<QJsonObject>> related;            // by Plan::related
    };
    const RecordPrompt *find(const QString &name) const;
    PromptDefinition definition(const RecordPrompt &p) const;
    // The plan, or the outcome to answer at once (nullopt: not this provider's prompt).
    std::variant<Plan, std::optional<Outcome>> plan(const QString &name, const QJsonObject &arguments,
                                                    const McpSession &session) const;
    static Gathered gather(EntityStore &store, const Plan &plan);
    Outcome compose(const Plan &plan, const Gathered &gathered) const;
    // The entity whose ids complete `argument` of `prompt`: nullopt when the prompt is not ours,
    // null when there is nothing to offer.
    std::optional<const EntityDescriptor *> completed(const QString &prompt, const QString &argument,
                                                      const McpSession &session) const;

    EntityRegistry *m_registry;
    EntityResourceProvider *m_records;
    QList<RecordPrompt> m_prompts;
};

} // namespace koan
