#pragma once
#include <QSet>
#include <QString>

namespace koan {

// Who is calling. STDIO and the operator console are trusted local callers; HTTP callers
// are anonymous unless a bearer token was validated.
struct Principal {
    bool authenticated = false;
    bool trustedLocal = false; // bypasses scope checks (the process owner)
    QString subject;
    QString issuer;       // "iss" of the validated token: subjects are only unique per issuer
    QSet<QString> scopes; // exactly as granted: OAuth scopes are case-sensitive
    qint64 expiresAt = 0; // first second the token is refused (exp + ClockSkewSeconds); 0: none

    // Who owns sessions and rate-limit buckets: (issuer, subject), never the subject alone, or
    // "alice" from one trusted issuer could use another issuer's "alice"'s session.
    bool sameIdentity(const Principal &other) const
    {
        return authenticated == other.authenticated && subject == other.subject && issuer == other.issuer;
    }
    QString identityKey() const { return issuer + QLatin1Char('\n') + subject; }

    bool hasScopes(const QStringList &required) const
    {
        for (const auto &s : required)
            if (!scopes.contains(s))
                return false;
        return true;
    }
    static Principal localOwner()
    {
        Principal p;
        p.trustedLocal = true;
        p.subject = QStringLiteral("local");
        return p;
    }
};

} // namespace koan
