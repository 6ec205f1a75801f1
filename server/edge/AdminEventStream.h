#pragma once
// GET /admin/events: the console's live feed for an attached console, as Server-Sent Events.
// Each stream starts with a `snapshot` event (what GET /admin/snapshot answers, sent once the
// task list was read on the store worker, at most Store:TimeoutSeconds after the headers; without
// it "tasks" is empty, "tasksError" says why, and a `tasks` event {"tasks": [...]} follows once
// the store answers), then carries
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
struct TaskSnapshot;

class AdminEventStream : public QObject
{
    Q_OBJECT
public:
    AdminEventStream(AdminController *admin, int keepAliveMs, qint64 maxQueuedBytes, QObject *parent = nullptr);
    ~AdminEventStream() override;

    // Starts the stream (its headers); false when the responder cannot stream.
    bool start(HttpResponder *responder);
    // Its first event, then the live ones; `tasksListed` false: a `tasks` event follows.
    void open(HttpResponder *responder, const QJsonObject &snapshot, bool tasksListed);
    int openStreams() const { return int(m_streams.size()); }
    // Ends every stream with a `shutdown` event (the server stops listening).
    void closeAll();

    static QByteArray frame(const QByteArray &event, const QJsonObject &data);

private:
    void subscribe(); // on the first stream: a headless server without attached consoles pays nothing
    void broadcast(const QByteArray &event, const QJsonObject &data);
    void sendToAll(const QByteArray &frame);
    void sendTasks(const QList<TaskSnapshot> &tasks); // to the streams whose snapshot had none

    AdminController *m_admin;
    qint64 m_maxQueued;
    QList<QPointer<HttpResponder>> m_streams;
    QList<QPointer<HttpResponder>> m_starting;      // headers sent, snapshot not yet
    QList<QPointer<HttpResponder>> m_awaitingTasks; // their snapshot had no task list
    QTimer m_keepAlive;
    bool m_subscribed = false;
};

} // namespace koan
