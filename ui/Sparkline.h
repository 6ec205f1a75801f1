#pragma once
// A small QPainter line chart of recent samples (several series, shared time axis).
#include <QColor>
#include <QList>
#include <QWidget>

namespace koan::ui {

class Sparkline : public QWidget
{
    Q_OBJECT
public:
    explicit Sparkline(int capacity = 120, QWidget *parent = nullptr);
    int addSeries(const QString &label, const QColor &color);
    void append(const QList<double> &values); // one value per series
    const QList<double> &series(int i) const { return m_series.at(i).values; }
    QSize sizeHint() const override { return {480, 120}; }

protected:
    void paintEvent(QPaintEvent *) override;

private:
    struct Series {
        QString label;
        QColor color;
        QList<double> values;
    };
    int m_capacity;
    QList<Series> m_series;
};

} // namespace koan::ui
