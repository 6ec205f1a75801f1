// libFuzzer target: jsonpatch::apply, which the entity update tools run on client-sent patches.
// Input: {"doc": {...}, "patch": [...]}. Invariants: it fails cleanly (an error naming the op) or
// yields an object that writes and reads back unchanged; applying the ops one at a time gives
// the same outcome as all at once; a successful add/replace leaves exactly its value at its path
// (an appended "test" op passes); a patch of only "test" ops changes nothing.
#include "FuzzSupport.h"
#include "protocol/JsonPatch.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace koan;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument input = QJsonDocument::fromJson(fuzz::bytes(data, size));
    if (!input.isObject())
        return 0;
    const QJsonObject doc = input.object().value(QLatin1String("doc")).toObject();
    const QJsonArray ops = input.object().value(QLatin1String("patch")).toArray();

    QString error;
    const std::optional<QJsonObject> result = jsonpatch::apply(doc, ops, &error);

    // Step by step: the same result, or a failure at the same op.
    std::optional<QJsonObject> stepwise = doc;
    qsizetype failedAt = -1;
    for (qsizetype i = 0; i < ops.size() && stepwise; ++i) {
        QString stepError;
        stepwise = jsonpatch::apply(*stepwise, QJsonArray{ops.at(i)}, &stepError);
        if (!stepwise)
            failedAt = i;
    }
    FUZZ_CHECK(result.has_value() == stepwise.has_value());

    if (!result) {
        FUZZ_CHECK(error.startsWith(QStringLiteral("patch[%1] ").arg(failedAt)));
        return 0;
    }
    FUZZ_CHECK(*result == *stepwise);
    const QJsonDocument written = QJsonDocument::fromJson(QJsonDocument(*result).toJson(QJsonDocument::Compact));
    FUZZ_CHECK(written.isObject() && written.object() == *result);

    bool onlyTests = true;
    for (const QJsonValue &op : ops)
        onlyTests = onlyTests && op.toObject().value(QLatin1String("op")).toString() == QLatin1String("test");
    if (onlyTests)
        FUZZ_CHECK(*result == doc);

    if (!ops.isEmpty()) {
        const QJsonObject last = ops.last().toObject();
        const QString op = last.value(QLatin1String("op")).toString();
        const QString path = last.value(QLatin1String("path")).toString();
        // "add" at "/-" appends: its path names no element afterwards, so only other adds count.
        if (op == QLatin1String("replace") || (op == QLatin1String("add") && !path.endsWith(QLatin1String("/-")))) {
            QJsonArray withTest = ops;
            withTest.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("test")},
                                        {QStringLiteral("path"), path},
                                        {QStringLiteral("value"), last.value(QLatin1String("value"))}});
            const auto tested = jsonpatch::apply(doc, withTest, &error);
            FUZZ_CHECK(tested && *tested == *result);
        }
    }
    return 0;
}
