#include "TasksModel.h"

namespace koan::ui {

TasksModel::TasksModel(QObject *parent) : QAbstractTableModel(parent) { }

int TasksModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TasksModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TasksModel::describe(const QString &status)
{
    if (status == QLatin1String("working"))
        return tr("running");
    if (status == QLatin1String("input_required"))
        return tr("waiting for input");
    if (status == QLatin1String("completed"))
        return tr("completed");
    if (status == QLatin1String("failed"))
        return tr("failed");
    if (status == QLatin1String("cancelled"))
        return tr("cancelled");
    return status;
}

int TasksModel::runningCount() const
{
    int n = 0;
    for (const TaskSnapshot &t : m_rows)
        n += t.running() ? 1 : 0;
    return n;
}

QVariant TasksModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const TaskSnapshot &t = m_rows.at(index.row());
    switch (role) {
    case TaskIdRole:
        return t.id;
    case StatusKeyRole:
        return t.status;
    case RunningRole:
        return t.running();
    case ProgressRole:
        return t.progress;
    default:
        break;
    }
    const auto when
        = [](const QDateTime &at) { return at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")); };
    if (role == SortRole) {
        switch (index.column()) {
        case Progress:
            return t.progress;
        case Created:
            return t.createdAt;
        case Updated:
            return t.updatedAt;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == Status)
            return t.reason.isEmpty() ? t.status : QStringLiteral("%1 (%2)").arg(t.status, t.reason);
        if (index.column() == Message)
            return t.statusMessage;
        return data(index, Qt::DisplayRole);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Tool:
        return t.tool;
    case Status:
        return t.reason.isEmpty() || t.status != QLatin1String("failed")
                   ? describe(t.status)
                   : tr("%1 (%2)").arg(describe(t.status), t.reason);
    case Progress:
        return t.progress >= 0 ? tr("%1 %").arg(qRound(t.progress * 100)) : QString();
    case Owner:
        return t.owner;
    case Created:
        return when(t.createdAt);
    case Updated:
        return when(t.updatedAt);
    case Message:
        return t.statusMessage;
    case Id:
        return t.id;
    }
    return {};
}

QVariant TasksModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Tool:
        return tr("Tool");
    case Status:
        return tr("Status");
    case Progress:
        return tr("Progress");
    case Owner:
        return tr("Owner");
    case Created:
        return tr("Created");
    case Updated:
        return tr("Updated");
    case Message:
        return tr("Status message");
    case Id:
        return tr("Task id");
    }
    return {};
}

int TasksModel::rowOf(const QString &taskId) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).id == taskId)
            return i;
    return -1;
}

void TasksModel::reset(const QList<TaskSnapshot> &tasks)
{
    beginResetModel();
    m_rows = tasks;
    endResetModel();
    emit runningCountChanged(runningCount());
}

void TasksModel::update(const TaskSnapshot &task)
{
    const int row = rowOf(task.id);
    if (row < 0) {
        beginInsertRows({}, 0, 0);
        m_rows.prepend(task);
        endInsertRows();
    } else {
        m_rows[row] = task;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    emit runningCountChanged(runningCount());
}

} // namespace koan::ui
