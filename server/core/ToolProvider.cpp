#include "ToolProvider.h"
#include "protocol/JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace koan {

QJsonObject ToolDefinition::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("description"), description},
                  {QStringLiteral("inputSchema"), inputSchema}};
    if (!title.isEmpty())
        o.insert(QStringLiteral("title"), title);
    if (!outputSchema.isEmpty())
        o.insert(QStringLiteral("outputSchema"), outputSchema);
    if (!annotations.isEmpty())
        o.insert(QStringLiteral("annotations"), annotations);
    return o;
}

QJsonObject toolTextResult(const QString &text, bool isError)
{
    QJsonObject r{{QStringLiteral("content"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                                                     {QStringLiteral("text"), text}}}}};
    if (isError)
        r.insert(QStringLiteral("isError"), true);
    return r;
}

QJsonObject toolStructuredResult(const QJsonObject &structured)
{
    QJsonObject r = toolTextResult(QString::fromUtf8(json::compact(structured)));
    r.insert(QStringLiteral("structuredContent"), structured);
    return r;
}

QJsonObject toolErrorResult(const QString &code, const QString &message, const QJsonValue &details)
{
    // Errors are text JSON too, so agents can read the code; no structuredContent, since
    // it would have to match the tool's outputSchema.
    QJsonObject err{{QStringLiteral("error"), code}, {QStringLiteral("message"), message}};
    if (!details.isUndefined())
        err.insert(QStringLiteral("details"), details);
    return toolTextResult(QString::fromUtf8(json::compact(err)), true);
}

} // namespace koan
