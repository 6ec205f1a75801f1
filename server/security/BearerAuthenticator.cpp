#include "BearerAuthenticator.h"

#include "DevTokenIssuer.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <algorithm>

Q_LOGGING_CATEGORY(lcAuth, "koan.auth")

namespace koan {

namespace {
// An RFC 7230 quoted-string. Values can come from the request (kid, alg, Host), so anything
// outside printable ASCII becomes '?': a CR/LF here would let a caller inject response headers,
// and RFC 6750 allows only printable ASCII in error_description anyway.
QByteArray quoted(const QString &s)
{
    QByteArray out = "\"";
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        if (u == u'\\' || u == u'"')
            out += '\\';
        out += (u >= 0x20 && u < 0x7f) ? char(u) : '?';
    }
    return out + '"';
}
} // namespace

BearerAuthenticator::BearerAuthenticator(const McpServerOptions &options, QObject *parent)
    : QObject(parent), m_options(options)
{
    // Until HTTP listens (and always for STDIO): the configured port, as `koan-mcp token` assumes.
    m_resource = options.resourceUri(options.port);
}

BearerAuthenticator::~BearerAuthenticator() = default;

bool BearerAuthenticator::initialize(QStringList *errors)
{
    const AuthOptions &a = m_options.auth;
    const auto keysFromFile = [&](const QString &path, const QString &key, JsonWebKeySet *keys) {
        QString error;
        *keys = JsonWebKeySet::fromFile(path, &error);
        if (!error.isEmpty())
            errors->append(QStringLiteral("Koan:Mcp:Auth:%1: %2").arg(key, error));
        return error.isEmpty();
    };
    // Each Auth:Issuers entry: its own keys, for its own "iss" only.
    for (int i = 0; i < a.issuerBindings.size(); ++i) {
        const IssuerBinding &b = a.issuerBindings.at(i);
        if (!b.jwksUrl.isEmpty()) {
            m_sources << new JwksSource({b.issuer}, b.jwksUrl, a.jwksRefreshMinIntervalMs, this);
            continue;
        }
        JsonWebKeySet keys;
        if (!keysFromFile(b.jwksFile, QStringLiteral("Issuers:%1:JwksFile").arg(i), &keys))
            return false;
        m_sources << new JwksSource({b.issuer}, keys, this);
    }
    // The shared key source of Auth:Issuer (every listed issuer, or any issuer when none is listed).
    if (!a.jwksFile.isEmpty()) {
        JsonWebKeySet keys;
        if (!keysFromFile(a.jwksFile, QStringLiteral("JwksFile"), &keys))
            return false;
        m_sources << new JwksSource(a.issuers, keys, this);
    }
    if (!a.jwksUrl.isEmpty())
        m_sources << new JwksSource(a.issuers, a.jwksUrl, a.jwksRefreshMinIntervalMs, this);
    if ((!a.jwksFile.isEmpty() || !a.jwksUrl.isEmpty()) && a.issuers.size() > 1)
        qCWarning(lcAuth).noquote()
            << "issuers" << a.issuers.join(QStringLiteral(", "))
            << "share one key source (Auth:JwksUrl/Auth:JwksFile): a key of one of them validates tokens"
            << "claiming any of them; bind each issuer to its own keys with Auth:Issuers";
    if (m_options.effectiveDevIssuer()) {
        m_devIssuer = std::make_unique<DevTokenIssuer>();
        QString error;
        if (!m_devIssuer->loadOrCreate(a.devIssuerKeyFile, &error)) {
            errors->append(QStringLiteral("Koan:Mcp:Auth:DevIssuerKeyFile: %1").arg(error));
            return false;
        }
        QString ignored;
        m_sources << new JwksSource({QString::fromLatin1(DevTokenIssuer::kIssuer)},
                                    JsonWebKeySet::fromJson(m_devIssuer->jwks(), &ignored), this);
    }
    for (JwksSource *source : std::as_const(m_sources)) {
        connect(source, &JwksSource::keysRefreshed, this, &BearerAuthenticator::keysRefreshed);
        source->fetch(); // URL sources only
    }
    return true;
}

void BearerAuthenticator::setResource(const QString &resourceUri)
{
    m_resource = resourceUri;
}

JwksSource *BearerAuthenticator::sourceFor(const QString &issuer) const
{
    // An issuer bound to keys uses those alone; a source for "any issuer" serves the rest.
    JwksSource *any = nullptr;
    for (JwksSource *source : m_sources) {
        if (source->issuers().contains(issuer))
            return source;
        if (source->acceptsAnyIssuer() && !any)
            any = source;
    }
    return any;
}

