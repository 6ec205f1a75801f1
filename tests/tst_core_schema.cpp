// The JSON Schema subset validator that checks tool arguments, and RFC 6902 JSON Patch.
#include "protocol/JsonPatch.h"
#include "protocol/JsonSchemaValidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using koan::protocol::JsonSchemaValidator;

namespace {
QJsonObject schema(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}
QStringList check(const char *value, const char *s)
{
    const QJsonDocument d = QJsonDocument::fromJson(QByteArray("[") + value + "]");
    return JsonSchemaValidator::validate(d.array().at(0), schema(s));
}
} // namespace

class TestCoreSchema : public QObject
{
    Q_OBJECT
private slots:
    void types()
    {
        QVERIFY(check("1", R"({"type":"integer"})").isEmpty());
        QCOMPARE(check("1.5", R"({"type":"integer"})"), QStringList{"arguments: expected integer, got number"});
        QVERIFY(check("1.5", R"({"type":"number"})").isEmpty());
        QCOMPARE(check("\"1\"", R"({"type":"number"})"), QStringList{"arguments: expected number, got string"});
        QVERIFY(check("true", R"({"type":"boolean"})").isEmpty());
        QVERIFY(!check("null", R"({"type":"string"})").isEmpty());
        QVERIFY(check("null", R"({"type":["string","null"]})").isEmpty());
        QVERIFY(check("[]", R"({"type":"array"})").isEmpty());
        QVERIFY(!check("{}", R"({"type":"array"})").isEmpty());
    }
    void objects()
    {
        const char *s
            = R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"object","properties":{"c":{"type":"integer"}},"required":["c"],"additionalProperties":false}},
                            "required":["a"],"additionalProperties":false})";
        QVERIFY(check(R"({"a":"x"})", s).isEmpty());
        QCOMPARE(check(R"({})", s), QStringList{"a: required field is missing"});
        QCOMPARE(check(R"({"a":"x","z":1})", s), QStringList{"z: unknown field"});
        QCOMPARE(check(R"({"a":"x","b":{}})", s), QStringList{"b.c: required field is missing"});
        QCOMPARE(check(R"({"a":"x","b":{"c":"no","d":1}})", s),
                 (QStringList{"b.c: expected integer, got string", "b.d: unknown field"}));
        QVERIFY(check(R"({"k":"v"})", R"({"type":"object","additionalProperties":{"type":"string"}})").isEmpty());
        QCOMPARE(check(R"({"k":1})", R"({"type":"object","additionalProperties":{"type":"string"}})"),
                 QStringList{"k: expected string, got integer"});
    }
    void arraysAndNestedPaths()
    {
        const char *s
            = R"({"type":"object","properties":{"model":{"type":"object","properties":{"proposedAdjustments":{"type":"array","items":
                            {"type":"object","properties":{"summary":{"type":"string"}},"required":["summary"]}}}}}})";
        QCOMPARE(JsonSchemaValidator::validate(
                     QJsonDocument::fromJson(R"({"model":{"proposedAdjustments":[{"summary":"a"},{}]}})").object(),
                     schema(s)),
                 QStringList{"model.proposedAdjustments[1].summary: required field is missing"});
        QCOMPARE(check("[]", R"({"type":"array","minItems":1})"), QStringList{"arguments: needs at least 1 item(s)"});
        QCOMPARE(check("[1,2,3]", R"({"type":"array","maxItems":2})"),
                 QStringList{"arguments: allows at most 2 item(s)"});
        QCOMPARE(check("[1,\"x\"]", R"({"type":"array","items":{"type":"integer"}})"),
                 QStringList{"arguments[1]: expected integer, got string"});
    }
    void valuesAndFormats()
    {
        QCOMPARE(check("\"Party\"", R"({"type":"string","enum":["Screening","Baseline"]})"),
                 QStringList{"arguments: \"Party\" is not one of \"Screening\", \"Baseline\""});
        QCOMPARE(check("false", R"({"type":"boolean","const":true})"), QStringList{"arguments: must equal true"});
        QCOMPARE(check("0", R"({"type":"integer","minimum":1})"), QStringList{"arguments: must be >= 1"});
        QCOMPARE(check("201", R"({"type":"integer","maximum":200})"), QStringList{"arguments: must be <= 200"});
        QVERIFY(!check("\"\"", R"({"type":"string","minLength":1})").isEmpty());
        QVERIFY(!check("\"abc\"", R"({"type":"string","maxLength":2})").isEmpty());
        QVERIFY(check("\"2026-11-25T09:30:00Z\"", R"({"type":"string","format":"date-time"})").isEmpty());
        QVERIFY(check("\"2026-11-25T09:30:00.123+01:00\"", R"({"type":"string","format":"date-time"})").isEmpty());
        QVERIFY(!check("\"tomorrow\"", R"({"type":"string","format":"date-time"})").isEmpty());
        QVERIFY(check("\"2026-02-28\"", R"({"type":"string","format":"date"})").isEmpty());
        QVERIFY(!check("\"2026-02-30\"", R"({"type":"string","format":"date"})").isEmpty());
    }
    void jsonPatch()
    {
        const QJsonObject doc = QJsonDocument::fromJson(R"({"a":1,"list":[1,2],"o":{"x":"y"}})").object();
        QString error;
        const auto apply = [&](const char *ops) {
            return koan::jsonpatch::apply(doc, QJsonDocument::fromJson(ops).array(), &error);
        };
        QCOMPARE(*apply(R"([{"op":"add","path":"/list/-","value":3}])"),
                 QJsonDocument::fromJson(R"({"a":1,"list":[1,2,3],"o":{"x":"y"}})").object());
        QCOMPARE(apply(R"([{"op":"add","path":"/list/0","value":0}])")->value("list").toArray(), (QJsonArray{0, 1, 2}));
        QCOMPARE(*apply(R"([{"op":"move","from":"/o/x","path":"/b"}])"),
                 QJsonDocument::fromJson(R"({"a":1,"b":"y","list":[1,2],"o":{}})").object());
        QCOMPARE(apply(R"([{"op":"copy","from":"/a","path":"/c"}])")->value("c").toInt(), 1);
        QVERIFY(!apply(R"([{"op":"replace","path":"/missing","value":1}])"));
        QVERIFY(error.contains("patch[0]"));
        QVERIFY(
            !apply(R"([{"op":"add","path":"/a","value":2},{"op":"test","path":"/a","value":1}])")); // all or nothing
        QVERIFY(error.contains("patch[1]"));
        QVERIFY(!apply(R"([{"op":"remove","path":"/list/5"}])"));
        QVERIFY(!apply(R"([{"op":"jump","path":"/a"}])"));
        QCOMPARE(doc.value("a").toInt(), 1);
        // ~1 and ~0 escapes
        const QJsonObject slash{{"a/b", 1}, {"m~n", 2}};
        QCOMPARE(
            koan::jsonpatch::apply(
                slash,
                QJsonDocument::fromJson(R"([{"op":"remove","path":"/a~1b"},{"op":"remove","path":"/m~0n"}])").array(),
                &error)
                ->size(),
            0);
    }
};

QTEST_GUILESS_MAIN(TestCoreSchema)
#include "tst_core_schema.moc"
