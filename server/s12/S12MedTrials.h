#pragma once
// The S12.MedTrials sample: five clinical-trial entities, field sets after the original Koan sample.
#include "entities/EntityCatalog.h"

namespace koan::s12 {

QList<EntityDescriptor> entities();
// adverse-event-triage (reportId) and site-monitoring-summary (siteId).
QList<RecordPrompt> prompts();
// The entities with their sample data, resources s12://{entity}/{id} and the prompts: what the app and the tests hand to McpServer.
EntityCatalog catalog();

inline const QString kScopeOperations = QStringLiteral("clinical:operations");
inline const QString kScopeSafety = QStringLiteral("clinical:safety");
inline const QString kScopeDocuments = QStringLiteral("clinical:documents");

} // namespace koan::s12
