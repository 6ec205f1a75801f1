#pragma once
// "10.0.0.0/8", "fd00::/8" or a single address ("10.1.2.3" = /32, "::1" = /128), as used by
// TrustedProxies. One parser, so the configuration check and the request path agree.
#include <QHostAddress>
#include <QPair>
#include <optional>

namespace koan {

using Subnet = QPair<QHostAddress, int>;

inline std::optional<Subnet> parseSubnet(const QString &text)
{
    const QString cidr
        = text.contains(QLatin1Char('/'))
              ? text
              : text + (text.contains(QLatin1Char(':')) ? QStringLiteral("/128") : QStringLiteral("/32"));
    const Subnet subnet = QHostAddress::parseSubnet(cidr);
    if (subnet.first.isNull())
        return std::nullopt;
    return subnet;
}

} // namespace koan
