#pragma once
// One Server-Sent Events stream over an HttpResponder, with the slow-reader guard.
#include "http/HttpResponder.h"
#include "sessions/SessionStream.h"
#include "sessions/TrafficRecorder.h"

#include <QObject>
#include <QPointer>
#include <optional>

namespace koan {

// A Streamable HTTP event id, "<stream>_<seq>": the logical stream and the event's sequence number.
struct SseEventId {
    int stream = 0;
    qint64 seq = 0;
};
QByteArray formatEventId(int stream, qint64 seq);
// Parses a Last-Event-ID value: two numbers joined by one '_' (QByteArray::toInt/toLongLong rules),
// else nullopt. Whether the stream exists is the caller's question.
std::optional<SseEventId> parseEventId(const QByteArray &text);

class SseStream : public SessionStream
{
    Q_OBJECT
public:
    SseStream(HttpResponder *responder, QString sessionId, qint64 maxQueuedBytes, QObject *parent = nullptr);
    ~SseStream() override;

    // Sends the 200 text/event-stream head.
    bool open(const HttpHeaders &extraHeaders = {});
    bool sendEvent(const QByteArray &event, const QByteArray &data, const QByteArray &id = {});
    bool sendComment(const QByteArray &text);
    // `replayed`: an event sent again for a Last-Event-ID resumption (as the traffic recording says).
    bool sendRaw(const QByteArray &frame, bool replayed = false);
    // What this stream writes goes to `traffic` as `target`'s (a session or stateless caller id)
    // whenever that target records; while nothing records it costs one check per frame.
    void recordTo(TrafficRecorder *traffic, const QString &target)
    {
        m_traffic = traffic;
        m_target = target;
    }
    // Ends the stream; the TCP connection is dropped too unless keepConnection.
    void close(bool keepConnection = false) override;

    bool isOpen() const override { return m_responder && m_responder->isOpen(); }
    qint64 queuedBytes() const override { return m_responder ? m_responder->queuedBytes() : 0; }
    bool sendHeartbeat() override { return sendComment("keepalive"); }
    const QString &sessionId() const { return m_sessionId; }

    static QByteArray frame(const QByteArray &event, const QByteArray &data, const QByteArray &id = {});
    // The response headers of every SSE stream.
    static HttpHeaders headers(const HttpHeaders &extraHeaders = {});

private:
    void finished(const QString &reason);

    QPointer<HttpResponder> m_responder;
    QString m_sessionId;
    QPointer<TrafficRecorder> m_traffic; // SessionManager's (null: this stream is never recorded)
    QString m_target;
    qint64 m_maxQueued;
    bool m_closed = false;
};

} // namespace koan
