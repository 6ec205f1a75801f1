#include "OverviewPage.h"

#include "BarChart.h"
#include "Sparkline.h"
#include "ToolLatencyModel.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace koan::ui {

namespace {
QString bytes(double n)
{
    if (n < 1024)
        return QStringLiteral("%1 B").arg(qint64(n));
    if (n < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(QLocale().toString(n / 1024, 'f', 1));
    return QStringLiteral("%1 MiB").arg(QLocale().toString(n / (1024 * 1024), 'f', 1));
}
} // namespace

OverviewPage::OverviewPage(int capacity, QWidget *parent)
    : QWidget(parent), m_capacity(qMax(2, capacity)), m_summary(new QLabel), m_reasons(new BarChart),
      m_toolModel(new ToolLatencyModel(this)), m_toolTable(new QTableView), m_histogram(new BarChart)
{
    const auto make = [this, capacity](const char *name, const QString &title) {
        auto *c = new Sparkline(capacity);
        c->setObjectName(QString::fromLatin1(name));
        c->setTitle(title);
        m_charts.append(c);
        return c;
    };
    Sparkline *sessions = make("overviewSessions", tr("Sessions by transport"));
    sessions->addSeries(tr("HTTP+SSE (2024-11-05)"), QColor(0xc6, 0x28, 0x28));
    sessions->addSeries(tr("Streamable HTTP (2025)"), QColor(0x15, 0x65, 0xc0));
    Sparkline *calls = make("overviewCalls", tr("Tool calls per second"));
    calls->addSeries(tr("calls/s"), QColor(0x2e, 0x7d, 0x32));
    calls->addSeries(tr("errors/s"), QColor(0xc6, 0x28, 0x28));
    Sparkline *latency = make("overviewLatency", tr("Call latency"));
    latency->addSeries(tr("p50"), QColor(0x15, 0x65, 0xc0));
    latency->addSeries(tr("p95"), QColor(0xef, 0x6c, 0x00));
    latency->setValueFormat(&ToolLatencyModel::milliseconds);
    Sparkline *failures = make("overviewAuthFailures", tr("Authentication failures per second"));
    failures->addSeries(tr("auth failures/s"), QColor(0x6a, 0x1b, 0x9a));
    Sparkline *queued = make("overviewQueued", tr("Queued bytes (all streams)"));
    queued->addSeries(tr("queued"), QColor(0x00, 0x83, 0x8f));
    queued->setValueFormat(bytes);
    Sparkline *stateless = make("overviewStateless", tr("Stateless era (2026-07-28)"));
    stateless->addSeries(tr("callers (last minute)"), QColor(0x2e, 0x7d, 0x32));
    stateless->addSeries(tr("listen streams"), QColor(0x15, 0x65, 0xc0));
    queued->setMinimumAxisMax(1024);
    latency->setMinimumAxisMax(1);
    sessions->setMinimumAxisMax(5);
    stateless->setMinimumAxisMax(5);
    calls->setMinimumAxisMax(5);
    failures->setMinimumAxisMax(5);

    m_reasons->setObjectName(QStringLiteral("overviewAuthReasons"));
    m_reasons->setTitle(tr("Authentication failures by reason"));
    m_reasons->setEmptyText(tr("No authentication failures in the window."));

    m_toolTable->setObjectName(QStringLiteral("overviewToolLatency"));
    m_toolTable->setAccessibleName(tr("Tool latency over the last 15 minutes"));
    m_toolTable->setModel(m_toolModel);
    m_toolTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_toolTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_toolTable->verticalHeader()->hide();
    m_toolTable->horizontalHeader()->setSectionResizeMode(ToolLatencyModel::Tool, QHeaderView::Stretch);
    m_toolTable->setMinimumHeight(m_toolTable->fontMetrics().height() * 8);
    connect(m_toolTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    m_selectedTool = m_toolModel->tool(current.row()).tool;
                showHistogram();
            });
    m_histogram->setObjectName(QStringLiteral("overviewToolHistogram"));
    m_histogram->setTitle(tr("Latency distribution"));
    m_histogram->setEmptyText(tr("No tool calls in the last 15 minutes."));

    m_summary->setObjectName(QStringLiteral("overviewSummary"));
    m_summary->setAccessibleName(tr("Overview summary"));
    m_summary->setWordWrap(true);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_summary->setTextFormat(Qt::RichText);

