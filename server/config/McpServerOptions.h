#pragma once
// Server configuration, bound from the "Koan:Mcp" section of layered settings (see OptionsLoader).
#include "core/TransportKind.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>

namespace koan {

// Per-entity override, keyed by entity name in "EntityOverrides". Unset fields keep the entity's defaults.
struct EntityOverride {
    std::optional<QString> name;
    std::optional<QString> description;
    std::optional<bool> allowMutations;
    std::optional<bool> requireAuthentication;
    std::optional<QStringList> requiredScopes;
    std::optional<TransportSet> enabledTransports;

    QJsonObject toJson() const;
};

struct McpServerOptions {
    QString environment = QStringLiteral("Development");

    bool enableStdioTransport = true;
    bool enableHttpSseTransport = true;        // legacy HTTP+SSE; the runtime rollback switch
    bool enableStreamableHttpTransport = true;
    bool streamableFollowsHttpSseSwitch = false; // when true, the rollback switch also stops Streamable HTTP
    QString httpSseRoute = QStringLiteral("/mcp");
    QString bindAddress = QStringLiteral("127.0.0.1");
    int port = 5114;

    int maxConcurrentConnections = 500;
    int sseKeepAliveIntervalMs = 15000;
    int sseConnectionTimeoutMs = 30 * 60 * 1000;
    qint64 maxRequestBodyBytes = 4 * 1024 * 1024;
    qint64 maxQueuedBytesPerStream = 1024 * 1024;
    int replayBufferSize = 256;
    bool streamableJsonResponse = false;       // Streamable HTTP: JSON answers unless a handler streams

    std::optional<bool> requireAuthentication; // unset: derived from the environment
    bool requireHttps = false;
    QStringList allowedOrigins;
    QStringList allowedHosts;                  // extra Host names besides loopback and the bind address
    bool publishCapabilityEndpoint = true;

    QString databasePath;                      // empty: <app data>/koan-mcp.sqlite
    bool seedSampleData = true;
    int toolsPageSize = 50;
    QString instructions;

    QMap<QString, EntityOverride> entityOverrides;

    bool isProduction() const { return environment.compare(QLatin1String("Production"), Qt::CaseInsensitive) == 0; }
    // Environment-aware default: anonymous in Development, authenticated in Production.
    bool effectiveRequireAuthentication() const { return requireAuthentication.value_or(isProduction()); }

    // Binds from a merged "Koan:Mcp" object. Unknown keys and bad values are reported by full key path.
    static McpServerOptions fromJson(const QJsonObject &section, QStringList *errors);
    QJsonObject toJson() const;
};

} // namespace koan
