#include "McpServerOptions.h"

#include "http/Subnet.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QUrl>
#include <QUrlQuery>
#include <QRegularExpression>
#include <QSet>
#include <functional>

namespace koan {

namespace {

// Reads typed values from one JSON object, case-insensitively, recording every problem by key path.
class Binder
{
public:
    Binder(const QJsonObject &obj, QString prefix, QStringList *errors)
        : m_obj(obj), m_prefix(std::move(prefix)), m_errors(errors)
    { }

    // Returns the value for `key` (any case) and marks the key as known.
    QJsonValue take(const QString &key)
    {
        for (auto it = m_obj.begin(); it != m_obj.end(); ++it)
            if (it.key().compare(key, Qt::CaseInsensitive) == 0) {
                m_known.insert(it.key());
                return it.value();
            }
        return QJsonValue::Undefined;
    }
    QString path(const QString &key) const { return m_prefix + QLatin1Char(':') + key; }
    void error(const QString &key, const QString &what)
    {
        m_errors->append(QStringLiteral("%1: %2").arg(path(key), what));
    }

    std::optional<bool> boolean(const QString &key)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        if (v.isBool())
            return v.toBool();
        const QString s = v.toString().trimmed().toLower();
        if (s == QLatin1String("true") || s == QLatin1String("1"))
            return true;
        if (s == QLatin1String("false") || s == QLatin1String("0"))
            return false;
        error(key, QStringLiteral("expected true or false, got %1").arg(describe(v)));
        return std::nullopt;
    }
    void boolean(const QString &key, bool &out)
    {
        if (const auto b = boolean(key))
            out = *b;
    }
    template<typename Int> void integer(const QString &key, Int &out, qint64 min, qint64 max)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || v.isNull())
            return;
        bool ok = v.isDouble() && v.toDouble() == qint64(v.toDouble());
        qint64 n = ok ? qint64(v.toDouble()) : 0;
        if (v.isString())
            n = v.toString().trimmed().toLongLong(&ok);
        if (!ok)
            return error(key, QStringLiteral("expected an integer, got %1").arg(describe(v)));
        if (n < min || n > max)
            return error(key, QStringLiteral("must be between %1 and %2, got %3").arg(min).arg(max).arg(n));
        out = Int(n);
    }
    // Seconds as a number, or a string: "15", "15s", "500ms", "30m", "1h", or TimeSpan "00:00:15".
    void durationMs(const QString &key, int &out, qint64 minMs)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || v.isNull())
            return;
        std::optional<qint64> ms;
        if (v.isDouble())
            ms = qint64(v.toDouble() * 1000);
        else if (v.isString())
            ms = parseDuration(v.toString().trimmed());
        if (!ms)
            return error(key, QStringLiteral(
                                  "expected a duration (seconds, \"500ms\", \"15s\", \"30m\" or \"hh:mm:ss\"), got %1")
                                  .arg(describe(v)));
        if (*ms < minMs || *ms > qint64(24) * 3600 * 1000)
            return error(key, QStringLiteral("must be between %1 ms and 24 h").arg(minMs));
        out = int(*ms);
    }
    std::optional<QString> optString(const QString &key, const std::function<QString(const QString &)> &check = {})
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        if (!v.isString()) {
            error(key, QStringLiteral("expected a string, got %1").arg(describe(v)));
            return std::nullopt;
        }
        if (check)
            if (const QString problem = check(v.toString()); !problem.isEmpty()) {
                error(key, problem);
                return std::nullopt;
            }
        return v.toString();
    }
    void string(const QString &key, QString &out, const std::function<QString(const QString &)> &check = {})
    {
        if (const auto s = optString(key, check))
            out = *s;
    }
    // An array, an object with index keys (from environment variables), or a comma-separated string.
    std::optional<QStringList> stringList(const QString &key)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        QStringList out;
        if (v.isString()) {
            for (const QString &part : v.toString().split(QLatin1Char(','), Qt::SkipEmptyParts))
                out << part.trimmed();
            return out;
        }
        QJsonArray arr = v.toArray();
        if (v.isObject())
            for (const auto &item : v.toObject())
                arr.append(item);
        if (!v.isArray() && !v.isObject()) {
            error(key, QStringLiteral("expected a list of strings, got %1").arg(describe(v)));
            return std::nullopt;
        }
        for (const auto &item : arr) {
            if (!item.isString()) {
                error(key, QStringLiteral("expected a list of strings, found %1").arg(describe(item)));
                return std::nullopt;
            }
            out << item.toString();
        }
        return out;
    }
    void reportUnknown()
    {
        for (auto it = m_obj.begin(); it != m_obj.end(); ++it)
            if (!m_known.contains(it.key()))
                m_errors->append(QStringLiteral("%1: unknown setting").arg(path(it.key())));
    }

    static QString describe(const QJsonValue &v)
    {
        switch (v.type()) {
        case QJsonValue::String:
            return QLatin1Char('"') + v.toString() + QLatin1Char('"');
        case QJsonValue::Double:
            return QString::number(v.toDouble());
        case QJsonValue::Bool:
            return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        case QJsonValue::Array:
            return QStringLiteral("an array");
        case QJsonValue::Object:
            return QStringLiteral("an object");
        default:
            return QStringLiteral("null");
        }
    }
    static std::optional<qint64> parseDuration(const QString &s)
    {
        static const QRegularExpression unit(QStringLiteral("^(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?$"));
        static const QRegularExpression span(QStringLiteral("^(\\d+):(\\d{2}):(\\d{2})(?:\\.(\\d{1,3}))?$"));
        if (const auto m = unit.match(s); m.hasMatch()) {
            const double n = m.captured(1).toDouble();
            const QString u = m.captured(2);
            const double factor = u == QLatin1String("ms")  ? 1
                                  : u == QLatin1String("m") ? 60000
                                  : u == QLatin1String("h") ? 3600000
                                                            : 1000;
            return qint64(n * factor);
        }
        if (const auto m = span.match(s); m.hasMatch())
            return (m.captured(1).toLongLong() * 3600 + m.captured(2).toLongLong() * 60 + m.captured(3).toLongLong())
                       * 1000
                   + m.captured(4).leftJustified(3, QLatin1Char('0')).toLongLong();
        return std::nullopt;
    }

