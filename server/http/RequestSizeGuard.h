#pragma once
// The one gatekeeper in front of Qt 6.4's request parser on every connection. Qt buffers whole
// bodies, has no header or idle timeouts and frames requests loosely, so the guard sees each
// socket's bytes just before Qt reads them (its readyRead slot is connected first), reads the
// framing strictly (HttpFramingParser) and, on ambiguous framing or a crossed limit, answers
// 400/413/431/505 and closes the connection before Qt parses anything of that request. It also
// closes connections whose request head or body does not arrive in time (408) and idle
// keep-alive connections; a connection with a response in progress (an SSE stream) is exempt.
#include "HttpFramingParser.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace koan {

class RequestSizeGuard : public QObject
{
    Q_OBJECT
public:
    struct Limits {
        HttpFramingParser::Limits framing;
        int headerReadTimeoutMs = 10000;    // HeaderReadTimeout
        int bodyReadTimeoutMs = 30000;      // BodyReadTimeout
        int keepAliveIdleTimeoutMs = 60000; // KeepAliveIdleTimeout
        QByteArray rpcPath;                 // requests to this path get JSON-RPC shaped errors (Streamable HTTP)
    };
    // Watches `socket` (and dies with it). Must be called before QtHttpServer connects to it;
    // `parser` is the QObject Qt's readyRead handler is connected to (the QAbstractHttpServer),
    // disconnected from the socket when a request is refused so Qt never reads it.
    static RequestSizeGuard *watch(QTcpSocket *socket, const Limits &limits, QObject *parser);
    static RequestSizeGuard *of(const QObject *socket);

    // Call once Qt has connected its own readyRead handler (after QTcpServer::newConnection):
    // from then on the guard also learns, after each of Qt's reads, how much Qt left unread.
    void armAfterParser();

    // A response on this connection started / ended (HttpResponder): no idle timeout meanwhile.
    void responseStarted();
    void responseFinished();

private:
    RequestSizeGuard(QTcpSocket *socket, const Limits &limits, QObject *parser);
    void inspect();
    void afterParser();
    void reject(int status, const QString &code, const QString &message);
    void lingeringClose();
    void halfCloseWhenSent();
    void discardInput();
    static constexpr int kLingerMs = 2000;
    static constexpr qint64 kLingerBytes = 4 * 1024 * 1024;
    void updateTimer();
    void timedOut();

    QPointer<QTcpSocket> m_socket;
    QPointer<QObject> m_parser;
    Limits m_limits;
    HttpFramingParser m_framing;
    bool m_armed = false;
    bool m_rejected = false;
    qint64 m_unreadByQt = 0; // bytes already inspected that Qt has not read yet
    int m_responses = 0;     // responses in progress on this connection
    bool m_halfClosed = false;
    qint64 m_discarded = 0; // bytes read and dropped after a refusal
    QTimer m_timer;
    enum class Deadline { None, Header, Body, Idle } m_deadline = Deadline::None;
};

} // namespace koan
