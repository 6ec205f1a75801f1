#include "BearerAuthenticator.h"

#include "DevTokenIssuer.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>

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
    if (!a.jwksFile.isEmpty()) {
        QString error;
        m_staticKeys = JsonWebKeySet::fromFile(a.jwksFile, &error);
        if (!error.isEmpty()) {
            errors->append(QStringLiteral("Koan:Mcp:Auth:JwksFile: %1").arg(error));
            return false;
        }
    }
    if (m_options.effectiveDevIssuer()) {
        m_devIssuer = std::make_unique<DevTokenIssuer>();
        QString error;
        if (!m_devIssuer->loadOrCreate(a.devIssuerKeyFile, &error)) {
            errors->append(QStringLiteral("Koan:Mcp:Auth:DevIssuerKeyFile: %1").arg(error));
            return false;
        }
        QString ignored;
        m_staticKeys.merge(JsonWebKeySet::fromJson(m_devIssuer->jwks(), &ignored));
    }
    if (!a.jwksUrl.isEmpty()) {
        m_network = new QNetworkAccessManager(this);
        fetchJwks();
    }
    return true;
}

void BearerAuthenticator::setResource(const QString &resourceUri) { m_resource = resourceUri; }

JwtSettings BearerAuthenticator::jwtSettings() const
{
    JwtSettings s;
    s.allowedAlgorithms = m_options.auth.allowedAlgorithms;
    s.issuers = m_options.auth.issuers;
    if (m_devIssuer && !s.issuers.isEmpty())
        s.issuers << QString::fromLatin1(DevTokenIssuer::kIssuer);
    s.audiences = {m_resource};
    s.clockSkewSeconds = m_options.auth.clockSkewSeconds;
    s.hmacSecret = m_options.auth.hmacSecret;
    return s;
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
    // The same instant Jwt refuses the token, so a session is never ended for a token that a
    // reconnect would still be allowed to use.
    p.expiresAt = qint64(claims.value(QLatin1String("exp")).toDouble()) + m_options.auth.clockSkewSeconds;
    // Multi-claim scope resolution: strings are space-separated lists, arrays list scopes.
    for (const QString &claim : m_options.auth.scopeClaims) {
        const QJsonValue v = claims.value(claim);
        QStringList values;
        if (v.isString())
            values = v.toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (const auto &item : v.toArray())
            values += item.toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        // OAuth scopes are case-sensitive (RFC 6749 3.3): "Clinical:Safety" is not "clinical:safety".
        for (const QString &s : std::as_const(values))
            p.scopes.insert(s);
    }
    return p;
}

BearerAuthenticator::Outcome BearerAuthenticator::reject(const HttpRequest &req, const QString &remote, int status,
                                                         const QString &error, const QString &reason,
                                                         const QString &description, const QString &subject) const
{
    Outcome o;
    o.failure = AuthFailure{QDateTime::currentDateTimeUtc(), remote, reason, subject, req.path, description};
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

void BearerAuthenticator::authenticate(const HttpRequest &req, const QString &remote, std::function<void(const Outcome &)> done)
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
    JsonWebKeySet keys = m_staticKeys;
    keys.merge(m_remoteKeys);
    const JwtResult r = JwtValidator::validate(token, jwtSettings(), keys, QDateTime::currentSecsSinceEpoch());
    if (!r.ok && r.reason == QLatin1String("unknown_kid") && mayRefresh && m_network
        && (!m_sinceFetch.isValid() || m_sinceFetch.elapsed() >= m_options.auth.jwksRefreshMinIntervalMs || m_fetching)) {
        // A rotated key: refetch the JWKS (rate-limited) and validate again once it is in.
        m_waiting.append([this, req, remote, token, done] { finishWithToken(req, remote, token, done, false); });
        if (!m_fetching)
            fetchJwks();
        return;
    }
    const QString claimedSubject = r.ok ? QString() : JwtValidator::unverifiedClaims(token).value(QLatin1String("sub")).toString();
    if (!r.ok)
        return done(reject(req, remote, 401, QStringLiteral("invalid_token"), r.reason, r.description, claimedSubject));
    const Principal p = principalFromClaims(r.claims);
    if (!p.hasScopes(m_options.auth.requiredScopes))
        return done(reject(req, remote, 403, QStringLiteral("insufficient_scope"), QStringLiteral("insufficient_scope"),
                           QStringLiteral("This server requires scope(s) %1").arg(m_options.auth.requiredScopes.join(QLatin1Char(' '))),
                           p.subject));
    done(Outcome{true, p, 0, {}, {}});
}

std::optional<Principal> BearerAuthenticator::principalForToken(const QByteArray &token, QString *reason)
{
    JsonWebKeySet keys = m_staticKeys;
    keys.merge(m_remoteKeys);
    const JwtResult r = JwtValidator::validate(token, jwtSettings(), keys, QDateTime::currentSecsSinceEpoch());
    if (!r.ok) {
        *reason = r.reason + QStringLiteral(": ") + r.description;
        return std::nullopt;
    }
    return principalFromClaims(r.claims);
}

void BearerAuthenticator::fetchJwks()
{
    m_fetching = true;
    m_sinceFetch.start();
    QNetworkRequest request{QUrl(m_options.auth.jwksUrl)};
    request.setTransferTimeout(5000);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        m_fetching = false;
        const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll());
        QString error;
        QStringList warnings;
        const JsonWebKeySet keys = reply->error() == QNetworkReply::NoError && doc.isObject()
                                       ? JsonWebKeySet::fromJson(doc.object(), &error, &warnings)
                                       : JsonWebKeySet();
        if (reply->error() != QNetworkReply::NoError || !error.isEmpty())
            qCWarning(lcAuth).noquote() << "JWKS fetch from" << m_options.auth.jwksUrl << "failed:"
                                        << (error.isEmpty() ? reply->errorString() : error);
        else {
            m_remoteKeys = keys;
            qCInfo(lcAuth).noquote() << "JWKS refreshed:" << keys.size() << "key(s)";
            emit keysRefreshed(keys.size());
        }
        const auto waiting = std::exchange(m_waiting, {});
        for (const auto &resume : waiting)
            resume();
    });
}

} // namespace koan
