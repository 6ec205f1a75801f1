#include "OverviewPage.h"

#include "Sparkline.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>

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

OverviewPage::OverviewPage(int capacity, QWidget *parent) : QWidget(parent), m_summary(new QLabel(this))
{
    const auto make = [this, capacity](const char *name, const QString &title) {
        auto *c = new Sparkline(capacity, this);
        c->setObjectName(QString::fromLatin1(name));
        c->setTitle(title);
        m_charts.append(c);
        return c;
    };
    Sparkline *sessions = make("overviewSessions", tr("Sessions by transport"));
    sessions->addSeries(tr("HTTP+SSE (2024-11-05)"), QColor(0xc6, 0x28, 0x28));
    sessions->addSeries(tr("Streamable HTTP"), QColor(0x15, 0x65, 0xc0));
    Sparkline *calls = make("overviewCalls", tr("Tool calls per second"));
    calls->addSeries(tr("calls/s"), QColor(0x2e, 0x7d, 0x32));
    calls->addSeries(tr("errors/s"), QColor(0xc6, 0x28, 0x28));
    Sparkline *latency = make("overviewLatency", tr("Call latency"));
    latency->addSeries(tr("p50"), QColor(0x15, 0x65, 0xc0));
    latency->addSeries(tr("p95"), QColor(0xef, 0x6c, 0x00));
    latency->setValueFormat([](double ms) {
        return ms < 10 ? tr("%1 ms").arg(QLocale().toString(ms, 'f', 2)) : tr("%1 ms").arg(qint64(ms + 0.5));
    });
    Sparkline *failures = make("overviewAuthFailures", tr("Authentication failures per second"));
    failures->addSeries(tr("auth failures/s"), QColor(0x6a, 0x1b, 0x9a));
    Sparkline *queued = make("overviewQueued", tr("Queued bytes (all streams)"));
    queued->addSeries(tr("queued"), QColor(0x00, 0x83, 0x8f));
    queued->setValueFormat(bytes);
    queued->setMinimumAxisMax(1024);
    latency->setMinimumAxisMax(1);
    sessions->setMinimumAxisMax(5);
    calls->setMinimumAxisMax(5);
    failures->setMinimumAxisMax(5);

    m_summary->setObjectName(QStringLiteral("overviewSummary"));
    m_summary->setWordWrap(true);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_summary->setTextFormat(Qt::RichText);
    auto *grid = new QGridLayout(this);
    grid->addWidget(sessions, 0, 0);
    grid->addWidget(calls, 0, 1);
    grid->addWidget(latency, 1, 0);
    grid->addWidget(failures, 1, 1);
    grid->addWidget(queued, 2, 0);
    grid->addWidget(m_summary, 2, 1);
    for (int r = 0; r < 3; ++r)
        grid->setRowStretch(r, 1);
    updateSummary();
}

void OverviewPage::setSamples(const QList<OverviewSample> &samples)
{
    for (Sparkline *c : std::as_const(m_charts))
        c->clear();
    m_last = {};
    m_count = 0;
    for (const OverviewSample &s : samples)
        add(s);
    updateSummary();
}

void OverviewPage::addSample(const OverviewSample &sample)
{
    add(sample);
    updateSummary();
}

void OverviewPage::add(const OverviewSample &s)
{
    if (m_last.isValid() && s.at <= m_last)
        return; // already shown (a snapshot and the live signal may overlap)
    m_last = s.at;
    m_count = qMin(m_count + 1, 1 << 30);
    m_charts[Sessions]->append(s.at, {double(s.legacySessions), double(s.streamableSessions)});
    m_charts[Calls]->append(s.at, {double(s.calls), double(s.errors)});
    m_charts[Latency]->append(s.at, {s.p50Ms, s.p95Ms});
    m_charts[Failures]->append(s.at, {double(s.authFailures)});
    m_charts[Queued]->append(s.at, {double(s.queuedBytes)});
}

void OverviewPage::updateSummary()
{
    const Sparkline *sessions = m_charts[Sessions];
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
                           .arg(latency->format(latency->current(0)), latency->format(latency->current(1))));
}

} // namespace koan::ui
