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
    // The switch drains: open legacy streams (and, with StreamableFollowsHttpSseSwitch, Streamable
    // sessions and listen streams) finishing until drainDeadline.
    bool httpSseDraining = false;
    int httpSseStreams = 0; // open legacy streams
    QString drainDeadline;  // ISO 8601 UTC while draining

    QJsonObject toJson() const
    {
        QJsonObject o{{QStringLiteral("httpSse"), httpSse},
                      {QStringLiteral("streamableHttp"), streamableHttp},
                      {QStringLiteral("stdio"), stdio},
                      {QStringLiteral("openStreams"), openStreams},
                      {QStringLiteral("httpSseStreams"), httpSseStreams},
                      {QStringLiteral("httpSseDraining"), httpSseDraining}};
        if (httpSseDraining)
            o.insert(QStringLiteral("drainDeadline"), drainDeadline);
        return o;
    }
};

} // namespace koan