private:
    QJsonObject m_obj;
    QString m_prefix;
    QStringList *m_errors;
    QSet<QString> m_known;
};

QString checkRoute(const QString &route)
{
    static const QRegularExpression ok(QStringLiteral("^(/[A-Za-z0-9_\\-]+)+$"));
    return ok.match(route).hasMatch()
               ? QString()
               : QStringLiteral("must look like /mcp (letters, digits, - and _ segments, no trailing slash)");
}

QString checkToolName(const QString &name)
{
    static const QRegularExpression ok(QStringLiteral("^[a-z0-9][a-z0-9\\-]{0,63}$"));
    return ok.match(name).hasMatch() ? QString()
                                     : QStringLiteral("must be lower-case letters, digits and '-' (e.g. trial-site)");
}

EntityOverride bindOverride(const QJsonObject &obj, const QString &prefix, QStringList *errors)
{
    Binder b(obj, prefix, errors);
    EntityOverride o;
    o.name = b.optString(QStringLiteral("Name"), checkToolName);
    o.description = b.optString(QStringLiteral("Description"));
    o.allowMutations = b.boolean(QStringLiteral("AllowMutations"));
    o.requireAuthentication = b.boolean(QStringLiteral("RequireAuthentication"));
    o.requireExpectedVersion = b.boolean(QStringLiteral("RequireExpectedVersion"));
    o.requiredScopes = b.stringList(QStringLiteral("RequiredScopes"));
    if (const auto transports = b.stringList(QStringLiteral("EnabledTransports"))) {
        TransportSet set;
        bool ok = true;
        for (const QString &t : *transports) {
            TransportSet one;
            if (!parseTransportName(t, &one)) {
                b.error(
                    QStringLiteral("EnabledTransports"),
                    QStringLiteral("unknown transport \"%1\" (use All, None, Stdio, HttpSse, StreamableHttp, Operator)")
                        .arg(t));
                ok = false;
            }
            set |= one;
        }
        if (ok)
            o.enabledTransports = set;
    }
    b.reportUnknown();
    return o;
}

template<typename F> void bindSection(Binder &parent, const QString &key, QStringList *errors, F bind)
{
    const QJsonValue v = parent.take(key);
    if (v.isUndefined() || v.isNull())
        return;
    if (!v.isObject())
        return parent.error(key, QStringLiteral("expected an object"));
    Binder b(v.toObject(), parent.path(key), errors);
    bind(b);
    b.reportUnknown();
}

