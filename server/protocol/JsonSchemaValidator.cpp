#include "JsonSchemaValidator.h"

#include <QDate>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>

namespace koan::protocol {

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        return std::floor(d) == d ? QStringLiteral("integer") : QStringLiteral("number");
    }
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

static bool matchesType(const QJsonValue &v, const QString &type)
{
    if (type == QLatin1String("integer"))
        return v.isDouble() && std::floor(v.toDouble()) == v.toDouble() && std::isfinite(v.toDouble());
    if (type == QLatin1String("number"))
        return v.isDouble();
    if (type == QLatin1String("string"))
        return v.isString();
    if (type == QLatin1String("boolean"))
        return v.isBool();
    if (type == QLatin1String("object"))
        return v.isObject();
    if (type == QLatin1String("array"))
        return v.isArray();
    if (type == QLatin1String("null"))
        return v.isNull();
    return true; // unknown type keyword: do not reject
}

static QString compact(const QJsonValue &v)
{
    if (v.isString())
        return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

QStringList JsonSchemaValidator::validate(const QJsonValue &value, const QJsonObject &schema, const QString &root)
{
    QStringList errors;
    check(value, schema, root, errors);
    return errors;
}

void JsonSchemaValidator::check(const QJsonValue &value, const QJsonObject &schema, const QString &path,
                                QStringList &errors)
{
    const QString where = path.isEmpty() ? QStringLiteral("arguments") : path;
    const auto child = [&path](const QString &key) { return path.isEmpty() ? key : path + QLatin1Char('.') + key; };

    const QJsonValue type = schema.value(QLatin1String("type"));
    if (type.isString() || type.isArray()) {
        QStringList types;
        if (type.isString())
            types << type.toString();
        else
            for (const auto &t : type.toArray())
                types << t.toString();
        bool ok = false;
        for (const auto &t : types)
            ok = ok || matchesType(value, t);
        if (!ok) {
            errors << QStringLiteral("%1: expected %2, got %3")
                          .arg(where, types.join(QLatin1String(" or ")), jsonTypeName(value));
            return; // further keywords would only repeat the type error
        }
    }

    if (schema.contains(QLatin1String("const")) && value != schema.value(QLatin1String("const")))
        errors << QStringLiteral("%1: must equal %2").arg(where, compact(schema.value(QLatin1String("const"))));

    const QJsonArray allowed = schema.value(QLatin1String("enum")).toArray();
    if (!allowed.isEmpty() && !allowed.contains(value)) {
        QStringList names;
        for (const auto &a : allowed)
            names << compact(a);
        errors << QStringLiteral("%1: %2 is not one of %3").arg(where, compact(value), names.join(QLatin1String(", ")));
    }

    if (value.isDouble()) {
        const double d = value.toDouble();
        if (schema.contains(QLatin1String("minimum")) && d < schema.value(QLatin1String("minimum")).toDouble())
            errors << QStringLiteral("%1: must be >= %2")
                          .arg(where)
                          .arg(schema.value(QLatin1String("minimum")).toDouble());
        if (schema.contains(QLatin1String("maximum")) && d > schema.value(QLatin1String("maximum")).toDouble())
            errors << QStringLiteral("%1: must be <= %2")
                          .arg(where)
                          .arg(schema.value(QLatin1String("maximum")).toDouble());
    }

    if (value.isString()) {
        const QString s = value.toString();
        if (schema.contains(QLatin1String("minLength")) && s.size() < schema.value(QLatin1String("minLength")).toInt())
            errors << QStringLiteral("%1: must be at least %2 characters")
                          .arg(where)
                          .arg(schema.value(QLatin1String("minLength")).toInt());
        if (schema.contains(QLatin1String("maxLength")) && s.size() > schema.value(QLatin1String("maxLength")).toInt())
            errors << QStringLiteral("%1: must be at most %2 characters")
                          .arg(where)
                          .arg(schema.value(QLatin1String("maxLength")).toInt());
        const QString format = schema.value(QLatin1String("format")).toString();
        if (format == QLatin1String("date-time") && !QDateTime::fromString(s, Qt::ISODateWithMs).isValid())
            errors
                << QStringLiteral("%1: \"%2\" is not an ISO 8601 date-time (e.g. 2025-01-31T09:00:00Z)").arg(where, s);
        if (format == QLatin1String("date") && !QDate::fromString(s, Qt::ISODate).isValid())
            errors << QStringLiteral("%1: \"%2\" is not an ISO 8601 date (YYYY-MM-DD)").arg(where, s);
    }

    if (value.isArray()) {
        const QJsonArray arr = value.toArray();
        if (schema.contains(QLatin1String("minItems")) && arr.size() < schema.value(QLatin1String("minItems")).toInt())
            errors << QStringLiteral("%1: needs at least %2 item(s)")
                          .arg(where)
                          .arg(schema.value(QLatin1String("minItems")).toInt());
        if (schema.contains(QLatin1String("maxItems")) && arr.size() > schema.value(QLatin1String("maxItems")).toInt())
            errors << QStringLiteral("%1: allows at most %2 item(s)")
                          .arg(where)
                          .arg(schema.value(QLatin1String("maxItems")).toInt());
        const QJsonValue items = schema.value(QLatin1String("items"));
        if (items.isObject())
            for (qsizetype i = 0; i < arr.size(); ++i)
                check(arr.at(i), items.toObject(), QStringLiteral("%1[%2]").arg(where).arg(i), errors);
    }

    if (value.isObject()) {
        const QJsonObject obj = value.toObject();
        const QJsonObject props = schema.value(QLatin1String("properties")).toObject();
        for (const auto &req : schema.value(QLatin1String("required")).toArray())
            if (!obj.contains(req.toString()))
                errors << QStringLiteral("%1: required field is missing").arg(child(req.toString()));
        const QJsonValue additional = schema.value(QLatin1String("additionalProperties"));
        for (auto it = obj.constBegin(); it != obj.constEnd(); ++it) {
            if (props.contains(it.key()))
                check(it.value(), props.value(it.key()).toObject(), child(it.key()), errors);
            else if (additional.isBool() && !additional.toBool())
                errors << QStringLiteral("%1: unknown field").arg(child(it.key()));
            else if (additional.isObject())
                check(it.value(), additional.toObject(), child(it.key()), errors);
        }
    }
}

} // namespace koan::protocol
