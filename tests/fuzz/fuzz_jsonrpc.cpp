// libFuzzer target: a request body through jsonrpc::parse and classify, as both HTTP transports
// and STDIO do. Invariants: a failed parse has a code and a reply; every classified message
// matches the JSON-RPC 2.0 rules for its kind (never a success with an invalid object), its id
// can be echoed, and a valid message survives a write/parse round trip with the same kind.
#include "FuzzSupport.h"
#include "protocol/JsonRpc.h"

#include <QJsonArray>
#include <QJsonObject>
#include <cmath>

using namespace koan::jsonrpc;

namespace {

// Independent of isValidId: JSON-RPC ids are strings or integral numbers.
bool integralOrString(const QJsonValue &id)
{
    if (id.isString())
        return true;
    return id.isDouble() && std::isfinite(id.toDouble()) && std::trunc(id.toDouble()) == id.toDouble();
}

void checkReplyable(const QJsonValue &id)
{
    // The error or result we would send back must itself classify as a Response with that id.
    const Message reply = classify(makeError(id, InvalidRequest, QStringLiteral("x")));
    FUZZ_CHECK(reply.kind == Kind::Response);
    FUZZ_CHECK(reply.id == id);
}

void checkMessage(const QJsonValue &value)
{
    const Message m = classify(value);
    if (m.kind == Kind::Invalid) {
        FUZZ_CHECK(!m.invalidReason.isEmpty());
        FUZZ_CHECK(m.id.isNull() || integralOrString(m.id));
        checkReplyable(m.id);
        return;
    }
    FUZZ_CHECK(value.isObject());
    FUZZ_CHECK(m.invalidReason.isEmpty());
    const QJsonObject o = value.toObject();
    FUZZ_CHECK(o.value(QLatin1String("jsonrpc")) == QJsonValue(QStringLiteral("2.0")));
    switch (m.kind) {
    case Kind::Request:
    case Kind::Notification:
        FUZZ_CHECK(!m.method.isEmpty() && o.value(QLatin1String("method")).toString() == m.method);
        FUZZ_CHECK(m.params.isUndefined() || m.params.isObject() || m.params.isArray());
        FUZZ_CHECK(m.params == o.value(QLatin1String("params")));
        if (m.kind == Kind::Notification) {
            FUZZ_CHECK(!o.contains(QLatin1String("id")));
        } else {
            FUZZ_CHECK(o.contains(QLatin1String("id")) && integralOrString(m.id)
                       && m.id == o.value(QLatin1String("id")));
            checkReplyable(m.id);
            FUZZ_CHECK(classify(makeResult(m.id, QJsonObject{})).kind == Kind::Response);
        }
        break;
    case Kind::Response:
        FUZZ_CHECK(m.method.isEmpty() && !o.contains(QLatin1String("method")));
        FUZZ_CHECK(o.contains(QLatin1String("result")) != o.contains(QLatin1String("error")));
        FUZZ_CHECK(m.id.isNull() || integralOrString(m.id));
        break;
    case Kind::Invalid:
        break;
    }
    // What we accept we can also write and read back unchanged.
    const ParseResult again = parse(fuzz::compact(o));
    FUZZ_CHECK(again.ok && again.value.isObject());
    FUZZ_CHECK(classify(again.value).kind == m.kind);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = fuzz::bytes(data, size);
    const ParseResult r = parse(body);
    if (!r.ok) {
        FUZZ_CHECK(r.errorCode == ParseError || r.errorCode == InvalidRequest);
        FUZZ_CHECK(!r.error.isEmpty());
        QJsonValue scalar;
        // "Invalid Request" only for well-formed JSON that is not an object or array.
        if (r.errorCode == InvalidRequest)
            FUZZ_CHECK(fuzz::parseValue(body, &scalar) && !scalar.isObject() && !scalar.isArray());
        const Message reply = classify(makeError(r));
        FUZZ_CHECK(reply.kind == Kind::Response && reply.id.isNull());
        return 0;
    }
    FUZZ_CHECK(r.errorCode == 0 && r.error.isEmpty());
    FUZZ_CHECK(r.value.isObject() || r.value.isArray());
    if (r.value.isObject())
        checkMessage(r.value);
    else
        for (const QJsonValue &element : r.value.toArray())
            checkMessage(element);
    return 0;
}