// Auth:Issuers: [{"Issuer": "...", "JwksUrl": "..."} | {"Issuer": "...", "JwksFile": "..."}, ...]
// (an object with index keys when it comes from environment variables).
void bindIssuers(Binder &auth, AuthOptions &a, QStringList *errors)
{
    const QJsonValue v = auth.take(QStringLiteral("Issuers"));
    if (v.isUndefined() || v.isNull())
        return;
    QJsonArray items = v.toArray();
    if (v.isObject())
        for (const auto &item : v.toObject())
            items.append(item);
    if (!v.isArray() && !v.isObject())
        return auth.error(QStringLiteral("Issuers"),
                          QStringLiteral("expected a list of {\"Issuer\", \"JwksUrl\" or \"JwksFile\"} objects"));
    QSet<QString> seen;
    for (int i = 0; i < items.size(); ++i) {
        const QString key = QStringLiteral("Issuers:%1").arg(i);
        if (!items.at(i).isObject()) {
            auth.error(key, QStringLiteral("expected an object with Issuer and JwksUrl or JwksFile"));
            continue;
        }
        Binder b(items.at(i).toObject(), auth.path(key), errors);
        IssuerBinding binding;
        b.string(QStringLiteral("Issuer"), binding.issuer);
        b.string(QStringLiteral("JwksUrl"), binding.jwksUrl, [](const QString &u) {
            return u.startsWith(QLatin1String("https://")) || u.startsWith(QLatin1String("http://"))
                       ? QString()
                       : QStringLiteral("must be an http(s) URL");
        });
        b.string(QStringLiteral("JwksFile"), binding.jwksFile);
        b.reportUnknown();
        if (binding.issuer.isEmpty())
            b.error(QStringLiteral("Issuer"), QStringLiteral("required"));
        else if (seen.contains(binding.issuer) || a.issuers.contains(binding.issuer))
            b.error(QStringLiteral("Issuer"),
                    QStringLiteral("'%1' is listed twice (in Auth:Issuers or Auth:Issuer)").arg(binding.issuer));
        if (binding.jwksUrl.isEmpty() == binding.jwksFile.isEmpty())
            b.error(QStringLiteral("JwksUrl"), QStringLiteral("set exactly one of JwksUrl and JwksFile"));
        seen.insert(binding.issuer);
        a.issuerBindings << binding;
    }
}

void bindAuth(Binder &parent, McpServerOptions &o, QStringList *errors)
{
    bindSection(parent, QStringLiteral("Auth"), errors, [&](Binder &b) {
        AuthOptions &a = o.auth;
        if (const auto v = b.stringList(QStringLiteral("Issuer")))
            a.issuers = *v;
        bindIssuers(b, a, errors);
        b.string(QStringLiteral("Audience"), a.audience);
        b.string(QStringLiteral("JwksFile"), a.jwksFile);
        b.string(QStringLiteral("JwksUrl"), a.jwksUrl, [](const QString &u) {
            return u.startsWith(QLatin1String("https://")) || u.startsWith(QLatin1String("http://"))
                       ? QString()
                       : QStringLiteral("must be an http(s) URL");
        });
        b.durationMs(QStringLiteral("JwksRefreshMinInterval"), a.jwksRefreshMinIntervalMs, 1000);
        if (const auto v = b.stringList(QStringLiteral("AllowedAlgorithms"))) {
            static const QStringList known{QStringLiteral("RS256"), QStringLiteral("ES256"), QStringLiteral("HS256")};
            for (const QString &alg : *v)
                if (!known.contains(alg))
                    b.error(QStringLiteral("AllowedAlgorithms"),
                            QStringLiteral("'%1' is not supported (RS256, ES256, HS256)").arg(alg));
            a.allowedAlgorithms = *v;
        }
        QString secret;
        b.string(QStringLiteral("HmacSecret"), secret);
        a.hmacSecret = secret.toUtf8();
        if (a.allowedAlgorithms.contains(QStringLiteral("HS256")) && a.hmacSecret.size() < 32)
            b.error(QStringLiteral("HmacSecret"),
                    QStringLiteral("HS256 is allowed, so a shared secret of at least 32 bytes is required"));
        b.integer(QStringLiteral("ClockSkewSeconds"), a.clockSkewSeconds, 0, 600);
        if (const auto v = b.stringList(QStringLiteral("ScopeClaims")))
            a.scopeClaims = *v;
        if (const auto v = b.stringList(QStringLiteral("ExtraScopeClaims")))
            a.scopeClaims += *v;
        if (const auto v = b.stringList(QStringLiteral("RequiredScopes")))
            a.requiredScopes = *v;
        if (const auto v = b.stringList(QStringLiteral("AuthorizationServers")))
            a.authorizationServers = *v;
        a.enableDevIssuer = b.boolean(QStringLiteral("EnableDevIssuer"));
        if (a.enableDevIssuer.value_or(false) && !o.isDevelopment())
            b.error(QStringLiteral("EnableDevIssuer"),
                    QStringLiteral("the dev token issuer is only allowed in Development (environment: %1)")
                        .arg(o.environment));
        b.string(QStringLiteral("DevIssuerKeyFile"), a.devIssuerKeyFile);
    });
}