    // Everything in a scroll area: at 200% scaling or in a small window the charts keep their size.
    auto *content = new QWidget;
    auto *grid = new QGridLayout(content);
    grid->addWidget(sessions, 0, 0);
    grid->addWidget(stateless, 0, 1);
    grid->addWidget(calls, 1, 0);
    grid->addWidget(latency, 1, 1);
    grid->addWidget(failures, 2, 0);
    grid->addWidget(m_reasons, 2, 1);
    grid->addWidget(queued, 3, 0);
    grid->addWidget(m_summary, 3, 1);
    grid->addWidget(m_toolTable, 4, 0);
    grid->addWidget(m_histogram, 4, 1);
    for (int r = 0; r < 5; ++r)
        grid->setRowStretch(r, 1);
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("overviewScroll"));
    scroll->setAccessibleName(tr("Overview"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
    updateSummary();
    updateReasons();
    showHistogram();
}

void OverviewPage::setSamples(const QList<OverviewSample> &samples)
{
    for (Sparkline *c : std::as_const(m_charts))
        c->clear();
    m_last = {};
    m_count = 0;
    m_reasonWindow.clear();
    m_reasonTotals.clear();
    for (const OverviewSample &s : samples)
        add(s);
    updateSummary();
    updateReasons();
}

void OverviewPage::addSample(const OverviewSample &sample)
{
    add(sample);
    updateSummary();
    updateReasons();
}

void OverviewPage::add(const OverviewSample &s)
{
    if (m_last.isValid() && s.at <= m_last)
        return; // already shown (a snapshot and the live signal may overlap)
    m_last = s.at;
    m_count = qMin(m_count + 1, 1 << 30);
    m_charts[Sessions]->append(s.at, {double(s.legacySessions), double(s.streamableSessions)});
    m_charts[Stateless]->append(s.at, {double(s.statelessCallers), double(s.listenStreams)});
    m_charts[Calls]->append(s.at, {double(s.calls), double(s.errors)});
    m_charts[Latency]->append(s.at, {s.p50Ms, s.p95Ms});
    m_charts[Failures]->append(s.at, {double(s.authFailures)});
    m_charts[Queued]->append(s.at, {double(s.queuedBytes)});
    // The reasons of the samples the charts show: what leaves the window is subtracted.
    m_reasonWindow.push_back(s.authFailuresByReason);
    for (auto it = s.authFailuresByReason.cbegin(); it != s.authFailuresByReason.cend(); ++it)
        m_reasonTotals[it.key()] += it.value();
    while (int(m_reasonWindow.size()) > m_capacity) {
        const QMap<QString, int> &old = m_reasonWindow.front();
        for (auto it = old.cbegin(); it != old.cend(); ++it)
            if ((m_reasonTotals[it.key()] -= it.value()) <= 0)
                m_reasonTotals.remove(it.key());
        m_reasonWindow.pop_front();
    }
}

void OverviewPage::updateReasons()
{
    QList<BarChart::Bar> bars;
    for (auto it = m_reasonTotals.cbegin(); it != m_reasonTotals.cend(); ++it)
        if (it.value() > 0)
            bars << BarChart::Bar{it.key(), double(it.value())};
    std::stable_sort(bars.begin(), bars.end(),
                     [](const BarChart::Bar &a, const BarChart::Bar &b) { return a.value > b.value; });
    m_reasons->setBars(bars);
}

void OverviewPage::setToolLatency(const QList<ToolLatency> &tools)
{
    m_toolModel->setTools(tools);
    int row = m_selectedTool.isEmpty() ? -1 : m_toolModel->rowOf(m_selectedTool);
    if (row < 0 && m_toolModel->rowCount() > 0)
        row = 0;
    const QModelIndex current = m_toolTable->selectionModel()->currentIndex();
    if (row >= 0 && (!current.isValid() || current.row() != row))
        m_toolTable->selectionModel()->setCurrentIndex(m_toolModel->index(row, 0),
                                                       QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    showHistogram();
}

void OverviewPage::showHistogram()
{
    const int row = m_selectedTool.isEmpty() ? -1 : m_toolModel->rowOf(m_selectedTool);
    if (row < 0) {
        m_histogram->setTitle(tr("Latency distribution"));
        m_histogram->setBars({});
        return;
    }
    const ToolLatency &t = m_toolModel->tool(row);
    m_histogram->setTitle(tr("Latency distribution: %1 (%n call(s))", nullptr, t.calls).arg(t.tool));
    QList<BarChart::Bar> bars;
    const auto &bounds = ToolLatencyTable::bucketBounds();
    // From the first to the last bucket with calls, so the bars use the height they have.
    int first = -1, last = -1;
    for (int i = 0; i < t.buckets.size() && i < ToolLatencyTable::kBuckets; ++i)
        if (t.buckets.at(i) > 0) {
            first = first < 0 ? i : first;
            last = i;
        }
    for (int i = first; first >= 0 && i <= last; ++i) {
        const QString label = i == ToolLatencyTable::kBuckets - 1
                                  ? tr("> %1").arg(ToolLatencyModel::milliseconds(bounds[size_t(i - 1)]))
                                  : tr("≤ %1").arg(ToolLatencyModel::milliseconds(bounds[size_t(i)]));
        bars << BarChart::Bar{label, double(t.buckets.at(i))};
    }
    m_histogram->setBars(bars);
}

void OverviewPage::updateSummary()
{
    const Sparkline *sessions = m_charts[Sessions];
    const Sparkline *stateless = m_charts[Stateless];
    const Sparkline *latency = m_charts[Latency];
    const int shown = int(sessions->series(0).size());
    const int minutes = qMax(1, (shown + 59) / 60);
    const auto sum = [](const QList<double> &v) {
        double total = 0;
        for (double x : v)
            total += x;
        return qint64(total);
    };
    m_summary->setText(tr("<p style='font-size:large'><b>Now</b></p>"
                          "<p>%1 legacy + %2 Streamable sessions (peak %3 + %4)</p>"
                          "<p>%5 tool calls, %6 errors, %7 auth failures in the last %8 min</p>"
                          "<p>latency now p50 %9 · p95 %10</p>")
                           .arg(sessions->format(sessions->current(0)), sessions->format(sessions->current(1)),
                                sessions->format(sessions->peak(0)), sessions->format(sessions->peak(1)))
                           .arg(sum(m_charts[Calls]->series(0)))
                           .arg(sum(m_charts[Calls]->series(1)))
                           .arg(sum(m_charts[Failures]->series(0)))
                           .arg(minutes)
                           .arg(latency->format(latency->current(0)), latency->format(latency->current(1)))
                       + tr("<p>2026-07-28: %1 callers in the last minute (peak %2), %3 listen streams</p>")
                             .arg(stateless->format(stateless->current(0)), stateless->format(stateless->peak(0)),
                                  stateless->format(stateless->current(1))));
}

} // namespace koan::ui
