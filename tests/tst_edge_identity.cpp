// Who the caller is and what it may send, each piece alone: ClientIdentity (client address behind
// trusted proxies, TLS at the proxy, loopback callers), OriginPolicy (Host and Origin allow-lists,
// CORS headers) and RateLimiter (token buckets, in real time).
#include "edge/ClientIdentity.h"
#include "edge/OriginPolicy.h"
#include "security/RateLimiter.h"

#include <QTest>
#include <QThread>

using namespace koan;

namespace {

HttpRequest from(const QString &peer, HttpHeaders headers = {})
{
    HttpRequest r;
    r.method = "GET";
    r.path = QStringLiteral("/mcp");
    r.remoteAddress = QHostAddress(peer);
    r.remotePort = 50000;
    r.headers = std::move(headers);
    return r;
}

void sleepMs(int ms)
{
    QThread::msleep(ms);
}

} // namespace

class TestEdgeIdentity : public QObject
{
    Q_OBJECT

private slots:
    // --- ClientIdentity --------------------------------------------------------------------------

    void noProxiesMeansThePeer()
    {
        const ClientIdentity identity;
        const HttpRequest spoofed
            = from(QStringLiteral("203.0.113.5"), {{"X-Forwarded-For", "10.0.0.1"}, {"X-Forwarded-Proto", "https"}});
        QCOMPARE(identity.clientAddress(spoofed), QStringLiteral("203.0.113.5"));
        QVERIFY(!identity.arrivedSecure(spoofed));
        QVERIFY(!identity.isTrustedProxy(QHostAddress(QStringLiteral("127.0.0.1"))));
        HttpRequest tls = from(QStringLiteral("203.0.113.5"));
        tls.secure = true;
        QVERIFY(identity.arrivedSecure(tls));
        QCOMPARE(identity.clientAddress(from(QStringLiteral("2001:db8::7"))), QStringLiteral("2001:db8::7"));
    }

    void trustedProxyRanges()
    {
        const ClientIdentity identity({QStringLiteral("10.0.0.0/8"), QStringLiteral("192.168.1.10"),
                                       QStringLiteral("fd00::/8"), QStringLiteral("::1")});
        QVERIFY(identity.isTrustedProxy(QHostAddress(QStringLiteral("10.200.3.4"))));
        QVERIFY(!identity.isTrustedProxy(QHostAddress(QStringLiteral("11.0.0.1"))));
        QVERIFY(identity.isTrustedProxy(QHostAddress(QStringLiteral("192.168.1.10"))));
        QVERIFY(!identity.isTrustedProxy(QHostAddress(QStringLiteral("192.168.1.11")))); // a single address is /32
        QVERIFY(identity.isTrustedProxy(QHostAddress(QStringLiteral("fd12:3456::1"))));
        QVERIFY(!identity.isTrustedProxy(QHostAddress(QStringLiteral("fe80::1"))));
        QVERIFY(identity.isTrustedProxy(QHostAddress(QStringLiteral("::1"))));
        QVERIFY(!identity.isTrustedProxy(QHostAddress(QStringLiteral("::2")))); // ... and /128
        QVERIFY(!identity.isTrustedProxy(QHostAddress(QStringLiteral("127.0.0.1"))));
        // Entries that are no address or range are ignored, not trusted as "everything".
        const ClientIdentity invalid({QStringLiteral("proxy.internal"), QStringLiteral("10.0.0.0/33"), QString()});
        QVERIFY(!invalid.isTrustedProxy(QHostAddress(QStringLiteral("10.0.0.1"))));
        QCOMPARE(invalid.clientAddress(from(QStringLiteral("10.0.0.1"), {{"X-Forwarded-For", "198.51.100.1"}})),
                 QStringLiteral("10.0.0.1"));
    }

