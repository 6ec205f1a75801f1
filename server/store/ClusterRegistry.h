#pragma once
// The registry of the replicas sharing one PostgreSQL database and of their live sessions
// (2025-era Streamable HTTP and legacy HTTP+SSE): tables koan_replicas and koan_sessions, each
// row with its owner replica, a heartbeat and an expiry. A replica refreshes its rows every
// heartbeat, removes a session's row when it closes and its own rows when it stops; rows whose
// replica died (no heartbeat until their expiry) are deleted by whichever replica looks next.
// The registry runs on a thread of its own with its own connection, so a slow or unreachable
// database never holds up the server thread; the server hands it sessions and reads the last
// view it took (both thread-safe).
#include <QList>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThread>
#include <memory>

namespace koan {

struct RegisteredReplica {
    QString id;
    QString host;
    QString version;
    QString startedAt;   // UTC, ISO 8601
    QString heartbeatAt; // UTC, ISO 8601
    int sessions = 0;    // its rows in koan_sessions
    bool self = false;   // the replica that took the view
};

struct RegisteredSession {
    QString id;
    QString replica;   // the owner
    QString transport; // StreamableHttp or HttpSse
    QString subject;   // "iss|sub", empty when anonymous
    QString createdAt; // UTC, ISO 8601
    QString expiresAt; // UTC, ISO 8601: gone by then unless its replica heartbeats
};

struct ClusterView {
    QString self;         // this replica's id
    bool current = false; // taken at the last heartbeat (false while the database is away)
    QString takenAt;
    QList<RegisteredReplica> replicas;
    QList<RegisteredSession> sessions; // the first kMaxListed, by creation
    int totalSessions = 0;
};

class ClusterRegistry : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxListed = 1000;
    struct Settings {
        int heartbeatMs = 1000;
        int expiryMs = 5000; // a row not refreshed for this long belongs to a dead replica
    };
    // `url`: the DatabaseUrl (never printed with its password).
    ClusterRegistry(QString url, Settings settings, QObject *parent = nullptr);
    ~ClusterRegistry() override; // stops (see stop())

    // A fresh id for this process: "<host name>-<8 hex digits>".
    static QString newReplicaId();
    QString replicaId() const { return m_replicaId; }
    int expiryMs() const { return m_settings.expiryMs; }
    // Starts the registry's thread; the first heartbeat registers this replica.
    void start();
    // Removes this replica's rows (best effort) and ends the thread.
    void stop();

    // Thread-safe: from the server thread as sessions open and close.
    void sessionOpened(const RegisteredSession &session);
    void sessionClosed(const QString &id);
    // Thread-safe: the last view of the cluster.
    ClusterView view() const;

private:
    class Worker;
    friend class Worker;
    QString m_url;
    Settings m_settings;
    QString m_replicaId;
    QThread m_thread;
    Worker *m_worker = nullptr;

    // Guarded by m_mutex: this replica's live sessions, what changed since the last heartbeat, the view.
    mutable QMutex m_mutex;
    QHash<QString, RegisteredSession> m_live;
    QSet<QString> m_added;
    QSet<QString> m_removed;
    ClusterView m_view;
};

} // namespace koan

Q_DECLARE_METATYPE(koan::ClusterView)
