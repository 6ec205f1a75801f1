#pragma once
// A small QPainter bar chart of our own: labelled horizontal bars with their values, for the
// Overview's distributions (auth failures by reason, one tool's latency histogram). Colours come
// from the palette, sizes from the font, so it reads in a dark palette and at 200% scaling.
#include "ChartWidget.h"

#include <QList>

namespace koan::ui {

class BarChart : public ChartWidget
{
    Q_OBJECT
public:
    struct Bar {
        QString label;
        double value = 0;
    };
    explicit BarChart(QWidget *parent = nullptr);
    // Shown instead of the bars while there are none.
    void setEmptyText(const QString &text);
    void setBars(const QList<Bar> &bars);
    const QList<Bar> &bars() const { return m_bars; }
    // What the tooltip says at y (widget coordinates): the bar's label and value; empty between bars.
    QString toolTipAt(int y) const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *) override;
    QString toolTipAtPoint(const QPoint &pos) const override { return toolTipAt(pos.y()); }

private:
    int rowHeight() const;
    int top() const; // the first bar's y
    int labelWidth() const;

    QString m_emptyText;
    QList<Bar> m_bars;
};

} // namespace koan::ui
