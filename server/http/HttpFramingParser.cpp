#include "HttpFramingParser.h"

#include <iterator>
#include <limits>
#include <utility>

namespace koan {

namespace {
bool isTchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}
bool isHexDigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// RFC 9110 field-vchar / SP / HTAB; obs-text (0x80-0xFF) is allowed too.
bool isFieldValueByte(char c)
{
    return c == '\t' || (uchar(c) >= 0x20 && uchar(c) != 0x7f);
}
QByteArrayView trimmedOws(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}
bool equalsNoCase(QByteArrayView a, const char *b)
{
    return a.compare(QByteArrayView(b), Qt::CaseInsensitive) == 0;
}
// Fields that must appear at most once: the server reads the first, a proxy or a log may read
// another (RFC 9110 5.3 singletons, and the MCP headers that pick a session or version).
constexpr const char *kSingletons[]
    = {"host", "authorization", "content-type", "origin", "mcp-session-id", "mcp-protocol-version", "last-event-id"};
} // namespace

HttpFramingParser::Verdict HttpFramingParser::reject(int status, const QString &code, const QString &message)
{
    m_phase = Phase::Rejected;
    return Verdict{status, code, message};
}

HttpFramingParser::Verdict HttpFramingParser::feed(QByteArrayView data)
{
    while (!data.isEmpty()) {
        switch (m_phase) {
        case Phase::Rejected:
            return Verdict{400, QStringLiteral("bad_request"), QStringLiteral("The connection was already refused")};
        case Phase::Idle:
            // RFC 9112 2.2: empty lines before a request line are ignored (they still count
            // against the head limit, so an endless stream of them ends).
            if (data.front() == '\r' || data.front() == '\n') {
                if (++m_headBytes > m_limits.maxHeaderBytes)
                    return reject(
                        431, QStringLiteral("headers_too_large"),
                        QStringLiteral("Request head exceeds %1 bytes (MaxHeaderBytes)").arg(m_limits.maxHeaderBytes));
                data = data.sliced(1);
                continue;
            }
            m_phase = Phase::Head;
            m_headBytes = 0;
            m_target.clear();
            [[fallthrough]];
        case Phase::Head: {
            const qsizetype lf = data.indexOf('\n');
            const qsizetype take = lf < 0 ? data.size() : lf + 1;
            m_headBytes += take;
            if (m_headBytes > m_limits.maxHeaderBytes)
                return reject(
                    431, QStringLiteral("headers_too_large"),
                    QStringLiteral("Request head exceeds %1 bytes (MaxHeaderBytes)").arg(m_limits.maxHeaderBytes));
            m_line.append(data.first(take));
            data = data.sliced(take);
            // A field line Qt would refuse (and then drop every header of the request); +2 for CRLF.
            if (m_sawRequestLine && m_line.size() > kMaxFieldLineBytes + 2)
                return reject(431, QStringLiteral("headers_too_large"),
                              QStringLiteral("A header field exceeds %1 bytes").arg(kMaxFieldLineBytes));
            if (lf < 0)
                break;
            if (m_line.size() < 2 || m_line.at(m_line.size() - 2) != '\r')
                return reject(400, QStringLiteral("bad_request"),
                              QStringLiteral("Request lines must end with CRLF (bare LF)"));
            m_line.chop(2);
            const Verdict v = headLine(m_line);
            m_line.clear();
            if (!v.ok())
                return v;
            break;
        }
        case Phase::Body: {
            const qint64 take = qMin<qint64>(m_remaining, data.size());
            m_remaining -= take;
            data = data.sliced(take);
            if (m_remaining == 0)
                requestDone();
            break;
        }
        case Phase::Chunked:
            if (m_chunk == ChunkState::Data) {
                const qint64 take = qMin<qint64>(m_remaining, data.size());
                m_remaining -= take;
                data = data.sliced(take);
                if (m_remaining == 0)
                    m_chunk = ChunkState::DataCrlf;
                break;
            }
            {
                const qsizetype lf = data.indexOf('\n');
                const qsizetype take = lf < 0 ? data.size() : lf + 1;
                m_line.append(data.first(take));
                data = data.sliced(take);
                if (m_line.size() > 1024)
                    return reject(400, QStringLiteral("bad_chunk"),
                                  QStringLiteral("A chunk-size line exceeds 1024 bytes"));
                if (lf < 0)
                    break;
                if (m_line.size() < 2 || m_line.at(m_line.size() - 2) != '\r')
                    return reject(400, QStringLiteral("bad_chunk"), QStringLiteral("Chunk lines must end with CRLF"));
                m_line.chop(2);
                const QByteArray line = std::exchange(m_line, {});
                if (m_chunk == ChunkState::DataCrlf) {
                    if (!line.isEmpty())
                        return reject(400, QStringLiteral("bad_chunk"),
                                      QStringLiteral("Chunk data is longer than its declared size"));
                    m_chunk = ChunkState::Size;
                } else if (m_chunk == ChunkState::LastCrlf) {
                    // Qt 6.4 reads two bytes after the last chunk and would take a trailer
                    // field for the start of the next request.
                    if (!line.isEmpty())
                        return reject(400, QStringLiteral("bad_chunk"),
                                      QStringLiteral("Trailer fields are not supported"));
                    requestDone();
                } else if (const Verdict v = chunkSizeLine(line); !v.ok()) {
                    return v;
                }
            }
            break;
        }
    }
    return {};
}

