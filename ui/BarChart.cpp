#include "BarChart.h"

#include <QPainter>
#include <cmath>

namespace koan::ui {

BarChart::BarChart(QWidget *parent) : ChartWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void BarChart::setEmptyText(const QString &text)
{
    m_emptyText = text;
    update();
}

void BarChart::setBars(const QList<Bar> &bars)
{
    m_bars = bars;
    QStringList parts;
    for (const Bar &b : bars)
        parts << QStringLiteral("%1: %2").arg(b.label, format(b.value));
    // Screen readers get the numbers too, not only a picture.
    setAccessibleDescription(parts.isEmpty() ? m_emptyText : parts.join(QLatin1String(", ")));
    updateGeometry();
    update();
}

int BarChart::rowHeight() const
{
    return fontMetrics().height() + 4;
}

int BarChart::top() const
{
    return title().isEmpty() ? 4 : fontMetrics().height() + 8;
}

int BarChart::labelWidth() const
{
    int w = 0;
    for (const Bar &b : m_bars)
        w = qMax(w, fontMetrics().horizontalAdvance(b.label) + 4); // + 4: elidedText elides at the exact width
    return qMin(w, qMax(60, width() / 2));
}

QSize BarChart::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const int rows = qMax(3, int(m_bars.size()));
    return {fm.averageCharWidth() * 48, top() + rows * rowHeight() + 6};
}

QSize BarChart::minimumSizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    return {fm.averageCharWidth() * 24, top() + 3 * rowHeight() + 6};
}

QString BarChart::toolTipAt(int y) const
{
    const int row = (y - top()) / rowHeight();
    if (y < top() || row >= m_bars.size())
        return {};
    return QStringLiteral("%1: %2").arg(m_bars.at(row).label, format(m_bars.at(row).value));
}

void BarChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm = p.fontMetrics();
    const QColor text = palette().text().color();
    paintTitle(p, fm.ascent() + 4);
    if (m_bars.isEmpty()) {
        p.setPen(palette().color(QPalette::Disabled, QPalette::Text));
        p.drawText(rect().adjusted(8, top(), -8, -4), Qt::AlignLeft | Qt::AlignTop, m_emptyText);
        return;
    }
    double max = 0;
    int valueWidth = 0;
    for (const Bar &b : m_bars) {
        max = qMax(max, b.value);
        valueWidth = qMax(valueWidth, fm.horizontalAdvance(format(b.value)));
    }
    const int labelX = 8, barX = labelX + labelWidth() + 8;
    const int barMax = qMax(10, width() - barX - valueWidth - 16);
    for (int i = 0; i < m_bars.size(); ++i) {
        const Bar &b = m_bars.at(i);
        const int y = top() + i * rowHeight();
        if (y + rowHeight() > height())
            break;
        p.setPen(text);
        p.drawText(QRect(labelX, y, barX - labelX - 8, rowHeight()), Qt::AlignVCenter | Qt::AlignLeft,
                   fm.elidedText(b.label, Qt::ElideMiddle, barX - labelX - 8));
        const int w = max > 0 ? int(std::lround(b.value / max * barMax)) : 0;
        p.fillRect(QRect(barX, y + 3, qMax(w, b.value > 0 ? 2 : 0), rowHeight() - 6), palette().highlight());
        p.drawText(QRect(barX + w + 6, y, valueWidth + 8, rowHeight()), Qt::AlignVCenter | Qt::AlignLeft,
                   format(b.value));
    }
}

} // namespace koan::ui
