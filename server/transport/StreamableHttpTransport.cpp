#include "StreamableHttpTransport.h"

#include "SseStream.h"
#include "core/ProtocolEra.h"
#include "core/RpcBridge.h"
#include "http/HttpErrors.h"
#include "protocol/JsonWriter.h"
#include "protocol/ProtocolVersion.h"
#include "sessions/SessionManager.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcStreamable, "koan.http.streamable")

namespace koan {

namespace {
constexpr int kMaxRetainedStreams = 64;
// An answer that comes after the handler returned (the store worker's) but within this, with
// nothing streamed before it, goes out as one JSON body; later, it ends the stream opened then.
constexpr int kOneResponseWaitMs = 50;

bool accepts(const QByteArray &acceptHeader, const QByteArray &type)
{
    if (acceptHeader.isEmpty())
        return false;
    const QByteArray major = type.left(type.indexOf('/')) + "/*";
    for (const QByteArray &part : acceptHeader.split(',')) {
        const QByteArray media = part.split(';').first().trimmed().toLower();
        if (media == type || media == "*/*" || media == major)
            return true;
    }
    return false;
}

bool isRequest(const QJsonValue &v)
{
    const QJsonObject o = v.toObject();
    return o.contains(QLatin1String("method")) && o.contains(QLatin1String("id"));
}

bool containsRequest(const QJsonValue &body, const QString &method = {})
{
    const QJsonArray items = body.isArray() ? body.toArray() : QJsonArray{body};
    for (const auto &v : items)
        if (isRequest(v) && (method.isEmpty() || v.toObject().value(QLatin1String("method")).toString() == method))
            return true;
    return false;
}

using json::compact;

const HttpHeaders kRetry{{"Retry-After", "5"}};
} // namespace

StreamableHttpTransport::StreamableHttpTransport(RpcBridge *bridge, SessionManager *sessions, Settings settings,
                                                 QObject *parent)
    : QObject(parent), m_bridge(bridge), m_sessions(sessions), m_settings(settings), m_enabled(settings.enabled)
{
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, [this] { finishDrain(true); });
}

void StreamableHttpTransport::setEnabled(bool enabled)
{
    const bool wasDraining = m_draining;
    m_draining = false;
    m_drainTimer.stop();
    if (m_enabled == enabled) {
        if (wasDraining) {
            qCWarning(lcStreamable).noquote()
                << "Streamable HTTP drain ended early:" << (enabled ? "enabled again" : "cut") << "with"
                << m_states.size() << "session(s) and" << m_listens.size() << "listen stream(s)";
            if (!enabled)
                closeAll(QStringLiteral("transport_disabled"));
            emit drainingChanged(false);
        }
        return;
    }
    m_enabled = enabled;
    qCWarning(lcStreamable).noquote() << "Streamable HTTP transport" << (enabled ? "enabled" : "DISABLED") << "with"
                                      << m_states.size() << "session(s) and" << m_listens.size() << "listen stream(s)";
    if (!enabled)
        closeAll(QStringLiteral("transport_disabled"));
    if (wasDraining)
        emit drainingChanged(false);
    emit enabledChanged(enabled);
}

void StreamableHttpTransport::drain(int timeoutMs)
{
    if (!m_enabled)
        return; // already off (cut or draining): nothing to drain
    m_enabled = false;
    qCWarning(lcStreamable).noquote() << "Streamable HTTP transport DRAINING (rollback switch):" << m_states.size()
                                      << "session(s) and" << m_listens.size() << "listen stream(s) may finish within"
                                      << timeoutMs << "ms";
    emit enabledChanged(false);
    if (m_states.isEmpty() && m_listens.isEmpty())
        return;
    m_draining = true;
    m_drainDeadline = QDateTime::currentDateTimeUtc().addMSecs(timeoutMs);
    m_drainTimer.start(qMax(0, timeoutMs));
    emit drainingChanged(true);
}

void StreamableHttpTransport::finishDrain(bool closeRemaining)
{
    if (!m_draining)
        return;
    m_draining = false;
    m_drainTimer.stop();
    qCWarning(lcStreamable).noquote() << "Streamable HTTP drain finished:" << m_states.size() << "session(s) and"
                                      << m_listens.size() << "listen stream(s) left, closed now";
    if (closeRemaining)
        closeAll(QStringLiteral("transport_drained"));
    emit drainingChanged(false);
}

