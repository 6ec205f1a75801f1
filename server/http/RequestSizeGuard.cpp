#include "RequestSizeGuard.h"

#include "HttpErrors.h"

#include <QLoggingCategory>
#include <QTcpSocket>

Q_LOGGING_CATEGORY(lcGuard, "koan.http")

namespace koan {

void RequestSizeGuard::watch(QTcpSocket *socket, const Limits &limits)
{
    if (limits.maxBodyBytes > 0)
        new RequestSizeGuard(socket, limits);
}

RequestSizeGuard::RequestSizeGuard(QTcpSocket *socket, const Limits &limits)
    : QObject(socket), m_socket(socket), m_maxBody(limits.maxBodyBytes), m_rpcPath(limits.rpcPath)
{
    connect(socket, &QTcpSocket::readyRead, this, &RequestSizeGuard::inspect);
}

void RequestSizeGuard::inspect()
{
    // Only the bytes Qt has not read yet: the parser reads everything on each readyRead.
    if (m_state != State::Rejected && m_socket)
        consume(m_socket->peek(m_socket->bytesAvailable()));
}

void RequestSizeGuard::consume(QByteArray data)
{
    while (!data.isEmpty() && m_state != State::Rejected) {
        switch (m_state) {
        case State::Headers: {
            const qsizetype before = m_head.size();
            m_head += data;
            const qsizetype end = m_head.indexOf("\r\n\r\n");
            if (end < 0) {
                if (m_head.size() > kMaxHeaderBytes)
                    return reject(431, QStringLiteral("Request headers exceed %1 bytes").arg(kMaxHeaderBytes));
                return;
            }
            data = data.mid(end + 4 - before); // what follows the headers
            const QList<QByteArray> requestLine = m_head.left(m_head.indexOf("\r\n")).split(' ');
            m_rpcShaped = requestLine.size() > 1 && requestLine.at(1).split('?').first() == m_rpcPath;
            qint64 length = 0;
            bool chunked = false;
            for (const QByteArray &line : m_head.left(end).split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon < 0)
                    continue;
                const QByteArray name = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                if (name == "content-length")
                    length = value.toLongLong();
                else if (name == "transfer-encoding")
                    chunked = value.toLower().contains("chunked");
            }
            m_head.clear();
            if (!chunked && length > m_maxBody)
                return reject(413, QStringLiteral("Request body of %1 bytes exceeds the %2-byte limit (MaxRequestBodyBytes)")
                                       .arg(length).arg(m_maxBody));
            m_state = chunked ? State::Chunked : length > 0 ? State::Body : State::Headers;
            m_remaining = length;
            m_chunkedSeen = 0;
            m_chunkedTail.clear();
            break;
        }
        case State::Body: {
            const qint64 take = qMin<qint64>(m_remaining, data.size());
            m_remaining -= take;
            data = data.mid(take);
            if (m_remaining == 0)
                m_state = State::Headers; // a pipelined request may follow
            break;
        }
        case State::Chunked: {
            // Chunk framing is left to Qt; the guard only bounds the size and spots the last chunk.
            m_chunkedSeen += data.size();
            m_chunkedTail = (m_chunkedTail + data).right(5);
            data.clear();
            if (m_chunkedSeen > m_maxBody + 1024)
                return reject(413, QStringLiteral("Chunked request body exceeds the %1-byte limit (MaxRequestBodyBytes)").arg(m_maxBody));
            if (m_chunkedTail == "0\r\n\r\n")
                m_state = State::Headers;
            break;
        }
        case State::Rejected:
            return;
        }
    }
}

void RequestSizeGuard::reject(int status, const QString &message)
{
    m_state = State::Rejected;
    qCWarning(lcGuard).noquote() << "rejecting request from" << m_socket->peerAddress().toString() << "with" << status << ":" << message;
    // The answer goes out before the body is read; closing stops further reads. Same shapes as
    // the handlers' own checks (readJsonRpcBody).
    auto *responder = new HttpResponder(m_socket, true);
    if (m_rpcShaped)
        sendRpcHttpError(responder, status, jsonrpc::InvalidRequest, message);
    else
        sendHttpError(responder, status, status == 413 ? QStringLiteral("payload_too_large") : QStringLiteral("headers_too_large"), message);
}

} // namespace koan
