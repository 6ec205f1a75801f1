#include "ToolLatencyModel.h"

#include <QLocale>

namespace koan::ui {

int ToolLatencyModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ToolLatencyModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ToolLatencyModel::milliseconds(double ms)
{
    return ms < 10 ? tr("%1 ms").arg(QLocale().toString(ms, 'f', 2)) : tr("%1 ms").arg(qint64(ms + 0.5));
}

QVariant ToolLatencyModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const ToolLatency &t = m_rows.at(index.row());
    if (role == Qt::TextAlignmentRole)
        return index.column() == Tool ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Tool:
        return t.tool;
    case Calls:
        return QLocale().toString(t.calls);
    case Errors:
        return QLocale().toString(t.errors);
    case P50:
        return milliseconds(t.p50Ms);
    case P95:
        return milliseconds(t.p95Ms);
    case Max:
        return milliseconds(t.maxMs);
    }
    return {};
}

QVariant ToolLatencyModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Tool:
        return tr("Tool");
    case Calls:
        return tr("Calls");
    case Errors:
        return tr("Errors");
    case P50:
        return tr("p50");
    case P95:
        return tr("p95");
    case Max:
        return tr("Max");
    }
    return {};
}

int ToolLatencyModel::rowOf(const QString &tool) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).tool == tool)
            return i;
    return -1;
}

void ToolLatencyModel::setTools(const QList<ToolLatency> &tools)
{
    bool same = tools.size() == m_rows.size();
    for (int i = 0; same && i < tools.size(); ++i)
        same = tools.at(i).tool == m_rows.at(i).tool;
    if (same) {
        m_rows = tools;
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = tools;
    endResetModel();
}

} // namespace koan::ui
