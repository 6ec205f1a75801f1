#include "HttpSseTransport.h"

#include "SseStream.h"
#include "core/RpcBridge.h"
#include "http/HttpErrors.h"
#include "protocol/JsonWriter.h"
#include "sessions/SessionManager.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcLegacy, "koan.http.sse")

namespace koan {

namespace {
using json::compact;

const HttpHeaders kRetry{{"Retry-After", "5"}};
} // namespace

HttpSseTransport::HttpSseTransport(RpcBridge *bridge, SessionManager *sessions, Settings settings, QObject *parent)
    : QObject(parent), m_bridge(bridge), m_sessions(sessions), m_settings(std::move(settings))
{
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, [this] { finishDrain(true); });
}

void HttpSseTransport::openStream(const HttpRequest &request, HttpResponder *responder, const Principal &principal)
{
    if (!m_enabled)
        return sendHttpError(responder, 503, QStringLiteral("transport_disabled"),
                             m_draining
                                 ? QStringLiteral("The HTTP+SSE transport is draining (EnableHttpSseTransport "
                                                  "switched off); open streams finish, new ones are refused")
                                 : QStringLiteral("The HTTP+SSE transport is disabled (EnableHttpSseTransport=false)"),
                             kRetry);
    if (m_sessions->atSessionLimit()) {
        m_sessions->rejectConnection(QStringLiteral("max_sessions"));
        return sendHttpError(responder, 503, QStringLiteral("max_sessions_exceeded"),
                             QStringLiteral("The server is at its limit of %1 sessions (MaxSessions); retry later")
                                 .arg(m_sessions->maxSessions()),
                             kRetry, {{QStringLiteral("limit"), m_sessions->maxSessions()}});
    }
    if (m_sessions->atConnectionLimit()) {
        m_sessions->rejectConnection(QStringLiteral("max_connections"));
        return sendHttpError(responder, 503, QStringLiteral("max_connections_exceeded"),
                             QStringLiteral("The server is at its limit of %1 concurrent streams; retry later")
                                 .arg(m_sessions->maxConcurrentConnections()),
                             kRetry, {{QStringLiteral("limit"), m_sessions->maxConcurrentConnections()}});
    }
    // Closing the session (idle timeout, operator, rollback) ends its stream with a final event.
    const SessionPtr session = m_sessions->open(
        TransportKind::HttpSse, principal, request.remote(), QString::fromUtf8(request.header("User-Agent")),
        [this](const QString &id, const QString &reason) {
            if (QPointer<SseStream> s = m_streams.take(id)) {
                s->sendEvent("end", compact(QJsonObject{{QStringLiteral("reason"), reason}}));
                s->close();
                s->deleteLater();
            }
        });
    const QString id = session->id;
    session->push = [self = QPointer<HttpSseTransport>(this), id](const QJsonObject &m) {
        if (self)
            self->deliver(id, m);
    };
    m_sessions->traffic()->exchange(id, request, responder); // the stream's head (a new session records
                                                             // only while new sessions do)
    auto *stream = new SseStream(responder, id, m_settings.maxQueuedBytes, this);
    stream->recordTo(m_sessions->traffic(), id);
    m_streams.insert(id, stream);
    // The client closing the stream ends the session: this transport has no resumption.
    connect(stream, &SseStream::closed, this, [this, id, stream](const QString &reason) {
        if (m_streams.value(id) == stream) {
            m_streams.remove(id);
            m_sessions->close(id, reason);
        }
        stream->deleteLater();
        if (m_draining && m_streams.isEmpty())
            finishDrain(false); // the last one finished in time
    });
    m_sessions->addStream(id, stream, true);
    if (!stream->open({{"X-Mcp-Session", id.toLatin1()}}))
        return;
    const QString endpoint = request.forwardedPrefix() + m_settings.route + QStringLiteral("/rpc?sessionId=") + id;
    stream->sendEvent("endpoint", endpoint.toUtf8());
}

