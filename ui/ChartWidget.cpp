#include "ChartWidget.h"

#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QToolTip>
#include <cmath>

namespace koan::ui {

ChartWidget::ChartWidget(QWidget *parent) : QWidget(parent)
{
    m_format = [](double v) {
        return std::abs(v - std::round(v)) < 1e-9 ? QLocale().toString(qint64(std::llround(v)))
                                                  : QLocale().toString(v, 'f', 1);
    };
}

void ChartWidget::setTitle(const QString &title)
{
    m_title = title;
    setAccessibleName(title);
    update();
}

void ChartWidget::setValueFormat(std::function<QString(double)> format)
{
    m_format = std::move(format);
    update();
}

bool ChartWidget::paintTitle(QPainter &p, int y) const
{
    if (m_title.isEmpty())
        return false;
    QFont bold = p.font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().text().color());
    p.drawText(8, y, m_title);
    p.setFont(font());
    return true;
}

bool ChartWidget::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(e);
        const QString text = toolTipAtPoint(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(e);
}

} // namespace koan::ui
