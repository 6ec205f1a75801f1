#pragma once
// Cluster: with PostgreSQL, the replicas sharing the database (id, host, version, started, last
// heartbeat, sessions, state; this replica marked) and the cluster's live sessions, selecting a
// replica shows its own. Fed by ConsoleLink::clusterChanged (in-process or attached, every
// couple of seconds); on SQLite it says that this is a single node.
#include "store/ClusterRegistry.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace koan::ui {

class ClusterReplicasModel;
class ClusterSessionsModel;

class ClusterPage : public QWidget
{
    Q_OBJECT
public:
    explicit ClusterPage(QWidget *parent = nullptr);
    QLabel *status() const { return m_status; }
    QTableView *replicasView() const { return m_replicasView; }
    QTableView *sessionsView() const { return m_sessionsView; }
    ClusterReplicasModel *replicas() const { return m_replicas; }
    ClusterSessionsModel *sessions() const { return m_sessions; }
    bool isClustered() const { return m_clustered; }
    // Shows only the sessions of the replica with this id (empty: all).
    void showReplica(const QString &id);

public slots:
    void setView(const koan::ClusterView &view);

private:
    ClusterReplicasModel *m_replicas;
    ClusterSessionsModel *m_sessions;
    QSortFilterProxyModel *m_sessionsProxy;
    QLabel *m_status;
    QTableView *m_replicasView;
    QTableView *m_sessionsView;
    QPushButton *m_all;
    bool m_clustered = false;
};

} // namespace koan::ui
