#pragma once
// The only place that touches QtHttpServer's version-specific API (6.4): it accepts
// connections (own QTcpServer/TlsAcceptor with a large backlog), turns each parsed request
// into an HttpRequest and hands it with an HttpResponder to one handler. A Qt upgrade
// (6.8's responder/chunked API) only needs this file and HttpResponder.cpp to change.
#include "HttpRequest.h"
#include "RequestSizeGuard.h"

#include <QAbstractHttpServer>
#include <QPointer>
#include <QSslConfiguration>
#include <functional>
#include <optional>

namespace koan {

class HttpResponder;

class HttpServerBackend : public QAbstractHttpServer
{
    Q_OBJECT
public:
    using Handler = std::function<void(const HttpRequest &request, HttpResponder *responder)>;

    explicit HttpServerBackend(QObject *parent = nullptr);
    // Aborts every connection still open while the sockets are whole objects: a socket destroyed as a
    // child would emit its disconnect from ~QAbstractSocket, into responders and guards that then
    // touch a half-destroyed QTcpSocket.
    ~HttpServerBackend() override;
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // Applied to every connection accepted afterwards (see RequestSizeGuard).
    void setRequestLimits(const RequestSizeGuard::Limits &limits) { m_limits = limits; }
    // HTTPS: a connection still handshaking after this long is closed (see TlsAcceptor).
    void setTlsHandshakeTimeout(int ms) { m_tlsHandshakeTimeoutMs = ms; }
    int openConnections() const { return m_openConnections; }
    qint64 fileDescriptorLimit() const { return m_fdLimit; } // after listen()

    // Returns the bound port or 0 (see errorString()).
    quint16 listen(const QHostAddress &address, quint16 port, int backlog,
                   const std::optional<QSslConfiguration> &tls = std::nullopt);
    QString errorString() const { return m_error; }
    void close();

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    // Counts the connection and prepares it; false when it was refused (near RLIMIT_NOFILE).
    bool connectionAccepted(QTcpSocket *socket);
    void acceptFailed(QTcpServer *server);
    void armGuards();
    // Raises the soft RLIMIT_NOFILE to the hard limit; returns the resulting soft limit.
    static qint64 raiseFileDescriptorLimit();

    Handler m_handler;
    QString m_error;
    RequestSizeGuard::Limits m_limits;
    QList<QPointer<RequestSizeGuard>> m_unarmedGuards; // accepted, not yet read by QtHttpServer
    int m_tlsHandshakeTimeoutMs = 10000;
    qint64 m_fdLimit = 0;
    int m_openConnections = 0;
    bool m_shedding = false; // refusing connections near RLIMIT_NOFILE
    // Descriptors kept free for the store, logs, JWKS fetches and the like.
    static constexpr qint64 kReservedDescriptors = 32;
    qint64 shedMark() const { return m_fdLimit - kReservedDescriptors; }
};

} // namespace koan
