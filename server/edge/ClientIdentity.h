#pragma once
// Who is on the other end of a request: the client address (X-Forwarded-For believed only from
// trusted proxies), whether it arrived over TLS, and whether it is a loopback caller.
#include "http/HttpRequest.h"
#include "http/Subnet.h"

#include <QStringList>

namespace koan {

class ClientIdentity
{
public:
    // `trustedProxies`: addresses or CIDR ranges (TrustedProxies); invalid entries are ignored
    // (the configuration check refuses them before the server starts).
    explicit ClientIdentity(const QStringList &trustedProxies = {});

    bool isTrustedProxy(const QHostAddress &address) const;
    // The rightmost X-Forwarded-For hop that is not one of our proxies; the socket's peer when the
    // request did not come from a trusted proxy.
    QString clientAddress(const HttpRequest &request) const;
    // Over TLS, directly or terminated by a trusted proxy that says so (X-Forwarded-Proto).
    bool arrivedSecure(const HttpRequest &request) const;
    // Loopback peer and no forwarding headers (X-Forwarded-For, Forwarded, X-Real-IP,
    // X-Forwarded-Host): a proxy on this host is not a loopback caller.
    static bool isLoopbackCaller(const HttpRequest &request);

private:
    QList<Subnet> m_trustedProxies;
};

} // namespace koan
