#pragma once
// Overview (the first tab): the last 15 minutes at a glance, from the server's per-second
// samples (AdminController::overview / overviewSampled): sessions by transport, calls/s and
// errors, p50/p95 latency, auth failures, queued bytes, each with its current and peak value.
#include "metrics/OverviewSampler.h"

#include <QWidget>

class QLabel;

namespace koan::ui {

class Sparkline;

class OverviewPage : public QWidget
{
    Q_OBJECT
public:
    enum Chart { Sessions, Calls, Latency, Failures, Queued, ChartCount };
    explicit OverviewPage(int capacity = 900, QWidget *parent = nullptr);
    Sparkline *chart(Chart c) const { return m_charts.at(c); }
    QLabel *summary() const { return m_summary; }
    int sampleCount() const { return m_count; }

public slots:
    void setSamples(const QList<koan::OverviewSample> &samples); // oldest first
    void addSample(const koan::OverviewSample &sample);

private:
    void add(const koan::OverviewSample &sample);
    void updateSummary();

    QList<Sparkline *> m_charts;
    QLabel *m_summary;
    QDateTime m_last;
    int m_count = 0; // samples taken since setSamples
};

} // namespace koan::ui
