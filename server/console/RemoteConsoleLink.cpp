#include "RemoteConsoleLink.h"

#include "admin/AdminJson.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QSslConfiguration>

namespace koan {

using namespace adminjson;

QString AttachOptions::problem(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("'%1' is not a URL like https://host:port").arg(url.toString(QUrl::RemoveUserInfo));
    if (url.scheme() == QLatin1String("https"))
        return {};
    if (url.scheme() != QLatin1String("http"))
        return QStringLiteral("'%1': use https:// (or http:// for a loopback server)").arg(url.scheme());
    const QHostAddress address(url.host());
    const bool loopback = url.host().compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0
                          || (!address.isNull() && address.isLoopback());
    if (!loopback)
        return QStringLiteral("plain http:// is only allowed for a loopback server (127.0.0.1, ::1, localhost): "
                              "%1 would carry the admin token unencrypted; use https://")
            .arg(url.host());
    return {};
}

RemoteConsoleLink::RemoteConsoleLink(AttachOptions options, QObject *parent)
    : ConsoleLink(parent), m_options(std::move(options))
{
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &RemoteConsoleLink::openStream);
    m_watchdog.setInterval(1000);
    connect(&m_watchdog, &QTimer::timeout, this, [this] {
        // No bytes (not even a keep-alive) for three intervals: the server or the path is gone.
        if (m_stream && isConnected() && m_lastBytes.elapsed() > 3 * qMax(m_keepAliveMs, 1000)) {
            m_stalled = true;
            m_stream->abort();
        }
    });
}

RemoteConsoleLink::~RemoteConsoleLink()
{
    stop();
}

void RemoteConsoleLink::start()
{
    m_running = true;
    openStream();
}

void RemoteConsoleLink::stop()
{
    m_running = false;
    m_reconnect.stop();
    m_watchdog.stop();
    if (QNetworkReply *r = m_stream.data()) {
        m_stream = nullptr;
        r->abort();
        r->deleteLater();
    }
}

QNetworkRequest RemoteConsoleLink::request(const QString &path) const
{
    QUrl url = m_options.url;
    url.setPath(path);
    QNetworkRequest r(url);
    if (!m_options.token.isEmpty())
        r.setRawHeader("Authorization", "Bearer " + m_options.token);
    r.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!m_options.caCertificates.isEmpty())
        tls.addCaCertificates(m_options.caCertificates);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    r.setSslConfiguration(tls);
    return r;
}

QString RemoteConsoleLink::describe(QNetworkReply *reply, const QByteArray &body)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0)
        return reply->errorString();
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    QString text = QStringLiteral("HTTP %1").arg(status);
    if (!o.value(QLatin1String("error")).toString().isEmpty())
        text += QStringLiteral(" %1").arg(o.value(QLatin1String("error")).toString());
    if (!o.value(QLatin1String("message")).toString().isEmpty())
        text += QStringLiteral(": %1").arg(o.value(QLatin1String("message")).toString());
    return text;
}