void StreamableHttpTransport::closeAll(const QString &reason)
{
    // The one way sessions and listen rows end (SessionManager runs each one's closer, the
    // console and metrics see it), as for the legacy transport's streams.
    for (const QString &id : m_states.keys())
        m_sessions->close(id, reason);
    for (const QString &id : m_listens.keys())
        m_sessions->close(id, reason);
}

void StreamableHttpTransport::handle(const HttpRequest &request, HttpResponder *responder, const Principal &principal)
{
    // While draining, the open sessions may finish their work (listen streams need no request).
    if (!m_enabled && !(m_draining && m_states.contains(QString::fromLatin1(request.header("Mcp-Session-Id")))))
        return sendRpcHttpError(responder, 503, jsonrpc::ServerError,
                                m_draining ? QStringLiteral("Service Unavailable: the Streamable HTTP transport is "
                                                            "disabled (draining: open sessions and listen streams "
                                                            "finish, new requests are refused)")
                                           : QStringLiteral("Service Unavailable: the Streamable HTTP transport is "
                                                            "disabled"),
                                kRetry);
    // A POST naming no session may be either era (ProtocolEra.h): post() decides from the body.
    if (request.method == "POST" && !request.hasHeader("Mcp-Session-Id"))
        return post(request, responder, principal);
    if (!checkLegacyVersion(request, responder))
        return;
    if (request.method == "POST")
        return post(request, responder, principal);
    if (request.method == "GET")
        return get(request, responder);
    if (request.method == "DELETE")
        return remove(request, responder);
    sendMethodNotAllowed(responder, "GET, POST, DELETE", ErrorShape::JsonRpc);
}

bool StreamableHttpTransport::checkLegacyVersion(const HttpRequest &request, HttpResponder *responder)
{
    const QByteArray version = request.header("MCP-Protocol-Version");
    if (version.isEmpty() || protocol::isSupported(QString::fromLatin1(version)))
        return true;
    sendRpcHttpError(responder, 400, jsonrpc::ServerError,
                     QStringLiteral("Bad Request: Unsupported protocol version: %1 (supported versions: %2)")
                         .arg(QString::fromLatin1(version), protocol::supportedVersions().join(QLatin1String(", "))));
    return false;
}

StreamableHttpTransport::State *StreamableHttpTransport::sessionFor(const HttpRequest &request,
                                                                    HttpResponder *responder)
{
    const QString id = QString::fromLatin1(request.header("Mcp-Session-Id"));
    if (id.isEmpty()) {
        sendRpcHttpError(responder, 400, jsonrpc::ServerError,
                         QStringLiteral("Bad Request: Mcp-Session-Id header is required"));
        return nullptr;
    }
    const auto it = m_states.find(id);
    if (it == m_states.end()) {
        sendRpcHttpError(responder, 404, jsonrpc::SessionNotFound, QStringLiteral("Session not found"));
        return nullptr;
    }
    // Who may use the session is decided at the edge (McpEndpoints). A supported
    // MCP-Protocol-Version other than the negotiated one is accepted, as the TS SDK server does:
    // the official conformance suite sends 2025-03-26 on a 2025-11-25 session.
    return &*it;
}

