#include "AuthFailuresModel.h"

namespace koan::ui {

AuthFailuresModel::AuthFailuresModel(int capacity, QObject *parent) : QAbstractTableModel(parent), m_capacity(capacity)
{ }

int AuthFailuresModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int AuthFailuresModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuthFailuresModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const AuthFailure &f = m_rows.at(index.row());
    switch (index.column()) {
    case Time:
        return f.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case Reason:
        return f.reason;
    case Subject:
        return f.subject;
    case Remote:
        return f.remote;
    case Path:
        return f.path;
    case Description:
        return f.description;
    }
    return {};
}

QVariant AuthFailuresModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Reason:
        return tr("Reason");
    case Subject:
        return tr("Subject");
    case Remote:
        return tr("Remote");
    case Path:
        return tr("Path");
    case Description:
        return tr("Details");
    }
    return {};
}

void AuthFailuresModel::append(const AuthFailure &failure)
{
    if (m_rows.size() >= m_capacity) {
        beginRemoveRows({}, 0, 0);
        m_rows.removeFirst();
        endRemoveRows();
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(failure);
    endInsertRows();
    emit totalChanged(++m_total);
}

void AuthFailuresModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
    m_total = 0;
    emit totalChanged(0);
}

void AuthFailuresModel::reset(const QList<AuthFailure> &failures)
{
    beginResetModel();
    m_rows = failures.mid(qMax(0, int(failures.size()) - m_capacity));
    endResetModel();
    m_total = failures.size();
    emit totalChanged(m_total);
}

} // namespace koan::ui
