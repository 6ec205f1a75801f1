#include "JsonText.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace koan::ui {

namespace {
QJsonValue decodeTextContent(const QJsonValue &value)
{
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(decodeTextContent(v));
        return out;
    }
    if (!value.isObject())
        return value;
    QJsonObject o = value.toObject();
    if (o.value(QLatin1String("type")) == QLatin1String("text") && o.value(QLatin1String("text")).isString()) {
        const QJsonDocument inner = QJsonDocument::fromJson(o.value(QLatin1String("text")).toString().toUtf8());
        if (inner.isObject())
            o.insert(QLatin1String("text"), inner.object());
        else if (inner.isArray())
            o.insert(QLatin1String("text"), inner.array());
        return o;
    }
    for (auto it = o.begin(); it != o.end(); ++it)
        it.value() = decodeTextContent(it.value());
    return o;
}
} // namespace

QString readableJson(const QJsonValue &value)
{
    const QJsonValue shown = decodeTextContent(value);
    if (shown.isObject())
        return QString::fromUtf8(QJsonDocument(shown.toObject()).toJson(QJsonDocument::Indented));
    if (shown.isArray())
        return QString::fromUtf8(QJsonDocument(shown.toArray()).toJson(QJsonDocument::Indented));
    return shown.toVariant().toString();
}

} // namespace koan::ui
