#include "HttpResponder.h"
#include "RequestSizeGuard.h"
#include "protocol/JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <utility>

Q_LOGGING_CATEGORY(lcResponder, "koan.http")

namespace koan {

namespace {
// Header names are RFC 7230 tokens; values must not contain CR, LF or NUL. Values can carry
// request data (Location, challenges, CORS), and one CRLF would let a caller add headers.
bool headerSafe(const QPair<QByteArray, QByteArray> &h)
{
    static const QByteArray tchar = "!#$%&'*+-.^_`|~";
    if (h.first.isEmpty())
        return false;
    for (const char c : h.first)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || tchar.contains(c)))
            return false;
    return !h.second.contains('\r') && !h.second.contains('\n') && !h.second.contains('\0');
}
} // namespace

HttpResponder::HttpResponder(QTcpSocket *socket, bool closeAfterResponse)
    : m_socket(socket), m_closeAfterResponse(closeAfterResponse)
{
    // disconnected and destroyed can both arrive; finish() is idempotent.
    connect(socket, &QAbstractSocket::disconnected, this, &HttpResponder::finish);
    connect(socket, &QObject::destroyed, this, &HttpResponder::finish);
    // No idle or read timeout closes a connection while its answer (or stream) is in progress.
    if (RequestSizeGuard *guard = RequestSizeGuard::of(socket)) {
        m_guard = guard;
        guard->responseStarted();
    }
}

bool HttpResponder::isOpen() const
{
    return !m_done && m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

qint64 HttpResponder::queuedBytes() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

QByteArray HttpResponder::reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

bool HttpResponder::headersSafe(const HttpHeaders &headers) const
{
    for (const HttpHeaders *list : {&m_defaultHeaders, &headers})
        for (const auto &h : *list)
            if (!headerSafe(h)) {
                // The value is not logged: it is exactly the untrusted data we refuse to emit.
                qCWarning(lcResponder).noquote()
                    << "refused to write response header" << QString::fromLatin1(h.first.left(64).toPercentEncoding())
                    << "containing CR, LF, NUL or an invalid name";
                return false;
            }
    return true;
}

void HttpResponder::refuseInvalidHeaders()
{
    m_defaultHeaders.clear();
    const QByteArray error
        = R"({"error":"internal_error","message":"The server refused to send an invalid response header"})";
    writeHead(500, {{"Content-Type", "application/json"}},
              "Content-Length: " + QByteArray::number(error.size()) + "\r\n");
    m_socket->write(error);
    m_socket->disconnectFromHost();
    finish();
}

void HttpResponder::writeHead(int status, const HttpHeaders &headers, const QByteArray &framing)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &h : m_defaultHeaders)
        head += h.first + ": " + h.second + "\r\n";
    for (const auto &h : headers)
        head += h.first + ": " + h.second + "\r\n";
    head += framing;
    if (m_closeAfterResponse)
        head += "Connection: close\r\n";
    head += "\r\n";
    m_socket->write(head);
    if (m_observer) {
        HttpHeaders all = m_defaultHeaders + headers;
        if (const qsizetype colon = framing.indexOf(':'); colon > 0)
            all.append(qMakePair(framing.left(colon), framing.mid(colon + 1).trimmed()));
        if (m_closeAfterResponse)
            all.append(qMakePair(QByteArray("Connection"), QByteArray("close")));
        const bool stream = framing.startsWith("Transfer-Encoding");
        // Called once: a recording sees this exchange's one response.
        const Observer observer = std::exchange(m_observer, {});
        observer(status, all, stream ? QByteArray() : m_pendingBody, stream);
    }
}

void HttpResponder::send(int status, const HttpHeaders &headers, const QByteArray &body)
{
    if (!isOpen() || m_streaming)
        return finish();
    if (!headersSafe(headers))
        return refuseInvalidHeaders();
    if (m_observer)
        m_pendingBody = m_headRequest ? QByteArray() : body;
    writeHead(status, headers, "Content-Length: " + QByteArray::number(body.size()) + "\r\n");
    m_pendingBody.clear();
    if (!body.isEmpty() && !m_headRequest)
        m_socket->write(body);
    if (m_closeAfterResponse && !m_closeLeftToCaller)
        m_socket->disconnectFromHost();
    finish();
}

void HttpResponder::sendJson(int status, const QJsonValue &body, HttpHeaders headers)
{
    headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    send(status, headers, json::compact(body));
}

bool HttpResponder::startStream(int status, const HttpHeaders &headers)
{
    if (!isOpen() || m_streaming)
        return false;
    if (!headersSafe(headers)) {
        refuseInvalidHeaders();
        return false;
    }
    if (m_headRequest) { // the head of the stream, and nothing after it
        writeHead(status, headers, "Content-Length: 0\r\n");
        finish();
        return false;
    }
    writeHead(status, headers, "Transfer-Encoding: chunked\r\n");
    m_streaming = true;
    return true;
}

bool HttpResponder::write(const QByteArray &data)
{
    if (!m_streaming || !isOpen() || data.isEmpty())
        return false;
    m_socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
    // Straight to the kernel: waiting for the write notifier costs an extra pass of the event
    // loop's poll() over every open stream (measured: p95 1.8 s -> see bench/README.md at 10k streams).
    m_socket->flush();
    return true;
}

void HttpResponder::endStream(bool closeConnection)
{
    if (m_streaming && isOpen()) {
        m_socket->write("0\r\n\r\n");
        m_socket->flush(); // the final event must reach the kernel even if the server is shutting down
        if (closeConnection || m_closeAfterResponse)
            m_socket->disconnectFromHost(); // may emit disconnected synchronously -> finish()
    }
    finish();
}

void HttpResponder::abort()
{
    if (isOpen())
        m_socket->abort();
    finish();
}

void HttpResponder::finish()
{
    if (m_done)
        return;
    m_done = true;
    if (m_guard)
        m_guard->responseFinished();
    if (m_socket)
        disconnect(m_socket, nullptr, this, nullptr);
    emit closed();
    deleteLater();
}

} // namespace koan