void RemoteConsoleLink::send(const QByteArray &verb, const QString &path, const QJsonObject &body, Answer answer)
{
    QNetworkRequest r = request(path);
    r.setTransferTimeout(m_options.requestTimeoutMs);
    QNetworkReply *reply;
    if (verb == "GET") {
        reply = m_network.get(r);
    } else {
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        reply = m_network.sendCustomRequest(r, verb, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    connect(reply, &QNetworkReply::finished, this, [reply, answer = std::move(answer)] {
        reply->deleteLater();
        const QByteArray bytes = reply->readAll();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = reply->error() == QNetworkReply::NoError && status >= 200 && status < 300;
        answer(status, QJsonDocument::fromJson(bytes).object(), ok ? QString() : describe(reply, bytes));
    });
}

void RemoteConsoleLink::openStream()
{
    if (!m_running || m_stream)
        return;
    m_buffer.clear();
    m_stalled = false;
    QNetworkRequest r = request(QStringLiteral("/admin/events"));
    r.setRawHeader("Accept", "text/event-stream");
    r.setTransferTimeout(0); // a stream is long; the watchdog notices silence
    m_stream = m_network.get(r);
    m_lastBytes.start();
    connect(m_stream, &QNetworkReply::readyRead, this, &RemoteConsoleLink::readStream);
    connect(m_stream, &QNetworkReply::finished, this, &RemoteConsoleLink::streamEnded);
    m_watchdog.start();
}

void RemoteConsoleLink::readStream()
{
    QNetworkReply *reply = m_stream;
    if (!reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return; // the error body is read when it finishes
    m_lastBytes.restart();
    m_buffer += reply->readAll();
    m_buffer.replace("\r\n", "\n");
    qsizetype end;
    while ((end = m_buffer.indexOf("\n\n")) >= 0) {
        const QByteArray block = m_buffer.left(end);
        m_buffer.remove(0, end + 2);
        QString event = QStringLiteral("message");
        QByteArray data;
        for (const QByteArray &line : block.split('\n')) {
            if (line.startsWith("event:"))
                event = QString::fromUtf8(line.mid(6).trimmed());
            else if (line.startsWith("data:"))
                data += (data.isEmpty() ? "" : "\n") + line.mid(line.startsWith("data: ") ? 6 : 5);
        }
        if (!data.isEmpty())
            dispatch(event, QJsonDocument::fromJson(data).object());
    }
}

void RemoteConsoleLink::streamEnded()
{
    QNetworkReply *reply = m_stream;
    if (!reply)
        return;
    m_stream = nullptr;
    reply->deleteLater();
    m_watchdog.stop();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString detail;
    if (m_stalled)
        detail = tr("nothing received for %1 s (not even a keep-alive)").arg(m_lastBytes.elapsed() / 1000);
    else if (status != 200)
        detail = describe(reply, reply->readAll());
    else
        detail = reply->error() == QNetworkReply::NoError || reply->error() == QNetworkReply::OperationCanceledError
                     ? tr("the server ended the event stream")
                     : reply->errorString();
    setConnected(false, detail);
    if (m_running && m_options.reconnectMs > 0)
        m_reconnect.start(m_options.reconnectMs);
}

void RemoteConsoleLink::applySnapshot(const QJsonObject &s)
{
    m_server = s.value(QLatin1String("server")).toObject();
    const ServerStatus status = statusFromJson(s.value(QLatin1String("status")).toObject());
    m_keepAliveMs = status.keepAliveMs;
    emit statusChanged(status);
    emit sessionsChanged(fromArray<SessionInfo>(s.value(QLatin1String("sessions")), sessionFromJson));
    emit sessionHistoryChanged(fromArray<EndedSession>(s.value(QLatin1String("history")), endedFromJson));
    emit entitiesChanged(fromArray<EntitySnapshot>(s.value(QLatin1String("entities")), entityFromJson));
    emit toolsChanged(fromArray<ToolSnapshot>(s.value(QLatin1String("tools")), toolFromJson));
    emit overviewChanged(fromArray<OverviewSample>(s.value(QLatin1String("overview")), sampleFromJson));
    emit toolLatencyChanged(fromArray<ToolLatency>(s.value(QLatin1String("toolLatency")), toolLatencyFromJson));
    emit clusterChanged(clusterFromJson(s.value(QLatin1String("cluster")).toObject())); // absent: single node
    emit authFailuresChanged(fromArray<AuthFailure>(s.value(QLatin1String("authFailures")), authFailureFromJson));
    emit logsChanged(fromArray<LogRecord>(s.value(QLatin1String("logs")), logFromJson));
    emit tasksChanged(fromArray<TaskSnapshot>(s.value(QLatin1String("tasks")), taskFromJson));
}

void RemoteConsoleLink::dispatch(const QString &event, const QJsonObject &d)
{
    const auto text = [&d](const char *key) { return d.value(QLatin1String(key)).toString(); };
    if (event == QLatin1String("snapshot")) {
        applySnapshot(d);
        setConnected(true, QString());
    } else if (event == QLatin1String("session-opened")) {
        emit sessionOpened(sessionFromJson(d));
    } else if (event == QLatin1String("session-updated")) {
        emit sessionUpdated(sessionFromJson(d));
    } else if (event == QLatin1String("session-closed")) {
        emit sessionClosed(text("sessionId"), text("reason"));
    } else if (event == QLatin1String("session-ended")) {
        emit sessionEnded(endedFromJson(d));
    } else if (event == QLatin1String("heartbeat")) {
        emit heartbeatSent(text("sessionId"), QDateTime::fromString(text("at"), Qt::ISODateWithMs),
                           qint64(d.value(QLatin1String("bytesQueued")).toDouble()));
    } else if (event == QLatin1String("message-received")) {
        emit messageReceived(text("sessionId"), text("method"));
    } else if (event == QLatin1String("message-sent")) {
        emit messageSent(text("sessionId"));
    } else if (event == QLatin1String("auth-failure")) {
        emit authFailureRecorded(authFailureFromJson(d));
    } else if (event == QLatin1String("tool-call")) {
        emit toolCallFinished(toolCallFromJson(d));
    } else if (event == QLatin1String("log")) {
        emit logRecorded(logFromJson(d));
    } else if (event == QLatin1String("overview-sample")) {
        emit overviewSampled(sampleFromJson(d));
    } else if (event == QLatin1String("tool-latency")) {
        emit toolLatencyChanged(fromArray<ToolLatency>(d.value(QLatin1String("tools")), toolLatencyFromJson));
    } else if (event == QLatin1String("cluster")) {
        emit clusterChanged(clusterFromJson(d));
    } else if (event == QLatin1String("status")) {
        emit statusChanged(statusFromJson(d));
    } else if (event == QLatin1String("entities")) {
        emit entitiesChanged(fromArray<EntitySnapshot>(d.value(QLatin1String("entities")), entityFromJson));
    } else if (event == QLatin1String("tools")) {
        emit toolsChanged(fromArray<ToolSnapshot>(d.value(QLatin1String("tools")), toolFromJson));
    } else if (event == QLatin1String("tasks")) {
        // The task list the snapshot lacked (the store had not answered in time).
        emit tasksChanged(fromArray<TaskSnapshot>(d.value(QLatin1String("tasks")), taskFromJson));
    } else if (event.startsWith(QLatin1String("task-"))) {
        emit taskUpdated(taskFromJson(d), event.mid(5)); // task-created, task-progress, task-finished
    } else if (event == QLatin1String("traffic-frame")) {
        emit trafficFrameRecorded(text("target"), d.value(QLatin1String("frame")).toObject());
    } else if (event == QLatin1String("traffic-recording")) {
        emit trafficRecordingChanged(text("target"), d.value(QLatin1String("recording")).toBool());
    } else if (event == QLatin1String("traffic-record-new")) {
        emit recordNewSessionsChanged(d.value(QLatin1String("recordNewSessions")).toBool());
    } else if (event == QLatin1String("shutdown")) {
        // The server is stopping: the stream ends next; streamEnded() reports it and reconnects.
    }
    emit eventReceived(event, d);
}

void RemoteConsoleLink::refresh()
{
    send("GET", QStringLiteral("/admin/snapshot"), {}, [this](int, const QJsonObject &body, const QString &error) {
        if (error.isEmpty())
            applySnapshot(body);
        else
            emit commandFailed(tr("refresh"), error);
    });
}

void RemoteConsoleLink::setHttpSse(const HttpSseSwitch &request)
{
    send("PUT", QStringLiteral("/admin/transports/http-sse"), request.toJson(),
         [this](int, const QJsonObject &, const QString &error) {
             if (!error.isEmpty())
                 emit commandFailed(tr("rollback switch"), error);
         });
}

void RemoteConsoleLink::applyEntityOptions(const QString &entity, const EntityOptions &options)
{
    send("POST", QStringLiteral("/admin/entities/options"),
         {{QStringLiteral("entity"), entity}, {QStringLiteral("options"), toJson(options)}},
         [this, entity](int, const QJsonObject &body, const QString &error) {
             if (error.isEmpty())
                 emit entitiesChanged(fromArray<EntitySnapshot>(body.value(QLatin1String("entities")), entityFromJson));
             emit entityOptionsApplied(entity, error.isEmpty(), error);
         });
}

void RemoteConsoleLink::resetEntityOptions(const QString &entity)
{
    send("POST", QStringLiteral("/admin/entities/reset"), {{QStringLiteral("entity"), entity}},
         [this, entity](int, const QJsonObject &body, const QString &error) {
             if (error.isEmpty())
                 emit entitiesChanged(fromArray<EntitySnapshot>(body.value(QLatin1String("entities")), entityFromJson));
             emit entityOptionsApplied(entity, error.isEmpty(), error);
         });
}

void RemoteConsoleLink::disconnectSession(const QString &sessionId)
{
    send("POST", QStringLiteral("/admin/sessions/disconnect"), {{QStringLiteral("sessionId"), sessionId}},
         [this](int, const QJsonObject &, const QString &error) {
             if (!error.isEmpty())
                 emit commandFailed(tr("disconnect"), error);
         });
}

void RemoteConsoleLink::invokeTool(const QString &requestId, const QString &tool, const QJsonObject &arguments)
{
    QElapsedTimer timer;
    timer.start();
    // The request id names the call on the server too, to cancel it by (cancelInvocation).
    send("POST", QStringLiteral("/admin/tools/call"),
         {{QStringLiteral("tool"), tool},
          {QStringLiteral("arguments"), arguments},
          {QStringLiteral("callId"), requestId}},
         [this, requestId, tool, arguments, timer](int, const QJsonObject &body, const QString &error) {
             if (error.isEmpty()) {
                 emit toolInvoked(requestId, body.value(QLatin1String("request")).toObject(),
                                  body.value(QLatin1String("response")).toObject(),
                                  body.value(QLatin1String("durationMs")).toDouble());
                 return;
             }
             // The admin API refused the call itself: shown in the panel like a JSON-RPC error.
             const QJsonObject request{
                 {QStringLiteral("method"), QStringLiteral("tools/call")},
                 {QStringLiteral("params"),
                  QJsonObject{{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), arguments}}}};
             const QJsonObject response{{QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), -32000},
                                                                              {QStringLiteral("message"), error}}}};
             emit toolInvoked(requestId, request, response, timer.nsecsElapsed() / 1e6);
         });
}