void StreamableHttpTransport::post(const HttpRequest &request, HttpResponder *responder, const Principal &principal)
{
    if (!accepts(request.header("Accept"), "application/json")
        || !accepts(request.header("Accept"), "text/event-stream"))
        return sendRpcHttpError(
            responder, 406, jsonrpc::ServerError,
            QStringLiteral("Not Acceptable: Client must accept both application/json and text/event-stream"));
    const auto body = readJsonRpcBody(request, responder, m_settings.maxBodyBytes, true);
    if (!body)
        return;

    QString id;
    const bool newSession = !request.hasHeader("Mcp-Session-Id");
    if (newSession) {
        const std::optional<QString> headerVersion
            = request.hasHeader("MCP-Protocol-Version")
                  ? std::optional<QString>(QString::fromLatin1(request.header("MCP-Protocol-Version")))
                  : std::nullopt;
        if (selectEra(EraInput{false, *body, headerVersion}) == ProtocolEra::Modern)
            return postModern(request, responder, principal, body->toObject());
        if (!checkLegacyVersion(request, responder))
            return;
    }
    if (!newSession) {
        State *state = sessionFor(request, responder);
        if (!state)
            return;
        id = state->session->id;
    } else {
        if (!containsRequest(*body, QStringLiteral("initialize")))
            return sendRpcHttpError(responder, 400, jsonrpc::ServerError,
                                    QStringLiteral("Bad Request: Mcp-Session-Id header is required"));
        if (m_sessions->atSessionLimit()) {
            m_sessions->rejectConnection(QStringLiteral("max_sessions"));
            return sendRpcHttpError(
                responder, 503, jsonrpc::ServerError,
                QStringLiteral("Service Unavailable: the server is at its limit of %1 sessions (MaxSessions)")
                    .arg(m_sessions->maxSessions()),
                kRetry);
        }
        const SessionPtr session = m_sessions->open(
            TransportKind::StreamableHttp, principal, request.remote(), QString::fromUtf8(request.header("User-Agent")),
            [this](const QString &sid, const QString &reason) { closeState(sid, reason); });
        // JSON-response mode keeps every answer one JSON body: no server-to-client request mid-call.
        session->serverRequests = !m_settings.jsonResponses;
        id = session->id;
        // Messages outside any request (list changes, resource updates) go on the GET stream,
        // kept for replay while it is not connected.
        session->push = [self = QPointer<StreamableHttpTransport>(this), id](const QJsonObject &m) {
            if (self)
                self->emitOn(id, 0, m);
        };
        m_states.insert(id, State{session, {}, {}, {}, 1, 1, {}});
    }
    State &state = m_states[id];
    const SessionPtr session = state.session;
    m_sessions->recordInbound(id, body->toObject().value(QLatin1String("method")).toString());
    m_sessions->traffic()->exchange(id, request, responder);

    if (!containsRequest(*body)) {
        // Notifications and responses (e.g. the client's sampling answer): 202, nothing owed. But
        // a body the bridge answers at once is an error the client must see, never a silent 202:
        // an array where batches are not allowed (2025-06-18+), an empty batch, a 2025-03-26
        // batch of invalid members (one error each, JSON-RPC 2.0 section 6).
        auto answer = std::make_shared<QJsonValue>(QJsonValue::Undefined);
        m_bridge->handleValue(
            *body, session, [this, id](const QJsonObject &m) { emitOn(id, 0, m); },
            [answer](const QJsonValue &reply) { *answer = reply; });
        const HttpHeaders sessionHeader{{"Mcp-Session-Id", id.toLatin1()}};
        if (answer->isUndefined())
            return responder->send(202, sessionHeader);
        // One error object for the whole body: 400; a batch's array of member errors: its answer.
        responder->sendJson(answer->isArray() ? 200 : 400, *answer, sessionHeader);
        return;
    }

    // Requests are answered on an SSE stream (or as JSON in JSON mode). The stream starts when the
    // handler sends related messages (progress, logging, sampling) or, in SSE mode, turns out to
    // take a while (after handleValue below); an answer ready at once goes out as one complete
    // SSE response: no stream object, one write.
    const int streamNo = state.nextStream++;
    struct Exchange {
        QPointer<HttpResponder> responder;
        bool streaming = false;
        bool answered = false;
        bool returned = false; // the handler returned without its answer: it comes later
    };
    auto exchange = std::make_shared<Exchange>(Exchange{responder, false, false, false});
    const HttpHeaders sessionHeader{{"Mcp-Session-Id", id.toLatin1()}};
    auto startStreaming = [this, id, streamNo, exchange] {
        if (exchange->streaming)
            return;
        exchange->streaming = true;
        auto it = m_states.find(id);
        if (it != m_states.end() && exchange->responder)
            attach(*it, streamNo, exchange->responder, false);
    };
    // A new session's initialize is held back until its answer: should it fail, the client gets
    // the error without a session id (and the session is closed below).
    auto related = [this, id, streamNo, startStreaming](const QJsonObject &message) {
        startStreaming();
        emitOn(id, streamNo, message);
    };
    QElapsedTimer received;
    received.start();
    m_bridge->handleValue(
        *body, session, related,
        [this, id, streamNo, exchange, sessionHeader, received, newSession, session,
         startStreaming](const QJsonValue &reply) {
            exchange->answered = true;
            if (!reply.isUndefined())
                m_sessions->recordServed(TransportKind::StreamableHttp, received.nsecsElapsed() / 1e9);
            // A session whose initialize failed must not linger until the idle timeout.
            const bool failedInit = newSession && !session->initialized;
            // Ready before the handler returned: one complete SSE response (kept for replay); came
            // later, before any stream: one JSON body (below).
            const bool sse = !m_settings.jsonResponses && !failedInit && !reply.isUndefined() && !exchange->returned;
            if (sse && !exchange->streaming && exchange->responder) {
                auto it = m_states.find(id);
                if (it != m_states.end()) {
                    const QByteArray priming = primingEvent(*it, streamNo);
                    const QByteArray body = priming + emitOn(id, streamNo, reply);
                    exchange->responder->send(200, SseStream::headers(sessionHeader), body);
                    m_sessions->recordOutbound(id);
                    completeStream(id, streamNo);
                    return;
                }
            }
            if (exchange->streaming) {
                if (!reply.isUndefined())
                    emitOn(id, streamNo, reply); // an object, or an array for a batch
                completeStream(id, streamNo);
            } else if (exchange->responder) { // else the client left before the answer, with no stream to resume
                if (reply.isUndefined())
                    exchange->responder->send(202, failedInit ? HttpHeaders{}
                                                              : sessionHeader); // e.g. the request was cancelled
                else {
                    exchange->responder->sendJson(200, reply, failedInit ? HttpHeaders{} : sessionHeader);
                    m_sessions->recordOutbound(id);
                }
            }
            if (failedInit)
                m_sessions->close(id, QStringLiteral("initialize_failed"));
        });
    exchange->returned = !exchange->answered;
    // Still working: the headers (and priming event) go out unless the answer comes first.
    if (!m_settings.jsonResponses && !newSession && !exchange->answered && !exchange->streaming)
        QTimer::singleShot(kOneResponseWaitMs, this, [exchange, startStreaming] {
            if (!exchange->answered)
                startStreaming();
        });
}

