#include "SessionsModel.h"

#include "PaletteColors.h"

#include <QBrush>
#include <QColor>

namespace koan::ui {

namespace {
QString ago(const QDateTime &t)
{
    if (!t.isValid())
        return QStringLiteral("–");
    const qint64 s = t.secsTo(QDateTime::currentDateTimeUtc());
    if (s < 60)
        return SessionsModel::tr("%1 s").arg(qMax<qint64>(0, s));
    if (s < 3600)
        return SessionsModel::tr("%1 min").arg(s / 60);
    return SessionsModel::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QString bytes(qint64 n)
{
    return n < 1024 ? QStringLiteral("%1 B").arg(n) : QStringLiteral("%1 KiB").arg(n / 1024.0, 0, 'f', 1);
}
} // namespace

SessionsModel::SessionsModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_refresh.setInterval(1000);
    connect(&m_refresh, &QTimer::timeout, this, [this] {
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, Age), index(int(m_rows.size()) - 1, Queued));
    });
    m_refresh.start();
}

void SessionsModel::reset(const QList<SessionInfo> &sessions)
{
    beginResetModel();
    m_rows = sessions;
    reindex();
    endResetModel();
}

void SessionsModel::reindex()
{
    m_rowById.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowById.insert(m_rows.at(i).id, i);
}

int SessionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int SessionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

SessionsModel::HeartbeatState SessionsModel::heartbeatState(const SessionInfo &info) const
{
    // Heartbeats only flow on long-lived streams; a Streamable session may have none.
    if (info.openStreams == 0)
        return HeartbeatState::NoStream;
    if (!info.lastHeartbeat.isValid())
        return info.created.msecsTo(QDateTime::currentDateTimeUtc()) < m_keepAliveMs * 3 / 2 ? HeartbeatState::Waiting
                                                                                             : HeartbeatState::Missed;
    const qint64 since = info.lastHeartbeat.msecsTo(QDateTime::currentDateTimeUtc());
    if (since <= m_keepAliveMs * 3 / 2)
        return HeartbeatState::Healthy;
    return since <= m_keepAliveMs * 3 ? HeartbeatState::Late : HeartbeatState::Missed;
}

QVariant SessionsModel::identity(const SessionInfo &s, Column column, int role)
{
    switch (column) {
    case Id:
        return role == Qt::ToolTipRole ? s.id : s.id.left(12);
    case Transport:
        return transportName(s.transport);
    case Era:
        // The 2026-07-28 era holds no session: its rows are callers and listen streams.
        if (s.kind == SessionKind::StatelessCaller)
            return tr("stateless caller (%1)").arg(s.protocolVersion);
        if (s.kind == SessionKind::ListenStream)
            return tr("listen stream (%1)").arg(s.protocolVersion);
        return s.protocolVersion.isEmpty() ? tr("session") : tr("session (%1)").arg(s.protocolVersion);
    case Client:
        return s.clientName.isEmpty() ? QString()
                                      : QStringLiteral("%1 %2").arg(s.clientName, s.clientVersion).trimmed();
    case Subject:
        // Subjects are unique per issuer only: the tooltip names the issuer.
        if (s.subject.isEmpty())
            return tr("anonymous");
        return role == Qt::ToolTipRole && !s.issuer.isEmpty() ? tr("%1 (issuer %2)").arg(s.subject, s.issuer)
                                                              : s.subject;
    case Remote:
        return s.remote;
    default:
        return {};
    }
}

QString SessionsModel::stateName(HeartbeatState state)
{
    switch (state) {
    case HeartbeatState::NoStream:
        return tr("no stream");
    case HeartbeatState::Waiting:
        return tr("waiting");
    case HeartbeatState::Healthy:
        return tr("healthy");
    case HeartbeatState::Late:
        return tr("late");
    case HeartbeatState::Missed:
        return tr("missed");
    }
    return {};
}

