#include "ToolSchemas.h"

#include "protocol/JsonPatch.h"

#include <QJsonArray>

namespace koan {

namespace {
using Op = EntityRegistry::Op;

QJsonObject obj(std::initializer_list<QPair<QString, QJsonValue>> items)
{
    QJsonObject o;
    for (const auto &[k, v] : items)
        o.insert(k, v);
    return o;
}
const QString kType = QStringLiteral("type");
const QString kObject = QStringLiteral("object");
const QString kString = QStringLiteral("string");
const QString kInteger = QStringLiteral("integer");
const QString kBoolean = QStringLiteral("boolean");
const QString kArray = QStringLiteral("array");

// A closed object: only `props`, the `required` ones required.
QJsonObject objectSchema(const QJsonObject &props, const QStringList &required)
{
    QJsonObject s{
        {kType, kObject}, {QStringLiteral("properties"), props}, {QStringLiteral("additionalProperties"), false}};
    if (!required.isEmpty())
        s.insert(QStringLiteral("required"), QJsonArray::fromStringList(required));
    return s;
}
QJsonObject typed(const QString &type)
{
    return obj({{kType, type}});
}
QJsonObject arrayOf(const QJsonObject &items)
{
    return obj({{kType, kArray}, {QStringLiteral("items"), items}});
}

QJsonObject readOnly()
{
    return obj({{QStringLiteral("readOnlyHint"), true}, {QStringLiteral("openWorldHint"), false}});
}
QJsonObject mutating(bool idempotent)
{
    return obj({{QStringLiteral("readOnlyHint"), false},
                {QStringLiteral("destructiveHint"), true},
                {QStringLiteral("idempotentHint"), idempotent},
                {QStringLiteral("openWorldHint"), false}});
}

QJsonObject idSchema(const EntityDescriptor &e)
{
    return obj({{kType, kString},
                {QStringLiteral("minLength"), 1},
                {QStringLiteral("description"), QStringLiteral("%1 id").arg(e.name)}});
}
QJsonObject expectedVersion()
{
    return obj({{kType, kInteger},
                {QStringLiteral("minimum"), 1},
                {QStringLiteral("description"),
                 QStringLiteral("The version of the record you read (its \"version\" field)")}});
}
QJsonObject expectedVersions()
{
    return obj({{kType, QStringLiteral("object")},
                {QStringLiteral("additionalProperties"), obj({{kType, kInteger}, {QStringLiteral("minimum"), 1}})},
                {QStringLiteral("description"), QStringLiteral("Record id -> the version you read")}});
}
QJsonObject idempotencyKey()
{
    return obj({{kType, kString},
                {QStringLiteral("minLength"), 1},
                {QStringLiteral("maxLength"), 200},
                {QStringLiteral("description"),
                 QStringLiteral("Any unique string for this change: a retry with the same key (yours, within "
                                "24 h) returns the first answer and writes nothing again")}});
}

ToolSchemas collection(const EntityDescriptor &e, const QJsonObject &recordOut)
{
    QJsonObject filterProps;
    QJsonArray sortValues{QStringLiteral("id"), QStringLiteral("id:desc")};
    for (const auto &f : e.fields) {
        if (!f.filterable())
            continue;
        QJsonObject fs = f.schema(true);
        fs.remove(QStringLiteral("default"));
        filterProps.insert(f.name, fs);
        sortValues << f.name << f.name + QStringLiteral(":desc");
    }
    filterProps.insert(QStringLiteral("id"), typed(kString));
    const QJsonObject input = objectSchema(
        {{QStringLiteral("page"), obj({{kType, kInteger},
                                       {QStringLiteral("minimum"), 1},
                                       {QStringLiteral("default"), 1},
                                       {QStringLiteral("description"), QStringLiteral("1-based page number")}})},
         {QStringLiteral("pageSize"), obj({{kType, kInteger},
                                           {QStringLiteral("minimum"), 1},
                                           {QStringLiteral("maximum"), EntityRegistry::kMaxPageSize},
                                           {QStringLiteral("default"), EntityRegistry::kDefaultPageSize}})},
         {QStringLiteral("filter"),
          QJsonObject{{kType, kObject},
                      {QStringLiteral("properties"), filterProps},
                      {QStringLiteral("additionalProperties"), false},
                      {QStringLiteral("description"), QStringLiteral("Field equality filters, all must match")}}},
         {QStringLiteral("sort"),
          obj({{kType, kString},
               {QStringLiteral("enum"), sortValues},
               {QStringLiteral("description"), QStringLiteral("Field to sort by; append :desc for descending")}})}},
        {});
    const QJsonObject output
        = objectSchema({{QStringLiteral("items"), arrayOf(recordOut)},
                        {QStringLiteral("page"), typed(kInteger)},
                        {QStringLiteral("pageSize"), typed(kInteger)},
                        {QStringLiteral("total"), typed(kInteger)},
                        {QStringLiteral("totalPages"), typed(kInteger)}},
                       {QStringLiteral("items"), QStringLiteral("page"), QStringLiteral("pageSize"),
                        QStringLiteral("total"), QStringLiteral("totalPages")});
    return {input, output, readOnly()};
}

ToolSchemas history(const EntityDescriptor &e)
{
    const QJsonObject input = objectSchema(
        {{QStringLiteral("id"), idSchema(e)},
         {QStringLiteral("page"),
          obj({{kType, kInteger}, {QStringLiteral("minimum"), 1}, {QStringLiteral("default"), 1}})},
         {QStringLiteral("pageSize"), obj({{kType, kInteger},
                                           {QStringLiteral("minimum"), 1},
                                           {QStringLiteral("maximum"), 200},
                                           {QStringLiteral("default"), EntityRegistry::kDefaultPageSize}})}},
        {QStringLiteral("id")});
    // One type per branch, not a type array: clients that map schemas onto a single-type dialect
    // (Gemini's OpenAPI subset) reject type unions and untyped schemas (Inspector --strict).
    const QJsonObject nullableInt
        = obj({{QStringLiteral("anyOf"), QJsonArray{typed(kInteger), typed(QStringLiteral("null"))}}});
    const QJsonObject change
        = obj({{QStringLiteral("anyOf"), QJsonArray{typed(kArray), typed(QStringLiteral("object"))}},
               {QStringLiteral("description"),
                QStringLiteral("The JSON Patch from the previous version, or {\"deleted\": record} for a delete")}});
    const QJsonObject text = typed(kString);
    const QJsonObject entry = objectSchema(
        {{QStringLiteral("seq"), typed(kInteger)},
         {QStringLiteral("at"), text},
         {QStringLiteral("operation"), text},
         {QStringLiteral("principal"), text},
         {QStringLiteral("transport"), text},
         {QStringLiteral("era"), text},
         {QStringLiteral("session"), text},
         {QStringLiteral("traceId"), text},
         {QStringLiteral("operationId"), text},
         {QStringLiteral("versionBefore"), nullableInt},
         {QStringLiteral("versionAfter"), nullableInt},
         {QStringLiteral("change"), change}},
        {QStringLiteral("seq"), QStringLiteral("at"), QStringLiteral("operation"), QStringLiteral("principal")});
    const QJsonObject output
        = objectSchema({{QStringLiteral("id"), text},
                        {QStringLiteral("versions"), arrayOf(entry)},
                        {QStringLiteral("page"), typed(kInteger)},
                        {QStringLiteral("pageSize"), typed(kInteger)},
                        {QStringLiteral("total"), typed(kInteger)}},
                       {QStringLiteral("id"), QStringLiteral("versions"), QStringLiteral("total")});
    return {input, output, readOnly()};
}
} // namespace

ToolSchemas ToolSchemas::of(const EntityDescriptor &e, Op op)
{
    const QJsonObject record = e.recordSchema(false);
    const QJsonObject recordOut = e.recordSchema(true);
    const QJsonObject id = idSchema(e);
    const QJsonObject itemOut = objectSchema({{QStringLiteral("item"), recordOut}}, {QStringLiteral("item")});
    // At most this many records per upsert-many / delete-many call.
    const auto batch = [](const QJsonObject &items) {
        return obj({{kType, kArray},
                    {QStringLiteral("items"), items},
                    {QStringLiteral("minItems"), 1},
                    {QStringLiteral("maxItems"), 1000}});
    };

    switch (op) {
    case Op::Collection:
        return collection(e, recordOut);
    case Op::GetById:
        return {objectSchema({{QStringLiteral("id"), id}}, {QStringLiteral("id")}), itemOut, readOnly()};
    case Op::History:
        return history(e);
    case Op::Upsert:
        return {objectSchema({{QStringLiteral("model"), record},
                              {QStringLiteral("expectedVersion"), expectedVersion()},
                              {QStringLiteral("idempotencyKey"), idempotencyKey()}},
                             {QStringLiteral("model")}),
                objectSchema({{QStringLiteral("item"), recordOut}, {QStringLiteral("created"), typed(kBoolean)}},
                             {QStringLiteral("item"), QStringLiteral("created")}),
                mutating(true)};
    case Op::UpsertMany:
        return {objectSchema({{QStringLiteral("models"), batch(record)},
                              {QStringLiteral("expectedVersions"), expectedVersions()},
                              {QStringLiteral("idempotencyKey"), idempotencyKey()}},
                             {QStringLiteral("models")}),
                objectSchema({{QStringLiteral("items"), arrayOf(recordOut)},
                              {QStringLiteral("created"), typed(kInteger)},
                              {QStringLiteral("updated"), typed(kInteger)}},
                             {QStringLiteral("items"), QStringLiteral("created"), QStringLiteral("updated")}),
                mutating(true)};
    case Op::Patch:
        return {objectSchema({{QStringLiteral("id"), id},
                              {QStringLiteral("patch"), jsonpatch::schema()},
                              {QStringLiteral("expectedVersion"), expectedVersion()},
                              {QStringLiteral("idempotencyKey"), idempotencyKey()}},
                             {QStringLiteral("id"), QStringLiteral("patch")}),
                itemOut, mutating(false)};
    case Op::Delete:
        return {objectSchema({{QStringLiteral("id"), id}, {QStringLiteral("expectedVersion"), expectedVersion()}},
                             {QStringLiteral("id")}),
                objectSchema({{QStringLiteral("id"), typed(kString)}, {QStringLiteral("deleted"), typed(kBoolean)}},
                             {QStringLiteral("id"), QStringLiteral("deleted")}),
                mutating(true)};
    case Op::DeleteMany:
        return {
            objectSchema({{QStringLiteral("ids"), batch(id)}, {QStringLiteral("expectedVersions"), expectedVersions()}},
                         {QStringLiteral("ids")}),
            objectSchema({{QStringLiteral("deleted"), typed(kInteger)},
                          {QStringLiteral("missing"), arrayOf(typed(kString))},
                          {QStringLiteral("operationId"), typed(kString)}},
                         {QStringLiteral("deleted"), QStringLiteral("missing")}),
            mutating(true)};
    case Op::Export:
        return {objectSchema({}, {}),
                objectSchema({{QStringLiteral("entity"), typed(kString)},
                              {QStringLiteral("count"), typed(kInteger)},
                              {QStringLiteral("format"), typed(kString)}},
                             {QStringLiteral("count")}),
                readOnly()};
    case Op::DeleteAll:
        // Not required: a client that can be asked confirms through elicitation instead.
        return {objectSchema({{QStringLiteral("confirm"),
                               obj({{kType, kString},
                                    {QStringLiteral("description"),
                                     QStringLiteral("The entity's name, exactly \"%1\": needed when the client cannot "
                                                    "be asked to confirm through elicitation")
                                         .arg(e.name)}})}},
                             {}),
                objectSchema(
                    {{QStringLiteral("deleted"), typed(kInteger)}, {QStringLiteral("operationId"), typed(kString)}},
                    {QStringLiteral("deleted")}),
                mutating(true)};
    }
    return {};
}

} // namespace koan
