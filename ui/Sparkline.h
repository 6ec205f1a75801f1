#pragma once
// A small QPainter time chart of our own (no Qt Charts): one or two series over a shared time
// axis, a value axis with round ticks, a legend with current and peak values, and a tooltip
// with the values under the mouse.
#include "ChartWidget.h"

#include <QColor>
#include <QDateTime>
#include <QList>

namespace koan::ui {

class Sparkline : public ChartWidget
{
    Q_OBJECT
public:
    explicit Sparkline(int capacity = 120, QWidget *parent = nullptr);
    int addSeries(const QString &label, const QColor &color);
    // The value axis reaches at least this far (default 1), so near-zero series stay flat.
    void setMinimumAxisMax(double v) { m_minAxisMax = v; }
    void append(const QList<double> &values); // one value per series, now
    void append(const QDateTime &at, const QList<double> &values);
    void clear();
    const QList<double> &series(int i) const { return m_series.at(i).values; }
    int seriesCount() const { return int(m_series.size()); }
    double current(int i) const;
    double peak(int i) const;
    // What the tooltip says for the sample nearest to x (widget coordinates); empty without samples.
    QString toolTipAt(int x) const;
    // From the font, so title, legend and axes fit at any scaling or font size.
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *) override;
    QString toolTipAtPoint(const QPoint &pos) const override { return toolTipAt(pos.x()); }
    void mouseMoveEvent(QMouseEvent *e) override;
    void leaveEvent(QEvent *e) override;

private:
    struct Series {
        QString label;
        QColor color;
        QList<double> values;
    };
    QRectF plotArea() const;
    int indexAt(int x) const;
    double axisMax() const;
    int span() const; // samples across the plot: what there is, at least 60, at most the capacity

    int m_capacity;
    QList<Series> m_series;
    QList<QDateTime> m_times;
    int m_hover = -1;
    double m_minAxisMax = 1;
};

} // namespace koan::ui
