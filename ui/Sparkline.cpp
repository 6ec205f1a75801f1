#include "Sparkline.h"

#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <climits>
#include <cmath>

namespace koan::ui {

namespace {
// 1, 2 or 5 times a power of ten, at least v.
double niceCeiling(double v)
{
    if (v <= 0)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    for (double step : {1.0, 2.0, 5.0, 10.0})
        if (step * magnitude >= v)
            return step * magnitude;
    return 10 * magnitude;
}
} // namespace

Sparkline::Sparkline(int capacity, QWidget *parent) : ChartWidget(parent), m_capacity(qMax(2, capacity))
{
    setMouseTracking(true);
}

QSize Sparkline::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    return {fm.averageCharWidth() * 60, fm.height() * 9 + 16};
}

QSize Sparkline::minimumSizeHint() const
{
    // Title, legend, three lines of plot and the time axis.
    const QFontMetrics fm = fontMetrics();
    return {fm.averageCharWidth() * 30, fm.height() * ((title().isEmpty() ? 1 : 2) + 3 + 1) + 16};
}

int Sparkline::addSeries(const QString &label, const QColor &color)
{
    m_series.append(Series{label, color, {}});
    return int(m_series.size()) - 1;
}

void Sparkline::append(const QList<double> &values)
{
    append(QDateTime::currentDateTimeUtc(), values);
}

void Sparkline::append(const QDateTime &at, const QList<double> &values)
{
    m_times.append(at);
    if (m_times.size() > m_capacity)
        m_times.removeFirst();
    for (int i = 0; i < m_series.size(); ++i) {
        m_series[i].values.append(i < values.size() ? values.at(i) : 0.0);
        if (m_series[i].values.size() > m_capacity)
            m_series[i].values.removeFirst();
    }
    update();
}

void Sparkline::clear()
{
    m_times.clear();
    for (Series &s : m_series)
        s.values.clear();
    m_hover = -1;
    update();
}

double Sparkline::current(int i) const
{
    const QList<double> &v = m_series.at(i).values;
    return v.isEmpty() ? 0 : v.last();
}

double Sparkline::peak(int i) const
{
    double max = 0;
    for (double v : m_series.at(i).values)
        max = qMax(max, v);
    return max;
}

int Sparkline::span() const
{
    return qBound(qMin(60, m_capacity), int(m_times.size()), m_capacity);
}

double Sparkline::axisMax() const
{
    double max = m_minAxisMax;
    for (int i = 0; i < m_series.size(); ++i)
        max = qMax(max, peak(i));
    return niceCeiling(max);
}

QRectF Sparkline::plotArea() const
{
    const QFontMetrics fm = fontMetrics();
    const int labelWidth = fm.horizontalAdvance(format(axisMax())) + 10;
    const int top = fm.height() * (title().isEmpty() ? 1 : 2) + 8;
    return QRectF(rect()).adjusted(qMax(36, labelWidth + 6), top, -10, -(fm.height() + 8));
}

int Sparkline::indexAt(int x) const
{
    if (m_times.isEmpty())
        return -1;
    const QRectF area = plotArea();
    const double step = area.width() / (span() - 1);
    const double x0 = area.right() - step * (m_times.size() - 1);
    return qBound(0, int(std::lround((x - x0) / step)), int(m_times.size()) - 1);
}

QString Sparkline::toolTipAt(int x) const
{
    const int i = indexAt(x);
    if (i < 0)
        return {};
    QStringList lines{QLocale().toString(m_times.at(i).toLocalTime(), QStringLiteral("HH:mm:ss"))};
    for (const Series &s : m_series)
        lines << QStringLiteral("%1: %2").arg(s.label, format(s.values.value(i)));
    return lines.join(QLatin1Char('\n'));
}

void Sparkline::mouseMoveEvent(QMouseEvent *e)
{
    const int i = plotArea().contains(e->position()) ? indexAt(int(e->position().x())) : -1;
    if (i != m_hover) {
        m_hover = i;
        update();
    }
    if (i >= 0)
        QToolTip::showText(e->globalPosition().toPoint(), toolTipAt(int(e->position().x())), this);
    QWidget::mouseMoveEvent(e);
}

void Sparkline::leaveEvent(QEvent *e)
{
    m_hover = -1;
    update();
    QWidget::leaveEvent(e);
}

