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

} // namespace koan::test