HttpFramingParser::Verdict HttpFramingParser::headLine(QByteArrayView line)
{
    if (line.contains('\r'))
        return reject(400, QStringLiteral("bad_request"), QStringLiteral("Bare CR in the request head"));
    if (!m_sawRequestLine)
        return requestLine(line);
    if (line.isEmpty())
        return headComplete();
    return headerField(line);
}

HttpFramingParser::Verdict HttpFramingParser::requestLine(QByteArrayView line)
{
    m_sawRequestLine = true;
    // method SP request-target SP HTTP-version, single spaces (RFC 9112 3).
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || line.indexOf(' ', sp2 + 1) >= 0)
        return reject(400, QStringLiteral("bad_request"), QStringLiteral("Malformed request line"));
    for (const char c : line.first(sp1))
        if (!isTchar(c))
            return reject(400, QStringLiteral("bad_request"), QStringLiteral("Malformed request method"));
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    for (const char c : target)
        if (uchar(c) <= 0x20 || uchar(c) >= 0x7f)
            return reject(400, QStringLiteral("bad_request"),
                          QStringLiteral("The request target contains a control, space or non-ASCII byte"));
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (version == "HTTP/1.0")
        m_http10 = true;
    else if (version.size() == 8 && version.startsWith("HTTP/") && version.at(6) == '.' && version.at(5) >= '0'
             && version.at(5) <= '9' && version.at(7) >= '0' && version.at(7) <= '9') {
        if (version != "HTTP/1.1")
            return reject(505, QStringLiteral("http_version_not_supported"),
                          QStringLiteral("Only HTTP/1.1 and HTTP/1.0 are served"));
    } else
        return reject(400, QStringLiteral("bad_request"), QStringLiteral("Malformed HTTP version"));
    m_target = target.toByteArray();
    return {};
}

HttpFramingParser::Verdict HttpFramingParser::headerField(QByteArrayView line)
{
    if (line.front() == ' ' || line.front() == '\t')
        return reject(400, QStringLiteral("ambiguous_framing"),
                      QStringLiteral("Obsolete line folding (obs-fold) is not accepted"));
    if (++m_headerCount > m_limits.maxHeaderCount)
        return reject(431, QStringLiteral("too_many_headers"),
                      QStringLiteral("More than %1 header fields (MaxHeaderCount)").arg(m_limits.maxHeaderCount));
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return reject(400, QStringLiteral("bad_request"), QStringLiteral("A header line has no field name and colon"));
    const QByteArrayView name = line.first(colon);
    if (name.back() == ' ' || name.back() == '\t')
        return reject(400, QStringLiteral("ambiguous_framing"),
                      QStringLiteral("Whitespace between a header name and the colon"));
    for (const char c : name)
        if (!isTchar(c))
            return reject(400, QStringLiteral("bad_request"), QStringLiteral("Invalid character in a header name"));
    const QByteArrayView raw = line.sliced(colon + 1);
    for (const char c : raw)
        if (!isFieldValueByte(c))
            return reject(400, QStringLiteral("bad_request"), QStringLiteral("Control character in a header value"));
    const QByteArrayView value = trimmedOws(raw);
    for (size_t i = 0; i < std::size(kSingletons); ++i) {
        if (!equalsNoCase(name, kSingletons[i]))
            continue;
        if (m_singletonsSeen & (1u << i))
            return reject(400, QStringLiteral("duplicate_header"),
                          QStringLiteral("More than one %1 header").arg(QString::fromLatin1(name.toByteArray())));
        m_singletonsSeen |= 1u << i;
    }
    if (equalsNoCase(name, "content-length")) {
        if (++m_contentLengths > 1)
            return reject(400, QStringLiteral("ambiguous_framing"),
                          QStringLiteral("More than one Content-Length header"));
        if (value.isEmpty())
            return reject(400, QStringLiteral("ambiguous_framing"),
                          QStringLiteral("Content-Length must be a non-negative integer"));
        for (const char c : value)
            if (c < '0' || c > '9')
                return reject(400, QStringLiteral("ambiguous_framing"),
                              QStringLiteral("Content-Length must be a non-negative integer"));
        // More digits than fit: certainly above any limit.
        m_contentLength = value.size() > 18 ? std::numeric_limits<qint64>::max() : value.toLongLong();
    } else if (equalsNoCase(name, "transfer-encoding")) {
        if (++m_transferEncodings > 1)
            return reject(400, QStringLiteral("ambiguous_framing"),
                          QStringLiteral("More than one Transfer-Encoding header"));
        if (!equalsNoCase(value, "chunked"))
            return reject(400, QStringLiteral("ambiguous_framing"),
                          QStringLiteral("Transfer-Encoding other than \"chunked\" is not accepted"));
        m_chunked = true;
    } else if (equalsNoCase(name, "upgrade") && value.toByteArray().toLower().contains("websocket")) {
        // Qt 6.4 would run the handler and then answer again on the same socket.
        m_websocketUpgrade = true;
    }
    return {};
}

