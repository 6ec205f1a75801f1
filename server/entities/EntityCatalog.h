#pragma once
// The domain a server exposes: its entity types and, optionally, their sample data. The server
// library knows no domain of its own; the composition root (app/, tests) hands one in.
#include "EntityDescriptor.h"

#include <QList>
#include <QString>

namespace koan {

struct EntityCatalog {
    // In dependency order: an entity comes after every entity its fields reference, so that
    // seeding writes referenced records first.
    QList<EntityDescriptor> entities;
    // Qt resource (or file) with the sample records, {"EntityName": [record, ...], ...}, loaded once
    // per database when SeedSampleData is on. Empty: the catalog has no sample data.
    QString seedResource;
};

} // namespace koan
