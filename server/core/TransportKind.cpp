#include "TransportKind.h"

namespace koan {

QString transportName(TransportKind kind)
{
    switch (kind) {
    case TransportKind::Stdio:
        return QStringLiteral("Stdio");
    case TransportKind::HttpSse:
        return QStringLiteral("HttpSse");
    case TransportKind::StreamableHttp:
        return QStringLiteral("StreamableHttp");
    case TransportKind::Operator:
        return QStringLiteral("Operator");
    case TransportKind::None:
        break;
    }
    return QStringLiteral("None");
}

QStringList transportNames(TransportSet set)
{
    QStringList names;
    for (TransportKind k :
         {TransportKind::Stdio, TransportKind::HttpSse, TransportKind::StreamableHttp, TransportKind::Operator})
        if (set.testFlag(k))
            names << transportName(k);
    return names;
}

bool parseTransportName(const QString &name, TransportSet *out)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("all")) {
        *out = allTransports();
        return true;
    }
    if (n == QLatin1String("none")) {
        *out = {};
        return true;
    }
    for (TransportKind k :
         {TransportKind::Stdio, TransportKind::HttpSse, TransportKind::StreamableHttp, TransportKind::Operator})
        if (n == transportName(k).toLower()) {
            *out = k;
            return true;
        }
    return false;
}

} // namespace koan
