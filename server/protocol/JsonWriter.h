#pragma once
// Compact JSON text for the hot paths (every answer, every SSE event, every tool result).
// QJsonDocument::toJson in Qt 6.4 builds each string in its own buffer and grows the output
// piecewise: about a third of the server's instructions per tools/call (bench/README.md).
// This writer produces the same text in one buffer.
#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

namespace koan::json {

void append(QByteArray &out, const QJsonValue &value);
void append(QByteArray &out, const QJsonObject &object);
void append(QByteArray &out, const QJsonArray &array);

// An object or array as compact JSON text (other values: as they would appear inside one).
QByteArray compact(const QJsonValue &value);
QByteArray compact(const QJsonObject &object);
QByteArray compact(const QJsonArray &array);

} // namespace koan::json