JwtResult BearerAuthenticator::validate(const QByteArray &token, JwksSource **source) const
{
    const QString issuer = JwtValidator::unverifiedClaims(token).value(QLatin1String("iss")).toString();
    *source = sourceFor(issuer);
    JwtSettings s;
    s.allowedAlgorithms = m_options.auth.allowedAlgorithms;
    s.audiences = {m_resource};
    s.clockSkewSeconds = m_options.auth.clockSkewSeconds;
    s.hmacSecret = m_options.auth.hmacSecret;
    // A bound issuer: exactly that "iss", with its own keys only. Otherwise the shared key
    // source (or the HS256 secret) vouches for the Auth:Issuer list.
    s.issuers = *source && !(*source)->acceptsAnyIssuer() ? QStringList{issuer} : m_options.auth.issuers;
    if (!*source && s.issuers.isEmpty() && !m_options.auth.issuerBindings.isEmpty()) {
        // Only bound issuers are trusted, and this one is none of them.
        JwtResult r;
        r.reason = QStringLiteral("wrong_issuer");
        r.description = QStringLiteral("Issuer '%1' is not trusted").arg(issuer);
        return r;
    }
    static const JsonWebKeySet none;
    return JwtValidator::validate(token, s, *source ? (*source)->keys() : none, QDateTime::currentSecsSinceEpoch());
}

QString BearerAuthenticator::resourceMetadataUrl(const HttpRequest &request) const
{
    const QString host = QString::fromLatin1(request.header("Host"));
    const QString scheme = request.secure || request.header("X-Forwarded-Proto") == "https" ? QStringLiteral("https")
                                                                                            : QStringLiteral("http");
    return QStringLiteral("%1://%2/.well-known/oauth-protected-resource%3").arg(scheme, host, m_options.httpSseRoute);
}

QJsonObject BearerAuthenticator::protectedResourceMetadata(const QStringList &toolScopes) const
{
    QStringList scopes = m_options.auth.requiredScopes + toolScopes;
    scopes.removeDuplicates();
    QStringList servers = m_options.auth.authorizationServers;
    if (servers.isEmpty())
        servers = m_options.auth.issuers;
    if (servers.isEmpty() && m_devIssuer)
        servers << QString::fromLatin1(DevTokenIssuer::kIssuer);
    return QJsonObject{{QStringLiteral("resource"), m_resource},
                       {QStringLiteral("authorization_servers"), QJsonArray::fromStringList(servers)},
                       {QStringLiteral("scopes_supported"), QJsonArray::fromStringList(scopes)},
                       {QStringLiteral("bearer_methods_supported"), QJsonArray{QStringLiteral("header")}},
                       {QStringLiteral("resource_name"), QStringLiteral("Koan MCP console")}};
}

Principal BearerAuthenticator::principalFromClaims(const QJsonObject &claims) const
{
    Principal p;
    p.authenticated = true;
    p.subject = claims.value(QLatin1String("sub")).toString();
    p.issuer = claims.value(QLatin1String("iss")).toString();
    // The same instant Jwt refuses the token, so a session is never ended for a token that a
    // reconnect would still be allowed to use.
    p.expiresAt = qint64(claims.value(QLatin1String("exp")).toDouble()) + m_options.auth.clockSkewSeconds;
    // Multi-claim scope resolution: only a string claim is a space-delimited list (RFC 8693 4.2);
    // each array item is one scope. An item with whitespace inside is no scope at all: splitting
    // it would let a role named "Trial Viewers koan:admin" grant koan:admin.
    for (const QString &claim : m_options.auth.scopeClaims) {
        const QJsonValue v = claims.value(claim);
        QStringList values;
        if (v.isString())
            values = v.toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (const auto &item : v.toArray()) {
            const QString scope = item.toString().trimmed();
            if (scope.isEmpty())
                continue;
            if (std::any_of(scope.begin(), scope.end(), [](QChar c) { return c.isSpace(); })) {
                qCDebug(lcAuth).noquote()
                    << "ignoring claim" << claim << "item with whitespace inside (not a scope):" << scope.left(80);
                continue;
            }
            values << scope;
        }
        // OAuth scopes are case-sensitive (RFC 6749 3.3): "Records:Read" is not "records:read".
        for (const QString &s : std::as_const(values))
            p.scopes.insert(s);
    }
    return p;
}

BearerAuthenticator::Outcome BearerAuthenticator::reject(const HttpRequest &req, const QString &remote, int status,
                                                         const QString &error, const QString &reason,
                                                         const QString &description, const QString &subject,
                                                         const QString &issuer) const
{
    Outcome o;
    o.failure = AuthFailure{QDateTime::currentDateTimeUtc(), remote, reason, subject, req.path, description, issuer};
    o.status = status;
    QByteArray challenge = "Bearer resource_metadata=" + quoted(resourceMetadataUrl(req));
    if (!error.isEmpty())
        challenge += ", error=" + quoted(error) + ", error_description=" + quoted(description);
    const QStringList scopes = m_options.auth.requiredScopes;
    if (!scopes.isEmpty())
        challenge += ", scope=" + quoted(scopes.join(QLatin1Char(' ')));
    if (status != 400)
        o.headers.append({"WWW-Authenticate", challenge});
    o.body = QJsonObject{{QStringLiteral("error"), error.isEmpty() ? QStringLiteral("unauthorized") : error},
                         {QStringLiteral("reason"), reason},
                         {QStringLiteral("message"), description}};
    return o;
}

