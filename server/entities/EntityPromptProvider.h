#pragma once
// The catalog's record prompts (EntityCatalog::prompts): listed to callers who may read their
// record's entity, the argument validated (present, a string, an existing record), completed
// from the ids the caller may read; related records the caller may not read are left out.
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

private:
    const RecordPrompt *find(const QString &name) const;
    PromptDefinition definition(const RecordPrompt &p) const;

    EntityRegistry *m_registry;
    EntityResourceProvider *m_records;
    QList<RecordPrompt> m_prompts;
};

} // namespace koan
