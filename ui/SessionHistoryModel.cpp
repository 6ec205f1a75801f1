#include "SessionHistoryModel.h"

#include "SessionsModel.h"

#include <QLocale>

namespace koan::ui {

// The identity columns come first in both tables, in the same order, so they share one renderer.
static_assert(int(SessionHistoryModel::Id) == int(SessionsModel::Id)
              && int(SessionHistoryModel::Transport) == int(SessionsModel::Transport)
              && int(SessionHistoryModel::Era) == int(SessionsModel::Era)
              && int(SessionHistoryModel::Client) == int(SessionsModel::Client)
              && int(SessionHistoryModel::Subject) == int(SessionsModel::Subject)
              && int(SessionHistoryModel::Remote) == int(SessionsModel::Remote));

SessionHistoryModel::SessionHistoryModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent), m_capacity(capacity)
{ }

QString SessionHistoryModel::describe(EndReason kind)
{
    switch (kind) {
    case EndReason::ClientClosed:
        return tr("client closed");
    case EndReason::Deleted:
        return tr("DELETE by client");
    case EndReason::IdleTimeout:
        return tr("idle timeout");
    case EndReason::SlowReader:
        return tr("heartbeat write failed (slow reader)");
    case EndReason::TokenExpired:
        return tr("token expired");
    case EndReason::Operator:
        return tr("disconnected by the operator");
    case EndReason::TransportDisabled:
        return tr("transport disabled (cut)");
    case EndReason::Drained:
        return tr("transport disabled (drain timeout)");
    case EndReason::Shutdown:
        return tr("server shutdown");
    case EndReason::InitializeFailed:
        return tr("initialize failed");
    case EndReason::Other:
        break;
    }
    return tr("other");
}

QString SessionHistoryModel::duration(qint64 ms)
{
    const qint64 s = qMax<qint64>(0, ms) / 1000;
    if (ms < 10000)
        return tr("%1 s").arg(qMax<qint64>(0, ms) / 1000.0, 0, 'f', 1);
    if (s < 60)
        return tr("%1 s").arg(s);
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

void SessionHistoryModel::reset(const QList<EndedSession> &ended)
{
    beginResetModel();
    m_rows.clear();
    for (auto it = ended.crbegin(); it != ended.crend() && m_rows.size() < m_capacity; ++it)
        m_rows.append(*it);
    endResetModel();
}

void SessionHistoryModel::append(const EndedSession &ended)
{
    if (m_rows.size() >= m_capacity) {
        beginRemoveRows({}, int(m_rows.size()) - 1, int(m_rows.size()) - 1);
        m_rows.removeLast();
        endRemoveRows();
    }
    beginInsertRows({}, 0, 0);
    m_rows.prepend(ended);
    endInsertRows();
}

int SessionHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SessionHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const EndedSession &e = m_rows.at(index.row());
    const SessionInfo &s = e.info;
    if (role == SessionIdRole)
        return s.id;
    if (role == ReasonKeyRole)
        return SessionHistory::reasonKey(e.kind);
    if (role == Qt::UserRole) { // sort keys
        switch (index.column()) {
        case Started:
            return s.created;
        case Ended:
            return e.ended;
        case Duration:
            return e.durationMs();
        case MessagesIn:
            return s.messagesIn;
        case MessagesOut:
            return s.messagesOut;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const auto time = [](const QDateTime &t) {
        return t.isValid() ? QLocale().toString(t.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
    };
    switch (index.column()) {
    case Id:
    case Transport:
    case Era:
    case Client:
    case Subject:
    case Remote:
        return SessionsModel::identity(s, SessionsModel::Column(index.column()), role);
    case Started:
        return time(s.created);
    case Ended:
        return time(e.ended);
    case Duration:
        return duration(e.durationMs());
    case Reason:
        // The tooltip carries the server's own reason string, for logs and metrics.
        return role == Qt::ToolTipRole ? e.reason : describe(e.kind);
    case MessagesIn:
        return s.messagesIn;
    case MessagesOut:
        return s.messagesOut;
    }
    return {};
}

QVariant SessionHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id:
        return tr("Session");
    case Transport:
        return tr("Transport");
    case Era:
        return tr("Era");
    case Client:
        return tr("Client");
    case Subject:
        return tr("Subject");
    case Remote:
        return tr("Remote");
    case Started:
        return tr("Started");
    case Ended:
        return tr("Ended");
    case Duration:
        return tr("Duration");
    case Reason:
        return tr("Reason");
    case MessagesIn:
        return tr("In");
    case MessagesOut:
        return tr("Out");
    }
    return {};
}

} // namespace koan::ui
