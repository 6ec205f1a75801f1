#include "HttpResponder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace koan {

HttpResponder::HttpResponder(QTcpSocket *socket, bool closeAfterResponse)
    : m_socket(socket), m_closeAfterResponse(closeAfterResponse)
{
    // disconnected and destroyed can both arrive; finish() is idempotent.
    connect(socket, &QAbstractSocket::disconnected, this, &HttpResponder::finish);
    connect(socket, &QObject::destroyed, this, &HttpResponder::finish);
}

bool HttpResponder::isOpen() const
{
    return !m_done && m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

qint64 HttpResponder::queuedBytes() const { return m_socket ? m_socket->bytesToWrite() : 0; }

QByteArray HttpResponder::reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
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
}

void HttpResponder::send(int status, const HttpHeaders &headers, const QByteArray &body)
{
    if (!isOpen() || m_streaming)
        return finish();
    writeHead(status, headers, "Content-Length: " + QByteArray::number(body.size()) + "\r\n");
    if (!body.isEmpty())
        m_socket->write(body);
    if (m_closeAfterResponse)
        m_socket->disconnectFromHost();
    finish();
}

void HttpResponder::sendJson(int status, const QJsonValue &body, HttpHeaders headers)
{
    headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    const QByteArray bytes = body.isArray() ? QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact)
                                            : QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    send(status, headers, bytes);
}

bool HttpResponder::startStream(int status, const HttpHeaders &headers)
{
    if (!isOpen() || m_streaming)
        return false;
    writeHead(status, headers, "Transfer-Encoding: chunked\r\n");
    m_streaming = true;
    return true;
}

bool HttpResponder::write(const QByteArray &data)
{
    if (!m_streaming || !isOpen() || data.isEmpty())
        return false;
    m_socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
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
    if (m_socket)
        disconnect(m_socket, nullptr, this, nullptr);
    emit closed();
    deleteLater();
}

} // namespace koan
