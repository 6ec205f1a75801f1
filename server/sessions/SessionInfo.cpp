#include "SessionInfo.h"

namespace koan {

QString sessionKindName(SessionKind kind)
{
    switch (kind) {
    case SessionKind::StatelessCaller:
        return QStringLiteral("caller");
    case SessionKind::ListenStream:
        return QStringLiteral("listen");
    case SessionKind::Session:
        break;
    }
    return QStringLiteral("session");
}

SessionKind parseSessionKind(const QString &name)
{
    if (name == QLatin1String("caller"))
        return SessionKind::StatelessCaller;
    if (name == QLatin1String("listen"))
        return SessionKind::ListenStream;
    return SessionKind::Session;
}

} // namespace koan
