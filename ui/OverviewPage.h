#pragma once
// Overview (the first tab): the last 15 minutes at a glance, from the server's per-second
// samples (AdminController::overview / overviewSampled): sessions by transport and era (2025
// sessions; 2026-07-28 stateless callers and listen streams), calls/s and errors, p50/p95
// latency, auth failures (and by reason), queued bytes, each with its current and peak value;
// and the per-tool latency distribution the server aggregates (toolLatency / toolLatencyChanged):
// a table of tools and the histogram of the selected one.
#include "metrics/OverviewSampler.h"

#include <QMap>
#include <QWidget>
#include <deque>

class QLabel;
class QTableView;

namespace koan::ui {

class BarChart;
class Sparkline;
class ToolLatencyModel;

class OverviewPage : public QWidget
{
    Q_OBJECT
public:
    enum Chart { Sessions, Calls, Latency, Failures, Queued, Stateless, ChartCount };
    explicit OverviewPage(int capacity = 900, QWidget *parent = nullptr);
    Sparkline *chart(Chart c) const { return m_charts.at(c); }
    QList<Sparkline *> charts() const { return m_charts; }
    QLabel *summary() const { return m_summary; }
    int sampleCount() const { return m_count; }
    // Auth failures of the samples shown, by reason, most frequent first.
    BarChart *authReasons() const { return m_reasons; }
    QTableView *toolLatencyTable() const { return m_toolTable; }
    ToolLatencyModel *toolLatencyModel() const { return m_toolModel; }
    // The latency histogram of the tool selected in the table (the most called one by default).
    BarChart *toolHistogram() const { return m_histogram; }

public slots:
    void setSamples(const QList<koan::OverviewSample> &samples); // oldest first
    void addSample(const koan::OverviewSample &sample);
    void setToolLatency(const QList<koan::ToolLatency> &tools);

private:
    void add(const koan::OverviewSample &sample);
    void updateSummary();
    void updateReasons();
    void showHistogram();

    int m_capacity;
    QList<Sparkline *> m_charts;
    QLabel *m_summary;
    BarChart *m_reasons;
    ToolLatencyModel *m_toolModel;
    QTableView *m_toolTable;
    BarChart *m_histogram;
    QString m_selectedTool;
    QDateTime m_last;
    int m_count = 0;                               // samples taken since setSamples
    std::deque<QMap<QString, int>> m_reasonWindow; // per sample shown, oldest first
    QMap<QString, int> m_reasonTotals;
};

} // namespace koan::ui
