#pragma once
// Static description of an entity type: its typed fields, from which schemas and tools derive.
#include "core/TransportKind.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace koan {

struct FieldDescriptor {
    enum Type { String, Integer, Number, Boolean, DateTime, Date, Enum, StringList, StringMap, ObjectList };
    QString name; // camelCase JSON name
    Type type = String;
    QString description;
    bool required = false;
    QStringList enumValues; // Enum (and ObjectList members may use it via nested fields)
    QJsonValue defaultValue = QJsonValue::Undefined;
    bool serverManaged = false; // stamped by the server (e.g. updatedAt); clients may omit it
    // A String field holding the id of a record of this entity (its name): a write whose
    // non-empty value names no such record is refused (invalid_reference). Empty: no reference.
    QString references;
    QList<FieldDescriptor> nested; // ObjectList item fields

    QJsonObject schema(bool forOutput) const;
    bool filterable() const { return type != StringList && type != StringMap && type != ObjectList; }
};

struct EntityDescriptor {
    QString name;       // PascalCase, e.g. SampleOrder
    QString toolPrefix; // its kebab-case tool prefix: sample-order
    QString table;      // its SQLite table: sample_order
    QString description;
    QStringList requiredScopes;
    QList<FieldDescriptor> fields; // excluding `id`
    // Old field name -> new, applied to the documents of a store written before record versions
    // (a field that clashed with the server's top-level `version`).
    QHash<QString, QString> renamedFields;

    const FieldDescriptor *field(const QString &name) const;
    // JSON Schema of one record; input schemas make `id` optional and server-managed fields optional.
    QJsonObject recordSchema(bool forOutput) const;
};

// Runtime options of an entity after applying configuration overrides (McpEntityOverride).
struct EntityOptions {
    QString name; // tool prefix shown to clients
    QString description;
    bool allowMutations = true;
    std::optional<bool> requireAuthentication; // unset: the server-wide setting applies
    bool requireExpectedVersion = true;        // replacing a record through upsert needs its version
    QStringList requiredScopes;
    TransportSet enabledTransports = allTransports();
};

QString kebabCase(const QString &pascal);

} // namespace koan
