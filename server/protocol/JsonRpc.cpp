#include "JsonRpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <cmath>

namespace koan::jsonrpc {

bool isValidId(const QJsonValue &id)
{
    if (id.isString())
        return true;
    if (id.isDouble()) {
        const double d = id.toDouble();
        return std::isfinite(d) && std::floor(d) == d;
    }
    return false;
}

Message classify(const QJsonValue &value)
{
    Message m;
    if (!value.isObject()) {
        m.invalidReason = QStringLiteral("message must be a JSON object");
        return m;
    }
    m.object = value.toObject();
    m.id = m.object.value(QLatin1String("id"));
    if (m.id.isUndefined())
        m.id = QJsonValue::Null;
    const auto invalid = [&m](const QString &why) {
        m.kind = Kind::Invalid;
        m.invalidReason = why;
        if (!isValidId(m.id))
            m.id = QJsonValue::Null;
        return m;
    };
    if (m.object.value(QLatin1String("jsonrpc")) != QJsonValue(QStringLiteral("2.0")))
        return invalid(QStringLiteral("'jsonrpc' must be exactly \"2.0\""));

    const QJsonValue method = m.object.value(QLatin1String("method"));
    const bool hasId = m.object.contains(QLatin1String("id"));
    if (!method.isUndefined()) {
        if (!method.isString() || method.toString().isEmpty())
            return invalid(QStringLiteral("'method' must be a non-empty string"));
        m.method = method.toString();
        m.params = m.object.value(QLatin1String("params"));
        if (!m.params.isUndefined() && !m.params.isObject() && !m.params.isArray())
            return invalid(QStringLiteral("'params' must be an object or array"));
        if (!hasId) {
            m.kind = Kind::Notification;
            return m;
        }
        if (!isValidId(m.id))
            return invalid(QStringLiteral("'id' must be a string or an integer"));
        m.kind = Kind::Request;
        return m;
    }
    const bool hasResult = m.object.contains(QLatin1String("result"));
    const bool hasError = m.object.contains(QLatin1String("error"));
    if (hasResult == hasError)
        return invalid(QStringLiteral("message needs 'method', or exactly one of 'result' and 'error'"));
    if (hasError) {
        const QJsonObject err = m.object.value(QLatin1String("error")).toObject();
        if (!err.value(QLatin1String("code")).isDouble() || !err.value(QLatin1String("message")).isString())
            return invalid(QStringLiteral("'error' needs an integer 'code' and a string 'message'"));
    }
    if (!m.id.isNull() && !isValidId(m.id))
        return invalid(QStringLiteral("'id' must be a string or an integer"));
    m.kind = Kind::Response;
    return m;
}

ParseResult parse(const QByteArray &body)
{
    ParseResult r;
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error == QJsonParseError::NoError && (doc.isObject() || doc.isArray())) {
        r.value = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
        r.ok = true;
        return r;
    }
    // QJsonDocument refuses top-level scalars; wrapped in an array they parse if they are JSON.
    const QJsonDocument wrapped = QJsonDocument::fromJson("[" + body + "]");
    if (wrapped.isArray() && wrapped.array().size() == 1) {
        r.errorCode = InvalidRequest;
        r.error = QStringLiteral("Invalid Request: a JSON-RPC message must be an object (or an array for a batch)");
    } else {
        r.errorCode = ParseError;
        r.error = QStringLiteral("Parse error: %1 at offset %2").arg(err.errorString()).arg(err.offset);
    }
    return r;
}

QJsonObject makeError(const ParseResult &failed)
{
    return makeError(QJsonValue::Null, failed.errorCode, failed.error);
}

QJsonObject makeResult(const QJsonValue &id, const QJsonValue &result)
{
    return QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("result"), result}};
}

QJsonObject makeError(const QJsonValue &id, int code, const QString &message, const QJsonValue &data)
{
    QJsonObject error{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (!data.isUndefined())
        error.insert(QStringLiteral("data"), data);
    return QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                       {QStringLiteral("id"), id.isUndefined() ? QJsonValue(QJsonValue::Null) : id},
                       {QStringLiteral("error"), error}};
}

QJsonObject makeNotification(const QString &method, const QJsonObject &params)
{
    QJsonObject o{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")}, {QStringLiteral("method"), method}};
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    return o;
}

QJsonObject makeRequest(const QJsonValue &id, const QString &method, const QJsonObject &params)
{
    QJsonObject o = makeNotification(method, params);
    o.insert(QStringLiteral("id"), id);
    return o;
}

} // namespace koan::jsonrpc
