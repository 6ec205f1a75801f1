#pragma once
// A JSON-RPC error a handler answers with (code, message, optional data).
#include <QJsonValue>
#include <QString>

namespace koan {

struct RpcError {
    int code;
    QString message;
    QJsonValue data = QJsonValue::Undefined;
};

} // namespace koan
