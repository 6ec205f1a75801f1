#pragma once
// The JSON Schemas (input, output) and annotations of the tools generated for an entity; what
// EntityRegistry names and describes. They depend on the descriptor only, not on its options.
#include "EntityDescriptor.h"
#include "EntityRegistry.h"

#include <QJsonObject>

namespace koan {

struct ToolSchemas {
    QJsonObject input;
    QJsonObject output;
    QJsonObject annotations;

    static ToolSchemas of(const EntityDescriptor &e, EntityRegistry::Op op);
};

} // namespace koan
