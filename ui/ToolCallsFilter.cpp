#include "ToolCallsFilter.h"

#include "ToolCallsModel.h"

namespace koan::ui {

ToolCallsFilter::ToolCallsFilter(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    sort(0);
}

void ToolCallsFilter::set(QString &field, const QString &value)
{
    if (field == value)
        return;
    field = value;
    invalidateFilter();
}

bool ToolCallsFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    const auto is
        = [&i](int role, const QString &wanted) { return wanted.isEmpty() || i.data(role).toString() == wanted; };
    return is(ToolCallsModel::ToolRole, m_tool) && is(ToolCallsModel::SessionKeyRole, m_session)
           && is(ToolCallsModel::SubjectRole, m_subject) && is(ToolCallsModel::OutcomeRole, m_outcome)
           && (m_text.isEmpty()
               || i.data(ToolCallsModel::SearchTextRole).toString().contains(m_text, Qt::CaseInsensitive));
}

bool ToolCallsFilter::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Always pinned first, then oldest first, whatever column the header shows.
    const QModelIndex l = left.siblingAtColumn(0), r = right.siblingAtColumn(0);
    const bool lp = l.data(ToolCallsModel::PinnedRole).toBool(), rp = r.data(ToolCallsModel::PinnedRole).toBool();
    if (lp != rp)
        return lp;
    return l.data(ToolCallsModel::SequenceRole).toLongLong() < r.data(ToolCallsModel::SequenceRole).toLongLong();
}

} // namespace koan::ui
