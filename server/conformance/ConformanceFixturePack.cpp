#include "ConformanceFixturePack.h"

#include "core/RpcBridge.h"
#include "protocol/JsonRpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

namespace koan {

namespace {
const QString kPng = QStringLiteral(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");
const QString kWav = QStringLiteral("UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=");
const QStringList kLevels{QStringLiteral("debug"),   QStringLiteral("info"),     QStringLiteral("notice"),
                          QStringLiteral("warning"), QStringLiteral("error"),    QStringLiteral("critical"),
                          QStringLiteral("alert"),   QStringLiteral("emergency")};

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}
QJsonObject text(const QString &t)
{
    return QJsonObject{{"type", "text"}, {"text", t}};
}
QJsonObject content(const QJsonArray &items, bool isError = false)
{
    QJsonObject r{{"content", items}};
    if (isError)
        r.insert("isError", true);
    return r;
}
ToolDefinition tool(const QString &name, const QString &description,
                    const QJsonObject &schema = json(R"({"type":"object","properties":{}})"))
{
    ToolDefinition d;
    d.name = name;
    d.description = description;
    d.inputSchema = schema;
    return d;
}

struct Resource {
    QString uri, name, description, mimeType, text, blob;
};
const QList<Resource> &resources()
{
    static const QList<Resource> r{
        {"test://static-text",
         "static-text",
         "Static text resource",
         "text/plain",
         "This is the content of the static text resource.",
         {}},
        {"test://static-binary", "static-binary", "Static binary resource (1x1 PNG)", "image/png", {}, kPng},
        {"test://watched-resource",
         "watched-resource",
         "Resource clients can subscribe to",
         "text/plain",
         "Watched resource content",
         {}},
    };
    return r;
}

QJsonObject promptsList()
{
    return json(R"({"prompts":[
      {"name":"test_simple_prompt","description":"A prompt without arguments"},
      {"name":"test_prompt_with_arguments","description":"A prompt with two required arguments",
       "arguments":[{"name":"arg1","description":"First test argument","required":true},
                    {"name":"arg2","description":"Second test argument","required":true}]},
      {"name":"test_prompt_with_embedded_resource","description":"A prompt that embeds a resource",
       "arguments":[{"name":"resourceUri","description":"URI of the resource to embed","required":true}]},
      {"name":"test_prompt_with_image","description":"A prompt with an image"}]})");
}
} // namespace

ConformanceFixturePack::ConformanceFixturePack(QObject *parent) : QObject(parent)
{
    m_tools = {
        tool("test_simple_text", "Returns a simple text response"),
        tool("test_image_content", "Returns a PNG image"),
        tool("test_audio_content", "Returns WAV audio"),
        tool("test_embedded_resource", "Returns an embedded text resource"),
        tool("test_multiple_content_types", "Returns text, an image and an embedded resource"),
        tool("test_tool_with_logging", "Sends three log notifications while it runs"),
        tool("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100"),
        tool("test_error_handling", "Always fails with an isError result"),
        tool("test_reconnection", "Answers after a short delay"),
        tool(
            "test_sampling", "Asks the client to sample an LLM message",
            json(
                R"({"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send"}},"required":["prompt"]})")),
        tool(
            "test_elicitation", "Asks the user for input through the client",
            json(
                R"({"type":"object","properties":{"message":{"type":"string","description":"The message to show"}},"required":["message"]})")),
        tool("test_elicitation_sep1034_defaults", "Elicitation whose fields carry default values (SEP-1034)"),
        tool("test_elicitation_sep1330_enums", "Elicitation with the five enum forms (SEP-1330)"),
        tool("json_schema_2020_12_tool", "Tool whose inputSchema uses JSON Schema 2020-12 keywords",
             json(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                      "$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
                      "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false})")),
    };
    m_tools.last().validateArguments = false; // our validator does not resolve $ref
}

QList<ToolDefinition> ConformanceFixturePack::tools(const McpSession &) const
{
    return m_tools;
}

ToolAccess ConformanceFixturePack::access(const QString &name, const McpSession &) const
{
    return definition(name) ? ToolAccess{ToolAccess::Allowed, {}} : ToolAccess{};
}

const ToolDefinition *ConformanceFixturePack::definition(const QString &name) const
{
    for (const auto &t : m_tools)
        if (t.name == name)
            return &t;
    return nullptr;
}

