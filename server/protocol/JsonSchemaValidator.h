#pragma once
// Validates tool arguments against the subset of JSON Schema (2020-12) our tool schemas use:
// type, properties, required, additionalProperties, items, enum, const, minimum/maximum,
// minLength/maxLength, minItems/maxItems, format (date-time, date). Messages name the field path.
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

namespace koan::protocol {

class JsonSchemaValidator
{
public:
    // Returns the list of violations; empty means valid. `root` names the top-level value in messages.
    static QStringList validate(const QJsonValue &value, const QJsonObject &schema, const QString &root = QString());

private:
    static void check(const QJsonValue &value, const QJsonObject &schema, const QString &path, QStringList &errors);
};

QString jsonTypeName(const QJsonValue &value);

} // namespace koan::protocol
