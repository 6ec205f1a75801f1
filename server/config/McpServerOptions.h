#pragma once
// Server configuration, bound from the "Koan:Mcp" section of layered settings (see OptionsLoader).
#include "core/TransportKind.h"

#include <QJsonObject>
#include <QList>
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
    std::optional<bool> requireExpectedVersion;
    std::optional<QStringList> requiredScopes;
    std::optional<TransportSet> enabledTransports;

    QJsonObject toJson() const;
    // The same keys as in the settings file ("Name", "AllowMutations", ...); problems in *errors.
    static EntityOverride fromJson(const QJsonObject &json, const QString &path, QStringList *errors);
};

// One trusted issuer bound to its own keys ("Koan:Mcp:Auth:Issuers" items).
struct IssuerBinding {
    QString issuer;
    QString jwksUrl; // exactly one of jwksUrl and jwksFile
    QString jwksFile;
};

// Bearer-token validation ("Koan:Mcp:Auth").
struct AuthOptions {
    QList<IssuerBinding> issuerBindings; // Auth:Issuers: each issuer's tokens validate only with its keys
    QStringList issuers; // Auth:Issuer: accepted "iss" sharing JwksFile/JwksUrl; empty: any (not recommended)
    QString audience;    // resource indicator; empty: <base URL><route>
    QString jwksFile;
    QString jwksUrl;
    int jwksRefreshMinIntervalMs = 60000; // unknown kid triggers at most one refetch per interval
    QStringList allowedAlgorithms{QStringLiteral("RS256"), QStringLiteral("ES256")};
    QByteArray hmacSecret; // HS256 only when set and allowed
    int clockSkewSeconds = 60;
    QStringList scopeClaims{QStringLiteral("scope"), QStringLiteral("scp"),
                            QStringLiteral("http://schemas.microsoft.com/identity/claims/scope")};
    QStringList requiredScopes;          // server-wide, on every authenticated HTTP request
    QStringList authorizationServers;    // published in the protected resource metadata
    std::optional<bool> enableDevIssuer; // unset: on in Development; never anywhere else
    QString devIssuerKeyFile;            // empty: <app data>/dev-issuer-key.pem
};

// Token-bucket rate limiting per subject (or per IP for anonymous callers).
struct RateLimitOptions {
    std::optional<bool> enabled; // unset: on everywhere but Development
    double permitsPerSecond = 50;
    int burst = 100;
};

// GET /metrics (Prometheus) and the operator endpoints under /admin.
struct OperationsOptions {
    bool metricsEnabled = true;
    QString metricsPath = QStringLiteral("/metrics");
    std::optional<QString> metricsAccess; // Public | Loopback | Authenticated; see effectiveMetricsAccess()
    bool adminEndpointEnabled = true;     // PUT /admin/transports/http-sse
    QString adminScope = QStringLiteral("koan:admin"); // needed when authentication is on
};

// The SQLite store ("Koan:Mcp:Store").
struct StoreOptions {
    // FULL: every acknowledged commit has its WAL synced (survives power loss). NORMAL: syncs only at
    // checkpoints, so commits since the last one can be lost on power loss; Development only.
    QString synchronous = QStringLiteral("FULL");
    // Both stores: a client's store call (tool call, resources/read, resources/list, /readyz) not
    // answered within this gets a clear error; the server thread never waits for the database.
    int timeoutSeconds = 10;
    // The store worker's connections (Store:Connections, 1-32); 0, unset: the backend's default.
    int connections = 0;
    // The pool's size for a store: as set, else 4 on PostgreSQL (reads and the parts of writes
    // outside the write lock run side by side) and 2 on a SQLite file (readers in parallel, writes
    // one at a time anyway); none for an in-memory database (it has no worker).
    int connectionsFor(const QString &databaseUrl, const QString &databasePath) const;
};

// Long-running tools/calls as tasks of the tasks extension ("Koan:Mcp:Tasks").
struct TaskOptions {
    bool enabled = true;            // advertised in server/discover only when on
    int resultTtlSeconds = 3600;    // a finished task's result is kept this long
    int maxRunningPerPrincipal = 4; // running (working or input_required) tasks of one caller
    int maxRunning = 32;            // and of everyone
    int pollIntervalMs = 1000;      // what tasks suggest to pollers
};

struct McpServerOptions {
    QString environment = QStringLiteral("Development");

    bool enableStdioTransport = true;
    bool enableHttpSseTransport = true; // legacy HTTP+SSE; the runtime rollback switch
    bool enableStreamableHttpTransport = true;
    bool streamableFollowsHttpSseSwitch = false; // when true, the rollback switch also stops Streamable HTTP
    QString httpSseRoute = QStringLiteral("/mcp");
    QString bindAddress = QStringLiteral("127.0.0.1");
    int port = 5114;

