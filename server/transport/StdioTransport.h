#pragma once
// MCP over STDIO: newline-delimited JSON-RPC on stdin/stdout. Logs never touch stdout.
#include "core/McpSession.h"

#include <QObject>
#include <QThread>
#include <cstdio>

namespace koan {

class RpcBridge;

// Blocking line reader on its own thread, so pipes, files and terminals all work. A line longer
// than the limit is skipped as it arrives, never buffered whole (a 50 MB line costs nothing).
class StdinReader : public QThread
{
    Q_OBJECT
public:
    StdinReader(FILE *in, qint64 maxLineBytes, QObject *parent = nullptr)
        : QThread(parent), m_in(in), m_maxLineBytes(maxLineBytes)
    { }
signals:
    void lineRead(const QByteArray &line);
    void lineTooLong(qint64 bytes); // the whole line's size, newline included
    void endOfInput();

protected:
    void run() override;

private:
    FILE *m_in;
    qint64 m_maxLineBytes;
};

class StdioTransport : public QObject
{
    Q_OBJECT
public:
    StdioTransport(RpcBridge *bridge, qint64 maxMessageBytes, QObject *parent = nullptr,
                   Principal principal = Principal::localOwner(), FILE *in = stdin, FILE *out = stdout);
    ~StdioTransport() override;
    void start();
    SessionPtr session() const { return m_session; }
    // Ends every open subscriptions/listen request with its final result (resultType complete,
    // the spec's graceful end) on stdout: at the end of input, and before the process exits on a
    // signal, as HTTP listen streams get theirs at shutdown.
    void endListens();

signals:
    void finished(); // stdin closed and every pending reply written

private:
    void handleLine(const QByteArray &line);
    void handleModern(const QJsonObject &message); // a stateless 2026-07-28 request or notification
    void refuseOversized(qint64 bytes);
    void write(const QJsonValue &message);
    void maybeFinish();
    void endExpired(const QByteArray &line);

    RpcBridge *m_bridge;
    qint64 m_maxMessageBytes;
    FILE *m_out;
    StdinReader *m_reader;
    SessionPtr m_session;
    QHash<QString, CancelFlag> m_modernInflight; // modern requests still running, for notifications/cancelled
    QList<CancelFlag> m_listens;                 // acknowledged subscriptions/listen requests
    int m_pending = 0;
    bool m_eof = false;
    bool m_expired = false; // the token expired: no further requests are served
};

} // namespace koan
