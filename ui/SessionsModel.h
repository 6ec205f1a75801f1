#pragma once
// Live table of MCP sessions, fed by SessionManager signals (queued from the server thread).
#include "sessions/SessionInfo.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QTimer>

namespace koan::ui {

class SessionsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Id,
        Transport,
        Era,
        Client,
        Subject,
        Remote,
        UserAgent,
        Age,
        LastActivity,
        LastHeartbeat,
        Heartbeat,
        MessagesIn,
        MessagesOut,
        Queued,
        ColumnCount
    };
    enum class HeartbeatState { NoStream, Waiting, Healthy, Late, Missed };
    static constexpr int SessionIdRole = Qt::UserRole + 1;

    explicit SessionsModel(QObject *parent = nullptr);
    void setKeepAliveInterval(int ms) { m_keepAliveMs = ms; }
    void reset(const QList<koan::SessionInfo> &sessions);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    HeartbeatState heartbeatState(const koan::SessionInfo &info) const;
    static QString stateName(HeartbeatState state);
    // The cells that say who a session is (Id .. Remote), for this table and the session history.
    static QVariant identity(const koan::SessionInfo &s, Column column, int role);
    const QList<koan::SessionInfo> &sessions() const { return m_rows; }
    int heartbeatsSinceLastSample() { return std::exchange(m_heartbeats, 0); }

public slots:
    void sessionOpened(const koan::SessionInfo &info);
    void sessionUpdated(const koan::SessionInfo &info);
    void sessionClosed(const QString &sessionId);
    void heartbeatSent(const QString &sessionId, const QDateTime &at, qint64 bytesQueued);
    void messageReceived(const QString &sessionId);
    void messageSent(const QString &sessionId);

private:
    int rowOf(const QString &sessionId) const { return m_rowById.value(sessionId, -1); }
    void reindex();

    QList<koan::SessionInfo> m_rows;
    QHash<QString, int> m_rowById; // heartbeats and messages arrive per session id: O(1) lookups
    int m_keepAliveMs = 15000;
    int m_heartbeats = 0;
    QTimer m_refresh; // one repaint per second for counters and ages, however busy the server
};

} // namespace koan::ui
