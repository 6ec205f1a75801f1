#pragma once
// Export JSONL: one tool call a line, with the JSON-RPC request and response as answered, for
// jq, a ticket or a replay script.
#include "core/ToolCallRecord.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace koan::ui {

QJsonObject toolCallToJson(const koan::ToolCallRecord &r);
QByteArray toolCallsToJsonl(const QList<koan::ToolCallRecord> &records);

} // namespace koan::ui