void StreamableHttpTransport::postModern(const HttpRequest &request, HttpResponder *responder,
                                         const Principal &principal, const QJsonObject &message)
{
    const auto header = [&request](const QByteArray &name) {
        return request.hasHeader(name) ? std::optional<QByteArray>(request.header(name)) : std::nullopt;
    };
    ModernHeaders headers{header("MCP-Protocol-Version"), header("Mcp-Method"), header("Mcp-Name"), {}};
    static const QByteArray kParamPrefix("mcp-param-");
    for (const auto &[name, value] : request.headers)
        if (name.size() > kParamPrefix.size() && name.toLower().startsWith(kParamPrefix))
            headers.params[name.mid(kParamPrefix.size()).toLower()].append(value);
    const QString method = message.value(QLatin1String("method")).toString();
    const bool listen = method == QLatin1String("subscriptions/listen");
    const SessionInfo caller = SessionManager::statelessCaller(principal, message, request.remote(),
                                                               QString::fromUtf8(request.header("User-Agent")),
                                                               TransportKind::StreamableHttp);
    const QString callerId = m_sessions->recordStatelessRequest(caller, method); // its traffic's target
    m_sessions->traffic()->exchange(callerId, request, responder);
    if (listen && m_sessions->atConnectionLimit()) {
        // A listen stream is long-lived: it counts against MaxConcurrentConnections like a GET stream.
        m_sessions->rejectConnection(QStringLiteral("max_connections"));
        return sendRpcHttpError(
            responder, 503, jsonrpc::ServerError,
            QStringLiteral("Service Unavailable: the server is at its limit of %1 concurrent streams")
                .arg(m_sessions->maxConcurrentConnections()),
            kRetry);
    }
    // A quick answer is one JSON body; once the handler sends a notification (progress, a log
    // message the request asked for) the answer becomes an SSE stream ending with the response.
    // No session, no event ids, no replay: the modern era has no resumption.
    struct Exchange {
        QPointer<HttpResponder> responder;
        QPointer<SseStream> stream;
        bool answered = false;
    };
    auto exchange = std::make_shared<Exchange>(Exchange{responder, {}, false});
    const auto dropConnection = std::make_shared<bool>(false); // the server ended a listen: close the connection
    auto related = [this, exchange, callerId](const QJsonObject &m) {
        if (exchange->answered || !exchange->responder)
            return;
        if (!exchange->stream) {
            auto *stream = new SseStream(exchange->responder.data(), QString(), m_settings.maxQueuedBytes, this);
            stream->recordTo(m_sessions->traffic(), callerId);
            connect(stream, &SseStream::closed, stream, &QObject::deleteLater);
            stream->open();
            exchange->stream = stream;
        }
        exchange->stream->sendEvent("message", compact(m));
    };
    QElapsedTimer received;
    received.start();
    const CancelFlag cancelled = m_bridge->handleStateless(
        message, &headers, principal, TransportKind::StreamableHttp, related,
        [this, exchange, received, dropConnection](const QJsonValue &reply, int status) {
            exchange->answered = true;
            // A listen the server ended lasted as long as it was open: no request latency.
            if (!reply.isUndefined() && !*dropConnection)
                m_sessions->recordServed(TransportKind::StreamableHttp, received.nsecsElapsed() / 1e9);
            if (exchange->stream) {
                if (!reply.isUndefined())
                    exchange->stream->sendEvent("message", compact(reply));
                exchange->stream->close(!*dropConnection); // the chunked body ends either way
            } else if (exchange->responder) {
                if (reply.isUndefined())
                    exchange->responder->send(status == 200 ? 202 : status, {});
                else
                    exchange->responder->sendJson(status, reply);
            }
        });
    // An acknowledged subscriptions/listen stays open: heartbeats and the connection limit apply.
    if (listen && !exchange->answered && exchange->stream) {
        SseStream *stream = exchange->stream;
        const QString row = m_sessions->addDetachedStream(
            stream, caller, [self = QPointer<StreamableHttpTransport>(this)](const QString &id, const QString &reason) {
                if (self)
                    self->endListen(id, reason);
            });
        m_listens.insert(row, Listen{stream, cancelled, dropConnection});
        connect(stream, &SseStream::closed, this, [this, row] {
            m_listens.remove(row);
            if (m_draining && m_states.isEmpty() && m_listens.isEmpty())
                finishDrain(false); // the last one finished in time
        });
    }
    // On HTTP a closed stream is the cancellation (the answer, if any, is then dropped).
    if (!exchange->answered)
        connect(responder, &HttpResponder::closed, this, [cancelled, exchange] {
            if (!exchange->answered)
                cancelled->store(true);
        });
}

