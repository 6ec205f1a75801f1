#include "RequestSizeGuard.h"

#include "HttpErrors.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <sys/socket.h>
#include <QTcpSocket>

Q_LOGGING_CATEGORY(lcGuard, "koan.http")

namespace koan {

RequestSizeGuard *RequestSizeGuard::watch(QTcpSocket *socket, const Limits &limits, QObject *parser)
{
    return new RequestSizeGuard(socket, limits, parser);
}

RequestSizeGuard *RequestSizeGuard::of(const QObject *socket)
{
    return socket ? socket->findChild<RequestSizeGuard *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
}

RequestSizeGuard::RequestSizeGuard(QTcpSocket *socket, const Limits &limits, QObject *parser)
    : QObject(socket), m_socket(socket), m_parser(parser), m_limits(limits), m_framing(limits.framing)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &RequestSizeGuard::timedOut);
    connect(socket, &QTcpSocket::readyRead, this, &RequestSizeGuard::inspect);
    updateTimer(); // a fresh connection has HeaderReadTimeout to send its first request
}

void RequestSizeGuard::armAfterParser()
{
    if (m_armed || !m_socket)
        return;
    m_armed = true;
    connect(m_socket, &QTcpSocket::readyRead, this, &RequestSizeGuard::afterParser);
    updateTimer(); // a TLS connection's HeaderReadTimeout starts now, after its handshake
}

void RequestSizeGuard::inspect()
{
    if (m_rejected || !m_socket)
        return;
    // Qt reads everything on a readyRead except what follows a complete request (it re-emits
    // readyRead for that later), so only the bytes past those are new to the guard.
    const qint64 available = m_socket->bytesAvailable();
    // Until armed, nothing tells what Qt read: every available byte counts as new (true unless
    // requests are pipelined).
    const qint64 fresh = available - m_unreadByQt;
    m_unreadByQt = m_armed ? available : 0;
    if (fresh > 0) {
        const QByteArray bytes = m_socket->peek(available);
        const HttpFramingParser::Verdict v = m_framing.feed(QByteArrayView(bytes).sliced(bytes.size() - fresh));
        if (!v.ok())
            return reject(v.status, v.code, v.message);
    }
    updateTimer();
}

void RequestSizeGuard::afterParser()
{
    if (m_socket)
        m_unreadByQt = m_socket->bytesAvailable();
}

void RequestSizeGuard::responseStarted()
{
    ++m_responses;
    updateTimer();
}

void RequestSizeGuard::responseFinished()
{
    if (m_responses > 0)
        --m_responses;
    updateTimer();
}

void RequestSizeGuard::updateTimer()
{
    Deadline want = Deadline::None;
    int ms = 0;
    // While a TLS handshake runs, TlsHandshakeTimeout is the deadline, not ours.
    const auto *ssl = qobject_cast<const QSslSocket *>(m_socket.data());
    if (!m_rejected && !(ssl && !ssl->isEncrypted())) {
        switch (m_framing.phase()) {
        case HttpFramingParser::Phase::Head:
            want = Deadline::Header, ms = m_limits.headerReadTimeoutMs;
            break;
        case HttpFramingParser::Phase::Body:
        case HttpFramingParser::Phase::Chunked:
            want = Deadline::Body, ms = m_limits.bodyReadTimeoutMs;
            break;
        case HttpFramingParser::Phase::Idle:
            // Waiting for our own answer (or streaming one) is not the client's idleness.
            if (m_responses == 0) {
                if (m_framing.requestsCompleted() == 0)
                    want = Deadline::Header, ms = m_limits.headerReadTimeoutMs;
                else
                    want = Deadline::Idle, ms = m_limits.keepAliveIdleTimeoutMs;
            }
            break;
        case HttpFramingParser::Phase::Rejected:
            break;
        }
    }
    if (want == Deadline::None || ms <= 0) {
        m_deadline = Deadline::None;
        m_timer.stop();
    } else if (want != m_deadline || !m_timer.isActive()) {
        // Started once per phase, not per byte: a slow trickle does not extend it.
        m_deadline = want;
        m_timer.start(ms);
    }
}

void RequestSizeGuard::timedOut()
{
    if (!m_socket || m_rejected)
        return;
    if (m_deadline == Deadline::Idle) {
        qCDebug(lcGuard).noquote() << "closing idle keep-alive connection from" << m_socket->peerAddress().toString();
        m_rejected = true;
        m_socket->disconnectFromHost();
        return;
    }
    const bool header = m_deadline == Deadline::Header;
    reject(408, QStringLiteral("request_timeout"),
           header ? QStringLiteral("The request head did not arrive within %1 ms (HeaderReadTimeout)")
                        .arg(m_limits.headerReadTimeoutMs)
                  : QStringLiteral("The request body did not arrive within %1 ms (BodyReadTimeout)")
                        .arg(m_limits.bodyReadTimeoutMs));
}

void RequestSizeGuard::reject(int status, const QString &code, const QString &message)
{
    m_rejected = true;
    m_timer.stop();
    // Qt's parser is on the same readyRead emission, after us: disconnected now, it never reads
    // this request (nor anything after it on this connection).
    if (m_parser)
        disconnect(m_socket, &QTcpSocket::readyRead, m_parser, nullptr);
    if (status == 408)
        qCDebug(lcGuard).noquote() << "closing connection from" << m_socket->peerAddress().toString() << ":" << message;
    else
        qCWarning(lcGuard).noquote() << "rejecting request from" << m_socket->peerAddress().toString() << "with"
                                     << status << ":" << message;
    if (m_responses > 0) {
        m_socket->abort(); // an answer is still being written on this connection: nothing more can be said
        return;
    }
    // The answer goes out before the rest of the request is read. Same shapes as the handlers'
    // own checks (readJsonRpcBody).
    auto *responder = new HttpResponder(m_socket, true);
    responder->setCloseLeftToCaller(true);
    const bool rpcShaped = !m_limits.rpcPath.isEmpty() && m_framing.target().split('?').first() == m_limits.rpcPath;
    if (rpcShaped)
        sendRpcHttpError(responder, status, jsonrpc::InvalidRequest, message);
    else
        sendHttpError(responder, status, code, message);
    lingeringClose();
}

void RequestSizeGuard::lingeringClose()
{
    // Closing with the client's bytes still unread makes the kernel send a reset, and the client
    // may lose the answer before reading it. So: send the answer and our FIN (plain TCP), then
    // read and discard what still arrives - never buffering it - until the client closes, up to
    // kLingerMs or kLingerBytes; then the connection goes.
    m_socket->setReadBufferSize(64 * 1024);
    connect(m_socket, &QTcpSocket::readyRead, this, &RequestSizeGuard::discardInput);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &RequestSizeGuard::halfCloseWhenSent);
    QTimer::singleShot(kLingerMs, this, [this] {
        if (m_socket)
            m_socket->abort();
    });
    m_socket->flush();
    halfCloseWhenSent();
    discardInput();
}

void RequestSizeGuard::halfCloseWhenSent()
{
    if (!m_socket || m_halfClosed || m_socket->bytesToWrite() > 0)
        return;
    m_halfClosed = true;
    // A TLS connection would need its own close_notify first: it just lingers, then closes.
    if (!qobject_cast<QSslSocket *>(m_socket.data()))
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void RequestSizeGuard::discardInput()
{
    if (!m_socket)
        return;
    m_discarded += m_socket->skip(m_socket->bytesAvailable());
    if (m_discarded > kLingerBytes)
        m_socket->abort();
}

} // namespace koan