void RemoteConsoleLink::cancelInvocation(const QString &requestId)
{
    send("POST", QStringLiteral("/admin/tool-calls/%1/cancel").arg(requestId), {},
         [this](int, const QJsonObject &, const QString &error) {
             if (!error.isEmpty())
                 emit commandFailed(tr("cancel"), error);
         });
}

void RemoteConsoleLink::cancelTask(const QString &taskId)
{
    // Task ids are base64url (the server's): safe as a path segment as they are.
    send("POST", QStringLiteral("/admin/tasks/%1/cancel").arg(taskId), {},
         [this, taskId](int, const QJsonObject &body, const QString &error) {
             // A 503/500 that says the cancel holds on the replica running the task: done, its write pending.
             emit taskCancelAnswered(
                 taskId, error.isEmpty() || body.value(QLatin1String("appliedOnThisReplica")).toBool(), error);
         });
}

void RemoteConsoleLink::setTrafficRecording(const QString &target, bool on)
{
    // Session and caller ids are [A-Za-z0-9_-]: safe as a path segment as they are.
    send("POST", QStringLiteral("/admin/sessions/%1/traffic").arg(target), {{QStringLiteral("enabled"), on}},
         [this, target, on](int, const QJsonObject &, const QString &error) {
             if (error.isEmpty())
                 emit trafficRecordingChanged(target, on);
             else
                 emit commandFailed(tr("traffic recording"), error);
         });
}

void RemoteConsoleLink::setRecordNewSessions(bool on)
{
    send("POST", QStringLiteral("/admin/traffic"), {{QStringLiteral("recordNewSessions"), on}},
         [this](int, const QJsonObject &body, const QString &error) {
             if (error.isEmpty())
                 emit recordNewSessionsChanged(body.value(QLatin1String("recordsNewSessions")).toBool());
             else
                 emit commandFailed(tr("traffic recording"), error);
         });
}

void RemoteConsoleLink::requestTraffic(const QString &target)
{
    send("GET", QStringLiteral("/admin/sessions/%1/traffic").arg(target), {},
         [this, target](int status, const QJsonObject &body, const QString &error) {
             if (error.isEmpty() || status == 404)
                 emit trafficExported(target, error.isEmpty() ? body : QJsonObject{});
             else
                 emit commandFailed(tr("traffic export"), error);
         });
}

} // namespace koan