HttpFramingParser::Verdict HttpFramingParser::headComplete()
{
    if (m_contentLengths > 0 && m_transferEncodings > 0)
        return reject(400, QStringLiteral("ambiguous_framing"),
                      QStringLiteral("Content-Length together with Transfer-Encoding"));
    if (m_http10 && m_transferEncodings > 0)
        return reject(400, QStringLiteral("ambiguous_framing"),
                      QStringLiteral("Transfer-Encoding in an HTTP/1.0 request"));
    // RFC 9112 3.2: an HTTP/1.1 request without Host is refused (bit 0: "host").
    if (!m_http10 && !(m_singletonsSeen & 1u))
        return reject(400, QStringLiteral("bad_request"),
                      QStringLiteral("An HTTP/1.1 request must carry a Host header"));
    if (m_websocketUpgrade)
        return reject(400, QStringLiteral("upgrade_not_supported"),
                      QStringLiteral("WebSocket upgrades are not served here"));
    if (m_contentLength > m_limits.maxBodyBytes)
        return reject(413, QStringLiteral("payload_too_large"),
                      QStringLiteral("Request body of %1 bytes exceeds the %2-byte limit (MaxRequestBodyBytes)")
                          .arg(m_contentLength == std::numeric_limits<qint64>::max() ? QStringLiteral("over 10^18")
                                                                                     : QString::number(m_contentLength))
                          .arg(m_limits.maxBodyBytes));
    if (m_chunked) {
        m_phase = Phase::Chunked;
        m_chunk = ChunkState::Size;
        m_bodyBytes = 0;
    } else if (m_contentLength > 0) {
        m_phase = Phase::Body;
        m_remaining = m_contentLength;
    } else {
        requestDone();
    }
    return {};
}

HttpFramingParser::Verdict HttpFramingParser::chunkSizeLine(QByteArrayView line)
{
    // chunk-size [ BWS ";" chunk-ext ]: Qt cuts at ';' and reads the rest as hex.
    qsizetype digits = 0;
    while (digits < line.size() && isHexDigit(line.at(digits)))
        ++digits;
    if (digits == 0)
        return reject(400, QStringLiteral("bad_chunk"), QStringLiteral("A chunk size must be hexadecimal digits"));
    QByteArrayView rest = line.sliced(digits);
    while (!rest.isEmpty() && (rest.front() == ' ' || rest.front() == '\t'))
        rest = rest.sliced(1);
    if (!rest.isEmpty() && rest.front() != ';')
        return reject(400, QStringLiteral("bad_chunk"), QStringLiteral("A chunk size must be hexadecimal digits"));
    for (const char c : rest)
        if (!isFieldValueByte(c))
            return reject(400, QStringLiteral("bad_chunk"), QStringLiteral("Control character in a chunk extension"));
    const QByteArrayView hex = line.first(digits);
    qsizetype first = 0;
    while (first < hex.size() - 1 && hex.at(first) == '0')
        ++first;
    const qint64 size
        = hex.size() - first > 15 ? std::numeric_limits<qint64>::max() : hex.sliced(first).toLongLong(nullptr, 16);
    if (size == 0) {
        m_chunk = ChunkState::LastCrlf;
        return {};
    }
    if (size > m_limits.maxBodyBytes - m_bodyBytes)
        return reject(413, QStringLiteral("payload_too_large"),
                      QStringLiteral("Chunked request body exceeds the %1-byte limit (MaxRequestBodyBytes)")
                          .arg(m_limits.maxBodyBytes));
    m_bodyBytes += size;
    m_remaining = size;
    m_chunk = ChunkState::Data;
    return {};
}

void HttpFramingParser::requestDone()
{
    ++m_completed;
    m_phase = Phase::Idle;
    m_line.clear();
    m_headBytes = 0;
    m_headerCount = 0;
    m_sawRequestLine = false;
    m_http10 = false;
    m_contentLengths = 0;
    m_contentLength = 0;
    m_transferEncodings = 0;
    m_chunked = false;
    m_websocketUpgrade = false;
    m_singletonsSeen = 0;
    m_remaining = 0;
    m_bodyBytes = 0;
    m_chunk = ChunkState::Size;
}

} // namespace koan
