#include "ProgressBarDelegate.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

namespace koan::ui {

ProgressBarDelegate::ProgressBarDelegate(int valueRole, QObject *parent)
    : QStyledItemDelegate(parent), m_valueRole(valueRole)
{ }

void ProgressBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const double value = index.data(m_valueRole).toDouble();
    if (value < 0)
        return QStyledItemDelegate::paint(painter, option, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    QStyleOptionViewItem background = option; // the row's selection and hover, under the bar
    initStyleOption(&background, index);
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &background, painter, widget);
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 2, -2, -2);
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = qRound(qBound(0.0, value, 1.0) * 1000);
    bar.text = index.data(Qt::DisplayRole).toString();
    bar.textVisible = true;
    bar.state = option.state | QStyle::State_Horizontal;
    bar.palette = option.palette;
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
}

} // namespace koan::ui
