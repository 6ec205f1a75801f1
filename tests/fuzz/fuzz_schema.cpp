// libFuzzer target: JsonSchemaValidator, which checks every tools/call's arguments against the
// tool's input schema. Input: {"schema": {...}, "instance": <any>}. Invariants: the verdict is
// deterministic and every message names a path under the root; an instance always satisfies
// {}, {"const": itself}, {"enum": [itself]} and {"type": <its own type>}; a type it does not
// have gives exactly one error.
#include "FuzzSupport.h"
#include "protocol/JsonSchemaValidator.h"

#include <QJsonArray>
#include <QJsonObject>

using koan::protocol::JsonSchemaValidator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument input = QJsonDocument::fromJson(fuzz::bytes(data, size));
    if (!input.isObject())
        return 0;
    const QJsonObject schema = input.object().value(QLatin1String("schema")).toObject();
    const QJsonValue instance = input.object().value(QLatin1String("instance"));
    if (instance.isUndefined())
        return 0;

    const QString root = QStringLiteral("$");
    const QStringList errors = JsonSchemaValidator::validate(instance, schema, root);
    FUZZ_CHECK(JsonSchemaValidator::validate(instance, schema, root) == errors);
    for (const QString &e : errors)
        FUZZ_CHECK(e.startsWith(root) && e.contains(QLatin1String(": ")));
    // The root only names the top level: the verdict does not depend on it.
    FUZZ_CHECK(JsonSchemaValidator::validate(instance, schema).size() == errors.size());

    const auto valid = [&](const QJsonObject &s) { return JsonSchemaValidator::validate(instance, s, root).isEmpty(); };
    FUZZ_CHECK(valid(QJsonObject{}));
    FUZZ_CHECK(valid(QJsonObject{{QStringLiteral("const"), instance}}));
    FUZZ_CHECK(valid(QJsonObject{{QStringLiteral("enum"), QJsonArray{instance}}}));
    FUZZ_CHECK(valid(QJsonObject{{QStringLiteral("type"), koan::protocol::jsonTypeName(instance)}}));
    const QString other = instance.isNull() ? QStringLiteral("string") : QStringLiteral("null");
    FUZZ_CHECK(JsonSchemaValidator::validate(instance, QJsonObject{{QStringLiteral("type"), other}}, root).size() == 1);
    return 0;
}