void ConformanceFixturePack::runSteps(const ToolCall &call, QList<std::function<void()>> steps,
                                      std::function<void()> finish)
{
    if (steps.isEmpty() || (call.cancelled && call.cancelled->load()))
        return finish();
    const auto step = steps.takeFirst();
    step();
    QTimer::singleShot(steps.isEmpty() ? 0 : 50, this, [this, call, steps, finish] { runSteps(call, steps, finish); });
}

void ConformanceFixturePack::askClient(const ToolCall &call, const QString &method, const QJsonObject &params,
                                       const QString &capability,
                                       std::function<QJsonObject(const QJsonObject &)> toResult,
                                       std::function<void(const QJsonObject &)> done)
{
    if (!call.session->clientCapabilities.contains(capability))
        return done(
            content({text(QStringLiteral("The client did not declare the '%1' capability").arg(capability))}, true));
    call.request(method, params, [toResult, done](const QJsonObject &response) {
        if (response.contains(QLatin1String("error")))
            return done(content({text(QStringLiteral("The client refused: %1")
                                          .arg(response.value("error").toObject().value("message").toString()))},
                                true));
        done(toResult(response.value(QLatin1String("result")).toObject()));
    });
}

void ConformanceFixturePack::call(const ToolCall &call, std::function<void(const QJsonObject &)> done)
{
    const QString &n = call.name;
    if (n == QLatin1String("test_simple_text"))
        return done(content({text("This is a simple text response for testing.")}));
    if (n == QLatin1String("test_image_content"))
        return done(content({QJsonObject{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}}));
    if (n == QLatin1String("test_audio_content"))
        return done(content({QJsonObject{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}}));
    if (n == QLatin1String("test_embedded_resource"))
        return done(content({json(
            R"({"type":"resource","resource":{"uri":"test://embedded-resource","mimeType":"text/plain","text":"This is an embedded resource content."}})")}));
    if (n == QLatin1String("test_multiple_content_types"))
        return done(content(
            {text("Multiple content types test:"),
             QJsonObject{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}},
             json(
                 R"({"type":"resource","resource":{"uri":"test://mixed-content-resource","mimeType":"application/json","text":"{\"test\":\"data\",\"value\":123}"}})")}));
    if (n == QLatin1String("test_error_handling"))
        return done(content({text("This tool intentionally returns an error for testing")}, true));
    if (n == QLatin1String("json_schema_2020_12_tool"))
        return done(
            content({text(QStringLiteral("called with %1")
                              .arg(QString::fromUtf8(QJsonDocument(call.arguments).toJson(QJsonDocument::Compact))))}));
    if (n == QLatin1String("test_reconnection")) {
        QTimer::singleShot(100, this, [done] { done(content({text("Reconnection test completed successfully.")})); });
        return;
    }
    if (n == QLatin1String("test_tool_with_logging")) {
        QList<std::function<void()>> steps;
        for (const char *message : {"Tool execution started", "Tool processing data", "Tool execution completed"})
            steps << [call, message] {
                // Only levels at or above the one the client set with logging/setLevel.
                if (kLevels.indexOf(QStringLiteral("info")) >= kLevels.indexOf(call.session->logLevel))
                    call.notify(QStringLiteral("notifications/message"),
                                QJsonObject{{"level", "info"},
                                            {"logger", "conformance"},
                                            {"data", QString::fromLatin1(message)}});
            };
        return runSteps(call, steps, [done] { done(content({text("Tool with logging executed successfully")})); });
    }
    if (n == QLatin1String("test_tool_with_progress")) {
        QList<std::function<void()>> steps;
        for (int p : {0, 50, 100})
            steps << [call, p] {
                if (!call.progressToken.isUndefined())
                    call.notify(QStringLiteral("notifications/progress"),
                                QJsonObject{{"progressToken", call.progressToken},
                                            {"progress", p},
                                            {"total", 100},
                                            {"message", QStringLiteral("step %1").arg(p)}});
            };
        return runSteps(call, steps, [done, call] {
            done(content(
                {text(QStringLiteral("Progress reported for token %1")
                          .arg(call.progressToken.isString() ? call.progressToken.toString()
                                                             : QString::number(call.progressToken.toDouble())))}));
        });
    }
    if (n == QLatin1String("test_sampling"))
        return askClient(
            call, QStringLiteral("sampling/createMessage"),
            QJsonObject{
                {"messages", QJsonArray{QJsonObject{{"role", "user"},
                                                    {"content", text(call.arguments.value("prompt").toString())}}}},
                {"maxTokens", 100}},
            QStringLiteral("sampling"),
            [](const QJsonObject &r) {
                return content({text(
                    QStringLiteral("LLM response: %1").arg(r.value("content").toObject().value("text").toString()))});
            },
            done);
    const auto elicitationResult = [](const QJsonObject &r) {
        return content({text(
            QStringLiteral("User response: action=%1, content=%2")
                .arg(r.value("action").toString(),
                     QString::fromUtf8(QJsonDocument(r.value("content").toObject()).toJson(QJsonDocument::Compact))))});
    };
    if (n == QLatin1String("test_elicitation"))
        return askClient(call, QStringLiteral("elicitation/create"),
                         QJsonObject{{"message", call.arguments.value("message").toString()},
                                     {"requestedSchema", json(R"({"type":"object","properties":{
                                         "username":{"type":"string","description":"User's response"},
                                         "email":{"type":"string","description":"User's email address"}},"required":["username","email"]})")}},
                         QStringLiteral("elicitation"), elicitationResult, done);
    if (n == QLatin1String("test_elicitation_sep1034_defaults"))
        return askClient(
            call, QStringLiteral("elicitation/create"),
            QJsonObject{{"message", "Review the defaults"}, {"requestedSchema", json(R"({"type":"object","properties":{
                                         "name":{"type":"string","description":"User name","default":"John Doe"},
                                         "age":{"type":"integer","description":"User age","default":30},
                                         "score":{"type":"number","description":"User score","default":95.5},
                                         "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
                                         "verified":{"type":"boolean","description":"Verification status","default":true}},"required":[]})")}},
            QStringLiteral("elicitation"), elicitationResult, done);
    if (n == QLatin1String("test_elicitation_sep1330_enums"))
        return askClient(
            call, QStringLiteral("elicitation/create"),
            QJsonObject{{"message", "Pick options"}, {"requestedSchema", json(R"({"type":"object","properties":{
                                         "untitledSingle":{"type":"string","enum":["option1","option2","option3"]},
                                         "titledSingle":{"type":"string","oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},
                                         "legacyEnum":{"type":"string","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},
                                         "untitledMulti":{"type":"array","minItems":1,"maxItems":3,"items":{"type":"string","enum":["option1","option2","option3"]}},
                                         "titledMulti":{"type":"array","minItems":1,"maxItems":3,"items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},"required":[]})")}},
            QStringLiteral("elicitation"), elicitationResult, done);
    done(content({text(QStringLiteral("Unknown fixture tool %1").arg(n))}, true));
}

void ConformanceFixturePack::install(RpcBridge *bridge)
{
    bridge->addToolProvider(this);
    bridge->addCapabilities(json(R"({"tools":{"listChanged":true},"resources":{"subscribe":true,"listChanged":true},
                                     "prompts":{"listChanged":true},"completions":{}})"));
    using R = MethodResult;
    bridge->addMethod(QStringLiteral("resources/list"), [](const RequestContext &, R done) {
        QJsonArray list;
        for (const auto &r : resources())
            list.append(QJsonObject{
                {"uri", r.uri}, {"name", r.name}, {"description", r.description}, {"mimeType", r.mimeType}});
        done(QJsonObject{{"resources", list}}, std::nullopt);
    });
    bridge->addMethod(QStringLiteral("resources/templates/list"), [](const RequestContext &, R done) {
        done(json(R"({"resourceTemplates":[{"uriTemplate":"test://template/{id}/data","name":"template-data",
                      "description":"Data for an id","mimeType":"application/json"}]})"),
             std::nullopt);
    });
    bridge->addMethod(QStringLiteral("resources/read"), [](const RequestContext &ctx, R done) {
        const QString uri = ctx.params.value("uri").toString();
        for (const auto &r : resources())
            if (r.uri == uri) {
                QJsonObject c{{"uri", r.uri}, {"mimeType", r.mimeType}};
                r.blob.isEmpty() ? c.insert("text", r.text) : c.insert("blob", r.blob);
                return done(QJsonObject{{"contents", QJsonArray{c}}}, std::nullopt);
            }
        static const QRegularExpression tpl(QStringLiteral("^test://template/([^/]+)/data$"));
        if (const auto m = tpl.match(uri); m.hasMatch()) {
            const QJsonObject data{{"id", m.captured(1)},
                                   {"templateTest", true},
                                   {"data", QStringLiteral("Data for ID: %1").arg(m.captured(1))}};
            return done(
                QJsonObject{{"contents", QJsonArray{QJsonObject{{"uri", uri},
                                                                {"mimeType", "application/json"},
                                                                {"text", QString::fromUtf8(QJsonDocument(data).toJson(
                                                                             QJsonDocument::Compact))}}}}},
                std::nullopt);
        }
        done({}, RpcError{-32002, QStringLiteral("Resource not found: %1").arg(uri), QJsonObject{{"uri", uri}}});
    });
    const auto subscription = [](const RequestContext &ctx, R done) {
        if (ctx.params.value("uri").toString().isEmpty())
            return done({}, RpcError{jsonrpc::InvalidParams, QStringLiteral("Invalid params: 'uri' is required")});
        done(QJsonObject{}, std::nullopt);
    };
    bridge->addMethod(QStringLiteral("resources/subscribe"), subscription);
    bridge->addMethod(QStringLiteral("resources/unsubscribe"), subscription);
    bridge->addMethod(QStringLiteral("prompts/list"),
                      [](const RequestContext &, R done) { done(promptsList(), std::nullopt); });
    bridge->addMethod(QStringLiteral("prompts/get"), [](const RequestContext &ctx, R done) {
        const QString name = ctx.params.value("name").toString();
        const QJsonObject args = ctx.params.value("arguments").toObject();
        const auto need = [&](const QString &arg) {
            return args.value(arg).isString() ? QString()
                                              : QStringLiteral("Invalid params: argument '%1' is required").arg(arg);
        };
        const auto reply = [&](const QString &description, const QJsonArray &messages) {
            done(QJsonObject{{"description", description}, {"messages", messages}}, std::nullopt);
        };
        const QJsonObject image{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}};
        if (name == QLatin1String("test_simple_prompt"))
            return reply("A prompt without arguments",
                         {QJsonObject{{"role", "user"}, {"content", text("This is a simple prompt for testing.")}}});
        if (name == QLatin1String("test_prompt_with_arguments")) {
            for (const char *a : {"arg1", "arg2"})
                if (const QString problem = need(QString::fromLatin1(a)); !problem.isEmpty())
                    return done({}, RpcError{jsonrpc::InvalidParams, problem});
            return reply("A prompt with two required arguments",
                         {QJsonObject{{"role", "user"},
                                      {"content",
                                       text(QStringLiteral("Prompt with arguments: arg1='%1', arg2='%2'")
                                                .arg(args.value("arg1").toString(), args.value("arg2").toString()))}}});
        }
        if (name == QLatin1String("test_prompt_with_embedded_resource")) {
            if (const QString problem = need(QStringLiteral("resourceUri")); !problem.isEmpty())
                return done({}, RpcError{jsonrpc::InvalidParams, problem});
            return reply(
                "A prompt that embeds a resource",
                {QJsonObject{
                     {"role", "user"},
                     {"content",
                      QJsonObject{{"type", "resource"},
                                  {"resource", QJsonObject{{"uri", args.value("resourceUri").toString()},
                                                           {"mimeType", "text/plain"},
                                                           {"text", "Embedded resource content for testing."}}}}}},
                 QJsonObject{{"role", "user"}, {"content", text("Please process the embedded resource above.")}}});
        }
        if (name == QLatin1String("test_prompt_with_image"))
            return reply("A prompt with an image",
                         {QJsonObject{{"role", "user"}, {"content", image}},
                          QJsonObject{{"role", "user"}, {"content", text("Please analyze the image above.")}}});
        done({}, RpcError{jsonrpc::InvalidParams, QStringLiteral("Invalid params: unknown prompt '%1'").arg(name)});
    });
    bridge->addMethod(QStringLiteral("completion/complete"), [](const RequestContext &ctx, R done) {
        const QString prefix = ctx.params.value("argument").toObject().value("value").toString();
        QJsonArray values;
        if (ctx.params.value("ref").toObject().value("name").toString() == QLatin1String("test_prompt_with_arguments"))
            for (const char *v : {"paris", "park", "parse", "test", "testValue1"})
                if (QString::fromLatin1(v).startsWith(prefix))
                    values.append(QString::fromLatin1(v));
        done(QJsonObject{{"completion", QJsonObject{{"values", values}, {"total", values.size()}, {"hasMore", false}}}},
             std::nullopt);
    });
}

} // namespace koan
