#pragma once
#include <QFlags>
#include <QString>
#include <QStringList>

namespace koan {

// Transports a session can arrive on. Per-entity EnabledTransports is a set of these.
enum class TransportKind : int {
    None = 0,
    Stdio = 1,
    HttpSse = 2,        // legacy HTTP+SSE (2024-11-05)
    StreamableHttp = 4, // Streamable HTTP (2025-03-26+)
    Operator = 8,       // the admin console's invoke panel (local, trusted)
};
Q_DECLARE_FLAGS(TransportSet, TransportKind)
Q_DECLARE_OPERATORS_FOR_FLAGS(TransportSet)

inline constexpr TransportSet allTransports()
{
    return TransportSet(int(TransportKind::Stdio) | int(TransportKind::HttpSse) | int(TransportKind::StreamableHttp)
                        | int(TransportKind::Operator));
}

QString transportName(TransportKind kind);
QStringList transportNames(TransportSet set);
// Parses "All", "None", "Stdio", "HttpSse", "StreamableHttp", "Operator" (case-insensitive);
// returns false for an unknown name.
bool parseTransportName(const QString &name, TransportSet *out);

} // namespace koan
