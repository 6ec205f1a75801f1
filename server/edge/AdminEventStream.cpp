#include "AdminEventStream.h"

#include "admin/AdminController.h"
#include "admin/AdminJson.h"

#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAdminEvents, "koan.admin.events")

namespace koan {

using namespace adminjson;

AdminEventStream::AdminEventStream(AdminController *admin, int keepAliveMs, qint64 maxQueuedBytes, QObject *parent)
    : QObject(parent), m_admin(admin), m_maxQueued(maxQueuedBytes)
{
    m_keepAlive.setInterval(qMax(100, keepAliveMs));
    connect(&m_keepAlive, &QTimer::timeout, this, [this] { sendToAll(": keepalive\n\n"); });
}

AdminEventStream::~AdminEventStream()
{
    closeAll();
}

QByteArray AdminEventStream::frame(const QByteArray &event, const QJsonObject &data)
{
    // Compact JSON has no raw newline, so one data line carries the whole event.
    return "event: " + event + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

bool AdminEventStream::start(HttpResponder *responder)
{
    if (!responder->startStream(200, {{"Content-Type", "text/event-stream"},
                                      {"Cache-Control", "no-cache, no-transform"},
                                      {"X-Accel-Buffering", "no"}}))
        return false;
    m_starting.append(QPointer<HttpResponder>(responder));
    return true;
}

void AdminEventStream::open(HttpResponder *responder, const QJsonObject &snapshot, bool tasksListed)
{
    QPointer<HttpResponder> guarded(responder);
    m_starting.removeAll(guarded);
    m_starting.removeAll(QPointer<HttpResponder>());
    if (!responder->isOpen())
        return; // the console left while the task list was read
    subscribe();
    m_streams.append(guarded);
    connect(responder, &HttpResponder::closed, this, [this, guarded] {
        m_streams.removeAll(guarded);
        m_streams.removeAll(QPointer<HttpResponder>());
        m_awaitingTasks.removeAll(guarded);
        if (m_streams.isEmpty())
            m_keepAlive.stop();
    });
    if (!m_keepAlive.isActive())
        m_keepAlive.start();
    responder->write(frame("snapshot", snapshot));
    qCInfo(lcAdminEvents).noquote() << "admin event stream opened;" << m_streams.size() << "open";
    if (tasksListed)
        return;
    // The console sees the task list once the store answers (asked again until then).
    m_awaitingTasks.append(guarded);
    if (m_awaitingTasks.size() == 1)
        m_admin->whenTasksListed(this, [this](const QList<TaskSnapshot> &tasks) { sendTasks(tasks); });
}

void AdminEventStream::sendTasks(const QList<TaskSnapshot> &tasks)
{
    const QByteArray bytes = frame("tasks", {{QStringLiteral("tasks"), toArray(tasks)}});
    for (const QPointer<HttpResponder> &r : std::exchange(m_awaitingTasks, {}))
        if (r && r->isOpen())
            r->write(bytes);
}

void AdminEventStream::sendToAll(const QByteArray &bytes)
{
    const QList<QPointer<HttpResponder>> streams = m_streams;
    for (const QPointer<HttpResponder> &r : streams) {
        if (!r || !r->isOpen())
            continue;
        // A console that stopped reading must not grow the server's memory: cut it; it reconnects
        // and starts over from a snapshot.
        if (r->queuedBytes() > m_maxQueued) {
            qCWarning(lcAdminEvents) << "admin event stream cut: slow reader," << r->queuedBytes() << "bytes queued";
            r->endStream(true);
            continue;
        }
        r->write(bytes);
    }
}

void AdminEventStream::broadcast(const QByteArray &event, const QJsonObject &data)
{
    if (!m_streams.isEmpty())
        sendToAll(frame(event, data));
}

void AdminEventStream::closeAll()
{
    m_keepAlive.stop();
    m_awaitingTasks.clear();
    const QList<QPointer<HttpResponder>> streams = std::exchange(m_streams, {}) + std::exchange(m_starting, {});
    for (const QPointer<HttpResponder> &r : streams)
        if (r && r->isOpen()) {
            r->write(frame("shutdown", {{QStringLiteral("reason"), QStringLiteral("server_shutdown")}}));
            r->endStream(true);
        }
}

void AdminEventStream::subscribe()
{
    if (m_subscribed)
        return;
    m_subscribed = true;
    AdminController *a = m_admin;
    connect(a, &AdminController::sessionOpened, this,
            [this](const SessionInfo &s) { broadcast("session-opened", toJson(s)); });
    connect(a, &AdminController::sessionUpdated, this,
            [this](const SessionInfo &s) { broadcast("session-updated", toJson(s)); });
    connect(a, &AdminController::sessionClosed, this, [this](const QString &id, const QString &reason) {
        broadcast("session-closed", {{QStringLiteral("sessionId"), id}, {QStringLiteral("reason"), reason}});
    });
    connect(a, &AdminController::sessionEnded, this,
            [this](const EndedSession &e) { broadcast("session-ended", toJson(e)); });
    connect(a, &AdminController::heartbeatSent, this, [this](const QString &id, const QDateTime &at, qint64 queued) {
        broadcast("heartbeat", {{QStringLiteral("sessionId"), id},
                                {QStringLiteral("at"), at.toUTC().toString(Qt::ISODateWithMs)},
                                {QStringLiteral("bytesQueued"), double(queued)}});
    });
    connect(a, &AdminController::messageReceived, this, [this](const QString &id, const QString &method) {
        broadcast("message-received", {{QStringLiteral("sessionId"), id}, {QStringLiteral("method"), method}});
    });
    connect(a, &AdminController::messageSent, this, [this](const QString &id) {
        broadcast("message-sent", {{QStringLiteral("sessionId"), id}});
    });
    connect(a, &AdminController::authFailureRecorded, this,
            [this](const AuthFailure &f) { broadcast("auth-failure", toJson(f)); });
    connect(a, &AdminController::toolCallFinished, this,
            [this](const ToolCallRecord &r) { broadcast("tool-call", toJson(r)); });
    connect(a, &AdminController::logRecorded, this, [this](const LogRecord &r) {
        // Its own "opened"/"cut" lines would otherwise echo into every stream.
        if (r.category != QLatin1String("koan.admin.events"))
            broadcast("log", toJson(r));
    });
    connect(a, &AdminController::overviewSampled, this,
            [this](const OverviewSample &s) { broadcast("overview-sample", toJson(s)); });
    connect(a, &AdminController::toolLatencyChanged, this, [this](const QList<ToolLatency> &t) {
        broadcast("tool-latency", {{QStringLiteral("tools"), toArray(t)}});
    });
    // Only with a cluster registry (PostgreSQL): a single node's snapshot has no cluster section.
    connect(a, &AdminController::clusterChanged, this, [this](const ClusterView &c) {
        if (!c.self.isEmpty() && !m_streams.isEmpty()) // up to 1000 sessions: not serialised for nobody
            broadcast("cluster", toJson(c));
    });
    connect(a, &AdminController::statusChanged, this,
            [this](const ServerStatus &s) { broadcast("status", toJson(s)); });
    connect(a, &AdminController::entitiesChanged, this, [this](const QList<EntitySnapshot> &e) {
        broadcast("entities", {{QStringLiteral("entities"), toArray(e)}});
    });
    connect(a, &AdminController::taskUpdated, this, [this](const TaskSnapshot &t, const QString &change) {
        broadcast("task-" + change.toLatin1(), toJson(t)); // task-created, task-progress, task-finished
    });
    connect(a, &AdminController::trafficFrameRecorded, this, [this](const QString &target, const QJsonObject &f) {
        broadcast("traffic-frame", {{QStringLiteral("target"), target}, {QStringLiteral("frame"), f}});
    });
    connect(a, &AdminController::trafficRecordingChanged, this, [this](const QString &target, bool recording) {
        broadcast("traffic-recording", {{QStringLiteral("target"), target}, {QStringLiteral("recording"), recording}});
    });
    connect(a, &AdminController::recordNewSessionsChanged, this, [this](bool on) {
        broadcast("traffic-record-new", {{QStringLiteral("recordNewSessions"), on}});
    });
    connect(a, &AdminController::toolsChanged, this, [this](const QList<ToolSnapshot> &t) {
        broadcast("tools", {{QStringLiteral("tools"), toArray(t)}});
    });
}

} // namespace koan
