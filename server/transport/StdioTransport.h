#pragma once
// MCP over STDIO: newline-delimited JSON-RPC on stdin/stdout. Logs never touch stdout.
#include "core/McpSession.h"

#include <QObject>
#include <QThread>
#include <cstdio>

namespace koan {

class RpcBridge;

// Blocking line reader on its own thread, so pipes, files and terminals all work.
class StdinReader : public QThread
{
    Q_OBJECT
public:
    explicit StdinReader(FILE *in, QObject *parent = nullptr) : QThread(parent), m_in(in) {}
signals:
    void lineRead(const QByteArray &line);
    void endOfInput();
protected:
    void run() override;
private:
    FILE *m_in;
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

signals:
    void finished(); // stdin closed and every pending reply written

private:
    void handleLine(const QByteArray &line);
    void write(const QJsonValue &message);
    void maybeFinish();
    void endExpired(const QByteArray &line);

    RpcBridge *m_bridge;
    qint64 m_maxMessageBytes;
    FILE *m_out;
    StdinReader *m_reader;
    SessionPtr m_session;
    int m_pending = 0;
    bool m_eof = false;
    bool m_expired = false; // the token expired: no further requests are served
};

} // namespace koan
