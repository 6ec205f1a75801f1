#include "HttpServerBackend.h"

#include "HttpResponder.h"

#include <QHttpServerRequest>
#include <QSslServer>
#include <QTcpServer>
#include <sys/resource.h>

namespace koan {

namespace {
QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Head: return "HEAD";
    case QHttpServerRequest::Method::Options: return "OPTIONS";
    case QHttpServerRequest::Method::Patch: return "PATCH";
    case QHttpServerRequest::Method::Connect: return "CONNECT";
    case QHttpServerRequest::Method::Trace: return "TRACE";
    default: return "UNKNOWN";
    }
}
} // namespace

HttpServerBackend::HttpServerBackend(QObject *parent) : QAbstractHttpServer(parent) {}

quint16 HttpServerBackend::listen(const QHostAddress &address, quint16 port, int backlog,
                                  const std::optional<QSslConfiguration> &tls)
{
    QTcpServer *server = nullptr;
    if (tls) {
        auto *ssl = new QSslServer(this);
        ssl->setSslConfiguration(*tls);
        server = ssl;
    } else {
        server = new QTcpServer(this);
    }
    // QHttpServer::listen() would use QTcpServer's backlog of 50, which overflows on connect bursts.
    server->setListenBacklogSize(backlog);
    if (!server->listen(address, port)) {
        m_error = server->errorString();
        delete server;
        return 0;
    }
    bind(server);
    return server->serverPort();
}

void HttpServerBackend::close()
{
    for (QTcpServer *s : servers())
        s->close();
}

qint64 HttpServerBackend::raiseFileDescriptorLimit()
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return qint64(rl.rlim_cur);
}

bool HttpServerBackend::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    HttpRequest r;
    r.method = methodName(request.method());
    r.path = request.url().path();
    r.query = request.query();
    for (const auto &h : request.headers())
        r.headers.append({h.first, h.second});
    r.body = request.body();
    r.remoteAddress = request.remoteAddress();
    r.remotePort = socket->peerPort();
    r.secure = qobject_cast<QSslSocket *>(socket) != nullptr;
    const bool close = r.header("Connection").compare("close", Qt::CaseInsensitive) == 0;
    auto *responder = new HttpResponder(socket, close);
    if (m_handler)
        m_handler(r, responder);
    else
        responder->send(503, {{"Content-Type", "application/json"}}, R"({"error":"not_ready"})");
    return true;
}

void HttpServerBackend::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    // handleRequest() always claims the request; kept for the abstract interface.
    (new HttpResponder(socket, true))->send(404, {});
}

} // namespace koan
