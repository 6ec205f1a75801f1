#pragma once
// The two protocol eras served side by side on one endpoint, and the rules of the modern one.
//   Legacy: 2024-11-05 .. 2025-11-25, initialize and sessions (RpcBridge's session path).
//   Modern: 2026-07-28, stateless; every request carries its own _meta and, on HTTP, headers
//           that mirror the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name).
// selectEra() holds the four selection rules; ModernEra everything the modern era checks or adds
// that the legacy era does not. Transports pass what they received; nothing here knows HTTP types.
#include <QByteArrayList>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <optional>

namespace koan {

enum class ProtocolEra { Legacy, Modern };

// What a transport knows about one incoming message when it picks the era.
struct EraInput {
    bool namesSession = false;            // HTTP: an Mcp-Session-Id header is present
    QJsonValue body;                      // the parsed JSON-RPC message (object or batch)
    std::optional<QString> headerVersion; // HTTP: MCP-Protocol-Version; nullopt when absent (always on STDIO)
};

// The four rules (reference §A1), first match wins:
//  1. a session is named                                  -> Legacy (an unknown id is the transport's 404)
//  2. initialize without modern _meta                     -> Legacy (a new session)
//  3. no modern _meta, and no header or a 2025-era header -> Legacy
//  4. anything else                                       -> Modern (stateless, validated by ModernEra)
// "Modern _meta" is a params._meta holding any io.modelcontextprotocol/ key; a legacy client's
// _meta (progressToken alone) is not. Batches are legacy (the modern era has none).
ProtocolEra selectEra(const EraInput &input);

// A modern request refused before dispatch: the HTTP status and the JSON-RPC error.
struct ModernRejection {
    int httpStatus;
    int code;
    QString message;
    QJsonValue data = QJsonValue::Undefined;
};

// The HTTP headers of a modern request that mirror its body, as received (nullopt when absent).
struct ModernHeaders {
    std::optional<QByteArray> protocolVersion;
    std::optional<QByteArray> method;
    std::optional<QByteArray> name;
    // Mcp-Param-{Name} (a tool argument its schema mirrors with x-mcp-header): keyed by {Name}
    // lower-cased, since header names compare case-insensitively; every value sent under it.
    QHash<QByteArray, QByteArrayList> params;
};

class ModernEra
{
public:
    static const QString &version(); // "2026-07-28"
    // What server/discover and -32022 name: the modern revision first, then the newest legacy one.
    static QStringList supportedVersions();

    // _meta keys (io.modelcontextprotocol/...).
    static QString metaKey(const char *name);

    // JSON-RPC error codes of the revision.
    static constexpr int HeaderMismatch = -32020;
    static constexpr int MissingRequiredClientCapability = -32021;
    static constexpr int UnsupportedProtocolVersion = -32022;

    // Checks one request in the reference's order: required headers and their characters, the
    // required _meta keys (-32602), header/body agreement (-32020), the version (-32022).
    // `headers` is null on STDIO (no header rules there).
    static std::optional<ModernRejection> validate(const QJsonObject &request, const ModernHeaders *headers);

    // Methods of the legacy era the modern one removed (404 / -32601 on HTTP).
    static bool isRemovedMethod(const QString &method);
    // A header value as a string: surrounding optional whitespace trimmed, the =?base64?...?=
    // sentinel decoded; nullopt for invalid characters or a broken encoding (strict Base64: the
    // standard alphabet, padded to a multiple of four, valid UTF-8 once decoded).
    static std::optional<QString> headerValue(const QByteArray &raw);

    // tools/call on HTTP: the arguments the tool's inputSchema marks with x-mcp-header (properties
    // reached through `properties` keys only) against their Mcp-Param-{Name} headers. A present,
    // non-null argument needs its header, equal once decoded (integers compared numerically); a
    // header for an absent argument, a repeated one or an undecodable one is refused too. The
    // rejection is -32020 with data {header, argument, reason: missing|mismatch|invalid|unexpected|
    // repeated}. Mcp-Param headers the schema does not name are ignored (an intermediary's).
    static std::optional<ModernRejection>
    validateParamHeaders(const QJsonObject &inputSchema, const QJsonObject &arguments, const ModernHeaders &headers);

    // The capabilities in `required` that `declared` lacks, as a ClientCapabilities object
    // (empty when nothing is missing).
    static QJsonObject missingCapabilities(const QJsonObject &required, const QJsonObject &declared);

    // Completes a modern result: resultType on every result; ttlMs and cacheScope on the cacheable
    // ones (discover, the lists, resources/read), where a handler did not set them.
    // `privateScope`: the answer depends on the caller (e.g. scope-filtered tools).
    static void stampResult(const QString &method, QJsonObject &result, bool privateScope, int ttlMs);
    static bool isCacheable(const QString &method);
    // The HTTP status a dispatched reply takes: 404 for -32601, 400 for the modern protocol
    // errors (-32020..-32022), otherwise 200 (tool and resource errors included).
    static int httpStatusFor(const QJsonValue &reply);
};

} // namespace koan