void bindRateLimit(Binder &parent, McpServerOptions &o, QStringList *errors)
{
    bindSection(parent, QStringLiteral("RateLimit"), errors, [&](Binder &b) {
        o.rateLimit.enabled = b.boolean(QStringLiteral("Enabled"));
        int rate = int(o.rateLimit.permitsPerSecond);
        b.integer(QStringLiteral("PermitsPerSecond"), rate, 1, 1000000);
        o.rateLimit.permitsPerSecond = rate;
        b.integer(QStringLiteral("Burst"), o.rateLimit.burst, 1, 1000000);
    });
}

} // namespace

EntityOverride EntityOverride::fromJson(const QJsonObject &json, const QString &path, QStringList *errors)
{
    return bindOverride(json, path, errors);
}

QJsonObject EntityOverride::toJson() const
{
    QJsonObject o;
    if (name)
        o.insert(QStringLiteral("Name"), *name);
    if (description)
        o.insert(QStringLiteral("Description"), *description);
    if (allowMutations)
        o.insert(QStringLiteral("AllowMutations"), *allowMutations);
    if (requireAuthentication)
        o.insert(QStringLiteral("RequireAuthentication"), *requireAuthentication);
    if (requireExpectedVersion)
        o.insert(QStringLiteral("RequireExpectedVersion"), *requireExpectedVersion);
    if (requiredScopes)
        o.insert(QStringLiteral("RequiredScopes"), QJsonArray::fromStringList(*requiredScopes));
    if (enabledTransports)
        o.insert(QStringLiteral("EnabledTransports"), QJsonArray::fromStringList(transportNames(*enabledTransports)));
    return o;
}

int StoreOptions::connectionsFor(const QString &databaseUrl, const QString &databasePath) const
{
    if (databaseUrl.isEmpty() && databasePath == QLatin1String(":memory:"))
        return 0;
    if (connections > 0)
        return connections;
    return databaseUrl.isEmpty() ? 2 : 4;
}

QString McpServerOptions::redactDatabaseUrl(const QString &url)
{
    if (url.isEmpty())
        return url;
    QUrl u(url, QUrl::StrictMode);
    if (!u.isValid())
        return QStringLiteral("(an unparsable URL)");
    if (!u.password().isEmpty())
        u.setPassword(QStringLiteral("***"));
    QUrlQuery query(u);
    if (query.hasQueryItem(QStringLiteral("password"))) {
        query.removeAllQueryItems(QStringLiteral("password"));
        query.addQueryItem(QStringLiteral("password"), QStringLiteral("***"));
        u.setQuery(query);
    }
    return u.toString();
}

QString McpServerOptions::databaseUrlProblem(const QString &url)
{
    if (url.isEmpty())
        return {};
    const QUrl u(url, QUrl::StrictMode);
    if (!u.isValid())
        return QStringLiteral("not a valid URL (expected postgresql://user:password@host:port/database)");
    if (u.scheme() != QLatin1String("postgresql") && u.scheme() != QLatin1String("postgres"))
        return QStringLiteral("the scheme must be postgresql:// (got \"%1\")").arg(u.scheme());
    if (u.host().isEmpty() && !QUrlQuery(u).hasQueryItem(QStringLiteral("host")))
        return QStringLiteral("names no host (expected postgresql://user:password@host:port/database)");
    if (u.path().mid(1).isEmpty() || u.path().mid(1).contains(QLatin1Char('/')))
        return QStringLiteral("names no database (expected postgresql://user:password@host:port/database)");
    return {};
}

