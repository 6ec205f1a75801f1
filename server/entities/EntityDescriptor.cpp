#include "EntityDescriptor.h"

#include <QJsonArray>

namespace koan {

QString kebabCase(const QString &pascal)
{
    QString out;
    for (qsizetype i = 0; i < pascal.size(); ++i) {
        const QChar c = pascal.at(i);
        if (c.isUpper() && i > 0)
            out += QLatin1Char('-');
        out += c.toLower();
    }
    return out;
}

QJsonObject FieldDescriptor::schema(bool forOutput) const
{
    QJsonObject s;
    switch (type) {
    case String:
        s.insert(QStringLiteral("type"), QStringLiteral("string"));
        break;
    case Integer:
        s.insert(QStringLiteral("type"), QStringLiteral("integer"));
        break;
    case Number:
        s.insert(QStringLiteral("type"), QStringLiteral("number"));
        break;
    case Boolean:
        s.insert(QStringLiteral("type"), QStringLiteral("boolean"));
        break;
    case DateTime:
    case Date:
        s.insert(QStringLiteral("type"), QStringLiteral("string"));
        // Formats only on input: validators used by clients differ in format support.
        if (!forOutput)
            s.insert(QStringLiteral("format"), type == Date ? QStringLiteral("date") : QStringLiteral("date-time"));
        break;
    case Enum:
        s.insert(QStringLiteral("type"), QStringLiteral("string"));
        s.insert(QStringLiteral("enum"), QJsonArray::fromStringList(enumValues));
        break;
    case StringList:
        s.insert(QStringLiteral("type"), QStringLiteral("array"));
        s.insert(QStringLiteral("items"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}});
        break;
    case StringMap:
        s.insert(QStringLiteral("type"), QStringLiteral("object"));
        s.insert(QStringLiteral("additionalProperties"),
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}});
        break;
    case ObjectList: {
        QJsonObject props;
        QJsonArray required;
        for (const auto &n : nested) {
            props.insert(n.name, n.schema(forOutput));
            if (n.required)
                required.append(n.name);
        }
        QJsonObject item{{QStringLiteral("type"), QStringLiteral("object")},
                         {QStringLiteral("properties"), props},
                         {QStringLiteral("additionalProperties"), false}};
        if (!required.isEmpty())
            item.insert(QStringLiteral("required"), required);
        s.insert(QStringLiteral("type"), QStringLiteral("array"));
        s.insert(QStringLiteral("items"), item);
        break;
    }
    }
    if (!description.isEmpty())
        s.insert(QStringLiteral("description"), description);
    if (!defaultValue.isUndefined() && !forOutput)
        s.insert(QStringLiteral("default"), defaultValue);
    return s;
}

const FieldDescriptor *EntityDescriptor::field(const QString &fieldName) const
{
    for (const auto &f : fields)
        if (f.name == fieldName)
            return &f;
    return nullptr;
}

QJsonObject EntityDescriptor::recordSchema(bool forOutput) const
{
    QJsonObject props{
        {QStringLiteral("id"),
         QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                     {QStringLiteral("description"),
                      forOutput ? QStringLiteral("Record id") : QStringLiteral("Record id; generated when omitted")}}}};
    // Server-assigned; accepted but ignored on input so that a record read back can be sent as is.
    props.insert(
        QStringLiteral("version"),
        QJsonObject{
            {QStringLiteral("type"), QStringLiteral("integer")},
            {QStringLiteral("minimum"), 1},
            {QStringLiteral("description"),
             forOutput
                 ? QStringLiteral("Server-assigned version: 1 on create, +1 on every write")
                 : QStringLiteral("Ignored (server-assigned); pass expectedVersion to say which version you edited")}});
    QJsonArray required;
    if (forOutput)
        required << QStringLiteral("id") << QStringLiteral("version");
    for (const auto &f : fields) {
        props.insert(f.name, f.schema(forOutput));
        if (f.required && !f.serverManaged)
            required.append(f.name);
    }
    QJsonObject s{{QStringLiteral("type"), QStringLiteral("object")},
                  {QStringLiteral("description"), description},
                  {QStringLiteral("properties"), props},
                  {QStringLiteral("additionalProperties"), false}};
    if (!required.isEmpty())
        s.insert(QStringLiteral("required"), required);
    return s;
}

} // namespace koan
