#include "ProtocolEra.h"

#include "protocol/JsonRpc.h"
#include "protocol/ProtocolVersion.h"

#include <QRegularExpression>

#include <QJsonArray>

namespace koan {

namespace {
const QLatin1String kPrefix("io.modelcontextprotocol/");

bool hasModernMeta(const QJsonObject &message)
{
    const QJsonObject meta = message.value(QLatin1String("params")).toObject().value(QLatin1String("_meta")).toObject();
    for (auto it = meta.begin(); it != meta.end(); ++it)
        if (it.key().startsWith(kPrefix))
            return true;
    return false;
}

// 2025-11-25 or earlier: a date-shaped revision no newer than the newest legacy one.
bool isLegacyEraVersion(const QString &v)
{
    static const QRegularExpression date(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
    return date.match(v).hasMatch() && v <= protocol::latestVersion();
}

// The body value Mcp-Name mirrors, if the method has one.
std::optional<QLatin1String> nameField(const QString &method)
{
    if (method == QLatin1String("tools/call") || method == QLatin1String("prompts/get"))
        return QLatin1String("name");
    if (method == QLatin1String("resources/read"))
        return QLatin1String("uri");
    // The tasks extension: load balancers route a task's requests by its id (SEP-2663).
    if (method == QLatin1String("tasks/get") || method == QLatin1String("tasks/update")
        || method == QLatin1String("tasks/cancel"))
        return QLatin1String("taskId");
    return std::nullopt;
}

ModernRejection mismatch(const QString &message, const QJsonValue &data = QJsonValue::Undefined)
{
    return ModernRejection{400, ModernEra::HeaderMismatch, QStringLiteral("Header mismatch: %1").arg(message), data};
}

// RFC 4648 Base64 with nothing lenient: the standard alphabet, a multiple of four characters,
// '=' only as the final one or two (SEP-2243 rejects missing padding and foreign characters).
bool isStrictBase64(const QByteArray &text)
{
    if (text.size() % 4 != 0)
        return false;
    int padding = 0;
    for (const char c : text) {
        if (c == '=') {
            ++padding;
            continue;
        }
        const bool alphabet
            = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!alphabet || padding > 0)
            return false;
    }
    return padding <= 2;
}

// A tool argument mirrored into a header: Mcp-Param-{header}, found at `path` in the arguments.
struct MirroredArgument {
    QString header;
    QStringList path;
};

// x-mcp-header annotations count only where a chain of `properties` keys reaches them.
void collectMirrored(const QJsonObject &schema, const QStringList &path, QList<MirroredArgument> *out)
{
    const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        const QJsonObject property = it.value().toObject();
        const QStringList at = path + QStringList{it.key()};
        const QJsonValue header = property.value(QLatin1String("x-mcp-header"));
        if (header.isString() && !header.toString().isEmpty())
            out->append({header.toString(), at});
        collectMirrored(property, at, out);
    }
}

QJsonValue valueAt(const QJsonObject &arguments, const QStringList &path)
{
    QJsonValue v = arguments;
    for (const QString &key : path) {
        if (!v.isObject())
            return QJsonValue::Undefined;
        v = v.toObject().value(key);
    }
    return v;
}

// How a client writes a body value into its header (SEP-2243 "Type conversion").
QString headerForm(const QJsonValue &v)
{
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    return v.toString();
}

bool headerMatches(const QString &header, const QJsonValue &body)
{
    if (body.isString())
        return header == body.toString();
    if (body.isBool())
        return header == headerForm(body);
    if (body.isDouble()) {
        bool ok = false;
        const double h = header.toDouble(&ok);
        return ok && h == body.toDouble(); // "42.0" mirrors 42
    }
    return false; // objects and arrays cannot be mirrored
}
} // namespace

ProtocolEra selectEra(const EraInput &input)
{
    if (input.namesSession || !input.body.isObject())
        return ProtocolEra::Legacy;
    const QJsonObject message = input.body.toObject();
    const bool modernMeta = hasModernMeta(message);
    if (message.value(QLatin1String("method")).toString() == QLatin1String("initialize") && !modernMeta)
        return ProtocolEra::Legacy;
    if (!modernMeta && (!input.headerVersion || isLegacyEraVersion(*input.headerVersion)))
        return ProtocolEra::Legacy;
    return ProtocolEra::Modern;
}

const QString &ModernEra::version()
{
    static const QString v = QStringLiteral("2026-07-28");
    return v;
}

QStringList ModernEra::supportedVersions()
{
    return {version(), protocol::latestVersion()};
}

QString ModernEra::metaKey(const char *name)
{
    return kPrefix + QLatin1String(name);
}

