#pragma once
// GET /admin/events: the console's live feed for an attached console, as Server-Sent Events.
// Each stream starts with a `snapshot` event (what GET /admin/snapshot answers), then carries
// one event per server event the console shows (session-opened, session-updated, session-closed,
// session-ended, heartbeat, message-received, message-sent, auth-failure, tool-call, log,
// overview-sample, status, entities, tools, task-created, task-progress, task-finished), a keep-alive comment every SseKeepAliveInterval, and
// a final `shutdown` event when the server stops. A reader that lets too much queue up is cut.
#include "http/HttpResponder.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace koan {

class AdminController;

class AdminEventStream : public QObject
{
    Q_OBJECT
public:
    AdminEventStream(AdminController *admin, int keepAliveMs, qint64 maxQueuedBytes, QObject *parent = nullptr);
    ~AdminEventStream() override;

    void open(HttpResponder *responder, const QJsonObject &snapshot);
    int openStreams() const { return int(m_streams.size()); }
    // Ends every stream with a `shutdown` event (the server stops listening).
    void closeAll();

    static QByteArray frame(const QByteArray &event, const QJsonObject &data);

private:
    void subscribe(); // on the first stream: a headless server without attached consoles pays nothing
    void broadcast(const QByteArray &event, const QJsonObject &data);
    void sendToAll(const QByteArray &frame);

    AdminController *m_admin;
    qint64 m_maxQueued;
    QList<QPointer<HttpResponder>> m_streams;
    QTimer m_keepAlive;
    bool m_subscribed = false;
};

} // namespace koan
