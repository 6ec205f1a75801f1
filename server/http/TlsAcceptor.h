#pragma once
// Accepts HTTPS connections with the TLS handshake kept outside QTcpServer's pending queue.
// Qt 6.4's QSslServer counts a socket still handshaking as pending (maxPendingConnections, 30)
// and stops accepting once that many are in flight; when such clients drop mid-handshake it
// never resumes, so 30 idle connections wedge the listener for good. Here a socket enters the
// pending queue (and reaches QtHttpServer) only once `encrypted` fired; a failed, dropped or
// timed-out handshake just deletes the socket, and accepting never stops.
#include <QElapsedTimer>
#include <QHash>
#include <QSslConfiguration>
#include <QTcpServer>
#include <functional>

class QSslSocket;
class QTimer;

namespace koan {

class TlsAcceptor : public QTcpServer
{
    Q_OBJECT
public:
    // Called for every accepted TCP connection before its first byte is read. Returning false
    // means the callback refused (aborted) the socket; it is then deleted without a handshake.
    using Accepted = std::function<bool(QSslSocket *)>;

    TlsAcceptor(const QSslConfiguration &configuration, int handshakeTimeoutMs, Accepted accepted,
                QObject *parent = nullptr);
    ~TlsAcceptor() override;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void finish(QSslSocket *socket); // its handshake phase is over: detach it
    void failed(QSslSocket *socket, const QString &reason);

    QSslConfiguration m_configuration;
    int m_timeoutMs;
    Accepted m_accepted;
    QHash<QSslSocket *, QTimer *> m_handshaking; // socket -> its deadline
    quint64 m_unreported = 0;                    // failures since the last info line
    QElapsedTimer m_lastReport;                  // at most one info line a minute: a scan must not flood the log
};

} // namespace koan
