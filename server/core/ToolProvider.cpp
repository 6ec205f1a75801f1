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

QString traceIdFromTraceparent(const QJsonValue &traceparent)
{
    if (!traceparent.isString())
        return {};
    const QString t = traceparent.toString();
    // 2 + 1 + 32 + 1 + 16 + 1 + 2: version 00 has exactly this length (no trailing fields).
    if (t.size() != 55 || !t.startsWith(QLatin1String("00-")) || t.at(35) != QLatin1Char('-')
        || t.at(52) != QLatin1Char('-'))
        return {};
    const auto lowerHex = [&t](int from, int length) {
        bool nonZero = false;
        for (int i = from; i < from + length; ++i) {
            const QChar c = t.at(i);
            if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
                return -1;
            nonZero = nonZero || c != QLatin1Char('0');
        }
        return nonZero ? 1 : 0;
    };
    if (lowerHex(3, 32) != 1 || lowerHex(36, 16) != 1 || lowerHex(53, 2) < 0)
        return {};
    return t.mid(3, 32);
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
