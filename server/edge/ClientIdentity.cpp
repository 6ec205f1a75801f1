#include "ClientIdentity.h"

namespace koan {

ClientIdentity::ClientIdentity(const QStringList &trustedProxies)
{
    for (const QString &p : trustedProxies)
        if (const auto subnet = parseSubnet(p))
            m_trustedProxies << *subnet;
}

bool ClientIdentity::isTrustedProxy(const QHostAddress &address) const
{
    // A dual-stack listener ("::") sees IPv4 peers as ::ffff:a.b.c.d, which isInSubnet never
    // matches against an IPv4 range: compare the IPv4 address itself.
    bool mapped = false;
    const quint32 v4 = address.protocol() == QAbstractSocket::IPv6Protocol ? address.toIPv4Address(&mapped) : 0;
    const QHostAddress plain = mapped ? QHostAddress(v4) : address;
    for (const Subnet &subnet : m_trustedProxies)
        if (plain.isInSubnet(subnet) || address.isInSubnet(subnet))
            return true;
    return false;
}

QString ClientIdentity::clientAddress(const HttpRequest &req) const
{
    // Read from the right: each proxy appends the address it saw, so the rightmost entry that is
    // not one of our proxies is the client. Entries left of it are whatever the client chose to send.
    if (!isTrustedProxy(req.remoteAddress))
        return req.remoteAddress.toString();
    QList<QByteArray> chain;
    for (const auto &[name, value] : req.headers)
        if (name.compare("X-Forwarded-For", Qt::CaseInsensitive) == 0)
            chain += value.split(',');
    QHostAddress candidate = req.remoteAddress;
    for (auto it = chain.crbegin(); it != chain.crend(); ++it) {
        QHostAddress hop;
        if (!hop.setAddress(QString::fromLatin1(it->trimmed())))
            break; // not an address: the chain cannot be trusted beyond this point
        candidate = hop;
        if (!isTrustedProxy(hop))
            break;
    }
    return candidate.toString();
}

bool ClientIdentity::arrivedSecure(const HttpRequest &req) const
{
    return req.secure || (isTrustedProxy(req.remoteAddress) && req.header("X-Forwarded-Proto") == "https");
}

bool ClientIdentity::isLoopbackCaller(const HttpRequest &req)
{
    // A reverse proxy on the same host connects from loopback on behalf of anyone: a request that
    // carries forwarding headers came through one and is never a loopback caller, whatever the
    // socket says (and whether or not the proxy is in TrustedProxies).
    if (!req.remoteAddress.isLoopback())
        return false;
    for (const auto &h : req.headers)
        if (h.first.compare("X-Forwarded-For", Qt::CaseInsensitive) == 0
            || h.first.compare("Forwarded", Qt::CaseInsensitive) == 0
            || h.first.compare("X-Real-IP", Qt::CaseInsensitive) == 0
            || h.first.compare("X-Forwarded-Host", Qt::CaseInsensitive) == 0)
            return false;
    return true;
}

} // namespace koan