    int maxConcurrentConnections = 500;
    int maxSessions = 10000; // live sessions of every HTTP transport (Streamable ones may hold no stream)
    int sseKeepAliveIntervalMs = 15000;
    int sseConnectionTimeoutMs = 30 * 60 * 1000;
    qint64 maxRequestBodyBytes = 4 * 1024 * 1024;
    qint64 maxHeaderBytes = 64 * 1024;  // request line + headers; 431 beyond
    int maxHeaderCount = 100;           // header fields per request; 431 beyond (Qt drops all past 100)
    int headerReadTimeoutMs = 10000;    // a request head must be complete within this (408)
    int bodyReadTimeoutMs = 30000;      // a declared body must be complete within this (408)
    int keepAliveIdleTimeoutMs = 60000; // idle keep-alive connections are closed (SSE streams exempt)
    qint64 maxQueuedBytesPerStream = 1024 * 1024;
    int replayBufferSize = 256;
    bool streamableJsonResponse = false; // Streamable HTTP: JSON answers unless a handler streams
    // 2026-07-28 MRTR: a file holding the key that seals requestStates (HMAC-SHA256, at least 32
    // bytes); replicas sharing it accept each other's states. Empty: a random key per process.
    QString requestStateKeyFile;

    std::optional<bool> requireAuthentication; // unset: derived from the environment
    std::optional<bool> requireHttps;          // unset: on everywhere but Development
    QStringList trustedProxies;                // IPs/CIDRs whose X-Forwarded-Proto/-For are believed
    QString tlsCertificateFile;                // PEM; with tlsKeyFile serves HTTPS directly
    QString tlsKeyFile;
    int tlsHandshakeTimeoutMs = 10000; // HTTPS: a connection not through its handshake by then is closed
    AuthOptions auth;
    RateLimitOptions rateLimit;
    OperationsOptions operations;
    QStringList logRedactPatterns; // extra regular expressions masked in logs
    QStringList allowedOrigins;
    QStringList allowedHosts; // extra Host names besides loopback and the bind address
    bool publishCapabilityEndpoint = true;

    QString databasePath; // empty: <app data>/koan-mcp.sqlite
    // postgresql://user:password@host:port/database[?sslmode=...]: the PostgreSQL store instead of
    // SQLite (DatabasePath is then unused). Its password never leaves this struct: print, log and
    // report it only through redactedDatabaseUrl().
    QString databaseUrl;
    StoreOptions store;
    TaskOptions tasks;
    bool seedSampleData = true;
    int toolsPageSize = 100;
    QString instructions;

    QMap<QString, EntityOverride> entityOverrides;

    // Only Development (any case) is relaxed: Staging, Production or a misspelt name all get the
    // secure defaults, so a typo in KOAN_ENVIRONMENT never opens the server up.
    // The URL with its password replaced by "***" (empty stays empty).
    static QString redactDatabaseUrl(const QString &url);
    // Empty, or why `url` is no usable PostgreSQL URL (never quoting the password).
    static QString databaseUrlProblem(const QString &url);
    bool isDevelopment() const { return environment.compare(QLatin1String("Development"), Qt::CaseInsensitive) == 0; }
    bool effectiveRequireAuthentication() const { return requireAuthentication.value_or(!isDevelopment()); }
    bool effectiveRequireHttps() const { return requireHttps.value_or(!isDevelopment()); }
    bool effectiveDevIssuer() const { return isDevelopment() && auth.enableDevIssuer.value_or(true); }
    bool effectiveRateLimit() const { return rateLimit.enabled.value_or(!isDevelopment()); }
    // /metrics is public only in Development unless Metrics:Access says otherwise.
    QString effectiveMetricsAccess() const
    {
        return operations.metricsAccess.value_or(isDevelopment() ? QStringLiteral("Public")
                                                                 : QStringLiteral("Authenticated"));
    }
    bool tlsEnabled() const { return !tlsCertificateFile.isEmpty() && !tlsKeyFile.isEmpty(); }

    // The base URL clients reach this server at. A wildcard bind address (0.0.0.0, ::) is not an
    // address anyone connects to, so it maps to loopback, as for the dev tokens `koan-mcp token` issues.
    QString publicBaseUrl(int listeningPort) const;
    // This server's resource indicator (token audience, RFC 9728 "resource"): Auth:Audience when set
    // (the explicit public URL behind a proxy), else publicBaseUrl() + HttpSseRoute.
    QString resourceUri(int listeningPort) const;
    // Startup errors when bearer tokens are validated outside Development without a pinned issuer
    // (any "iss" would pass) or without a key source. `tokensInUse`: authentication required on
    // HTTP, or a STDIO token given.
    QStringList tokenValidationProblems(bool tokensInUse) const;

    // Binds from a merged "Koan:Mcp" object. Unknown keys and bad values are reported by full key path.
    static McpServerOptions fromJson(const QJsonObject &section, QStringList *errors);
    QJsonObject toJson() const;
};

} // namespace koan
