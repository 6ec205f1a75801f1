#pragma once
// Streamable HTTP transport on one endpoint: MCP 2025-03-26 .. 2025-11-25 with sessions, and
// 2026-07-28 stateless beside it (a POST naming no session; the era rules are in core/ProtocolEra.h):
//   POST   client messages; requests are answered on an SSE stream (or, with StreamableJsonResponse,
//          as JSON unless the handler sends related notifications/requests first). An answer ready
//          as the handler returns is one complete SSE response; one that follows within 50 ms (a
//          store call on the worker), with nothing streamed before it, is one JSON body;
//   GET    the session's stream for server-initiated messages, or a resumption with Last-Event-ID;
//   DELETE ends the session.
// Every SSE event carries an id "<stream>_<seq>"; a bounded per-session replay buffer serves
// Last-Event-ID resumption of the same stream only.
#include "core/McpSession.h"
#include "core/Principal.h"
#include "http/HttpRequest.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace koan {

class HttpResponder;
class RpcBridge;
class SessionManager;
class SseStream;

class StreamableHttpTransport : public QObject
{
    Q_OBJECT
public:
    struct Settings {
        qint64 maxBodyBytes = 4 * 1024 * 1024;
        qint64 maxQueuedBytes = 1024 * 1024;
        int replayBufferSize = 256; // events kept per session for resumption
        int retryMs = 1000;         // SSE retry hint sent with the priming event
        bool jsonResponses = false; // answer requests as JSON unless the handler streams (StreamableJsonResponse)
        bool enabled = true;        // EnableStreamableHttpTransport
    };
    StreamableHttpTransport(RpcBridge *bridge, SessionManager *sessions, Settings settings, QObject *parent = nullptr);

    void handle(const HttpRequest &request, HttpResponder *responder, const Principal &principal);

    bool isEnabled() const { return m_enabled; }
    // Off ("cut"): every session ends and every open subscriptions/listen stream gets its final
    // result, each with an `event: end` naming the reason ("transport_disabled"); new requests get
    // 503. Either way a drain in progress ends.
    void setEnabled(bool enabled);
    // Off, gently (the rollback switch's drain): new requests get 503, open sessions (their
    // requests too) and listen streams keep working for up to `timeoutMs`; what is still open then
    // ends as above with "transport_drained".
    void drain(int timeoutMs);
    bool isDraining() const { return m_draining; }
    QDateTime drainDeadline() const { return m_draining ? m_drainDeadline : QDateTime(); }
    int openListenStreams() const { return int(m_listens.size()); }
    // Sends a server-initiated message to every session's GET stream (e.g. list_changed).
    void broadcast(const QJsonObject &message);

signals:
    void enabledChanged(bool enabled);
    void drainingChanged(bool draining);

private:
    struct Event {
        int stream;
        qint64 seq;
        QByteArray frame;
    };
    struct LogicalStream {
        QPointer<SseStream> connection;
    };
    struct State {
        SessionPtr session;
        LogicalStream standalone; // stream 0: the GET stream
        // Request streams still open or owed an answer. Finished ones are only numbers in
        // `completed`: an idle session then holds no hash storage (~1.7 kB each).
        QHash<int, LogicalStream> streams;
        QList<int> completed; // completed stream numbers, oldest first
        int nextStream = 1;
        qint64 nextSeq = 1;
        QList<Event> replay; // not std::deque: that allocates ~600 bytes per idle session up front
    };

    void post(const HttpRequest &request, HttpResponder *responder, const Principal &principal);
    // A stateless 2026-07-28 request (no session): validated and answered by RpcBridge::handleStateless.
    void postModern(const HttpRequest &request, HttpResponder *responder, const Principal &principal,
                    const QJsonObject &message);
    // Legacy requests naming an unsupported MCP-Protocol-Version get 400; false when it answered.
    bool checkLegacyVersion(const HttpRequest &request, HttpResponder *responder);
    void get(const HttpRequest &request, HttpResponder *responder);
    void remove(const HttpRequest &request, HttpResponder *responder);
    // Finds the session named by Mcp-Session-Id, or answers 400/404 and returns null.
    State *sessionFor(const HttpRequest &request, HttpResponder *responder);

    SseStream *attach(State &state, int streamNo, HttpResponder *responder, bool longLived, bool prime = true);
    // Sends on the logical stream if connected, keeps it for replay, and returns the frame.
    QByteArray emitOn(const QString &sessionId, int streamNo, const QJsonValue &message);
    QByteArray primingEvent(State &state, int streamNo); // empty where priming is off
    void completeStream(const QString &sessionId, int streamNo);
    void closeState(const QString &sessionId, const QString &reason);
    // The server ends a listen stream (SessionManager's closer for its row): `event: end` with the
    // reason, then the listen request's final result, then the end of the chunked body.
    void endListen(const QString &rowId, const QString &reason);
    // Every session and listen stream through SessionManager::close, as the operator's disconnect.
    void closeAll(const QString &reason);
    void finishDrain(bool closeRemaining);
    bool primes(const State &state) const;
    static LogicalStream &logical(State &state, int streamNo);
    static bool knows(const State &state, int streamNo);

    RpcBridge *m_bridge;
    SessionManager *m_sessions;
    Settings m_settings;
    bool m_enabled = true;
    bool m_draining = false;
    QDateTime m_drainDeadline;
    QTimer m_drainTimer;
    QHash<QString, State> m_states;
    // Open subscriptions/listen streams by their SessionManager row id.
    struct Listen {
        QPointer<SseStream> stream;
        CancelFlag cancel;                    // the request's flag: RpcBridge::endListen finds the listen by it
        std::shared_ptr<bool> dropConnection; // set when the server ends it: close the TCP connection too
    };
    QHash<QString, Listen> m_listens;
};

} // namespace koan
