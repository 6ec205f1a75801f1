#include "OriginPolicy.h"

#include <QHostAddress>
#include <QUrl>

namespace koan {

namespace {
bool isLoopbackName(const QString &host)
{
    if (host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")))
        return true;
    QHostAddress addr;
    return addr.setAddress(host) && addr.isLoopback();
}

// An optional ":port" suffix: digits only, so "localhost:@evil.example" is no loopback host.
bool isPortSuffix(QStringView rest)
{
    if (rest.isEmpty())
        return true;
    if (rest.size() < 2 || rest.size() > 6 || rest.front() != QLatin1Char(':'))
        return false;
    for (const QChar c : rest.mid(1))
        if (c < u'0' || c > u'9')
            return false;
    return true;
}

// Splits "host[:port]" / "[v6][:port]" and returns the lower-case host, or empty when the
// value is not of that shape.
QString hostOnly(const QString &hostPort)
{
    QString h = hostPort.trimmed().toLower();
    if (h.startsWith(QLatin1Char('['))) {
        const qsizetype end = h.indexOf(QLatin1Char(']'));
        return end > 0 && isPortSuffix(QStringView(h).mid(end + 1)) ? h.mid(1, end - 1) : QString();
    }
    const qsizetype colon = h.indexOf(QLatin1Char(':'));
    if (colon < 0)
        return h;
    return isPortSuffix(QStringView(h).mid(colon)) ? h.left(colon) : QString();
}
} // namespace

OriginPolicy::OriginPolicy(QStringList allowedOrigins, QStringList allowedHosts, QString bindAddress)
{
    for (QString o : allowedOrigins) {
        o = o.trimmed().toLower();
        while (o.endsWith(QLatin1Char('/')))
            o.chop(1);
        m_allowedOrigins << o;
    }
    for (const QString &h : allowedHosts)
        m_allowedHosts << hostOnly(h);
    const QString bind = bindAddress.trimmed().toLower();
    if (!bind.isEmpty() && bind != QLatin1String("0.0.0.0") && bind != QLatin1String("::"))
        m_allowedHosts << bind;
}

bool OriginPolicy::hostAllowed(const QByteArray &hostHeader) const
{
    const QString host = hostOnly(QString::fromLatin1(hostHeader));
    if (host.isEmpty())
        return false;
    return isLoopbackName(host) || m_allowedHosts.contains(host);
}

bool OriginPolicy::originAllowed(const QByteArray &origin) const
{
    if (origin.isEmpty())
        return true;
    const QString o = QString::fromLatin1(origin).trimmed().toLower();
    if (m_allowedOrigins.contains(o) || m_allowedOrigins.contains(QStringLiteral("*")))
        return true;
    const QUrl url(o);
    return url.isValid() && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"))
           && isLoopbackName(url.host());
}

HttpHeaders OriginPolicy::corsHeaders(const QByteArray &origin) const
{
    if (origin.isEmpty() || !originAllowed(origin))
        return {};
    return {{"Access-Control-Allow-Origin", origin},
            {"Vary", "Origin"},
            {"Access-Control-Expose-Headers",
             "Mcp-Session-Id, X-Mcp-Session, MCP-Protocol-Version, WWW-Authenticate, Retry-After"}};
}

bool OriginPolicy::isMcpParamHeader(const QByteArray &name)
{
    static const QByteArray prefix("mcp-param-");
    if (name.size() <= prefix.size() || !name.left(prefix.size()).toLower().startsWith(prefix))
        return false;
    static const QByteArray tcharPunctuation("!#$%&'*+-.^_`|~");
    for (const char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || tcharPunctuation.contains(c)))
            return false;
    return true;
}

HttpHeaders OriginPolicy::preflightHeaders(const QByteArray &requestedHeaders)
{
    QByteArray allowed("Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, "
                       "Mcp-Name, Last-Event-ID, X-Mcp-Session");
    // Mcp-Param-* names are the tools' own (x-mcp-header), so no fixed list can hold them.
    QList<QByteArray> echoed;
    for (const QByteArray &part : requestedHeaders.split(',')) {
        const QByteArray name = part.trimmed();
        if (isMcpParamHeader(name) && !echoed.contains(name)) {
            echoed << name;
            allowed += ", " + name;
        }
    }
    return {{"Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS"},
            {"Access-Control-Allow-Headers", allowed},
            {"Access-Control-Max-Age", "600"}};
}

} // namespace koan
