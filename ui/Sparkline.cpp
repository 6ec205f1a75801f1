#include "Sparkline.h"

#include <QPainter>
#include <QPainterPath>

namespace koan::ui {

Sparkline::Sparkline(int capacity, QWidget *parent) : QWidget(parent), m_capacity(capacity)
{
    setMinimumHeight(90);
}

int Sparkline::addSeries(const QString &label, const QColor &color)
{
    m_series.append(Series{label, color, {}});
    return int(m_series.size()) - 1;
}

void Sparkline::append(const QList<double> &values)
{
    for (int i = 0; i < m_series.size() && i < values.size(); ++i) {
        m_series[i].values.append(values.at(i));
        if (m_series[i].values.size() > m_capacity)
            m_series[i].values.removeFirst();
    }
    update();
}

void Sparkline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const QRectF area = QRectF(rect()).adjusted(8, 22, -8, -8);
    p.setPen(palette().mid().color());
    p.drawRect(area);
    int legendX = 10;
    for (const Series &s : std::as_const(m_series)) {
        double max = 1;
        for (double v : s.values)
            max = qMax(max, v);
        if (s.values.size() > 1) {
            QPainterPath path;
            const double step = area.width() / (m_capacity - 1);
            const double x0 = area.right() - step * (s.values.size() - 1);
            for (int i = 0; i < s.values.size(); ++i) {
                const QPointF pt(x0 + i * step, area.bottom() - s.values.at(i) / max * area.height());
                i == 0 ? path.moveTo(pt) : path.lineTo(pt);
            }
            p.setPen(QPen(s.color, 2));
            p.drawPath(path);
        }
        const QString legend
            = tr("%1: %2 (max %3)").arg(s.label).arg(s.values.isEmpty() ? 0 : s.values.last()).arg(max);
        p.setPen(s.color);
        p.drawText(legendX, 15, legend);
        legendX += p.fontMetrics().horizontalAdvance(legend) + 24;
    }
}

} // namespace koan::ui
