#pragma once
// The S12.MedTrials sample: five clinical-trial entities, field sets after the original Koan sample.
#include "EntityDescriptor.h"

namespace koan::s12 {

QList<EntityDescriptor> entities();

inline const QString kScopeOperations = QStringLiteral("clinical:operations");
inline const QString kScopeSafety = QStringLiteral("clinical:safety");
inline const QString kScopeDocuments = QStringLiteral("clinical:documents");

} // namespace koan::s12