void StreamableHttpTransport::get(const HttpRequest &request, HttpResponder *responder)
{
    if (!accepts(request.header("Accept"), "text/event-stream"))
        return sendRpcHttpError(responder, 406, jsonrpc::ServerError,
                                QStringLiteral("Not Acceptable: Client must accept text/event-stream"));
    State *state = sessionFor(request, responder);
    if (!state)
        return;
    const QString id = state->session->id;
    m_sessions->recordInbound(id);
    m_sessions->traffic()->exchange(id, request, responder);

    // Resumption: "<stream>_<seq>" names the stream and the last event the client saw.
    if (const auto lastEvent = parseEventId(request.header("Last-Event-ID"));
        lastEvent && knows(*state, lastEvent->stream)) {
        const int streamNo = lastEvent->stream;
        const qint64 seq = lastEvent->seq;
        const bool complete = state->completed.contains(streamNo);
        if (const LogicalStream &ls = logical(*state, streamNo); ls.connection && ls.connection->isOpen())
            return sendRpcHttpError(responder, 409, jsonrpc::ServerError,
                                    QStringLiteral("Conflict: the stream is already connected"));
        // No priming event here: it would take a newer id than the replayed events that follow.
        SseStream *stream = attach(*state, streamNo, responder, streamNo == 0, false);
        for (const Event &e : state->replay)
            if (e.stream == streamNo && e.seq > seq)
                stream->sendRaw(e.frame, true);
        if (complete)
            completeStream(id, streamNo);
        return;
    }
    if (state->standalone.connection && state->standalone.connection->isOpen())
        return sendRpcHttpError(responder, 409, jsonrpc::ServerError,
                                QStringLiteral("Conflict: Only one SSE stream is allowed per session"));
    if (m_sessions->atConnectionLimit()) {
        m_sessions->rejectConnection(QStringLiteral("max_connections"));
        return sendRpcHttpError(
            responder, 503, jsonrpc::ServerError,
            QStringLiteral("Service Unavailable: the server is at its limit of %1 concurrent streams")
                .arg(m_sessions->maxConcurrentConnections()),
            kRetry);
    }
    attach(*state, 0, responder, true);
}

void StreamableHttpTransport::remove(const HttpRequest &request, HttpResponder *responder)
{
    State *state = sessionFor(request, responder);
    if (!state)
        return;
    const QString id = state->session->id;
    m_sessions->traffic()->exchange(id, request, responder);
    m_sessions->close(id, QStringLiteral("deleted_by_client"));
    responder->sendJson(200, QJsonObject{});
}

bool StreamableHttpTransport::primes(const State &state) const
{
    // Priming events (empty data) confuse clients older than 2025-11-25 (SEP-1699).
    return m_settings.replayBufferSize > 0 && state.session->protocolVersion >= QLatin1String("2025-11-25");
}

