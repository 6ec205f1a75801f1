#pragma once
// MCP protocol revisions this server speaks, and negotiation per the lifecycle spec.
#include <QString>
#include <QStringList>

namespace koan::protocol {

inline const QStringList &supportedVersions()
{
    // Oldest first; the last entry is the newest.
    static const QStringList v{QStringLiteral("2024-11-05"), QStringLiteral("2025-03-26"), QStringLiteral("2025-06-18"),
                               QStringLiteral("2025-11-25")};
    return v;
}
inline QString latestVersion()
{
    return supportedVersions().constLast();
}
inline bool isSupported(const QString &v)
{
    return supportedVersions().contains(v);
}

// Echo the client's version when supported, else answer with our newest.
inline QString negotiate(const QString &requested)
{
    return isSupported(requested) ? requested : latestVersion();
}

// JSON-RPC batches were only part of 2025-03-26.
inline bool allowsBatches(const QString &version)
{
    return version == QLatin1String("2025-03-26");
}
// structuredContent/outputSchema arrived in 2025-06-18.
inline bool hasStructuredContent(const QString &version)
{
    return version >= QLatin1String("2025-06-18");
}

} // namespace koan::protocol
