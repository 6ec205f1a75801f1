#pragma once
// RFC 6902 JSON Patch (add, remove, replace, move, copy, test) with RFC 6901 pointers.
#include <QJsonArray>
#include <QJsonObject>
#include <optional>

namespace koan::jsonpatch {

// Applies `ops` to `doc`; all or nothing. On failure returns nullopt and names the failing op.
std::optional<QJsonObject> apply(const QJsonObject &doc, const QJsonArray &ops, QString *error);

// The patch that turns `from` into `to` (objects diffed member by member, other values replaced
// whole), in a stable order: what the audit trail records as a record's change.
QJsonArray diff(const QJsonObject &from, const QJsonObject &to);

// JSON Schema for a patch document (used in tool input schemas).
QJsonObject schema();

} // namespace koan::jsonpatch
