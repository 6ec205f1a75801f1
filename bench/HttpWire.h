#pragma once
// Minimal incremental HTTP/1.1 response reader (Content-Length, chunked, or until close) and
// Server-Sent Events parser for the load generator. Non-blocking: feed bytes as they arrive.
#include <QByteArray>
#include <QList>
#include <functional>

namespace bench {

struct SseEvent {
    QByteArray event;
    QByteArray id;
    QByteArray data;
};

class SseParser
{
public:
    std::function<void(const SseEvent &)> onEvent;
    void feed(const QByteArray &bytes)
    {
        m_buf += bytes;
        qsizetype nl;
        while ((nl = m_buf.indexOf('\n')) >= 0) {
            QByteArray line = m_buf.left(nl);
            m_buf.remove(0, nl + 1);
            if (line.endsWith('\r'))
                line.chop(1);
            if (line.isEmpty()) {
                if (!m_cur.data.isEmpty() || !m_cur.event.isEmpty()) {
                    if (m_cur.data.endsWith('\n'))
                        m_cur.data.chop(1);
                    if (onEvent)
                        onEvent(m_cur);
                }
                m_cur = {};
            } else if (line.startsWith(':')) {
                continue; // comment (heartbeat)
            } else if (line.startsWith("data:")) {
                m_cur.data += line.mid(line.startsWith("data: ") ? 6 : 5) + '\n';
            } else if (line.startsWith("event:")) {
                m_cur.event = line.mid(6).trimmed();
            } else if (line.startsWith("id:")) {
                m_cur.id = line.mid(3).trimmed();
            }
        }
    }

private:
    QByteArray m_buf;
    SseEvent m_cur;
};

// Reads consecutive responses on one connection. Body bytes are delivered as they arrive.
class ResponseReader
{
public:
    std::function<void(int status, const QList<QPair<QByteArray, QByteArray>> &headers)> onHead;
    std::function<void(const QByteArray &)> onBody;
    std::function<void()> onComplete;

    void feed(const QByteArray &bytes)
    {
        m_buf += bytes;
        for (bool progress = true; progress;) {
            progress = false;
            if (m_state == Head) {
                const qsizetype end = m_buf.indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                parseHead(m_buf.left(end));
                m_buf.remove(0, end + 4);
                progress = true;
                if (m_state == Done)
                    finish();
            } else if (m_state == Length) {
                const qsizetype n = qMin<qint64>(m_remaining, m_buf.size());
                if (n > 0) {
                    deliver(m_buf.left(n));
                    m_buf.remove(0, n);
                    m_remaining -= n;
                    progress = true;
                }
                if (m_remaining == 0)
                    finish(), progress = true;
            } else if (m_state == ChunkSize) {
                const qsizetype nl = m_buf.indexOf("\r\n");
                if (nl < 0)
                    return;
                bool ok = false;
                m_remaining = m_buf.left(nl).split(';').first().trimmed().toLongLong(&ok, 16);
                m_buf.remove(0, nl + 2);
                m_state = m_remaining == 0 ? ChunkTrailer : ChunkData;
                progress = true;
            } else if (m_state == ChunkData) {
                const qsizetype n = qMin<qint64>(m_remaining, m_buf.size());
                if (n > 0) {
                    deliver(m_buf.left(n));
                    m_buf.remove(0, n);
                    m_remaining -= n;
                    progress = true;
                }
                if (m_remaining == 0 && m_buf.size() >= 2) {
                    m_buf.remove(0, 2);
                    m_state = ChunkSize;
                    progress = true;
                }
            } else if (m_state == ChunkTrailer) {
                const qsizetype end = m_buf.indexOf("\r\n");
                if (end < 0)
                    return;
                m_buf.remove(0, end + 2);
                if (end == 0)
                    finish();
                progress = true;
            } else if (m_state == UntilClose) {
                if (!m_buf.isEmpty()) {
                    deliver(m_buf);
                    m_buf.clear();
                }
                return;
            }
        }
    }

private:
    enum State { Head, Length, ChunkSize, ChunkData, ChunkTrailer, UntilClose, Done };
    void parseHead(const QByteArray &head)
    {
        const QList<QByteArray> lines = head.split('\n');
        const int status = lines.value(0).split(' ').value(1).toInt();
        QList<QPair<QByteArray, QByteArray>> headers;
        qint64 length = -1;
        bool chunked = false;
        for (int i = 1; i < lines.size(); ++i) {
            const QByteArray l = lines.at(i).trimmed();
            const qsizetype c = l.indexOf(':');
            if (c <= 0)
                continue;
            const QByteArray k = l.left(c).trimmed().toLower(), v = l.mid(c + 1).trimmed();
            headers.append({k, v});
            if (k == "content-length")
                length = v.toLongLong();
            if (k == "transfer-encoding" && v.toLower().contains("chunked"))
                chunked = true;
        }
        if (onHead)
            onHead(status, headers);
        m_state = chunked ? ChunkSize : length >= 0 ? (length == 0 ? Done : Length) : UntilClose;
        m_remaining = length;
    }
    void deliver(const QByteArray &b)
    {
        if (onBody)
            onBody(b);
    }
    void finish()
    {
        m_state = Head;
        if (onComplete)
            onComplete();
    }
    State m_state = Head;
    qint64 m_remaining = 0;
    QByteArray m_buf;
};

} // namespace bench
