#pragma once
// Rejects an oversized request body while it arrives. Qt 6.4's QAbstractHttpServer buffers a
// whole body before the handler sees it, so a huge upload would sit in memory first. The guard
// sees each socket's bytes just before Qt reads them (its readyRead slot is connected first),
// follows request framing (Content-Length or chunked) and answers 413 (or 431 for oversized
// headers) as soon as a limit is crossed, then closes the connection.
#include <QByteArray>
#include <QObject>
#include <QPointer>

class QTcpSocket;

namespace koan {

class RequestSizeGuard : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxHeaderBytes = 64 * 1024;
    struct Limits {
        qint64 maxBodyBytes = 0;   // 0: no guard
        QByteArray rpcPath;        // requests to this path get JSON-RPC shaped errors (Streamable HTTP)
    };
    // Watches `socket` (and dies with it). Must be called before QtHttpServer connects to it.
    static void watch(QTcpSocket *socket, const Limits &limits);

private:
    RequestSizeGuard(QTcpSocket *socket, const Limits &limits);
    void inspect();
    void consume(QByteArray data);
    void reject(int status, const QString &message);

    enum class State { Headers, Body, Chunked, Rejected };
    QPointer<QTcpSocket> m_socket;
    qint64 m_maxBody;
    QByteArray m_rpcPath;
    bool m_rpcShaped = false; // the current request goes to m_rpcPath
    State m_state = State::Headers;
    QByteArray m_head;        // header bytes of the current request so far
    qint64 m_remaining = 0;   // Content-Length body bytes still to come
    qint64 m_chunkedSeen = 0; // chunked body bytes so far (framing included)
    QByteArray m_chunkedTail; // last bytes of a chunked body, to spot its terminator
};

} // namespace koan
