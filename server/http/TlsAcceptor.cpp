#include "TlsAcceptor.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTimer>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcTls, "koan.http.tls")

namespace koan {

TlsAcceptor::TlsAcceptor(const QSslConfiguration &configuration, int handshakeTimeoutMs, Accepted accepted,
                         QObject *parent)
    : QTcpServer(parent), m_configuration(configuration), m_timeoutMs(handshakeTimeoutMs),
      m_accepted(std::move(accepted))
{ }

void TlsAcceptor::incomingConnection(qintptr descriptor)
{
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        ::close(int(descriptor)); // not adopted, so nobody else closes it
        return;
    }
    if (!m_accepted(socket)) {
        socket->deleteLater();
        return;
    }
    // The deadline is also the context of every handshake-phase connection: once it is gone,
    // nothing here touches the socket again, and QtHttpServer's own handlers take over.
    auto *deadline = new QTimer(socket);
    deadline->setSingleShot(true);
    m_handshaking.insert(socket, deadline);
    connect(deadline, &QTimer::timeout, deadline, [this, socket] {
        failed(socket, QStringLiteral("no handshake within %1 ms (TlsHandshakeTimeout)").arg(m_timeoutMs));
    });
    connect(socket, &QSslSocket::encrypted, deadline, [this, socket] {
        finish(socket);
        // Emits pendingConnectionAvailable: QAbstractHttpServer takes the socket and connects its
        // parser now, synchronously, so decrypted bytes that follow the handshake are not missed.
        addPendingConnection(socket);
    });
    connect(socket, &QAbstractSocket::errorOccurred, deadline,
            [this, socket] { failed(socket, socket->errorString()); });
    connect(socket, &QAbstractSocket::disconnected, deadline,
            [this, socket] { failed(socket, QStringLiteral("peer closed the connection")); });
    deadline->start(m_timeoutMs);
    socket->setSslConfiguration(m_configuration);
    socket->startServerEncryption();
}

TlsAcceptor::~TlsAcceptor()
{
    // The sockets still handshaking die with this object (their parent); detached first, or
    // their destructor's abort() would call back into a half-destroyed acceptor.
    const auto sockets = m_handshaking.keys();
    for (QSslSocket *socket : sockets)
        finish(socket);
}

void TlsAcceptor::finish(QSslSocket *socket)
{
    QTimer *deadline = m_handshaking.take(socket);
    deadline->stop();
    socket->disconnect(deadline);
    deadline->disconnect();
    deadline->deleteLater();
}

void TlsAcceptor::failed(QSslSocket *socket, const QString &reason)
{
    finish(socket);
    ++m_unreported;
    const QString peer = socket->peerAddress().toString();
    qCDebug(lcTls).noquote() << "TLS handshake with" << peer << "failed:" << reason;
    if (!m_lastReport.isValid() || m_lastReport.elapsed() >= 60000) {
        qCInfo(lcTls).noquote()
            << m_unreported << "TLS handshake(s) failed since the last report, last from" << peer << "-" << reason
            << QStringLiteral("(%1 in progress; details at debug level, koan.http.tls)").arg(m_handshaking.size());
        m_unreported = 0;
        m_lastReport.start();
    }
    socket->abort(); // its disconnected no longer reaches us: finish() detached it
    socket->deleteLater();
}

} // namespace koan
