#pragma once
// The domain a server exposes: its entity types and, optionally, their sample data. The server
// library knows no domain of its own; the composition root (app/, tests) hands one in.
#include "EntityDescriptor.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace koan {

// A prompt built on one record of the catalog: its one argument names the record (completable
// from the ids the caller may read); the prompt embeds the record, the records its reference
// fields name and records of other entities that reference it, then the instructions.
struct RecordPrompt {
    QString name; // e.g. adverse-event-triage
    QString title;
    QString description;
    QString argument; // e.g. reportId
    QString argumentDescription;
    QString entity; // the record the argument names (EntityDescriptor::name)
    // Records of another entity whose `field` holds the record's id, e.g. a site's visits; those
    // whose `excludeField` has one of `excludeValues` are left out (e.g. closed events).
    struct Related {
        QString entity;
        QString field;
        QString excludeField;
        QStringList excludeValues;
    };
    QList<Related> related;
    QString instructions; // what the reader is asked to do, after the records
};

struct EntityCatalog {
    // In dependency order: an entity comes after every entity its fields reference, so that
    // seeding writes referenced records first.
    QList<EntityDescriptor> entities;
    // Qt resource (or file) with the sample records, {"EntityName": [record, ...], ...}, loaded once
    // per database when SeedSampleData is on. Empty: the catalog has no sample data.
    QString seedResource;
    // Records are resources {resourceScheme}://{entity}/{id}.
    QString resourceScheme = QStringLiteral("entity");
    QList<RecordPrompt> prompts;
};

} // namespace koan