QByteArray StreamableHttpTransport::primingEvent(State &state, int streamNo)
{
    if (!primes(state))
        return {};
    const QByteArray eventId = formatEventId(streamNo, state.nextSeq++);
    return "id: " + eventId + "\nretry: " + QByteArray::number(m_settings.retryMs) + "\ndata: \n\n";
}

SseStream *StreamableHttpTransport::attach(State &state, int streamNo, HttpResponder *responder, bool longLived,
                                           bool prime)
{
    const QString id = state.session->id;
    auto *stream = new SseStream(responder, id, m_settings.maxQueuedBytes, this);
    stream->recordTo(m_sessions->traffic(), id);
    logical(state, streamNo).connection = stream;
    connect(stream, &SseStream::closed, this, [stream] { stream->deleteLater(); });
    m_sessions->addStream(id, stream, longLived);
    stream->open({{"Mcp-Session-Id", id.toLatin1()}});
    if (const QByteArray priming = prime ? primingEvent(state, streamNo) : QByteArray(); !priming.isEmpty())
        stream->sendRaw(priming);
    return stream;
}

QByteArray StreamableHttpTransport::emitOn(const QString &sessionId, int streamNo, const QJsonValue &message)
{
    auto it = m_states.find(sessionId);
    if (it == m_states.end())
        return {};
    State &state = *it;
    const qint64 seq = state.nextSeq++;
    const QByteArray frame = SseStream::frame("message", compact(message), formatEventId(streamNo, seq));
    if (m_settings.replayBufferSize > 0) {
        state.replay.append(Event{streamNo, seq, frame});
        while (state.replay.size() > m_settings.replayBufferSize)
            state.replay.removeFirst();
    }
    LogicalStream &ls = logical(state, streamNo);
    if (ls.connection && ls.connection->sendRaw(frame))
        m_sessions->recordOutbound(sessionId);
    return frame;
}

void StreamableHttpTransport::completeStream(const QString &sessionId, int streamNo)
{
    auto it = m_states.find(sessionId);
    if (it == m_states.end())
        return;
    State &state = *it;
    if (streamNo == 0)
        return; // the GET stream is never complete
    if (const auto ls = state.streams.find(streamNo); ls != state.streams.end()) {
        if (ls->connection)
            ls->connection->close(true); // the response is out: end the SSE body, keep the connection
        state.streams.erase(ls);
        if (state.streams.isEmpty())
            state.streams = {}; // give the storage back
    }
    if (state.completed.contains(streamNo))
        return; // a resumed stream, completed before
    state.completed.append(streamNo);
    // Keep a bounded number of finished streams resumable; forget the oldest.
    while (state.completed.size() > kMaxRetainedStreams)
        state.completed.removeFirst();
}

StreamableHttpTransport::LogicalStream &StreamableHttpTransport::logical(State &state, int streamNo)
{
    return streamNo == 0 ? state.standalone : state.streams[streamNo];
}

bool StreamableHttpTransport::knows(const State &state, int streamNo)
{
    return streamNo == 0 || state.streams.contains(streamNo) || state.completed.contains(streamNo);
}

void StreamableHttpTransport::closeState(const QString &sessionId, const QString &reason)
{
    State state = m_states.take(sessionId);
    // Clients ignore unknown event names; operators reading the stream see why it ended.
    const QByteArray end = compact(QJsonObject{{QStringLiteral("reason"), reason}});
    const auto finish = [&end](LogicalStream &ls) {
        if (ls.connection) {
            ls.connection->sendEvent("end", end);
            ls.connection->close();
        }
    };
    finish(state.standalone);
    for (LogicalStream &ls : state.streams)
        finish(ls);
    if (m_draining && m_states.isEmpty() && m_listens.isEmpty())
        finishDrain(false); // the last one finished in time
}

void StreamableHttpTransport::endListen(const QString &rowId, const QString &reason)
{
    const Listen listen = m_listens.value(rowId);
    if (!listen.stream)
        return;
    // As closeState's streams: the reason first (clients ignore unknown event names), then the
    // listen request's answer, the spec's graceful end, which closes the stream.
    listen.stream->sendEvent("end", compact(QJsonObject{{QStringLiteral("reason"), reason}}));
    *listen.dropConnection = true;
    if (!m_bridge->endListen(listen.cancel) && listen.stream)
        listen.stream->close(); // no longer the bridge's (cancelled meanwhile): just end it
}

void StreamableHttpTransport::broadcast(const QJsonObject &message)
{
    for (const QString &id : m_states.keys())
        emitOn(id, 0, message);
}

} // namespace koan
