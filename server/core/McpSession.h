#pragma once
// State of one MCP session, shared by its transport and the RpcBridge.
#include "Principal.h"
#include "ProtocolEra.h"
#include "TransportKind.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QSet>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

namespace koan {

// Cancellation flag of one in-flight request; tools poll it.
using CancelFlag = std::shared_ptr<std::atomic_bool>;

class McpSession
{
public:
    McpSession(QString id, TransportKind transport, Principal principal)
        : id(std::move(id)), transport(transport), principal(std::move(principal)),
          created(QDateTime::currentDateTimeUtc())
    { }

    const QString id;
    const TransportKind transport;
    Principal principal;
    const QDateTime created;

    // Legacy: a session of 2024-11-05..2025-11-25. Modern: the one request of a stateless
    // 2026-07-28 call (no id, never registered, gone with the request).
    ProtocolEra era = ProtocolEra::Legacy;
    QString protocolVersion;  // negotiated in initialize; empty before
    bool initialized = false; // initialize answered
    bool ready = false;       // notifications/initialized received
    QJsonObject clientInfo;
    QJsonObject clientCapabilities;
    QString logLevel = QStringLiteral("info");

    // The transport can carry a server-to-client request while a call runs (not in
    // StreamableJsonResponse mode, where every answer stays one JSON body).
    bool serverRequests = true;
    // 2026-07-28 MRTR: answers known to this request (its requestState's and inputResponses, by
    // key), those the handler used so far (carried into the next round's requestState), and
    // whether the invocation already ended with an input_required result.
    QJsonObject inputAnswers;
    QJsonObject inputUsed;
    bool inputRoundEnded = false;

    // Requests this server sent to the client (sampling, elicitation), awaiting a response.
    QHash<QString, std::function<void(const QJsonObject &response)>> pendingOutbound;
    qint64 nextOutboundId = 1;
    // Requests from the client still running, for notifications/cancelled.
    QHash<QString, CancelFlag> inflight;
    // Resources the client subscribed to (resources/subscribe; legacy sessions only).
    QSet<QString> resourceSubscriptions;
    // The transport's channel for messages outside any request (list_changed, resources/updated):
    // the Streamable GET stream, the legacy SSE stream, stdout. Unset: nothing can be pushed.
    std::function<void(const QJsonObject &message)> push;

    static QString idKey(const QJsonValue &id)
    {
        return id.isString() ? QLatin1String("s:") + id.toString()
                             : QLatin1String("n:") + QString::number(id.toDouble(), 'g', 17);
    }
};

using SessionPtr = std::shared_ptr<McpSession>;

} // namespace koan
