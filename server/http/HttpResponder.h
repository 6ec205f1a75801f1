#pragma once
// Writes one HTTP response (whole or streamed with chunked encoding) to a client socket.
// It guards every write against the socket having died (Qt deletes sockets on disconnect)
// and deletes itself once the exchange is over, so holders keep a QPointer to it.
#include "HttpRequest.h"

#include <QJsonValue>
#include <QObject>
#include <QPointer>

#include <QTcpSocket>
#include <functional>

namespace koan {

class HttpResponder : public QObject
{
    Q_OBJECT
public:
    HttpResponder(QTcpSocket *socket, bool closeAfterResponse);

    // The request was HEAD: responses keep their headers (Content-Length included) but carry no
    // content, or a keep-alive client would read the body as the next response (RFC 9110 9.3.2).
    void setHeadRequest(bool head) { m_headRequest = head; }
    // The answer still says "Connection: close", but the caller closes the socket itself (a
    // lingering close: reading what the client still sends, so its unread bytes cause no reset).
    void setCloseLeftToCaller(bool leftToCaller) { m_closeLeftToCaller = leftToCaller; }
    // Headers added to whatever this responder writes (CORS, for instance).
    void addDefaultHeaders(const HttpHeaders &headers) { m_defaultHeaders += headers; }
    // Sees the response as written: status, every header, the body (stream: the head of a chunked
    // stream, whose writes it does not see). Only a traffic recording sets one; unset, one check.
    using Observer = std::function<void(int status, const HttpHeaders &headers, const QByteArray &body, bool stream)>;
    void observe(Observer observer) { m_observer = std::move(observer); }

    bool isOpen() const;
    bool isStreaming() const { return m_streaming; }
    qint64 queuedBytes() const;
    QTcpSocket *socket() const { return m_socket; }

    // Whole response with Content-Length; the responder is done afterwards.
    void send(int status, const HttpHeaders &headers, const QByteArray &body = {});
    void sendJson(int status, const QJsonValue &body, HttpHeaders headers = {});
    // Streamed response (Transfer-Encoding: chunked) until endStream().
    bool startStream(int status, const HttpHeaders &headers);
    bool write(const QByteArray &data);
    // Ends the stream; closeConnection also drops the TCP connection (e.g. stream ended by the server).
    void endStream(bool closeConnection = false);
    void abort();

    static QByteArray reasonPhrase(int status);

signals:
    void closed(); // the client went away (or the exchange ended); emitted once

private:
    void finish();
    bool headersSafe(const HttpHeaders &headers) const;
    void refuseInvalidHeaders(); // 500 with a JSON body instead of a response carrying CR/LF/NUL
    void writeHead(int status, const HttpHeaders &headers, const QByteArray &framing);

    QPointer<QTcpSocket> m_socket;
    QPointer<class RequestSizeGuard> m_guard;
    HttpHeaders m_defaultHeaders;
    Observer m_observer;
    QByteArray m_pendingBody; // send()'s body while the observer sees the head
    bool m_closeAfterResponse;
    bool m_streaming = false;
    bool m_headRequest = false;
    bool m_closeLeftToCaller = false;
    bool m_done = false;
};

} // namespace koan
