#include "ToolCallsModel.h"

#include <QBrush>
#include <QColor>

namespace koan::ui {

ToolCallsModel::ToolCallsModel(int capacity, QObject *parent) : QAbstractTableModel(parent), m_capacity(capacity) { }

int ToolCallsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int ToolCallsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ToolCallsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const ToolCallRecord &r = m_rows.at(index.row());
    if (role == Qt::ForegroundRole && index.column() == Outcome && r.outcome != QLatin1String("ok"))
        return QBrush(QColor(0xb0, 0x20, 0x20));
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time:
        return r.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case Session:
        return r.sessionId.left(12);
    case Tool:
        return r.tool;
    case Duration:
        return QStringLiteral("%1 ms").arg(r.durationMs, 0, 'f', 2);
    case Outcome:
        return r.outcome == QLatin1String("ok") ? tr("ok") : tr("error");
    }
    return {};
}

QVariant ToolCallsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Session:
        return tr("Session");
    case Tool:
        return tr("Tool");
    case Duration:
        return tr("Duration");
    case Outcome:
        return tr("Outcome");
    }
    return {};
}

void ToolCallsModel::toolCallFinished(const QString &sessionId, const QString &tool, const QJsonObject &arguments,
                                      const QJsonObject &result, double durationMs, const QString &outcome)
{
    if (m_rows.size() >= m_capacity) {
        beginRemoveRows({}, 0, 0);
        m_rows.removeFirst();
        endRemoveRows();
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(
        ToolCallRecord{QDateTime::currentDateTimeUtc(), sessionId, tool, arguments, result, durationMs, outcome});
    endInsertRows();
}

} // namespace koan::ui
