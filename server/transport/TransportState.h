#pragma once
// Which transports accept requests right now, and how many long-lived streams are open: the
// one shape behind /admin/transports, /readyz, the capability document, metrics and the console.
#include <QJsonObject>

namespace koan {

struct TransportState {
    bool httpSse = false;
    bool streamableHttp = false;
    bool stdio = false;
    int openStreams = 0;

    QJsonObject toJson() const
    {
        return QJsonObject{{QStringLiteral("httpSse"), httpSse},
                           {QStringLiteral("streamableHttp"), streamableHttp},
                           {QStringLiteral("stdio"), stdio},
                           {QStringLiteral("openStreams"), openStreams}};
    }
};

} // namespace koan
