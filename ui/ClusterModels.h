#pragma once
// The Cluster page's two tables over the registry's view (store/ClusterRegistry, through
// ConsoleLink::clusterChanged): the replicas sharing the PostgreSQL database (this one marked)
// and their live 2025-era and legacy sessions.
#include "store/ClusterRegistry.h"

#include <QAbstractTableModel>
#include <QDateTime>

namespace koan::ui {

class ClusterReplicasModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Replica, Host, Version, Started, LastHeartbeat, Sessions, State, ColumnCount };
    // A replica whose heartbeat is older than this (at the view's time) is shown as late.
    static constexpr int kLateMs = 3000;
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    const koan::RegisteredReplica &replica(int row) const { return m_view.replicas.at(row); }
    QString state(const koan::RegisteredReplica &r) const; // this replica, live, late

public slots:
    void setView(const koan::ClusterView &view);

private:
    koan::ClusterView m_view;
};

class ClusterSessionsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Session, Replica, Transport, Subject, Created, Expires, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

public slots:
    void setView(const koan::ClusterView &view);

private:
    QList<koan::RegisteredSession> m_rows;
    QString m_self;
};

} // namespace koan::ui
