#pragma once
// One HttpResponder without a listening socket: its QTcpSocket sits on one end of a
// socketpair(AF_UNIX, SOCK_STREAM) and the test reads the raw HTTP response from the other end.
// Lets a pipeline stage (or the whole HttpPipeline) be run alone and its answer inspected.
#include "edge/HttpExchange.h"
#include "http/HttpResponder.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <cerrno>
#include <memory>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace koan::test {

struct RawResponse {
    bool complete = false; // a whole response (status line, headers, Content-Length bytes) was read
    int status = 0;
    QByteArray reason;
    HttpHeaders headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        const QByteArray *value = findHeader(headers, name);
        return value ? *value : QByteArray();
    }
    bool hasHeader(const QByteArray &name) const { return findHeader(headers, name); }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

class ExchangeProbe
{
public:
    ExchangeProbe()
    {
        int fds[2] = {-1, -1};
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            return;
        m_peer = fds[1];
        m_socket = std::make_unique<QTcpSocket>();
        if (!m_socket->setSocketDescriptor(fds[0], QAbstractSocket::ConnectedState, QIODevice::ReadWrite)) {
            m_error = m_socket->errorString();
            ::close(fds[0]);
            return;
        }
        m_responder = new HttpResponder(m_socket.get(), false);
    }
    ~ExchangeProbe()
    {
        delete m_responder.data(); // if it has not answered (and deleted itself later) yet
        m_socket.reset();
        if (m_peer >= 0)
            ::close(m_peer);
    }
    ExchangeProbe(const ExchangeProbe &) = delete;
    ExchangeProbe &operator=(const ExchangeProbe &) = delete;

    bool ok() const { return m_responder && m_socket && m_socket->state() == QAbstractSocket::ConnectedState; }
    QString error() const { return m_error; }
    HttpResponder *responder() const { return m_responder; }
    QTcpSocket *socket() const { return m_socket.get(); }

    // An exchange as HttpPipeline builds it, for a stage run alone.
    std::shared_ptr<HttpExchange> exchange(const HttpRequest &request, RouteAccess access,
                                           const QString &clientAddress = QStringLiteral("127.0.0.1"),
                                           bool secure = false) const
    {
        auto c = std::make_shared<HttpExchange>();
        c->request = request;
        c->responder = m_responder;
        c->route.access = access;
        c->clientAddress = clientAddress;
        c->secure = secure;
        return c;
    }

    // Whether any response bytes have been written so far.
    bool answered()
    {
        pump();
        pollfd p{m_peer, POLLIN, 0};
        return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
    }

    // Reads one whole response (Content-Length framing, as HttpResponder::send writes it).
    RawResponse read(int timeoutMs = 2000)
    {
        RawResponse r;
        QDeadlineTimer deadline(timeoutMs);
        qsizetype headEnd = -1;
        qint64 contentLength = -1;
        while (true) {
            if (headEnd < 0) {
                headEnd = m_buffer.indexOf("\r\n\r\n");
                if (headEnd >= 0 && !parseHead(m_buffer.left(headEnd), &r, &contentLength))
                    return r;
            }
            if (headEnd >= 0 && m_buffer.size() - (headEnd + 4) >= qMax<qint64>(contentLength, 0)) {
                const qint64 length = qMax<qint64>(contentLength, 0);
                r.body = m_buffer.mid(headEnd + 4, length);
                m_buffer.remove(0, headEnd + 4 + length);
                r.complete = true;
                return r;
            }
            if (deadline.hasExpired())
                return r;
            readSome(10);
        }
    }

private:
    void pump()
    {
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->flush();
        QCoreApplication::processEvents();
    }
    bool readSome(int waitMs)
    {
        pump();
        pollfd p{m_peer, POLLIN, 0};
        if (::poll(&p, 1, waitMs) <= 0 || !(p.revents & POLLIN))
            return false;
        char chunk[4096];
        const ssize_t n = ::recv(m_peer, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n <= 0)
            return false;
        m_buffer.append(chunk, n);
        return true;
    }
    static bool parseHead(const QByteArray &head, RawResponse *r, qint64 *contentLength)
    {
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> status = lines.value(0).trimmed().split(' ');
        if (status.size() < 2 || status.at(0) != "HTTP/1.1")
            return false;
        bool ok = false;
        r->status = status.at(1).toInt(&ok);
        if (!ok)
            return false;
        r->reason = lines.value(0).trimmed().mid(status.at(0).size() + status.at(1).size() + 2);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                return false;
            r->headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
        }
        *contentLength = r->header("Content-Length").toLongLong(&ok);
        return ok;
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QPointer<HttpResponder> m_responder;
    int m_peer = -1;
    QString m_error;
    QByteArray m_buffer;
};

// A request as the HTTP backend hands it over.
inline HttpRequest makeRequest(const QByteArray &method, const QString &path, HttpHeaders headers = {},
                               const QString &query = {})
{
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.query = QUrlQuery(query);
    r.headers = std::move(headers);
    r.remoteAddress = QHostAddress(QHostAddress::LocalHost);
    r.remotePort = 40000;
    return r;
}

} // namespace koan::test