    void rightmostUntrustedHop()
    {
        const ClientIdentity identity({QStringLiteral("10.0.0.0/8"), QStringLiteral("fd00::/8")});
        // One proxy.
        QCOMPARE(identity.clientAddress(from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-For", "198.51.100.1"}})),
                 QStringLiteral("198.51.100.1"));
        // Two of ours, and whatever the client wrote on the left is not believed.
        QCOMPARE(identity.clientAddress(
                     from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-For", "6.6.6.6, 198.51.100.1 , 10.1.1.1"}})),
                 QStringLiteral("198.51.100.1"));
        // The chain spread over several headers reads as one, in order.
        QCOMPARE(
            identity.clientAddress(from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-For", "6.6.6.6"},
                                                                     {"x-forwarded-for", "198.51.100.2, 10.9.9.9"}})),
            QStringLiteral("198.51.100.2"));
        // IPv6 proxies and clients.
        QCOMPARE(identity.clientAddress(from(QStringLiteral("fd00::1"), {{"X-Forwarded-For", "2001:db8::5, fd00::2"}})),
                 QStringLiteral("2001:db8::5"));
        // A trusted proxy without the header: the proxy is the client.
        QCOMPARE(identity.clientAddress(from(QStringLiteral("10.0.0.2"))), QStringLiteral("10.0.0.2"));
        // Every hop ours: the leftmost one.
        QCOMPARE(identity.clientAddress(from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-For", "10.5.5.5, 10.6.6.6"}})),
                 QStringLiteral("10.5.5.5"));
        // An untrusted peer's header is ignored altogether.
        QCOMPARE(identity.clientAddress(from(QStringLiteral("203.0.113.9"), {{"X-Forwarded-For", "198.51.100.1"}})),
                 QStringLiteral("203.0.113.9"));
    }

    void garbageHopStopsTheWalk()
    {
        const ClientIdentity identity({QStringLiteral("10.0.0.0/8")});
        // Walking from the right: 10.0.0.7 (ours), then garbage: nothing left of it is believed.
        QCOMPARE(identity.clientAddress(
                     from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-For", "198.51.100.1, not-an-ip, 10.0.0.7"}})),
                 QStringLiteral("10.0.0.7"));
        // Garbage right at the end: the proxy itself.
        QCOMPARE(
            identity.clientAddress(from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-For", "198.51.100.1, <script>"}})),
            QStringLiteral("10.0.0.2"));
        // An address with a port is not an address either.
        QCOMPARE(identity.clientAddress(from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-For", "198.51.100.1:4711"}})),
                 QStringLiteral("10.0.0.2"));
    }

    void ipv4MappedPeerOfADualStackListener()
    {
        // BindAddress "::" listens dual-stack: an IPv4 proxy's connection arrives as ::ffff:10.0.0.2.
        const ClientIdentity identity({QStringLiteral("10.0.0.0/8")});
        const QHostAddress mapped(QStringLiteral("::ffff:10.0.0.2"));
        QVERIFY(identity.isTrustedProxy(mapped));
        QCOMPARE(identity.clientAddress(from(mapped.toString(), {{"X-Forwarded-For", "198.51.100.1"}})),
                 QStringLiteral("198.51.100.1"));
        QVERIFY(identity.arrivedSecure(from(mapped.toString(), {{"X-Forwarded-Proto", "https"}})));
        // A mapped loopback peer is a loopback caller already.
        QVERIFY(ClientIdentity::isLoopbackCaller(from(QStringLiteral("::ffff:127.0.0.1"))));
    }

    void forwardedProtoOnlyFromTrustedProxy()
    {
        const ClientIdentity identity({QStringLiteral("10.0.0.0/8")});
        QVERIFY(identity.arrivedSecure(from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-Proto", "https"}})));
        QVERIFY(!identity.arrivedSecure(from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-Proto", "http"}})));
        QVERIFY(!identity.arrivedSecure(from(QStringLiteral("10.0.0.2"))));
        QVERIFY(!identity.arrivedSecure(from(QStringLiteral("203.0.113.9"), {{"X-Forwarded-Proto", "https"}})));
        // A trusted proxy's own TLS connection counts, whatever the header says.
        HttpRequest tls = from(QStringLiteral("10.0.0.2"), {{"X-Forwarded-Proto", "http"}});
        tls.secure = true;
        QVERIFY(identity.arrivedSecure(tls));
    }

    void loopbackCaller()
    {
        QVERIFY(ClientIdentity::isLoopbackCaller(from(QStringLiteral("127.0.0.1"))));
        QVERIFY(ClientIdentity::isLoopbackCaller(from(QStringLiteral("::1"))));
        QVERIFY(ClientIdentity::isLoopbackCaller(from(QStringLiteral("127.0.0.1"), {{"User-Agent", "curl"}})));
        QVERIFY(!ClientIdentity::isLoopbackCaller(from(QStringLiteral("192.0.2.1"))));
        // A proxy on this host: any forwarding header, any case, any value.
        const QList<QByteArray> forwarding{"X-Forwarded-For",  "Forwarded",       "X-Real-IP",
                                           "X-Forwarded-Host", "x-forwarded-for", "FORWARDED"};
        for (const QByteArray &name : forwarding) {
            QVERIFY2(!ClientIdentity::isLoopbackCaller(from(QStringLiteral("127.0.0.1"), {{name, "127.0.0.1"}})),
                     name.constData());
            QVERIFY2(!ClientIdentity::isLoopbackCaller(from(QStringLiteral("::1"), {{name, ""}})), name.constData());
        }
    }

    // --- OriginPolicy ----------------------------------------------------------------------------

    void loopbackHostsAllowed()
    {
        const OriginPolicy policy({}, {}, QStringLiteral("127.0.0.1"));
        for (const QByteArray host : {"localhost", "localhost:5114", "LOCALHOST:5114", "127.0.0.1", "127.0.0.1:5114",
                                      "127.8.9.10:80", "[::1]:5114", "[::1]", "app.localhost:3000"})
            QVERIFY2(policy.hostAllowed(host), host.constData());
        for (const QByteArray host : {"", " ", "example.com", "localhost.example.com", "evil.com:5114", "10.0.0.1:5114",
                                      "[::2]:5114", "[::1", "notlocalhost"})
            QVERIFY2(!policy.hostAllowed(host), host.constData());
    }

    void hostPortMustBeAPort()
    {
        const OriginPolicy policy({}, {QStringLiteral("mcp.example.com")}, QStringLiteral("127.0.0.1"));
        // RFC 9110: Host = uri-host [ ":" port ], port = *DIGIT. Otherwise "localhost:@evil.example"
        // would pass, and HttpsStage would redirect to https://localhost:@evil.example/... (host evil.example).
        QVERIFY(!policy.hostAllowed("localhost:@evil.example"));
        QVERIFY(!policy.hostAllowed("mcp.example.com:443/../x"));
        QVERIFY(policy.hostAllowed("mcp.example.com:443"));
    }

    void bindAddressAllowed()
    {
        const OriginPolicy bound({}, {}, QStringLiteral("10.1.2.3"));
        QVERIFY(bound.hostAllowed("10.1.2.3:5114"));
        QVERIFY(bound.hostAllowed("10.1.2.3"));
        QVERIFY(!bound.hostAllowed("10.1.2.4:5114"));
        // Wildcard binds name no host.
        const OriginPolicy any4({}, {}, QStringLiteral("0.0.0.0"));
        QVERIFY(!any4.hostAllowed("0.0.0.0:5114"));
        QVERIFY(any4.hostAllowed("localhost:5114"));
        const OriginPolicy any6({}, {}, QStringLiteral("::"));
        QVERIFY(!any6.hostAllowed("[::]:5114"));
        const OriginPolicy v6({}, {}, QStringLiteral("2001:DB8::10"));
        QVERIFY(v6.hostAllowed("[2001:db8::10]:5114"));
    }

    void allowedHostsWithPortsAndCase()
    {
        const OriginPolicy policy({},
                                  {QStringLiteral("mcp.example.com:443"), QStringLiteral("Other.Example"),
                                   QStringLiteral("[2001:db8::1]:8443")},
                                  QStringLiteral("127.0.0.1"));
        // A listed host matches with any port (or none), in any case.
        for (const QByteArray host : {"mcp.example.com", "mcp.example.com:443", "mcp.example.com:8443",
                                      "MCP.Example.COM", "other.example", "OTHER.EXAMPLE:1", "[2001:db8::1]"})
            QVERIFY2(policy.hostAllowed(host), host.constData());
        for (const QByteArray host :
             {"sub.mcp.example.com", "example.com", "mcp.example.com.evil", "other.example2", "[2001:db8::2]:8443"})
            QVERIFY2(!policy.hostAllowed(host), host.constData());
    }

    void allowedOriginsNormalised()
    {
        const OriginPolicy policy({QStringLiteral("https://App.Example/"), QStringLiteral(" https://x.example:8443 ")},
                                  {}, QStringLiteral("127.0.0.1"));
        QVERIFY(policy.originAllowed(""));
        for (const QByteArray origin : {"https://app.example", "HTTPS://APP.EXAMPLE", "https://x.example:8443"})
            QVERIFY2(policy.originAllowed(origin), origin.constData());
        for (const QByteArray origin : {"http://app.example", "https://app.example:8443", "https://x.example",
                                        "https://evil.example", "null", "https://app.example.evil.com"})
            QVERIFY2(!policy.originAllowed(origin), origin.constData());
        // Loopback origins are always allowed, over http(s) only.
        for (const QByteArray origin :
             {"http://localhost:3000", "https://127.0.0.1", "http://[::1]:8080", "http://dev.localhost:5173"})
            QVERIFY2(policy.originAllowed(origin), origin.constData());
        for (const QByteArray origin : {"file://localhost", "ws://localhost:3000", "http://localhost.evil.com"})
            QVERIFY2(!policy.originAllowed(origin), origin.constData());
        // "*" allows every origin.
        const OriginPolicy star({QStringLiteral("*")}, {}, QStringLiteral("127.0.0.1"));
        QVERIFY(star.originAllowed("https://anything.example"));
    }

    void corsHeaders()
    {
        const OriginPolicy policy({QStringLiteral("https://app.example")}, {}, QStringLiteral("127.0.0.1"));
        const HttpHeaders h = policy.corsHeaders("https://app.example");
        const auto value = [&h](const QByteArray &name) {
            for (const auto &p : h)
                if (p.first == name)
                    return p.second;
            return QByteArray();
        };
        QCOMPARE(value("Access-Control-Allow-Origin"), QByteArray("https://app.example")); // echoed, never "*"
        QCOMPARE(value("Vary"), QByteArray("Origin"));
        QVERIFY(value("Access-Control-Expose-Headers").contains("WWW-Authenticate"));
        QVERIFY(policy.corsHeaders("").isEmpty());
        QVERIFY(policy.corsHeaders("https://evil.example").isEmpty());
        QVERIFY(OriginPolicy::preflightHeaders().size() >= 3);
    }

    // --- RateLimiter -----------------------------------------------------------------------------

    void burstThenRefill()
    {
        RateLimiter limiter(10, 3); // one permit per 100 ms
        double retry = -1;
        QVERIFY(limiter.tryAcquire(QStringLiteral("k"), &retry));
        QCOMPARE(retry, 0.0);
        QVERIFY(limiter.tryAcquire(QStringLiteral("k")));
        QVERIFY(limiter.tryAcquire(QStringLiteral("k")));
        QVERIFY(!limiter.tryAcquire(QStringLiteral("k"), &retry));
        QVERIFY2(retry > 0 && retry <= 0.1 + 1e-9, qPrintable(QString::number(retry)));
        sleepMs(130); // a little more than one permit
        QVERIFY(limiter.tryAcquire(QStringLiteral("k")));
        QVERIFY(!limiter.tryAcquire(QStringLiteral("k")));
        // Refill stops at the burst: 400 ms would be 4 permits, the bucket holds 3.
        sleepMs(400);
        int passed = 0;
        while (limiter.tryAcquire(QStringLiteral("k")) && passed < 10)
            ++passed;
        QCOMPARE(passed, 3);
    }

    void retryAfterRoundsUpToWholeSeconds()
    {
        RateLimiter slow(0.4, 1); // one permit per 2.5 s
        QVERIFY(slow.acquire(QStringLiteral("k")).allowed);
        const RateLimiter::Verdict v = slow.acquire(QStringLiteral("k"));
        QVERIFY(!v.allowed);
        QVERIFY(v.retryAfterSeconds > 2.4 && v.retryAfterSeconds <= 2.5 + 1e-9);
        QCOMPARE(v.retryAfterWholeSeconds(), 3);
    }

    void firstRefusalOncePerFlood()
    {
        RateLimiter limiter(10, 1);
        RateLimiter::Verdict v = limiter.acquire(QStringLiteral("ip:1"));
        QVERIFY(v.allowed);
        QVERIFY(!v.firstRefusal);
        v = limiter.acquire(QStringLiteral("ip:1"));
        QVERIFY(!v.allowed);
        QVERIFY(v.firstRefusal);
        QVERIFY(v.retryAfterSeconds > 0 && v.retryAfterSeconds <= 0.1 + 1e-9);
        QCOMPARE(v.retryAfterWholeSeconds(), 1); // a fraction of a second still says 1, never 0
        for (int i = 0; i < 3; ++i) {
            v = limiter.acquire(QStringLiteral("ip:1"));
            QVERIFY(!v.allowed);
            QVERIFY(!v.firstRefusal);
        }
        sleepMs(130);
        v = limiter.acquire(QStringLiteral("ip:1"));
        QVERIFY(v.allowed); // the flood is over ...
        v = limiter.acquire(QStringLiteral("ip:1"));
        QVERIFY(!v.allowed);
        QVERIFY(v.firstRefusal); // ... and the next refusal starts another
    }

    void keysAreIndependent()
    {
        RateLimiter limiter(0.1, 2);
        QVERIFY(limiter.tryAcquire(QStringLiteral("sub:alice")));
        QVERIFY(limiter.tryAcquire(QStringLiteral("sub:alice")));
        QVERIFY(!limiter.tryAcquire(QStringLiteral("sub:alice")));
        QVERIFY(limiter.tryAcquire(QStringLiteral("sub:bob")));
        QVERIFY(limiter.tryAcquire(QStringLiteral("ip:192.0.2.1")));
        QVERIFY(limiter.tryAcquire(QStringLiteral("ip:192.0.2.1")));
        QVERIFY(!limiter.tryAcquire(QStringLiteral("ip:192.0.2.1")));
        QVERIFY(limiter.tryAcquire(QStringLiteral("sub:bob")));
        QVERIFY(!limiter.tryAcquire(QStringLiteral("sub:bob")));
        QVERIFY(!limiter.tryAcquire(QStringLiteral("sub:alice")));
        // A refusal for one key is no first refusal for another.
        QVERIFY(limiter.acquire(QStringLiteral("sub:carol")).allowed);
    }
};

QTEST_GUILESS_MAIN(TestEdgeIdentity)
#include "tst_edge_identity.moc"