McpServerOptions McpServerOptions::fromJson(const QJsonObject &section, QStringList *errors)
{
    McpServerOptions o;
    Binder b(section, QStringLiteral("Koan:Mcp"), errors);
    b.string(QStringLiteral("Environment"), o.environment);
    b.boolean(QStringLiteral("EnableStdioTransport"), o.enableStdioTransport);
    b.boolean(QStringLiteral("EnableHttpSseTransport"), o.enableHttpSseTransport);
    b.boolean(QStringLiteral("EnableStreamableHttpTransport"), o.enableStreamableHttpTransport);
    b.boolean(QStringLiteral("StreamableFollowsHttpSseSwitch"), o.streamableFollowsHttpSseSwitch);
    b.string(QStringLiteral("HttpSseRoute"), o.httpSseRoute, checkRoute);
    b.string(QStringLiteral("BindAddress"), o.bindAddress, [](const QString &a) {
        static const QRegularExpression ok(QStringLiteral("^[0-9A-Za-z.:\\-]+$"));
        return ok.match(a).hasMatch() ? QString() : QStringLiteral("must be an IP address or host name");
    });
    b.integer(QStringLiteral("Port"), o.port, 0, 65535);
    b.integer(QStringLiteral("MaxConcurrentConnections"), o.maxConcurrentConnections, 1, 1000000);
    b.integer(QStringLiteral("MaxSessions"), o.maxSessions, 1, 10000000);
    b.durationMs(QStringLiteral("SseKeepAliveInterval"), o.sseKeepAliveIntervalMs, 10);
    b.durationMs(QStringLiteral("SseConnectionTimeout"), o.sseConnectionTimeoutMs, 10);
    b.integer(QStringLiteral("MaxRequestBodyBytes"), o.maxRequestBodyBytes, 1024, qint64(1) << 30);
    b.integer(QStringLiteral("MaxHeaderBytes"), o.maxHeaderBytes, 1024, 16 * 1024 * 1024);
    b.integer(QStringLiteral("MaxHeaderCount"), o.maxHeaderCount, 1, 100);
    b.durationMs(QStringLiteral("HeaderReadTimeout"), o.headerReadTimeoutMs, 100);
    b.durationMs(QStringLiteral("BodyReadTimeout"), o.bodyReadTimeoutMs, 100);
    b.durationMs(QStringLiteral("KeepAliveIdleTimeout"), o.keepAliveIdleTimeoutMs, 100);
    b.integer(QStringLiteral("MaxQueuedBytesPerStream"), o.maxQueuedBytesPerStream, 1024, qint64(1) << 30);
    b.integer(QStringLiteral("ReplayBufferSize"), o.replayBufferSize, 0, 100000);
    b.boolean(QStringLiteral("StreamableJsonResponse"), o.streamableJsonResponse);
    b.string(QStringLiteral("RequestStateKeyFile"), o.requestStateKeyFile);
    o.requireAuthentication = b.boolean(QStringLiteral("RequireAuthentication"));
    o.requireHttps = b.boolean(QStringLiteral("RequireHttps"));
    if (const auto proxies = b.stringList(QStringLiteral("TrustedProxies"))) {
        for (const QString &p : *proxies)
            if (parseSubnet(p))
                o.trustedProxies << p;
            else
                b.error(QStringLiteral("TrustedProxies"),
                        QStringLiteral("'%1' is not an IP address or CIDR range").arg(p));
    }
    b.string(QStringLiteral("TlsCertificateFile"), o.tlsCertificateFile);
    b.string(QStringLiteral("TlsKeyFile"), o.tlsKeyFile);
    if ((o.tlsCertificateFile.isEmpty()) != (o.tlsKeyFile.isEmpty()))
        b.error(QStringLiteral("TlsCertificateFile"),
                QStringLiteral("TlsCertificateFile and TlsKeyFile must be set together"));
    b.durationMs(QStringLiteral("TlsHandshakeTimeout"), o.tlsHandshakeTimeoutMs, 100);
    bindAuth(b, o, errors);
    bindRateLimit(b, o, errors);
    bindSection(b, QStringLiteral("Metrics"), errors, [&](Binder &m) {
        m.boolean(QStringLiteral("Enabled"), o.operations.metricsEnabled);
        m.string(QStringLiteral("Path"), o.operations.metricsPath, checkRoute);
        if (const auto access = m.optString(QStringLiteral("Access"), [](const QString &v) {
                return QStringList{QStringLiteral("Public"), QStringLiteral("Loopback"),
                                   QStringLiteral("Authenticated")}
                               .contains(v)
                           ? QString()
                           : QStringLiteral("must be Public, Loopback or Authenticated");
            }))
            o.operations.metricsAccess = *access;
    });
    bindSection(b, QStringLiteral("Logging"), errors, [&](Binder &l) {
        if (const auto patterns = l.stringList(QStringLiteral("RedactPatterns"))) {
            for (const QString &p : *patterns)
                if (!QRegularExpression(p).isValid())
                    l.error(QStringLiteral("RedactPatterns"),
                            QStringLiteral("'%1' is not a valid regular expression").arg(p));
            o.logRedactPatterns = *patterns;
        }
    });
    bindSection(b, QStringLiteral("Admin"), errors, [&](Binder &a) {
        a.boolean(QStringLiteral("Enabled"), o.operations.adminEndpointEnabled);
        a.string(QStringLiteral("RequiredScope"), o.operations.adminScope);
    });
    if (const auto origins = b.stringList(QStringLiteral("AllowedOrigins")))
        o.allowedOrigins = *origins;
    if (const auto hosts = b.stringList(QStringLiteral("AllowedHosts")))
        o.allowedHosts = *hosts;
    b.boolean(QStringLiteral("PublishCapabilityEndpoint"), o.publishCapabilityEndpoint);
    b.string(QStringLiteral("DatabasePath"), o.databasePath);
    b.string(QStringLiteral("DatabaseUrl"), o.databaseUrl, databaseUrlProblem);
    bindSection(b, QStringLiteral("Store"), errors, [&](Binder &st) {
        st.integer(QStringLiteral("TimeoutSeconds"), o.store.timeoutSeconds, 1, 600);
        st.integer(QStringLiteral("Connections"), o.store.connections, 1, 32);
        const auto mode = st.optString(QStringLiteral("Synchronous"), [](const QString &v) {
            const QString m = v.trimmed().toUpper();
            return m == QLatin1String("FULL") || m == QLatin1String("NORMAL")
                       ? QString()
                       : QStringLiteral("must be FULL or NORMAL, got \"%1\"").arg(v);
        });
        if (!mode)
            return;
        const QString value = mode->trimmed().toUpper();
        if (value == QLatin1String("NORMAL") && !o.isDevelopment())
            return st.error(QStringLiteral("Synchronous"),
                            QStringLiteral("NORMAL is only allowed in Development (environment: %1): it can lose "
                                           "acknowledged writes on power loss or an OS crash; use FULL")
                                .arg(o.environment));
        o.store.synchronous = value;
    });
    bindSection(b, QStringLiteral("Tasks"), errors, [&](Binder &t) {
        t.boolean(QStringLiteral("Enabled"), o.tasks.enabled);
        t.integer(QStringLiteral("ResultTtlSeconds"), o.tasks.resultTtlSeconds, 1, 30 * 24 * 3600);
        t.integer(QStringLiteral("MaxRunningPerPrincipal"), o.tasks.maxRunningPerPrincipal, 1, 10000);
        t.integer(QStringLiteral("MaxRunning"), o.tasks.maxRunning, 1, 100000);
        t.integer(QStringLiteral("PollIntervalMs"), o.tasks.pollIntervalMs, 10, 600000);
    });
    b.boolean(QStringLiteral("SeedSampleData"), o.seedSampleData);
    b.integer(QStringLiteral("ToolsPageSize"), o.toolsPageSize, 1, 1000);
    b.string(QStringLiteral("Instructions"), o.instructions);

    const QJsonValue overrides = b.take(QStringLiteral("EntityOverrides"));
    if (overrides.isObject()) {
        const QJsonObject map = overrides.toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString prefix = b.path(QStringLiteral("EntityOverrides")) + QLatin1Char(':') + it.key();
            if (!it.value().isObject()) {
                errors->append(QStringLiteral("%1: expected an object").arg(prefix));
                continue;
            }
            o.entityOverrides.insert(it.key(), bindOverride(it.value().toObject(), prefix, errors));
        }
    } else if (!overrides.isUndefined() && !overrides.isNull()) {
        b.error(QStringLiteral("EntityOverrides"), QStringLiteral("expected an object keyed by entity name"));
    }
    b.reportUnknown();
    return o;
}

