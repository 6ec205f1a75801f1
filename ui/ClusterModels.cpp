#include "ClusterModels.h"

#include <QFont>

namespace koan::ui {

namespace {
QDateTime parse(const QString &iso)
{
    return QDateTime::fromString(iso, Qt::ISODateWithMs);
}
QString clock(const QString &iso)
{
    const QDateTime t = parse(iso);
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : iso;
}
} // namespace

int ClusterReplicasModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_view.replicas.size());
}

int ClusterReplicasModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ClusterReplicasModel::state(const RegisteredReplica &r) const
{
    if (r.self)
        return tr("this replica");
    const QDateTime taken = parse(m_view.takenAt), beat = parse(r.heartbeatAt);
    return taken.isValid() && beat.isValid() && beat.msecsTo(taken) > kLateMs ? tr("late") : tr("live");
}

QVariant ClusterReplicasModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const RegisteredReplica &r = m_view.replicas.at(index.row());
    if (role == Qt::FontRole && r.self) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::TextAlignmentRole && index.column() == Sessions)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Replica:
        return r.self ? tr("%1 (this replica)").arg(r.id) : r.id;
    case Host:
        return r.host;
    case Version:
        return r.version;
    case Started:
        return clock(r.startedAt);
    case LastHeartbeat:
        return clock(r.heartbeatAt);
    case Sessions:
        return r.sessions;
    case State:
        return state(r);
    }
    return {};
}

QVariant ClusterReplicasModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Replica:
        return tr("Replica");
    case Host:
        return tr("Host");
    case Version:
        return tr("Version");
    case Started:
        return tr("Started");
    case LastHeartbeat:
        return tr("Last heartbeat");
    case Sessions:
        return tr("Sessions");
    case State:
        return tr("State");
    }
    return {};
}

void ClusterReplicasModel::setView(const ClusterView &view)
{
    bool same = view.replicas.size() == m_view.replicas.size();
    for (int i = 0; same && i < view.replicas.size(); ++i)
        same = view.replicas.at(i).id == m_view.replicas.at(i).id;
    if (same) {
        // Every heartbeat: in place, so a selected replica stays selected.
        m_view = view;
        if (!m_view.replicas.isEmpty())
            emit dataChanged(index(0, 0), index(int(m_view.replicas.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_view = view;
    endResetModel();
}

int ClusterSessionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ClusterSessionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClusterSessionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const RegisteredSession &s = m_rows.at(index.row());
    switch (index.column()) {
    case Session:
        return s.id;
    case Replica:
        return s.replica;
    case Transport:
        return s.transport == QLatin1String("HttpSse")          ? tr("HTTP+SSE (2024-11-05)")
               : s.transport == QLatin1String("StreamableHttp") ? tr("Streamable HTTP (2025)")
                                                                : s.transport;
    case Subject:
        // "iss|sub" as registered: the subject, with its issuer in the tooltip.
        if (s.subject.isEmpty())
            return tr("anonymous");
        return role == Qt::ToolTipRole ? s.subject : s.subject.section(QLatin1Char('|'), -1);
    case Created:
        return clock(s.createdAt);
    case Expires:
        return clock(s.expiresAt);
    }
    return {};
}

QVariant ClusterSessionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Session:
        return tr("Session");
    case Replica:
        return tr("Replica");
    case Transport:
        return tr("Transport");
    case Subject:
        return tr("Subject");
    case Created:
        return tr("Created");
    case Expires:
        return tr("Expires");
    }
    return {};
}

void ClusterSessionsModel::setView(const ClusterView &view)
{
    bool same = view.sessions.size() == m_rows.size();
    for (int i = 0; same && i < view.sessions.size(); ++i)
        same = view.sessions.at(i).id == m_rows.at(i).id;
    if (same) {
        m_rows = view.sessions; // their expiry moves with every heartbeat
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = view.sessions;
    m_self = view.self;
    endResetModel();
}

} // namespace koan::ui