void HttpSseTransport::submit(const HttpRequest &request, HttpResponder *responder, const Principal &principal)
{
    QString id = request.query.queryItemValue(QStringLiteral("sessionId"));
    if (id.isEmpty())
        id = QString::fromLatin1(request.header("X-Mcp-Session"));
    // While draining, the streams still open may finish their work.
    if (!m_enabled && !(m_draining && m_streams.value(id)))
        return sendHttpError(responder, 503, QStringLiteral("transport_disabled"),
                             QStringLiteral("The HTTP+SSE transport is disabled (EnableHttpSseTransport=false)"),
                             kRetry);
    if (id.isEmpty())
        return sendHttpError(
            responder, 400, QStringLiteral("missing_session"),
            QStringLiteral("Pass the session id from the endpoint event as ?sessionId= or X-Mcp-Session"));
    const SessionPtr session = m_sessions->find(id);
    if (!session || session->transport != TransportKind::HttpSse || !m_streams.value(id))
        return sendHttpError(
            responder, 404, QStringLiteral("session_not_found"),
            QStringLiteral("Unknown or closed session '%1'; open a new stream with GET %2/sse")
                .arg(SessionManager::isWellFormedId(id) ? id : QStringLiteral("(malformed id)"), m_settings.route));
    const auto body = readJsonRpcBody(request, responder, m_settings.maxBodyBytes, false);
    if (!body)
        return;
    m_sessions->recordInbound(id, body->toObject().value(QLatin1String("method")).toString());
    m_sessions->traffic()->exchange(id, request, responder);
    responder->send(202, {});
    QElapsedTimer received;
    received.start();
    m_bridge->handleValue(
        *body, session, [this, id](const QJsonObject &m) { deliver(id, m); },
        [this, id, received](const QJsonValue &reply) {
            if (!reply.isUndefined())
                m_sessions->recordServed(TransportKind::HttpSse, received.nsecsElapsed() / 1e9);
            if (reply.isObject())
                deliver(id, reply.toObject());
            else if (reply.isArray())
                for (const auto &r : reply.toArray())
                    deliver(id, r.toObject());
        });
}

void HttpSseTransport::deliver(const QString &sessionId, const QJsonObject &message)
{
    // Only ever the stream of the session that made the request.
    if (QPointer<SseStream> s = m_streams.value(sessionId); s && s->sendEvent("message", compact(message)))
        m_sessions->recordOutbound(sessionId);
}

void HttpSseTransport::setEnabled(bool enabled)
{
    const bool wasDraining = m_draining;
    if (m_draining) {
        m_draining = false;
        m_drainTimer.stop();
    }
    if (m_enabled == enabled) {
        if (wasDraining) {
            qCWarning(lcLegacy).noquote() << "HTTP+SSE drain ended early:" << (enabled ? "enabled again" : "cut")
                                          << "with" << m_streams.size() << "open stream(s)";
            if (!enabled)
                closeAll(QStringLiteral("transport_disabled"));
            emit drainingChanged(false);
        }
        return;
    }
    m_enabled = enabled;
    qCWarning(lcLegacy).noquote() << "HTTP+SSE transport" << (enabled ? "enabled" : "DISABLED (rollback switch)")
                                  << "with" << m_streams.size() << "open stream(s)";
    if (!enabled)
        closeAll(QStringLiteral("transport_disabled"));
    if (wasDraining)
        emit drainingChanged(false);
    emit enabledChanged(enabled);
}

void HttpSseTransport::drain(int timeoutMs)
{
    if (!m_enabled)
        return; // already off (cut or draining): nothing to drain
    m_enabled = false;
    qCWarning(lcLegacy).noquote() << "HTTP+SSE transport DRAINING (rollback switch):" << m_streams.size()
                                  << "open stream(s) may finish within" << timeoutMs << "ms";
    emit enabledChanged(false);
    if (m_streams.isEmpty())
        return;
    m_draining = true;
    m_drainDeadline = QDateTime::currentDateTimeUtc().addMSecs(timeoutMs);
    m_drainTimer.start(qMax(0, timeoutMs));
    emit drainingChanged(true);
}

void HttpSseTransport::finishDrain(bool closeRemaining)
{
    if (!m_draining)
        return;
    m_draining = false;
    m_drainTimer.stop();
    qCWarning(lcLegacy).noquote() << "HTTP+SSE drain finished:" << m_streams.size() << "stream(s) left, closed now";
    if (closeRemaining)
        closeAll(QStringLiteral("transport_drained"));
    emit drainingChanged(false);
}

void HttpSseTransport::closeAll(const QString &reason)
{
    for (const QString &id : m_streams.keys())
        m_sessions->close(id, reason);
}

} // namespace koan
