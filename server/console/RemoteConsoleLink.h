#pragma once
// The console attached to a headless server (koan-mcp console --attach URL): the admin event
// stream (GET /admin/events) for the snapshot and the live events, the admin API's commands for
// the rest. TLS is verified (the system's CAs plus `caCertificates`); the token is sent only as
// a bearer header and never logged. A lost stream is reopened every `reconnectMs` (0: never),
// and a stream silent for three keep-alive intervals counts as lost.
#include "ConsoleLink.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>

class QNetworkReply;

namespace koan {

struct AttachOptions {
    QUrl url;         // https://host:port (plain http:// only for loopback targets)
    QByteArray token; // bearer token; empty: none (a loopback server without authentication)
    QList<QSslCertificate> caCertificates;
    int reconnectMs = 2000;
    int requestTimeoutMs = 15000;

    // Empty when `url` may be attached to, else why not (scheme, plain HTTP to a non-loopback host).
    static QString problem(const QUrl &url);
};

class RemoteConsoleLink : public ConsoleLink
{
    Q_OBJECT
public:
    explicit RemoteConsoleLink(AttachOptions options, QObject *parent = nullptr);
    ~RemoteConsoleLink() override;

    bool isRemote() const override { return true; }
    QString target() const override { return m_options.url.toString(QUrl::RemoveUserInfo); }
    QJsonObject server() const { return m_server; } // {"name", "version"} from the last snapshot

    // Opens the event stream (and keeps it open, reconnecting).
    void start();
    void stop();

    void refresh() override;
    void setHttpSse(const HttpSseSwitch &request) override;
    void applyEntityOptions(const QString &entity, const EntityOptions &options) override;
    void resetEntityOptions(const QString &entity) override;
    void disconnectSession(const QString &sessionId) override;
    void invokeTool(const QString &requestId, const QString &tool, const QJsonObject &arguments) override;
    void cancelInvocation(const QString &requestId) override;
    void cancelTask(const QString &taskId) override;
    void setTrafficRecording(const QString &target, bool on) override;
    void setRecordNewSessions(bool on) override;
    void requestTraffic(const QString &target) override;

signals:
    // Every event of the stream as it arrived (the snapshot first), for `console --check`.
    void eventReceived(const QString &event, const QJsonObject &data);

private:
    QNetworkRequest request(const QString &path) const;
    using Answer = std::function<void(int status, const QJsonObject &body, const QString &error)>;
    void send(const QByteArray &verb, const QString &path, const QJsonObject &body, Answer answer);
    void openStream();
    void readStream();
    void streamEnded();
    void dispatch(const QString &event, const QJsonObject &data);
    void applySnapshot(const QJsonObject &snapshot);
    static QString describe(QNetworkReply *reply, const QByteArray &body);

    AttachOptions m_options;
    QNetworkAccessManager m_network;
    QPointer<QNetworkReply> m_stream;
    QByteArray m_buffer;
    QTimer m_reconnect;
    QTimer m_watchdog;
    QElapsedTimer m_lastBytes;
    int m_keepAliveMs = 15000;
    bool m_running = false;
    bool m_stalled = false; // the watchdog ended the stream
    QJsonObject m_server;
};

} // namespace koan