QString McpServerOptions::publicBaseUrl(int listeningPort) const
{
    QString host = bindAddress;
    if (host == QLatin1String("0.0.0.0") || host.isEmpty())
        host = QStringLiteral("127.0.0.1");
    else if (host == QLatin1String("::") || host == QLatin1String("::0"))
        host = QStringLiteral("::1");
    if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("%1://%2:%3")
        .arg(tlsEnabled() ? QStringLiteral("https") : QStringLiteral("http"), host)
        .arg(listeningPort);
}

QString McpServerOptions::resourceUri(int listeningPort) const
{
    return auth.audience.isEmpty() ? publicBaseUrl(listeningPort) + httpSseRoute : auth.audience;
}

QStringList McpServerOptions::tokenValidationProblems(bool tokensInUse) const
{
    QStringList problems;
    if (isDevelopment() || !tokensInUse)
        return problems;
    const bool hmac = auth.allowedAlgorithms.contains(QStringLiteral("HS256")) && !auth.hmacSecret.isEmpty();
    const bool sharedKeys = !auth.jwksUrl.isEmpty() || !auth.jwksFile.isEmpty() || hmac;
    // Bound issuers (Auth:Issuers) are pinned by construction; a shared key source needs its list.
    if (auth.issuers.isEmpty() && (sharedKeys || auth.issuerBindings.isEmpty()))
        problems
            << QStringLiteral(
                   "Koan:Mcp:Auth:Issuer: required outside Development when tokens are validated (environment: %1); "
                   "list the issuer(s) whose tokens this server accepts, or any \"iss\" would do")
                   .arg(environment);
    // Keys fetched over plain HTTP can be swapped by anyone on the path: HTTPS outside
    // Development, unless the key server is on this host.
    QStringList urls{auth.jwksUrl};
    for (const IssuerBinding &b : auth.issuerBindings)
        urls << b.jwksUrl;
    for (const QString &url : std::as_const(urls)) {
        const QUrl u(url);
        if (!url.isEmpty() && u.scheme() != QLatin1String("https") && !QHostAddress(u.host()).isLoopback()
            && u.host() != QLatin1String("localhost"))
            problems << QStringLiteral(
                            "Koan:Mcp:Auth:JwksUrl: %1 must use https outside Development (environment: %2): "
                            "keys fetched over plain HTTP can be replaced in transit")
                            .arg(url, environment);
    }
    if (!sharedKeys && auth.issuerBindings.isEmpty())
        problems << QStringLiteral(
                        "Koan:Mcp:Auth:JwksUrl: a key source is required outside Development when tokens are validated "
                        "(environment: %1); set Auth:JwksUrl or Auth:JwksFile (or Auth:HmacSecret with HS256)")
                        .arg(environment);
    return problems;
}

