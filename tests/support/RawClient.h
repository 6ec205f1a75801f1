#pragma once
// A raw loopback client: the test controls exactly which bytes go out and sees every byte back.
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace koan::test {

struct RawClient {
    QTcpSocket socket;
    QByteArray received;
    bool open(quint16 port)
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
        return socket.waitForConnected(3000);
    }
    // The JSON body of the (first) response.
    QJsonObject body() const
    {
        return QJsonDocument::fromJson(received.mid(received.indexOf("\r\n\r\n") + 4)).object();
    }
    bool closed() const { return socket.state() == QAbstractSocket::UnconnectedState; }
};

// One Streamable HTTP exchange on a connection of its own (Connection: close), the session id kept in
// *sessionId; the JSON-RPC message from a JSON or SSE body.
inline QJsonObject streamablePost(quint16 port, const QJsonObject &message, QByteArray *sessionId)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(3000))
        return {};
    const QByteArray body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QByteArray req = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Accept: application/json, text/event-stream\r\nConnection: close\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\n";
    if (!sessionId->isEmpty())
        req += "Mcp-Session-Id: " + *sessionId + "\r\n";
    s.write(req + "\r\n" + body);
    QByteArray all;
    while (s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(3000))
        all += s.readAll();
    all += s.readAll();
    for (const QByteArray &line : all.split('\n')) {
        if (line.toLower().startsWith("mcp-session-id:"))
            *sessionId = line.mid(15).trimmed();
        const int brace = line.indexOf("{\"");
        if (brace >= 0 && (line.startsWith("data: ") || line.startsWith("{"))) {
            const QJsonDocument doc = QJsonDocument::fromJson(line.mid(brace).trimmed());
            if (doc.isObject() && doc.object().contains(QLatin1String("id")))
                return doc.object();
        }
    }
    return {};
}

} // namespace koan::test
