#pragma once
// Decides who an HTTP caller is: validates "Authorization: Bearer" JWTs against trusted keys
// (JWKS file, JWKS URL with cached, rate-limited refresh, the dev issuer), maps claims to a
// Principal with scopes, and builds the RFC 6750 / RFC 9728 challenges for failures.
#include "AuthAuditLog.h"
#include "JsonWebKeySet.h"
#include "JwksSource.h"
#include "Jwt.h"
#include "config/McpServerOptions.h"
#include "core/Principal.h"
#include "http/HttpRequest.h"

#include <QJsonObject>
#include <QObject>
#include <functional>
#include <optional>

namespace koan {

class DevTokenIssuer;

class BearerAuthenticator : public QObject
{
    Q_OBJECT
public:
    struct Outcome {
        bool ok = false;
        Principal principal;
        int status = 0;      // 400, 401 or 403 when !ok
        HttpHeaders headers; // WWW-Authenticate
        QJsonObject body;
        // When !ok: the audit entry. The caller records it, because it may answer 429 instead
        // (failed authentications are rate limited per client address).
        AuthFailure failure;
    };

    explicit BearerAuthenticator(const McpServerOptions &options, QObject *parent = nullptr);
    ~BearerAuthenticator() override;
    bool initialize(QStringList *errors);
    // The canonical URI of this MCP server (accepted audience and PRM "resource"); see
    // McpServerOptions::resourceUri(), which both the server and `koan-mcp token` use.
    void setResource(const QString &resourceUri);
    QString resource() const { return m_resource; }
    const DevTokenIssuer *devIssuer() const { return m_devIssuer.get(); }

    // A token in the URL (RFC 6750 allows it, MCP forbids it, and URLs end up in logs): checked
    // before anything that could echo the URL (the HTTPS redirect's Location).
    static bool hasQueryToken(const HttpRequest &request);
    Outcome rejectQueryToken(const HttpRequest &request, const QString &remote) const;
    // Calls `done` once; asynchronously only when the keys must be fetched first.
    void authenticate(const HttpRequest &request, const QString &remote, std::function<void(const Outcome &)> done);
    // Validates a token outside HTTP (STDIO credentials from the environment).
    std::optional<Principal> principalForToken(const QByteArray &token, QString *reason);
    // Who a STDIO client is. STDIO is local and trusted (the local owner) unless credentials come
    // from the environment (MCP spec): then `token` must validate and carry the server-wide
    // scopes an HTTP caller needs (HTTP answers 403 insufficient_scope). On refusal: nullopt,
    // `problem` says what and `details` why.
    std::optional<Principal> stdioPrincipal(const QByteArray &token, QString *problem, QStringList *details);

    // RFC 9728 protected resource metadata; `scopes` are the scopes the tools use.
    QJsonObject protectedResourceMetadata(const QStringList &scopes) const;
    QString resourceMetadataUrl(const HttpRequest &request) const;
    Principal principalFromClaims(const QJsonObject &claims) const;

signals:
    void keysRefreshed(int keyCount);

private:
    // The key source that may vouch for `issuer`, or null (an untrusted issuer).
    JwksSource *sourceFor(const QString &issuer) const;
    JwtResult validate(const QByteArray &token, JwksSource **source) const;
    Outcome reject(const HttpRequest &req, const QString &remote, int status, const QString &error,
                   const QString &reason, const QString &description, const QString &subject = {},
                   const QString &issuer = {}) const;
    void finishWithToken(const HttpRequest &req, const QString &remote, const QByteArray &token,
                         const std::function<void(const Outcome &)> &done, bool mayRefresh);

    McpServerOptions m_options;
    QList<JwksSource *> m_sources; // Auth:Issuers bindings, the shared Auth:JwksUrl/JwksFile, the dev issuer
    std::unique_ptr<DevTokenIssuer> m_devIssuer;
    QString m_resource;
};

} // namespace koan
