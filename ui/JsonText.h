#pragma once
// Renders protocol JSON for people: indented, and a tool result's content[].text, which is
// itself serialized JSON, shown decoded instead of as one long escaped string.
#include <QJsonValue>
#include <QString>

namespace koan::ui {

QString readableJson(const QJsonValue &value);

} // namespace koan::ui
