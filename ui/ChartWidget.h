#pragma once
// What the console's QPainter charts (Sparkline, BarChart) share: a title, which is also their
// accessible name and is drawn bold at the top left; how values are written (default: whole
// numbers as they are, others with one decimal, in the locale); and the tooltip for the point
// under the mouse.
#include <QWidget>
#include <functional>

class QPainter;

namespace koan::ui {

class ChartWidget : public QWidget
{
    Q_OBJECT
public:
    explicit ChartWidget(QWidget *parent = nullptr);
    void setTitle(const QString &title);
    QString title() const { return m_title; }
    // How values are written on the axis, in the legend and the tooltip.
    void setValueFormat(std::function<QString(double)> format);
    QString format(double v) const { return m_format(v); }

protected:
    // What the tooltip says at `pos` (widget coordinates); empty where there is nothing to tell.
    virtual QString toolTipAtPoint(const QPoint &pos) const = 0;
    // The title in bold in the palette's text colour, its baseline at y; false (nothing drawn)
    // without a title. The painter has the widget's font again after.
    bool paintTitle(QPainter &p, int y) const;
    bool event(QEvent *e) override;

private:
    QString m_title;
    std::function<QString(double)> m_format;
};

} // namespace koan::ui
