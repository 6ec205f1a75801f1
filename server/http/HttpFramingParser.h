#pragma once
// A strict RFC 9112 reader of request framing, fed the raw bytes of one connection. It decides
// where each request ends exactly as Qt 6.4's QHttpServerRequest will, and refuses everything
// on which two parsers could disagree (duplicate Content-Length, Content-Length beside
// Transfer-Encoding, obs-fold, bare LF, ...) or that Qt would silently mangle (more than 100
// header fields, a field line over 8 KiB: Qt then drops every header). So the byte limits it
// enforces are the limits that hold. Pure: no socket, no Qt event loop (fuzzed on its own).
#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace koan {

class HttpFramingParser
{
public:
    struct Limits {
        qint64 maxBodyBytes = 4 * 1024 * 1024;
        qint64 maxHeaderBytes = 64 * 1024; // request line + header section, CRLFs included
        int maxHeaderCount = 100;          // Qt 6.4's QHttpHeaderParser drops all headers beyond 100
    };
    // Qt 6.4 drops every header of a request with a field line (name, colon, value) over 8 KiB.
    static constexpr qsizetype kMaxFieldLineBytes = 8 * 1024;

    enum class Phase {
        Idle,    // between requests (nothing of the next one seen yet)
        Head,    // request line and header section
        Body,    // Content-Length body
        Chunked, // chunked body
        Rejected // a verdict was given; nothing more is read
    };
    struct Verdict {
        int status = 0; // 0: acceptable so far; else 400, 413, 431 or 505
        QString code;   // error code for the JSON body, e.g. "ambiguous_framing"
        QString message;
        bool ok() const { return status == 0; }
    };

    explicit HttpFramingParser(const Limits &limits) : m_limits(limits) { }

    // Consumes `data` (the next bytes of the connection). Returns the verdict: once it is not
    // ok the parser stays Rejected. `requestsCompleted()` counts the requests framed so far.
    Verdict feed(QByteArrayView data);

    Phase phase() const { return m_phase; }
    // The request target of the request being read (or the last one), e.g. "/mcp?x=1".
    const QByteArray &target() const { return m_target; }
    // True while a request's declared body is still arriving.
    bool inBody() const { return m_phase == Phase::Body || m_phase == Phase::Chunked; }
    qint64 requestsCompleted() const { return m_completed; }

private:
    enum class ChunkState { Size, Data, DataCrlf, LastCrlf };

    Verdict reject(int status, const QString &code, const QString &message);
    Verdict headLine(QByteArrayView line); // one line of the head, without CRLF
    Verdict requestLine(QByteArrayView line);
    Verdict headerField(QByteArrayView line);
    Verdict headComplete();
    Verdict chunkSizeLine(QByteArrayView line);
    void requestDone();

    Limits m_limits;
    Phase m_phase = Phase::Idle;
    QByteArray m_line; // the current line so far (head, chunk-size lines)
    qint64 m_headBytes = 0;
    int m_headerCount = 0;
    bool m_sawRequestLine = false;
    QByteArray m_target;
    bool m_http10 = false;
    int m_contentLengths = 0;
    qint64 m_contentLength = 0;
    int m_transferEncodings = 0;
    bool m_chunked = false;
    bool m_websocketUpgrade = false;
    quint32 m_singletonsSeen = 0; // bit i: kSingletons[i] was seen
    qint64 m_remaining = 0;       // Content-Length body bytes, or bytes left of the current chunk
    qint64 m_bodyBytes = 0;       // chunk data so far
    ChunkState m_chunk = ChunkState::Size;
    qint64 m_completed = 0;
};

} // namespace koan