void Sparkline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm = p.fontMetrics();
    const QRectF area = plotArea();
    const double max = axisMax();
    const QColor text = palette().text().color();
    QColor grid = palette().mid().color();

    // Title, then the legend: label, current value, peak in the window.
    int y = fm.ascent() + 4;
    if (paintTitle(p, y))
        y += fm.height();
    int legendX = 8;
    for (int i = 0; i < m_series.size(); ++i) {
        const QString legend = tr("%1: %2 (peak %3)").arg(m_series.at(i).label, format(current(i)), format(peak(i)));
        p.fillRect(QRectF(legendX, y - fm.ascent() + 2, 10, fm.ascent() - 3), m_series.at(i).color);
        p.setPen(text);
        p.drawText(legendX + 14, y, legend);
        legendX += 14 + fm.horizontalAdvance(legend) + 18;
    }

    // Value axis: 0, half and the round maximum, with grid lines.
    p.setPen(QPen(grid, 1, Qt::DotLine));
    for (int t = 0; t <= 2; ++t) {
        const double v = max * t / 2;
        const double ty = area.bottom() - area.height() * t / 2;
        p.drawLine(QPointF(area.left(), ty), QPointF(area.right(), ty));
        p.save();
        p.setPen(text);
        const QString label = format(v);
        p.drawText(QPointF(area.left() - 6 - fm.horizontalAdvance(label), ty + fm.ascent() / 2.0 - 1), label);
        p.restore();
    }
    p.setPen(QPen(grid, 1));
    p.drawLine(area.bottomLeft(), area.bottomRight());
    p.drawLine(area.bottomLeft(), area.topLeft());

    // Time axis: four clock times across the span (the sample interval taken from the last two samples).
    const int n = span();
    const double step = area.width() / (n - 1);
    const double x0 = area.right() - step * (m_times.size() - 1);
    if (!m_times.isEmpty()) {
        p.setPen(text);
        const qint64 interval
            = m_times.size() > 1 ? qMax<qint64>(1, m_times.at(m_times.size() - 2).msecsTo(m_times.last())) : 1000;
        const bool seconds = interval * (n - 1) < 10 * 60 * 1000;
        for (int k = 0; k <= 3; ++k) {
            const int back = int(std::lround((n - 1) * (3 - k) / 3.0)); // samples before the newest
            const QDateTime at = m_times.last().addMSecs(-interval * back);
            const QString label
                = QLocale().toString(at.toLocalTime(), seconds ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"));
            const int w = fm.horizontalAdvance(label);
            const double tx = area.right() - step * back;
            p.setPen(QPen(grid, 1));
            p.drawLine(QPointF(tx, area.bottom()), QPointF(tx, area.bottom() + 3));
            p.setPen(text);
            p.drawText(qBound(int(area.left()) - w / 2, int(tx) - w / 2, width() - w - 2),
                       int(area.bottom()) + fm.ascent() + 4, label);
        }
    }

    p.save();
    p.setClipRect(area.adjusted(-1, -2, 1, 1));
    for (const Series &s : std::as_const(m_series)) {
        if (s.values.size() < 2)
            continue;
        // More samples than pixels: one vertical stroke (min to max) per pixel column keeps every
        // peak visible at a fraction of the points.
        QPolygonF line;
        line.reserve(qMin<qsizetype>(s.values.size(), qsizetype(area.width()) * 2 + 2));
        int column = INT_MIN;
        double lo = 0, hi = 0;
        const auto flush = [&] {
            if (column == INT_MIN)
                return;
            line << QPointF(column, area.bottom() - lo / max * area.height());
            if (hi != lo)
                line << QPointF(column, area.bottom() - hi / max * area.height());
        };
        for (int i = 0; i < s.values.size(); ++i) {
            const double v = s.values.at(i);
            const int x = int(std::lround(x0 + i * step));
            if (x != column) {
                flush();
                column = x;
                lo = hi = v;
            } else {
                lo = qMin(lo, v);
                hi = qMax(hi, v);
            }
        }
        flush();
        p.setPen(QPen(s.color, 2));
        p.drawPolyline(line);
    }
    p.restore();
    if (m_hover >= 0 && m_hover < m_times.size()) {
        p.setPen(QPen(text, 1, Qt::DashLine));
        const double hx = x0 + m_hover * step;
        p.drawLine(QPointF(hx, area.top()), QPointF(hx, area.bottom()));
    }
}

} // namespace koan::ui
