#include "HttpServerBackend.h"

#include "HttpErrors.h"
#include "HttpResponder.h"
#include "TlsAcceptor.h"

#include <QHttpServerRequest>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>
#include <sys/resource.h>

Q_LOGGING_CATEGORY(lcBackend, "koan.http")

namespace koan {

namespace {
// Creates plain sockets itself so the backend sees each one before QtHttpServer does.
class GuardedTcpServer : public QTcpServer
{
public:
    using Accepted = std::function<void(QTcpSocket *)>;
    GuardedTcpServer(Accepted accepted, QObject *parent) : QTcpServer(parent), m_accepted(std::move(accepted)) { }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        m_accepted(socket);
        addPendingConnection(socket);
    }

private:
    Accepted m_accepted;
};

QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}
} // namespace

HttpServerBackend::HttpServerBackend(QObject *parent) : QAbstractHttpServer(parent) { }

quint16 HttpServerBackend::listen(const QHostAddress &address, quint16 port, int backlog,
                                  const std::optional<QSslConfiguration> &tls)
{
    QTcpServer *server = nullptr;
    if (tls) {
        // Not QSslServer: 6.4's counts handshaking sockets as pending and wedges (TlsAcceptor.h).
        // The callback runs before the handshake, so the guard is connected ahead of QtHttpServer.
        server = new TlsAcceptor(
            *tls, m_tlsHandshakeTimeoutMs, [this](QSslSocket *socket) { return connectionAccepted(socket); }, this);
    } else {
        server = new GuardedTcpServer([this](QTcpSocket *socket) { connectionAccepted(socket); }, this);
    }
    connect(server, &QTcpServer::acceptError, this, [this, server] { acceptFailed(server); });
    m_fdLimit = raiseFileDescriptorLimit();
    // QHttpServer::listen() would use QTcpServer's backlog of 50, which overflows on connect bursts.
    server->setListenBacklogSize(backlog);
    if (!server->listen(address, port)) {
        m_error = server->errorString();
        delete server;
        return 0;
    }
    bind(server);
    // After bind(): runs after QtHttpServer has connected its parser to the new socket.
    connect(server, &QTcpServer::pendingConnectionAvailable, this, &HttpServerBackend::armGuards);
    return server->serverPort();
}

bool HttpServerBackend::connectionAccepted(QTcpSocket *socket)
{
    ++m_openConnections;
    connect(socket, &QObject::destroyed, this, [this] {
        --m_openConnections;
        if (m_shedding && m_openConnections < shedMark() - 16) {
            m_shedding = false;
            qCInfo(lcBackend).noquote() << "connections back to" << m_openConnections << "of RLIMIT_NOFILE"
                                        << m_fdLimit;
        }
    });
    // Every connection holds a descriptor. At EMFILE Qt 6.4 spins at 100% CPU without a word (and
    // pausing accept() does not hold: the next accepted connection re-enables it), so just before
    // that point new connections are answered 503 at once and closed, and the log says why.
    if (m_fdLimit > 0 && m_openConnections >= shedMark()) {
        if (!m_shedding) {
            m_shedding = true;
            qCWarning(lcBackend).noquote()
                << "file descriptors nearly exhausted:" << m_openConnections << "connections open, RLIMIT_NOFILE"
                << m_fdLimit << "- refusing new connections with 503; raise the limit (ulimit -n)"
                << "or lower MaxConcurrentConnections";
        }
        if (qobject_cast<QSslSocket *>(socket)) {
            socket->abort(); // no handshake yet: nothing readable can be said
            return false;
        }
        sendHttpError(new HttpResponder(socket, true), 503, QStringLiteral("server_busy"),
                      QStringLiteral("Too many open connections; retry shortly"), {{"Retry-After", "1"}});
        return false;
    }
    // SSE writes go out as they happen (HttpResponder flushes): without TCP_NODELAY a second small
    // write waits for the peer's delayed ACK (~40 ms).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_unarmedGuards.append(RequestSizeGuard::watch(socket, m_limits, this));
    return true;
}

void HttpServerBackend::armGuards()
{
    // The sockets just handed to QtHttpServer: plain ones at once, TLS ones once encrypted (the
    // others are still handshaking and not yet read by Qt).
    for (qsizetype i = 0; i < m_unarmedGuards.size();) {
        RequestSizeGuard *guard = m_unarmedGuards.at(i);
        const auto *ssl = guard ? qobject_cast<QSslSocket *>(guard->parent()) : nullptr;
        if (guard && ssl && !ssl->isEncrypted()) {
            ++i;
            continue;
        }
        if (guard)
            guard->armAfterParser();
        m_unarmedGuards.removeAt(i);
    }
}

void HttpServerBackend::acceptFailed(QTcpServer *server)
{
    // Qt pauses accepting after an accept() error (EMFILE, ENFILE, ENOBUFS) and never resumes
    // by itself: report it and try again shortly, once descriptors may have been freed.
    qCWarning(lcBackend).noquote() << "cannot accept connections:" << server->errorString() << "(" << m_openConnections
                                   << "open, RLIMIT_NOFILE" << m_fdLimit << ") - retrying in 200 ms";
    QTimer::singleShot(200, server, [server] { server->resumeAccepting(); });
}

HttpServerBackend::~HttpServerBackend()
{
    for (QAbstractSocket *socket : findChildren<QAbstractSocket *>())
        socket->abort();
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
    responder->setHeadRequest(r.method == "HEAD");
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