bool ModernEra::isRemovedMethod(const QString &method)
{
    static const QStringList removed{QStringLiteral("initialize"), QStringLiteral("ping"),
                                     QStringLiteral("logging/setLevel"), QStringLiteral("resources/subscribe"),
                                     QStringLiteral("resources/unsubscribe")};
    return removed.contains(method);
}

std::optional<QString> ModernEra::headerValue(const QByteArray &raw)
{
    const QByteArray v = raw.trimmed(); // optional whitespace around the value (RFC 9110 OWS)
    for (const char c : v)
        if ((c < 0x20 && c != '\t') || c == 0x7f || static_cast<unsigned char>(c) >= 0x80)
            return std::nullopt;
    if (v.startsWith("=?base64?") && v.endsWith("?=") && v.size() >= 11) {
        const QByteArray encoded = v.mid(9, v.size() - 11);
        if (!isStrictBase64(encoded))
            return std::nullopt;
        const auto decoded = QByteArray::fromBase64Encoding(encoded, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return std::nullopt;
        const QString text = QString::fromUtf8(*decoded);
        if (text.toUtf8() != *decoded)
            return std::nullopt; // not UTF-8
        return text;
    }
    return QString::fromLatin1(v);
}

std::optional<ModernRejection> ModernEra::validate(const QJsonObject &request, const ModernHeaders *headers)
{
    const QString method = request.value(QLatin1String("method")).toString();
    const QJsonObject params = request.value(QLatin1String("params")).toObject();
    std::optional<QString> headerVersion;
    if (headers) {
        if (!headers->protocolVersion)
            return mismatch(QStringLiteral("the MCP-Protocol-Version header is required"));
        headerVersion = headerValue(*headers->protocolVersion);
        if (!headerVersion)
            return mismatch(QStringLiteral("MCP-Protocol-Version holds invalid characters"));
        // A header naming a version nobody speaks, on a request without modern _meta: that version
        // is what is unsupported (the message lists every version of both eras).
        if (*headerVersion != version() && !hasModernMeta(request)) {
            QStringList all = protocol::supportedVersions();
            all.append(version());
            return ModernRejection{
                400, UnsupportedProtocolVersion,
                QStringLiteral("Bad Request: Unsupported protocol version: %1 (supported versions: %2)")
                    .arg(*headerVersion, all.join(QLatin1String(", "))),
                QJsonObject{{QStringLiteral("supported"), QJsonArray::fromStringList(supportedVersions())},
                            {QStringLiteral("requested"), *headerVersion}}};
        }
        if (!headers->method)
            return mismatch(QStringLiteral("the Mcp-Method header is required"));
        const auto headerMethod = headerValue(*headers->method);
        if (!headerMethod)
            return mismatch(QStringLiteral("Mcp-Method holds invalid characters"));
        if (*headerMethod != method)
            return mismatch(QStringLiteral("Mcp-Method header value '%1' does not match body value '%2'")
                                .arg(*headerMethod, method));
        if (const auto field = nameField(method)) {
            const QJsonValue body = params.value(*field);
            if (!headers->name)
                return mismatch(QStringLiteral("the Mcp-Name header is required for %1").arg(method));
            const auto headerName = headerValue(*headers->name);
            if (!headerName)
                return mismatch(QStringLiteral("Mcp-Name holds invalid characters or a broken =?base64? value"));
            if (!body.isString() || *headerName != body.toString())
                return mismatch(QStringLiteral("Mcp-Name header value '%1' does not match body value '%2'")
                                    .arg(*headerName, body.toString()));
        }
    }
    const QJsonValue metaValue = params.value(QLatin1String("_meta"));
    const QJsonObject meta = metaValue.toObject();
    const QJsonValue version = meta.value(metaKey("protocolVersion"));
    if (!metaValue.isObject() || !version.isString() || !meta.value(metaKey("clientCapabilities")).isObject())
        return ModernRejection{400, jsonrpc::InvalidParams,
                               QStringLiteral("Invalid params: _meta must carry %1 (a string) and %2 (an object)")
                                   .arg(metaKey("protocolVersion"), metaKey("clientCapabilities"))};
    if (headerVersion && *headerVersion != version.toString())
        return mismatch(QStringLiteral("MCP-Protocol-Version header value '%1' does not match body value '%2'")
                            .arg(*headerVersion, version.toString()));
    if (version.toString() != ModernEra::version())
        return ModernRejection{
            400, UnsupportedProtocolVersion,
            QStringLiteral("Unsupported protocol version: %1 (supported: %2)")
                .arg(version.toString(), supportedVersions().join(QLatin1String(", "))),
            QJsonObject{{QStringLiteral("supported"), QJsonArray::fromStringList(supportedVersions())},
                        {QStringLiteral("requested"), version.toString()}}};
    return std::nullopt;
}

std::optional<ModernRejection> ModernEra::validateParamHeaders(const QJsonObject &inputSchema,
                                                               const QJsonObject &arguments,
                                                               const ModernHeaders &headers)
{
    QList<MirroredArgument> mirrored;
    collectMirrored(inputSchema, {}, &mirrored);
    for (const MirroredArgument &m : std::as_const(mirrored)) {
        const QString header = QStringLiteral("Mcp-Param-") + m.header;
        const QString argument = m.path.join(QLatin1Char('.'));
        const auto refuse = [&](const char *reason, const QString &message) {
            return mismatch(message, QJsonObject{{QStringLiteral("header"), header},
                                                 {QStringLiteral("argument"), argument},
                                                 {QStringLiteral("reason"), QLatin1String(reason)}});
        };
        const QJsonValue body = valueAt(arguments, m.path);
        const bool present = !body.isUndefined() && !body.isNull();
        const QByteArrayList sent = headers.params.value(m.header.toLatin1().toLower());
        if (sent.size() > 1)
            return refuse("repeated", QStringLiteral("%1 is sent more than once").arg(header));
        if (sent.isEmpty()) {
            if (present)
                return refuse(
                    "missing",
                    QStringLiteral("the %1 header is required: argument '%2' has a value").arg(header, argument));
            continue;
        }
        const auto value = headerValue(sent.first());
        if (!value)
            return refuse("invalid",
                          QStringLiteral("%1 holds invalid characters or a broken =?base64? value").arg(header));
        if (!present)
            return refuse("unexpected",
                          QStringLiteral("%1 is sent but argument '%2' has no value").arg(header, argument));
        if (!headerMatches(*value, body))
            return refuse("mismatch", QStringLiteral("%1 header value '%2' does not match body value '%3'")
                                          .arg(header, *value, headerForm(body)));
    }
    return std::nullopt;
}

QJsonObject ModernEra::missingCapabilities(const QJsonObject &required, const QJsonObject &declared)
{
    QJsonObject missing;
    for (auto it = required.begin(); it != required.end(); ++it) {
        if (it.key() == QLatin1String("extensions")) {
            // Extensions are declared one by one: {"extensions": {"<id>": {...}}}.
            const QJsonObject declaredExtensions = declared.value(it.key()).toObject();
            QJsonObject lacking;
            const QJsonObject wanted = it.value().toObject();
            for (auto e = wanted.begin(); e != wanted.end(); ++e)
                if (!declaredExtensions.value(e.key()).isObject())
                    lacking.insert(e.key(), e.value());
            if (!lacking.isEmpty())
                missing.insert(it.key(), lacking);
        } else if (!declared.value(it.key()).isObject()) {
            missing.insert(it.key(), it.value());
        }
    }
    return missing;
}

bool ModernEra::isCacheable(const QString &method)
{
    static const QStringList cacheable{QStringLiteral("server/discover"),
                                       QStringLiteral("tools/list"),
                                       QStringLiteral("prompts/list"),
                                       QStringLiteral("resources/list"),
                                       QStringLiteral("resources/templates/list"),
                                       QStringLiteral("resources/read")};
    return cacheable.contains(method);
}

void ModernEra::stampResult(const QString &method, QJsonObject &result, bool privateScope, int ttlMs)
{
    if (!result.contains(QLatin1String("resultType")))
        result.insert(QStringLiteral("resultType"), QStringLiteral("complete"));
    if (!isCacheable(method) || result.value(QLatin1String("resultType")).toString() != QLatin1String("complete"))
        return;
    if (!result.contains(QLatin1String("ttlMs")))
        result.insert(QStringLiteral("ttlMs"), ttlMs);
    if (!result.contains(QLatin1String("cacheScope")))
        result.insert(QStringLiteral("cacheScope"),
                      privateScope ? QStringLiteral("private") : QStringLiteral("public"));
}

int ModernEra::httpStatusFor(const QJsonValue &reply)
{
    const QJsonValue error = reply.toObject().value(QLatin1String("error"));
    if (!error.isObject())
        return 200;
    const int code = error.toObject().value(QLatin1String("code")).toInt();
    if (code == jsonrpc::MethodNotFound)
        return 404;
    if (code == HeaderMismatch || code == MissingRequiredClientCapability || code == UnsupportedProtocolVersion)
        return 400;
    return 200;
}

} // namespace koan
