#pragma once
// A 2026-07-28 subscriptions/listen stream over HttpClient, and what its end looked like: the
// spec's graceful end is the listen request's own result (resultType complete, the subscription
// id in _meta) before the stream closes; koan-mcp names why in an `event: end` first.
#include "HttpClient.h"

#include <QJsonArray>

namespace koan::test {

inline void openListen(HttpClient &c, const QJsonValue &id,
                       const QJsonObject &filter = {{QStringLiteral("toolsListChanged"), true}})
{
    const QJsonObject meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                           {"io.modelcontextprotocol/clientCapabilities", QJsonObject{}}};
    c.send("POST", "/mcp",
           {{"Content-Type", "application/json"},
            {"Accept", "application/json, text/event-stream"},
            {"MCP-Protocol-Version", "2026-07-28"},
            {"Mcp-Method", "subscriptions/listen"}},
           rpc(id, "subscriptions/listen", {{"notifications", filter}, {"_meta", meta}}));
}

// The acknowledgement arrived (the stream is open and registered).
inline bool waitAcknowledged(HttpClient &c, int timeoutMs = 5000)
{
    return QTest::qWaitFor(
        [&c] {
            for (const SseEvent &e : c.events())
                if (QJsonDocument::fromJson(e.data).object().value("method")
                    == QLatin1String("notifications/subscriptions/acknowledged"))
                    return true;
            return false;
        },
        timeoutMs);
}

struct ListenEnd {
    QJsonObject finalMessage;  // the last `message` event, parsed
    QString reason;            // of the `event: end` before it
    bool bodyComplete = false; // the chunked body's last chunk arrived
    bool resultIsLast = false; // no message after the result
};

inline ListenEnd listenEnd(const HttpClient &c)
{
    ListenEnd end;
    const QList<SseEvent> events = c.events();
    for (const SseEvent &e : events) {
        if (e.event == "end")
            end.reason = QJsonDocument::fromJson(e.data).object().value("reason").toString();
        else if (e.event == "message")
            end.finalMessage = QJsonDocument::fromJson(e.data).object();
    }
    end.bodyComplete = c.response().complete;
    end.resultIsLast = !events.isEmpty() && events.last().event == "message"
                       && QJsonDocument::fromJson(events.last().data).object().contains("result");
    return end;
}

// The spec's graceful end of the listen request `id`: its result, complete, tagged with the id.
inline bool isGracefulEnd(const QJsonObject &message, const QJsonValue &id)
{
    const QJsonObject result = message.value("result").toObject();
    return message.value("id") == id && !message.contains("method")
           && result.value("resultType") == QLatin1String("complete")
           && result.value("_meta").toObject().value("io.modelcontextprotocol/subscriptionId") == id;
}

} // namespace koan::test