QJsonObject McpServerOptions::toJson() const
{
    QJsonObject overrides;
    for (auto it = entityOverrides.begin(); it != entityOverrides.end(); ++it)
        overrides.insert(it.key(), it.value().toJson());
    QJsonObject o{
        {QStringLiteral("Environment"), environment},
        {QStringLiteral("EnableStdioTransport"), enableStdioTransport},
        {QStringLiteral("EnableHttpSseTransport"), enableHttpSseTransport},
        {QStringLiteral("EnableStreamableHttpTransport"), enableStreamableHttpTransport},
        {QStringLiteral("StreamableFollowsHttpSseSwitch"), streamableFollowsHttpSseSwitch},
        {QStringLiteral("HttpSseRoute"), httpSseRoute},
        {QStringLiteral("BindAddress"), bindAddress},
        {QStringLiteral("Port"), port},
        {QStringLiteral("MaxConcurrentConnections"), maxConcurrentConnections},
        {QStringLiteral("MaxSessions"), maxSessions},
        {QStringLiteral("SseKeepAliveInterval"), QStringLiteral("%1ms").arg(sseKeepAliveIntervalMs)},
        {QStringLiteral("SseConnectionTimeout"), QStringLiteral("%1ms").arg(sseConnectionTimeoutMs)},
        {QStringLiteral("MaxRequestBodyBytes"), double(maxRequestBodyBytes)},
        {QStringLiteral("MaxHeaderBytes"), double(maxHeaderBytes)},
        {QStringLiteral("MaxHeaderCount"), maxHeaderCount},
        {QStringLiteral("HeaderReadTimeout"), QStringLiteral("%1ms").arg(headerReadTimeoutMs)},
        {QStringLiteral("BodyReadTimeout"), QStringLiteral("%1ms").arg(bodyReadTimeoutMs)},
        {QStringLiteral("KeepAliveIdleTimeout"), QStringLiteral("%1ms").arg(keepAliveIdleTimeoutMs)},
        {QStringLiteral("MaxQueuedBytesPerStream"), double(maxQueuedBytesPerStream)},
        {QStringLiteral("ReplayBufferSize"), replayBufferSize},
        {QStringLiteral("StreamableJsonResponse"), streamableJsonResponse},
        {QStringLiteral("RequestStateKeyFile"), requestStateKeyFile},
        {QStringLiteral("TrustedProxies"), QJsonArray::fromStringList(trustedProxies)},
        {QStringLiteral("TlsCertificateFile"), tlsCertificateFile},
        {QStringLiteral("TlsKeyFile"), tlsKeyFile},
        {QStringLiteral("TlsHandshakeTimeout"), QStringLiteral("%1ms").arg(tlsHandshakeTimeoutMs)},
        {QStringLiteral("Auth"),
         QJsonObject{
             {QStringLiteral("Issuer"), QJsonArray::fromStringList(auth.issuers)},
             {QStringLiteral("Issuers"),
              [this] {
                  QJsonArray bound;
                  for (const IssuerBinding &b : auth.issuerBindings)
                      bound.append(b.jwksUrl.isEmpty() ? QJsonObject{{QStringLiteral("Issuer"), b.issuer},
                                                                     {QStringLiteral("JwksFile"), b.jwksFile}}
                                                       : QJsonObject{{QStringLiteral("Issuer"), b.issuer},
                                                                     {QStringLiteral("JwksUrl"), b.jwksUrl}});
                  return bound;
              }()},
             {QStringLiteral("Audience"), auth.audience},
             {QStringLiteral("JwksFile"), auth.jwksFile},
             {QStringLiteral("JwksUrl"), auth.jwksUrl},
             {QStringLiteral("JwksRefreshMinInterval"), QStringLiteral("%1ms").arg(auth.jwksRefreshMinIntervalMs)},
             {QStringLiteral("AllowedAlgorithms"), QJsonArray::fromStringList(auth.allowedAlgorithms)},
             {QStringLiteral("HmacSecret"), auth.hmacSecret.isEmpty() ? QString() : QStringLiteral("***")},
             {QStringLiteral("ClockSkewSeconds"), auth.clockSkewSeconds},
             {QStringLiteral("ScopeClaims"), QJsonArray::fromStringList(auth.scopeClaims)},
             {QStringLiteral("RequiredScopes"), QJsonArray::fromStringList(auth.requiredScopes)},
             {QStringLiteral("AuthorizationServers"), QJsonArray::fromStringList(auth.authorizationServers)},
             {QStringLiteral("EnableDevIssuer"), effectiveDevIssuer()},
             {QStringLiteral("DevIssuerKeyFile"), auth.devIssuerKeyFile}}},
        {QStringLiteral("Metrics"), QJsonObject{{QStringLiteral("Enabled"), operations.metricsEnabled},
                                                {QStringLiteral("Path"), operations.metricsPath},
                                                {QStringLiteral("Access"), effectiveMetricsAccess()}}},
        {QStringLiteral("Logging"),
         QJsonObject{{QStringLiteral("RedactPatterns"), QJsonArray::fromStringList(logRedactPatterns)}}},
        {QStringLiteral("Admin"), QJsonObject{{QStringLiteral("Enabled"), operations.adminEndpointEnabled},
                                              {QStringLiteral("RequiredScope"), operations.adminScope}}},
        {QStringLiteral("RateLimit"), QJsonObject{{QStringLiteral("Enabled"), effectiveRateLimit()},
                                                  {QStringLiteral("PermitsPerSecond"), rateLimit.permitsPerSecond},
                                                  {QStringLiteral("Burst"), rateLimit.burst}}},
        {QStringLiteral("AllowedOrigins"), QJsonArray::fromStringList(allowedOrigins)},
        {QStringLiteral("AllowedHosts"), QJsonArray::fromStringList(allowedHosts)},
        {QStringLiteral("PublishCapabilityEndpoint"), publishCapabilityEndpoint},
        {QStringLiteral("DatabasePath"), databasePath},
        {QStringLiteral("DatabaseUrl"), redactDatabaseUrl(databaseUrl)},
        {QStringLiteral("Store"),
         QJsonObject{{QStringLiteral("Synchronous"), store.synchronous},
                     {QStringLiteral("TimeoutSeconds"), store.timeoutSeconds},
                     {QStringLiteral("Connections"), store.connectionsFor(databaseUrl, databasePath)}}},
        {QStringLiteral("Tasks"), QJsonObject{{QStringLiteral("Enabled"), tasks.enabled},
                                              {QStringLiteral("ResultTtlSeconds"), tasks.resultTtlSeconds},
                                              {QStringLiteral("MaxRunningPerPrincipal"), tasks.maxRunningPerPrincipal},
                                              {QStringLiteral("MaxRunning"), tasks.maxRunning},
                                              {QStringLiteral("PollIntervalMs"), tasks.pollIntervalMs}}},
        {QStringLiteral("SeedSampleData"), seedSampleData},
        {QStringLiteral("ToolsPageSize"), toolsPageSize},
        {QStringLiteral("Instructions"), instructions},
        {QStringLiteral("EntityOverrides"), overrides},
    };
    // Effective values (explicit or derived from the environment), so the printout says what applies.
    o.insert(QStringLiteral("RequireAuthentication"), effectiveRequireAuthentication());
    o.insert(QStringLiteral("RequireHttps"), effectiveRequireHttps());
    return o;
}

} // namespace koan
