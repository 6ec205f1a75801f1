#pragma once
// Draws a 0..1 value (read from `valueRole`; negative: unknown) as a progress bar with its percentage.
#include <QStyledItemDelegate>

namespace koan::ui {

class ProgressBarDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    ProgressBarDelegate(int valueRole, QObject *parent = nullptr);
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_valueRole;
};

} // namespace koan::ui
