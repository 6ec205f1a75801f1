#pragma once
// Heartbeats: per-session keep-alive state (healthy / late / missed) and a live chart of
// active connections and heartbeats over the last minutes.
#include <QWidget>

namespace koan::ui {

class SessionsModel;
class Sparkline;

class HeartbeatsPage : public QWidget
{
    Q_OBJECT
public:
    HeartbeatsPage(SessionsModel *model, QWidget *parent = nullptr);
    Sparkline *chart() const { return m_chart; }
    void sample(); // takes one chart sample (every 5 s from a timer)

private:
    SessionsModel *m_model;
    Sparkline *m_chart;
};

} // namespace koan::ui