QVariant SessionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const SessionInfo &s = m_rows.at(index.row());
    if (role == SessionIdRole)
        return s.id;
    if (role == Qt::BackgroundRole && index.column() == Heartbeat) {
        switch (heartbeatState(s)) {
        case HeartbeatState::Healthy:
            return QBrush(tinted(QColor(0x2e, 0x7d, 0x32)));
        case HeartbeatState::Late:
            return QBrush(tinted(QColor(0xff, 0xb3, 0x00)));
        case HeartbeatState::Missed:
            return QBrush(tinted(QColor(0xe5, 0x39, 0x35)));
        case HeartbeatState::Waiting:
        case HeartbeatState::NoStream:
            return {};
        }
    }
    if (role == Qt::UserRole) { // sort keys
        switch (index.column()) {
        case Age:
            return s.created;
        case LastActivity:
            return s.lastActivity;
        case LastHeartbeat:
            return s.lastHeartbeat;
        case MessagesIn:
            return s.messagesIn;
        case MessagesOut:
            return s.messagesOut;
        case Queued:
            return s.bytesQueued;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Id:
    case Transport:
    case Era:
    case Client:
    case Subject:
    case Remote:
        return identity(s, Column(index.column()), role);
    case UserAgent:
        return s.userAgent;
    case Age:
        return ago(s.created);
    case LastActivity:
        return ago(s.lastActivity);
    case LastHeartbeat:
        return ago(s.lastHeartbeat);
    case Heartbeat:
        return stateName(heartbeatState(s));
    case MessagesIn:
        return s.messagesIn;
    case MessagesOut:
        return s.messagesOut;
    case Queued:
        return bytes(s.bytesQueued);
    }
    return {};
}

QVariant SessionsModel::headerData(int section, Qt::Orientation orientation, int role) const
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
    case UserAgent:
        return tr("User agent");
    case Age:
        return tr("Age");
    case LastActivity:
        return tr("Last activity");
    case LastHeartbeat:
        return tr("Last heartbeat");
    case Heartbeat:
        return tr("Heartbeat");
    case MessagesIn:
        return tr("In");
    case MessagesOut:
        return tr("Out");
    case Queued:
        return tr("Queued");
    }
    return {};
}

void SessionsModel::sessionOpened(const SessionInfo &info)
{
    if (rowOf(info.id) >= 0)
        return sessionUpdated(info);
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(info);
    m_rowById.insert(info.id, int(m_rows.size()) - 1);
    endInsertRows();
}

void SessionsModel::sessionUpdated(const SessionInfo &info)
{
    const int row = rowOf(info.id);
    if (row < 0)
        return sessionOpened(info);
    SessionInfo &s = m_rows[row];
    // Counters may have moved on through messageReceived/Sent since the snapshot was taken.
    const qint64 in = qMax(s.messagesIn, info.messagesIn), out = qMax(s.messagesOut, info.messagesOut);
    s = info;
    s.messagesIn = in;
    s.messagesOut = out;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void SessionsModel::sessionClosed(const QString &sessionId)
{
    const int row = rowOf(sessionId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    reindex();
    endRemoveRows();
}

void SessionsModel::heartbeatSent(const QString &sessionId, const QDateTime &at, qint64 bytesQueued)
{
    ++m_heartbeats;
    const int row = rowOf(sessionId);
    if (row < 0)
        return;
    m_rows[row].lastHeartbeat = at;
    m_rows[row].bytesQueued = bytesQueued;
}

void SessionsModel::messageReceived(const QString &sessionId)
{
    const int row = rowOf(sessionId);
    if (row < 0)
        return;
    ++m_rows[row].messagesIn;
    m_rows[row].lastActivity = QDateTime::currentDateTimeUtc();
}

void SessionsModel::messageSent(const QString &sessionId)
{
    const int row = rowOf(sessionId);
    if (row >= 0)
        ++m_rows[row].messagesOut;
}

} // namespace koan::ui