bool BearerAuthenticator::hasQueryToken(const HttpRequest &req)
{
    return req.query.hasQueryItem(QStringLiteral("access_token"));
}

BearerAuthenticator::Outcome BearerAuthenticator::rejectQueryToken(const HttpRequest &req, const QString &remote) const
{
    return reject(req, remote, 400, QStringLiteral("invalid_request"), QStringLiteral("token_in_query"),
                  QStringLiteral("Send the token in the Authorization header, never in the URL"));
}

void BearerAuthenticator::authenticate(const HttpRequest &req, const QString &remote,
                                       std::function<void(const Outcome &)> done)
{
    if (hasQueryToken(req))
        return done(rejectQueryToken(req, remote));
    const QByteArray authorization = req.header("Authorization").trimmed();
    if (authorization.isEmpty()) {
        if (!m_options.effectiveRequireAuthentication())
            return done(Outcome{true, Principal{}, 0, {}, {}});
        return done(reject(req, remote, 401, QString(), QStringLiteral("missing_token"),
                           QStringLiteral("This server requires a bearer token")));
    }
    // RFC 7235: the auth scheme is case-insensitive ("BEARER x" is fine); one or more spaces follow it.
    const qsizetype space = authorization.indexOf(' ');
    if (space < 0 || authorization.left(space).compare("Bearer", Qt::CaseInsensitive) != 0)
        return done(reject(req, remote, 401, QStringLiteral("invalid_request"), QStringLiteral("not_bearer"),
                           QStringLiteral("Use the Bearer authentication scheme")));
    finishWithToken(req, remote, authorization.mid(space + 1).trimmed(), done, true);
}

void BearerAuthenticator::finishWithToken(const HttpRequest &req, const QString &remote, const QByteArray &token,
                                          const std::function<void(const Outcome &)> &done, bool mayRefresh)
{
    JwksSource *source = nullptr;
    const JwtResult r = validate(token, &source);
    // A rotated key: refetch that issuer's JWKS (rate-limited) and validate again once it is in.
    if (!r.ok && r.reason == QLatin1String("unknown_kid") && mayRefresh && source
        && source->refreshFor([this, req, remote, token, done] { finishWithToken(req, remote, token, done, false); }))
        return;
    if (!r.ok) {
        const QJsonObject claimed = JwtValidator::unverifiedClaims(token);
        return done(reject(req, remote, 401, QStringLiteral("invalid_token"), r.reason, r.description,
                           claimed.value(QLatin1String("sub")).toString(),
                           claimed.value(QLatin1String("iss")).toString()));
    }
    const Principal p = principalFromClaims(r.claims);
    if (!p.hasScopes(m_options.auth.requiredScopes))
        return done(reject(req, remote, 403, QStringLiteral("insufficient_scope"), QStringLiteral("insufficient_scope"),
                           QStringLiteral("This server requires scope(s) %1")
                               .arg(m_options.auth.requiredScopes.join(QLatin1Char(' '))),
                           p.subject, p.issuer));
    done(Outcome{true, p, 0, {}, {}});
}

std::optional<Principal> BearerAuthenticator::principalForToken(const QByteArray &token, QString *reason)
{
    JwksSource *source = nullptr;
    const JwtResult r = validate(token, &source);
    if (!r.ok) {
        *reason = r.reason + QStringLiteral(": ") + r.description;
        return std::nullopt;
    }
    return principalFromClaims(r.claims);
}

std::optional<Principal> BearerAuthenticator::stdioPrincipal(const QByteArray &token, QString *problem,
                                                             QStringList *details)
{
    if (token.isEmpty())
        return Principal::localOwner();
    if (const QStringList problems = m_options.tokenValidationProblems(true); !problems.isEmpty()) {
        *problem = QStringLiteral("KOAN_MCP_STDIO_TOKEN cannot be validated");
        *details = problems;
        return std::nullopt;
    }
    QString reason;
    const std::optional<Principal> p = principalForToken(token, &reason);
    if (!p) {
        *problem = QStringLiteral("KOAN_MCP_STDIO_TOKEN is not a valid token");
        *details = QStringList{reason};
        return std::nullopt;
    }
    if (!p->hasScopes(m_options.auth.requiredScopes)) {
        QStringList granted(p->scopes.cbegin(), p->scopes.cend());
        granted.sort();
        *problem = QStringLiteral("KOAN_MCP_STDIO_TOKEN lacks the required scope(s)");
        *details = QStringList{
            QStringLiteral("Koan:Mcp:Auth:RequiredScopes needs \"%1\"; the token grants \"%2\"")
                .arg(m_options.auth.requiredScopes.join(QLatin1Char(' ')), granted.join(QLatin1Char(' ')))};
        return std::nullopt;
    }
    return p;
}

} // namespace koan
