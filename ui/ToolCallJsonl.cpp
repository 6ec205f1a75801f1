#include "ToolCallJsonl.h"

#include "admin/AdminJson.h"

#include <QJsonDocument>

namespace koan::ui {

QJsonObject toolCallToJson(const ToolCallRecord &r)
{
    // The admin event's shape, with the whole request and response under their own names.
    QJsonObject o = adminjson::toJson(r);
    o.remove(QStringLiteral("response"));
    o.remove(QStringLiteral("rpcRequest"));
    o.remove(QStringLiteral("rpcResponse"));
    o.insert(QStringLiteral("request"), r.request);
    o.insert(QStringLiteral("response"), r.response);
    return o;
}

QByteArray toolCallsToJsonl(const QList<ToolCallRecord> &records)
{
    QByteArray out;
    for (const ToolCallRecord &r : records)
        out += QJsonDocument(toolCallToJson(r)).toJson(QJsonDocument::Compact) + '\n';
    return out;
}

} // namespace koan::ui
