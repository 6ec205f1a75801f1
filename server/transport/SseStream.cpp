#include "SseStream.h"

#include "logging/LogSink.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSse, "koan.sse")

namespace koan {

QByteArray formatEventId(int stream, qint64 seq)
{
    return QByteArray::number(stream) + '_' + QByteArray::number(seq);
}

std::optional<SseEventId> parseEventId(const QByteArray &text)
{
    const QList<QByteArray> parts = text.split('_');
    if (parts.size() != 2)
        return std::nullopt;
    bool okStream = false, okSeq = false;
    const SseEventId id{parts.at(0).toInt(&okStream), parts.at(1).toLongLong(&okSeq)};
    if (!okStream || !okSeq)
        return std::nullopt;
    return id;
}

SseStream::SseStream(HttpResponder *responder, QString sessionId, qint64 maxQueuedBytes, QObject *parent)
    : SessionStream(parent), m_responder(responder), m_sessionId(std::move(sessionId)), m_maxQueued(maxQueuedBytes)
{
    connect(responder, &HttpResponder::closed, this, [this] { finished(QStringLiteral("client_disconnected")); });
}

SseStream::~SseStream()
{
    if (m_responder && !m_closed)
        m_responder->endStream(true);
}

HttpHeaders SseStream::headers(const HttpHeaders &extraHeaders)
{
    HttpHeaders h{{"Content-Type", "text/event-stream"},
                  {"Cache-Control", "no-cache, no-transform"},
                  {"X-Accel-Buffering", "no"}};
    return h + extraHeaders;
}

bool SseStream::open(const HttpHeaders &extraHeaders)
{
    return m_responder && m_responder->startStream(200, headers(extraHeaders));
}

QByteArray SseStream::frame(const QByteArray &event, const QByteArray &data, const QByteArray &id)
{
    QByteArray out;
    if (!event.isEmpty())
        out += "event: " + event + '\n';
    if (!id.isEmpty())
        out += "id: " + id + '\n';
    // Multi-line payloads become one data: line per line.
    for (const QByteArray &line : data.split('\n'))
        out += "data: " + line + '\n';
    out += '\n';
    return out;
}

bool SseStream::sendEvent(const QByteArray &event, const QByteArray &data, const QByteArray &id)
{
    return sendRaw(frame(event, data, id));
}

bool SseStream::sendComment(const QByteArray &text)
{
    return sendRaw(": " + text + "\n\n");
}

bool SseStream::sendRaw(const QByteArray &frameBytes, bool replayed)
{
    if (!isOpen())
        return false;
    if (m_responder->queuedBytes() > m_maxQueued) {
        const LogSink::SessionScope scope(m_sessionId);
        qCWarning(lcSse).noquote() << "closing slow reader: session" << m_sessionId << "has"
                                   << m_responder->queuedBytes() << "bytes queued (limit" << m_maxQueued << ")";
        finished(QStringLiteral("slow_reader")); // before abort(), which reports a plain disconnect
        if (m_responder)
            m_responder->abort();
        return false;
    }
    if (!m_responder->write(frameBytes))
        return false;
    if (m_traffic)
        m_traffic->sseFrame(m_target, frameBytes, replayed);
    return true;
}

void SseStream::close(bool keepConnection)
{
    if (m_closed)
        return;
    finished(QStringLiteral("server_closed"));
    if (m_responder)
        m_responder->endStream(!keepConnection);
}

void SseStream::finished(const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    emit closed(reason);
}

} // namespace koan
