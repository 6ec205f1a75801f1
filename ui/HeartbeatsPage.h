#pragma once
// Heartbeats: per-session keep-alive state (healthy / late / missed) and a live chart of
// active connections and heartbeats over the last minutes.
#include <QWidget>

class QLabel;
class QTimer;

namespace koan::ui {

class SessionsModel;
class Sparkline;

class HeartbeatsPage : public QWidget
{
    Q_OBJECT
public:
    HeartbeatsPage(SessionsModel *model, QWidget *parent = nullptr);
    Sparkline *chart() const { return m_chart; }
    void sample();                  // takes one chart sample (every 5 s from a timer)
    void setSampleInterval(int ms); // the chart spans 120 samples

private:
    SessionsModel *m_model;
    Sparkline *m_chart;
    QLabel *m_caption;
    QTimer *m_timer;
};

} // namespace koan::ui
